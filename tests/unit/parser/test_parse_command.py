"""`jikenbo parse`: the offline tool prints what the agent would publish."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import schemas
from schemas.raw_post import document_post
from services.parser.handling import incidents_from_post

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / "services" / "demo" / "corpus"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "parse", *args], cwd=REPO, input=stdin.decode() if stdin else None,
        capture_output=True, text=True, timeout=120,
    )


def test_parse_001_yields_its_eight_incidents_in_order() -> None:
    (seed,) = SEEDS.glob("001_*.txt")
    result = run(str(seed))
    assert result.returncode == 0, result.stderr
    incidents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [i["case_id"] for i in incidents] == [
        "2023-106", "2023-105", "2023-104", "2023-103", "2023-102", "2023-101", "2023-104", None,
    ]
    assert incidents[0]["organization"] == "エン・ジャパン株式会社"
    for incident in incidents:
        schemas.validate("incident", incident)


def test_parse_prints_what_the_agent_code_produces() -> None:
    (seed,) = SEEDS.glob("002_*.txt")
    printed = [json.loads(line) for line in run(str(seed)).stdout.splitlines()]
    agent = incidents_from_post(document_post(str(seed), seed.read_text(encoding="utf-8")))
    assert [i["incident_id"] for i in printed] == [i["incident_id"] for i in agent]


def test_all_adds_non_incident_lines_and_stdin_works() -> None:
    (seed,) = SEEDS.glob("004_*.txt")
    result = run("--all", "-", stdin=seed.read_bytes())
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds.count("non_incident") >= 1 and kinds.count("incident") == 4


def test_unreadable_input_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = run(str(bad), str(tmp_path / "missing.txt"))
    assert result.returncode == 1, "input that cannot be read is a runtime failure (1), not a usage error (2)"
    assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_explain_shows_every_field_with_its_rule_and_source(tmp_path: Path) -> None:
    post = tmp_path / "news.txt"
    post.write_text("高松市は5日、職員が市民120人分の氏名と住所を記載した名簿を誤って送付したと発表した。", encoding="utf-8")
    result = run("--explain", str(post))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "高松市" in out and "why: subject of the lead" in out
    for field in ("organization", "disclosed_on", "sector", "incident_types", "affected", "data_types", "vendors"):
        assert field in out


def test_explain_with_all_says_why_a_segment_is_not_an_incident(tmp_path: Path) -> None:
    post = tmp_path / "seminar.txt"
    post.write_text("情報セキュリティ研修会を開催します。参加無料。事前申込みが必要です。", encoding="utf-8")
    result = run("--explain", "--all", str(post))
    assert "not an incident" in result.stdout and "why:" in result.stdout


def test_a_file_over_the_parser_limits_is_reported_and_the_others_parse(tmp_path: Path) -> None:
    config = tmp_path / "jikenbo.toml"
    config.write_text("[parser]\nmax_post_chars = 20000\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text("【セキュリティ事件簿#2025-001】株式会社X 不正アクセス 2025/1/1\n\n" + "\u3000x" * 25_000, encoding="utf-8")
    (seed,) = SEEDS.glob("003_*.txt")
    result = run("--config", str(config), str(big), str(seed))
    assert result.returncode == 1
    assert f"jikenbo: {big}: post text is 50,0" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1, "the other file still parses"
