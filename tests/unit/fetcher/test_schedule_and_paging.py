"""Pure decisions: when to poll next, which page comes next, whether a push is genuine."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import datetime, timedelta, timezone

from services.common.config import FeedConfig
from services.fetcher.backfill import first_page_url, in_window, next_page_url, reached_since
from services.fetcher.feeds import ParsedFeed
from services.fetcher.schedule import adaptive_interval, backoff_delay, retry_after_delay
from services.fetcher.state import WebSubLease
from services.fetcher.websub import needs_renewal, signature_ok

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def stamps(*hours_ago: float) -> list[str]:
    return [(NOW - timedelta(hours=h)).isoformat().replace("+00:00", "Z") for h in hours_ago]


def test_busy_feed_is_polled_faster_within_the_lower_bound() -> None:
    interval = adaptive_interval(stamps(0, 0.05, 0.1, 0.15), NOW.timestamp(), 300, (60, 1200))
    assert interval == 60


def test_daily_feed_slows_down_to_the_upper_bound() -> None:
    interval = adaptive_interval(stamps(1, 25, 49, 73), NOW.timestamp(), 300, (150, 1200))
    assert interval == 1200


def test_feed_posting_every_two_hours_is_polled_every_half_hour() -> None:
    interval = adaptive_interval(stamps(0, 2, 4, 6), NOW.timestamp(), 300, (60, 7200))
    assert interval == 1800


def test_undated_feed_keeps_its_configured_interval() -> None:
    assert adaptive_interval([None, None], NOW.timestamp(), 300, (150, 1200)) == 300


def test_default_bounds_follow_the_interval() -> None:
    assert FeedConfig(name="f", url="http://x", interval=300).interval_bounds == (150, 1200)
    assert FeedConfig(name="f", url="http://x", interval=300, min_interval=30, max_interval=60).interval_bounds == (30, 60)


def test_backoff_grows_is_jittered_and_capped() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(errors, 3600, rng) for errors in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60
    assert all(d <= 3600 for d in delays) and delays[-1] >= 1800
    assert retry_after_delay(0) == 1 and retry_after_delay(10**9) == 86400


def page(posts: int, links: dict[str, str] | None = None, feed_id: str | None = None, generator: str | None = None) -> ParsedFeed:
    return ParsedFeed(title="t", posts=[{"published": None}] * posts, links=links or {}, feed_id=feed_id, generator=generator)


def test_next_link_wins_even_on_another_host() -> None:
    link = "https://www.blogger.com/feeds/1/posts/default?start-index=26&max-results=25"
    assert next_page_url(page(25, {"next": link}), "https://blog.example/feeds/posts/default") == link


def test_rfc5005_prev_archive_is_followed() -> None:
    assert next_page_url(page(3, {"prev-archive": "https://x/2024.xml"}), "https://x/feed") == "https://x/2024.xml"


def test_blogger_pages_by_start_index_without_next_links() -> None:
    url = "https://b.blogspot.com/feeds/posts/default?max-results=2"
    following = next_page_url(page(2, feed_id="tag:blogger.com,1999:blog-1"), url)
    assert following == "https://b.blogspot.com/feeds/posts/default?max-results=2&start-index=3"
    assert next_page_url(page(1, feed_id="tag:blogger.com,1999:blog-1"), following) is None
    assert first_page_url("https://b.blogspot.com/feeds/posts/default") == "https://b.blogspot.com/feeds/posts/default?max-results=150"


def test_wordpress_pages_by_paged_until_empty() -> None:
    wp = "https://wordpress.org/?v=6.4"
    assert next_page_url(page(10, generator=wp), "https://x/feed/") == "https://x/feed/?paged=2"
    assert next_page_url(page(10, generator=wp), "https://x/feed/?paged=2") == "https://x/feed/?paged=3"
    assert next_page_url(page(0, generator=wp), "https://x/feed/?paged=3") is None


def test_since_and_until_bound_the_window() -> None:
    posts = [{"published": p} for p in stamps(1, 48, 96)]
    since, until = NOW - timedelta(hours=72), NOW - timedelta(hours=24)
    assert in_window(posts, since, until) == [posts[1]]
    assert reached_since(posts, since) and not reached_since(posts[:2], since)


def test_signature_checks_sha1_and_sha256() -> None:
    body = b"<feed/>"
    for name, digest in (("sha1", hashlib.sha1), ("sha256", hashlib.sha256)):
        good = f"{name}=" + hmac.new(b"s3cret", body, digest).hexdigest()
        assert signature_ok("s3cret", body, good)
        assert not signature_ok("other", body, good)
        assert not signature_ok("s3cret", body + b" ", good)
    assert not signature_ok("s3cret", body, None) and not signature_ok("s3cret", body, "md5=abc")


def test_subscription_is_renewed_before_the_lease_ends() -> None:
    lease = 10 * 86400.0
    now = NOW.timestamp()
    current = WebSubLease("f", "https://hub", "https://t", "s", verified=True, lease_expires=now + 5 * 86400, requested_at=now)
    assert not needs_renewal(current, "https://hub", "https://t", now, lease)
    assert needs_renewal(current, "https://hub", "https://t", now + 4.5 * 86400, lease)
    assert needs_renewal(current, "https://other-hub", "https://t", now, lease)
    assert needs_renewal(None, "https://hub", "https://t", now, lease)
