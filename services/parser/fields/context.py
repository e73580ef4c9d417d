"""Clause-level context shared by the field extractors.

A keyword only counts when its clause asserts it: "漏えいは確認されておりません"
negates, "ウイルス感染の危険がありますので" merely warns, and text under a
再発防止/今後の対策 heading describes countermeasures, not the incident.
"""

from __future__ import annotations

import re
from typing import Iterator

from services.parser.patterns import compile_alternatives

# Searched after every cue; the groups and lookbehinds keep the engine from skipping ahead
# to a possible first character by itself, so compile_alternatives adds that skip.
_NEGATION = compile_alternatives([
    r"ありません|ございません|おりません|いません|ませんでした|なかった|ないこと|ない旨|なし|はない|ではない|"
    r"認められない|確認されない|無い|対象外|"
    r"(?:て|で)いない|(?:て|で)おらず|形跡はなく|事実はなく|痕跡はなく"
])
_ADVISORY = compile_alternatives([
    r"危険があり|危険性があり|(?<!ご)心配|ご注意|注意喚起|お願い|ください|を防|(?<!再発)防止|予防|未然に|対策として|対策を|に備え|の有無"
])
_ADVISORY_AFTER = re.compile(
    r"^\s*(?:等|など)?\s*(?:の)?(?:防止|対策|対応策|から守|を防|の防止|への対策|の危険|対策)"
    r"|^\s*(?:等|など)?\s*の(?:影響|有無|可能性)(?:について|を)調査"  # only looked for: "改ざん等の影響について調査"
)
_CLAUSE_CUT = re.compile(r"が、|ましたが|ですが|ものの|[。\n]")
_SHORT_CUT = re.compile(r"[、。\n]|ので")
# A continuative verb before a comma ("を受け、", "とみられ、", "が発生し、") closes the clause.
_VERB_THEN_COMMA = re.compile(r"[けりしてでみきちれ]、")

_TOP_MARK = re.compile(r"^(?:#+\s*|[0-9]+\s*[.)](?![0-9])|[■□◆◇【]|第[0-9一二三四五六七八九十]+)")
_SUB_MARK = re.compile(r"^(?:\([0-9]+\)|[①-⑳]|[●○▼▽<〈])")
_WHAT_HAPPENED = re.compile(r"概要|経緯|経過|原因|事案|事件|事故|流出|漏えい|漏洩|不正アクセス|お詫び|発生")
_COUNTERMEASURE_HEADING = re.compile(r"再発防止|防止策|対策|今後の対応|今後の取り?組み?|改善策|強化策|セキュリティ強化|今後について")


def clause_after(text: str, end: int, limit: int = 60) -> str:
    """The rest of the clause after position `end` (stops at 。, newline or 'が、')."""
    window = text[end:end + limit]
    cut = _CLAUSE_CUT.search(window)
    return window[:cut.start()] if cut else window


def is_negated(text: str, end: int, limit: int = 60) -> bool:
    """True when the clause after a keyword denies it (…は確認されておりません). A verb
    that ends its own clause first ("不正アクセスを受け、流出は確認されていません")
    asserts the keyword; the denial after it is about something else."""
    clause = clause_after(text, end, limit)
    own = _VERB_THEN_COMMA.search(clause)
    return bool(_NEGATION.search(clause[:own.start()] if own else clause))


def is_advisory(text: str, end: int) -> bool:
    """True when a keyword is only warned about or guarded against, not reported."""
    window = text[end:end + 40]
    if _ADVISORY_AFTER.match(window):
        return True
    cut = _SHORT_CUT.search(window)
    return bool(_ADVISORY.search(window[:cut.end()] if cut else window))


def heading_level(line: str) -> int:
    """1 for a line that opens a section (numbered, bracketed, ending in について), 2 for a
    sub-heading ((1), ①, <…>), 0 otherwise."""
    text = line.strip()
    if not text or len(text) > 45 or text.endswith("。"):
        return 0
    if _TOP_MARK.match(text) or text.endswith(("について", "に関して", "に関するお知らせ")):
        return 1
    return 2 if _SUB_MARK.match(text) else 0


_HEADING_BODY = r"[ \t]*+(?:[#0-9■□◆◇【第(●○▼▽<〈].{0,44}|.{0,44}(?:について|に関して|お知らせ)[ \t]*)$"
# A line that may be a heading, read from the line feed before it: the engine skips ahead
# to a literal "\n" fast, while a pattern opening with ^ is tried at every position.
_HEADING_LINE = re.compile(rf"(?m)\n({_HEADING_BODY})")
_FIRST_HEADING_LINE = re.compile(rf"(?m){_HEADING_BODY}")


def _heading_lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    """(start, text) of the lines that may be headings, from `start` (0 or just after a line feed) on."""
    if start == 0:  # the first line has no line feed before it
        first = _FIRST_HEADING_LINE.match(text)
        if first is not None:
            yield 0, first.group()
    for match in _HEADING_LINE.finditer(text, max(0, start - 1)):
        yield match.start(1), match.group(1)


def countermeasure_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of `text` that sit in countermeasure sections (再発防止策, 今後の対策 …).
    A top-level heading opens or closes such a section; a sub-heading can only open one."""
    spans: list[tuple[int, int]] = []
    # A section can only open at a heading that names a countermeasure, and nothing
    # before the first such word matters: start at its line (most posts have none).
    first = _COUNTERMEASURE_HEADING.search(text)
    if first is None:
        return spans
    opened = -1
    for start, line in _heading_lines(text, text.rfind("\n", 0, first.start()) + 1):
        level = heading_level(line)
        if level == 0:
            continue
        counter = _COUNTERMEASURE_HEADING.search(line)
        # "…事件の概要と今後の対応について", "原因と再発防止策": a title for the whole report or
        # a section that also tells what happened, not one of countermeasures only
        is_counter = counter is not None and not _WHAT_HAPPENED.search(line, 0, counter.start())
        if level == 1 and not is_counter and opened >= 0:
            spans.append((opened, start))
            opened = -1
        elif is_counter and opened < 0:
            opened = start
    if opened >= 0:
        spans.append((opened, len(text)))
    return spans
