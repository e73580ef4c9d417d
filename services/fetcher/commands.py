"""Fetcher sub-commands of `jikenbo`."""

from __future__ import annotations

import asyncio

import click

from services.common.cli_support import broker_url, config_option, load
from services.common.config import bootstrap_servers


@click.command()
@config_option
def fetcher(config_file: str | None) -> None:
    """Run only the fetcher: poll the configured feeds and publish raw posts."""
    from services.common.runner import until_signalled
    from services.fetcher.main import run_fetcher

    config = load(config_file)
    bootstrap = bootstrap_servers(broker_url(config))
    asyncio.run(until_signalled(lambda: run_fetcher(config, bootstrap)))


COMMANDS = [fetcher]
