"""JSON Lines file: one alert per line, appended (a digest writes each of its alerts)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from services.alerter.channels import DeliveryError
from services.alerter.settings import ChannelSettings
from services.common import serde


def _append(path: os.PathLike[str], data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class JsonlSender:
    def __init__(self, settings: ChannelSettings) -> None:
        assert settings.path is not None
        self.path = settings.path

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        data = b"".join(serde.dumps(alert) + b"\n" for alert in alerts)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(_append, self.path, data)
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror}") from None
