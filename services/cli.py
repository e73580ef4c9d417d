"""The `jikenbo` command: one entry point, sub-commands delegate to the services."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Callable

import click

from services.common.config import Config, bootstrap_servers, load_config
from services.common.errors import JikenboError
from services.common.logsetup import setup_logging

CONFIG_HELP = "TOML configuration file (default: $JIKENBO_CONFIG, else ./jikenbo.toml, else built-in defaults)."


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_file", type=click.Path(dir_okay=False), help=CONFIG_HELP)(func)


def _load(config_file: str | None, service: str | None = None) -> Config:
    config = load_config(config_file)
    setup_logging(config.log_level, config.log_format)
    return config


def _broker_url(config: Config) -> str:
    """The configured broker, else the embedded one a running `jikenbo up` started."""
    from services.common.broker import running_embedded_broker

    url = config.broker_url or running_embedded_broker(config.state_dir)
    if not url:
        raise JikenboError(
            "no broker: set JIKENBO_BROKER_URL (or [broker] url), or start `jikenbo up` first for the embedded broker"
        )
    return url


class JikenboGroup(click.Group):
    """Turns a user's mistake (`JikenboError`) into one line on stderr, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except JikenboError as exc:
            click.echo(f"jikenbo: error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            sys.exit(130)


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
@click.option("--demo", is_flag=True, help="Serve the bundled sample corpus as a local feed and follow it instead of the configured feeds.")
def up(config_file: str | None, demo: bool) -> None:
    """Run everything here: broker (embedded unless configured), fetcher, parser, alerter.

    With no broker URL configured, an embedded Kafka-compatible broker (Tansu)
    is started on a free loopback port; its log is in the state directory.
    Ctrl-C or SIGTERM stops everything cleanly.
    """
    from services.common.runner import until_signalled
    from services.up import run_up

    config = _load(config_file)
    asyncio.run(until_signalled(lambda: run_up(config, config_file, demo)))


@main.command()
@config_option
def fetcher(config_file: str | None) -> None:
    """Run only the fetcher: poll the configured feeds and publish raw posts."""
    from services.common.runner import until_signalled
    from services.fetcher.main import run_fetcher

    config = _load(config_file)
    bootstrap = bootstrap_servers(_broker_url(config))
    asyncio.run(until_signalled(lambda: run_fetcher(config, bootstrap)))


def _run_worker(app: Any, config: Config) -> None:
    """Run a Faust app as a worker, keeping jikenbo's own log format."""
    import faust

    class Worker(faust.Worker):
        def _setup_logging(self) -> None:
            setup_logging(config.log_level, config.log_format)

    Worker(app, loglevel=config.log_level.lower(), quiet=True, redirect_stdouts=False).execute_from_commandline()


@main.command()
@config_option
def parser(config_file: str | None) -> None:
    """Run only the parser agent: raw posts in, incidents (or dead letters) out."""
    from services.parser.agent import build_parser_app

    config = _load(config_file)
    _run_worker(build_parser_app(config, _broker_url(config)), config)


@main.command()
@config_option
def alerter(config_file: str | None) -> None:
    """Run only the alerter agent: incidents in, alerts out, matched against subscriptions."""
    from services.alerter.agent import build_alerter_app
    from services.alerter.subscriptions import subscriptions_from_config

    config = _load(config_file)
    subscriptions = subscriptions_from_config(config)
    _run_worker(build_alerter_app(config, _broker_url(config), subscriptions), config)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--all", "include_all", is_flag=True, help="Also print non-incident segments as {\"kind\": \"non_incident\"} lines.")
def parse(paths: tuple[str, ...], include_all: bool) -> None:
    """Parse text or HTML files (or - for stdin) offline and print incidents as JSON Lines.

    Runs exactly the code of the parser agent; no broker needed.
    """
    from services.parser.offline import parse_paths

    for line in parse_paths(paths, include_all):
        click.echo(line)


@main.group()
def alerts() -> None:
    """Read alerts from the alerts topic."""


@alerts.command()
@config_option
@click.option("--subscription", help="Only alerts of this subscription.")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest alert instead of only new ones.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="One readable line per alert, or the alert JSON.")
def tail(config_file: str | None, subscription: str | None, from_beginning: bool, fmt: str) -> None:
    """Follow the alerts topic, one line per alert, until Ctrl-C."""
    from services.alerter.tail import tail_alerts
    from services.common.runner import until_signalled

    config = _load(config_file)
    bootstrap = bootstrap_servers(_broker_url(config))
    asyncio.run(until_signalled(lambda: tail_alerts(config, bootstrap, subscription, from_beginning, fmt)))


if __name__ == "__main__":
    main()
