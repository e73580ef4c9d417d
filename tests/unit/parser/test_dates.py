"""Date parsing: western, numeric, era, spaced, full-width and OCR-damaged dates."""

from __future__ import annotations

from datetime import date

from hypothesis import given, strategies as st

from services.parser.core import parse_date
from services.parser.fields.dates import is_date_line, trailing_date
from services.parser.normalize import normalize

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_reads_an_era_date() -> None:
    assert parse_date("令和7年1月9日(木)") == date(2025, 1, 9)


def test_reads_the_first_year_of_an_era() -> None:
    assert parse_date("平成元年4月1日") == date(1989, 4, 1)


def test_reads_a_spaced_date() -> None:
    assert parse_date("<2024 年5 月10 日 (金) >") == date(2024, 5, 10)


def test_repairs_ocr_letters_inside_a_date() -> None:
    assert parse_date("事故報告書届出日 : 2o24 年5 月24 日") == date(2024, 5, 24)


def test_does_not_read_ocr_noise_outside_a_date() -> None:
    assert parse_date("本件発覚後 zo にシステム会社が点検") is None


def test_reads_numeric_dates() -> None:
    assert parse_date("2025/3/7") == date(2025, 3, 7)
    assert parse_date("2023/03/30") == date(2023, 3, 30)


def test_rejects_impossible_dates() -> None:
    assert parse_date("2024年13月1日") is None
    assert parse_date("2023年2月30日") is None


def test_reads_kangxi_month_and_day_after_normalisation() -> None:
    assert parse_date(normalize("2022 年 5 ⽉ 9 ⽇夜")) == date(2022, 5, 9)


def test_trailing_date_is_the_date_a_header_ends_with() -> None:
    value, start = trailing_date("相澤病院 患者さん個人情報等の漏えいについて 2023年3月29日")
    assert value == date(2023, 3, 29)
    assert start == len("相澤病院 患者さん個人情報等の漏えいについて ")


def test_a_timeline_row_is_not_a_date_line() -> None:
    assert is_date_line("2019年9月24日")
    assert not is_date_line("2023年9月4日\t当社関係者より連絡")


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(dates)
def test_western_date_round_trips(value: date) -> None:
    assert parse_date(f"{value.year}年{value.month}月{value.day}日") == value


@given(dates, st.sampled_from(["", " ", "  "]))
def test_spaced_date_round_trips(value: date, space: str) -> None:
    text = f"{value.year}{space}年{space}{value.month}{space}月{space}{value.day}{space}日"
    assert parse_date(text) == value


@given(dates, st.sampled_from(["/", ".", "-"]), st.booleans())
def test_numeric_date_round_trips(value: date, sep: str, padded: bool) -> None:
    month, day = (f"{value.month:02d}", f"{value.day:02d}") if padded else (value.month, value.day)
    assert parse_date(f"公表日 {value.year}{sep}{month}{sep}{day} 更新") == value


@given(dates)
def test_full_width_date_round_trips_after_normalisation(value: date) -> None:
    text = f"{value.year}年{value.month}月{value.day}日".translate(_FULLWIDTH)
    assert parse_date(normalize(text)) == value


@given(st.dates(min_value=date(2019, 5, 1), max_value=date(2099, 12, 31)))
def test_reiwa_date_round_trips(value: date) -> None:
    era_year = value.year - 2018
    year_text = "元" if era_year == 1 else str(era_year)
    assert parse_date(f"令和{year_text}年{value.month}月{value.day}日") == value


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_letter_o_for_zero_in_the_year_is_repaired(value: date) -> None:
    year = str(value.year).replace("0", "o", 1)
    assert parse_date(f"{year} 年{value.month} 月{value.day} 日") == value


@given(st.text(alphabet="年月日/.-oOlI 0123456789令和平成元", max_size=40))
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, date)


def test_reads_a_date_in_kanji_numerals() -> None:
    assert parse_date("令和七年一月九日") == date(2025, 1, 9)
    assert parse_date("二〇二五年一月九日") == date(2025, 1, 9)


def test_reads_an_abbreviated_era_date() -> None:
    assert parse_date("R7.1.9") == date(2025, 1, 9)
    assert parse_date("H30/4/1") == date(2018, 4, 1)


def test_a_kanji_year_without_an_era_is_not_a_calendar_year() -> None:
    assert parse_date("十年一月一日") is None


_KANJI = "〇一二三四五六七八九"


@given(st.dates(min_value=date(2019, 5, 1), max_value=date(2099, 12, 31)))
def test_kanji_reiwa_date_round_trips(value: date) -> None:
    def kanji(number: int) -> str:
        tens, ones = divmod(number, 10)
        return (("" if tens == 1 else _KANJI[tens]) + "十" if tens else "") + (_KANJI[ones] if ones else "")

    era_year = value.year - 2018
    text = f"令和{'元' if era_year == 1 else kanji(era_year)}年{kanji(value.month)}月{kanji(value.day)}日"
    assert parse_date(text) == value
