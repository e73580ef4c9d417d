"""The demo: the bundled sample corpus as an Atom feed, served from loopback.

`jikenbo up --demo` and the tests serve documents as a Blogger-like Atom feed
so that the whole pipeline can be watched without network.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from aiohttp import web

DEMO_DIR = Path(__file__).resolve().parent
CORPUS_DIR = DEMO_DIR / "corpus"
FEED_FILE = DEMO_DIR / "feed.atom"
SUBSCRIPTIONS_FILE = DEMO_DIR / "subscriptions.toml"
_BLANK_LINES = re.compile(r"\n\s*\n")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def text_to_html(text: str) -> str:
    """Paragraphs become <p>, line breaks <br>; inline tags the source page had are kept."""
    paragraphs = [p.strip("\n") for p in _BLANK_LINES.split(text.strip()) if p.strip()]

    def line_html(line: str) -> str:
        # Escape everything but tags that were already markup in the source page.
        parts, last = [], 0
        for match in _TAG.finditer(line):
            parts.append(html.escape(line[last : match.start()], quote=False))
            parts.append(match.group(0))
            last = match.end()
        parts.append(html.escape(line[last:], quote=False))
        return "".join(parts)

    return "\n".join("<p>" + "<br />".join(line_html(l) for l in p.split("\n")) + "</p>" for p in paragraphs)


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def atom_entry(post_id: str, title: str, body_html: str, published: datetime, link: str) -> str:
    stamp = published.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        "<entry>"
        f"<id>{escape(post_id)}</id><published>{stamp}</published><updated>{stamp}</updated>"
        f"<category scheme='http://www.blogger.com/atom/ns#' term='セキュリティ事件簿'/>"
        f"<title type='text'>{escape(title)}</title>"
        f"<content type='html'>{escape(body_html)}</content>"
        f"<link rel='alternate' type='text/html' href='{escape(link)}' title='{escape(title, {chr(39): '&apos;'})}'/>"
        "</entry>"
    )


def build_atom(documents: Iterable[tuple[str, str]], base_url: str = "https://demo.jikenbo.invalid", blog_id: str = "1000") -> bytes:
    """An Atom feed with one entry per (name, text) document, newest first."""
    start = datetime(2025, 3, 10, tzinfo=timezone.utc)
    entries = []
    for index, (name, text) in enumerate(documents):
        post = int(hashlib.sha256(name.encode()).hexdigest()[:12], 16)
        entries.append(
            atom_entry(
                f"tag:blogger.com,1999:blog-{blog_id}.post-{post}",
                first_line(text),
                text_to_html(text),
                start - timedelta(days=index),
                f"{base_url}/posts/{name}.html",
            )
        )
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>tag:blogger.com,1999:blog-{blog_id}</id><updated>{start.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</updated>"
        "<title type='text'>jikenbo demo: セキュリティ事件簿 sample</title>"
        f"<link rel='alternate' type='text/html' href='{base_url}/'/>"
    )
    return (head + "".join(entries) + "</feed>").encode("utf-8")


def corpus_documents(directory: Path = CORPUS_DIR) -> list[tuple[str, str]]:
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.txt"))]


def demo_app(documents: list[tuple[str, str]] | None = None, reveal_every: float = 8.0) -> web.Application:
    """Serve the corpus at /feeds/posts/default, one more post every `reveal_every` seconds.

    A newcomer watching `jikenbo alerts tail` then sees alerts arrive as posts
    are "published", not all in the first second. ETag and 304 as a blog would.
    """
    docs = documents if documents is not None else corpus_documents()
    started = time.monotonic()
    bodies: dict[int, tuple[bytes, str]] = {}

    def current() -> tuple[bytes, str]:
        shown = min(len(docs), 1 + int((time.monotonic() - started) / reveal_every)) if reveal_every > 0 else len(docs)
        if shown not in bodies:
            body = build_atom(docs[:shown])
            bodies[shown] = (body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
        return bodies[shown]

    async def serve(request: web.Request) -> web.Response:
        body, etag = current()
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8", headers={"ETag": etag})

    app = web.Application()
    app.router.add_get("/feeds/posts/default", serve)
    return app


async def start_demo_server(host: str = "127.0.0.1", port: int = 0, reveal_every: float = 8.0) -> tuple[web.AppRunner, str]:
    """Serve the bundled corpus; returns the runner (to clean up) and the feed URL."""
    runner = web.AppRunner(demo_app(reveal_every=reveal_every), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = site._server.sockets if site._server else []  # aiohttp exposes no public accessor
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, f"http://{host}:{bound}/feeds/posts/default"


if __name__ == "__main__":  # regenerate the bundled feed after changing the corpus
    FEED_FILE.write_bytes(build_atom(corpus_documents()))
    print(f"wrote {FEED_FILE}")
