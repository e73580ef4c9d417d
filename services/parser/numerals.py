"""Kanji numerals as disclosures write them: 三千, 一万二千三百, 二〇二五, 十一, 元 (year one)."""

from __future__ import annotations

KANJI_DIGITS = "〇一二三四五六七八九"
KANJI_NUMERALS = KANJI_DIGITS + "十百千万億"
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "億": 100_000_000}


def kanji_value(num: str) -> int:
    """一万二千三百 -> 12300; 三千 -> 3000; 二〇二五 -> 2025 (digit by digit); 十一 -> 11."""
    total = section = digit = 0
    for char in num:
        if char in KANJI_DIGITS:
            digit = digit * 10 + KANJI_DIGITS.index(char)
        elif char in _SMALL:
            section += (digit or 1) * _SMALL[char]
            digit = 0
        elif char in _LARGE:
            total += (section + digit or 1) * _LARGE[char]
            section = digit = 0
    return total + section + digit
