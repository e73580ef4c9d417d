"""HTML from the templates in `data/`, with autoescaping on: text from posts is always text, never markup.

Links from incidents (the source URL) are kept only when they are http(s), so
a post cannot smuggle a `javascript:` link into the page either.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import orjson

from schemas import taxonomies

DATA_DIR = Path(__file__).resolve().parent / "data"


def web_url(value: object) -> str | None:
    """The URL if it is http or https, else None (rendered as plain text)."""
    if not isinstance(value, str):
        return None
    try:
        return value if urlsplit(value).scheme.lower() in ("http", "https") else None
    except ValueError:
        return None


def number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else ("–" if value is None else str(value))


def as_json(value: object) -> str:
    """Compact JSON of a value for display (e.g. the old and new value of a change)."""
    return orjson.dumps(value).decode("utf-8")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(DATA_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    labels = taxonomies()
    env.globals.update(sector_labels=labels["sectors"], type_labels=labels["incident_types"])
    env.filters.update(web_url=web_url, number=number, as_json=as_json)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def static_file(name: str) -> bytes:
    """A file the pages load (stylesheet, script): only the names the routes list."""
    return (DATA_DIR / name).read_bytes()
