"""`jikenbo web`: serve the read-only web view of the incident archive."""

from __future__ import annotations

import asyncio

import click

from services.common.cli_support import config_option, load
from services.common.config import Config
from services.web.app import DEFAULT_HOST, DEFAULT_PORT


@click.command()
@config_option
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Any address other than loopback requires an access token.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--token", envvar="JIKENBO_WEB_TOKEN", show_envvar=True,
              help="Access token the view requires. Off loopback and not given: one is generated and printed once.")
def web(config_file: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the incident archive as web pages and JSON, read-only.

    Overview charts (incidents per month by sector, by type, top vendors and
    organisations), the filtered list, and each incident with the evidence of
    its fields highlighted; new incidents appear while the pipeline runs.
    JSON: /api/incidents, /api/incidents/ID, /api/stats (README, docs/web.md).

    \b
    Example:
      jikenbo web                               # http://127.0.0.1:8480/
      jikenbo web --host 0.0.0.0 --port 8080    # prints a link with a new access token
    """
    from services.common.runner import until_signalled

    config = load(config_file)
    asyncio.run(until_signalled(lambda: _serve(config, host, port, token)))


async def _serve(config: Config, host: str, port: int, token: str | None) -> None:
    from services.web.app import start_web

    server = await start_web(config, host, port, token)
    click.echo(f"jikenbo web: serving {server.url} (Ctrl-C stops)", err=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()


COMMANDS = [web]
