"""The `jikenbo` command: one entry point; each service contributes its sub-commands."""

from __future__ import annotations

import asyncio

import click

from services.alerter.commands import COMMANDS as ALERTER_COMMANDS
from services.archive.commands import COMMANDS as ARCHIVE_COMMANDS
from services.config_commands import COMMANDS as CONFIG_COMMANDS
from services.topic_commands import COMMANDS as TOPIC_COMMANDS
from services.common.cli_support import JikenboGroup, broker_option, config_option, load
from services.fetcher.commands import COMMANDS as FETCHER_COMMANDS
from services.parser.commands import COMMANDS as PARSER_COMMANDS
from services.web.commands import COMMANDS as WEB_COMMANDS


@click.group(cls=JikenboGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jikenbo")
def main() -> None:
    """jikenbo (事件簿): watch Japanese security-incident disclosures as they are published.

    Feeds are polled, each post is split into incidents with structured fields
    (organisation, date, sector, types, counts, vendors), and incidents that
    match your subscriptions become alerts on a Kafka topic and your channels.

    Start with `jikenbo up --demo` to see it work without network.
    """


@main.command()
@config_option
@broker_option
@click.option("--demo", is_flag=True, help="Serve the bundled sample corpus as a local feed and follow it instead of the configured feeds.")
def up(config_file: str | None, demo: bool) -> None:
    """Run everything here: broker (embedded unless configured), fetcher, parser, alerter.

    With no broker URL configured, an embedded Kafka-compatible broker (Tansu)
    is started on a free loopback port; its log is in the state directory.
    Ctrl-C or SIGTERM stops everything cleanly.

    \b
    Examples:
      jikenbo up --demo           the bundled sample corpus as a local feed, no network needed
      jikenbo up -b kafka1:9092   the services against your Kafka instead of the embedded broker
    """
    from services.common.runner import until_signalled
    from services.up import run_up

    config = load(config_file)
    asyncio.run(until_signalled(lambda: run_up(config, config_file, demo)))


@main.command()
@config_option
@broker_option
@click.option("--demo", is_flag=True, help="Show a running `jikenbo up --demo` (its feeds are kept apart from the real ones).")
def status(config_file: str | None, demo: bool) -> None:
    """One screen: feeds (last poll, result, next poll, errors), consumer lag, today's incidents and alerts, dead letters.

    Feeds come from the fetcher's state directory; the rest from the
    configured broker, else the embedded one of a running `jikenbo up`.

    \b
    Examples:
      jikenbo status
      jikenbo status --demo       a running `jikenbo up --demo`
    """
    from services.common.status import show_status

    show_status(load(config_file), demo)


for command in (*FETCHER_COMMANDS, *PARSER_COMMANDS, *ALERTER_COMMANDS, *ARCHIVE_COMMANDS, *WEB_COMMANDS, *CONFIG_COMMANDS, *TOPIC_COMMANDS):
    main.add_command(command)


if __name__ == "__main__":
    main()
