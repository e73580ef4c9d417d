"""Shared fixtures: the five seed documents, copied into tests/fixtures/seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def seed_text(prefix: str) -> str:
    """The text of the seed document whose file name starts with `prefix` ("001")."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
