"""User-facing errors.

Every error a user can cause (bad config, bad subscription file, unreachable
broker) is a `JikenboError` whose message is shown as one line, never as a
stack trace. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations


class JikenboError(Exception):
    """An error with a message meant for the person running jikenbo."""


class ConfigError(JikenboError):
    """A configuration file or value is malformed; the message names where."""


class BrokerError(JikenboError):
    """The Kafka broker could not be started or reached."""
