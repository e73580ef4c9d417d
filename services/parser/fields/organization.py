"""Which organisation had the incident, from a header line or a press release's top lines.

Blog headers are written ``<organisation> <title>``: the first space-separated
token is the organisation unless it reads like a title. Headers with no space
("東京大学未来ビジョン研究センターへの不正アクセス…") and headers written as a
news sentence ("名古屋市消防局の31歳の男性消防士長、…") name the organisation as
the leading noun phrase: the shortest prefix that ends in an organisation suffix
(局, 大学, センター, 株式会社, …) and is followed by a particle.
"""

from __future__ import annotations

import functools
import re

LEGAL_FORMS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "公益社団法人", "一般財団法人",
    "公益財団法人", "社会福祉法人", "社会医療法人", "医療法人社団", "医療法人財団", "医療法人", "学校法人",
    "国立大学法人", "公立大学法人", "独立行政法人", "地方独立行政法人", "国立研究開発法人", "特定非営利活動法人",
    "NPO法人", "宗教法人", "農業協同組合", "生活協同組合", "(株)", "(有)", "㈱", "㈲",
)
_LEGAL_RE = re.compile("|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True)))
ORG_SUFFIXES = (
    "株式会社", "有限会社", "合同会社", "ホールディングス", "グループ", "大学院", "大学", "病院", "医院", "クリニック",
    "診療所", "センター", "機構", "協会", "連合会", "組合", "財団", "学園", "学院", "高等学校", "高校", "中学校",
    "小学校", "学校", "幼稚園", "保育園", "研究所", "銀行", "信用金庫", "教育委員会", "委員会", "役所", "役場",
    "消防局", "消防本部", "事務所", "法人", "庁", "省", "局", "県", "都", "府", "市", "区", "町", "村", "署", "館",
    "会", "Inc.", "Inc", "Ltd.", "Corporation", "Corp.",
)
_SUFFIX_ALT = "|".join(re.escape(s) for s in sorted(ORG_SUFFIXES, key=len, reverse=True))
_PARTICLE = r"(?=への|における|において|に対する|に関する|での|で|が|は|、|,|の|に|を|と|より|から|[ \t]|$)"
_LEADING_ORG = re.compile(rf"^(?P<org>.{{1,40}}?(?:{_SUFFIX_ALT})){_PARTICLE}")
_LEADING_NOUN = re.compile(r"^(?P<org>[^、,。 ]{2,30}?)(?=への|における|において|に対する|で発生|の)")
# Words that mark a token as (part of) a title rather than a name.
_TITLE_WORDS = re.compile(
    r"について|お知らせ|お詫び|おわび|ご報告|ご案内|に関する|における|による|不正アクセス|不正ログイン|漏えい|漏洩|"
    r"流出|被害|発生|感染|障害|誤送信|紛失|盗難|改ざん|攻撃|事案|事故|可能性"
)
_UNIT_SUFFIXES = ("教育委員会", "委員会", "病院", "医院", "附属病院", "研究所", "研究科", "学部", "消防局", "消防本部",
                  "水道局", "交通局", "局", "課", "センター", "事務所", "支社", "支店", "本部")
_COMPANY_IN_TEXT = re.compile(
    r"(?:株式会社|有限会社|合同会社|一般社団法人|公益社団法人|一般財団法人|公益財団法人|学校法人|医療法人|社会福祉法人)"
    r"[^\s、。,「」『』()]{1,25}|[^\s、。,「」『』()]{1,25}?(?:株式会社|有限会社|合同会社)"
)
_ADDRESS = re.compile(r"^〒|^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}県).{1,8}?[市区町村郡].{0,30}\d|丁目|番地|ビル\s*\d*階")
_ORG_LINE_BAD = re.compile(r"各位|代表取締役|代表理事|理事長|学長|院長|社長|御中|様$|^\d|お問い?合わせ|TEL|電話|窓口")


def looks_like_org(text: str) -> bool:
    """True when `text` carries a legal form or ends in an organisation suffix."""
    text = text.strip()
    return bool(_LEGAL_RE.search(text)) or text.endswith(ORG_SUFFIXES)


def org_from_sentence(text: str) -> str | None:
    """The organisation a header written as a sentence is about (its leading noun phrase)."""
    text = text.strip()
    match = _LEADING_ORG.match(text)
    if match and not _TITLE_WORDS.search(match.group("org")):
        return match.group("org").strip()
    match = _LEADING_NOUN.match(text)
    if match and not _TITLE_WORDS.search(match.group("org")):
        return match.group("org").strip()
    return None


def _join(left: str, right: str) -> str:
    """Two parts of a name written with a space between them, as one name: the space
    stays only between two Latin words ("Money Forward"), not in "国立大学法人 東京大学"."""
    if left[-1:].isascii() and right[:1].isascii() and right[:1].isalnum():
        return left + " " + right
    return left + right


def _latin_name(tokens: list[str]) -> int:
    """How many leading tokens form a multi-word Latin name ending in an organisation
    word ("Money Forward, Inc.", "Kobe Digital Labs株式会社"); 0 when they do not."""
    for end in range(1, min(4, len(tokens) - 1)):
        if not tokens[end - 1].isascii():
            return 0
        if looks_like_org(tokens[end]) and not _TITLE_WORDS.search(tokens[end]):
            return end + 1
    return 0


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
        # "株式会社 ABC" or "ABC 株式会社": a legal form standing alone joins its neighbour.
        elif _LEGAL_RE.fullmatch(first) and len(tokens) >= 3:
            first, org_tokens = _join(first, tokens[1]), 2
        elif len(tokens) >= 3 and _LEGAL_RE.fullmatch(tokens[1]):
            first, org_tokens = _join(first, tokens[1]), 2
        elif (len(tokens) >= 3 and len(tokens[1]) <= 15 and tokens[1].endswith(_UNIT_SUFFIXES)
              and not _TITLE_WORDS.search(tokens[1]) and not _TITLE_WORDS.search(first)):
            # "〇〇市 教育委員会 …", "〇〇大学 医学部附属病院 …": the second token names the unit
            first, org_tokens = _join(first, tokens[1]), 2
        if len(first) <= 40 and not _TITLE_WORDS.search(first):
            title = " ".join(tokens[org_tokens:])
            return first, title
    return org_from_sentence(rest), rest


def org_from_text(text: str) -> str | None:
    """The first organisation with a legal form named in `text` (a last resort)."""
    match = _COMPANY_IN_TEXT.search(text[:2000])  # the pattern tries 25 characters at each position
    if not match:
        return None
    name = match.group()
    for particle in ("は", "が", "の", "に", "を", "へ", "より", "から", "にて", "において"):
        cut = name.find(particle, 4)
        if cut > 0:
            name = name[:cut]
    return name


def org_from_top_lines(lines: list[str]) -> str | None:
    """The organisation line of a press release: a short name line, not an address or a title."""
    fallback = None
    for line in lines:
        text = line.strip().lstrip("#").strip()
        if not text or len(text) > 40 or _ADDRESS.search(text) or _TITLE_WORDS.search(text):
            continue
        if _ORG_LINE_BAD.search(text):
            # "株式会社X 代表取締役 Y": keep the part before the officer's title
            head = re.split(r"\s*(?:代表|理事長|学長|院長|社長)", text)[0].strip()
            if head and looks_like_org(head):
                return head
            continue
        if looks_like_org(text):
            return text
        if fallback is None and re.fullmatch(r"[^\s。、]{2,25}", text) and not any(ch.isdigit() for ch in text):
            fallback = text
    return fallback
