"""Extraction accuracy on the labelled corpora cannot silently fall.

Scored with the corpus rules by bench/accuracy.py (the same code the benchmark
prints); each floor sits a little below what the parser reaches, so a change
that costs accuracy fails here and shows, with `bench/accuracy.py --errors`,
which texts it broke. Raise a floor when a change raises the score for good.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.accuracy import evaluate, jikenbo_predictions, load_rows

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"

FLOORS = {
    "dev.jsonl": {"split": 0.98, "org": 0.93, "date": 0.96, "case_id": 0.98, "sector": 0.89, "types": 0.94,
                  "count": 0.91, "data_types": 0.91, "vendors": 0.90},
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scored(request: pytest.FixtureRequest) -> tuple[str, dict[str, float | None]]:
    tally = evaluate(load_rows([CORPUS / request.param]), jikenbo_predictions)["all"]
    return request.param, {name: tally.score(name) for name in FLOORS[request.param]}


@pytest.mark.parametrize("field", list(FLOORS["dev.jsonl"]))
def test_field_accuracy_stays_above_its_floor(scored: tuple[str, dict[str, float | None]], field: str) -> None:
    corpus, scores = scored
    score = scores[field]
    assert score is not None and score >= FLOORS[corpus][field], (
        f"{corpus}: {field} {score:.3f} fell below {FLOORS[corpus][field]}; see bench/accuracy.py --errors")
