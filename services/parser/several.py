"""One report, several bodies' incidents: where a header-less text tells of more than one.

A news report or an aggregator page sometimes covers several disclosures at once
("徳島県は…漏えいしたと発表しました。…和歌山市でおよそ15万件、京都市でも9人分の
個人情報が漏えいした", "積水ハウスと別大興産が、それぞれ…被害を受けた",
"1件目は…。2件目は…"). Each body that the text makes the subject of its own
incident is one incident:

- **announcer**: "<X>は<day>日、…<event>…と発表した" (or 明らかにした, 公表した), also
  "<X>も…明らかにした", in a sentence that states an event (流出, 不正アクセス …);
- **also**: "<X>でも…<event>", "<X>では…<event>", "<X>で<count>";
- **together**: several names in one sentence that says they each (それぞれ) or alike
  (同様, 相次いで, いずれも) had one;
- **items**: numbered items of one announcement ("1件目は", "2件目は", "1つは", "もう1つは").

Never counted: a body the text calls a contractor (委託先, "業務を委託していた「X」"),
authorities and news outlets, and any text written in the first person (当社, 本市:
a body's own release is one incident even when it lists its clients).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.parser.disclosure import event_cue
from services.parser.fields.organization import contractors_in, subject_candidates, usable_names
from services.parser.names import find_names, strip_legal_form
from services.parser.reading import media_names

_MAX_SENTENCES = 60
_REPORT = re.compile(r"(?:発表|公表|明らかに|報告)(?:し|する|して|。|$)")  # "…と公表。": a summary's clipped verb
_ALSO = re.compile(r"(?:[」』])?(?:\([^()]{0,40}\))?(?:でも|では|で(?=[^、。]{0,12}?[0-9]))")
_ALSO_TOO = re.compile(r"(?:\([^()]{0,40}\))?も、?[^。]{0,80}(?:発表|明らかに|公表)")
_TOGETHER = re.compile(r"それぞれ|同様|相次いで|いずれも|ともに")
# "1件目は", also after a short attribution ("市の説明によると、1件目は…").
_ITEM = re.compile(r"^(?:[^。、]{0,15}、)?(?P<item>[0-9一二三四五]+件目|[0-9一二三四五]+つ目|1つは|一つは|もう1つは|もう一つは|"
                   r"[0-9一二三四五]+例目)")
_AUTHORITY = ("警察", "県警", "府警", "警視庁", "警察庁", "金融庁", "個人情報保護委員会", "総務省", "厚生労働省", "文部科学省")
_OPENING = 600  # a release speaks in the first person from its first lines
_FIRST_PERSON = re.compile(r"当社|弊社|当院|本学|本市|当市|本町|当町|本県|当行|当金庫|本会|当会|当協会|当法人|弊団体")


@dataclass(frozen=True, slots=True)
class Part:
    """One body's incident inside a report: its name and the lines that tell of it."""

    subject: str
    start: int  # first line (index into the text's lines)
    end: int  # one past the last line


def _sentences(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, sentence) pairs, in order."""
    out: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        for sentence in re.split(r"(?<=。)", line):
            if sentence.strip():
                out.append((index, sentence.strip()))
                if len(out) >= _MAX_SENTENCES:
                    return out
    return out


def _excluded(name: str, contractors: set[str]) -> bool:
    return (name in contractors or name in media_names() or name.endswith(_AUTHORITY) or "警察" in name
            or name.endswith("署"))


def _key(name: str) -> str:
    """Two spellings of one body ("医療法人DIC 宇都宮セントラルクリニック", "宇都宮セントラルクリニック") share a key."""
    return "".join(strip_legal_form(name).split())


def _same_body(name: str, known: dict[str, tuple[int, int]]) -> str | None:
    key = _key(name)
    for other in known:
        other_key = _key(other)
        if key and other_key and (key in other_key or other_key in key):
            return other
    return None


def _subjects_of(sentence: str) -> list[tuple[int, str, str]]:
    """(position, name, how) of every body this sentence makes the subject of its own incident."""
    event = event_cue(sentence)
    out: list[tuple[int, str, str]] = []
    if event and _REPORT.search(sentence):
        candidates = sorted(subject_candidates(sentence))
        if candidates:  # the subject of the report is the first one
            out.append((candidates[0][0], candidates[0][1], "announcer"))
    names = usable_names(sentence)
    if event:
        for name in names:
            if name.source == "quoted" and name.kind == "社":
                continue  # "短文投稿サイトの「ツイッター」では": a site or a product, not a body
            if _ALSO.match(sentence, name.end) or _ALSO_TOO.match(sentence, name.end):
                out.append((name.start, name.text, "also:" + (name.sector or "")))
    if _TOGETHER.search(sentence) and len(names) >= 2:
        for name in names:
            out.append((name.start, name.text, "together"))
    return out


def parts(lines: list[str]) -> list[Part]:
    """The incidents of several bodies a header-less text tells of; [] when it tells of one.

    Each body's lines run from the first sentence that makes it the subject on its
    own (else the first it shares) to the next body's; the first body also takes
    the opening. Numbered items of one announcement are one incident each."""
    text = "\n".join(lines)
    if _FIRST_PERSON.search(text[:_OPENING]):
        return []
    contractors = contractors_in(text[:6000])
    anchors: dict[str, tuple[int, int]] = {}  # name -> (line, 0 when alone / 1 when shared)
    items: dict[str, tuple[int, str | None]] = {}  # ordinal -> (line, the item's own subject)
    main: str | None = None
    main_sector: str | None = None
    for index, sentence in _sentences(lines):
        subjects = [(name, how) for _, name, how in sorted(_subjects_of(sentence)) if not _excluded(name, contractors)]
        for name, how in subjects:
            name = _same_body(name, anchors) or name
            if how.startswith("also:") and main is not None and how[5:] and main_sector and how[5:] != main_sector:
                continue  # "犬山市は…。犬山西小学校では…": a part of the body, not another body
            if main is None:
                main, main_sector = name, _sector(name)
            how = how.split(":")[0]
            anchor = (index, 1 if how == "together" else 0)
            if name not in anchors or (anchors[name][1] == 1 and anchor[1] == 0):
                anchors[name] = anchor
        item = _ITEM.match(sentence)
        if item and _ordinal(item.group("item")) not in items:
            own = next((name for _, name, _ in sorted(subject_candidates(sentence[item.start("item"):]))
                        if not _excluded(name, contractors)), None)
            items[_ordinal(item.group("item"))] = (index, own)
    if len(items) >= 2 and (main is not None or all(own for _, own in items.values())):
        ordered_items = sorted(items.values())
        starts = [line for line, _ in ordered_items]
        return [Part(own or main or "", start, end)
                for (start, own), end in zip(ordered_items, starts[1:] + [len(lines)])]
    if len(anchors) < 2:
        return []
    ordered = sorted(anchors.items(), key=lambda item: item[1][0])
    starts = [line for _, (line, _) in ordered]
    result = []
    for position, (name, (line, _)) in enumerate(ordered):
        later = [start for start in starts[position + 1:] if start > line]
        start = 0 if position == 0 or line == starts[0] else line
        end = later[0] if later else len(lines)
        result.append(Part(name, start, end))
    return result


def _sector(name: str) -> str | None:
    found = find_names(name)
    return found[-1].sector if found else None


def _ordinal(item: str) -> str:
    """"1件目" and "一件目" are the same item; "1つは" and "一つは" too; "もう1つは" is the second."""
    if item.startswith("もう"):
        return "2"
    return item.translate(str.maketrans("一二三四五", "12345"))[:1]
