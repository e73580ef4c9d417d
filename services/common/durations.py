"""Human durations such as "5m", "90s", "1h30m" used in the configuration."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: str | int | float) -> float:
    """Return seconds for "5m", "1h30m", "45s", "250ms" or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '5m', got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"expected a duration of zero or more seconds, got {value!r}")
        return float(value)
    text = value.strip().lower().replace(" ", "")
    if not text:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        if _NUMBER.fullmatch(text):  # a bare number of seconds, written plainly ("90", "1.5"; not "1e3" or "nan")
            return float(text)
        raise ValueError(f"expected a duration such as '5m', '90s' or '1h30m', got {value!r}")
    return total


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError(f"must be longer than zero, got {seconds:g}s")
    return seconds


# Field types of the configuration models: the syntax above, zero allowed or not.
Duration = Annotated[float, BeforeValidator(parse_duration)]
PositiveDuration = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]
