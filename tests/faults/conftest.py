"""The fault-injection suite: marker `faults`, and one summary line per scenario at the end of the run."""

from __future__ import annotations

import pytest

from tests.faults import harness


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not harness.SUMMARIES:
        return
    terminalreporter.section(f"fault injection (seed {harness.SEED}; replay with JIKENBO_FAULT_SEED={harness.SEED})")
    for line in harness.SUMMARIES:
        terminalreporter.write_line(line)
