"""Log lines cannot be forged: a value from outside never ends the line it is written in."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Iterator

import pytest

from services.common.logsetup import JsonFormatter, TextFormatter, printable
from services.fetcher.backfill import backfill
from services.fetcher.feeds import ParsedFeed
from services.fetcher.http import FetchResult
from services.fetcher.state import FetcherState

# CR LF, a bare CR, NEL (C1), U+2028 and U+2029, ESC (a terminal rewrite), a vertical tab, a form feed.
FORGED = "x\r\n2025-01-01 00:00:00 ERROR   jikenbo.fetcher: forged\r2\x853\u20284\u20295\x1b[2J6\x0b7\x0c8"


Captured = tuple[logging.Logger, io.StringIO, "logging.StreamHandler[io.StringIO]"]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """A logger writing through one handler to a buffer, as setup_logging writes to stderr."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("jikenbo.test-logsetup")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream, handler
    finally:
        logger.removeHandler(handler)


def test_printable_escapes_controls_and_line_separators_and_keeps_japanese_text() -> None:
    assert printable(FORGED) == (
        "x\\r\\n2025-01-01 00:00:00 ERROR   jikenbo.fetcher: forged\\r2\\x853\\u20284\\u20295\\x1b[2J6\\x0b7\\x0c8"
    )
    assert printable("株式会社\u3000テスト\ttab") == "株式会社\u3000テスト\\ttab"
    assert printable(printable(FORGED)) == printable(FORGED)


def test_text_lines_escape_arguments_and_extra_values_but_keep_numbers_and_the_code_s_own_text(captured: Captured) -> None:
    logger, stream, handler = captured
    handler.setFormatter(TextFormatter())
    logger.warning("feed %s: %r after %d polls, %.1f s", FORGED, FORGED, 3, 2.5, extra={"feed": FORGED, "count": 7})
    logger.warning("mapping: %(name)s", {"name": FORGED})
    logger.warning(ValueError(FORGED))  # a message that is not a format string is a value too
    logger.info("two lines\nwritten by the code itself")
    lines = stream.getvalue().splitlines()  # str.splitlines also breaks at NEL, U+2028, U+2029, VT, FF
    assert len(lines) == 5, lines
    first = lines[0]
    assert "feed x\\r\\n2025-01-01" in first and "ERROR   jikenbo.fetcher: forged\\r2\\x853\\u20284\\u20295\\x1b[2J6" in first
    assert repr(FORGED) in first and " after 3 polls, 2.5 s" in first
    assert first.endswith(f"  [feed={printable(FORGED)} count=7]")
    assert lines[1].endswith("mapping: " + printable(FORGED)) and lines[2].endswith(printable(FORGED))
    assert lines[3].endswith("jikenbo.test-logsetup: two lines") and lines[4] == "written by the code itself"


def test_json_lines_stay_one_line_for_every_line_breaker_and_keep_the_value(captured: Captured) -> None:
    logger, stream, handler = captured
    handler.setFormatter(JsonFormatter())
    logger.warning("feed %s: poll failed", FORGED, extra={"feed": FORGED})
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["msg"] == f"feed {FORGED}: poll failed" and record["feed"] == FORGED


class _Client:
    async def fetch(self, url: str) -> FetchResult:
        return FetchResult(url=url, status=200, body=b"<feed/>")


class _Publisher:
    async def publish(self, feed: str, posts: list[dict]) -> int:
        return len(posts)


async def test_backfill_logs_a_feed_s_warning_escaped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning holds text from the feed (feedparser quotes the document and its headers)."""
    monkeypatch.setattr("services.fetcher.backfill.parse_feed", lambda *args: ParsedFeed(title="t", posts=[], warning=FORGED))
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    try:
        await backfill(_Client(), _Publisher(), state, "blog", "https://blog.invalid/feed")  # type: ignore[arg-type]
    finally:
        state.close()
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == f"backfill blog: page 1: {printable(FORGED)}" and len(warning.splitlines()) == 1
