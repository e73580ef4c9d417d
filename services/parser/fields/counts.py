"""Counts of affected people or records: 7万4238件, 約140万通, 255,765名分, 17,891社, 約三千人分.

`parse_count` reads one count phrase; `headline_count` picks the count a disclosure
leads with. How a careful reader picks it, rule by rule:

- Only counts of people, records, mails or companies qualify. Sheets and schools
  (枚, 校), things (書き込みが2件, 304件のファイル), bounce mails (500件の送信エラーメール)
  and the recipients of a mis-sent mail or letter (1719人に誤送付, 1万5,913件の宛先) do
  not; recipients do when the mail exposed their own addresses (TO instead of BCC).
- Counts whose context speaks of people or personal data, whose unit counts people,
  that count the spam the organisation's systems sent, or that are a stated total
  (計, 合計, 合わせて, …に上る) outrank the rest.
- Disjoint sub-counts (list items or side-by-side figures for different groups of
  people: 患者 481名 / 職員 941名, 個人12,899件、法人359件) with no stated total are not
  summed: no count. A total is any other count at least as large as their sum.
- A figure under a heading or label that names it as the affected number
  (3.漏えいした保有個人情報 … 480件, 対象件数:6,186アカウント) wins, unless a larger
  stated total exists.
- Otherwise the largest wins, because figures in a release nest (card data 4,387
  within personal data 16,347; five categories within "上記207名"); among equals the
  earliest.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from typing import Callable, Iterable, NamedTuple

from services.parser import resources
from services.parser.evidence import Evidence, Found
from services.parser.normalize import compact
from services.parser.numerals import kanji_value

UNITS = ("アカウント", "アドレス", "世帯", "団体", "口座", "件", "名", "人", "通", "社", "校", "枚", "ID")
# Thousands separated by a comma, sometimes followed by a space ("32, 255件" in text copied from a PDF).
_NP = r"\d{1,3}(?:, ?\d{3})++|\d++(?:\.\d++)?"
_NP_REST = r"\d{0,2}(?:, ?\d{3})++|\d*+(?:\.\d++)?"  # an _NP after its first digit
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
# Vague counts (数万人分, 数百件, 十数名, 1万数千件): README says they give no count. Read with
# their lower bound (数万 -> 20,000) to tell whether they are the headline.
_VAGUE_RE = re.compile(  # every match starts with a digit, 十 or 数: a lookahead skips other positions fast
    rf"(?=[0-9十数])(?:(?P<base>\d{{1,4}})(?P<base_mult>[万億]))?(?:十数|(?<![人件者点回総台])数(?P<mult>十万|百万|千万|十|百|千|万|億))"
    rf"{_SP}(?P<unit>{'|'.join(UNITS)})(?P<bun>分)?(?![目間台前後])"
)
# Every vague count holds 十数 or 数 before a multiplier; these two searches start from the
# literal 数, far faster than _VAGUE_RE, and rule out most texts.
_VAGUE_CUE = re.compile(r"数[十百千万億]")
_VAGUE_VALUE = {"十": 20, "百": 200, "千": 2_000, "万": 20_000, "十万": 200_000, "百万": 2_000_000,
                "千万": 20_000_000, "億": 200_000_000}
# Near a vague count: it is a count of data, not of staff (数万人分の個人情報, not 数十人の職員).
_VAGUE_DATA = re.compile(r"情報|データ|漏えい|漏洩|流出")
_PREFIX_RE = re.compile(r"(約|最大|およそ|計|合計|総計|延べ)[ \t]{0,3}$")
_PART_RE = re.compile(rf"({_NP}){_SP}([億万千]?)")
_MULT = {"億": 100_000_000, "万": 10_000, "千": 1_000, "": 1}
_KEEP_PREFIX = ("約", "最大", "およそ")
# A disclosure states its figures in a few dozen phrases; a text with more count
# phrases than this is not a disclosure, and reading further would only cost time.
_MAX_PHRASES = 2000


def _words(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_DATA = resources.data("counts")
_PERSON_UNITS = frozenset(_DATA["units"]["people"])
_NOT_AFFECTED_UNITS = frozenset(_DATA["units"]["not_affected"])
_PERSON_CTX = re.compile(_words(_DATA["context"]["people"]))
_AFFECT_CTX = re.compile(_words(_DATA["context"]["affect"]))
# What is counted, just before the figure (after particles and 約/最大 are stripped) or just after it.
_RECORD_UNITS = frozenset(_DATA["units"]["records"])
_THING_BEFORE = re.compile(rf"(?:{_words(_DATA['things']['not_affected'])})を?$")
# "304件のファイル", "約106万件にも上る大量の不正アクセス": the count's own noun, maybe after a
# verb of amount and a size word.
_THING_AFTER = re.compile(rf"(?:分)?(?:(?:にも|に)(?:上る|のぼる|及ぶ)|もの)?(?:大量|多数|膨大な数)?の(?:不正)?"
                          rf"(?:{_words(_DATA['things']['not_affected'])})")
_RECORD_BEFORE = re.compile(rf"(?:{_words(_DATA['things']['records'])})$")
_RECORD_AFTER = re.compile(rf"(?:分)?の(?:{_words(_DATA['things']['records'])})")
_RECORD_LEAK = re.compile(_words(_DATA["things"]["leak"]))
_STRIP_BEFORE = re.compile(r"(?:約|最大で?|およそ|計|合計|総計|延べ|少なくとも|推定|など|各|[ \t(\[〔「:は がもので、])+$")
_SPAM = re.compile(_words(_DATA["mail"]["spam"]))
_MAIL = re.compile(rf"(?:{_words(_DATA['mail']['mail'])})(?!アドレス)")
_BOUNCE = re.compile(_words(_DATA["mail"]["bounce"]))
_SANCTION_BEFORE = re.compile(rf"(?:{_words(_DATA['actors']['sanctions'])})(?:者|処分)?$")
_LAW_AFTER = re.compile(rf"^(?:を|が)[^。\n]{{0,60}}?(?:{_words(_DATA['actors']['law'])})")
_SUSPECT_BEFORE = re.compile(rf"(?:{_words(_DATA['actors']['suspects'])})$")
_LAW = re.compile(_words(_DATA["actors"]["law"]))
_ACTING_AFTER = re.compile(rf"^で[^。、\n]{{0,20}}?(?:{_words(_DATA['actors']['acting'])})")
_ADMONISHED_AFTER = re.compile(rf"^に対し[^。、\n]{{0,16}}?(?:{_words(_DATA['actors']['admonished'])})")
_STAFF_BEFORE = re.compile(rf"(?:{_words(_DATA['actors']['staff'])})$")
_STAFF_OWN_AFTER = re.compile(rf"^(?:が|の[ \t]{{0,2}}(?:{_words(_DATA['actors']['staff_own'])})(?!アドレス))")
# "Microsoft 365", "Windows 10": a number that is part of a product's name.
_PRODUCT_NUMBER = re.compile(r"[A-Za-z][ \t]?$")
_RECIPIENT_NOUN = re.compile(rf"^(?:分|様|\))?の?(?:{_words(_DATA['recipients']['nouns'])})")
_RECIPIENT_TO = re.compile(r"^(?:分|様|の方|\))?\)?(?:宛|あて|に(?!対|関|係|よ|つ|上|の|達|及|およ))")
_SEND_VERB = re.compile(_words(_DATA["recipients"]["verbs"]))
_NOTIFIED = re.compile(_words(_DATA["recipients"]["notified"]))
_EXPOSURE = re.compile(_words(_DATA["recipients"]["exposure"]))
_TOTAL_BEFORE = re.compile(
    rf"(?:{_words(_DATA['totals']['prefixes'])})"
    + "".join(f"(?<!{re.escape(word)})" for word in _DATA["totals"]["not_total"])
    + r"で?[ \t]{0,2}(?:約|およそ|最大で?)?[ \t]{0,2}$"
)
_TOTAL_AFTER = re.compile(rf"^(?:分)?(?:超|以上|余り|あまり|強)?(?:{_words(_DATA['totals']['suffixes'])})")
_LABEL = re.compile(_words(_DATA["labels"]["words"]))
# A heading that names a figure ends with what is counted: 3.漏えいした保有個人情報, (3)対象となるお客様の数.
_LABEL_END = re.compile(rf"(?:{_words(_DATA['labels']['ends'])})等?[ \t】)\]::]*$")
_LABEL_INLINE = re.compile(rf"(?:{_words(_DATA['labels']['words'])})[^\n::]{{0,12}}[::][ \t]{{0,3}}"
                           r"(?:約|最大|およそ|推定)?[ \t]{0,2}$")
_GROUP = re.compile(rf"(?:{_words(_DATA['groups']['population'])}|[\u4e00-\u9fff]者|様|さん)")
_GROUP_BEFORE = re.compile(rf"({_words(_DATA['groups']['population'])}|[\u4e00-\u9fff]{{1,4}}者|[\u4e00-\u9fff]{{1,4}}様)"
                           r"(?:等|ら|など)?$")
_NESTING = re.compile(_words(_DATA["groups"]["nesting"]))
_ONE_FIELD = re.compile(rf"[ \t]{{0,8}}(?:(?:[-・•*]|\(?\d{{1,2}}[).．、]|[((]\d{{1,2}}[))])[ \t]{{0,3}}){{0,2}}"
                        rf"(?:{_words(_DATA['groups']['fields'])})[ \t::(]{{0,3}}$")
_LIST_MARKER = re.compile(r"[ \t]{0,8}(?:[-・•*▽◆■□○●※]|\(?\d{1,2}[).．、]|\d{1,2}[ \t]|[((]\d{1,2}[))]|[a-zA-Z][.)])")
_JOINER = re.compile(r"と|、|及び|および|並びに|や|,")


class Count(NamedTuple):
    value: int
    unit: str
    text: str


class _Candidate(NamedTuple):
    phrase: Count
    start: int
    end: int
    line: int  # index of the line the count is on
    tier: int  # 2: people or personal data, spam sent, a stated total; 1: records or mails
    kind: str  # why it has its tier: "total", "people", "spam" or "records"
    total: bool  # a stated total (計, 合計, …に上る)
    labelled: bool  # under a heading or label naming it as the affected number
    fallback: bool  # sheets or files: the affected count only when nothing else is stated
    before: str  # the text before the figure on its line, as `_before` reads it


def _value(num: str) -> int:
    if num[0] in "一二三四五六七八九十百千":
        return kanji_value(num)
    total = 0.0
    for number, mult in _PART_RE.findall(num):
        total += float(number.replace(",", "").replace(" ", "")) * _MULT[mult]
    return int(round(total))


def _count(match: re.Match[str], text: str) -> Count:
    prefix = _PREFIX_RE.search(text, max(0, match.start() - 6), match.start())
    shown = match.group(0)
    if prefix and prefix.group(1) in _KEEP_PREFIX:
        shown = prefix.group(1) + shown
    return Count(_value(match.group("num")), match.group("unit"), compact(shown))


def _matches(text: str) -> list[re.Match[str]]:
    """Count phrases in Arabic and in kanji numerals, in text order (at most _MAX_PHRASES)."""
    found = list(itertools.islice(_COUNT_RE.finditer(text), _MAX_PHRASES))
    if any(char in text for char in "一二三四五六七八九十百千"):
        kanji = (match for match in _KANJI_COUNT_RE.finditer(text) if _kanji_starts_number(text, match))
        found.extend(itertools.islice(kanji, _MAX_PHRASES))
        found.sort(key=lambda match: match.start())
    return found[:_MAX_PHRASES]


def _kanji_starts_number(text: str, num: re.Match[str]) -> bool:
    """A kanji numeral (a match of _KANJI_COUNT_RE) is a number of its own: not the 千 of 8千件
    (read with its digits), not a single numeral inside a word (統一件, 同一人物) and not the
    idiom 一件 (the matter)."""
    if num.group("num") == "一" and num.group("unit") == "件":
        return False  # この一件, 今回の一件: "the matter", never a count (one record is written 1件)
    start = num.start()
    if start == 0:
        return True
    previous = text[start - 1]
    if previous.isdigit() or previous in ",.億万千":
        return False
    return previous in "約計大" or not _IDEOGRAPH.match(previous) or len(num.group("num")) > 1


def parse_count(text: str) -> tuple[int, str, str] | None:
    """The first count phrase in `text` as (value, unit, phrase), or None."""
    match = next(iter(_matches(text)), None)
    return tuple(_count(match, text)) if match else None  # type: ignore[return-value]


class _Lines:
    """Line starts of a text, for finding the line of a position in log time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def index(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def span(self, line: int) -> tuple[int, int]:
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return start, end

    def get(self, line: int) -> str:
        start, end = self.span(line)
        return self.text[start:end]


def _clause_after(text: str, end: int, limit: int = 24) -> str:
    """Up to `limit` characters after a count, cut at the end of the sentence or line."""
    after = text[end:end + limit]
    for mark in ("。", "\n"):
        cut = after.find(mark)
        if cut >= 0:
            after = after[:cut]
    return after


def _before(text: str, start: int, line_start: int, limit: int = 16) -> str:
    """Up to `limit` characters before a count on its line, without particles, 約, 最大 …"""
    return _STRIP_BEFORE.sub("", text[max(line_start, start - limit):start])


def _not_affected(text: str, start: int, end: int, before: str, after: str, exposed: Callable[[], bool]) -> bool:
    """Counts of things, bounce mails and (unless their addresses were exposed) recipients.
    `exposed()` is asked only about recipients: most texts are never searched for it."""
    if _THING_BEFORE.search(before) or _THING_AFTER.match(after):
        return True
    if _actors(text, start, end, before) or _PRODUCT_NUMBER.search(text, max(0, start - 2), start):
        return True
    if _BOUNCE.search(after[:14]) or _BOUNCE.search(text[max(0, start - 8):start]):
        return True
    return (_recipients(after) or _sent_to(text, end)) and not exposed()


def _actors(text: str, start: int, end: int, before: str) -> bool:
    """A count of the people who acted or were punished: 訓告1名, 校長ら3名で訪問,
    社員2名…の計4名を…容疑で逮捕 (but not 1万人分の情報を…逮捕: what they took), or of the
    staff whose account was used (職員1名のメールアカウント; but 社員100名の個人情報 counts)."""
    if _SANCTION_BEFORE.search(before):
        return True
    if text.startswith("で", end) and not text.startswith(("です", "でし"), end) and (
            before.endswith("ら") or _ACTING_AFTER.match(text[end:end + 24])):
        return True
    if _LAW_AFTER.match(text[end:end + 80]) or _ADMONISHED_AFTER.match(text[end:end + 24]):
        return True
    if _STAFF_BEFORE.search(before) and _STAFF_OWN_AFTER.match(text[end:end + 16]):
        return True  # 職員1名のメールアカウント, 当社従業員1名が: whose account it was, who slipped
    if _SUSPECT_BEFORE.search(before):
        stop = text.find("。", end)
        return bool(_LAW.search(text, end, min(stop if stop >= 0 else len(text), end + 120)))
    return False


def _recipients(after: str) -> bool:
    """A count of the recipients of a mail or letter (1719人に誤送付, 1万5,913件の宛先)."""
    if _RECIPIENT_NOUN.match(after):
        return True
    to = _RECIPIENT_TO.match(after)
    if to is None:
        return False
    # 宛 names the addressees by itself; after に the sending verb must follow in the same clause
    if "宛" in to.group(0) or "あて" in to.group(0):
        return not _NOTIFIED.search(after, to.end())
    clause = after.split("、", 1)[0]
    return bool(_SEND_VERB.search(clause, to.end())) and not _NOTIFIED.search(clause, to.end())


def _sent_to(text: str, end: int) -> bool:
    """"488社に対し、…ファイルをメールで送信": those a file was sent to (not "…に対し、お詫びを送付")."""
    clause = _clause_after(text, end, 80)
    if not clause.startswith("に対し"):
        return False
    rest = clause[3:]
    return bool(_SEND_VERB.search(rest)) and not _NOTIFIED.search(rest)


def _is_spam_count(text: str, start: int, unit: str, after: str) -> bool:
    """A count of the spam mails the organisation's systems sent (約140万通, 1553件のメール)."""
    if not _SPAM.search(text, max(0, start - 120), min(len(text), start + 120)):
        return False
    return unit == "通" or bool(_MAIL.search(after[:8]) or _MAIL.search(text, max(0, start - 6), start))


def _labelled(lines: _Lines, line: int, start: int, previous: _Candidate | None) -> bool:
    """Under a heading naming the affected number, or after such a label and a colon,
    or in brackets right after such a figure (549名分(576件))."""
    line_start = lines.starts[line]
    head = lines.text[max(line_start, start - 41):start]
    if _LABEL_INLINE.search(head):
        return True
    if previous is not None and previous.labelled and previous.line == line and start - previous.end <= 3 \
            and lines.text[previous.end:start].strip() in ("(", "("):
        return True
    if start - line_start > 41 or len(head.strip()) > 40 or "。" in head or _COUNT_RE.search(head):
        return False
    for above in range(line - 1, max(-1, line - 4), -1):
        heading = lines.get(above).strip()
        if not heading:
            continue
        return len(heading) <= 60 and not _COUNT_RE.search(heading) and bool(_LABEL.search(heading)) \
            and bool(_LABEL_END.search(heading))
    return False


def _candidates(text: str, matches: list[re.Match[str]], lines: _Lines, exposed: Callable[[], bool]
                ) -> list[_Candidate]:
    """Every count phrase (of `matches`) that can be the affected count, with its rank."""
    found: list[_Candidate] = []
    for match in matches:
        count = _count(match, text)
        if count.value <= 0 or count.unit in _NOT_AFFECTED_UNITS:
            continue
        start, end = match.start(), match.end()
        line = lines.index(start)
        line_start, line_end = lines.span(line)
        before = _before(text, start, line_start)
        after = _clause_after(text, end)
        if _not_affected(text, start, end, before, after, exposed):
            continue
        # the line before ("対象:" / "お客さま数:" above the figure) counts as context
        previous_line = text[max(0, line_start - 42):line_start].rstrip("\n ")
        previous_line = previous_line[previous_line.rfind("\n") + 1:]
        context = previous_line + " " + text[max(line_start, start - 40):start] + text[end:min(end + 12, line_end)]
        total = bool(_TOTAL_BEFORE.search(text, max(line_start, start - 10), start) or _TOTAL_AFTER.match(after))
        if total:
            tier, kind = 2, "total"
        elif count.unit in _PERSON_UNITS or _PERSON_CTX.search(context):
            tier, kind = 2, "people"
        elif _is_spam_count(text, start, count.unit, after):
            tier, kind = 2, "spam"
        elif _AFFECT_CTX.search(context) or count.unit in ("通", "社"):
            tier, kind = 1, "records"
        else:
            continue
        labelled = _labelled(lines, line, start, found[-1] if found else None)
        fallback = count.unit in _RECORD_UNITS or bool(_RECORD_BEFORE.search(before) or _RECORD_AFTER.match(after))
        if fallback and not _RECORD_LEAK.search(context + after):
            continue  # files encrypted, sheets printed: documents that did not leak
        found.append(_Candidate(count, start, end, line, tier, kind, total, labelled, fallback, before))
    return found


def _list_siblings(text: str, lines: _Lines, found: list[_Candidate]) -> list[list[_Candidate]]:
    """Groups of list items (marked lines, table rows, short lines naming a group of
    people before the figure) that each give a count for a different group of people."""
    groups: list[list[_Candidate]] = []
    block: list[_Candidate] = []
    last_line = -10
    by_line: dict[int, list[_Candidate]] = {}
    for candidate in found:
        by_line.setdefault(candidate.line, []).append(candidate)
    for line, on_line in sorted(by_line.items()):
        line_text = lines.get(line)
        parts = [c for c in on_line if not c.total]  # a stated total on an item's line is not an item
        if not parts:
            continue
        best = max(parts, key=lambda c: c.phrase.value)
        row = "|" in line_text  # a table row: its cells may hold sentences
        marked = row or bool(_LIST_MARKER.match(line_text))
        named = bool(_GROUP_BEFORE.search(best.before))
        # an item is one phrase or sentence; a line of several sentences is prose
        one_sentence = row or "。" not in line_text.rstrip().rstrip("。")
        item = (marked or (len(line_text) <= 80 and named)) and one_sentence and not _NESTING.search(line_text)
        if not item or line - last_line > 3:
            if len(block) >= 2:
                groups.append(block)
            block = []
        if item and (best.phrase.unit in _PERSON_UNITS or _GROUP.search(line_text[:best.start - lines.starts[line]])):
            block.append(best)
            last_line = line
        elif not item:
            last_line = -10
    if len(block) >= 2:
        groups.append(block)
    return [group for group in groups if not all(_one_field(lines, c) for c in group)]


def _one_field(lines: _Lines, candidate: _Candidate) -> bool:
    """A list item naming one data field before its count (・電話番号 320名)."""
    start = lines.starts[candidate.line]
    return candidate.start - start <= 30 and bool(_ONE_FIELD.fullmatch(lines.text, start, candidate.start))


def _prose_siblings(text: str, found: list[_Candidate]) -> list[list[_Candidate]]:
    """Runs of figures side by side in one sentence, each right after the name of a
    different group of people (個人約1.3万件と法人359件, 顧客約1000名と従業員約300名)."""
    groups: list[list[_Candidate]] = []
    run: list[tuple[_Candidate, str]] = []
    for candidate in found:
        named = _GROUP_BEFORE.search(candidate.before)
        if named is None:
            if len(run) >= 2:
                groups.append([c for c, _ in run])
            run = []
            continue
        noun = named.group(1)
        if run:
            gap = text[run[-1][0].end:candidate.start] if candidate.start - run[-1][0].end <= 24 else "。"
            joined = "。" not in gap and "\n" not in gap and _JOINER.search(gap)
            if not joined or any(noun == other for _, other in run):
                if len(run) >= 2:
                    groups.append([c for c, _ in run])
                run = []
        run.append((candidate, noun))
    if len(run) >= 2:
        groups.append([c for c, _ in run])
    return groups


def _unsummed(text: str, lines: _Lines, found: list[_Candidate]) -> list[_Candidate] | None:
    """Disjoint sub-counts that no other stated count covers (no total), if any."""
    largest_first = sorted(found, key=lambda c: -c.phrase.value)
    for group in _list_siblings(text, lines, found) + _prose_siblings(text, found):
        values = {c.phrase.value for c in group}
        if len(values) < 2:
            continue  # the same figure restated is not a breakdown
        inside = {c.start for c in group}
        outside = next((c for c in largest_first if c.start not in inside), None)
        if outside is None or outside.phrase.value < sum(values):
            return group
    return None


def _vague(text: str, lines: _Lines, exposed: Callable[[], bool]) -> tuple[int, str] | None:
    """The largest vague count of data (数万人分の個人情報) as (lower bound, phrase), or None."""
    best: tuple[int, str] | None = None
    for _, match in zip(range(_MAX_PHRASES), _VAGUE_RE.finditer(text)):
        value = _VAGUE_VALUE[match.group("mult")] if match.group("mult") else 11
        if match.group("base"):
            value += int(match.group("base")) * _MULT[match.group("base_mult")]
        start, end = match.start(), match.end()
        line_start = lines.starts[lines.index(start)]
        after = _clause_after(text, end)
        if _not_affected(text, start, end, _before(text, start, line_start), after, exposed):
            continue
        if not (match.group("bun") or _VAGUE_DATA.search(text[max(line_start, start - 20):start] + after)):
            continue
        if best is None or value > best[0]:
            best = (value, text[max(line_start, start - 30):end + 12])
    return best


def headline_count(text: str) -> Found[Count | None]:
    """The count a disclosure leads with (see module docstring), or None."""
    matches = _matches(text)
    vague_cue = "十数" in text or _VAGUE_CUE.search(text) is not None
    if not matches and not vague_cue:
        return Found(None, Evidence("no count of people or records stated"))
    lines = _Lines(text)
    exposed = functools.cache(lambda: _EXPOSURE.search(text) is not None)  # searched once, when first asked
    found = _candidates(text, matches, lines, exposed)
    main = [c for c in found if not c.fallback]
    vague = _vague(text, lines, exposed) if vague_cue else None
    if vague is not None and all(c.phrase.value < vague[0] for c in main):
        return Found(None, Evidence("the headline figure is vague", vague[1]))
    if not found:
        return Found(None, Evidence("no count of people or records stated"))
    if not main:
        best = max(found, key=lambda c: (c.tier, c.phrase.value, -c.start))
        return Found(best.phrase, Evidence("the only figure stated: documents or files", _quote(text, best)))
    found = main
    unsummed = _unsummed(text, lines, found)
    if unsummed is not None:
        first = max(lines.starts[unsummed[0].line], unsummed[0].start - 20)
        quote = text[first:unsummed[-1].end] if unsummed[-1].end - first <= 160 \
            else " / ".join(c.phrase.text for c in unsummed)
        return Found(None, Evidence("disjoint sub-counts with no stated total", quote))
    tier = max(c.tier for c in found)
    top = [c for c in found if c.tier == tier]
    best = max(top, key=lambda c: (c.phrase.value, -c.start))
    labelled = [c for c in top if c.labelled]
    if labelled:
        label = max(labelled, key=lambda c: (c.phrase.value, -c.start))
        if not (best.total and best.phrase.value > label.phrase.value):
            return Found(label.phrase, Evidence("the figure stated under its label", _quote(text, label)))
    return Found(best.phrase, Evidence(_RULES[best.kind], _quote(text, best)))


_RULES = {"total": "stated total", "people": "largest count of people or personal data",
          "spam": "largest count of spam mails sent", "records": "largest count of records or mails"}


def _quote(text: str, candidate: _Candidate) -> str:
    line_start = text.rfind("\n", max(0, candidate.start - 40), candidate.start) + 1
    return text[max(line_start, candidate.start - 40):candidate.end + 12]
