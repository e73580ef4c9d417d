"""The parser's per-post limits: too long, too slow, too many incidents (issue 11)."""

from __future__ import annotations

import time

import pytest

from services.common import serde
from services.common.config import ParserConfig
from services.parser.deadline import PostDeadline, deadline
from services.parser.handling import handle_raw
from services.parser.offline import parse_paths

HEADER = "【セキュリティ事件簿#2025-{n:03d}】株式会社テスト{n} 不正アクセスに関するお知らせ 2025/1/1\n\n当社サーバが不正アクセスを受け、個人情報が漏えいしました。\n\n"


def raw(text: str) -> bytes:
    return serde.dumps({"post_id": "p", "title": "", "text": text})


def test_a_post_over_the_length_cap_is_dead_lettered_at_once_with_the_reason() -> None:
    text = HEADER.format(n=1) + "\u2003" * 5_000_000  # a header and 5 M spaces (15 MB of UTF-8)
    started = time.perf_counter()
    handled = handle_raw(raw(text), ParserConfig(max_post_chars=1_000_000))
    assert time.perf_counter() - started < 2.0
    assert handled.incidents == [] and handled.dead_letter is not None
    assert "over parser.max_post_chars (1,000,000); not parsed" in handled.dead_letter["reason"]
    assert handled.dead_letter["post"]["text"] == text, "the post is kept whole for a replay"


def test_a_post_that_overruns_its_deadline_is_dead_lettered_and_the_next_one_parses() -> None:
    slow, quick = ParserConfig(post_deadline=0.0005), ParserConfig()
    text = "".join(HEADER.format(n=n) for n in range(1, 40))
    late = handle_raw(raw(text), slow)
    assert late.dead_letter is not None and late.incidents == []
    assert "longer than parser.post_deadline" in late.dead_letter["reason"]
    assert late.dead_letter["error_type"] == "PostDeadline"
    assert len(handle_raw(raw(text), quick).incidents) == 39, "the timer of the late post is gone"


def test_the_deadline_interrupts_a_busy_loop_and_stays_quiet_afterwards() -> None:
    with pytest.raises(PostDeadline):
        with deadline(0.05):
            while True:
                pass
    with deadline(0.05):
        pass
    time.sleep(0.1)  # a stale timer would raise here


def test_incidents_over_the_cap_publish_the_first_and_report_the_rest() -> None:
    text = "".join(HEADER.format(n=n) for n in range(1, 6))
    handled = handle_raw(raw(text), ParserConfig(max_incidents=2))
    assert [i["case_id"] for i in handled.incidents] == ["2025-001", "2025-002"]
    assert handled.dead_letter is not None
    assert handled.dead_letter["reason"] == (
        "post produced 5 incidents, over parser.max_incidents (2): the first 2 were published, the other 3 were not")


def test_offline_parse_reports_a_refused_file_and_goes_on(tmp_path) -> None:
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text(HEADER.format(n=1) + "x" * 5000, encoding="utf-8")
    small.write_text(HEADER.format(n=2), encoding="utf-8")
    refused: list[tuple[str, str]] = []
    lines = list(parse_paths([str(big), str(small)], limits=ParserConfig(max_post_chars=1000),
                             refused=lambda path, reason: refused.append((path, reason))))
    assert len(lines) == 1 and '"2025-002"' in lines[0]
    assert refused and refused[0][0] == str(big) and "max_post_chars" in refused[0][1]
