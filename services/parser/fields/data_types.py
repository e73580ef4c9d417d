"""Kinds of personal data involved, normalised to the vocabulary in ``data/data_types.toml``.

A term counts only where the text says it was involved: in a list of data items
(two or more terms in one sentence, or a short item line such as "・氏名"), or in
a sentence about the leak (漏えい, 流出, 閲覧, 含まれ, 対象 …). It does not count
when its clause denies it ("クレジットカード情報等の流出はございません") or when
the sentence is advice ("パスワードの変更をお願いします").
"""

from __future__ import annotations

import functools
import re

from services.parser.fields.context import clause_after
from services.parser.resources import automaton, data

_LEAK = re.compile(r"漏えい|漏洩|流出|閲覧|盗|窃取|抜き取|不正に取得|取得され|含まれ|対象|項目|内容|可能性|おそれ|恐れ|アクセス可能|登録され|保存され|格納され|記載され")
_ADVICE = re.compile(r"変更を|の変更|を変更|変更し|再設定|リセット|お願い|ご記入|ご入力の上|ご確認ください|お問い?合わせ|ご連絡ください|ご注意")
_NEG = re.compile(r"ありません|ございません|おりません|いません|ませんでした|含まれない|含みません|対象外|保有しておりません")
_ITEM_LINE = re.compile(r"^\s*(?:[・･\-*•●○■□◆◇]|[①-⑳]|\(?[0-9]+[).]|[a-z][).])?\s*")
_SENTENCE_END = re.compile(r"[。\n]")


@functools.cache
def _tables():
    table = data("data_types")
    entries = {name: aliases for name, aliases in table["vocabulary"].items()}
    for extra in table.get("extra", {}).get("names", []):
        entries.setdefault(extra, [extra])
    order = list(entries)
    return automaton(entries), order


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    right_match = _SENTENCE_END.search(text, end)
    return left, (right_match.start() if right_match else len(text))


def _denied(text: str, end: int) -> bool:
    return bool(_NEG.search(clause_after(text, end, 45)))


def extract_data_types(text: str) -> list[str]:
    """Canonical data-type names involved in the incident, in vocabulary order.
    Pass the text without its countermeasure sections."""
    machine, order = _tables()
    squeezed = text.replace(" ", "").replace("\u3000", "")  # "FAX 番号", "メール アドレス"
    hits = list(machine.iter_long(squeezed))
    if not hits:
        return []
    by_sentence: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for end_index, (canonical, alias) in hits:
        end = end_index + 1
        start = end - len(alias)
        by_sentence.setdefault(_sentence_bounds(squeezed, start, end), []).append((end, canonical))
    found: set[str] = set()
    for (left, right), items in by_sentence.items():
        sentence = squeezed[left:right]
        distinct = {canonical for _, canonical in items}
        if _ADVICE.search(sentence):
            continue
        listing = len(distinct) >= 2
        # A short item line ("・氏名") counts under a heading or sentence about the leak.
        item_line = (len(sentence) <= 40 and len(_ITEM_LINE.sub("", sentence)) <= 30
                     and bool(_LEAK.search(squeezed, max(0, left - 300), left)))
        if not (listing or item_line or _LEAK.search(sentence)):
            continue
        for end, canonical in items:
            if not _denied(squeezed, end):
                found.add(canonical)
    return [name for name in order if name in found]
