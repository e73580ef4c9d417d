"""Counts of affected people or records: 7万4238件, 約140万通, 255,765名分, 17,891社, 約三千人分.

`parse_count` reads one count phrase; `headline_count` picks the count a disclosure
leads with. The rule for the headline: only counts whose context speaks of people,
records or the leak itself qualify; counts that speak of people or personal data
(or whose unit counts people) outrank the rest; among equals the largest wins,
because figures in a release nest (card data 4,387 within personal data 16,347;
five categories within "上記207名").
"""

from __future__ import annotations

import re
from typing import NamedTuple

from services.parser.evidence import Evidence, Found
from services.parser.normalize import compact
from services.parser.numerals import kanji_value

UNITS = ("アカウント", "アドレス", "世帯", "団体", "口座", "件", "名", "人", "通", "社", "校", "枚", "ID")
_NP = r"\d{1,3}(?:,\d{3})++|\d++(?:\.\d++)?"
_NP_REST = r"\d{0,2}(?:,\d{3})++|\d*+(?:\.\d++)?"  # an _NP after its first digit
_SP = r"[ \t]{0,3}"
# The pattern starts with a digit (so the regex engine skips ahead to digits) and
# checks with a lookbehind that the digit starts a number; a prefix such as 約 is
# read from the text before the match.
_COUNT_RE = re.compile(
    rf"(?P<num>\d(?<![\d,.億万千]\d)(?:{_NP_REST})"
    rf"(?:{_SP}[億万千](?:{_SP}(?:{_NP}){_SP}[億万千]){{0,2}}(?:{_SP}(?:{_NP}))?)?)"
    rf"{_SP}(?P<unit>{'|'.join(UNITS)})(?P<bun>分)?(?![目間台前後])"
)
# Counts in kanji numerals (三千件, 二万人, 約千二百名): a single numeral must not follow
# another ideograph (other than 約, 計, 最大), so 統一件 and 同一人物 are not read as numbers.
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff々〇]")
_KANJI_COUNT_RE = re.compile(
    r"(?P<num>[一二三四五六七八九十百千][〇一二三四五六七八九十百千万億]*)"
    rf"{_SP}(?P<unit>{'|'.join(UNITS)})(?P<bun>分)?(?![目間台前後])(?!ひとり)"
)
_PREFIX_RE = re.compile(r"(約|最大|およそ|計|合計|総計|延べ)[ \t]{0,3}$")
_PART_RE = re.compile(rf"({_NP}){_SP}([億万千]?)")
_MULT = {"億": 100_000_000, "万": 10_000, "千": 1_000, "": 1}
_KEEP_PREFIX = ("約", "最大", "およそ")

_PERSON_UNITS = frozenset({"名", "人", "アカウント", "世帯"})
_PERSON_CTX = re.compile(
    r"個人情報|個人データ|お客様|お客さま|顧客|会員|患者|利用者|ユーザー|方々|生徒|学生|児童|職員|従業員|"
    r"応募者|申込者|受験者|登録者|対象者|カード情報|漏洩した件数|漏えいした件数|漏えい件数|漏洩件数|流出件数|対象件数"
)
_AFFECT_CTX = re.compile(
    r"漏えい|漏洩|流出|対象|件数|不正ログイン|閲覧|可能性|おそれ|恐れ|被害|該当|送信|アクセス|影響|含まれ|抜き取|"
    r"データ|情報|誤送信|紛失"
)


class Count(NamedTuple):
    value: int
    unit: str
    text: str


def _value(num: str) -> int:
    if num[0] in "一二三四五六七八九十百千":
        return kanji_value(num)
    total = 0.0
    for number, mult in _PART_RE.findall(num):
        total += float(number.replace(",", "")) * _MULT[mult]
    return int(round(total))


def _count(match: re.Match[str], text: str) -> Count:
    prefix = _PREFIX_RE.search(text, max(0, match.start() - 6), match.start())
    shown = match.group(0)
    if prefix and prefix.group(1) in _KEEP_PREFIX:
        shown = prefix.group(1) + shown
    return Count(_value(match.group("num")), match.group("unit"), compact(shown))


def _matches(text: str) -> list[re.Match[str]]:
    """Count phrases in Arabic and in kanji numerals, in text order."""
    found = list(_COUNT_RE.finditer(text))
    if any(char in text for char in "一二三四五六七八九十百千"):
        found.extend(match for match in _KANJI_COUNT_RE.finditer(text)
                     if match.start() == 0 or len(match.group("num")) > 1 or text[match.start() - 1] in "約計大"
                     or not _IDEOGRAPH.match(text, match.start() - 1))
        found.sort(key=lambda match: match.start())
    return found


def parse_count(text: str) -> tuple[int, str, str] | None:
    """The first count phrase in `text` as (value, unit, phrase), or None."""
    match = next(iter(_matches(text)), None)
    return tuple(_count(match, text)) if match else None  # type: ignore[return-value]


def headline_count(text: str) -> Found[Count | None]:
    """The count a disclosure leads with (see module docstring), or None."""
    best: tuple[int, int, int] | None = None
    best_count: Count | None = None
    best_context = ""
    for match in _matches(text):
        count = _count(match, text)
        if count.value <= 0:
            continue
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        # the line before ("対象:" / "お客さま数:" above the figure) counts as context
        previous = text[max(0, line_start - 42):line_start].rstrip("\n ")
        previous = previous[previous.rfind("\n") + 1:]
        line_end = text.find("\n", match.end())
        after = text[match.end():min(match.end() + 12, line_end if line_end >= 0 else len(text))]
        context = previous + " " + text[max(line_start, start - 40):start] + after
        if count.unit in _PERSON_UNITS or _PERSON_CTX.search(context):
            tier = 2
        elif _AFFECT_CTX.search(context) or count.unit in ("通", "社"):
            tier = 1
        else:
            continue
        key = (tier, count.value, -start)  # the earliest phrase wins a tie
        if best is None or key > best:
            best, best_count, best_context = key, count, text[max(line_start, start - 40):match.end() + 12]
    if best is None or best_count is None:
        return Found(None, Evidence("no count of people or records stated"))
    rule = "largest count of people or personal data" if best[0] == 2 else "largest count of records or mails"
    return Found(best_count, Evidence(rule, best_context))
