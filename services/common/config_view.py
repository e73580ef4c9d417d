"""The effective configuration as TOML, each key with where its value came from (`jikenbo config show`).

Secrets (pydantic `SecretStr` fields: the SASL password, a Slack URL written
in the file) are masked; the names of variables and files holding secrets are
shown, since they are not secret.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator, Mapping

from pydantic import BaseModel, SecretStr

from services.common.config import locate_line

MASK = "********"


def values(section: Any) -> dict[str, Any]:
    """A validated section's keys and values, as written in the file."""
    if isinstance(section, BaseModel):
        return section.model_dump(by_alias=True)
    return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}


def render_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return json.dumps(MASK)
    if isinstance(value, dict):  # a TOML inline table
        return "{ " + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {render_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, default=str)


def source_of(key: str, table: str, index: int | None, raw: Mapping[str, Any], sources: Mapping[str, str],
              name: str, text: str) -> str:
    """`$VARIABLE`, `file:line` or `default`."""
    if index is None and f"{table}.{key}" in sources:
        return sources[f"{table}.{key}"]
    entry: Any = raw
    for part in table.split("."):
        entry = entry.get(part, {}) if isinstance(entry, dict) else {}
    if index is not None:
        entry = entry[index] if isinstance(entry, list) and index < len(entry) else {}
    if isinstance(entry, dict) and key in entry:
        line = locate_line(text, table, index, key) if text else None
        return f"{name}:{line}" if line else name
    return "default"


def render(sections: Mapping[str, Any], raw: Mapping[str, Any], sources: Mapping[str, str], name: str, text: str) -> Iterator[str]:
    """TOML lines: `[section]`, then `key = value  # source`; an unset key is shown commented out."""
    for table, section in sections.items():
        entries = list(enumerate(section)) if isinstance(section, (list, tuple)) else [(None, section)]
        for index, item in entries:
            yield f"\n[[{table}]]" if index is not None else f"\n[{table}]"
            for key, value in values(item).items():
                origin = source_of(key, table, index, raw, sources, name, text)
                if table == "feeds" and "JIKENBO_FEEDS" in sources:
                    origin = sources["JIKENBO_FEEDS"]
                line = f"# {key} = (unset)" if value is None else f"{key} = {render_value(value)}"
                yield f"{line:<48} # {origin}"


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The `section.key`s whose values differ between two sets of validated sections (secrets compared, never shown)."""
    keys = []
    for table in dict.fromkeys([*old, *new]):
        before, after = old.get(table), new.get(table)
        if isinstance(before, (list, tuple)) or isinstance(after, (list, tuple)) or before is None or after is None:
            if before != after:
                keys.append(table)
            continue
        was, now = values(before), values(after)
        keys += [f"{table}.{key}" for key in dict.fromkeys([*was, *now]) if _plain(was.get(key)) != _plain(now.get(key))]
    return keys


def _plain(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value
