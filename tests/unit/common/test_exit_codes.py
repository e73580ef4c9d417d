"""Exit codes scripts rely on: 0 success, 1 runtime failure (broker, network, I/O), 2 usage or configuration error."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from services.cli import main

DEMO_SUBSCRIPTIONS = str(Path(__file__).resolve().parents[3] / "services" / "demo" / "subscriptions.toml")


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args: list[str], **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"JIKENBO_CONFIG": "", **env})
    return result.exit_code, result.output


def test_a_configuration_error_exits_2_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "jikenbo.toml"
    path.write_text("[fetcher]\nmax_conections = 5\n", encoding="utf-8")
    code, output = run(["config", "check", "--config", str(path)])
    assert code == 2 and "jikenbo.toml:2: fetcher.max_conections: unknown key" in output
    code, output = run(["status"], JIKENBO_FETCHER_MAX_CONNECTIONS="0")
    assert code == 2 and "$JIKENBO_FETCHER_MAX_CONNECTIONS" in output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, output = run(["backfill", "no-such-feed", "--config", str(tmp_path / "missing.toml")])
    assert code == 2 and "configuration file not found" in output
    code, output = run(["backfill", "no-such-feed"], JIKENBO_STATE_DIR=str(tmp_path))
    assert code == 2 and "neither a configured feed" in output
    code, _ = run(["alerts", "tail", "--no-such-option"])
    assert code == 2


def test_an_unreachable_broker_exits_1(tmp_path: Path) -> None:
    code, output = run(["subscriptions", "check", DEMO_SUBSCRIPTIONS], JIKENBO_BROKER_URL=f"kafka://127.0.0.1:{closed_port()}",
                       JIKENBO_STATE_DIR=str(tmp_path))
    assert code == 1, output
    assert "jikenbo: error: broker:" in output and "Traceback" not in output


def test_an_unreadable_input_exits_1(tmp_path: Path) -> None:
    code, output = run(["parse", str(tmp_path / "missing.html")])
    assert code == 1 and "cannot read" in output


def test_success_exits_0(tmp_path: Path) -> None:
    code, output = run(["subscriptions", "check", DEMO_SUBSCRIPTIONS, "--no-broker"], JIKENBO_STATE_DIR=str(tmp_path))
    assert code == 0 and "subscription(s) OK" in output
