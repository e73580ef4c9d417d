"""The parser's configuration: `[parser]`, limits that keep one hostile or pathological post from stalling it.

A dataclass the parser uses and the declarative model services.common.config
validates `[parser]` and `$JIKENBO_PARSER_*` against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import ConfigDict, Field, with_config

from services.common.durations import PositiveDuration


@with_config(ConfigDict(extra="forbid", allow_inf_nan=False))
@dataclass(frozen=True)
class ParserConfig:
    """DESIGN.md section 5: what one post may cost."""

    max_post_chars: Annotated[int, Field(ge=1000)] = 1_000_000  # longer post texts are dead-lettered, not parsed
    post_deadline: PositiveDuration = 10.0  # seconds of parsing one post may take before it is dead-lettered
    max_incidents: Annotated[int, Field(ge=1)] = 100  # incidents published per post; the excess is reported in a dead letter
