"""Broker security, metrics configuration, readiness and the ops endpoint."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import aiohttp
import pytest

from services.common.embedded_broker import free_port
from services.common.config import KafkaSecurity, load_config
from services.common.errors import ConfigError
from services.common.faust_app import broker_credentials
from services.common.kafka import kafka_options, lag
from services.common.metrics import latency_start
from services.common.consumer_lag import lag_readiness
from services.common.ops_server import OpsServer
from services.common.status import relative


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jikenbo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_plaintext_by_default_adds_no_client_options() -> None:
    config = load_config(env={})
    assert config.security == KafkaSecurity()
    assert kafka_options(config.security) == {}
    assert broker_credentials(config.security) is None


def test_sasl_scram_from_file_and_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    path = write(tmp_path, f'[broker]\nsecurity_protocol = "SASL_SSL"\nsasl_mechanism = "SCRAM-SHA-512"\nsasl_username = "jikenbo"\nsasl_password_file = "{secret}"\n')
    security = load_config(path, env={}).security
    options = kafka_options(security)
    assert options["security_protocol"] == "SASL_SSL" and options["ssl_context"] is not None
    assert (options["sasl_mechanism"], options["sasl_plain_username"], options["sasl_plain_password"]) == ("SCRAM-SHA-512", "jikenbo", "s3cret")
    assert "s3cret" not in repr(security)
    credentials = broker_credentials(security)
    assert credentials is not None and credentials.protocol.value == "SASL_SSL" and credentials.mechanism.value == "SCRAM-SHA-512"


def test_security_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nsecurity_protocol = "SSL"\n')
    env = {
        "JIKENBO_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
        "JIKENBO_KAFKA_SASL_USERNAME": "u",
        "JIKENBO_KAFKA_SASL_PASSWORD": "p",
    }
    security = load_config(path, env=env).security
    assert (security.protocol, security.sasl_mechanism, security.sasl_password) == ("SASL_PLAINTEXT", "PLAIN", "p")
    assert kafka_options(security)["ssl_context"] is None


def test_sasl_without_a_password_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nsecurity_protocol = "SASL_SSL"\nsasl_username = "u"\n')
    with pytest.raises(ConfigError, match=r"jikenbo.toml:2: broker.security_protocol: SASL_SSL needs sasl_username and a password"):
        load_config(path, env={})


def test_unknown_mechanism_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nsasl_mechanism = "GSSAPI"\n')
    with pytest.raises(ConfigError, match="broker.sasl_mechanism: expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"):
        load_config(path, env={})


def test_metrics_ports_per_service_and_the_process_override(tmp_path: Path) -> None:
    path = write(tmp_path, '[metrics]\nhost = "0.0.0.0"\nparser_port = 9300\nalerter_port = 0\n')
    metrics = load_config(path, env={}).metrics
    assert (metrics.host, metrics.port("parser"), metrics.port("alerter"), metrics.port("fetcher")) == ("0.0.0.0", 9300, 0, 9181)
    override = load_config(path, env={"JIKENBO_METRICS_PORT": "9464"}).metrics
    assert override.port("parser") == override.port("fetcher") == 9464
    assert override.service_port("parser") == 9300, "jikenbo up still hands each child its configured port"


def test_bad_metrics_port_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="metrics.parser_port: expected a port number"):
        load_config(write(tmp_path, "[metrics]\nparser_port = 70000\n"), env={})
    with pytest.raises(ConfigError, match=r"\$JIKENBO_METRICS_PORT"):
        load_config(env={"JIKENBO_METRICS_PORT": "http"})


def test_lag_counts_uncommitted_messages_per_partition() -> None:
    assert lag({0: 5, 1: 10}, {0: 7, 1: 10, 2: 3}) == 2 + 0 + 3
    assert lag({0: 9}, {0: 7}) == 0


def test_readiness_needs_a_recent_measurement_under_the_threshold() -> None:
    assert lag_readiness(None, None, 100.0, 10, 5.0, "refused")[0] is False
    assert lag_readiness(3, 95.0, 100.0, 10, 5.0, None) == (True, "ready, lag 3")
    assert lag_readiness(50, 95.0, 100.0, 10, 5.0, None) == (False, "catching up: lag 50 > 10")
    ok, reason = lag_readiness(3, 0.0, 100.0, 10, 5.0, "timeout")
    assert not ok and "no lag measurement for 100s" in reason
    ok, reason = lag_readiness(3, 95.0, 100.0, 10, 5.0, "KafkaConnectionError: refused")
    assert not ok and reason.startswith("broker unreachable") and "refused" in reason, "the latest attempt failed"


def test_latency_starts_at_publication_else_first_sight() -> None:
    assert latency_start({"published": "2025-01-09T00:00:00Z", "fetched_at": "2025-01-10T00:00:00Z"}) == 1736380800.0
    assert latency_start({"published": None, "fetched_at": "2025-01-10T00:00:00Z"}) == 1736467200.0
    assert latency_start({"published": "yesterday"}) is None
    assert latency_start(None) is None


def test_relative_times_read_like_a_schedule() -> None:
    assert relative(None, 1000.0) == "never"
    assert relative(970.0, 1000.0) == "30s ago"
    assert relative(1000.0 + 600, 1000.0) == "in 10m"


async def test_ops_server_answers_health_readiness_and_metrics() -> None:
    port = free_port()
    ready = {"ok": False}
    server = OpsServer("parser", lambda: (ready["ok"], "ready" if ready["ok"] else "catching up"))
    assert await server.start("127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 503 and "catching up" in await response.text()
            ready["ok"] = True
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert "# TYPE jikenbo_end_to_end_latency_seconds histogram" in await response.text()
    finally:
        await server.stop()


async def test_busy_port_warns_once_and_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = OpsServer("fetcher", lambda: (True, "ready"))
        assert await server.start("127.0.0.1", port) is False
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "running without it" in warnings[0].getMessage()


async def test_port_zero_disables_the_endpoint() -> None:
    assert await OpsServer("alerter", lambda: (True, "ready")).start("127.0.0.1", 0) is False


async def test_metrics_negotiate_openmetrics_filter_names_and_compress() -> None:
    port = free_port()
    server = OpsServer("parser", lambda: (True, "ready"))
    assert await server.start("127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            plain = {"Accept-Encoding": "identity"}
            async with session.get(url, headers={**plain, "Accept": "application/openmetrics-text; version=1.0.0"}) as response:
                text = (await response.read()).decode()
                assert response.headers["Content-Type"].startswith("application/openmetrics-text")
                assert text.rstrip().endswith("# EOF") and "# TYPE jikenbo_dead_letters counter" in text
            async with session.get(url, params=[("name[]", "jikenbo_dead_letters_total")], headers=plain) as response:
                text = (await response.read()).decode()
                assert "jikenbo_dead_letters_total" in text and "jikenbo_polls" not in text
            async with session.get(url, headers={"Accept-Encoding": "gzip"}) as response:
                body = await response.read()
                assert response.headers["Content-Encoding"] == "gzip"
                assert b"jikenbo_end_to_end_latency_seconds" in gzip.decompress(body)
    finally:
        await server.stop()
