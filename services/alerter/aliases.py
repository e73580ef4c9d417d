"""Vendor and organisation aliases (`NTT Com` = `NTTコミュニケーションズ`).

The groups live in `data/aliases.toml` (and the product spellings in the
parser's `data/vendors.toml`) so an analyst can extend them without touching Python. A subscription's name is expanded to the normalised keys of
its whole group; incidents are never rewritten.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from services.common.names import normalize_name
from services.parser.resources import data as parser_data

ALIASES_FILE = Path(__file__).resolve().parent / "data" / "aliases.toml"


@functools.cache
def alias_groups(path: Path = ALIASES_FILE) -> dict[str, tuple[str, ...]]:
    """Normalised name -> the normalised keys of its group (itself included).

    The parser reports a product as the text writes it ("ワードプレス", "Office 365"),
    so the product spellings it knows (services/parser/data/vendors.toml) are
    groups too: a subscription to "WordPress" matches an incident naming ワードプレス."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = [entry["names"] for entry in data.get("alias", [])]
    entries += [[canonical, *aliases] for canonical, aliases in parser_data("vendors")["vendors"].items()]
    groups: dict[str, tuple[str, ...]] = {}
    for names in entries:
        keys = tuple(dict.fromkeys(k for k in (normalize_name(n) for n in names) if k))
        for key in keys:
            groups[key] = tuple(dict.fromkeys(groups.get(key, ()) + keys))
    return groups


def name_keys(name: str) -> tuple[str, ...]:
    """The keys a subscribed name matches: its own normalised form and its aliases'."""
    key = normalize_name(name)
    return alias_groups().get(key, (key,)) if key else ()
