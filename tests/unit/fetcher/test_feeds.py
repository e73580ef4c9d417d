import pytest

import schemas
from services.demo.feed import FEED_FILE, build_atom, corpus_documents
from services.fetcher.errors import FeedError
from services.fetcher.feeds import parse_feed
from services.common.retry_after import seconds_to_wait
from services.common.text import html_to_text, to_text


def test_bundled_demo_feed_matches_the_bundled_corpus() -> None:
    assert FEED_FILE.read_bytes() == build_atom(corpus_documents())


def test_demo_feed_yields_one_valid_raw_post_per_document() -> None:
    parsed = parse_feed(FEED_FILE.read_bytes(), {"Content-Type": "application/atom+xml"}, "demo")
    assert parsed.warning is None
    assert len(parsed.posts) == 5
    for post in parsed.posts:
        schemas.validate("raw_post", post)
        assert post["post_id"].startswith("tag:blogger.com,1999:blog-1000.post-")
        assert post["published"].endswith("Z")
        assert "\n\n" in post["text"], "paragraph breaks must survive"
    titles = [p["title"] for p in parsed.posts]
    assert titles[1].startswith("【セキュリティ事件簿#2023-106】エン・ジャパン株式会社")


def test_post_id_falls_back_to_link_then_hash() -> None:
    feed = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        "<item><title>a</title><link>http://x/a</link><description>本文</description></item>"
        "<item><title>b</title><description>本文2</description></item>"
        "</channel></rss>"
    ).encode()
    posts = parse_feed(feed, {}, "f").posts
    assert posts[0]["post_id"] == "http://x/a"
    assert posts[1]["post_id"].startswith("sha256:")


def test_billion_laughs_is_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>&lol2;</title></feed>"
    )
    with pytest.raises(FeedError, match="entities"):
        parse_feed(bomb, {}, "f")


def test_html_page_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html><html><body>hi</body></html>", {}, "f")


def test_empty_body_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  ", {}, "f")


def test_shift_jis_feed_decodes_from_the_prolog() -> None:
    xml = "<?xml version='1.0' encoding='shift_jis'?><feed xmlns='http://www.w3.org/2005/Atom'><title>事件簿</title><entry><id>x</id><title>不正アクセス</title><content>個人情報</content></entry></feed>"
    posts = parse_feed(xml.encode("shift_jis"), {"Content-Type": "application/atom+xml"}, "f").posts
    assert posts[0]["title"] == "不正アクセス"
    assert posts[0]["text"] == "個人情報"


def test_html_to_text_keeps_paragraphs() -> None:
    assert html_to_text("<p>一</p><p>二<br>三</p>") == "一\n\n二\n三"
    assert to_text("plain\n\n\n\ntext") == "plain\n\ntext"


def test_retry_after_seconds_and_date() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc).timestamp()
    assert seconds_to_wait("120", now) == 120
    assert seconds_to_wait("Thu, 01 Jan 2026 00:01:30 GMT", now) == 90
    assert seconds_to_wait("Thu, 01 Jan 2026 00:01:30 -0000", now) == 90  # an HTTP date is GMT even unmarked
    assert seconds_to_wait("garbage", now) is None
