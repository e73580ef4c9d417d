"""Dictionaries and taxonomies, loaded once per process.

Vocabularies live in ``services/parser/data/*.toml`` so an analyst can extend them
without touching Python; the taxonomy codes come from ``schemas/taxonomies.json``,
the single source of truth shared with the alerter and the schemas.
"""

from __future__ import annotations

import functools
import json
import tomllib
from pathlib import Path
from typing import Any

from services.common.dictionary import Dictionary

DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMIES = Path(__file__).resolve().parents[2] / "schemas" / "taxonomies.json"


@functools.cache
def data(name: str) -> dict[str, Any]:
    """One TOML file from the data directory, parsed."""
    with (DATA_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def taxonomies() -> dict[str, Any]:
    """Sector codes, incident-type codes and the data-type vocabulary."""
    return json.loads(TAXONOMIES.read_text(encoding="utf-8"))


def automaton(entries: dict[str, list[str]], *, lower: bool = False) -> Dictionary[tuple[str, str]]:
    """A dictionary mapping each alias to (canonical, alias)."""
    words: dict[str, tuple[str, str]] = {}
    for canonical, aliases in entries.items():
        for alias in aliases:
            key = alias.lower() if lower else alias
            words.setdefault(key, (canonical, alias))
    return Dictionary(words)
