"""The structural XML defence (issue 11): no entity or DTD anywhere, wide encodings seen
through, ASCII-hiding encodings refused, the lenient parser bounded in time and memory."""

from __future__ import annotations

import codecs
import time
import tracemalloc

import pytest

from services.fetcher import fallback
from services.fetcher.errors import FeedError
from services.fetcher.feeds import ParsedFeed, parse_feed
from services.fetcher.xml_guard import defuse, wide_encoding

ATOM = "application/atom+xml"
ENTRY = "<entry><id>a</id><title>不正アクセス</title><content>本文です</content></entry>"
FEED = "<feed xmlns='http://www.w3.org/2005/Atom'><title>事件簿</title>" + ENTRY + "</feed>"
LAUGHS = "<!DOCTYPE feed [<!ENTITY a 'lol'>" + "".join(
    f"<!ENTITY {chr(98 + n)} '{('&' + chr(97 + n) + ';') * 10}'>" for n in range(9)) + "]>"


def refused_fast(body: bytes, match: str, headers: dict[str, str] | None = None) -> None:
    """parse_feed refuses `body` in well under a second without expanding anything."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FeedError, match=match):
            parse_feed(body, headers or {"Content-Type": ATOM}, "f")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert peak < 4 * len(body) + 2_000_000, f"peak {peak} bytes"


def test_a_decoy_doctype_then_a_long_comment_then_entities_is_refused() -> None:
    body = ("<?xml version='1.0'?><!DOCTYPE feed SYSTEM 'x.dtd'><!--" + "x" * 200_000 + "-->" + LAUGHS + FEED).encode()
    refused_fast(body, "declares XML entities")


def test_an_internal_subset_without_entities_is_refused_anywhere() -> None:
    body = ("<?xml version='1.0'?>" + FEED.replace("</feed>", "<!DOCTYPE x [<!ELEMENT x ANY>]></feed>")).encode()
    refused_fast(body, "DTD of its own")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("mark", [True, False], ids=["bom", "no-bom"])
def test_wide_encodings_are_seen_through_with_or_without_a_mark(encoding: str, mark: bool) -> None:
    prolog = f"<?xml version='1.0' encoding='{encoding.rsplit('-', 1)[0]}'?>"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding] if mark else b""
    hostile = bom + (prolog + LAUGHS + FEED).encode(encoding)
    refused_fast(hostile, "declares XML entities")
    clean = bom + (prolog + FEED).encode(encoding)
    assert wide_encoding(clean) == encoding
    parsed = parse_feed(clean, {"Content-Type": f"{ATOM}; charset={encoding.rsplit('-', 1)[0]}"}, "f")
    assert [(p["title"], p["text"]) for p in parsed.posts] == [("不正アクセス", "本文です")]


@pytest.mark.parametrize(("body", "headers"), [
    ("<?xml version='1.0' encoding='utf-7'?>" + FEED, {}),
    (FEED, {"Content-Type": f"{ATOM}; charset=utf-7"}),
    ("<?xml version='1.0' encoding='cp037'?>" + FEED, {}),
    ("<?xml version='1.0' encoding='hz'?>" + FEED, {}),
], ids=["utf-7-declared", "utf-7-header", "ebcdic", "hz"])
def test_encodings_that_hide_markup_from_the_scan_are_refused(body: str, headers: dict[str, str]) -> None:
    with pytest.raises(FeedError, match="encoding jikenbo does not read safely"):
        parse_feed(body.encode("ascii", "xmlcharrefreplace"), headers, "f")


def test_doctype_and_entity_words_inside_content_are_not_declarations() -> None:
    escaped = FEED.replace("本文です", "&lt;!ENTITY x 'y'&gt; の説明")
    cdata = FEED.replace("<content>本文です</content>", "<content><![CDATA[<!DOCTYPE html><p>本文</p>]]></content>")
    assert parse_feed(escaped.encode(), {}, "f").posts[0]["text"] == "<!ENTITY x 'y'> の説明"
    assert parse_feed(cdata.encode(), {}, "f").posts[0]["text"] == "本文"


def test_an_external_doctype_in_the_prolog_is_cut_out() -> None:
    body = ("<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE feed PUBLIC '-//X//EN' 'http://x/feed.dtd'>\n" + FEED).encode()
    assert b"DOCTYPE" not in defuse(body).body
    assert parse_feed(body, {}, "f").parser == "fast"


@pytest.mark.parametrize("unit", [b"<!DOCTYPE", b"<!--", b"<?", b"<!doctype x ", b"<![CDATA["])
def test_scanning_repeated_markup_openers_is_linear(unit: bytes) -> None:
    body = b"<?xml version='1.0'?>" + unit * (8_000_000 // len(unit))
    started = time.perf_counter()
    try:
        defuse(body)
    except FeedError:
        pass
    assert time.perf_counter() - started < 1.0


def test_the_lenient_parser_is_stopped_when_it_overruns_its_time() -> None:
    unclosed = b"<rss><channel><item><title>x" + b"<a><b>" * 1_500_000  # 9 MB of unclosed tags
    started = time.monotonic()
    with pytest.raises(FeedError, match="lenient parser took longer than 2 s"):
        fallback.parse_bounded(unclosed, {}, "f", "live", "now", seconds=2.0)
    assert time.monotonic() - started < 6


def test_the_lenient_parser_is_stopped_when_it_overruns_its_memory() -> None:
    unclosed = b"<rss><channel><item><title>x" + b"<a><b>" * 1_500_000
    with pytest.raises(FeedError, match="needed more than 200 MB"):
        fallback.parse_bounded(unclosed, {}, "f", "live", "now", seconds=60.0, memory=200 * 2**20)


def test_the_lenient_parser_gives_what_feedparser_gives() -> None:
    broken = ("<?xml version='1.0'?>" + FEED.replace("</feed>", "<broken></feed>")).encode()
    parsed = parse_feed(broken, {}, "f")
    assert parsed.parser == "feedparser" and parsed.warning and "entries recovered" in parsed.warning
    assert [(p["title"], p["text"]) for p in parsed.posts] == [("不正アクセス", "本文です")]


def test_posts_larger_than_the_body_could_hold_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def expanding(body: bytes, *args: object) -> ParsedFeed:
        post = {"title": "t", "content": "lol" * len(body) * 2, "text": "lol" * len(body) * 2}
        return ParsedFeed(title="t", posts=[post])

    monkeypatch.setattr("services.fetcher.feeds.parse_fast", expanding)
    with pytest.raises(FeedError, match="characters of posts; refused"):
        parse_feed(FEED.encode() * 1000, {}, "f")


def test_a_shutdown_stops_the_lenient_parser_at_once() -> None:
    import threading

    unclosed = b"<rss><channel><item><title>x" + b"<a><b>" * 1_500_000
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fallback.parse_bounded(unclosed, {}, "f", "live", "now", seconds=60.0)
        except FeedError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(1.0)
    started = time.monotonic()
    fallback.stop_children()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert outcome and "lenient parser stopped" in str(outcome[0])
