"""`bench/e2e.py --quick` runs the whole pipeline and reports every figure.

No targets are asserted: benchmarks print figures, tests do not time things.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import REPO

pytestmark = pytest.mark.integration

ROWS = (
    "broker ceiling: posts/s",
    "backfill: posts/s end to end",
    "backfill: CPU ms per post",
    "backfill: fraction of broker ceiling",
    "live, 1 s polling: p99 latency (s)",
    "live, WebSub push: p99 latency (s)",
    "peak RSS MB: broker",
    "peak RSS MB: parser",
    "peak RSS MB: alerter",
    "peak RSS MB: backfill",
    "peak RSS MB: fetcher",
)


def test_quick_run_prints_the_table_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "e2e.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "e2e.py"), "--quick", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for row in ROWS:
        assert row in run.stdout, f"missing row {row!r}:\n{run.stdout}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["cores"] == os.cpu_count()
    assert len(result["load_average"]["start"]) == 3
    assert result["ceiling"]["posts_per_s"] > 0
    backfill = result["backfill"]
    assert backfill["complete"] and backfill["posts"] == 500
    assert backfill["posts_alerted"] == backfill["posts_alerted_expected"] > 0
    for key in ("elapsed_s", "posts_per_s", "fraction_of_ceiling"):
        assert backfill[key] > 0, key
    for phase in ("poll_1s", "push"):
        live = result["live"][phase]
        assert live["alerted"] == live["entries"] == 20, phase
        for key in ("p50_s", "p95_s", "p99_s", "max_s"):
            assert isinstance(live[key], float), (phase, key)
    for service in ("broker", "parser", "alerter", "backfill", "fetcher"):
        assert result["rss_mb"][service]["peak_tree"] > 0, service
