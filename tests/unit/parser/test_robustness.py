"""Pathological input: linear time, no exceptions."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings, strategies as st

from services.parser.core import parse_post
from tests.unit.parser.conftest import seed_text

H1 = "【セキュリティ事件簿#2023-106】株式会社サンプル 不正ログインについて 2023/03/30\n\n"
H2 = "\n\n【セキュリティ事件簿#2023-105】株式会社テスト 不正アクセスについて 2023/03/29\n\n本文"
ONE_MB = 1_000_000
# 0.1-0.4 s of CPU for most inputs, 0.7-1.2 s for a megabyte of em spaces in a header on a busy 2-core
# machine (the same before and after extraction rules were added: a flake at 1.0 s). A backtracking
# pattern takes minutes on a megabyte, so 3 s still catches one.
LIMIT_SECONDS = 3.0


@pytest.mark.parametrize("char", ["a", "1", "。", " ", "\n", "万", ".", "【", "日", "@", "/", "(", "-", "①", "⽇", "\t",
                                  "\u3000", "\u2003", "\u00a0", "\x0b", "\x0c", "\x1c"])
def test_one_megabyte_of_one_character_between_headers_parses_fast(char: str) -> None:
    text = H1 + char * ONE_MB + H2
    started = time.process_time()
    results = parse_post(text)
    elapsed = time.process_time() - started
    assert [r["case_id"] for r in results] == ["2023-106", "2023-105"]
    assert elapsed < LIMIT_SECONDS


@pytest.mark.parametrize("unit", ["1,", "7万", "2o24年", "約1", "設定", "・氏名\n", "a\n\n", "委託株式会社"])
def test_one_megabyte_of_a_repeated_phrase_stays_bounded(unit: str) -> None:
    text = H1 + unit * (ONE_MB // len(unit)) + H2
    started = time.process_time()
    parse_post(text)
    assert time.process_time() - started < 3 * LIMIT_SECONDS


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    for result in parse_post(text, include_non_incidents=True):
        assert result["kind"] in ("incident", "non_incident")


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=40_000), st.integers(min_value=1, max_value=2_000))
def test_any_cut_of_a_seed_never_raises(start: int, length: int) -> None:
    text = seed_text("002")[start:start + length]
    parse_post(text, title="【セキュリティ事件簿#2025-099】株式会社X 不正アクセス 2025/3/1", include_non_incidents=True)


def test_binary_garbage_decoded_as_text_never_raises() -> None:
    garbage = bytes(range(256)).decode("latin-1") * 2000
    parse_post(garbage, include_non_incidents=True)


@pytest.mark.parametrize("text", [
    "【セキュリティ事件簿#2025-001】\n" + "x" * ONE_MB + "\n【セキュリティ事件簿#2025-002】",  # no blank lines, no names
    "【セキュリティ事件簿#2025-001】" + "x" * ONE_MB + " 2025/1/1\n\n本文",  # one huge header line
    "【セキュリティ事件簿#2025-001】株式会社" + "あ" * ONE_MB + "\n\n本文",
    "【セキュリティ事件簿#2025-001】" + " " * ONE_MB,  # a header prefix and a run of spaces
    "【セキュリティ事件簿#2025-001】" + "\u3000" * ONE_MB + "\n\n本文",
    "【セキュリティ事件簿#2025-001】株式会社X" + "\u2003" * ONE_MB + "2025/1/1\n\n本文",
], ids=["bare-headers", "huge-header", "huge-header-japanese", "header-spaces", "header-ideographic-spaces", "header-em-spaces"])
def test_megabyte_headers_and_bodies_parse_fast(text: str) -> None:
    started = time.process_time()
    assert parse_post(text)
    assert time.process_time() - started < LIMIT_SECONDS
