"""The Kafka clients' connection errors are folded into one line when lost and one when back."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from services.common.broker_outage import BrokerOutageFilter, address_in, is_connection_trouble
from services.common.embedded_broker import free_port


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in self.records]


@pytest.fixture
def handler() -> Collect:
    collect = Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    old = root.level
    root.setLevel(logging.INFO)
    yield collect
    root.removeHandler(collect)
    root.setLevel(old)


def complaint(port: int) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", logging.ERROR, __file__, 1, "Unable connect to node with id 111: %s", (f"[Errno 111] Connect call failed ('127.0.0.1', {port})",), None)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_complaints_of_the_kafka_clients_are_recognised_and_name_their_address() -> None:
    assert is_connection_trouble(complaint(9092))
    group = logging.LogRecord("aiokafka.consumer.group_coordinator", logging.ERROR, "", 1, "Group Coordinator Request failed: NodeNotReadyError", None, None)
    assert is_connection_trouble(group)
    ours = logging.LogRecord("jikenbo.parser", logging.ERROR, "", 1, "Unable connect to node", None, None)
    assert not is_connection_trouble(ours), "only the libraries' chatter is folded"
    info = logging.LogRecord("aiokafka", logging.INFO, "", 1, "Unable connect to node", None, None)
    assert not is_connection_trouble(info)
    assert address_in("Connect call failed ('127.0.0.1', 50269)") == ("127.0.0.1", 50269)
    assert address_in("x" * 100_000) is None


def test_an_outage_is_one_warning_then_one_info_when_the_broker_is_back(handler: Collect) -> None:
    port = free_port()
    outage = BrokerOutageFilter(remind_every=60.0, probe_every=0.1)
    passed = [outage.filter(complaint(port)) for _ in range(500)]
    assert not any(passed), "every library complaint is folded"
    wait_for(lambda: any("unreachable since" in line for line in handler.lines()))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        wait_for(lambda: any("reachable again" in line for line in handler.lines()))
    lines = handler.lines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"WARNING jikenbo.broker: broker 127.0.0.1:{port} unreachable since ")
    assert lines[1].startswith(f"INFO jikenbo.broker: broker 127.0.0.1:{port} reachable again after ")
    assert "(500 library messages folded)" in lines[1]


def test_a_long_outage_is_reminded_of_periodically_not_per_attempt(handler: Collect) -> None:
    port = free_port()
    outage = BrokerOutageFilter(remind_every=0.5, probe_every=0.1)
    deadline = time.monotonic() + 1.8
    while time.monotonic() < deadline:
        outage.filter(complaint(port))
        time.sleep(0.01)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        wait_for(lambda: any("reachable again" in line for line in handler.lines()))
    lines = handler.lines()
    reminders = [line for line in lines if "still unreachable" in line]
    assert 1 <= len(reminders) <= 4, lines
    assert len(lines) == len(reminders) + 2


def test_a_complaint_while_the_broker_answers_passes_once_per_period(handler: Collect) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        outage = BrokerOutageFilter(remind_every=60.0, probe_every=0.1)
        outage.filter(complaint(port))
        wait_for(lambda: len(handler.records) == 1)
        outage.filter(complaint(port))
        time.sleep(0.4)
    lines = handler.lines()
    assert len(lines) == 1 and lines[0].startswith("WARNING jikenbo.broker: Kafka client: Unable connect to node"), lines


def test_other_lines_pass_untouched() -> None:
    outage = BrokerOutageFilter()
    record = logging.LogRecord("jikenbo.fetcher", logging.ERROR, "", 1, "feed x failed", None, None)
    assert outage.filter(record)
