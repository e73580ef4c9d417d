"""Text -> segments: one per incident post, press release or non-incident article.

Boundaries, strongest first (decided on normalised lines; blank-line *counts* are
never used, because `services.common.text.tidy` collapses them):

1. A case header: a line starting ``【セキュリティ事件簿#2023-106】`` (also ``#2022``).
2. A bare title (the 2022 blog): a line ``<organisation> <title> 2022年8月13日`` that
   ends in a full date after a space, reads like an incident title (について,
   お詫び, 不正アクセス, 漏えい …), stands between blank lines and is not a list item.
3. An end marker: a ``リリース文アーカイブ`` or ``出典:`` line ends the post; whatever
   follows, up to the next header, is a new chunk that never joins that post.
4. A candidate title: a short line between blank lines, not a list item, not a
   sentence. Sub-headings of an incident are candidates too, so a candidate only
   *starts* something when the evidence says so (below).

Deciding what a header-less chunk is (the rule for non-incident articles):

- Disclosure cues: the first-person voice of an organisation (当社, 弊社, 当院,
  本会, 当方 …), apologies (お詫び, ご迷惑), reported events (判明し, 流出し,
  不正アクセスを受け …), reports to authorities, and day-precise dates (3月27日).
- Essay cues: the voice of an article (でしょう, しましょう, 述べています, ご紹介,
  この記事, トレンド, 白書, リストアップ …).
- A candidate chunk after an incident is glued onto it unless it reads as an essay
  (two or more essay cues and no disclosure cue, or essay cues outnumbering
  disclosure cues three to one), or it has an essay cue, no disclosure cue, and the
  next ~3000 characters from it hold two or more essay cues and no disclosure cue
  (an article's opening paragraph may carry a single cue). Then it starts a non-incident segment, and every following
  header-less chunk stays non-incident until the next header or end marker.
- A header-less chunk that opens the text or follows an end marker is an incident
  only when it is a press release (a date line, an organisation line or 記/各位
  among its top lines, and disclosure cues) or carries strong disclosure evidence
  (three or more cues, at most one essay cue); otherwise it is a non-incident.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from services.parser.disclosure import judge
from services.parser.fields import lexicon
from services.parser.fields.dates import find_dates, is_date_line, trailing_date
from services.parser.fields.organization import org_from_top_lines
from services.parser.normalize import normalize_lines
from services.parser.reading import line_role
from services.parser.several import parts

CASE_HEADER = re.compile(
    r"^\s*【\s*セキュリティ事件簿\s*#?\s*(?P<year>\d{4})?(?:\s*[-ー]\s*(?P<num>\d{1,5}))?\s*】\s*(?P<rest>.*)$"
)
END_MARKER = re.compile(r"^\s*(?:リリース文アーカイブ|出典\s*[:：]|引用元\s*[:：]|Source\s*:)")
_TITLE_VOCAB = re.compile(
    r"について|お知らせ|お詫び|おわび|ご報告|報告書|に関する|不正|漏えい|漏洩|流出|被害|発生|感染|障害|誤送信|"
    r"紛失|盗難|攻撃|事案|事故|インシデント|改ざん|ランサム|個人情報|メール|侵入|サイバー|ウイルス|マルウェア|"
    r"ログイン|アクセス|セキュリティ"
)
_LIST_START = re.compile(r"^(?:[・･\-*•●○■□◆◇※<〈(\[「『#>|+]|[①-⑳]|[0-9]+\s*[.)．、:]|[a-zA-Z][.)]\s)")
_SENTENCE_END = ("。", "、", ",", ":", "：", "」", "!", "?")
# Evidence cues are plain words, matched in one Aho-Corasick pass; day-precise dates
# ("3月27日") are the one regex cue.
_DISCLOSURE_WORDS = (
    "当社", "弊社", "当院", "当法人", "本会", "当会", "当センター", "当機構", "本学", "当校", "同校", "当方", "当館",
    "当行", "当庫", "本市", "当市", "当町", "当村", "本県", "当県", "当協会", "当組合", "当団体", "弊団体",
    "当グループ", "弊グループ", "弊所", "当所", "お詫び", "おわび", "ご迷惑", "ご心配", "申し訳", "判明し", "発覚し",
    "漏えいし", "漏洩し", "流出し", "被害を受け", "被害に遭", "被害にあ", "不正アクセスを受け", "感染し",
    "ご報告いたします", "お知らせいたします", "個別にご連絡", "個別にご案内", "個別に通知", "個人情報保護委員会",
    "警察に", "警察へ", "警察署に", "警察署へ",
)
_ESSAY_WORDS = (
    "しましょう", "でしょう", "述べています", "と述べ", "と言います", "ご紹介", "紹介します", "の紹介", "説明します",
    "この記事", "本記事", "とみられ", "とされている", "と指摘されて", "と考えられる", "トレンド", "リストアップ",
    "てみました", "抜粋", "白書", "と予測", "予想しています", "してみてください", "おすすめ", "お勧め",
    "ことができます", "必要があります", "と呼ばれ",
)
_DAY_AFTER = re.compile(r" ?\d{1,2} ?日")  # after the 月 of a day-precise date, "\d{1,2} ?月 ?\d{1,2} ?日"
_EVIDENCE_CHARS = 6000
_WINDOW_CHARS = 3000
_TITLE_END = frozenset("日0123456789")
_NOT_READ = ("furniture", "caption", "byline")  # lines a reader skips: never evidence
_VERDICT_CHARS = 1500
_MAX_SUBCHUNKS = 200  # sub-chunks of one post judged one by one; the rest are judged together
_TOP_LINES = 15


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of lines [start, end) of the input: one incident or one non-incident article.

    ``fmt`` tells how it was recognised: "case_header", "bare_title",
    "press_release", "untitled" (incident without header) or "article".
    """

    kind: str
    fmt: str
    start: int
    end: int
    lines: tuple[str, ...]  # normalised lines
    text: str  # original text of the segment, surrounding blank lines removed
    reason: str | None = None
    # The body this segment is about when one report tells of several (services.parser.several),
    # and the normalised lines of the whole report, whose stated cause all its bodies share.
    subject: str | None = None
    report: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    # `lexicon.scan` of the segment's normalised lines joined by line feeds, taken from
    # the document's scan (None: not known, scan again).
    hits: lexicon.Hits | None = field(default=None, compare=False, repr=False)

    @property
    def header(self) -> str:
        """The first non-blank normalised line."""
        return next((line.strip() for line in self.lines if line.strip()), "")


