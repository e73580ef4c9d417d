"""Dates as disclosures write them: 2023年3月29日, 2023/03/30, 令和7年1月9日, 2024 年5 月10 日, 2o24,
令和七年一月九日, 二〇二五年一月九日, R7.1.9.

Input is normalised text (NFKC: full-width digits are ASCII already). OCR noise is
only repaired *inside* a date pattern (o/O -> 0, l/I/| -> 1), never in running text,
so a word that merely contains an ``o`` is never read as a number.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from services.parser.numerals import KANJI_DIGITS, kanji_value
from services.parser.patterns import compile_alternatives

_D = r"[0-9oOlI|]"
_SP = r"[ \t]{0,3}"
# The alternatives are tried only where one can start (a digit, an era, a kanji numeral …):
# lines are read one by one for dates, and most positions start none.
_DATE_RE = compile_alternatives([
    # Western with 年月日, spaces and OCR digits allowed: 2024 年5 月10 日, 2o24年6月4日
    rf"(?<![0-9A-Za-z])(?P<y>[12]{_D}{{3}}){_SP}年{_SP}(?P<m>{_D}{{1,2}}){_SP}月{_SP}(?P<d>{_D}{{1,2}}){_SP}日",
    # Japanese era: 令和7年1月9日, 平成元年4月1日
    rf"(?P<era>令和|平成|昭和){_SP}(?P<ey>元|\d{{1,2}}){_SP}年{_SP}(?P<em>\d{{1,2}}){_SP}月{_SP}(?P<ed>\d{{1,2}}){_SP}日",
    # Numeric: 2023/03/30, 2025/3/7, 2023.3.30, 2023-03-30
    r"(?<![0-9A-Za-z./-])(?P<ny>(?:19|20)\d\d)[ ]?(?P<sep>[/.-])[ ]?(?P<nm>\d{1,2})[ ]?(?P=sep)[ ]?(?P<nd>\d{1,2})(?![0-9])",
    # Kanji numerals: 令和七年一月九日, 二〇二五年一月九日
    rf"(?P<kera>令和|平成|昭和)?{_SP}(?P<ky>[{KANJI_DIGITS}十元]{{1,4}}){_SP}年{_SP}(?P<km>[{KANJI_DIGITS}十]{{1,3}}){_SP}月"
    rf"{_SP}(?P<kd>[{KANJI_DIGITS}十]{{1,3}}){_SP}日",
    # Abbreviated era: R7.1.9, H30/4/1
    r"(?<![0-9A-Za-z])(?P<ae>[RHS])[ ]?(?P<ay>\d{1,2})(?P<asep>[./])(?P<am>\d{1,2})(?P=asep)(?P<ad>\d{1,2})(?![0-9])",
])
_ERA_LETTER = {"R": "令和", "H": "平成", "S": "昭和"}
_OCR = str.maketrans("oOlI|", "00111")
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}
_MIN_YEAR, _MAX_YEAR = 1980, 2100
_TRAILER = re.compile(r"[ \t]*(?:\([^()]{0,12}\))?[ \t]*(?:(?:公開|公表|発表|更新|掲載))?[ \t]*$")


def _ocr_int(text: str) -> int | None:
    """Digits with OCR look-alikes repaired; None when too few real digits remain."""
    real = sum(ch.isdigit() for ch in text)
    if real * 4 < len(text) * 3 and len(text) > 2:  # at most one letter in a 4-digit year
        return None
    return int(text.translate(_OCR))


def _to_date(match: re.Match[str]) -> date | None:
    try:
        if match.group("y"):
            year, month, day = _ocr_int(match.group("y")), _ocr_int(match.group("m")), _ocr_int(match.group("d"))
            if year is None or month is None or day is None:
                return None
        elif match.group("era"):
            era_year = 1 if match.group("ey") == "元" else int(match.group("ey"))
            year = _ERA_BASE[match.group("era")] + era_year
            month, day = int(match.group("em")), int(match.group("ed"))
        elif match.group("ny"):
            year, month, day = int(match.group("ny")), int(match.group("nm")), int(match.group("nd"))
        elif match.group("ky"):
            era_year = 1 if match.group("ky") == "元" else kanji_value(match.group("ky"))
            era = match.group("kera")
            if era:
                year = _ERA_BASE[era] + era_year
            elif era_year >= 1000:
                year = era_year
            else:
                return None  # "十年一月" with no era: not a calendar year
            month, day = kanji_value(match.group("km")), kanji_value(match.group("kd"))
        else:
            year = _ERA_BASE[_ERA_LETTER[match.group("ae")]] + int(match.group("ay"))
            month, day = int(match.group("am")), int(match.group("ad"))
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> Iterator[tuple[date, int, int]]:
    """Every valid date in `text` with its span, in order."""
    for match in _DATE_RE.finditer(text):
        value = _to_date(match)
        if value is not None:
            yield value, match.start(), match.end()


def parse_date(text: str) -> date | None:
    """The first valid date written in `text`, or None."""
    return next((value for value, _, _ in find_dates(text)), None)


def trailing_date(line: str) -> tuple[date, int] | None:
    """The date a header line ends with, and where it starts (header titles end in their date)."""
    last = None
    for value, start, end in find_dates(line):
        if _TRAILER.match(line, end):
            last = (value, start)
    return last


# Labels a date line may start with: "更新日:", "発表日時 ", "公表日".
_DATE_FIELDS = ("発表", "公表", "更新", "日付", ":", "日時", "発表日", "公表日", "更新日", "掲載日", "作成日", "公開日", "発行日",
                "報告日", "発信日")


def is_date_line(line: str) -> bool:
    """True for a line that is only a date (the top line of a press release)."""
    stripped = line.strip().lstrip("#").strip()
    if len(stripped) > 30:
        return False
    for _, start, end in find_dates(stripped):
        head = stripped[:start].strip()
        return (not head or head.endswith(_DATE_FIELDS)) and bool(_TRAILER.match(stripped, end))
    return False
