"""What every `jikenbo` sub-command shares: the --config option, loading, the broker."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable

import click

if TYPE_CHECKING:
    from services.common.config import Config
from services.common.errors import RUNTIME_FAILURE, JikenboError
from services.common.logsetup import setup_logging

CONFIG_HELP = "TOML configuration file (default: $JIKENBO_CONFIG, else ./jikenbo.toml, else built-in defaults)."


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_file", type=click.Path(dir_okay=False), help=CONFIG_HELP)(func)


def broker_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--broker`/`-b HOST:PORT[,HOST:PORT]` (or `kafka://…`), as kcat's `-b`.

    It sets `$JIKENBO_BROKER_URL` for this command and every process it
    starts (`jikenbo up`'s services), so it wins over the file like the variable.
    """

    def remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value:
            os.environ["JIKENBO_BROKER_URL"] = value if "://" in value else f"kafka://{value}"

    return click.option(
        "--broker", "-b", metavar="HOST:PORT", expose_value=False, callback=remember,
        help="Kafka bootstrap servers (HOST:PORT[,HOST:PORT] or kafka://…); overrides [broker] url and $JIKENBO_BROKER_URL.",
    )(func)


def service_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--log-level` and `--metrics-port` of a service command, set like their variables (which they override)."""

    def setting(variable: str) -> Callable[[click.Context, click.Parameter, Any], None]:
        def remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
            if value is not None:
                os.environ[variable] = str(value)

        return remember

    func = click.option("--metrics-port", type=click.IntRange(0, 65535), expose_value=False, callback=setting("JIKENBO_METRICS_PORT"),
                        help="Serve /metrics, /healthz and /readyz on this port (0: off); sets $JIKENBO_METRICS_PORT.")(func)
    return click.option("--log-level", metavar="LEVEL", expose_value=False, callback=setting("JIKENBO_LOG_LEVEL"),
                        help="DEBUG, INFO, WARNING, ERROR or CRITICAL; sets $JIKENBO_LOG_LEVEL.")(func)


def load(config_file: str | None) -> Config:
    """Load the configuration and set up logging from it."""
    from services.common.config import load_config

    config = load_config(config_file)
    setup_logging(config.log_level, config.log_format)
    return config


def broker_url(config: Config, wait: float = 0.0) -> str:
    """The configured broker, else the embedded one a running `jikenbo up` started.

    With `wait`, a command started alongside `jikenbo up` waits that many
    seconds for the embedded broker to come up instead of failing at once.
    """
    import time

    from services.common.embedded_broker import running_embedded_broker

    deadline = time.monotonic() + wait
    url = config.broker_url or running_embedded_broker(config.state_dir)
    if not url and wait > 0:
        click.echo("waiting for `jikenbo up` to start the embedded broker…", err=True)
    while not url and time.monotonic() < deadline:
        time.sleep(0.5)
        url = running_embedded_broker(config.state_dir)
    if not url:
        raise JikenboError(
            "no broker: set JIKENBO_BROKER_URL (or [broker] url), or start `jikenbo up` first for the embedded broker"
        )
    return url


def bootstrap(config: Config, wait: float = 0.0) -> str:
    """The broker's `host:port[,host:port]` for aiokafka (see `broker_url`)."""
    from services.common.config import bootstrap_servers

    return bootstrap_servers(broker_url(config, wait))


def run_faust_worker(app: Any, config: Config) -> None:
    """Run a Faust app as a worker, keeping jikenbo's own log format."""
    import faust

    class Worker(faust.Worker):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.spinner = None  # its terminal escape codes end up in log files

        def _setup_logging(self) -> None:
            setup_logging(config.log_level, config.log_format)

    Worker(app, loglevel=config.log_level.lower(), quiet=True, redirect_stdouts=False).execute_from_commandline()


class JikenboGroup(click.Group):
    """Turns an error (`JikenboError`, a broker or I/O failure) into one line on stderr and its exit code, not a traceback.

    2: usage or configuration (click's own usage errors too), 1: runtime failure, 130: interrupted.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from aiokafka.errors import KafkaError

        try:
            return super().invoke(ctx)
        except JikenboError as exc:
            click.echo(f"jikenbo: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KafkaError as exc:
            click.echo(f"jikenbo: error: broker: {exc}", err=True)
            sys.exit(RUNTIME_FAILURE)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"jikenbo: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(RUNTIME_FAILURE)
        except KeyboardInterrupt:
            sys.exit(130)
