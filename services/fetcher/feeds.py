"""Feed bytes -> raw posts. Knows nothing about HTTP (STYLE.md).

feedparser does the decoding: it is given the raw bytes plus the response
headers so that Shift_JIS and EUC-JP feeds decode from whichever of the
header or the XML prolog declares the charset. It does not guard against
entity expansion, so bodies that declare entities are refused before it
sees them (DESIGN.md section 5).
"""

from __future__ import annotations

import calendar
import io
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

import feedparser

from schemas import SCHEMA_VERSION
from services.common.text import content_hash, looks_like_html, to_text
from services.fetcher.errors import FeedError

_ENTITY_DECL = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[", re.IGNORECASE)
_HTML_PAGE = re.compile(rb"^\s*(?:<!DOCTYPE\s+html|<html)", re.IGNORECASE)
_PROLOG_SCAN = 4096


@dataclass
class ParsedFeed:
    """Entries of one feed document plus what is needed to page and to warn."""

    title: str | None
    posts: list[dict[str, Any]]
    warning: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # rel -> href: next, prev-archive, hub, self


def utc_iso(struct: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601 with a Z."""
    if not struct:
        return None
    return datetime.fromtimestamp(calendar.timegm(struct), timezone.utc).isoformat().replace("+00:00", "Z")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def refuse_dangerous(body: bytes) -> None:
    """Reject entity declarations (billion laughs, XXE) and HTML pages served as feeds."""
    head = body[: _PROLOG_SCAN * 4]
    if _ENTITY_DECL.search(head):
        raise FeedError("feed declares XML entities (DOCTYPE with an internal subset); refused to protect memory")
    if _HTML_PAGE.match(body[:_PROLOG_SCAN]):
        raise FeedError("got an HTML page, not a feed; check the feed URL")


def parse_feed(body: bytes, headers: Mapping[str, str] | None, feed_name: str, origin: str = "live") -> ParsedFeed:
    """Parse one feed document into raw-post messages (schemas/raw_post.schema.json)."""
    if not body.strip():
        raise FeedError("empty response body; expected a feed")
    refuse_dangerous(body)
    parsed = feedparser.parse(io.BytesIO(body), response_headers={k.lower(): v for k, v in (headers or {}).items()}, sanitize_html=False)
    warning = None
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        if not parsed.entries and not parsed.feed.get("title"):
            raise FeedError(f"not a readable feed: {exc}")
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            warning = f"malformed feed, {len(parsed.entries)} entries recovered: {exc}"
    fetched_at = now_iso()
    posts = [entry_to_post(entry, feed_name, origin, fetched_at) for entry in parsed.entries]
    links = {link.get("rel", ""): link.get("href", "") for link in parsed.feed.get("links", []) if link.get("href")}
    return ParsedFeed(title=parsed.feed.get("title"), posts=posts, warning=warning, links=links)


def entry_to_post(entry: Any, feed_name: str, origin: str, fetched_at: str) -> dict[str, Any]:
    """One feedparser entry as a raw-post message; the full content wins over the summary."""
    contents = entry.get("content") or []
    if contents:
        body = max((c.get("value", "") for c in contents), key=len)
    else:
        body = entry.get("summary", "") or ""
    title = entry.get("title", "") or ""
    link = entry.get("link")
    digest = content_hash(title, body)
    post_id = entry.get("id") or link or f"sha256:{digest}"
    return {
        "schema_version": SCHEMA_VERSION,
        "post_id": post_id,
        "feed": feed_name,
        "url": link,
        "title": title,
        "published": utc_iso(entry.get("published_parsed")),
        "updated": utc_iso(entry.get("updated_parsed")),
        "labels": [tag.get("term", "") for tag in entry.get("tags", []) if tag.get("term")],
        "content": body,
        "content_type": "html" if looks_like_html(body) else "text",
        "text": to_text(body),
        "content_hash": digest,
        "fetched_at": fetched_at,
        "origin": origin,
    }
