"""Which organisation had the incident: read where a reader finds it.

In order, the first rule that finds a name decides:

1. **header**: a blog header ``<organisation> <title>`` names it first; a header
   written as a sentence ("札幌市立小学校の教頭、…") starts with it.
2. **signature**: a release's own lines: a name line in its top block (under the
   date, before the title), or a signature anywhere ("豊郷町長 伊藤 定勉",
   "日本学生相談学会理事長 高石 恭子"); with two name lines the later, more
   specific one ("株式会社クボタ" then "株式会社クボタクレジット").
3. **subject**: the subject of the lead ("総務省は4月8日、…と発表した",
   "法政大学は、…明らかにしました", "北海道銀行(以下、当行)におきまして",
   "赤穂市教育委員会のコンピュータサーバが…"), also a name no list knows when
   the news idiom ``X は <day>日、`` frames it ("サイバーエージェントは11月29日、").
4. **lead name**: else the first name in the lead that is not a place ("伊佐市の
   県立北薩病院"), a news outlet or a kind of body without a name ("同病院"),
   unless the lead speaks of itself (当社, 本学, 本市): then no name is visible.

Names come from `services.parser.names` (gazetteers and kind words); lines come
from `services.parser.reading`, so captions, bylines and page furniture are
never read as a name. A prefecture written before its municipality
("栃木県小山市") is dropped; a department after a body ("長与町税務課") too.
"""

from __future__ import annotations

import functools
import re

from services.common.names import LEGAL_FORMS
from services.parser.evidence import Found, found
from services.parser.names import (Name, body_of_department, find_names, head_titles, is_name, is_name_char,
                                   municipalities, not_names, outlets, prefectures_of, relatives, self_references,
                                   strip_determiners)
from services.parser.reading import Line, is_byline, media_names

