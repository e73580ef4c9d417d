"""Backfill and ingest against local servers and files, publishing to the embedded broker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from aiohttp import web
from click.testing import CliRunner

import schemas
from services.cli import main
from services.common.embedded_broker import EmbeddedBroker
from services.common.topics import Topics
from services.demo.feed import atom_entry
from services.fetcher.backfill import backfill
from services.fetcher.errors import FetchError
from tests.feed_server import FeedServer, Harness
from tests.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

NEWEST = datetime(2025, 3, 10, tzinfo=timezone.utc)
POSTS = [(f"tag:blogger.com,1999:blog-1000.post-{n}", f"投稿 {n}", NEWEST - timedelta(days=n)) for n in range(7)]


def atom_page(entries: list[tuple[str, str, datetime]], links: dict[str, str], total: int | None = None) -> bytes:
    head = (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'"
        " xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'><id>tag:blogger.com,1999:blog-1000</id><title>b</title>"
    )
    head += "".join(f"<link rel='{rel}' href='{href.replace('&', '&amp;')}'/>" for rel, href in links.items())
    if total is not None:
        head += f"<openSearch:totalResults>{total}</openSearch:totalResults>"
    body = "".join(atom_entry(pid, title, f"<p>{title}</p>", when, f"http://b/{pid[-1]}") for pid, title, when in entries)
    return (head + body + "</feed>").encode()


def blogger(server: FeedServer, fail_at: set[int] | None = None) -> Callable[[web.Request], web.Response]:
    """Blogger-style paging; next links name another host and path, as www.blogger.com/feeds/<id>/… does."""
    failing = set(fail_at or ())

    async def serve(request: web.Request) -> web.Response:
        start = int(request.query.get("start-index", "1"))
        size = int(request.query.get("max-results", "3"))
        if start in failing:
            failing.discard(start)
            return web.Response(status=500)
        entries = POSTS[start - 1 : start - 1 + size]
        links = {}
        if start - 1 + size < len(POSTS):
            links["next"] = f"{server.alias_base}/feeds/1000/posts/default?start-index={start + size}&max-results={size}"
        return web.Response(body=atom_page(entries, links, total=len(POSTS)), content_type="application/atom+xml")

    return serve


@pytest.fixture
async def server() -> FeedServer:
    running = await FeedServer().start()
    yield running
    await running.stop()


@pytest.fixture
async def harness(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> Harness:
    async with Harness(broker.bootstrap, prefix, tmp_path) as running:
        yield running


async def published(harness: Harness) -> list[dict]:
    return [post for _, post in await read_topic(harness.bootstrap, Topics(harness.prefix).raw_posts)]


async def walk(harness: Harness, url: str, **options: object):  # noqa: ANN201 - BackfillCheckpoint
    assert harness.service.client is not None
    return await backfill(harness.service.client, harness.service.publisher, harness.state, "blog", url, **options)  # type: ignore[arg-type]


async def test_three_page_blogger_history_follows_next_links_to_another_host(harness: Harness, server: FeedServer) -> None:
    server.routes["/feeds/posts/default"] = server.routes["/feeds/1000/posts/default"] = blogger(server)
    point = await walk(harness, f"{server.base}/feeds/posts/default?max-results=3")
    posts = await published(harness)
    assert (point.pages, point.posts, point.done) == (3, 7, True)
    assert server.hits["/feeds/1000/posts/default"] == 2
    assert sorted(p["title"] for p in posts) == sorted(title for _, title, _ in POSTS)
    for post in posts:
        schemas.validate("raw_post", post)
        assert post["origin"] == "backfill"


async def test_rfc5005_archive_chain_is_walked_to_the_oldest(harness: Harness, server: FeedServer) -> None:
    documents = {
        "/current": atom_page(POSTS[0:2], {"prev-archive": f"{server.base}/archive/2"}),
        "/archive/2": atom_page(POSTS[2:4], {"prev-archive": "/archive/1", "next-archive": f"{server.base}/current"}),
        "/archive/1": atom_page(POSTS[4:7], {"next-archive": f"{server.base}/archive/2"}),
    }
    for path, body in documents.items():
        server.routes[path] = lambda request, body=body: _atom(body)
    point = await walk(harness, f"{server.base}/current")
    assert (point.pages, point.posts) == (3, 7)
    assert len(await published(harness)) == 7


async def test_interrupted_backfill_resumes_at_the_failed_page(harness: Harness, server: FeedServer) -> None:
    server.routes["/feeds/posts/default"] = server.routes["/feeds/1000/posts/default"] = blogger(server, fail_at={7})
    url = f"{server.base}/feeds/posts/default?max-results=3"
    with pytest.raises(FetchError, match="HTTP 500"):
        await walk(harness, url)
    checkpoint = harness.state.checkpoint("blog", url)
    assert checkpoint is not None and (checkpoint.pages, checkpoint.posts, checkpoint.done) == (2, 6, False)
    point = await walk(harness, url)
    assert (point.pages, point.posts, point.done) == (3, 7, True)
    assert server.hits["/feeds/posts/default"] == 1, "the first page is not fetched again"
    assert len(await published(harness)) == 7, "nothing published twice"


async def test_backfill_stops_at_since_and_honours_max_posts(harness: Harness, server: FeedServer) -> None:
    server.routes["/feeds/posts/default"] = server.routes["/feeds/1000/posts/default"] = blogger(server)
    url = f"{server.base}/feeds/posts/default?max-results=3"
    point = await walk(harness, url, since=NEWEST - timedelta(days=3, hours=12))
    assert (point.pages, point.posts) == (2, 4)
    assert server.hits["/feeds/1000/posts/default"] == 1
    limited = await walk(harness, url, max_posts=2, restart=True)
    assert (limited.pages, limited.posts) == (1, 2)


async def test_wordpress_history_pages_until_404(harness: Harness, server: FeedServer) -> None:
    async def wordpress(request: web.Request) -> web.Response:
        page = int(request.query.get("paged", "1"))
        if page > 2:
            return web.Response(status=404)
        items = "".join(
            f"<item><title>p{page}-{n}</title><link>http://wp/{page}/{n}</link><guid>wp-{page}-{n}</guid><description>本文</description></item>"
            for n in range(2)
        )
        rss = f"<?xml version='1.0'?><rss version='2.0'><channel><title>wp</title><generator>https://wordpress.org/?v=6.4</generator>{items}</channel></rss>"
        return web.Response(body=rss.encode(), content_type="application/rss+xml")

    server.routes["/feed/"] = wordpress
    point = await walk(harness, f"{server.base}/feed/")
    assert (point.pages, point.posts, point.done) == (2, 4, True)


def test_backfill_and_ingest_commands_publish_to_the_configured_broker(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    (archive / "a.txt").write_text("株式会社サンプル 不正アクセスに関するお知らせ\n\n本文です。", encoding="utf-8")
    (archive / "sub" / "b.html").write_bytes("<p>個人情報の漏えいについて</p><p>詳細</p>".encode("cp932"))
    (archive / "ignored.bin").write_bytes(b"\x00\x01")
    env = {"JIKENBO_BROKER_URL": broker.url, "JIKENBO_TOPIC_PREFIX": prefix, "JIKENBO_STATE_DIR": str(tmp_path), "JIKENBO_LOG_LEVEL": "WARNING"}
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(archive)], env=env)
    again = runner.invoke(main, ["ingest", str(archive)], env=env)
    missing = runner.invoke(main, ["backfill", "nope"], env=env)
    assert first.exit_code == 0, first.output
    assert "2 files, 2 published" in first.output and "2 files, 0 published" in again.output
    assert missing.exit_code == 2 and "neither a configured feed" in missing.output

    import asyncio

    messages = asyncio.run(read_topic(broker.bootstrap, Topics(prefix).raw_posts))
    posts = sorted((post for _, post in messages), key=lambda p: p["post_id"])
    assert [p["title"] for p in posts] == ["株式会社サンプル 不正アクセスに関するお知らせ", "個人情報の漏えいについて"]
    for post in posts:
        schemas.validate("raw_post", post)
        assert (post["feed"], post["origin"]) == ("ingest", "backfill")


def test_ingest_skips_links_and_binary_files_publishes_the_rest_and_exits_1(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text("株式会社サンプル 不正アクセスに関するお知らせ\n\n本文です。", encoding="utf-8")
    (archive / "b.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00")
    (archive / "c.txt").write_text("個人情報の漏えいについて", encoding="utf-8")
    (tmp_path / "private.txt").write_text("外に置いた秘密", encoding="utf-8")
    (archive / "d\nforged.txt").symlink_to(tmp_path / "private.txt")
    env = {"JIKENBO_BROKER_URL": broker.url, "JIKENBO_TOPIC_PREFIX": prefix, "JIKENBO_STATE_DIR": str(tmp_path), "JIKENBO_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["ingest", str(archive)], env=env)

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"jikenbo: {archive / 'b.txt'}: skipped: binary file (NUL byte at offset 7)" in lines
    assert f"jikenbo: {archive}/d\\nforged.txt: skipped: symbolic link, not followed" in lines
    assert lines[-1] == "ingest: 2 files, 2 published (0 unchanged), 2 skipped"

    import asyncio

    posts = [post for _, post in asyncio.run(read_topic(broker.bootstrap, Topics(prefix).raw_posts))]
    assert sorted(p["title"] for p in posts) == ["個人情報の漏えいについて", "株式会社サンプル 不正アクセスに関するお知らせ"]
    assert not any("秘密" in p["text"] for p in posts)


async def _atom(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/atom+xml")
