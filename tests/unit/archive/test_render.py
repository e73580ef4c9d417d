"""Terminal output: Japanese columns line up (two cells per character), and `show` leaves nothing out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

from rich.cells import cell_len
from rich.console import Console

from services.archive.database import open_reader
from services.archive.query import Filters, StatRow, get_incident, list_incidents
from services.archive.render import bar, fit, list_line, show, stats_table
from services.archive.store import ArchiveStore, SeenAlert

from tests.unit.archive.conftest import make_alert

Make = Callable[..., dict[str, Any]]


def text_of(renderable: Any, width: int = 120) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_fit_counts_cells() -> None:
    assert cell_len(fit("国立研究開発法人量子科学技術研究開発機構", 15)) == 15
    assert fit("国立研究開発法人量子科学技術研究開発機構", 15).endswith("…")
    assert fit("NTT", 6) == "NTT   "
    assert cell_len(fit("小売・EC", 10)) == 10


def test_list_lines_line_up(archive_path: Path, incident: Make) -> None:
    with ArchiveStore(archive_path) as store:
        store.commit([
            incident(organization="国立研究開発法人量子科学技術研究開発機構", sector="research", incident_types=["ransomware"],
                     affected={"count": 74238, "unit": "件", "text": None}),
            incident(organization="NTT Com", sector="telecom_it", incident_types=[]),
            incident(organization=None, title="お知らせ", sector="retail_ecommerce", incident_types=["misdelivery", "defacement"]),
        ])
    lines = [list_line(item) for item in list_incidents(open_reader(archive_path), Filters()).items]
    ids = [line.index("inc-") for line in lines]
    assert len({cell_len(line[:at]) for line, at in zip(lines, ids)}) == 1, "\n".join(lines)
    newest, _, oldest = lines  # one date: the last archived first
    assert "74,238件" in oldest and "ランサムウェア" in oldest and "研究機関" in oldest
    assert "お知らせ" in newest and "誤送信・誤公開・改ざん" in newest


def test_stats_bars_start_in_one_column_whatever_the_labels() -> None:
    rows = [StatRow(("物流・運輸",), 40, 1200, 3), StatRow(("other",), 20, 0, 0), StatRow(("healthcare",), 5, 5, 1),
            StatRow(("nonexistent",), 1, 0, 0)]
    lines = [line for line in text_of(stats_table(rows, ("sector",), bar_width=20)).splitlines()[1:] if line.strip()]
    starts = {cell_len(line[: line.index(next(c for c in line if c in "█▏▎▍▌▋▊▉"))]) for line in lines}
    assert len(starts) == 1, "\n".join(lines)
    assert "物流・運輸" in lines[0] and "その他" in lines[1] and "医療" in lines[2] and "-" in lines[1]
    assert lines[0].count("█") == 20


def test_bars_are_proportional() -> None:
    assert bar(10, 10, 8) == "█" * 8
    assert bar(1, 16, 8) == "▌"
    assert bar(1, 10_000, 8) == "▏"  # never invisible
    assert bar(0, 10, 8) == "" and bar(3, 0, 8) == ""


def test_show_has_every_field_its_evidence_the_source_revisions_and_alerts(archive_path: Path, incident: Make) -> None:
    first = incident(organization="株式会社イセトー", vendors=["acmailer"], affected={"count": 120, "unit": "名", "text": "120名"},
                     evidence={"organization": {"rule": "signature", "text": "株式会社イセトー"},
                               "affected": {"rule": "largest count", "text": "約120名分"}},
                     body="一行目\n二行目\n三行目")
    second = first | {"affected": {"count": 3400, "unit": "名", "text": "3,400名"}, "body": "一行目\n二行目（訂正）\n三行目",
                      "source": first["source"] | {"content_hash": "edited", "fetched_at": "2024-05-03T00:00:00+00:00"}}
    with ArchiveStore(archive_path) as store:
        store.commit([first], [SeenAlert(make_alert(first, "suppliers"), "jikenbo.alerts")])
        store.commit([second])
    record = get_incident(open_reader(archive_path), first["incident_id"])
    assert record is not None
    out = text_of(show(record), width=160)
    for expected in ("株式会社イセトー", "signature", "largest count: 約120名分", "3,400名", "acmailer", first["source"]["url"],
                     "v1 → v2", "- affected.count: 120", "+ affected.count: 3400", "-二行目", "+二行目（訂正）",
                     "suppliers", "jikenbo.alerts", "sector=other", "version 2", "三行目"):
        assert expected in out, expected
