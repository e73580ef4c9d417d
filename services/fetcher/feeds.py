"""Feed bytes -> raw posts. Knows nothing about HTTP (docs/ARCHITECTURE.md, "Conventions").

Two parsers give the same raw posts. Well-formed XML whose encoding is not in
doubt goes through fastfeedparser (lxml, no entity expansion): on a 1.4 MB
Blogger feed it takes ~6 ms where feedparser takes ~470 ms
(bench/fetch.py, tests/unit/fetcher/test_parse_paths.py). Anything else, a
broken feed or a header charset that disagrees with the prolog, goes through
feedparser, given the raw bytes plus the response headers so that Shift_JIS
and EUC-JP decode from whichever of the two declares the charset.

Neither parser sees a DTD or an entity declaration (services.fetcher.xml_guard),
feedparser runs in a process of its own with a time and memory budget
(services.fetcher.fallback), and what parsing produced is checked against the
size of the body (docs/ARCHITECTURE.md, "Conventions").
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

import fastfeedparser
import feedparser
from lxml import etree

from schemas.raw_post import now_iso, raw_post
from services.fetcher.errors import FeedError
from services.fetcher.fallback import parse_bounded
from services.fetcher.xml_guard import defuse

_HTML_PAGE = re.compile(rb"^\s*(?:<!DOCTYPE\s+html|<html)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", re.IGNORECASE)
_TOTAL_RESULTS = re.compile(rb"<(?:[A-Za-z]+:)?totalResults>\s*(\d+)\s*<", re.IGNORECASE)
_ATOM = "{http://www.w3.org/2005/Atom}"
_TOTAL_SCAN = 64 * 1024  # openSearch totalResults sits in the feed's head
# What parsing may produce from a body of n bytes: every post's content, text and title come
# from the body, once each, so more than this means expansion the guard failed to stop.
_OUTPUT_FACTOR, _OUTPUT_SLACK = 4, 1024 * 1024
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


@dataclass
class ParsedFeed:
    """Entries of one feed document plus what is needed to page, to push and to warn."""

    title: str | None
    posts: list[dict[str, Any]]
    warning: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # rel -> href: next, prev-archive, hub, self
    feed_id: str | None = None
    generator: str | None = None
    total: int | None = None  # openSearch totalResults, when the feed says (Blogger does)
    parser: str = "fast"  # "fast" or "feedparser"


def utc_iso(struct: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601 with a Z."""
    if not struct:
        return None
    return datetime.fromtimestamp(calendar.timegm(struct), timezone.utc).isoformat().replace("+00:00", "Z")


def parse_feed(body: bytes, headers: Mapping[str, str] | None, feed_name: str, origin: str = "live") -> ParsedFeed:
    """Parse one feed document into raw-post messages (schemas/raw_post.schema.json)."""
    if not body.strip():
        raise FeedError("empty response body; expected a feed")
    if _HTML_PAGE.match(body[:4096]):
        raise FeedError("got an HTML page, not a feed; check the feed URL")
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    charset = _CHARSET.search(lowered.get("content-type", ""))
    body, transcoded = defuse(body, charset.group(1) if charset else None)
    if transcoded:  # now UTF-8 whatever the header said
        lowered["content-type"] = _CHARSET.sub("charset=utf-8", lowered["content-type"]) if charset else lowered.get("content-type", "")
    fetched_at = now_iso()
    utf8 = as_utf8(body, lowered.get("content-type", ""))
    parsed = parse_fast(utf8, feed_name, origin, fetched_at) if utf8 is not None else None
    if parsed is None:
        parsed = parse_bounded(body, lowered, feed_name, origin, fetched_at)
    produced = sum(len(post["content"]) + len(post["text"]) + len(post["title"]) for post in parsed.posts)
    if produced > _OUTPUT_FACTOR * len(body) + _OUTPUT_SLACK:
        raise FeedError(f"parsing a {len(body):,}-byte feed produced {produced:,} characters of posts; refused")
    return parsed


def as_utf8(body: bytes, content_type: str) -> bytes | None:
    """The body re-encoded as UTF-8 when its encoding is certain, else None.

    Certain means the header charset and the XML prolog agree, or only one
    of them speaks. A disagreement is left to feedparser, which knows the
    precedence rules (and warns).
    """
    header = _CHARSET.search(content_type)
    prolog = _XML_ENCODING.match(body[:200].removeprefix(codecs.BOM_UTF8))
    names = {_codec(header.group(1)) if header else None, _codec(prolog.group(1).decode("ascii")) if prolog else None} - {None}
    if len(names) > 1 or "" in names:
        return None
    encoding = names.pop() if names else "utf-8"
    if encoding == "utf-8":
        return body
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    if prolog:
        text = text[: prolog.start(1)] + "utf-8" + text[prolog.end(1) :]
    return text.encode("utf-8")


