"""Counts: the phrase parser and the choice of the headline count."""

from __future__ import annotations

from hypothesis import given, strategies as st

from services.parser.core import parse_count
from services.parser.fields.counts import UNITS, headline_count
from services.parser.normalize import normalize


def test_reads_man_notation_with_spaces() -> None:
    assert parse_count("漏えい等のおそれ7万 4238 件") == (74238, "件", "7万4238件")


def test_keeps_the_approximately_prefix() -> None:
    assert parse_count("約140万通") == (1_400_000, "通", "約140万通")


def test_reads_people_with_bun_suffix() -> None:
    assert parse_count("255,765名分のWeb履歴書") == (255765, "名", "255,765名分")


def test_reads_companies() -> None:
    assert parse_count("17,891社") == (17891, "社", "17,891社")


def test_ordinal_mail_is_not_a_count() -> None:
    assert parse_count("3通目のメール") is None


def test_circled_number_is_not_part_of_the_count() -> None:
    assert headline_count(normalize("本件事態に伴い、②3378件の個人情報")).value.value == 3378


def test_headline_prefers_the_count_of_personal_records() -> None:
    text = "総データ件数:8987件\n\n内個人情報を含むデータ件数:2851件(メールアドレスによる一意:2121件)"
    assert headline_count(text).value.value == 2851


def test_headline_takes_the_largest_of_nested_counts() -> None:
    text = "お客様のクレジットカード情報4,387件および個人情報最大16,347件が漏えいした可能性"
    assert headline_count(text).value.value == 16347


def test_headline_reads_a_figure_under_its_label() -> None:
    assert headline_count("情報流出した可能性のあるお客さま数:\n17,891社").value.value == 17891


def test_devices_are_not_affected_people() -> None:
    assert headline_count("計2,000台以上のサーバーおよび端末を初期化").value is None


def _man(value: int) -> str:
    oku, rest = divmod(value, 100_000_000)
    man, ones = divmod(rest, 10_000)
    text = (f"{oku}億" if oku else "") + (f"{man}万" if man else "") + (str(ones) if ones else "")
    return text or "0"


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(UNITS))
def test_plain_count_round_trips(value: int, unit: str) -> None:
    assert parse_count(f"{value}{unit}")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(["件", "名", "通", "社", "アカウント"]))
def test_comma_count_round_trips(value: int, unit: str) -> None:
    assert parse_count(f"計 {value:,} {unit}の情報")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(["件", "名", "通"]), st.sampled_from(["", " "]))
def test_man_oku_count_round_trips(value: int, unit: str, space: str) -> None:
    assert parse_count(f"約{_man(value)}{space}{unit}")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**9))
def test_bun_suffix_counts_people(value: int) -> None:
    count, unit, text = parse_count(f"{value:,}名分")
    assert (count, unit) == (value, "名") and text.endswith("名分")


@given(st.text(alphabet="0123456789,.万億千約件名通社分目 ", max_size=40))
def test_parse_count_never_raises(text: str) -> None:
    result = parse_count(text)
    assert result is None or (isinstance(result[0], int) and result[0] >= 0)
