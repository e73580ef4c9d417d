"""Dictionaries and taxonomies, loaded once per process.

Vocabularies live in ``services/parser/data/*.toml`` so an analyst can extend them
without touching Python; the taxonomy codes come from ``schemas/taxonomies.json``,
the single source of truth shared with the alerter and the schemas, read
through `schemas.taxonomies`.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from services.common.dictionary import Dictionary

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def data(name: str) -> dict[str, Any]:
    """One TOML file from the data directory, parsed."""
    with (DATA_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def automaton(entries: dict[str, list[str]], *, lower: bool = False) -> Dictionary[tuple[str, str]]:
    """A dictionary mapping each alias to (canonical, alias)."""
    words: dict[str, tuple[str, str]] = {}
    for canonical, aliases in entries.items():
        for alias in aliases:
            key = alias.lower() if lower else alias
            words.setdefault(key, (canonical, alias))
    return Dictionary(words)
