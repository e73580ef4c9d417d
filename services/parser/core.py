"""The parser's public entry point: one raw post in, incidents out.

Pure and synchronous: the Faust agent (``agent.py``) and ``jikenbo parse`` both
call `parse_post`, so the service and the offline tool cannot disagree.
"""

from __future__ import annotations


from services.parser import names
from services.parser.extract import PARSER_VERSION, extract, incident_id
from services.parser.fields.counts import parse_count
from services.parser.fields.dates import parse_date
from services.parser.normalize import compact, normalize
from services.parser.split import Segment, split

__all__ = ["PARSER_VERSION", "parse_post", "split", "extract", "parse_date", "parse_count", "incident_id", "Segment"]


def _with_title(text: str, title: str | None) -> str:
    """The post as the blog shows it: the feed title is the header line, and the
    content often does not repeat it."""
    if not title or not title.strip():
        return text
    wanted = compact(normalize(title))
    if compact(normalize(text[: len(title) * 2 + 200])).startswith(wanted):
        return text
    return title.strip() + "\n\n" + text


def parse_post(text: str, *, title: str | None = None, source: dict | None = None,
               include_non_incidents: bool = False) -> list[dict]:
    """Split one raw post (plain text, paragraphs separated by blank lines) into incidents.

    `title` is the feed entry title (on the blog, the header line itself); when the
    text does not start with it, the post is title + blank line + text. `source` is
    copied into each result as given. With include_non_incidents=True, non-incident
    segments are returned too as {"kind": "non_incident", "title", "reason", "body"},
    all in text order.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    results = []
    with names.memo():
        for segment in split(_with_title(text, title)):
            if segment.kind != "incident" and not include_non_incidents:
                continue
            results.append(extract(segment, source))
    return results
