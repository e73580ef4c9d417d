"""The fetcher's configuration: `[fetcher]` and each `[[feeds]]` entry.

The dataclasses are what the fetcher uses and the declarative models the
loader (services.common.config) validates the file and environment against:
the annotations carry the ranges, `extra="forbid"` refuses a mistyped key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, with_config

from services.common.durations import Duration, PositiveDuration

STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


def http_url(url: str) -> str:
    if not re.match(r"https?://", url):
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    return url


HttpUrl = Annotated[str, AfterValidator(http_url)]


@with_config(STRICT)
@dataclass(frozen=True)
class FeedConfig:
    """One feed to follow."""

    name: str
    url: HttpUrl
    interval: PositiveDuration = 300.0
    labels: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    min_interval: PositiveDuration | None = None  # bounds of the adaptive interval; None: interval / 2 (at least 60 s)
    max_interval: PositiveDuration | None = None  # None: interval * 4
    push: bool = True  # subscribe to the feed's WebSub hub when fetcher.websub_callback_url is set

    @property
    def interval_bounds(self) -> tuple[float, float]:
        """(shortest, longest) interval the adaptive schedule may choose."""
        low = self.min_interval if self.min_interval is not None else min(self.interval, max(60.0, self.interval / 2))
        high = self.max_interval if self.max_interval is not None else self.interval * 4
        return low, max(low, high)


@with_config(STRICT)
@dataclass(frozen=True)
class FetcherConfig:
    """Fetcher-wide settings; per-feed settings live in `FeedConfig`."""

    allow_private_networks: bool = False
    max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    connect_timeout: PositiveDuration = 10.0
    read_timeout: PositiveDuration = 30.0
    total_timeout: PositiveDuration = 60.0
    max_redirects: Annotated[int, Field(ge=0)] = 5
    max_backoff: PositiveDuration = 3600.0
    contact_url: str = "https://github.com/jikenbo/jikenbo"
    max_connections: Annotated[int, Field(ge=1)] = 100
    per_host_concurrency: Annotated[int, Field(ge=1)] = 2
    per_host_delay: Duration = 1.0  # seconds between the starts of two requests to one host
    websub_callback_url: HttpUrl | None = None  # public base URL the hub calls back; unset: no push
    websub_listen: str = "127.0.0.1:8089"  # where the callback server listens
    websub_lease: PositiveDuration = 10 * 86400.0  # lease asked of the hub; renewed before it ends
