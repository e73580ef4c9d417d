"""Feed parsing: the fast and the feedparser path agree; hostile documents are refused cheaply."""

from __future__ import annotations

import time
import tracemalloc

import pytest

import schemas
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.errors import FeedError
from services.fetcher.feeds import parse_fast, parse_feed, parse_slow

ATOM = "application/atom+xml"
RSS = (
    "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'"
    " xmlns:atom='http://www.w3.org/2005/Atom'><channel><title>t</title><generator>https://wordpress.org/?v=6.4</generator>"
    "<atom:link rel='hub' href='https://hub.example/'/>"
    "<item><title>不正アクセス</title><link>http://x/a</link><guid>g1</guid><pubDate>Tue, 02 Jan 2024 03:04:05 +0900</pubDate>"
    "<category>事件簿</category><description>要約</description><content:encoded><![CDATA[<p>本文</p><p>続き</p>]]></content:encoded></item>"
    "<item><title>b</title><link>http://x/b</link><description>only a summary &amp; more</description></item>"
    "</channel></rss>"
).encode()


def big_demo_feed() -> bytes:
    """A ~1.4 MB Blogger-like feed: the corpus ten times over, the size of a large real feed."""
    documents = corpus_documents()
    return build_atom([(f"{name}-{n}", text) for n in range(10) for name, text in documents])


def test_fast_and_feedparser_paths_give_identical_posts_for_the_demo_feed() -> None:
    body = big_demo_feed()
    fast = parse_fast(body, "demo", "live", "2025-01-01T00:00:00Z")
    slow = parse_slow(body, {"content-type": ATOM}, "demo", "live", "2025-01-01T00:00:00Z")
    assert fast is not None and fast.parser == "fast" and slow.parser == "feedparser"
    assert len(fast.posts) == 50
    assert fast.posts == slow.posts
    first = fast.posts[0]
    assert first["labels"] == ["セキュリティ事件簿"] and first["published"] == first["updated"] == "2025-03-10T00:00:00Z"
    assert first["content"].startswith("<p>") and "\n\n" in first["text"]
    assert (fast.title, fast.links, fast.feed_id) == (slow.title, slow.links, slow.feed_id)


def test_fast_and_feedparser_paths_agree_on_rss_with_full_content() -> None:
    fast = parse_fast(RSS, "f", "live", "X")
    slow = parse_slow(RSS, {}, "f", "live", "X")
    assert fast is not None and fast.posts == slow.posts
    assert fast.posts[0]["content"] == "<p>本文</p><p>続き</p>" and fast.posts[0]["published"] == "2024-01-01T18:04:05Z"
    assert fast.links["hub"] == "https://hub.example/" and "wordpress" in (fast.generator or "")


def test_well_formed_feed_takes_the_fast_path() -> None:
    parsed = parse_feed(big_demo_feed(), {"Content-Type": ATOM}, "demo")
    assert parsed.parser == "fast" and parsed.warning is None
    for post in parsed.posts[:5]:
        schemas.validate("raw_post", post)


def test_malformed_feed_falls_back_to_feedparser_with_a_warning() -> None:
    body = build_atom(corpus_documents()).replace(b"</feed>", b"<broken></feed>")
    parsed = parse_feed(body, {"Content-Type": ATOM}, "demo")
    assert parsed.parser == "feedparser" and len(parsed.posts) == 5
    assert parsed.warning and "malformed feed, 5 entries recovered" in parsed.warning


def test_unrecoverable_document_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="not a readable feed"):
        parse_feed(b"\x01\x02 definitely not xml", {}, "f")
    with pytest.raises(FeedError, match="NUL bytes but is neither UTF-16 nor UTF-32"):
        parse_feed(b"\x00\x01 definitely not xml", {}, "f")


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp"])
@pytest.mark.parametrize("where", ["header", "prolog", "both"])
def test_japanese_encodings_decode_from_header_or_prolog(encoding: str, where: str) -> None:
    prolog = f"<?xml version='1.0' encoding='{encoding}'?>" if where != "header" else ""
    xml = prolog + "<feed xmlns='http://www.w3.org/2005/Atom'><title>事件簿</title><entry><id>x</id><title>不正アクセス</title><content>個人情報の漏えい</content></entry></feed>"
    header = f"{ATOM}; charset={encoding}" if where != "prolog" else ATOM
    parsed = parse_feed(xml.encode(encoding), {"Content-Type": header}, "f")
    assert parsed.title == "事件簿"
    assert (parsed.posts[0]["title"], parsed.posts[0]["text"]) == ("不正アクセス", "個人情報の漏えい")


def test_header_and_prolog_disagreeing_goes_to_feedparser() -> None:
    xml = "<?xml version='1.0' encoding='shift_jis'?><feed xmlns='http://www.w3.org/2005/Atom'><title>事件簿</title></feed>"
    parsed = parse_feed(xml.encode("shift_jis"), {"Content-Type": f"{ATOM}; charset=euc-jp"}, "f")
    assert parsed.parser == "feedparser"


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
FEED_BODY = "<feed xmlns='http://www.w3.org/2005/Atom'><title>&lol9;</title><entry><id>a</id><title>&lol9;</title></entry></feed>"
HOSTILE = {
    "billion laughs": "<?xml version='1.0'?>\n<!DOCTYPE feed [\n<!ENTITY lol0 'lol'>\n" + LAUGHS.replace(">", ">\n") + "]>\n" + FEED_BODY,
    "one-line DOCTYPE": "<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY lol0 'lol'>" + LAUGHS + "]>" + FEED_BODY,
    "padded prolog": "<?xml version='1.0'?><!--" + "x" * 100_000 + "--><!DOCTYPE feed [<!ENTITY lol0 'lol'>" + LAUGHS + "]>" + FEED_BODY,
    "XXE": "<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><feed xmlns='http://www.w3.org/2005/Atom'><title>&xxe;</title></feed>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_entity_payloads_are_refused_fast_with_flat_memory(name: str) -> None:
    body = HOSTILE[name].encode()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FeedError, match="entities"):
            parse_feed(body, {"Content-Type": ATOM}, "f")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.1, f"{name}: took {elapsed:.3f}s"
    assert peak < len(body) + 1_000_000, f"{name}: peak {peak} bytes"  # expanded, the laughs would be ~3 GB


def test_external_doctype_is_cut_out_and_never_fetched() -> None:
    body = (
        "<?xml version='1.0'?><!DOCTYPE feed SYSTEM 'file:///etc/passwd'>"
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>a</id><title>ok</title><content>本文</content></entry></feed>"
    ).encode()
    parsed = parse_feed(body, {}, "f")
    assert parsed.parser == "fast" and parsed.posts[0]["text"] == "本文"
    assert "root:" not in repr(parsed)


def test_xhtml_page_with_xml_declaration_is_an_html_error() -> None:
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", {}, "f")
