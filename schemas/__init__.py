"""The message contracts: JSON Schema files and the taxonomies.

Other programs read these files directly; jikenbo loads them here to validate
what it publishes (in tests) and what users write (subscriptions).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

import fastjsonschema

SCHEMA_DIR = Path(__file__).resolve().parent
SCHEMA_VERSION = 1  # raw posts, alerts and dead letters
INCIDENT_SCHEMA_VERSION = 2  # 2: `evidence`, why each field has its value
KINDS = ("raw_post", "incident", "alert", "subscription")


@functools.cache
def schema(kind: str) -> dict[str, Any]:
    """The parsed JSON Schema for one message kind."""
    if kind not in KINDS:
        raise KeyError(f"unknown schema {kind!r}; expected one of {KINDS}")
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator(kind: str) -> Callable[[Any], Any]:
    """A compiled validator; raises `fastjsonschema.JsonSchemaException`."""
    return fastjsonschema.compile(schema(kind), formats={"date-time": r"^\d{4}-\d{2}-\d{2}T"})


def validate(kind: str, message: Any) -> None:
    """Raise `fastjsonschema.JsonSchemaException` if `message` breaks the contract."""
    validator(kind)(message)


@functools.cache
def taxonomies() -> dict[str, Any]:
    """Sector and incident-type codes with their Japanese labels."""
    return json.loads((SCHEMA_DIR / "taxonomies.json").read_text(encoding="utf-8"))
