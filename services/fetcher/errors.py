"""Fetch and feed errors: values with a message stored on the feed and logged as one line."""

from __future__ import annotations

from services.common.errors import JikenboError


class FetchError(JikenboError):
    """A poll failed; `retry_after` (seconds) is set when the server asked for a pause."""

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class TooLarge(FetchError):
    """The response exceeded the size cap; the poll is abandoned."""


class RateLimited(FetchError):
    """429 or 503: the server told us to come back later."""


class RefusedAddress(FetchError):
    """The host is, or resolves only to, addresses that are not globally routable (services.fetcher.addresses)."""


class FeedError(JikenboError):
    """The body could not be read as a feed at all (not even partly)."""

