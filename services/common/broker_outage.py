"""Calm logs while the broker is away: one WARNING when it goes, one INFO when it is back.

When the broker is unreachable, aiokafka logs every failed attempt of every
client at ERROR (`Unable connect to node with id 111`, `Group Coordinator
Request failed`, …): dozens of lines a second that bury the one that
matters. `BrokerOutageFilter`, on the log handler, folds those lines into:

- a WARNING `broker 127.0.0.1:9092 unreachable since 10:04:05; retrying`,
- a reminder every `REMIND_EVERY` seconds while it stays away,
- an INFO `broker 127.0.0.1:9092 reachable again after 31s (N library messages folded)`.

Whether it is back is checked by a TCP probe from a daemon thread, so the
filter itself never blocks the event loop it is called from. A connection
complaint while the broker answers (a blip) is let through at most once per
`REMIND_EVERY` seconds.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from datetime import datetime

log = logging.getLogger("jikenbo.broker")

LIBRARY_LOGGERS = ("aiokafka", "kafka", "faust", "mode")
# What the Kafka clients say when they cannot reach the broker, or find their group gone
# after it came back empty (the embedded broker keeps groups in memory), whatever the call.
_CONNECTION_TROUBLE = re.compile(
    r"Unable connect to node|Unable to update metadata|Unable to request metadata|Connect call failed|NodeNotReadyError"
    r"|KafkaConnectionError|RequestTimedOutError|Group Coordinator Request failed|Failed fetch messages|Heartbeat failed"
    r"|Heartbeat session expired|coordinator dead|UnknownMemberIdError|will rejoin|Error sending|Got error produce response"
    r"|connection (?:refused|reset|lost)|Timer \w+ is overlapping|_on_published error",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"\('([^']{1,255})', (\d{1,5})\)")
REMIND_EVERY = 60.0
PROBE_EVERY = 1.0


def is_connection_trouble(record: logging.LogRecord) -> bool:
    """A library's complaint that it cannot reach the broker."""
    if not record.name.startswith(LIBRARY_LOGGERS) or record.levelno < logging.WARNING:
        return False
    try:
        message = record.getMessage()
    except Exception:  # a library's malformed format string is not ours to fold
        return False
    return _CONNECTION_TROUBLE.search(message[:2000]) is not None


def address_in(message: str) -> tuple[str, int] | None:
    """The `('host', port)` a connection error names, if it names one."""
    found = _ADDRESS.search(message[:2000])
    return (found.group(1), int(found.group(2))) if found else None


def reachable(address: tuple[str, int], timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


class BrokerOutageFilter(logging.Filter):
    """Fold the Kafka clients' connection errors into outage lines (see the module docstring)."""

    def __init__(self, remind_every: float = REMIND_EVERY, probe_every: float = PROBE_EVERY) -> None:
        super().__init__()
        self.remind_every = remind_every
        self.probe_every = probe_every
        self._lock = threading.Lock()
        self._suspect_since: float | None = None  # wall clock of the first complaint of this episode
        self._address: tuple[str, int] | None = None
        self._folded = 0
        self._last_blip = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == log.name or not is_connection_trouble(record):
            return True
        with self._lock:
            if self._suspect_since is not None:
                self._folded += 1
                self._address = self._address or address_in(record.getMessage())
                return False
            self._suspect_since = record.created
            self._folded = 1
            self._address = address_in(record.getMessage())
        threading.Thread(target=self._watch, args=(record,), name="broker-outage", daemon=True).start()
        return False

    def _watch(self, first: logging.LogRecord) -> None:
        """Decide whether this is an outage or a blip, then wait until the broker answers again."""
        time.sleep(self.probe_every)  # let the complaints name an address
        with self._lock:
            address, since = self._address, self._suspect_since
        assert since is not None
        where = f"{address[0]}:{address[1]}" if address else "the Kafka broker"
        if address is None or reachable(address):
            self._blip(first)
            return
        stamp = datetime.fromtimestamp(since).strftime("%H:%M:%S")
        log.warning("broker %s unreachable since %s; retrying", where, stamp)
        last_said = time.monotonic()
        while not reachable(address):
            time.sleep(self.probe_every)
            if time.monotonic() - last_said >= self.remind_every:
                log.warning("broker %s still unreachable since %s (%.0fs); retrying", where, stamp, time.time() - since)
                last_said = time.monotonic()
        with self._lock:
            folded, self._folded, self._suspect_since = self._folded, 0, None
        log.info("broker %s reachable again after %.0fs (%d library messages folded)", where, time.time() - since, folded)

    def _blip(self, first: logging.LogRecord) -> None:
        """The broker answers: let the first complaint through, at most once per reminder period."""
        with self._lock:
            self._suspect_since = None
            self._folded = 0
            now = time.monotonic()
            if now - self._last_blip < self.remind_every:
                return
            self._last_blip = now
        log.warning("Kafka client: %s", first.getMessage()[:500])
