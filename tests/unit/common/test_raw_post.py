"""One raw-post constructor for the fetcher, `jikenbo ingest` and `jikenbo parse`."""

from __future__ import annotations

from pathlib import Path

import schemas
from schemas.raw_post import document_post, now_iso, raw_post
from services.common.text import content_hash
from services.fetcher.ingest import post_for_file

HTML = "<p>株式会社サンプル 不正アクセスに関するお知らせ</p><p>本文です。</p>"


def test_a_feed_entry_without_id_or_link_is_known_by_its_hash_and_matches_the_schema() -> None:
    post = raw_post(post_id=None, feed="blog", url=None, title="題", content=HTML, fetched_at=now_iso(), origin="live",
                    labels=["", "事件簿"])
    schemas.validate("raw_post", post)
    assert post["post_id"] == f"sha256:{content_hash('題', HTML)}" == f"sha256:{post['content_hash']}"
    assert (post["content_type"], post["labels"]) == ("html", ["事件簿"])
    assert post["text"] == "株式会社サンプル 不正アクセスに関するお知らせ\n\n本文です。"


def test_parse_and_ingest_see_the_same_post_for_a_file_but_its_feed_title_and_time(tmp_path: Path) -> None:
    path = tmp_path / "release.html"
    path.write_text(HTML, encoding="utf-8")
    parsed = document_post(str(path), HTML)
    ingested = post_for_file(path, 1024 * 1024)
    schemas.validate("raw_post", ingested)
    differ = {key for key in parsed if parsed[key] != ingested[key]}
    assert differ == {"feed", "title", "fetched_at"}
    assert (parsed["feed"], parsed["title"], parsed["fetched_at"]) == ("file", "", None)
    assert (ingested["feed"], ingested["title"]) == ("ingest", "株式会社サンプル 不正アクセスに関するお知らせ")
    assert ingested["content_hash"] == content_hash("", HTML), "a derived title is not part of the version"
    assert ingested["post_id"] == f"file:{path.resolve()}" and ingested["url"] == path.resolve().as_uri()


def test_stdin_is_known_by_its_content() -> None:
    post = document_post("-", "本文")
    assert (post["post_id"], post["url"]) == (f"stdin:{content_hash('', '本文')}", None)
