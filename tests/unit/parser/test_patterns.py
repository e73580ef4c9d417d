"""Alternations compiled with a first-character lookahead match exactly what the plain pattern matches."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st

from services.parser.patterns import compile_alternatives, first_characters

CUES = ["(?:漏えい|流出)(?:し|され)", "誤って[^。]{0,10}?送信", "[0-9]+件", "不正(?:アクセス|ログイン)を受け"]


def test_first_characters_of_an_alternation() -> None:
    assert first_characters("(?:漏えい|流出)し|誤って") == {"漏", "流", "誤"}
    assert first_characters("[0-9]+件") == set("0123456789")


def test_a_pattern_that_may_match_nothing_has_no_first_characters() -> None:
    assert first_characters("(?:が)?発生") is not None
    assert first_characters("a*") is None


@given(st.text(alphabet="漏えい流出しされ誤って送信不正アクセスログインを受け件。0123456789 ", max_size=80))
def test_the_fast_pattern_finds_the_same_matches(text: str) -> None:
    plain = re.compile("|".join(f"(?:{cue})" for cue in CUES))
    assert [m.span() for m in compile_alternatives(CUES).finditer(text)] == [m.span() for m in plain.finditer(text)]