@dataclass(slots=True)
class _Chunk:
    kind: str  # "case" | "title" | "end" | "candidate" | "preamble"
    start: int
    end: int


@dataclass(slots=True)
class _Draft:
    kind: str
    fmt: str
    start: int
    end: int
    reason: str | None = None


def is_bare_title(line: str) -> bool:
    """A 2022-style header: `<organisation> <title> <full date>` (see module docstring)."""
    text = line.strip()
    if not 12 <= len(text) <= 200 or text[-1] not in "日0123456789" or _LIST_START.match(text):
        return False
    found = trailing_date(text)
    if found is None:
        return False
    start = found[1]
    head = text[:start]
    if not head or not head[-1].isspace():
        return False
    head = head.strip()
    if len(head) < 8 or "。" in head or head.endswith((":", "：", "日付", "現在")):
        return False
    if next(find_dates(head), None) is not None and head[:1].isdigit():
        return False  # a timeline row: "2023年9月5日 …"
    return bool(_TITLE_VOCAB.search(head))


def _is_candidate(text: str) -> bool:
    if not 2 <= len(text) <= 60 or text.endswith(_SENTENCE_END) or _LIST_START.match(text):
        return False
    if text[0].isdigit():
        first = next(find_dates(text), None)
        if first is not None and first[1] == 0:
            return False
    return True


def _cue_words() -> dict[str, tuple[str, str]]:
    words = {word: ("d", word) for word in _DISCLOSURE_WORDS}
    words.update({word: ("e", word) for word in _ESSAY_WORDS})
    return words


lexicon.register("cue", _cue_words)


