"""Alerter sub-commands of `jikenbo`."""

from __future__ import annotations

import asyncio

import click

from services.common.cli_support import broker_url, config_option, load, run_faust_worker
from services.common.config import bootstrap_servers


@click.command()
@config_option
def alerter(config_file: str | None) -> None:
    """Run only the alerter agent: incidents in, alerts out, matched against subscriptions."""
    from services.alerter.agent import build_alerter_app
    from services.alerter.subscriptions import subscriptions_from_config

    config = load(config_file)
    subscriptions = subscriptions_from_config(config)
    run_faust_worker(build_alerter_app(config, broker_url(config), subscriptions), config)


@click.group()
def alerts() -> None:
    """Read alerts from the alerts topic."""


@alerts.command()
@config_option
@click.option("--subscription", help="Only alerts of this subscription.")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest alert instead of only new ones.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="One readable line per alert, or the alert JSON.",
)
def tail(config_file: str | None, subscription: str | None, from_beginning: bool, fmt: str) -> None:
    """Follow the alerts topic, one line per alert, until Ctrl-C."""
    from services.alerter.tail import tail_alerts
    from services.common.runner import until_signalled

    config = load(config_file)
    bootstrap = bootstrap_servers(broker_url(config))
    asyncio.run(until_signalled(lambda: tail_alerts(config, bootstrap, subscription, from_beginning, fmt)))


COMMANDS = [alerter, alerts]
