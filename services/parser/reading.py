"""Reading a segment as a person does: which lines are page furniture, captions,
bylines, timestamps, date lines, headings or running text, and where the lead is.

Field extractors take names, dates and titles only from lines a reader would
take them from: never from a share button, a photo caption (`写真:西原村役場`),
a byline (`KSB瀬戸内海放送`) or an article timestamp (`2016年11月10日 18:38`).
What counts as furniture is data (``data/page_furniture.toml``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from services.parser.fields import lexicon
from services.parser.fields.dates import find_dates, is_date_line
from services.parser.resources import data

_CAPTION = re.compile(r"^(?:写真|画像|図|photo|Photo|出典|提供|資料)\s*[:=]|より引用$|より引用[)\]]|撮影$|^(?:\(|【)?(?:写真|画像)")
# A date with a time of day: an article's own timestamp, not a disclosure date.
_TIME = re.compile(r"[0-9]{1,2}\s*(?::|時)\s*[0-9]{2}")
_SENTENCE_END = re.compile(r"[。!?]\s*$|[。!?][」)]\s*$")
_LEAD_CHARS = 900
# A printed line (A4, 10.5 pt) holds about 40 characters; a longer line with no sentence
# end is a headline or a paragraph of a web page, not a sentence wrapped by a PDF.
_PRINTED_LINE = 50
# How a title ends: never the first half of a wrapped sentence.
_TITLE_ENDINGS = ("について", "お知らせ", "お詫び", "おわび", "ご報告", "報告", "ご案内", "の件", "事案", "事故", "要旨", "概要")

_SENTENCE_MARK = re.compile(r"[。!?]")
_HEAD_LINES = 60
_TAIL_LINES = 20


class Line(NamedTuple):
    """One normalised line and the role a reader gives it."""

    number: int  # position in the segment's lines
    text: str  # normalised, stripped
    role: str  # furniture | caption | byline | timestamp | date | heading | text


@functools.cache
def _furniture() -> tuple[frozenset[str], tuple[str, ...], re.Pattern[str], frozenset[str]]:
    table = data("page_furniture")
    pattern = re.compile("|".join(f"(?:{p})" for p in table["patterns"]))
    return frozenset(table["exact"]), tuple(table["prefixes"]), pattern, frozenset(table["media"])


@functools.cache
def media_names() -> frozenset[str]:
    """Names of news media and aggregator sites (bylines, never a victim by default)."""
    return _furniture()[3]


@functools.cache
def _bylines() -> frozenset[str]:
    """Every form a byline takes: the outlet's name, with " NEXT" or "ニュース" after it."""
    return frozenset(name + tail for name in media_names() for tail in ("", " NEXT", "NEXT", "ニュース"))


def is_byline(text: str) -> bool:
    """A line that only names a news outlet ("KSB瀬戸内海放送", "Published by 共同通信")."""
    bare = text.strip().lstrip("-・•").strip()
    for prefix in ("Published by", "提供:", "配信:", "出典:", "by "):
        if bare.startswith(prefix):
            bare = bare[len(prefix):].strip()
    return bare in _bylines()


@functools.lru_cache(maxsize=16384)  # the splitter and the extractors read the same lines
def line_role(text: str) -> str:
    """The role of one stripped, normalised line (see module docstring)."""
    exact, prefixes, pattern, _ = _furniture()
    bare = text.lstrip("-・•*■□◆◇●○> \t").strip()
    if not bare:
        return "furniture"
    if bare in exact or bare.startswith(prefixes) or pattern.match(bare):
        return "furniture"
    if _CAPTION.search(bare) and len(bare) <= 80:
        return "caption"
    if is_byline(bare):
        return "byline"
    if len(bare) <= 40 and _TIME.search(bare):
        first = next(find_dates(bare), None)
        if first is not None and _TIME.search(bare, first[2]):
            return "timestamp"
    if is_date_line(bare):
        return "date"
    if len(bare) <= 60 and not _SENTENCE_END.search(bare) and "。" not in bare and not bare.endswith(("、", ",")):
        return "heading"
    return "text"