def _codec(name: str) -> str:
    """A normalised codec name ("" if unknown), so that 'Shift_JIS' equals 'sjis'."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def parse_fast(body: bytes, feed_name: str, origin: str, fetched_at: str) -> ParsedFeed | None:
    """The lxml path for well-formed UTF-8 feeds; None sends the document to feedparser."""
    try:
        root = etree.fromstring(body, parser=_STRICT)
    except etree.XMLSyntaxError:
        return None
    local = etree.QName(root).localname.lower()
    if local == "html":
        raise FeedError("got an HTML page, not a feed; check the feed URL")
    if local not in ("feed", "rss", "rdf"):
        return None
    try:
        parsed = fastfeedparser.parse(body)
    except ValueError:
        return None
    posts = []
    for entry in parsed.entries:
        post = fast_entry_to_post(entry, feed_name, origin, fetched_at)
        if post is None:
            return None
        posts.append(post)
    channel = root.find("channel") if local == "rss" else root
    links = _tree_links(channel if channel is not None else root)
    generator = root.findtext(f"{_ATOM}generator") if local == "feed" else (channel.findtext("generator") if channel is not None else None)
    feed_id = root.findtext(f"{_ATOM}id") if local == "feed" else None
    return ParsedFeed(
        title=parsed.feed.get("title"), posts=posts, links=links, feed_id=feed_id,
        generator=generator, total=_total(body), parser="fast",
    )


def _tree_links(node: Any) -> dict[str, str]:
    """Feed-level links (Atom, or atom:link inside an RSS channel) by rel."""
    links: dict[str, str] = {}
    for link in node.findall(f"{_ATOM}link"):
        rel, href = link.get("rel", "alternate"), link.get("href")
        if href and rel not in links:
            links[rel] = href.strip()
    return links


def _total(body: bytes) -> int | None:
    match = _TOTAL_RESULTS.search(body, 0, _TOTAL_SCAN)
    return int(match.group(1)) if match else None


def fast_entry_to_post(entry: Mapping[str, Any], feed_name: str, origin: str, fetched_at: str) -> dict[str, Any] | None:
    """One fastfeedparser entry as a raw post; None when a date needs feedparser's leniency."""
    try:
        published = _iso_utc(entry.get("published"))
        updated = _iso_utc(entry.get("updated"))
    except ValueError:
        return None
    contents = entry.get("content") or []
    if contents:
        body = max((c.get("value") or "" for c in contents), key=len)
    else:
        body = entry.get("description") or ""
    return raw_post(
        post_id=entry.get("id"), url=entry.get("link"), title=entry.get("title") or "", content=body,
        published=published, updated=updated,
        labels=[tag.get("term") or "" for tag in entry.get("tags") or []],
        feed=feed_name, origin=origin, fetched_at=fetched_at,
    )


def _iso_utc(value: str | None) -> str | None:
    """fastfeedparser's ISO date as second-precision UTC with a Z, as feedparser gives it."""
    if not value:
        return None
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_slow(body: bytes, headers: Mapping[str, str], feed_name: str, origin: str, fetched_at: str) -> ParsedFeed:
    """feedparser, for broken feeds and undecided encodings: recovers what it can."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers=dict(headers), sanitize_html=False, resolve_relative_uris=False)
    warning = None
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        if not parsed.entries and not parsed.feed.get("title"):
            raise FeedError(f"not a readable feed: {exc}")
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            warning = f"malformed feed, {len(parsed.entries)} entries recovered: {exc}"
    posts = [entry_to_post(entry, feed_name, origin, fetched_at) for entry in parsed.entries]
    links: dict[str, str] = {}
    for link in parsed.feed.get("links", []):
        if link.get("href") and link.get("rel", "alternate") not in links:
            links[link.get("rel", "alternate")] = link["href"]
    total = parsed.feed.get("opensearch_totalresults")
    return ParsedFeed(
        title=parsed.feed.get("title"), posts=posts, warning=warning, links=links,
        feed_id=parsed.feed.get("id"), generator=parsed.feed.get("generator"),
        total=int(total) if str(total or "").isdigit() else None, parser="feedparser",
    )


def entry_to_post(entry: Any, feed_name: str, origin: str, fetched_at: str) -> dict[str, Any]:
    """One feedparser entry as a raw-post message; the full content wins over the summary.

    `updated` is read past feedparser's deprecated fallback to `published`,
    so that both paths leave it empty when the entry has none.
    """
    contents = entry.get("content") or []
    if contents:
        body = max((c.get("value", "") for c in contents), key=len)
    else:
        body = entry.get("summary", "") or ""
    return raw_post(
        post_id=entry.get("id"), url=entry.get("link"), title=entry.get("title", "") or "", content=body,
        published=utc_iso(entry.get("published_parsed")), updated=utc_iso(dict.get(entry, "updated_parsed")),
        labels=[tag.get("term", "") for tag in entry.get("tags", [])],
        feed=feed_name, origin=origin, fetched_at=fetched_at,
    )
