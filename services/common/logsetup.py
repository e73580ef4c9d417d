"""Logging: readable lines on a terminal, JSON lines when configured.

Context such as feed, post and incident ids goes in `extra={...}` and shows
up as key=value pairs (text) or fields (JSON).

Values in a log line often come from strangers (feed names, URLs, hub
replies, file names, text of posts). One log record must stay one line:
in text mode the message's arguments and the `extra` values have their
control characters escaped (`printable`); in JSON mode the encoder escapes
CR and LF, and the line separators it leaves raw are escaped after it.
"""

from __future__ import annotations

import logging
import numbers
import re
import sys
from datetime import datetime, timezone
from typing import Any, Mapping

import orjson

from services.common.broker_outage import BrokerOutageFilter

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# C0 and C1 controls (CR, LF, ESC, NEL...) and the Unicode line and paragraph separators:
# whatever a terminal, a log shipper or str.splitlines() may take as the end of a line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What orjson leaves raw inside JSON strings of those: NEL and the other C1s, U+2028, U+2029.
_JSON_RAW_BREAKS = {code: f"\\u{code:04x}" for code in (*range(0x80, 0xA0), 0x2028, 0x2029)}


def printable(value: object) -> str:
    """`value` as text that stays on one line: controls and line separators written as escapes (`\\n`, `\\x1b`, `\\u2028`).

    Written out as they are, a `%0A` in a callback path or a line feed in a
    feed's error message would start a forged log line, an ESC would rewrite
    the terminal. Other characters (Japanese text, its ideographic spaces)
    are left as they are.
    """
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], str(value))


class _Escaped:
    """A log argument that `%s` and `%r` show through `printable`."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return printable(self.value)

    def __repr__(self) -> str:
        return printable(repr(self.value))


def _escaped(value: object) -> object:
    """Numbers stay numbers (`%d`, `%.1f` need them, and their text is safe); anything else is escaped."""
    return value if value is None or isinstance(value, numbers.Number) else _Escaped(value)


def _one_line_message(record: logging.LogRecord) -> str:
    """`record.getMessage()` with its arguments escaped: the format string is the code's own and may
    span lines on purpose, its arguments may not. A message that is not a string is itself a value."""
    msg = str(record.msg) if isinstance(record.msg, str) else printable(record.msg)
    args: Any = record.args
    if not args:
        return msg
    if isinstance(args, Mapping):
        return msg % {key: _escaped(value) for key, value in args.items()}
    return msg % tuple(_escaped(value) for value in args)


def _context(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class TextFormatter(logging.Formatter):
    """`2026-11-22 12:00:00 INFO fetcher: message key=value`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        extra = " ".join(f"{k}={printable(v)}" for k, v in _context(record).items())
        line = f"{stamp} {record.levelname:<7} {record.name}: {_one_line_message(record)}"
        if extra:
            line += f"  [{extra}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(data, default=str).decode().translate(_JSON_RAW_BREAKS)


def setup_logging(level: str = "INFO", fmt: str = "text", service: str | None = None) -> None:
    """Configure the root logger once per process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(BrokerOutageFilter())  # the clients' connection errors folded into outage lines
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries are chatty at INFO; their warnings still come through.
    for noisy in ("aiokafka", "faust", "mode", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    if service:
        logging.getLogger("jikenbo").info("%s starting", service)
