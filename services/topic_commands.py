"""`jikenbo topic tail {alerts,incidents,dlq,posts}`: read a pipeline topic like kcat, with `-c`, `-e` and JSON records."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from services.common.cli_support import bootstrap, broker_option, config_option, load
from services.common.topic_tail import TAILABLE, Record


def text_line(name: str, item: Record) -> str:
    """One readable line for a message of topic `name`."""
    from services.alerter.alert_text import terminal_line

    value: Any = item.value
    if not isinstance(value, dict):
        return f"{item.partition}:{item.offset} {item.key} {value}"
    if name == "alerts":
        return terminal_line(value)
    if name == "incidents":
        return f"{value.get('disclosed_on') or '----------'} {value.get('organization') or '?'}: {value.get('title') or ''} [{item.key}]"
    if name == "dlq":
        post = value.get("post") if isinstance(value.get("post"), dict) else {}
        return f"{value.get('failed_at', '')} {value.get('reason', '')} [{post.get('post_id', item.key)}]"
    return f"{value.get('published') or ''} {value.get('title') or ''} {value.get('url') or ''} [{item.key}]"


def tail_options(func: Any) -> Any:
    """The options `topic tail` and `alerts tail` share."""
    for option in reversed([
        config_option, broker_option,
        click.option("-c", "--count", type=click.IntRange(min=1), help="Exit after this many messages."),
        click.option("-e", "--exit-at-end", is_flag=True,
                     help="Print what the topic holds now, from the oldest message, and exit at its end (kcat's -e) instead of following."),
        click.option("--from-beginning", is_flag=True, help="Start at the oldest message instead of only new ones (implied by -e)."),
    ]):
        func = option(func)
    return func


def run_tail(config_file: str | None, name: str, from_beginning: bool, count: int | None, exit_at_end: bool,
             show: Any, wanted: Any = lambda _: True) -> None:
    """Print each record with `show` until `count`, the end (`exit_at_end`) or Ctrl-C."""
    from services.common.runner import until_signalled
    from services.common.topic_tail import tail

    config = load(config_file)
    servers = bootstrap(config, wait=0.0 if exit_at_end else 120.0)

    async def follow() -> None:
        async for item in tail(config, servers, name, from_beginning or exit_at_end, count, exit_at_end, wanted):
            click.echo(show(item))

    asyncio.run(until_signalled(follow))


@click.group()
def topic() -> None:
    """Read the pipeline's topics."""


@topic.command("tail")
@click.argument("name", type=click.Choice(sorted(TAILABLE)))
@tail_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable line, or one JSON object per message: topic, partition, offset, timestamp (ms), time, key, value.")
def tail_command(config_file: str | None, name: str, count: int | None, exit_at_end: bool, from_beginning: bool, fmt: str) -> None:
    """Print the messages of topic NAME (alerts, incidents, dlq: dead letters, posts: raw posts) as they arrive.

    \b
    Examples:
      jikenbo topic tail incidents --from-beginning -e --format json | jq .value.organization
      jikenbo topic tail dlq -b kafka1:9092 -c 10 --from-beginning
    """
    run_tail(config_file, name, from_beginning, count, exit_at_end,
             lambda item: item.as_json() if fmt == "json" else text_line(name, item))


COMMANDS = [topic]
