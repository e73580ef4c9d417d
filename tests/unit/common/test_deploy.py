"""docker-compose.yml, deploy/ and the docs agree with the code.

Docker cannot run here, so these tests read the files instead: every
service, image, command, environment variable and topic they name must
exist in the code, and every configuration key and JIKENBO_* variable the
code reads must be documented.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.alerter.settings import CHANNEL_MODELS, AlerterSection, load_settings
from services.cli import main
from services.common.config import KNOWN_SECTIONS, LEGACY_ENV, SECTIONS, load_config, section_keys
from services.common.topics import Topics
from services.fetcher.settings import FeedConfig

REPO = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
EXAMPLE = (REPO / "deploy" / "jikenbo.example.toml").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
TOPICS_SCRIPT = (REPO / "deploy" / "create-topics.sh").read_text(encoding="utf-8")
SOURCES = {path: path.read_text(encoding="utf-8") for path in (REPO / "services").rglob("*.py")}
JIKENBO_SERVICES = ("fetcher", "parser", "alerter")


def env_vars_read_by_code() -> set[str]:
    """Every JIKENBO_* variable named in the code (not the prefixes of generated names, such as `JIKENBO_CHANNELS_<NAME>`)."""
    return {name for text in SOURCES.values() for name in re.findall(r"JIKENBO_[A-Z_]*[A-Z](?![A-Z_]*_[<*{\"'])", text)}


def section_models() -> dict[str, Any]:
    """Every section's model: the common ones, `[[feeds]]`, `[alerter]` and each channel type."""
    return {**SECTIONS, "feeds": FeedConfig, "alerter": AlerterSection, **{f"channels.{k}": m for k, m in CHANNEL_MODELS.items()}}


def generated_env_vars() -> set[str]:
    """`$JIKENBO_<SECTION>_<KEY>` of every key of the sections the environment can set, and their legacy names."""
    return set(LEGACY_ENV) | {f"JIKENBO_{section.upper()}_{key.upper()}" for section in (*SECTIONS, "alerter") for key in section_keys(section_models()[section])}


def config_keys_read_by_code() -> set[str]:
    """Every key a section model accepts (the SASL password excepted: never in the file)."""
    return {key for model in section_models().values() for key in section_keys(model)} - {"sasl_password"}


def subcommands() -> set[str]:
    return set(main.commands)


def dockerfile_env() -> dict[str, str]:
    block = re.search(r"^ENV (.+?)(?<!\\)\n", DOCKERFILE, re.S | re.M)
    assert block, "the Dockerfile sets the service environment"
    return dict(pair.split("=", 1) for pair in shlex.split(block.group(1).replace("\\\n", " ")))


def jikenbo_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in COMPOSE["services"].items() if "build" in service}


