"""Vendors and products where the breach happened, never those named as countermeasures.

Three sources, all kept only in a *breach sentence* (one that speaks of the attack,
the leak, the vulnerability or the cause) outside countermeasure sections and
countermeasure sentences (導入, 採用, 診断, 監視 …):

1. the dictionary in ``data/vendors.toml`` (aliases, case-insensitive, whole words);
2. a Latin product name right after a product noun: サーバー設置型メーラー「acmailer」,
   レイアウトシステム WebLAYLA;
3. a company named as the entrusted operator: 委託している株式会社静岡情報処理センター,
   株式会社Xが提供する/運営する…. After 委託 the sentence may instead say that the
   company ran the system (保守, 運用, 管理, サイト …) without naming the breach.

Names in the countermeasure list (OWASP ZAP, Acronis Cyber Protect, WAF …) are
never reported, and neither is the organisation itself.
"""

from __future__ import annotations

import functools
import re

from services.parser.evidence import Evidence, Found
from services.parser.normalize import compact
from services.parser.fields import lexicon
from services.parser.resources import data

_BREACH = re.compile(
    r"不正アクセス|脆弱性|侵入|攻撃|流出|漏えい|漏洩|被害|感染|改ざん|ランサム|マルウェア|閲覧可能|アクセス可能|"
    r"設定(?:の|に)?不備|乗っ取|不正ログイン|障害|原因|インシデント|抜き取|窃取|暗号化"
)
_COUNTER_SENTENCE = re.compile(
    r"導入|採用|切り?替え|移行し|診断|を用いて|で監視|による監視|監視を|対策として|インストール(?:し|する)|"
    r"契約し|に変更|再発防止|を実施し"
)
# Product nouns are found with Aho-Corasick; the name after one is read with an
# anchored regex, so no pattern is tried at every position of the text.
# Not アプリ or サービス: after those a Latin name is usually the organisation's own brand.
_PRODUCT_NOUNS = (
    "メーラー", "CMS", "ソフト", "ソフトウェア", "ソフトウエア", "ツール", "プラグイン", "システム", "パッケージ",
    "製品", "VPN", "VPN装置", "VPN機器", "機器", "ルーター", "ルータ", "ファイアウォール", "ストレージ",
)
_PRODUCT_NAME = re.compile(
    r"[ \t]{0,2}[「『]?[ \t]{0,2}"
    r"(?P<name>[A-Za-z][A-Za-z0-9.+\-]{1,30}(?:[ \t][A-Z][A-Za-z0-9.+\-]{1,20}){0,3})"
)
_GENERIC = frozenset(
    w.lower() for w in (
        "WEB", "EC", "PC", "IP", "ID", "CMS", "FTP", "VPN", "PHP", "SQL", "DB", "OS", "HP", "URL", "SMS", "DVD",
        "CD", "USB", "LAN", "WAN", "WAF", "AI", "IT", "SaaS", "PaaS", "IaaS", "API", "UI", "SNS", "PDF", "CSV",
        "Excel", "Word", "Office", "Windows", "Linux", "Mac", "iOS", "Android", "Google", "Microsoft", "Apple",
        "Amazon", "AWS", "Azure", "Cloud", "Server", "System", "Mail", "Email", "E-mail", "Web", "App", "NAS",
        "EDR", "XDR", "SOC", "DNS", "SSL", "TLS", "HTTP", "HTTPS", "SSH", "RDP", "LINE", "X", "Twitter",
        "Facebook", "Instagram", "YouTube", "QR", "ICT", "DX", "BCP", "CSIRT", "SIEM", "UTM", "box",
    )
)
_COMPANY_BODY = r"[^\s、。,()「」『』<>:]"
_LEGAL = r"(?:株式会社|有限会社|合同会社)"
_COMPANY_AFTER_CUE = re.compile(
    rf"(?:している|していた|する|先である|先の|先|業者である|業者の|業者)(?:の|である)?[ \t]{{0,2}}"
    rf"(?P<co>{_LEGAL}{_COMPANY_BODY}{{1,30}}|{_COMPANY_BODY}{{1,30}}?{_LEGAL})"
)
# "株式会社Xが提供する": read backwards from the legal form is not possible with re, so the
# name is matched forwards from at most 30 characters before the form.
_COMPANY_ROLE = re.compile(
    rf"(?P<co>{_LEGAL}{_COMPANY_BODY}{{1,30}}?|{_COMPANY_BODY}{{1,30}}?{_LEGAL})"
    r"(?:が|の)(?:提供|運営|管理|保守|運用|開発)(?:する|している|していた|を行う)"
)
_LEGAL_RE = re.compile(_LEGAL)
_OPERATES = re.compile(r"保守|運用|運営|管理|開発|構築|システム|サーバ|サイト")
_ROLE_CUE = re.compile(r"[がの](?:提供|運営|管理|保守|運用|開発)")
_MAX_MENTIONS = 100  # bounded work on pathological repetition
_PARTICLES = ("より", "から", "にて", "に対し", "において", "が", "は", "を", "へ", "と", "に", "で", "の")
_LEGAL_PREFIX = ("株式会社", "有限会社", "合同会社")


