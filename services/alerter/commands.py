"""Alerter sub-commands of `jikenbo`: the agent, `alerts tail`, `subscriptions check`."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING, Any

import click

from services.common.cli_support import bootstrap, broker_option, broker_url, config_option, load, run_faust_worker, service_options
from services.topic_commands import run_tail, tail_options

if TYPE_CHECKING:
    from services.common.config import Config

log = logging.getLogger("jikenbo.alerter")


@click.command()
@config_option
@broker_option
@service_options
def alerter(config_file: str | None) -> None:
    """Run only the alerter agent: incidents in, alerts out, matched against subscriptions.

    SIGHUP re-reads the subscriptions file at once and logs which other settings changed (they need a restart).

    \b
    Examples:
      JIKENBO_SUBSCRIPTIONS_FILE=subs.toml jikenbo alerter -b kafka1:9092
      kill -HUP $(pgrep -f "jikenbo alerter")        re-read subscriptions now
    """
    from services.alerter.agent import build_alerter_app
    from services.alerter.settings import load_settings
    from services.alerter.reloading import ReloadingSubscriptions

    config = load(config_file)
    settings = load_settings(config)
    in_force = ReloadingSubscriptions(config, tuple(settings.channels))
    app = build_alerter_app(config, broker_url(config), in_force, settings)

    @app.task
    async def reload_on_hangup() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, hangup, config_file, config, in_force)

    run_faust_worker(app, config)


def hangup(config_file: str | None, config: Config, in_force: Any) -> None:
    """SIGHUP: re-read the subscriptions file now; log what else changed, which takes a restart."""
    from services.alerter.settings import validate
    from services.common.config import load_config
    from services.common.config_view import changed
    from services.common.errors import ConfigError

    in_force.refresh()
    try:
        new = load_config(config_file)
        before, after = validate(config, config.env).sections, validate(new, new.env).sections
    except ConfigError as exc:
        log.error("SIGHUP: configuration not re-read: %s", exc)
        return
    keys = changed({**config.sections, **before}, {**new.sections, **after})
    if new.subscriptions != config.subscriptions:
        keys.append("subscriptions")
    if keys:
        log.warning("SIGHUP: changed, takes effect after a restart: %s", ", ".join(keys))
    else:
        log.info("SIGHUP: subscriptions file checked; nothing else changed")


@click.group()
def alerts() -> None:
    """Read alerts from the alerts topic."""


@alerts.command()
@click.option("--subscription", help="Only alerts of this subscription.")
@tail_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="One readable line per alert, or the alert JSON (for the message's partition, offset and key: jikenbo topic tail alerts).",
)
def tail(config_file: str | None, subscription: str | None, count: int | None, exit_at_end: bool, from_beginning: bool,
         fmt: str) -> None:
    """Follow the alerts topic, one line per alert, until Ctrl-C (the friendly form of `jikenbo topic tail alerts`).

    \b
    Examples:
      jikenbo alerts tail --subscription hospitals
      jikenbo alerts tail --from-beginning -e --format json > alerts.jsonl
    """
    from services.alerter.alert_text import terminal_line
    from services.common import serde

    run_tail(
        config_file, "alerts", from_beginning, count, exit_at_end,
        lambda item: serde.dumps(item.value).decode() if fmt == "json" else terminal_line(item.value),
        lambda item: isinstance(item.value, dict) and (not subscription or item.value.get("subscription") == subscription),
    )


@click.group()
def subscriptions() -> None:
    """Check subscription files."""


@subscriptions.command()
@config_option
@broker_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--incidents", "incidents_file", type=click.Path(exists=True, dir_okay=False),
    help="Match against the incidents of this JSON Lines file (e.g. `jikenbo parse` output) instead of the incidents topic.",
)
@click.option("--recent", default=500, show_default=True, help="How many of the latest incidents on the topic to try.")
@click.option("--no-broker", is_flag=True, help="Only validate the file; do not read incidents.")
def check(config_file: str | None, file: str, incidents_file: str | None, recent: int, no_broker: bool) -> None:
    """Validate FILE and show which recent incidents each subscription would have matched.

    Errors name the line and the field. Channels are checked against the
    `[channels]` of the configuration, the names of subscriptions with
    `topic = true` against Kafka's rules for topic names under its prefix.

    \b
    Examples:
      jikenbo subscriptions check subs.toml --no-broker      only validate
      jikenbo parse post.html > i.jsonl && jikenbo subscriptions check subs.toml --incidents i.jsonl
    """
    from pathlib import Path

    from services.alerter.check import check_report, read_incidents_file, read_recent_incidents
    from services.alerter.settings import channel_names
    from services.alerter.subscriptions import load_subscriptions_file
    from services.common.topics import Topics

    config = load(config_file)
    subs = load_subscriptions_file(Path(file), channel_names(config), Topics(config.topic_prefix))
    click.echo(f"{file}: {len(subs)} subscription(s) OK")
    if no_broker:
        return
    if incidents_file:
        incidents = read_incidents_file(Path(incidents_file))
        origin = incidents_file
    else:
        incidents = asyncio.run(read_recent_incidents(config, bootstrap(config), recent))
        origin = f"the last {len(incidents)} incident(s) on the incidents topic"
    for line in check_report(subs, incidents, origin):
        click.echo(line)


COMMANDS = [alerter, alerts, subscriptions]
