"""CSV a spreadsheet opens as it is, JSON Lines as published; both streamed from the archive."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

from services.archive.database import open_reader
from services.archive.export import COLUMNS, LIST_SEPARATOR, csv_chunks, jsonl_chunks, safe_cell
from services.archive.query import Filters, iter_incidents
from services.archive.store import ArchiveStore

from tests.unit.archive.conftest import make_incident

Make = Callable[..., dict[str, Any]]


def parse_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, so Excel reads Japanese as UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_columns_lists_and_japanese(incident: Make) -> None:
    first = incident(organization="株式会社イセトー", incident_types=["ransomware", "unauthorized_access"], sector="government",
                     vendors=["acmailer", "WordPress"], data_types=["氏名", "住所"],
                     affected={"count": 30000, "unit": "件", "text": "約3万件"},
                     iocs=[{"type": "ip", "value": "192.0.2.1"}, {"type": "domain", "value": "evil.example"}],
                     title='題に "引用符", カンマ\nと改行')
    data = "".join(csv_chunks([first, incident(affected={"count": None, "unit": None, "text": None})])).encode("utf-8")
    rows = parse_csv(data)
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    row = rows[0]
    assert row["organization"] == "株式会社イセトー" and row["title"] == '題に "引用符", カンマ\nと改行'
    assert row["sector"] == "government" and row["sector_label"] == "行政"
    assert row["incident_types"] == f"ransomware{LIST_SEPARATOR}unauthorized_access"
    assert row["incident_type_labels"] == f"ランサムウェア{LIST_SEPARATOR}不正アクセス"
    assert row["vendors"] == f"acmailer{LIST_SEPARATOR}WordPress" and row["data_types"] == f"氏名{LIST_SEPARATOR}住所"
    assert row["iocs"] == f"ip:192.0.2.1{LIST_SEPARATOR}domain:evil.example"
    assert (row["affected_count"], row["affected_unit"]) == ("30000", "件")
    assert rows[1]["affected_count"] == "" and rows[1]["case_id"] == ""
    assert "body" not in row
    assert data.count(b"\r\n") == 3  # header and two rows end with CRLF; the newline inside the title is quoted


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil\")", "+81-3-1234", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"])
def test_csv_cells_that_would_run_as_formulas_are_quoted(incident: Make, text: str) -> None:
    rows = parse_csv("".join(csv_chunks([incident(organization=text, vendors=[text])])).encode("utf-8"))
    assert rows[0]["organization"] == "'" + text
    assert rows[0]["vendors"] == "'" + text


def test_safe_cell() -> None:
    assert safe_cell(None) == "" and safe_cell(-5) == -5 and safe_cell(True) == "True"
    assert safe_cell("a=b") == "a=b" and safe_cell("=1") == "'=1"


def test_jsonl_is_each_incident_as_published(incident: Make) -> None:
    batch = [incident(title="改行\nと\u2028区切り\x85\u2029"), incident()]
    lines = "".join(jsonl_chunks(batch)).splitlines(keepends=True)
    assert len(lines) == 2 and all(line.endswith("\n") for line in lines)
    assert [orjson.loads(line) for line in lines] == batch
    assert "改行" in lines[0]  # UTF-8 as is, not \\u escapes


@pytest.fixture(scope="module")
def hundred_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "archive.sqlite3"
    base = make_incident()
    with ArchiveStore(path) as store:
        for start in range(0, 100_000, 10_000):
            store.commit([base | {"incident_id": f"inc-{n:06d}"} for n in range(start, start + 10_000)])
    return path


@pytest.mark.parametrize("chunks", [jsonl_chunks, csv_chunks])
def test_exporting_100000_incidents_holds_one_at_a_time(hundred_thousand: Path, chunks: Callable[..., Any]) -> None:
    db = open_reader(hundred_thousand)
    written = rows = 0
    tracemalloc.start()
    try:
        for chunk in chunks(iter_incidents(db, Filters())):
            written += len(chunk)
            rows += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.close()
    assert rows == 100_000 + (chunks is csv_chunks)
    assert written > 15_000_000
    assert peak < 1_000_000, f"peak {peak:,} bytes of Python memory while writing {written:,} characters"
