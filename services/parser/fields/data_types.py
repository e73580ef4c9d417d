"""Kinds of personal data involved, normalised to the vocabulary in ``data/data_types.toml``.

A term counts only where the text says it was involved: in a list of data items
(two or more terms in one sentence, or a short item line such as "・氏名"), or in
a sentence about the leak (漏えい, 流出, 閲覧, 含まれ, 対象 …). It does not count
when its clause denies it ("クレジットカード情報等の流出はございません") or when
the sentence is advice ("パスワードの変更をお願いします").

Terms outside the vocabulary: DESIGN.md section 4 says "others as written", and the
seed disclosures list such items (郵便番号, FAX番号, 契約番号), so they are reported
as written, but only the curated names under ``[extra]`` in ``data/data_types.toml``
(items that describe a person or their account). Free text is never turned into a
data type: a word the file does not list is not reported.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from services.parser.evidence import Evidence, Found
from services.parser.fields.context import clause_after
from services.parser.fields import lexicon
from services.parser.resources import data

_LEAK = re.compile(r"漏えい|漏洩|流出|閲覧|表示され|記録され|盗|窃取|抜き取|不正に取得|取得され|含まれ|対象|項目|内容|可能性|おそれ|恐れ|アクセス可能|登録され|保存され|格納され|記載され")
_ADVICE = re.compile(r"変更を|の変更|を変更|変更し|再設定|リセット|お願い|ご記入|ご入力の上|ご確認ください|お問い?合わせ|ご連絡ください|ご注意")
_NEG = re.compile(r"ありません|ございません|おりません|いません|ませんでした|含まれない|含みません|対象外|保有しておりません")
_ITEM_LINE = re.compile(r"^\s*(?:[・･\-*•●○■□◆◇]|[①-⑳]|\(?[0-9]+[).]|[a-z][).])?\s*")
_SENTENCE_END = re.compile(r"[。\n]")
_MAX_MENTIONS = 50


@functools.cache
def _tables() -> tuple[dict[str, tuple[str, str]], list[str]]:
    table = data("data_types")
    entries = {name: aliases for name, aliases in table["vocabulary"].items()}
    for extra in table.get("extra", {}).get("names", []):
        entries.setdefault(extra, [extra])
    keys: dict[str, tuple[str, str]] = {}
    for name, aliases in entries.items():
        for alias in aliases:
            keys.setdefault(alias, (name, alias))
            if " " not in alias and len(alias) > 2:  # "FAX 番号", "メール アドレス"
                for cut in range(2, len(alias) - 1):
                    if alias[cut - 1].isascii() != alias[cut].isascii():
                        keys.setdefault(alias[:cut] + " " + alias[cut:], (name, alias[:cut] + " " + alias[cut:]))
    return keys, list(entries)


lexicon.register("data", lambda: _tables()[0])


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    right_match = _SENTENCE_END.search(text, end)
    return left, (right_match.start() if right_match else len(text))


def _denied(text: str, end: int) -> bool:
    return bool(_NEG.search(clause_after(text, end, 45)))


def extract_data_types(text: str, hits: lexicon.Hits | None = None,
                       skip: Callable[[int], bool] | None = None) -> Found[list[str]]:
    """Canonical data-type names involved in the incident, in vocabulary order.
    `skip(position)` excludes countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    _, order = _tables()
    if hits is None:
        hits = lexicon.scan(text)
    by_sentence: dict[tuple[int, int], list[tuple[int, str]]] = {}
    seen: dict[str, int] = {}
    for end_index, (canonical, alias) in hits.get("data", ()):
        seen[canonical] = seen.get(canonical, 0) + 1
        if seen[canonical] > _MAX_MENTIONS:
            continue  # a term repeated thousands of times adds no information, only time
        end = end_index + 1
        start = end - len(alias)
        if skip is not None and skip(start):
            continue
        by_sentence.setdefault(_sentence_bounds(text, start, end), []).append((end, canonical))
    found: set[str] = set()
    quoted = ""
    for (left, right), items in by_sentence.items():
        sentence = text[left:right]
        distinct = {canonical for _, canonical in items}
        if _ADVICE.search(sentence):
            continue
        listing = len(distinct) >= 2
        # A short item line ("・氏名") counts under a heading or sentence about the leak.
        item_line = (len(sentence) <= 40 and len(_ITEM_LINE.sub("", sentence)) <= 30
                     and bool(_LEAK.search(text, max(0, left - 300), left)))
        if not (listing or item_line or _LEAK.search(sentence)):
            continue
        for end, canonical in items:
            if canonical not in found and not _denied(text, end):
                found.add(canonical)
                quoted = quoted or sentence
    names = [name for name in order if name in found]
    if not names:
        return Found(names, Evidence("no kind of data named as leaked"))
    return Found(names, Evidence("data items named where the leak is described", quoted))
