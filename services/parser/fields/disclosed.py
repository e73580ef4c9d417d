"""The disclosure's own date, never a timeline date or a news article's timestamp.

In order, the first rule that finds a full date (with its year) decides:

1. **header**: the date a blog header ends with (found by the splitter).
2. **release date line**: a line of the release's top block that is only a date
   ("令和6年5月10日", "更新日:2025年08月26日", "記者発表日時:2025年12月12日18時"), that starts
   the title ("令和4年6月20日 サイバー攻撃による被害について") or that the title
   ends with ("…事故の発生につきまして(令和7年10月8日)").
3. **announcement**: the date the lead says the body announced it
   ("尾道市立大学は2024年12月16日、…発表しました", "聖教新聞社が2018年10月9日に発表した",
   "2018年1月15日、…「幻冬舎」は、…明らかにしました").
4. **stamp**: an announcement stamp anywhere ("(令和6年12月6日 10時30分発表)",
   "第4報(2016.7.27発表)", "(平成27年12月14日掲載)": the first, as running releases
   list the latest first).
5. **signature date**: a date line among the last lines of a release.

Lines a reader skips (timestamps with a time of day, captions, furniture) are
never read; a date with no year ("26日", "3月26日") is no date.
"""

from __future__ import annotations

import re
from datetime import date

from services.parser.evidence import Found, found
from services.parser.fields.dates import find_dates, is_date_line
from services.parser.names import find_names
from services.parser.reading import Line

_REPORT = re.compile(r"発表|公表|明らかに|明かし|陳謝|謝罪|お知らせ|報告し|公開し")
# "<subject>は<date>、" / "<date>に発表" / "<date>、…は…発表": the date of the announcement.
_AFTER_SUBJECT = re.compile(r"(?:は|が)、?\s?$")
# Matched at the date's end (no "^": it would only match at the start of the sentence);
# "に公式サイトで", "にホームページ上で": where it was announced may stand between.
_BEFORE_REPORT = re.compile(r"\s?(?:に|付で|付けで)?(?:(?<=に)[^。、]{1,12}?(?:で|にて))?(?:発表|公表|明らかに)")
_TITLE_WORDS = re.compile(r"について|お知らせ|お詫び|おわび|ご報告|報告|に関する|につきまして")
_PAGE_METADATA = re.compile(r"(?:掲載|更新|公開|作成)日")
_STAMP = re.compile(r"[((]([^()()]{6,30}?)(?:\s?[0-9]{1,2}(?:時|:)[0-9]{0,2}分?)?\s?(?:発表|公表|掲載)[))]")
# "記者発表日時:2025年12月12日18時": a release's own date line, even with its hour.
# "日印産連プライバシーマーク審査会への報告日:2017年1月31日": the day it was reported, labelled.
_ANNOUNCED_AT = re.compile(r"^(?:記者)?(?:発表|公表)(?:日時|日)\s?[::]?|^[^::。、]{0,30}?への報告日\s?[::]")
# "お詫び : 団体名", "タイトル | サイト名": a page's title line (title, separator, site), not its body.
_PAGE_TITLE = re.compile(r" [:|｜\-–] [^。]{2,60}$")
_TOP_BLOCK = 12
_TAIL = 8
_SENTENCES = 6


def _date_line_value(text: str) -> date | None:
    bare = text.strip().lstrip("•・-*■□◆◇●○ ").strip()
    if is_date_line(bare):
        return next(find_dates(bare))[0]
    return None


def _titled_date(text: str) -> date | None:
    """A date that starts a title line or closes it in parentheses."""
    dates = list(find_dates(text))
    if not dates:
        return None
    value, start, end = dates[0]
    if start == 0 and _TITLE_WORDS.search(text[end:]):
        return value
    value, start, end = dates[-1]
    if text[end:].strip() in (")", ")", "", "】") and text[:start].rstrip().endswith(("(", "(")) \
            and _TITLE_WORDS.search(text[:start]):
        return value
    return None


def _release_date(lines: list[Line]) -> Found[date] | None:
    """The top block's date; a bare date line ("記者発表資料 / 令和7年4月10日") wins over
    the page's own metadata ("掲載日:2025年4月11日")."""
    labelled = None
    for position, line in enumerate(lines[:_TOP_BLOCK]):
        if line.role == "text" and len(line.text) > 60 and not (position == 0 and _PAGE_TITLE.search(line.text)):
            break
        announced = _ANNOUNCED_AT.match(line.text.lstrip("•・-*■□◆◇●○ "))
        if announced is not None:
            dated = next(find_dates(line.text), None)
            if dated is not None:
                return found(dated[0], "release date line", line.text)
        if line.role in ("timestamp", "caption", "furniture", "byline"):
            continue
        value = _date_line_value(line.text) or _titled_date(line.text)
        if value is None:
            continue
        if _PAGE_METADATA.match(line.text.lstrip("•・-*■□◆◇●○ ")):
            labelled = labelled or found(value, "release date line (page metadata)", line.text)
            continue
        return found(value, "release date line", line.text)
    return labelled


def _stamp(lines: list[Line]) -> Found[date] | None:
    """An announcement stamp in the text: "(令和6年12月6日 10時30分発表)", "第4報(2016.7.27発表)"."""
    for line in lines:
        for match in _STAMP.finditer(line.text):
            value = next(find_dates(match.group(1)), None)
            if value is not None:
                return found(value[0], "announcement stamp", line.text)
    return None


def _announcement(lead: str) -> Found[date] | None:
    sentences = [part for part in re.split(r"(?<=。)|\n", lead) if part.strip()]
    for sentence in sentences[:_SENTENCES]:
        if not _REPORT.search(sentence):
            continue
        for value, start, end in find_dates(sentence):
            before = sentence[:start]
            if _AFTER_SUBJECT.search(before) or _BEFORE_REPORT.match(sentence, end) or (
                    not before.strip() and sentence[end:end + 1] in ("、", ",")):
                return found(value, "date of the announcement in the lead", sentence)
    return None


def _names_a_body(line: Line) -> bool:
    """A short line that starts with a body's name ("西光保育園 解決責任者", "株式会社みなと")."""
    if line.role not in ("heading", "date") or len(line.text) > 40:
        return False
    names = find_names(line.text)
    return bool(names) and names[0].start == 0 and not names[0].generic


def _signature_date(lines: list[Line]) -> Found[date] | None:
    """A date line among the last lines, else a date line anywhere that heads a signature
    ("令和7年6月5日" / "西光保育園 解決責任者": a report's dated signature above its appendix)."""
    for line in lines[-_TAIL:]:
        if line.role == "date":
            value = _date_line_value(line.text)
            if value is not None:
                return found(value, "date line at the end of the release", line.text)
    for position, line in enumerate(lines[:-1]):
        if line.role == "date" and _names_a_body(lines[position + 1]):
            value = _date_line_value(line.text)
            if value is not None:
                return found(value, "date line over a signature", line.text)
    return None


def disclosure_date(header_date: date | None, header: str, lines: list[Line], lead: str) -> Found[date | None]:
    """The disclosure date of one incident segment (see module docstring)."""
    if header_date is not None:
        return found(header_date, "header: trailing date", header)
    for rule in (lambda: _release_date(lines), lambda: _announcement(lead), lambda: _stamp(lines),
                 lambda: _signature_date(lines)):
        result = rule()
        if result is not None:
            return result
    return found(None, "no disclosure date with a year visible", "")