_LEGAL_RE = re.compile("|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True)))
# Words that mark a token as (part of) a title rather than a name.
_TITLE_WORDS = re.compile(
    r"について|お知らせ|お詫び|おわび|ご報告|ご案内|に関する|における|による|不正アクセス|不正ログイン|漏えい|漏洩|"
    r"流出|被害|発生|感染|障害|誤送信|紛失|盗難|改ざん|攻撃|事案|事故|可能性|ランサム"
)
_UNIT_SUFFIXES = ("教育委員会", "委員会", "病院", "医院", "附属病院", "研究所", "研究科", "学部", "消防局", "消防本部",
                  "水道局", "交通局", "局", "センター")
# What may stand between a name and its particle: a closing quote, 社, and up to
# two parentheticals ("株式会社バルクオム(本社:東京都渋谷区、…)(以下、「当社」)は").
_BRIDGE = r"[」』]?(?:社)?(?:\s?\([^()]{0,60}\)){0,2}\s?"
# What follows a subject: topic and subject particles, the locatives of a release
# ("…におきまして") and the attributions of a report ("…によると").
_SUBJECT_AFTER = re.compile(
    _BRIDGE + r"(?:は|が|では|でも|において|におきまして|における|にて|によると|によりますと|の(?:発表|公表|調査)によると)"
)
# "長野県の一部地域で": a region of a place, not something the place owns.
_OWNER_AFTER = re.compile(_BRIDGE + r"の(?!一部(?:の)?地域|地域|地区|全域|各地|[東西南北中]部(?:地域|地方)?[でにの])"
                          r"[^、。]{1,30}?(?:が|は|に対し|への|で)")
# The news idiom "<name>は<day>日、", "<name>は2024年12月16日、", "<name>が26日、",
# or "<name>は、…発表した": found from the particle, the name read leftwards.
_NEWS_PARTICLE = re.compile(
    r"(?:\s?\([^()]{0,60}\))?(?:(?:は|が)、?(?=(?:[0-9]{4}年)?(?:[0-9]{1,2}月)?[0-9]{1,2}日(?:付で|に|、))"
    r"|は(?=、[^。]{0,120}(?:発表|明らかに|公表|報告|判明|謝罪)))"
)
_QUOTED_VICTIM = re.compile(
    r"「([^「」]{2,30})」の(?:顧客|会員|個人|利用者|お客様|患者|従業員|社員|職員)?(?:情報|データ|名簿)(?:が|を)?[^。、]{0,12}?"
    r"(?:流出|漏えい|漏洩|持ち出|盗まれ|盗難|窃取)")
# A municipality's or a prefecture's office: "四街道市役所", "西原村役場", "香川県庁".
_OFFICE = re.compile(r"(.{1,12}?(?:[市区]|[町村]|[都道府県]))(?:役所|役場|庁舎|庁)")
# What a ministry or agency does to the body that had the incident.
_DIRECTS = re.compile(r"指示|指導|勧告|命令|要請|行政処分|立ち入り検査|立入検査|注意喚起")
# "<body>といたしましては": the body speaking for itself in a release.
_SPEAKER = re.compile(r"(?:といたしましては|としましては|といたしまして(?:も|は))")
# What a title says happened to the body named before it: "Xへの不正アクセス", "Xにおける情報漏えい".
_VICTIM_AFTER = re.compile(
    r"[」』]?(?:への|に対する|における|で発生した|での|の)(?:不正アクセス|サイバー攻撃|ランサムウ[ェエ]ア|システム障害|"
    r"(?:個人|顧客|会員|お客様)?情報(?:の)?(?:漏えい|漏洩|流出)|不正ログイン)"
)
# A release's greeting thanks its readers for supporting the body: "日頃よりFC東京に温かい
# ご支援をいただき", "平素は「ABCストア」をご利用いただき".
_GREETING = re.compile(
    r"(?:平素|日頃|日ごろ)(?:より|から|は)、?[「『]?([^。、「」『』\s]{2,30}?)[」』]?(?:を|に|へ)(?:温かい|格別の|多大な)?"
    r"(?:ご|お)(?:愛顧|支援|利用|引き立て|高配|厚情|協力|理解)")
# "人材サービス総合研究所の水川浩之です": the writer introducing themself.
_SELF_INTRODUCTION = re.compile(r"の[^、。]{1,12}(?:です|と申します)")
_OFFICER = re.compile(
    r"(?:代表取締役(?:社長|会長)?(?:執行役員)?|取締役社長|代表執行役(?:社長)?|代表理事(?:長)?|理事長|学長|総長|院長|病院長|"
    r"校長|園長|所長|会長|社長|市長|町長|村長|区長|知事|局長|CEO)"
)
_SELF_SUBJECT = re.compile(r"^(?:このたび|この度|今般|[^、。]{0,12}、)?\s?(当社|弊社|当院|本学|本市|当市|本町|当町|本県|当県|当行|当金庫|本会|当会|"
                           r"当協会|当法人|当センター|当機構|当組合|同社|同院|同大|同校|弊団体|当団体|本院|本校|当校)")
# The head of a body named by the body's own kind: "豊郷町長" is the head of 豊郷町.
_HEAD_TITLES = frozenset(("市長", "町長", "村長", "区長", "病院長", "院長", "校長", "園長", "所長", "局長"))
# "HP:伊東市", "発表元:X": an aggregator's field naming the body.
_BODY_FIELDS = r"組織名?|企業名|会社名|団体名|事業者名?|法人名|対象組織"
_NAME_FIELD = re.compile(rf"^(?:HP|ＨＰ|発表元|発表者|{_BODY_FIELDS})\s*[::]\s*(.+)$")
# "会社名 | X |", "組織名:X": a field naming the body itself, which outranks a field naming the
# announcer's site ("HP:静岡県" above a prefectural school's row).
_BODY_FIELD = re.compile(rf"^(?:{_BODY_FIELDS})\s*[::|]\s*([^|]+?)\s*\|?\s*$")
# "株式会社 東玉(とうぎょく)": a reading in kana after a name.
_READING = re.compile(r"[((][\u3041-\u309f\u30a1-\u30fcA-Za-z ]{1,30}[))]$")
# What may stand before a short form of a name in its full form: a legal form or
# the body that founded it ("香川県立", "市立").
_FULL_PREFIX = re.compile("(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
                          + r"|[\u4e00-\u9fff]{0,4}[県都府道市町村区]立)$")
_PARTICLE_CHARS = frozenset("のはがをにでとへやもかよりらまてしたるれ")
_CONTRACTOR = re.compile(r"委託(?:先|して|した|していた|している|を受け|業者|事業者)|受託")
_TOP_BLOCK = 10
_PREFECTURES = ("北海道", "東京都", "京都府", "大阪府") + tuple(f"{p}県" for p in (
    "青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 神奈川 新潟 富山 石川 福井 山梨 長野 岐阜 静岡 愛知 三重 滋賀 兵庫 奈良 "
    "和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄").split())
_SENTENCES = 4
_BODY_CHARS = 3000


def looks_like_org(text: str) -> bool:
    """True when `text` is one organisation name (a legal form, a kind word, a listed name)."""
    text = text.strip()
    if not text or len(text) > 40:
        return False
    sole = _sole_name(text)
    return (sole is not None and not sole.generic) \
        or (bool(_LEGAL_RE.search(text)) and text[-1] not in _PARTICLE_CHARS)  # not "…法人のメールアドレスが"


def _sole_name(text: str) -> Name | None:
    """The one name `text` consists of, or None."""
    names = find_names(text)
    return names[0] if len(names) == 1 and names[0].start == 0 and names[0].end == len(text) else None


def _join(left: str, right: str) -> str:
    """Two parts of a name written with a space: the space stays only between Latin words."""
    if left[-1:].isascii() and right[:1].isascii() and right[:1].isalnum():
        return left + " " + right
    return left + right


def _latin_name(tokens: list[str]) -> int:
    """How many leading tokens form a multi-word Latin name ending in an organisation
    word ("Money Forward, Inc.", "Kobe Digital Labs株式会社"); 0 when they do not."""
    for end in range(1, min(4, len(tokens) - 1)):
        if not tokens[end - 1].isascii():
            return 0
        if (_LEGAL_RE.search(tokens[end]) or tokens[end] in ("Inc.", "Inc", "Ltd.", "Corporation", "Corp.")) \
                and not _TITLE_WORDS.search(tokens[end]):
            return end + 1
    return 0


def _leading_name(text: str) -> Name | None:
    """A name that starts the text (after an optional prefecture)."""
    names = [n for n in find_names(text[:80]) if not n.generic]
    if names and names[0].start == 0:
        return names[0]
    if names and names[0].place and names[0].start == len(names[0].place):
        return names[0]
    return None


def split_header(rest: str) -> tuple[str | None, str]:
    """(organisation, title) from a header with its 【…】 prefix and date removed."""
    rest = rest.strip()
    tokens = rest.split()
    if len(tokens) >= 2:
        org_tokens = 1
        first = tokens[0]
        latin = _latin_name(tokens)
        if latin:
            first, org_tokens = functools.reduce(_join, tokens[:latin]), latin
        elif _LEGAL_RE.fullmatch(first) and len(tokens) >= 3:  # "株式会社 ABC …"
            first, org_tokens = _join(first, tokens[1]), 2
        elif len(tokens) >= 3 and _LEGAL_RE.fullmatch(tokens[1]):  # "ABC 株式会社 …"
            first, org_tokens = _join(first, tokens[1]), 2
        elif (len(tokens) >= 3 and len(tokens[1]) <= 15 and tokens[1].endswith(_UNIT_SUFFIXES)
              and not _TITLE_WORDS.search(tokens[1]) and not _TITLE_WORDS.search(first)):
            first, org_tokens = _join(first, tokens[1]), 2  # "〇〇市 教育委員会 …"
        if len(first) <= 40 and not _TITLE_WORDS.search(first) and not re.search(r"[、。]|の.+(?:が|は)", first):
            return first, " ".join(tokens[org_tokens:])
    leading = _leading_name(rest)
    if leading is not None:
        return leading.text, rest
    return None, rest


def _name_line(text: str) -> str | None:
    """The organisation a release's name or signature line gives, or None.

    "国立大学法人山口大学", "株式会社 筑 波 銀 行", "常磐興産株式会社 代表取締役社長 井上直美",
    "日本学生相談学会理事長 高石 恭子", "豊郷町長 伊藤 定勉", "専門学校 福祉リソースカレッジ広島"."""
    line = _READING.sub("", text.strip().lstrip("#•・-*■□◆◇●○ ").strip())
    if not line or len(line) > 60 or "。" in line or "、" in line:
        return None
    field = _NAME_FIELD.match(line)
    if field:
        line = field.group(1).strip()
    officer = _OFFICER.search(line)
    if officer:
        # "豊郷町長", "県立広島病院長": the body's head; "理事長", "代表取締役社長": an officer after the name
        titled = line[:officer.end() - 1]
        names = find_names(titled) if officer.group() in _HEAD_TITLES else []
        whole = len(names) == 1 and names[0].start == 0 and names[0].end == len(titled)
        line = titled if whole else line[:officer.start()].strip()
        if not line:
            return None
    tokens = line.split()
    if len(tokens) >= 2 and _TITLE_WORDS.search(" ".join(tokens[1:])) and looks_like_org(tokens[0]):
        return tokens[0]  # "国立大学法人X大学 個人情報が保存されているノートパソコンの盗難": a name, then the title
    if len(tokens) > 2 and all(len(t) == 1 for t in tokens[1:]) or all(len(t) <= 2 for t in tokens) and len(tokens) > 2:
        line = "".join(tokens)  # "株式会社 筑 波 銀 行", "島 根 労 働 局"
    if looks_like_org(line):
        return line
    body = body_of_department(line)
    if body != line and looks_like_org(body):
        return body  # "日本哲学会事務局": the society's office signs for the society
    compact = "".join(line.split())
    if compact != line and looks_like_org(compact) and any(_LEGAL_RE.fullmatch(t) for t in tokens):
        return line
    # "専門学校 福祉リソースカレッジ広島": a kind word, a space and a name
    if len(tokens) == 2 and find_names(tokens[0]) and is_name(tokens[1]) and officer is None:
        kind = find_names(tokens[0])[0]
        if kind.generic and kind.end == len(tokens[0]):
            return line
    return None


def org_from_top_lines(lines: list[str]) -> str | None:
    """The organisation line of a press release's top block (the later of two)."""
    chosen = None
    for line in lines:
        name = _name_line(line)
        if name is not None:
            chosen = name
    return chosen


def _signature(lines: list[Line]) -> Found[str] | None:
    """A release's name line: in the top block (the later of two), else a signature
    anywhere: a name with its head's title ("豊郷町長 伊藤 定勉"), a name line
    followed by its officers ("医療法人久仁会 鳴門山上病院" / "理事長 山上 敦子"), or
    a name line under a date line ("令和2年8月28日" / "国立大学法人金沢大学")."""
    top: list[Line] = []
    for line in lines:
        if line.role == "text":
            break
        top.append(line)
    chosen = None
    for line in lines[:_TOP_BLOCK * 3]:
        field = _BODY_FIELD.match(line.text) if len(line.text) <= 80 else None  # a field row is short
        if field and is_name(field.group(1).strip()):
            return found(_drop_place(field.group(1).strip()), "an aggregator's field naming the body", line.text)
    for line in top[:_TOP_BLOCK]:
        if _outlet_byline(line.text):
            continue
        name = _name_line(line.text) if line.role in ("heading", "date") else None
        if name is not None:
            chosen = (name, line.text)
    if chosen is None:
        for position, line in enumerate(lines):
            if line.role not in ("heading", "date") or len(line.text) > 40:
                continue
            nxt = lines[position + 1].text if position + 1 < len(lines) else ""
            dated = position > 0 and lines[position - 1].role == "date"  # "令和2年8月28日" / "国立大学法人金沢大学"
            if _OFFICER.search(line.text) or _OFFICER.match(nxt) or _NAME_FIELD.match(line.text) or dated:
                name = _name_line(line.text)
                if name is not None:
                    chosen = (name, line.text)
                    for following in lines[position + 1:position + 3] if dated else ():  # the later, more specific
                        later = _name_line(following.text) if following.role in ("heading", "date") else None
                        if later is None:
                            break
                        chosen = (later, following.text)
                    break
    if chosen is None:
        return _contact(lines)
    return found(_drop_place(chosen[0]), "signature: a name line of the release", chosen[1])


def _outlet_byline(text: str) -> bool:
    """A line under a headline that only names a broadcaster or a paper ("秋田朝日放送"): the
    outlet reporting, not the body (a media company's own release writes its legal form)."""
    sole = _sole_name(text.strip())
    return sole is not None and sole.source == "kind" and sole.sector == "media"


def _contact(lines: list[Line]) -> Found[str] | None:
    """The body a release gives as its contact ("<本件に関するお問い合わせ先>" / "マンパワーグループ
    株式会社介護求人ネット事務局"): the name the contact line starts with."""
    for position, line in enumerate(lines):
        if len(line.text) > 40 or not _CONTACT.search(line.text):
            continue
        for following in lines[position + 1:position + 3]:
            names = [n for n in find_names(following.text) if n.start == 0 and not n.generic]
            if names and _usable(following.text, names[0], names):
                return found(_drop_place(names[0].text), "the contact a release gives", following.text)
    return None


def _drop_place(name: str) -> str:
    """"栃木県小山市" -> "小山市", "岡山県奈義町教委" -> "奈義町教委": a prefecture written before
    one of its municipalities is a place, not part of the name."""
    for prefecture in _PREFECTURES:
        if name.startswith(prefecture) and len(name) > len(prefecture):
            rest = name[len(prefecture):]
            if any(rest.startswith(town) and prefecture in prefectures_of(town) for town in _town_prefixes(rest)):
                return rest
            break
    return name


def _town_prefixes(text: str) -> list[str]:
    """Municipality names that `text` starts with."""
    towns = municipalities()
    return [text[:size] for size in range(2, min(len(text), 8) + 1) if text[:size] in towns]


def _is_place(text: str, name: Name, names: list[Name]) -> bool:
    """A name that only locates or describes another body: "伊佐市の県立北薩病院", "津山市にあるX農協",
    "徳島県つるぎ町の病院", "(浦添市)", "調剤薬局のからたち薬局", "著名出版社の「幻冬舎」"."""
    opening = name.start - len(name.place or "")
    if text[max(0, opening - 1):opening] in ("(", "(") and name.source in ("municipality", "prefecture"):
        return True
    link = _PLACE_LINK.match(text, name.end)
    town = name.source in ("municipality", "prefecture")
    if link is None or (link.group() != "の" and not town):
        return False
    nxt = next((n for n in names if n.start > name.end), None)
    if nxt is None or nxt.start - link.end() > 12 or "、" in text[name.end:nxt.start]:
        return False
    return town or not nxt.generic


def contractors_in(text: str) -> set[str]:
    """Companies the text calls a contractor: "業務を委託していた「イセトー」", "委託先のX",
    "委託事業者 株式会社X", "Xに委託". Public bodies entrust work; they are not taken for
    contractors. A contractor is a vendor, never the organisation."""
    found = set()
    for name in find_names(text):
        if name.sector in ("government", "education", "healthcare") or name.source in ("municipality", "prefecture"):
            continue
        around = text[max(0, name.start - 14):name.end + 8]
        if _CONTRACTOR.search(around):
            found.add(name.text)
    return found


def usable_names(sentence: str) -> list[Name]:
    """Names in a sentence that can be the organisation: not a kind of body, a place
    or a news outlet."""
    names = find_names(sentence)
    return [name for name in names if _usable(sentence, name, names)]


def _usable(text: str, name: Name, names: list[Name]) -> bool:
    return (not name.generic and not _is_place(text, name, names) and name.text not in media_names()
            and not is_byline(name.text) and not _SELF_INTRODUCTION.match(text, name.end)
            and not _RUN_SERVICE.search(text, max(0, name.start - 16), name.start)
            and not _COPYRIGHT.search(text, max(0, name.start - 16), name.start))


# A verb describing the business of the name after it: "通販サイトを運営するX", "Yを手掛けるX".
_DESCRIBING_VERB = re.compile(r"(?:運営|展開|経営|提供|販売|製造|開発|運用)(?:する|している)$|手(?:掛|が)ける$")
# What joins a place to the body it locates: "伊佐市の…", "津山市にある…", "市内の…".
_PLACE_LINK = re.compile(r"の|(?:内)?にある|内の")
# The heading of a release's contact block.
_CONTACT = re.compile(r"(?:お|ご)?問い?合わ?せ先|(?:本件|本事案|この件)に(?:関する|ついての)(?:お|ご)?問い?合わ?せ|連絡先[::]?$")
# "(C)時事通信社", "© 2024 株式会社X": the publisher of the page, not the body.
_COPYRIGHT = re.compile(r"(?:\([Cc]\)|©|Copyright|COPYRIGHT)\s?(?:[0-9]{4}(?:\s?-\s?[0-9]{4})?\s?)?$")
# "弊社が運営・管理する「介護求人ネット」": a service the writer runs, not a body.
_RUN_SERVICE = re.compile(r"(?:運営|管理|提供|運用)(?:・(?:運営|管理|運用))?(?:する|している|しております)[「『]$")


def _sentences(lead: str) -> list[str]:
    parts = re.split(r"(?<=[。!?])|\n", lead)
    return [p.strip() for p in parts if p.strip()][:_SENTENCES * 2]


def subject_candidates(sentence: str, title: bool = False) -> list[tuple[int, str, str]]:
    """(position, name, rule) of every subject in one sentence (in a title, only a name
    followed by a subject particle: "青梅市が保有する個人情報の漏えい…について")."""
    names = find_names(sentence)
    found_here: list[tuple[int, str, str]] = []
    for name in names:
        if not _usable(sentence, name, names):
            continue
        if name.source == "national" and _DIRECTS.search(sentence, name.end, name.end + 40):
            continue  # "観光庁が札幌通運にも報告指示": the regulator directing the body
        before = sentence[:name.start]
        at_start = not before.strip(" 「『") or bool(re.fullmatch(
            r"(?:[^、。]{0,30}(?:の|、)|[0-9]{4}年[0-9]{1,2}月、|先月、|今月、|[^、。]{0,10}、)", before))
        owner = at_start and not title and _OWNER_AFTER.match(sentence, name.end) and not _of_relative(sentence, name.end)
        if _SUBJECT_AFTER.match(sentence, name.end) or owner:
            rule = "subject of the title" if title else "subject of the lead"
            found_here.append((name.start, _drop_place(name.text), rule))
    if title:
        return found_here
    for match in _NEWS_PARTICLE.finditer(sentence):
        start = _name_run_start(sentence, match.start())
        candidate = strip_determiners(sentence[start:match.start()])
        start = match.start() - len(candidate)
        undated = sentence.startswith("は、", match.end() - 1) or sentence[match.end():match.end() + 1] == "、"
        described = _DESCRIBING_VERB.search(sentence, max(0, start - 6), start) is not None
        if undated and start > 0 and sentence[start - 1] not in "、。「」『』 の" and not described:
            continue  # "流出した可能性がある情報は、…": not a name at the head of the sentence
        if _plausible_unknown_name(candidate):
            found_here.append((start, _drop_place(body_of_department(candidate)), "subject of the lead (news idiom)"))
    return found_here


def _of_relative(text: str, end: int) -> bool:
    """"Xの子会社Y": what follows X is its subsidiary (or parent), the body the sentence is about."""
    return text.startswith("の", end) and text.startswith(relatives(), end + 1)


def _name_run_start(text: str, end: int) -> int:
    """Start of the name-character run that ends at `end` (leading descriptors stay out);
    kana between kanji belongs to the name ("日本たばこ産業")."""
    start = end
    while start > 0 and end - start < 24:
        char = text[start - 1]
        if is_name_char(char):
            start -= 1
            continue
        if _DESCRIBING_VERB.search(text, max(0, start - 6), start):
            break  # "通販サイトを運営するX": the verb describes the name, it is not part of it
        kana = start
        while kana > 0 and "\u3041" <= text[kana - 1] <= "\u3096" and text[kana - 1] not in _PARTICLE_CHARS:
            kana -= 1
        if kana < start and kana > 0 and is_name_char(text[kana - 1]) and start - kana <= 4:
            start = kana
            continue
        break
    return start


def _subject(lead: str, titles: list[str]) -> Found[str] | None:
    """The subject of the title lines, else of the lead's first sentences (see module
    docstring, rule 3): in each sentence the earliest subject wins."""
    for sentence, title in [(t, True) for t in titles] + [(s, False) for s in _sentences(lead)]:
        candidates = subject_candidates(sentence, title)
        if candidates:
            _, name, rule = min(candidates, key=lambda item: item[0])
            return found(name, rule, sentence)
    return None


def _speaker(lines: list[Line]) -> Found[str] | None:
    """The body that speaks for the release: "名護市教育委員会といたしましては、本件を厳粛に
    受け止め" (the school where it happened is named first, the board answers for it)."""
    for line in lines[:_TOP_BLOCK * 3]:
        if line.role not in ("text", "heading"):
            continue
        for match in _SPEAKER.finditer(line.text):
            names = [n for n in find_names(line.text[:match.start()]) if n.end == match.start()]
            if names and _usable(line.text, names[-1], names) and names[-1].text not in self_references():
                return found(_drop_place(names[-1].text), "the body that speaks for the release", line.text)
    return None


def _victim_in_title(titles: list[str]) -> Found[str] | None:
    """The body a title says was attacked, named or not in any list: "西光亭ネットショップへの
    不正アクセス" (a shop or a site run under its name), "Xにおける個人情報の漏えい"."""
    for title in titles:
        for match in _VICTIM_AFTER.finditer(title):
            start = _name_run_start(title, match.start())
            run = title[start:match.start()]
            outlet = next((word for word in outlets() if run.endswith(word) and len(run) > len(word)), None)
            candidate = run[:-len(outlet)] if outlet else run
            known = [n for n in find_names(candidate) if n.start == 0 and n.end == len(candidate) and not n.generic]
            if known or (outlet and _plausible_unknown_name(candidate)):
                return found(_drop_place(candidate), "the body the title says was attacked", title)
    return None


def _quoted_victim(lead: str) -> Found[str] | None:
    """A body written in quotes whose data the lead says leaked: 通信教育大手「ベネッセHD」の
    顧客情報流出で…, 「リベロ」の顧客データが不正に持ち出された."""
    for sentence in _sentences(lead):
        match = _QUOTED_VICTIM.search(sentence)
        if match and _plausible_unknown_name(match.group(1)):
            return found(match.group(1), "the body whose data the lead says leaked", sentence)
    return None


def _greeting(lines: list[Line]) -> Found[str] | None:
    """The body a release's greeting thanks its readers for supporting (see _GREETING)."""
    for line in lines[:_TOP_BLOCK * 3]:
        if line.role not in ("text", "heading"):
            continue
        match = _GREETING.search(line.text)
        if match and _plausible_unknown_name(match.group(1)):
            return found(match.group(1), "the body the release's greeting thanks readers for supporting", line.text)
    return None


def _plausible_unknown_name(text: str) -> bool:
    """A name-like run no list knows: not a self-reference, a pronoun or a generic word."""
    if len(text) < 2 or not is_name(text):
        return False
    if text in self_references() or text in not_names() or text in (
            "同社", "同大", "同院", "同市", "同県", "県", "市", "町", "村", "区", "国", "政府"):
        return False
    if text.startswith(("同", "当", "本", "弊", "各")) or text.endswith(("者", "員", "氏", "さん", *head_titles())) or text[0].isdigit() \
            or "件目" in text or "つ目" in text:
        return False
    return not _TITLE_WORDS.search(text)


def _speaks_of_itself(lead: str) -> str | None:
    """The self-reference (当社, 本学, 本市 …) the lead opens with, if any. A report's
    同社, 同校 (the said company, school) points back to a body it named: not a self-reference."""
    for sentence in _sentences(lead)[:2]:
        match = _SELF_SUBJECT.search(sentence)
        if match and not match.group(1).startswith("同"):
            return match.group(1)
    return None


def _lead_name(lead: str, hired: set[str]) -> Found[str] | None:
    for sentence in _sentences(lead):
        names = find_names(sentence)
        for name in names:
            if _usable(sentence, name, names) and name.text not in hired:
                return found(_drop_place(name.text) if name.place else name.text, "first name in the lead", sentence)
    return None


def _fullest(result: Found[str], lines: list[Line]) -> Found[str]:
    """The name as written in full where the text also writes it so: "高松西高校" ->
    "香川県立高松西高校", "東玉" -> "株式会社東玉" (a legal form or the founding body's 立)."""
    name = result.value
    if not name:
        return result
    text = "\n".join(line.text for line in lines[:_TOP_BLOCK * 3])
    position = text.find(name)
    while position >= 0:  # the first mention may be a headline's short form, a later one the full name
        before = text[max(0, position - 8):position]
        match = _FULL_PREFIX.search(before)
        if match:
            return Found(match.group() + name, result.evidence)
        position = text.find(name, position + 1)
    return result


def _recurring_name(lines: list[Line], hired: set[str]) -> Found[str] | None:
    """The name the text keeps coming back to (at least twice in its opening), when
    the lead names nobody: "荒尾市の調査員が…", "荒尾市へ…報告"."""
    text = "\n".join(line.text for line in lines if line.role in ("heading", "text"))[:_BODY_CHARS]
    names = find_names(text)
    counts: dict[str, int] = {}
    for name in names:
        if _usable(text, name, names) and name.source != "kind" or (name.source == "kind" and not name.generic
                                                                   and name.sector not in (None, "government")):
            if name.text in media_names() or name.text in hired:
                continue
            counts[name.text] = counts.get(name.text, 0) + 1
    best = max(counts.items(), key=lambda item: item[1], default=None)
    if best is None or best[1] < 2:
        return None
    return found(best[0], f"named {best[1]} times in the text", best[0])


def _as_body(result: Found[str | None]) -> Found[str | None]:
    """The body a name stands for: its office building is the municipality ("四街道市役所" ->
    "四街道市", "県庁" -> the prefecture), its site is itself ("千石会HP" -> "千石会") and a
    separator after a legal form goes ("特定非営利活動法人・X" -> "特定非営利活動法人X")."""
    name = result.value
    if not name:
        return result
    office = _OFFICE.fullmatch(name)
    if office:
        name = office.group(1)
    outlet = next((word for word in outlets() if name.endswith(word) and len(name) - len(word) >= 2), None)
    if outlet is not None and is_name(name[:-len(outlet)]):
        name = name[:-len(outlet)]  # "千石会HP": the body, not its site
    legal = _LEGAL_RE.match(name)
    if legal and name[legal.end():legal.end() + 1] in ("・", " "):
        name = name[:legal.end()] + name[legal.end() + 1:]
    return Found(name, result.evidence) if name != result.value else result


def organization(header_org: str | None, header: str, lines: list[Line], lead: str) -> Found[str | None]:
    """The organisation of one incident segment (see module docstring)."""
    return _as_body(_organization(header_org, header, lines, lead))


def _organization(header_org: str | None, header: str, lines: list[Line], lead: str) -> Found[str | None]:
    if header_org:
        return found(header_org, "header: first part", header)
    titles = []
    for line in lines[:_TOP_BLOCK]:
        if line.role == "text":
            break
        if line.role == "heading":
            titles.append(line.text)
    signature = _signature(lines)
    if signature is not None:
        return _fullest(signature, lines)
    hired = contractors_in("\n".join(line.text for line in lines[:_TOP_BLOCK * 3])[:_BODY_CHARS])
    speaker = _speaker(lines)
    if speaker is not None and speaker.value not in hired:
        return _fullest(speaker, lines)
    subject = _subject(lead, titles) or _victim_in_title(titles) or _quoted_victim(lead)
    if subject is not None and subject.value not in hired:
        return _fullest(subject, lines)
    greeting = _greeting(lines)
    if greeting is not None and greeting.value not in hired:
        return greeting
    itself = _speaks_of_itself(lead)
    if itself:
        return found(None, f"no name visible: the text speaks of itself ({itself})", itself)
    result = _lead_name(lead, hired) or _recurring_name(lines, hired)
    if result is not None:
        return result
    return found(None, "no name visible", "")


def org_from_text(text: str) -> str | None:
    """The first organisation named in `text` (a last resort)."""
    names = [n for n in find_names(text[:2000]) if _usable(text, n, [])]
    return names[0].text if names else None
