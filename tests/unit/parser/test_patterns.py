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


SHAPES = ["(?<!ご)心配|(?<!再発)防止", "[0-9]{1,2}月[0-9]{1,2}日", "、{1,3}および|及び", "(?:某)?ある(?:企業|会社)",
          "(?P<name>[一-龥]{2,4})[にへ]委託", "[っる]た", "(?:が|の)?(?:提供|運用)(?:する|した)"]


@given(st.text(alphabet="ご心配再発防止0123456789月日、および及び某ある企業会社委託にへっるたがの提供運用するした一二 ", max_size=80))
def test_rewritten_shapes_find_the_same_matches_and_groups(text: str) -> None:
    plain = re.compile("|".join(f"(?:{shape})" for shape in SHAPES))
    fast = compile_alternatives(SHAPES)
    assert [(m.span(), m.group()) for m in fast.finditer(text)] == [(m.span(), m.group()) for m in plain.finditer(text)]


def _cue_groups() -> list[list[str]]:
    from services.parser.resources import data

    table = data("disclosure_cues")
    return [group["cues"] for side in ("incident", "non_incident") for group in table[side].values()]


_FRAGMENTS = sorted({part for cues in _cue_groups() for cue in cues for part in re.split(r"[()|?:\[\]{}*+\\^$.!<=0-9,-]+", cue)
                     if part} | {"、", "。", "\n", "が", "を", "12"})


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12))
def test_the_disclosure_cues_match_as_written(pieces: list[str]) -> None:
    text = "".join(pieces)  # fragments of the cues themselves, so that matches are frequent
    for cues in _cue_groups():
        plain = re.compile("|".join(f"(?:{cue})" for cue in cues), re.MULTILINE)
        fast = compile_alternatives(cues, re.MULTILINE)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
