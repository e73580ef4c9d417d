"""Message (de)serialisation with orjson: one place, one format."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(message: Any) -> bytes:
    """Encode a message as UTF-8 JSON bytes (non-ASCII kept as is)."""
    return orjson.dumps(message)


def loads(data: bytes | str) -> Any:
    """Decode JSON bytes; raises `orjson.JSONDecodeError` (a ValueError)."""
    return orjson.loads(data)


def key(text: str) -> bytes:
    """Encode a message key."""
    return text.encode("utf-8")
