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
from services.common.config import ParserConfig
from services.parser.core import PARSER_VERSION, parse_post
from services.parser.deadline import PostRefused, deadline

_REASON_LIMIT = 2000


@dataclass
class Handled:
    """The outcome of one raw post: incidents to publish, and why it failed in part or in whole."""

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


def incidents_from_post(post: dict[str, Any], include_non_incidents: bool = False,
                        limits: ParserConfig = ParserConfig()) -> list[dict[str, Any]]:
    """Split and extract one raw post (schemas/raw_post.schema.json); `PostRefused`
    when its text is over `limits.max_post_chars` or parsing overruns `limits.post_deadline`."""
    text = post.get("text")
    if not isinstance(text, str):
        raise ValueError("raw post has no 'text' field")
    if len(text) > limits.max_post_chars:
        raise PostRefused(f"post text is {len(text):,} characters, over parser.max_post_chars "
                          f"({limits.max_post_chars:,}); not parsed")
    with deadline(limits.post_deadline):
        results = parse_post(
            text, title=post.get("title") or None, source=post_source(post), include_non_incidents=include_non_incidents
        )
    for result in results:
        if result.get("kind", "incident") == "incident":
            result["schema_version"] = INCIDENT_SCHEMA_VERSION
    return results


def handle_raw(value: bytes, limits: ParserConfig = ParserConfig()) -> Handled:
    """Decode and parse one message from the raw-posts topic; never raises.

    A post over the limits is dead-lettered with the reason. One that yields more than
    `limits.max_incidents` incidents publishes the first ones and is dead-lettered too,
    so the excess is on record (and can be replayed) instead of paging every subscriber."""
    try:
        post = serde.loads(value)
        if not isinstance(post, dict):
            raise ValueError(f"expected a JSON object, got {type(post).__name__}")
    except ValueError as exc:
        return Handled(dead_letter=dead_letter(f"undecodable message: {exc}", exc, raw=value))
    try:
        incidents = incidents_from_post(post, limits=limits)
    except PostRefused as exc:
        return Handled(dead_letter=dead_letter(str(exc), exc, post=post))
    except Exception as exc:  # any failure of one post must not stop the stream
        return Handled(dead_letter=dead_letter(f"parser failed: {exc.__class__.__name__}: {exc}", exc, post=post))
    cap = limits.max_incidents
    if len(incidents) > cap:
        reason = (f"post produced {len(incidents)} incidents, over parser.max_incidents ({cap}): "
                  f"the first {cap} were published, the other {len(incidents) - cap} were not")
        return Handled(incidents=incidents[:cap], dead_letter=dead_letter(reason, PostRefused(reason), post=post))
    return Handled(incidents=incidents)


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
