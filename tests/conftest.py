"""Shared fixtures: one embedded broker per test session, topic prefixes per test."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, settings

from services.common.embedded_broker import EmbeddedBroker

# The suite runs on 2 cores next to real brokers and services: wall-clock limits on generating or
# running one example measure the machine's load, not the code. Properties keep every other check.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "services" / "demo" / "corpus"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A real Kafka-protocol broker (Tansu) shared by the whole session."""
    with EmbeddedBroker(tmp_path_factory.mktemp("broker")) as running:
        yield running


_counter = itertools.count()


@pytest.fixture
def prefix() -> str:
    """A topic prefix of its own, so tests sharing the broker never see each other's messages."""
    return f"t{next(_counter)}{uuid.uuid4().hex[:6]}"


@pytest.fixture
def seed_text() -> Any:
    def read(prefix: str) -> str:
        (path,) = SEEDS.glob(f"{prefix}_*.txt")
        return path.read_text(encoding="utf-8")

    return read
