"""`jikenbo config check` and `jikenbo config show`: every section validated by the service that owns it."""

from __future__ import annotations

import os

import click

from services.common.cli_support import config_option


@click.group()
def config() -> None:
    """Check the configuration, or show the one in effect."""


@config.command()
@config_option
def check(config_file: str | None) -> None:
    """Validate the file and the JIKENBO_* environment; exit 2 naming the line or variable of the first problem.

    \b
    Examples:
      jikenbo config check --config /etc/jikenbo/jikenbo.toml
      JIKENBO_FETCHER_MAX_CONNECTIONS=0 jikenbo config check   # refused: must be at least 1
    """
    from services.alerter.settings import load_settings
    from services.alerter.subscriptions import subscriptions_from_config
    from services.common.config import load_config

    loaded = load_config(config_file)
    settings = load_settings(loaded)
    subscriptions = subscriptions_from_config(loaded, tuple(settings.channels))
    click.echo(f"{loaded.source}: OK ({len(loaded.feeds)} feed(s), {len(settings.channels)} channel(s), "
               f"{len(subscriptions)} subscription(s))")


@config.command()
@config_option
def show(config_file: str | None) -> None:
    """Print the effective configuration as TOML, each key with its source (file:line, $VARIABLE or default); secrets masked.

    \b
    Examples:
      jikenbo config show
      JIKENBO_LOG_LEVEL=DEBUG jikenbo config show --config deploy/jikenbo.example.toml
    """
    from services.alerter.settings import validate
    from services.common.config import load_config
    from services.common.config_view import render

    loaded = load_config(config_file)
    alerter = validate(loaded, os.environ)
    sections = {**loaded.sections, **alerter.sections}
    click.echo(f"# effective configuration: {loaded.source} with the environment over it")
    for line in render(sections, loaded.raw, alerter.place.sources, loaded.source, loaded.text):
        click.echo(line)


COMMANDS = [config]
