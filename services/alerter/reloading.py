"""The subscriptions in force, reloaded when the subscriptions file changes.

`refresh()` is cheap (one `stat`) and is called every `reload_interval`.
When the file changed it is parsed and validated as a whole; if that fails,
the error (naming the line and field) is logged and the previous
subscriptions stay in force, so a typo never silences anyone.
"""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path
from typing import Any

from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import subscriptions_from_config
from services.common.errors import ConfigError

log = logging.getLogger("jikenbo.alerter.subscriptions")


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    """What changes when the file is edited or replaced (editors often write a new inode)."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class ReloadingSubscriptions:
    """Holds the current `SubscriptionIndex`; the first load must succeed."""

    def __init__(self, config: Any, channel_names: tuple[str, ...]) -> None:
        self.config = config
        self.channel_names = channel_names
        self.path: Path | None = config.subscriptions_file
        self._stamp = _stamp(self.path)
        self.index = SubscriptionIndex(subscriptions_from_config(config, channel_names))
        gc.freeze()  # the index is long-lived and large: keep the cyclic GC from walking it again and again

    def refresh(self) -> bool:
        """Reload if the file changed; True when new subscriptions took effect."""
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            subscriptions = subscriptions_from_config(self.config, self.channel_names)
        except ConfigError as exc:
            log.error("subscriptions not reloaded, keeping the %d in force: %s", len(self.index), exc)
            return False
        self.index = SubscriptionIndex(subscriptions)
        gc.freeze()
        log.info("subscriptions reloaded: %d in force (%s)", len(self.index), ", ".join(s.name for s in subscriptions[:20]))
        return True
