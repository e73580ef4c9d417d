"""Raw post -> incident messages, or a dead-letter record: the agent's pure core.

`jikenbo parse` and the Faust agent both call `incidents_from_post`, so the
offline tool and the service can never disagree.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from schemas import INCIDENT_SCHEMA_VERSION, SCHEMA_VERSION
from services.common import serde
from services.parser.core import PARSER_VERSION, parse_post

_REASON_LIMIT = 2000


@dataclass
class Handled:
    """The outcome of one raw post: incidents to publish, or why it failed."""

    incidents: list[dict[str, Any]] = field(default_factory=list)
    dead_letter: dict[str, Any] | None = None


def post_source(post: dict[str, Any]) -> dict[str, Any]:
    """The `source` block every incident carries back to its post."""
    return {
        "feed": post.get("feed"),
        "url": post.get("url"),
        "post_id": post.get("post_id"),
        "published": post.get("published"),
        "content_hash": post.get("content_hash"),
        "origin": post.get("origin"),
        "fetched_at": post.get("fetched_at"),
    }


def incidents_from_post(post: dict[str, Any], include_non_incidents: bool = False) -> list[dict[str, Any]]:
    """Split and extract one raw post (schemas/raw_post.schema.json)."""
    text = post.get("text")
    if not isinstance(text, str):
        raise ValueError("raw post has no 'text' field")
    results = parse_post(
        text, title=post.get("title") or None, source=post_source(post), include_non_incidents=include_non_incidents
    )
    for result in results:
        if result.get("kind", "incident") == "incident":
            result["schema_version"] = INCIDENT_SCHEMA_VERSION
    return results


def handle_raw(value: bytes) -> Handled:
    """Decode and parse one message from the raw-posts topic; never raises."""
    try:
        post = serde.loads(value)
        if not isinstance(post, dict):
            raise ValueError(f"expected a JSON object, got {type(post).__name__}")
    except ValueError as exc:
        return Handled(dead_letter=dead_letter(f"undecodable message: {exc}", exc, raw=value))
    try:
        return Handled(incidents=incidents_from_post(post))
    except Exception as exc:  # any failure of one post must not stop the stream
        return Handled(dead_letter=dead_letter(f"parser failed: {exc.__class__.__name__}: {exc}", exc, post=post))


def dead_letter(reason: str, exc: BaseException, post: Any = None, raw: bytes | None = None) -> dict[str, Any]:
    """A dead-letter record: the reason and everything needed to replay the post."""
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "service": "parser",
        "parser_version": PARSER_VERSION,
        "reason": reason[:_REASON_LIMIT],
        "error_type": exc.__class__.__name__,
        "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "post": post,
    }
    if raw is not None:
        record["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return record