def _case_variants(name: str) -> set[str]:
    return {name, name.lower(), name.upper(), name[:1].upper() + name[1:].lower(), name.title()}


@functools.cache
def _keys() -> dict[str, tuple[str, str, str]]:
    """Lexicon keys: vendor aliases, countermeasure names (which win a clash) and product
    nouns, in the common case variants (the lexicon pass is case-sensitive)."""
    table = data("vendors")
    keys: dict[str, tuple[str, str, str]] = {}
    for canonical, aliases in table["vendors"].items():
        for alias in aliases:
            for variant in _case_variants(alias):
                keys[variant] = ("vendor", canonical, variant)
    for name in table["countermeasures"]["names"]:
        for variant in _case_variants(name):
            keys[variant] = ("counter", name, variant)
    for noun in _PRODUCT_NOUNS:
        keys.setdefault(noun, ("noun", noun, noun))
    return keys


@functools.cache
def _counter_names() -> frozenset[str]:
    return frozenset(name.lower() for name in data("vendors")["countermeasures"]["names"])


lexicon.register("vendor", _keys)


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    right = len(text)
    for mark in ("。", "\n"):
        pos = text.find(mark, end)
        if pos >= 0:
            right = min(right, pos)
    return text[left:right]


def _line(text: str, start: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", start)
    return text[left:right if right >= 0 else len(text)]


def _trim_company(name: str) -> str:
    body_start = len(next((p for p in _LEGAL_PREFIX if name.startswith(p)), "")) + 2
    cut = len(name)
    for particle in _PARTICLES:
        pos = name.find(particle, body_start)
        if 0 <= pos < cut:
            cut = pos
    return name[:cut]


def extract_vendors(text: str, organization: str | None = None, countermeasure_lines: set[int] | None = None,
                    hits: lexicon.Hits | None = None) -> Found[list[str]]:
    """Vendor names in order of first mention. `countermeasure_lines` holds the start
    offsets of lines in countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    counter_names = _counter_names()
    if hits is None:
        hits = lexicon.scan(text)
    blocked: list[tuple[int, int]] = []
    dictionary_hits: list[tuple[int, int, str]] = []
    noun_ends: list[int] = []
    for end_index, (kind, canonical, alias) in hits.get("vendor", ()):
        if kind == "noun":
            noun_ends.append(end_index)
            continue
        start = end_index + 1 - len(alias)
        if alias.isascii() and not _whole_word(text, start, end_index + 1):
            continue
        if kind == "counter":
            blocked.append((start, end_index + 1))
        else:
            dictionary_hits.append((start, end_index + 1, canonical))
    own = compact(organization or "").lower()
    found: list[tuple[int, str]] = []

    def accept(name: str, start: int, end: int, operator: bool = False) -> None:
        key = compact(name).lower()
        if not key or key in counter_names or (own and (key in own or own in key)):
            return
        if any(b_start <= start < b_end or start <= b_start < end for b_start, b_end in blocked):
            return
        line_start = text.rfind("\n", 0, start) + 1
        if countermeasure_lines and line_start in countermeasure_lines:
            return
        sentence = _sentence(text, start, end)
        if _COUNTER_SENTENCE.search(sentence):
            return
        # An entrusted operator counts where it is said to run the system or site
        # ("サイトの保守は委託先である株式会社Xが行っておりました"), not only in a breach sentence.
        if not (_BREACH.search(sentence) or _BREACH.search(_line(text, start))
                or (operator and _OPERATES.search(sentence))):
            return
        found.append((start, name))

    for start, end, canonical in dictionary_hits:
        accept(canonical, start, end)
    for end_index in noun_ends[:_MAX_MENTIONS]:
        match = _PRODUCT_NAME.match(text, end_index + 1)
        if match:
            name = match.group("name").strip()
            if name.lower() not in _GENERIC and len(name) >= 3:
                accept(name, match.start("name"), match.end("name"))
    for cue in ("委託",):
        position = text.find(cue)
        tries = 0
        while position >= 0 and tries < _MAX_MENTIONS:
            tries += 1
            match = _COMPANY_AFTER_CUE.match(text, position + len(cue))
            if match:
                name = _trim_company(match.group("co"))
                if len(name) > 4:
                    accept(name, match.start("co"), match.end("co"), operator=True)
            position = text.find(cue, position + 1)
    for tries, legal in enumerate(_LEGAL_RE.finditer(text)):
        if tries >= _MAX_MENTIONS * 4:
            break
        if not _ROLE_CUE.search(text, legal.end(), legal.end() + 34):
            continue
        window_start = max(0, legal.start() - 30)
        for match in _COMPANY_ROLE.finditer(text, window_start, legal.end() + 60):
            if match.start("co") <= legal.start() < match.end("co"):
                name = _trim_company(match.group("co").lstrip("、。 "))
                if len(name) > 4:
                    accept(name, match.start("co"), match.end("co"))
                break
    names: list[str] = []
    seen: set[str] = set()
    for start, name in sorted(found):
        key = compact(name).lower()
        if key not in seen:
            seen.add(key)
            names.append(name)
    if not names:
        return Found(names, Evidence("no product or operator named where the breach happened"))
    first = min(start for start, _ in found)
    return Found(names, Evidence("named where the breach happened", _sentence(text, first, first + 1)))
