"""Dates as disclosures write them: 2023年3月29日, 2023/03/30, 令和7年1月9日, 2024 年5 月10 日, 2o24.

Input is normalised text (NFKC: full-width digits are ASCII already). OCR noise is
only repaired *inside* a date pattern (o/O -> 0, l/I/| -> 1), never in running text,
so a word that merely contains an ``o`` is never read as a number.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

_D = r"[0-9oOlI|]"
_SP = r"[ \t]{0,3}"
_DATE_RE = re.compile(
    # Western with 年月日, spaces and OCR digits allowed: 2024 年5 月10 日, 2o24年6月4日
    rf"(?<![0-9A-Za-z])(?P<y>[12]{_D}{{3}}){_SP}年{_SP}(?P<m>{_D}{{1,2}}){_SP}月{_SP}(?P<d>{_D}{{1,2}}){_SP}日"
    # Japanese era: 令和7年1月9日, 平成元年4月1日
    rf"|(?P<era>令和|平成|昭和){_SP}(?P<ey>元|\d{{1,2}}){_SP}年{_SP}(?P<em>\d{{1,2}}){_SP}月{_SP}(?P<ed>\d{{1,2}}){_SP}日"
    # Numeric: 2023/03/30, 2025/3/7, 2023.3.30, 2023-03-30
    rf"|(?<![0-9A-Za-z./-])(?P<ny>(?:19|20)\d\d)[ ]?(?P<sep>[/.-])[ ]?(?P<nm>\d{{1,2}})[ ]?(?P=sep)[ ]?(?P<nd>\d{{1,2}})(?![0-9])"
)
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
        else:
            year, month, day = int(match.group("ny")), int(match.group("nm")), int(match.group("nd"))
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


def is_date_line(line: str) -> bool:
    """True for a line that is only a date (the top line of a press release)."""
    stripped = line.strip().lstrip("#").strip()
    if len(stripped) > 30:
        return False
    for _, start, end in find_dates(stripped):
        head = stripped[:start].strip()
        return (not head or head.endswith(("発表", "公表", "更新", "日付", ":"))) and bool(_TRAILER.match(stripped, end))
    return False
