"""Raw posts (raw_post.schema.json): the one constructor, so every producer publishes the same shape.

The fetcher builds one per feed entry, `jikenbo ingest` and `jikenbo parse`
one per local document (`document_post`); the parser reads them back.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from schemas import SCHEMA_VERSION
from services.common.text import content_hash, looks_like_html, to_text

MAX_DERIVED_TITLE = 300  # characters of a document's first line that stand for its title


def now_iso() -> str:
    """The current UTC time as raw posts carry it (`fetched_at`)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def raw_post(
    *, post_id: str | None, feed: str, url: str | None, title: str | None, content: str, fetched_at: str | None,
    origin: str, published: str | None = None, updated: str | None = None, labels: Iterable[str] = (),
) -> dict[str, Any]:
    """One raw post; its text, content type and version hash are derived here, the same for every producer.

    The version (`content_hash`) covers the title and the content. `title=None`
    is a post without a title of its own (a local document): its first line
    stands for one and, already part of the content, stays out of the hash.
    Without `post_id` a post is known by its URL, else by its hash.
    """
    digest = content_hash(title or "", content)
    text = to_text(content)
    if title is None:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")[:MAX_DERIVED_TITLE]
    return {
        "schema_version": SCHEMA_VERSION,
        "post_id": post_id or url or f"sha256:{digest}",
        "feed": feed,
        "url": url,
        "title": title,
        "published": published,
        "updated": updated,
        "labels": [label for label in labels if label],
        "content": content,
        "content_type": "html" if looks_like_html(content) else "text",
        "text": text,
        "content_hash": digest,
        "fetched_at": fetched_at,
        "origin": origin,
    }


def document_post(
    path: str, content: str, *, feed: str = "file", title: str | None = "", fetched_at: str | None = None,
) -> dict[str, Any]:
    """A local document (`-`: stdin) as a raw post keyed by its path, so `jikenbo parse` and `jikenbo ingest`
    see the same post for the same file; history, hence origin "backfill"."""
    stdin = path == "-"
    return raw_post(
        post_id=f"stdin:{content_hash('', content)}" if stdin else f"file:{path}",
        feed=feed, url=None if stdin else Path(path).resolve().as_uri(), title=title, content=content,
        fetched_at=fetched_at, origin="backfill",
    )