class _Evidence:
    """The cues of a whole document, found once: the shared dictionary pass
    (`lexicon.scan`, whose hits the extractors reuse) and one look at each 月, so
    scoring a chunk or a window is a range query, not a rescan.

    A chunk's scores count the distinct cues within its first _EVIDENCE_CHARS
    characters (its lines joined by line feeds); cues never span a line feed."""

    __slots__ = ("offsets", "hits", "ends", "cues", "days")

    def __init__(self, lines: list[str]) -> None:
        self.offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
        text = "\n".join(lines)
        self.hits = lexicon.scan(text)
        hits = self.hits.get("cue", [])  # in order of their end
        self.ends = [end for end, _ in hits]
        self.cues = [(end + 1 - len(cue), kind, cue) for end, (kind, cue) in hits]
        # Day-precise dates ("3月27日"), as (position of 月, end of the date), in text order.
        self.days: list[tuple[int, int]] = []
        position = text.find("月")
        while position >= 0:
            before = text[position - 1] if position >= 1 else ""
            if not before.isdecimal() and before == " " and position >= 2:
                before = text[position - 2]
            if before.isdecimal():
                match = _DAY_AFTER.match(text, position + 1)
                if match:
                    self.days.append((position, match.end()))
            position = text.find("月", position + 1)

    def region(self, start: int, end: int, limit: int) -> tuple[int, int]:
        """Character range of lines [start, end) joined, cut to `limit` characters."""
        low = self.offsets[start]
        return low, low + max(0, min(self.offsets[end] - 1 - low, limit))

    def scores(self, start: int, end: int, limit: int = _EVIDENCE_CHARS) -> tuple[int, int]:
        """(distinct disclosure cues, distinct essay cues) in lines [start, end)."""
        low, high = self.region(start, end, limit)
        found = set()
        for index in range(bisect.bisect_left(self.ends, low), bisect.bisect_right(self.ends, high - 1)):
            cue_start, kind, cue = self.cues[index]
            if cue_start >= low:
                found.add((kind, cue))
        disclosure = sum(1 for kind, _ in found if kind == "d")
        essay = len(found) - disclosure
        index = bisect.bisect_left(self.days, (low, -1))
        if index < len(self.days) and self.days[index][1] <= high:
            disclosure += 1
        return disclosure, essay

    def window(self, start: int, end: int) -> tuple[int, int]:
        """Scores of the lines from `start` (at most `end`) holding about _WINDOW_CHARS
        characters: an article's opening paragraph may carry a single essay cue, the
        next ones more."""
        stop = bisect.bisect_left(self.offsets, self.offsets[start] + _WINDOW_CHARS, start + 1, end) if start < end else start
        return self.scores(start, stop)


def _opens_an_essay(scores: tuple[int, int]) -> bool:
    disclosure, essay = scores
    return disclosure == 0 and essay >= 2


def _reads_as_essay(disclosure: int, essay: int) -> bool:
    return (essay >= 2 and disclosure == 0) or (essay >= 3 and essay >= 3 * disclosure)


def _is_press_release(lines: list[str]) -> bool:
    """A release's shape: a date line and a name line (or 記/各位) among the top lines."""
    top = [line.strip() for line in lines if line.strip()][:_TOP_LINES]
    if not any(is_date_line(line) for line in top):
        return False
    return any(line in ("記", "各位") for line in top) or org_from_top_lines(top) is not None


def _chunks(lines: list[str]) -> list[_Chunk]:
    stripped = list(map(str.strip, lines))
    count = len(stripped)
    starts: list[tuple[int, str]] = []
    after_end = False
    candidates = 0  # candidate titles since the last header; bounded on pathological input
    end_match = END_MARKER.match
    for index in itertools.compress(range(count), stripped):  # non-blank lines only
        text = stripped[index]
        opening, size = text[0], len(text)
        # Titles and candidate titles are short lines between blank lines.
        isolated = size <= 200 and (index == 0 or not stripped[index - 1]) and (index + 1 >= count or not stripped[index + 1])
        is_end = opening in "リ出引S" and end_match(text) is not None
        if opening == "【" and CASE_HEADER.match(text):
            starts.append((index, "case"))
            candidates = 0
        elif isolated and 12 <= size and text[-1] in _TITLE_END and is_bare_title(text):
            starts.append((index, "title"))
            candidates = 0
        elif after_end and not is_end:
            starts.append((index, "end"))
            candidates = 0
        elif (isolated and index > 0 and 2 <= size <= 60 and candidates < _MAX_SUBCHUNKS
              and _is_candidate(text)):
            starts.append((index, "candidate"))
            candidates += 1
        after_end = is_end
    chunks: list[_Chunk] = []
    first = starts[0][0] if starts else count
    if any(stripped[:first]):
        chunks.append(_Chunk("preamble", 0, first))
    for position, (index, kind) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else count
        chunks.append(_Chunk(kind, index, end))
    return chunks


