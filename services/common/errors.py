"""User-facing errors and the exit code each one means.

Every error a user can cause (bad config, bad subscription file, unreachable
broker) is a `JikenboError` whose message is shown as one line, never as a
stack trace. Programming errors stay ordinary exceptions.

Exit codes (README, "Exit codes"), what scripts and systemd units rely on:
0 success, 1 a runtime failure (broker, network, I/O: trying again later may
work), 2 a usage or configuration error (fix the command or the file first).
"""

from __future__ import annotations

RUNTIME_FAILURE = 1
USAGE_ERROR = 2


class JikenboError(Exception):
    """An error with a message meant for the person running jikenbo; a runtime failure unless `exit_code` says otherwise."""

    exit_code = RUNTIME_FAILURE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(JikenboError):
    """The command was given something it cannot use: an unknown name, a malformed argument or input file."""

    exit_code = USAGE_ERROR


class ConfigError(UsageError):
    """A configuration file or value is malformed; the message names where."""


class BrokerError(JikenboError):
    """The Kafka broker could not be started or reached."""
