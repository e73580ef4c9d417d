"""Fetcher sub-commands of `jikenbo`: fetcher, backfill, ingest."""

from __future__ import annotations

import asyncio
import sys
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, AsyncIterator

import click

from services.common.cli_support import bootstrap, broker_option, config_option, load, service_options
from services.common.errors import UsageError

if TYPE_CHECKING:
    from services.common.config import Config
    from services.fetcher.settings import FeedConfig
    from services.fetcher.publisher import Publisher
    from services.fetcher.state import FetcherState


@click.command()
@config_option
@broker_option
@service_options
def fetcher(config_file: str | None) -> None:
    """Run only the fetcher: poll the configured feeds and publish raw posts.

    \b
    Examples:
      jikenbo fetcher -b kafka1:9092                 against a shared broker
      JIKENBO_LOG_FORMAT=json jikenbo fetcher --config /etc/jikenbo/jikenbo.toml
    """
    from services.common.runner import until_signalled
    from services.fetcher.agent import run_fetcher

    config = load(config_file)
    servers = bootstrap(config)
    asyncio.run(until_signalled(lambda: run_fetcher(config, servers)))


def resolve_feed(config: Config, feed: str) -> FeedConfig:
    """FEED is a configured feed's name or a feed URL."""
    for configured in config.feeds:
        if configured.name == feed:
            return configured
    if feed.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        from services.fetcher.settings import FeedConfig

        return FeedConfig(name=urlsplit(feed).hostname or "feed", url=feed)
    names = ", ".join(f.name for f in config.feeds) or "none"
    raise UsageError(f"{feed!r} is neither a configured feed ({names}) nor an http(s) URL")


@asynccontextmanager
async def pipeline(config: Config) -> AsyncIterator[tuple[Publisher, FetcherState]]:
    """A producer on the configured (or running embedded) broker and the fetcher state."""
    from services.common.kafka import ensure_pipeline_topics, make_producer
    from services.common.pipeline import FETCHER
    from services.common.topics import Topics
    from services.fetcher.publisher import Publisher
    from services.fetcher.state import FetcherState

    servers = bootstrap(config)
    await ensure_pipeline_topics(config, servers)
    state = FetcherState(FETCHER.state_path(config.state_dir))
    producer = make_producer(servers, f"{config.topic_prefix}-backfill", config.security)
    await producer.start()
    try:
        yield Publisher(producer, Topics(config.topic_prefix), state), state
    finally:
        await producer.stop()
        state.close()


@click.command()
@config_option
@broker_option
@click.argument("feed")
@click.option("--since", help="Stop at posts older than this date (YYYY-MM-DD or ISO timestamp, UTC).")
@click.option("--until", help="Skip posts newer than this date.")
@click.option("--max-posts", type=click.IntRange(min=1), help="Publish at most this many posts.")
@click.option("--restart", is_flag=True, help="Start from the first page even if an earlier backfill was interrupted.")
def backfill(config_file: str | None, feed: str, since: str | None, until: str | None, max_posts: int | None, restart: bool) -> None:
    """Replay FEED's history (a configured feed name or a URL) into the pipeline.

    Follows rel="next" and RFC 5005 prev-archive links, Blogger start-index
    paging and WordPress ?paged=N. An interrupted backfill resumes where it
    stopped; posts already published are not sent again.

    \b
    Examples:
      jikenbo backfill b-son --since 2024-01-01      a configured feed, from a date
      jikenbo backfill https://example.jp/feed --max-posts 100 --restart
    """
    from services.fetcher.backfill import LogProgress, RichProgress, backfill as walk, parse_day
    from services.fetcher.http import HttpClient, make_session

    config = load(config_file)
    target = resolve_feed(config, feed)
    try:
        since_at, until_at = parse_day(since), parse_day(until, end_of_day=True)
    except ValueError as exc:
        raise UsageError(f"--since/--until: {exc}") from None

    async def run() -> None:
        async with pipeline(config) as (publisher, state), make_session(config.fetcher) as session:
            start = state.checkpoint(target.name, target.url)
            done_before = start.posts if start and not start.done and not restart else 0
            progress = RichProgress(target.name, done_before) if sys.stderr.isatty() else LogProgress(target.name, done_before)
            point = await walk(
                HttpClient(session, config.fetcher), publisher, state, target.name, target.url,
                since=since_at, until=until_at, max_posts=max_posts, labels=target.labels, restart=restart, progress=progress,
            )
            click.echo(f"backfill {target.name}: {point.posts} posts from {point.pages} pages", err=True)

    asyncio.run(run())


@click.command()
@config_option
@broker_option
@click.argument("paths", nargs=-1, required=True)
def ingest(config_file: str | None, paths: tuple[str, ...]) -> None:
    """Publish local text or HTML files (or directories of them) as raw posts.

    Inside a directory, symbolic links are not followed. A file that cannot be
    ingested (binary, not UTF-8/Shift_JIS/EUC-JP, over fetcher.max_bytes,
    unreadable) is reported on stderr and skipped, the others are published,
    and the exit status is 1.

    \b
    Examples:
      jikenbo ingest press-release.html
      jikenbo ingest ~/disclosures/ -b kafka1:9092   every file of a directory
    """
    from pathlib import Path

    from services.common.logsetup import printable
    from services.fetcher.ingest import posts_for_paths

    config = load(config_file)
    skipped: list[Path] = []

    def skip(path: Path, reason: str) -> None:
        skipped.append(path)
        click.echo(f"jikenbo: {printable(path)}: skipped: {reason}", err=True)  # a file name may hold a line feed

    posts = posts_for_paths(paths, config.fetcher.max_bytes, skip)

    async def run() -> int:
        async with pipeline(config) as (publisher, _state):
            return await publisher.publish("ingest", posts)

    sent = asyncio.run(run())
    click.echo(f"ingest: {len(posts)} files, {sent} published ({len(posts) - sent} unchanged), {len(skipped)} skipped", err=True)
    if skipped:
        raise SystemExit(1)


COMMANDS = [fetcher, backfill, ingest]