def test_compose_runs_each_jikenbo_service_from_the_dockerfile_with_a_real_command() -> None:
    services = jikenbo_services()
    assert set(services) == set(JIKENBO_SERVICES)
    for name, service in services.items():
        assert (REPO / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == REPO / "deploy" / "Dockerfile"
        assert service["command"][0] == name and name in subcommands(), f"{name}: `jikenbo {name}` must exist"
        assert service["image"] == "jikenbo:latest"
        assert service["depends_on"]["topics"]["condition"] == "service_completed_successfully"


def test_each_service_keeps_its_state_in_its_own_volume() -> None:
    declared = set(COMPOSE["volumes"])
    seen = []
    for name, service in jikenbo_services().items():
        state = [v for v in service["volumes"] if v.endswith(":/var/lib/jikenbo")]
        assert state == [f"{name}-state:/var/lib/jikenbo"], name
        seen.append(state[0].split(":")[0])
        for volume in service["volumes"]:
            source = volume.split(":")[0]
            assert source in declared or (REPO / source).exists(), f"{name}: {source} is neither a volume nor a file"
    assert len(set(seen)) == len(seen)


def test_compose_and_dockerfile_set_only_variables_the_code_reads() -> None:
    known = env_vars_read_by_code() | generated_env_vars()
    for name, service in jikenbo_services().items():
        environment = service["environment"]
        for variable in environment:
            assert variable in known, f"{name}: {variable} is not read by jikenbo"
        assert environment["JIKENBO_STATE_DIR"] == "/var/lib/jikenbo"
        assert environment["JIKENBO_BROKER_URL"].endswith("kafka://kafka:9092}")
        config_path = environment["JIKENBO_CONFIG"]
        assert any(v.endswith(f":{config_path}:ro") for v in service["volumes"]), f"{name}: {config_path} is mounted"
    for variable in dockerfile_env():
        assert variable in known or not variable.startswith("JIKENBO_"), variable


def test_dockerfile_is_slim_non_root_and_checks_healthz_on_the_metrics_port() -> None:
    assert all("slim" in line for line in re.findall(r"^FROM (.+)$", DOCKERFILE, re.M))
    user = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert user and user[-1] not in ("root", "0")
    healthcheck = re.search(r"^HEALTHCHECK .+?(?<!\\)$", DOCKERFILE, re.M | re.S)
    assert healthcheck and "/healthz" in healthcheck.group(0) and "JIKENBO_METRICS_PORT" in healthcheck.group(0)
    port = dockerfile_env()["JIKENBO_METRICS_PORT"]
    assert re.search(rf"^EXPOSE {port}$", DOCKERFILE, re.M)
    assert dockerfile_env()["JIKENBO_METRICS_HOST"] == "0.0.0.0", "reachable from outside the container"
    for name, service in jikenbo_services().items():
        assert service["environment"]["JIKENBO_METRICS_PORT"] == port, name
        for mapping in service.get("ports", []):
            assert mapping.endswith(f":{port}"), f"{name}: {mapping} must publish the metrics port"
    assert re.search(r"^ENTRYPOINT \[\"jikenbo\"\]$", DOCKERFILE, re.M)


def test_topics_job_creates_exactly_the_pipeline_topics() -> None:
    job = COMPOSE["services"]["topics"]
    assert job["restart"] == "no" and job["entrypoint"][-1] == "/deploy/create-topics.sh"
    assert (REPO / job["volumes"][0].split(":")[0]).resolve() == REPO / "deploy" / "create-topics.sh"
    prefix = job["environment"]["TOPIC_PREFIX"]
    assert prefix.endswith("jikenbo}"), "same prefix default as the services"
    created = {f"jikenbo{suffix}" for suffix in re.findall(r'^create "\$TOPIC_PREFIX(\.[a-z.]+)"', TOPICS_SCRIPT, re.M)}
    assert created == set(Topics("jikenbo").all())
    policies = dict(re.findall(r'^create "\$TOPIC_PREFIX(\.[a-z.]+)" .*?((?:cleanup\.policy=compact)|(?:retention\.ms=\d+))', TOPICS_SCRIPT, re.M))
    assert policies == {
        ".posts.raw": "cleanup.policy=compact", ".incidents": "cleanup.policy=compact",
        ".posts.dlq": "retention.ms=2592000000", ".alerts": "retention.ms=7776000000",
    }, "latest value per key for posts and incidents; alerts are events keyed by subscription, never compacted"


def test_kafka_runs_in_kraft_mode_and_the_ui_is_optional() -> None:
    kafka = COMPOSE["services"]["kafka"]["environment"]
    assert "broker" in kafka["KAFKA_PROCESS_ROLES"] and "controller" in kafka["KAFKA_PROCESS_ROLES"]
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka
    ui = [s for s in COMPOSE["services"].values() if "kafka-ui" in s.get("image", "")]
    assert len(ui) == 1 and ui[0]["profiles"] == ["ui"]
    assert ui[0]["environment"]["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == "kafka:9092"


def test_every_jikenbo_command_the_docs_show_exists() -> None:
    compose_text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    shown = re.findall(r"(?:`|\.venv/bin/|^#?\s{2,})jikenbo ([a-z]+)", README + EXAMPLE + compose_text, re.M)
    shown += re.findall(r"docker compose run --rm [a-z]+ ([a-z]+)", README + compose_text)
    assert "status" in shown
    unknown = {c for c in shown if c not in subcommands()}
    assert not unknown, f"the docs show commands that do not exist: {unknown}"


def test_example_configuration_is_valid() -> None:
    config = load_config(REPO / "deploy" / "jikenbo.example.toml", env={})
    assert config.embedded
    assert set(config.raw) <= KNOWN_SECTIONS
    load_settings(config)  # the alerter's own sections too


@pytest.mark.parametrize("key", sorted(config_keys_read_by_code()))
def test_every_configuration_key_is_documented_in_the_example(key: str) -> None:
    assert re.search(rf"^#?\s*{re.escape(key)}\s*=", EXAMPLE, re.M), f"{key} is read by the code but not in deploy/jikenbo.example.toml"


@pytest.mark.parametrize("section", sorted(KNOWN_SECTIONS))
def test_every_section_is_documented_in_the_example(section: str) -> None:
    assert re.search(rf"^#?\s*\[\[?{section}(\.[a-z-]+)?\]?\]", EXAMPLE, re.M), f"[{section}] missing from deploy/jikenbo.example.toml"


@pytest.mark.parametrize("variable", sorted(env_vars_read_by_code()))
def test_every_environment_variable_is_documented(variable: str) -> None:
    assert variable in README or variable in EXAMPLE, f"{variable} is read by the code but documented nowhere"


def test_the_generated_variables_are_documented() -> None:
    assert "JIKENBO_<SECTION>_<KEY>" in README and "JIKENBO_CHANNELS_<NAME>_<KEY>" in README


def test_every_kafka_client_gets_the_security_options() -> None:
    """TLS/SASL must reach every aiokafka client, or one of them fails against a secured broker."""
    missing = []
    for path, text in SOURCES.items():
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                "AIOKafkaConsumer", "AIOKafkaProducer", "AIOKafkaAdminClient",
            ):
                spread = [k.value for k in node.keywords if k.arg is None]
                if not any(isinstance(v, ast.Call) and getattr(v.func, "id", None) == "kafka_options" for v in spread):
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not missing, f"clients without **kafka_options(...): {missing}"
