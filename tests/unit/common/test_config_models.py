"""Declarative configuration models: refusals name file:line (or the variable), every key settable from the environment, `config show`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from services.alerter.settings import load_settings
from services.cli import main
from services.common.config import load_config
from services.common.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jikenbo.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ('[broker]\ntopic_prefix = "x"\n\n[fetcher]\nmax_conections = 5\n', r"jikenbo\.toml:5: fetcher\.max_conections: unknown key \(expected one of: .*max_connections"),
    ('[fetcher]\nread_timeout = "30s"\nmax_connections = 0\n', r"jikenbo\.toml:3: fetcher\.max_connections: must be at least 1, got 0"),
    ('[metrics]\n\nlag_interval = nan\n', r"jikenbo\.toml:3: metrics\.lag_interval: expected a duration of zero or more seconds, got nan"),
    ('[[feeds]]\nurl = "https://a.example/f"\n\n[[feeds]]\nurl = "https://b.example/f"\nlabel = ["x"]\n', r"jikenbo\.toml:6: feeds\.#2\.label: unknown key"),
    ('[log]\nformat = "text"\nlevel = "INFO"\ncolour = true\n', r"jikenbo\.toml:4: log\.colour: unknown key"),
    ('[broker]\npartitions = inf\n', r"jikenbo\.toml:2: broker\.partitions: expected a finite number, got inf"),
    ('[broker]\nsasl_password = "hunter2"\n', r"jikenbo\.toml:2: broker\.sasl_password: never in the file"),
])
def test_typos_zeros_and_nan_are_refused_with_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        load_config(write(tmp_path, text), env={})
    assert "hunter2" not in str(refused.value)


def test_every_key_is_settable_from_the_environment_and_the_new_name_wins(tmp_path: Path) -> None:
    env = {
        "JIKENBO_FETCHER_MAX_CONNECTIONS": "7", "JIKENBO_FETCHER_READ_TIMEOUT": "45s", "JIKENBO_PARSER_MAX_INCIDENTS": "3",
        "JIKENBO_METRICS_PARSER_PORT": "0", "JIKENBO_TOPIC_PREFIX": "old", "JIKENBO_BROKER_TOPIC_PREFIX": "new",
        "JIKENBO_FETCHER_ALLOW_PRIVATE_NETWORKS": "yes",
    }
    config = load_config(write(tmp_path, "[fetcher]\nmax_connections = 5\n"), env=env)
    assert (config.fetcher.max_connections, config.fetcher.read_timeout, config.parser.max_incidents) == (7, 45.0, 3)
    assert config.metrics.service_port("parser") == 0 and config.topic_prefix == "new"
    assert config.fetcher.allow_private_networks is True
    assert config.sources["fetcher.max_connections"] == "$JIKENBO_FETCHER_MAX_CONNECTIONS"


def test_environment_values_are_checked_and_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^\$JIKENBO_FETCHER_MAX_CONNECTIONS: fetcher\.max_connections: must be at least 1"):
        load_config(write(tmp_path, ""), env={"JIKENBO_FETCHER_MAX_CONNECTIONS": "0"})
    with pytest.raises(ConfigError, match=r"^\$JIKENBO_FETCHER_MAX_CONECTIONS: unknown key fetcher\.max_conections"):
        load_config(write(tmp_path, ""), env={"JIKENBO_FETCHER_MAX_CONECTIONS": "5"})


CHANNEL = '[channels.soc-webhook]\ntype = "webhook"\nurl = "https://soc.example/hook"\nsecret_env = "SOC_SECRET"\nretries = 3\n'


def test_a_channel_setting_is_overridden_from_the_environment(tmp_path: Path) -> None:
    env = {"SOC_SECRET": "s", "JIKENBO_CHANNELS_SOC_WEBHOOK_RETRIES": "8", "JIKENBO_CHANNELS_SOC_WEBHOOK_URL": "https://other.example/h"}
    config = load_config(write(tmp_path, CHANNEL), env=env)
    soc = load_settings(config, env=env).channels["soc-webhook"]
    assert (soc.retries, soc.url) == (8, "https://other.example/h")


def test_a_whole_channel_can_come_from_the_environment_lists_as_json_or_commas(tmp_path: Path) -> None:
    env = {
        "JIKENBO_CHANNELS_MAIL_TYPE": "email", "JIKENBO_CHANNELS_MAIL_HOST": "smtp.example", "JIKENBO_CHANNELS_MAIL_FROM": "j@example.jp",
        "JIKENBO_CHANNELS_MAIL_TO": "a@example.jp, b@example.jp",
        "JIKENBO_CHANNELS_ARCHIVE_TYPE": "jsonl", "JIKENBO_CHANNELS_ARCHIVE_PATH": str(tmp_path / "a.jsonl"),
    }
    config = load_config(write(tmp_path, ""), env=env)
    channels = load_settings(config, env=env).channels
    assert channels["mail"].recipients == ("a@example.jp", "b@example.jp")
    assert channels["archive"].path == tmp_path / "a.jsonl"
    env["JIKENBO_CHANNELS_MAIL_TO"] = '["c@example.jp"]'
    assert load_settings(config, env=env).channels["mail"].recipients == ("c@example.jp",)
    env["JIKENBO_CHANNELS_MAIL_RETRIES"] = "-1"
    with pytest.raises(ConfigError, match=r"^\$JIKENBO_CHANNELS_MAIL_RETRIES: channels\.mail\.retries: must be at least 0"):
        load_settings(config, env=env)


def test_config_show_gives_each_source_and_masks_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, '[fetcher]\nmax_connections = 5\n\n[channels.slack]\ntype = "slack"\nurl = "https://hooks.slack.com/services/T/B/XYZ"\n')
    env = {"JIKENBO_KAFKA_SASL_PASSWORD": "hunter2", "JIKENBO_LOG_LEVEL": "debug"}
    result = CliRunner().invoke(main, ["config", "show", "--config", str(path)], env=env)
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.output.splitlines() if "=" in line}
    assert "hunter2" not in result.output and "T/B/XYZ" not in result.output
    assert lines["sasl_password"].split("#")[0].strip() == 'sasl_password = "********"'
    assert lines["url"].startswith('url = "********"') and lines["url"].endswith(f"{path}:6")
    assert lines["max_connections"].endswith(f"{path}:2") and lines["level"].endswith("$JIKENBO_LOG_LEVEL")
    assert lines["max_bytes"].endswith("# default") and '"DEBUG"' in lines["level"]


def test_config_check_accepts_the_example_and_names_the_line_of_a_problem(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[3] / "deploy" / "jikenbo.example.toml"
    assert CliRunner().invoke(main, ["config", "check", "--config", str(example)], env={}).exit_code == 0
    result = CliRunner().invoke(main, ["config", "check", "--config", str(write(tmp_path, "[parser]\nmax_incidents = 0\n"))])
    assert result.exit_code == 2
    assert "jikenbo.toml:2: parser.max_incidents: must be at least 1, got 0" in result.output


def test_config_show_prints_a_configuration_that_loads_to_the_same_values(tmp_path: Path) -> None:
    from services.alerter.settings import validate

    path = write(tmp_path, '[fetcher]\nmax_connections = 5\nper_host_delay = "250ms"\n\n[[feeds]]\nname = "a"\nurl = "https://a.example/f"\n'
                           'headers = { "X-Token" = "1" }\nlabels = ["事件簿"]\n\n[channels.log]\ntype = "jsonl"\npath = "a.jsonl"\n'
                           'rate_limit = "10/1m"\n')
    env = {"JIKENBO_ALERTER_RELOAD_INTERVAL": "5s"}
    shown = CliRunner().invoke(main, ["config", "show", "--config", str(path)], env=env)
    assert shown.exit_code == 0, shown.output
    again = tmp_path / "shown.toml"
    again.write_text(shown.output, encoding="utf-8")
    first, second = load_config(path, env=env), load_config(again, env={})
    assert first.sections == second.sections
    assert validate(first, env).sections == validate(second, {}).sections
