"""The corpus through `jikenbo up` (embedded broker, fetcher, parser, alerter, archive), then `up` stopped
and the archive asked with the broker gone: what it holds is what the parser makes of the same posts offline.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from services.archive.search import fold
from services.archive.versions import fingerprint
from services.cli import main
from services.common.embedded_broker import RUNTIME_FILE
from services.common.pipeline import ARCHIVE
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.feeds import parse_feed
from services.parser.handling import incidents_from_post
from tests.feed_server import FeedServer
from tests.processes import service_env, start, stop, wait_until

pytestmark = pytest.mark.integration

CONFIG = """
[metrics]
fetcher_port = 0
parser_port = 0
alerter_port = 0
archive_port = 0

[[subscriptions]]
name = "research"
sectors = ["研究機関"]

[[subscriptions]]
name = "en-japan"
organizations = ["エン・ジャパン"]
"""


def archived(path: Path) -> tuple[set[str], set[str]]:
    """(incident ids, alert subscriptions) in the archive so far."""
    if not path.exists():
        return set(), set()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return ({row[0] for row in db.execute("SELECT incident_id FROM incidents")},
                {row[0] for row in db.execute("SELECT subscription FROM alerts")})
    except sqlite3.OperationalError:  # not yet migrated
        return set(), set()
    finally:
        db.close()


def jikenbo(state: Path, *args: str) -> str:
    """`jikenbo ARGS` in this process, reading only the state directory (no broker configured or running)."""
    result = CliRunner().invoke(main, list(args), env={"JIKENBO_STATE_DIR": str(state), "JIKENBO_BROKER_URL": None})
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def ids(output: str) -> set[str]:
    return {orjson.loads(line)["incident_id"] for line in output.splitlines()}


async def test_a_backfill_is_archived_and_queried_after_up_stopped(tmp_path: Path) -> None:
    feed = build_atom(corpus_documents())
    expected = {i["incident_id"]: i for post in parse_feed(feed, {}, "seeds").posts for i in incidents_from_post(post)}
    server = await FeedServer(body=feed).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(CONFIG, encoding="utf-8")
    state = tmp_path / "state"
    env = service_env(None, state, "jikenbo", JIKENBO_CONFIG=str(config), JIKENBO_FEEDS=f"seeds={server.url}",
                      JIKENBO_FEED_INTERVAL="2s", JIKENBO_ALLOW_PRIVATE_NETWORKS="true")
    env.pop("JIKENBO_METRICS_PORT")
    up = start(["up"], env, tmp_path / "up.log")
    path = ARCHIVE.state_path(state)
    try:
        # In a thread: the feed server runs on this event loop.
        done = await asyncio.to_thread(wait_until, lambda: archived(path) == (set(expected), {"research", "en-japan"}), 120)
    finally:
        code = stop(up, grace=30)
        await server.stop()
    log = (tmp_path / "up.log").read_text(errors="replace")
    assert done, (archived(path), log[-4000:])
    assert code == 0, log[-4000:]
    assert "started archive" in log
    assert not (state / RUNTIME_FILE).exists(), "the embedded broker is gone"

    # Every incident, as the parser makes it offline (delivery stamps aside).
    exported = [orjson.loads(line) for line in jikenbo(state, "incidents", "export", "--format", "jsonl").splitlines()]
    assert {i["incident_id"]: fingerprint(i) for i in exported} == {k: fingerprint(v) for k, v in expected.items()}
    dates = [sort_date(i) for i in exported]
    assert dates == sorted(dates, reverse=True), "newest first"

    # Filters, as subscriptions read them.
    listed = jikenbo(state, "incidents", "list", "--format", "json", "--limit", "1000")
    assert ids(listed) == set(expected)
    healthcare = {k for k, v in expected.items() if v["sector"] == "healthcare"}
    assert healthcare and ids(jikenbo(state, "incidents", "list", "--sector", "医療", "--format", "json")) == healthcare
    ransomware = {k for k, v in expected.items() if "ransomware" in v["incident_types"]}
    assert ransomware and ids(jikenbo(state, "incidents", "list", "--type", "ransomware", "--format", "json")) == ransomware
    since = {k for k, v in expected.items() if sort_date(v) >= "2025-01-01"}
    assert since and ids(jikenbo(state, "incidents", "list", "--since", "2025", "--format", "json")) == since
    big = {k for k, v in expected.items() if (v["affected"]["count"] or 0) >= 10000}
    assert big and ids(jikenbo(state, "incidents", "list", "--min-affected", "10000", "--format", "json")) == big
    for term in ("ランサムウェア", "病院"):  # a trigram term and a two-character one
        found = {k for k, v in expected.items() if fold(term) in fold(v["title"] or "") or fold(term) in fold(v["body"])}
        assert found and ids(jikenbo(state, "incidents", "list", "--search", term, "--format", "json")) == found, term

    # Counts, and a CSV a spreadsheet opens.
    by_sector = [orjson.loads(line) for line in jikenbo(state, "incidents", "stats", "--by", "sector", "--format", "json").splitlines()]
    assert {row["sector"]: row["incidents"] for row in by_sector} == Counter(v["sector"] for v in expected.values())
    assert "█" in jikenbo(state, "incidents", "stats", "--by", "year")
    jikenbo(state, "incidents", "export", "--format", "csv", "--output", str(tmp_path / "all.csv"))
    raw = (tmp_path / "all.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {row["incident_id"] for row in rows} == set(expected)

    # One incident with the alert it triggered.
    (en_japan,) = [k for k, v in expected.items() if v["organization"] == "エン・ジャパン株式会社"]
    shown = jikenbo(state, "incidents", "show", en_japan)
    assert en_japan in shown and "en-japan" in shown and "255,765" in shown


def sort_date(incident: dict[str, Any]) -> str:
    """The date the archive orders and filters by: disclosed, else published."""
    return incident["disclosed_on"] or incident["source"]["published"][:10]