def read_lines(lines: tuple[str, ...] | list[str], head: int = _HEAD_LINES, tail: int = _TAIL_LINES) -> list[Line]:
    """The first `head` and last `tail` non-blank lines of a segment with their roles.

    Names, dates and titles are read from the top and the signature at the end;
    the middle of a long post adds time, not evidence."""
    kept = [(index, text) for index, text in enumerate(map(str.strip, lines)) if text]
    if len(kept) > head + tail:
        kept = kept[:head] + kept[-tail:]
    return [Line(index, text, line_role(text)) for index, text in kept]


def content_lines(lines: list[Line]) -> list[Line]:
    """Lines a reader reads: without furniture, captions, bylines and timestamps."""
    return [line for line in lines if line.role in ("date", "heading", "text")]


def _wrapped(line: str) -> bool:
    """A line that stops inside a sentence: after a comma, or a line of printed width with
    no sentence end (text extracted from a PDF keeps its printed line breaks)."""
    if line.endswith(("、", ",")):
        return True
    return 26 <= len(line) <= _PRINTED_LINE and not line.endswith(("。", "!", "?", "」", ")")) and not _SENTENCE_MARK.search(line)


@functools.cache
def _related() -> tuple[tuple[str, ...], re.Pattern[str]]:
    headings = tuple(data("page_furniture")["related"]["headings"])
    words = "|".join(re.escape(word) for word in sorted(headings, key=len, reverse=True))
    pattern = re.compile(rf"(?m)^[ \t]*[【\[■◆●<]?[ \t]*(?:{words})[ \t]*[】\]>]?[ \t:：]*$")
    return headings, pattern


def _related_words() -> dict[str, str]:
    return {word: word for word in _related()[0]}


lexicon.register("related", _related_words)


def related_links_start(text: str, hits: lexicon.Hits | None = None) -> int:
    """Where a news page's list of other articles begins (a line reading 関連記事,
    あわせて読みたい …), or len(text): the headlines below it are other incidents.
    `hits`, a `lexicon.scan(text)`, tells without a search whether any heading word occurs."""
    headings, pattern = _related()
    if not (hits.get("related") if hits is not None else any(word in text for word in headings)):
        return len(text)
    match = pattern.search(text)
    return match.start() if match else len(text)


def _wrapped_into(before: list[Line]) -> list[str]:
    """Two or more lines of one printed width just above the first sentence, read as its
    start: a PDF breaks a sentence where the page does, and its first lines, having no
    sentence end, look like headings ("…保存しているファ" / "イルの一部が…")."""
    start = len(before)
    while start > 0 and before[start - 1].role == "heading" and _wrapped(before[start - 1].text) \
            and not before[start - 1].text.endswith(_TITLE_ENDINGS):
        start -= 1
    widths = [len(line.text) for line in before[start:]]
    if len(widths) < 2 or max(widths) - min(widths) > 4:
        return []  # one line is a headline; lines of one printed width are a page's
    return ["".join(line.text for line in before[start:])]


def lead(lines: list[Line], limit: int = _LEAD_CHARS) -> str:
    """The opening running text: the first `text` lines (and the headings between
    them) up to about `limit` characters. A news report's first sentence names
    who announced what; a release's first paragraph says what happened to whom."""
    parts: list[str] = []
    size = 0
    started = False
    previous = ""
    for index, line in enumerate(lines):
        if line.role == "text" and not started:
            started = True
            parts = _wrapped_into(lines[:index])
            previous = lines[index - 1].text if parts else ""
        elif not started or line.role not in ("text", "heading"):
            continue
        if parts and _wrapped(previous):
            parts[-1] += line.text  # a sentence wrapped over two lines (PDF text, "…は、" at a line end)
        else:
            parts.append(line.text)
        previous = line.text
        size += len(line.text)
        if size >= limit:
            break
    return "\n".join(parts)[:limit]