def _runs(chunks: list[_Chunk]) -> list[list[_Chunk]]:
    """Group chunks into runs: a header, an end marker or the preamble opens a run;
    candidate chunks belong to the run they follow."""
    runs: list[list[_Chunk]] = []
    for chunk in chunks:
        if chunk.kind == "candidate" and runs:
            run = runs[-1]
            if len(run) > _MAX_SUBCHUNKS:
                run[-1].end = chunk.end  # bounded work on pathological input
            else:
                run.append(chunk)
        else:
            runs.append([chunk])
    return runs


def _readable(lines: list[str], start: int, end: int) -> str:
    """The opening of lines [start, end) a reader reads (no furniture, captions, bylines),
    as long as the disclosure verdict reads."""
    kept: list[str] = []
    size = 0
    for line in lines[start:end]:
        if size >= _VERDICT_CHARS:
            break
        if line_role(line.strip()) not in _NOT_READ:
            kept.append(line)
            size += len(line) + 1
    return "\n".join(kept)


def _drafts(lines: list[str], evidence: _Evidence) -> list[_Draft]:
    drafts: list[_Draft] = []
    for run in _runs(_chunks(lines)):
        head = run[0]
        if head.kind in ("case", "title"):
            fmt = "case_header" if head.kind == "case" else "bare_title"
            incident = _Draft("incident", fmt, head.start, head.end)
            drafts.append(incident)
            for chunk in run[1:]:
                disclosure, essay = evidence.scores(chunk.start, chunk.end)
                if not _reads_as_essay(disclosure, essay) and not (
                        disclosure == 0 and essay >= 1 and _opens_an_essay(evidence.window(chunk.start, run[-1].end))):
                    incident.end = chunk.end
                    continue
                # An article starts here; it runs to the next header or end marker.
                drafts.append(_Draft("non_incident", "article", chunk.start, run[-1].end,
                                     f"no incident header; reads as an article ({essay} essay cues, "
                                     f"{disclosure} disclosure cues)"))
                break
            continue
        start, end = head.start, run[-1].end
        verdict = judge(_readable(lines, start, end))
        if verdict.incident:
            fmt = "press_release" if _is_press_release(lines[start:end]) else "untitled"
            drafts.append(_Draft("incident", fmt, start, end, f"reads as a disclosure: {verdict.reason}"))
        else:
            where = "after the end of a post" if head.kind == "end" else "before the first header"
            drafts.append(_Draft("non_incident", "article", start, end,
                                 f"no incident header {where}; not a disclosure: {verdict.reason}"))
    return drafts


def split(text: str) -> list[Segment]:
    """Split a document into incident and non-incident segments, in text order."""
    raw_lines, lines = normalize_lines(text)
    evidence = _Evidence(lines)
    segments = []
    for draft in _drafts(lines, evidence):
        pieces: list[tuple[int, int, str | None]] = [(draft.start, draft.end, None)]
        if draft.kind == "incident" and draft.fmt in ("untitled", "press_release"):
            found = parts(lines[draft.start:draft.end])
            if found:
                pieces = [(draft.start + part.start, draft.start + part.end, part.subject) for part in found]
        report = tuple(lines[draft.start:draft.end]) if len(pieces) > 1 else None
        for start, end, subject in pieces:
            segment = _segment(draft, start, end, subject, lines, raw_lines, evidence, report)
            if segment is not None:
                segments.append(segment)
    return segments


def _segment(draft: _Draft, start: int, end: int, subject: str | None, lines: list[str], raw_lines: list[str],
             evidence: _Evidence, report: tuple[str, ...] | None) -> Segment | None:
    raw = "\n".join(raw_lines[start:end]).strip()
    if not raw:
        return None
    hits = None
    if draft.kind == "incident":
        low = evidence.offsets[start]
        hits = lexicon.within(evidence.hits, low, max(low, evidence.offsets[end] - 1))
    reason = draft.reason if subject is None else f"{draft.reason}; one of several bodies the report tells of"
    return Segment(draft.kind, draft.fmt, start, end, tuple(lines[start:end]), raw, reason, subject, report, hits)
