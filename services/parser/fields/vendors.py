"""Vendors: the products and companies where the breach happened or that ran the
breached system for the organisation, as written in the text; never those named
as countermeasures, the organisation itself, or its investigators.

Four sources, read only in the disclosure itself (not in a "関連記事" tail) and
never in a countermeasure section or sentence (導入, 採用, 診断, 監視 …):

1. products from the dictionary in ``data/vendors.toml`` (aliases, case-insensitive,
   whole words for Latin names), where the sentence or the line before it speaks of
   the attack, the leak, the vulnerability or the cause. Reported as written
   ("ワードプレス", "Office 365"), one per product;
2. a product name right after a product noun: サーバー設置型メーラー「acmailer」,
   レイアウトシステム WebLAYLA, ECシステム「スパイラルEC®」 (marks ® ™ dropped);
3. a company right after a word for the operator's role or the entrusting verb:
   委託先の/委託先である/運営会社である/委託事業者(…)/事務局:A、B, 委託している/
   受託している/委託していた「イセトー」. Japanese names the contractor right
   after these words; the name is read there (legal form, gazetteer name, quoted
   name, or a run of Latin and katakana that is no common word);
4. a company (recognised by ``names.find_names``) right before the entrusting or
   operating predicate: ランドブレイン株式会社に業務委託, 「イシクラ」が運用する,
   (株式会社パイプドビッツが提供), X関西支社は…を受託していた.

A company given investigation work (調査, 解析, フォレンジック …) is a
countermeasure, not an operator. Parenthesised short names after a vendor
("(以下「SIC」)", "(NTTロジスコ、東京都大田区)") are the same vendor.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from typing import Iterator, NamedTuple

from services.common.names import LEGAL_FORMS
from services.parser.evidence import Evidence, Found
from services.parser.fields import lexicon
from services.parser.names import Name, find_names, is_name_char, relatives, strip_legal_form
from services.parser.reading import related_links_start
from services.parser.resources import data

_BREACH = re.compile(
    r"不正|脆弱性|侵入|攻撃|流出|漏えい|漏洩|被害|感染|改ざん|ランサム|マルウェア|閲覧可能|アクセス可能|閲覧できる|"
    r"設定(?:の|に)?不備|設定(?:の)?(?:ミス|誤り)|誤設定|乗っ取|障害|原因|インシデント|抜き取|窃取|暗号化|悪用|欠陥|欠点|誤送信|誤って|踏み台"
)
_COUNTER_SENTENCE = re.compile(
    r"導入|採用|切り?替え|移行し|診断|を用いて|で監視|による監視|監視を|対策として|インストール(?:し|する)|"
    r"契約し|に変更|再発防止|を実施し"
)
# A company is bought or hired afterwards (never an operator) when its sentence says so.
# Hired afterwards (a countermeasure), not "導入していた" (the service in use when it was breached).
_HIRED = re.compile(r"(?:導入|採用)(?!して(?:いた|おりました|いました))|切り?替え|移行し|新たに")
# Product nouns are found with Aho-Corasick; the name after one is read with an
# anchored regex, so no pattern is tried at every position of the text.
# Not アプリ or サービス: after those a Latin name is usually the organisation's own brand.
_PRODUCT_NOUNS = (
    "メーラー", "CMS", "ソフト", "ソフトウェア", "ソフトウエア", "ツール", "プラグイン", "システム", "パッケージ",
    "製品", "VPN", "VPN装置", "VPN機器", "機器", "ルーター", "ルータ", "ファイアウォール", "ストレージ",
)
_PRODUCT_NAME = re.compile(
    r"[ \t]{0,2}[「『(]?[ \t]{0,2}"
    r"(?P<name>[A-Za-z][A-Za-z0-9.+\-]{1,30}(?:[ \t][A-Z][A-Za-z0-9.+\-]{1,20}){0,3})"
)
# A quoted product name right after its noun: ECシステム「スパイラルEC®」.
_QUOTED_PRODUCT = re.compile(r"[ \t]{0,2}[「『](?P<name>[^「」『』\n。、]{2,24})[」』]")
_MARKS = str.maketrans("", "", "®™©℠")
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
_LEGAL_FORMS = tuple(sorted((f for f in LEGAL_FORMS if not f.startswith("(")), key=len, reverse=True))
# The entrusting verb: 委託している / 受託していた / 委託契約を締結している / 委託を受けている.
_ENTRUSTING = re.compile(
    r"(?:委託|受託)(?:契約を締結)?(?:して(?:いる|いた|います|いました|おります|おりました|おり)|した|する|中の)|"
    r"委託契約を結んで(?:いる|いた|います|いました|おります|おりました)|"
    r"委託を受けて(?:いる|いた|います|いました|おります|おりました)"
)
# What may stand between an operator's name and the predicate that makes it one.
_TRAILER = re.compile(r"[」』]?(?:[一-龥]{0,4}(?:支社|支店|営業所|事業所))?(?:[((][^()()\n]{1,40}[))])?")
_FOLLOWING = re.compile(
    r"(?P<entrusted>(?:に|へ)(?P<gap>[^\s。、ぁ-ねは-ゖ]{0,12}を?)(?:再)?委託(?!先|元|料|費|者|契約の))"
    r"|(?P<operates>(?:が|の)?(?:提供|運用|運営|保守|開発|構築))(?:する|している|していた|した|を行う|を行って|[)）])"
    r"|(?:は|が)(?P<contract>[^。\n]{0,60}?)受託し"
)
_ENTRUSTED_ROLE = re.compile(r"委託|受託|指定管理")
# Before a company name: it provides the service, or the organisation uses it.
_PROVIDING = re.compile(
    r"(?:を)?提供(?:する|している|していた)(?=\s?(?:株式会社|有限会社|合同会社|[A-Za-zァ-ヺ]))"
    r"|利用して(?:いる|いた|おります|おりました)[^。、\n]{0,12}?(?:会社|事業者|サービス)(?=\s?(?:株式会社|有限会社|合同会社))"
)
# What _FOLLOWING needs somewhere in the text before any candidate name is worth reading.
_PREDICATES = frozenset(("委託", "受託", "提供", "運用", "運営", "保守", "開発", "構築"))
_ENTRUSTING_WORDS = frozenset(("委託", "受託"))  # every match of _ENTRUSTING starts with one
_ENTRUSTED = frozenset(("委託",))
_SELF_REFERENCE = re.compile(r"当社|弊社|当法人|本学|当院|本市|以下、?当")
_LATIN_OR_KANA = re.compile(r"^[A-Za-z0-9ァ-ヺー・&\-. ]+$")
# A run of Latin letters and katakana: a company name written without a legal form
# (BIPROGY, NTTビジネスソリューションズ, エヌ・ティ・ティ・ロジスコ).
# It must start a word: no name character (kanji, kana, Latin) right before it. Its first
# character comes before that lookbehind, so the engine skips ahead to a run character
# (a pattern opening with a lookbehind is tried at every position of the text).
_RUN_CHAR = "[A-Za-z0-9ァ-ヺー・&]"
_LATIN_KANA_RUN = re.compile(rf"{_RUN_CHAR}(?<![\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa々〆ヶヵーｰ・&＆A-Za-z0-9\-]{_RUN_CHAR})"
                             rf"{_RUN_CHAR}{{2,39}}")
_LEGAL_PREFIX = re.compile("|".join(re.escape(form) for form in _LEGAL_FORMS))
_KANJI = re.compile(r"[一-龥々ヶ]")
# Read in a window that ends at 委託: "<kanji name>に|へ<object>を?再?" up to the window's end.
_KANJI_ENTRUSTED = re.compile(r"(?P<name>[一-龥々ヶ]{3,12})[にへ](?P<gap>[^\s。、ぁ-ねは-ゖ]{0,12}を?)再?$")
_NAME_PARTICLES = frozenset("のはがをにでとへやも")
_SENTENCE_REACH = 400  # a "sentence" is read at most this far either way
_MAX_MENTIONS = 100  # bounded work on pathological repetition
# "(以下、「TGES」)", "(東京都港区。以下、「TGES」)": a short name given right after a name.
_ALIAS = re.compile(r"[ \t]{0,2}[((](?:(?:[^()()\n]{0,30}?[。、,]\s?)?以下[、,]?\s?)?[「『]?(?P<alias>[^「」『』()()、,:。\n]{2,20}?)[」』]?(?:[、,)）]|といいます|という)")


@functools.cache
def _table() -> dict:
    return data("vendors")


def _case_variants(name: str) -> set[str]:
    return {name, name.lower(), name.upper(), name[:1].upper() + name[1:].lower(), name.title()}


@functools.cache
def _keys() -> dict[str, tuple[str, str, str]]:
    """Lexicon keys: vendor aliases, countermeasure names (which win a clash) and product
    nouns, in the common case variants (the lexicon pass is case-sensitive)."""
    table = _table()
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
    return frozenset(_key(name) for name in _table()["countermeasures"]["names"])


class _Words(NamedTuple):
    role: re.Pattern[str]  # a role word and its link to the name: 委託先である, 委託事業者(
    listed: re.Pattern[str]  # a role word before a colon and a list: 事務局:
    generic: tuple[str, ...]  # a run ending in one of these is no name
    hired: re.Pattern[str]  # investigation work: the company is a countermeasure
    unrelated: re.Pattern[str]  # the sentence denies that the company is involved
    relatives: re.Pattern[str]  # the company is the organisation's parent or subsidiary


@functools.cache
def _words() -> _Words:
    table = _table()["operators"]
    alternation = lambda words: "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))  # noqa: E731
    return _Words(
        role=re.compile(rf"(?:{alternation(table['roles'])})(?P<link>である|であった|の|[ \t]?[::((]|[ \t]*\n)"),
        listed=re.compile(rf"(?:{alternation(table['listed_roles'])})[ \t]?[::]"),
        generic=tuple(sorted(set(table["generic"]), key=len, reverse=True)),
        hired=re.compile(alternation(table["investigation"])),
        unrelated=re.compile(alternation(table["unrelated"])),
        relatives=re.compile(alternation(relatives())),
    )


lexicon.register("vendor", _keys)


def _operator_words() -> dict[str, str]:
    """Lexicon keys for the words every operator pattern starts with (the cues, 提供 and
    利用して of _PROVIDING, the role words), so each is tried only where its word stands."""
    table = _table()["operators"]
    return {word: word for word in (*_CUES, "利用して", *table["roles"], *table["listed_roles"])}


lexicon.register("operator", _operator_words)


def _matches(pattern: re.Pattern[str], text: str, starts: list[int], limit: int) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, 0, limit)` for a pattern whose every (non-empty) match begins
    at one of `starts` (ascending): the text between them is never scanned."""
    resume = 0
    for start in starts:
        if start >= resume:
            match = pattern.match(text, start, limit)
            if match:
                resume = match.end()
                yield match


def _key(name: str) -> str:
    """A comparison key: NFKC, no spaces, no legal form, no trailing 社, case-folded."""
    key = strip_legal_form(unicodedata.normalize("NFKC", name).translate(_MARKS)).casefold()
    return key[:-1] if key.endswith("社") and len(key) > 2 else key


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end], at most _SENTENCE_REACH characters each way; a 。
    inside brackets ("(以下「X」という。)") does not end it."""
    floor = max(0, start - _SENTENCE_REACH)
    ceiling = min(len(text), end + _SENTENCE_REACH)
    left = start
    for _ in range(_MAX_MENTIONS):
        left = max(text.rfind("。", floor, left), text.rfind("\n", floor, left))
        if left < 0 or text[left] == "\n" or text[left + 1:left + 2] not in (")", "」", "』"):
            break
    left = left + 1 if left >= 0 else floor
    right = end
    for _ in range(_MAX_MENTIONS):
        stops = [pos for pos in (text.find("。", right, ceiling), text.find("\n", right, ceiling)) if pos >= 0]
        right = min(stops) if stops else ceiling
        if right >= ceiling or text[right] == "\n" or text[right + 1:right + 2] not in (")", "」", "』"):
            break
        right += 1
    return left, right


def _sentence(text: str, start: int, end: int) -> str:
    left, right = _sentence_bounds(text, start, end)
    return text[left:right]


def _line(text: str, start: int) -> str:
    floor = max(0, start - _SENTENCE_REACH)
    left = text.rfind("\n", floor, start) + 1 or floor
    right = text.find("\n", start, start + _SENTENCE_REACH)
    return text[left:right if right >= 0 else min(len(text), start + _SENTENCE_REACH)]


def _previous_line(text: str, start: int) -> str:
    line_start = text.rfind("\n", max(0, start - _SENTENCE_REACH), start)
    if line_start <= 0:
        return ""
    floor = max(0, line_start - _SENTENCE_REACH)
    prev_start = text.rfind("\n", floor, line_start) + 1 or floor
    return text[prev_start:line_start]


def _is_generic(name: str, whole: bool = False) -> bool:
    """True for a mention of a kind of company or thing ("印刷会社", "委託先", "サーバー"), not a
    name. With `whole`, only when the name is nothing but such a word (株式会社ABCショップ is a name)."""
    bare = strip_legal_form(name)
    if not bare or bare in _generic_words() or bare.startswith(("同", "当", "弊", "本", "貴")):
        return True
    return not whole and bare.endswith(_generic_endings())


@functools.cache
def _role_words() -> frozenset[str]:
    return frozenset(_table()["operators"]["roles"])


@functools.cache
def _listed_words() -> frozenset[str]:
    return frozenset(_table()["operators"]["listed_roles"])


@functools.cache
def _generic_words() -> frozenset[str]:
    return frozenset(_words().generic)


@functools.cache
def _generic_endings() -> tuple[str, ...]:
    return tuple(word for word in _words().generic if len(word) >= 2)


def _clause_before(text: str, position: int, limit: int = 20) -> str:
    """The words of the clause before `position` (from the last 、 。 or line break)."""
    window = text[max(0, position - limit):position]
    cut = max(window.rfind("、"), window.rfind("。"), window.rfind("\n"), window.rfind(","))
    return window[cut + 1:]


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u3096"


def _right_run(text: str, start: int, limit: int = 32, hiragana: bool = False) -> int:
    """End of the run of name characters from `start` (spaces only between Latin words;
    hiragana up to a particle when `hiragana`: 社会福祉法人さくら会)."""
    end = start
    high = min(len(text), start + limit)
    while end < high:
        char = text[end]
        if is_name_char(char) or (hiragana and _is_hiragana(char) and char not in _NAME_PARTICLES
                                  and text[end:end + 2] not in ("より", "から", "まで")):
            end += 1
        elif char == " " and end + 1 < high and text[end + 1].isascii() and text[end + 1].isalnum() \
                and end > start and text[end - 1].isascii() and text[end - 1].isalnum():
            end += 1
        else:
            break
    # "ETIC.", "Co.": a period right after a Latin name is part of it.
    if start < end < len(text) and text[end] == "." and text[end - 1].isascii() and text[end - 1].isalpha() \
            and not (end + 1 < len(text) and text[end + 1].isascii() and text[end + 1].isalnum()):
        end += 1
    return end


# The words that make a company an operator. No cue overlaps another, so their
# lexicon hits are the matches a scan for them would find.
_CUES = frozenset(("委託", "受託", "提供", "運用", "運営", "管理", "保守", "開発", "構築", "事務局", "共同事業体", "コンソーシアム"))
_BEFORE_CUE = 64
_AFTER_CUE = 160


def _cue_windows(text: str, cues: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged windows of text around the cues (spans in text order) that make a company
    an operator (bounded)."""
    windows: list[tuple[int, int]] = []
    for tries, (cue_start, cue_end) in enumerate(cues):
        if tries >= _MAX_MENTIONS * 4:
            break
        low = max(0, cue_start - _BEFORE_CUE)
        start_of_line = text.rfind("\n", low, cue_start)
        low = start_of_line + 1 if start_of_line >= 0 else low
        high = min(len(text), cue_end + _AFTER_CUE)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(high, windows[-1][1]))
        else:
            windows.append((low, high))
    return windows


class _Reader:
    """Names at cue positions, from find_names where it has one, else read from the text."""

    def __init__(self, text: str, cues: list[tuple[int, int]],
                 hits: list[tuple[int, tuple[tuple[str, str], ...]]] | None = None) -> None:
        self.text = text
        self.windows = _cue_windows(text, cues)
        # Names are read only near the words that make operators (whole, never cut at an edge).
        found = find_names(text, self.windows, hits) if self.windows else []
        self.names = [n for n in found if n.source != "municipality" and n.source != "prefecture"]
        self.public = [(n.start, n.end) for n in found if n.sector == "government"][:_MAX_MENTIONS * 4]
        self.by_start: dict[int, Name] = {}
        self.by_end: dict[int, Name] = {}
        for name in self.names:
            self.by_start.setdefault(name.start, name)
            self.by_end.setdefault(name.end, name)

    def after(self, position: int, strict: bool = False) -> tuple[int, int] | None:
        """The span of the name that starts at `position` (after spaces and an opening quote).
        `strict` (after "委託先の", where common nouns follow as often as names): a run
        without a legal form must hold a Latin letter (NTTビジネスソリューションズ)."""
        text = self.text
        while position < len(text) and text[position] in " \t":
            position += 1
        if position < len(text) and text[position] in "「『":
            close = -1
            for mark in "」』":
                found = text.find(mark, position + 1, position + 32)
                if found >= 0 and (close < 0 or found < close):
                    close = found
            if close < 0:
                return None
            inner = text[position + 1:close]
            if inner and all(is_name_char(ch) or _is_hiragana(ch) or ch in " ®™" for ch in inner) \
                    and not _is_generic(inner):
                return position + 1, close
            return None
        name = self.by_start.get(position)
        if name is not None and not name.generic and name.sector != "government":
            end = _right_run(text, position, name.end - position + 1) if text[name.end:name.end + 1] == "." else name.end
            return position, _before_from(text, position, end)
        form = next((f for f in _LEGAL_FORMS if text.startswith(f, position)), None)
        if form is not None:
            after = position + len(form)
            if after < len(text) and text[after] == " ":
                after += 1
            end = _right_run(text, after, hiragana=True)
            return (position, end) if end > after and not _is_generic(text[after:end], whole=True) else None
        end = _right_run(text, position)
        if end <= position:
            return None
        run = text[position:end]
        form_end = max((run.find(f) + len(f) for f in _LEGAL_FORMS if run.find(f) > 0), default=0)
        if form_end:
            return position, position + form_end  # 日鉄ソリューションズ株式会社の…
        if len(run) >= 3 and _LATIN_OR_KANA.match(run) and not _is_generic(run) \
                and not (strict and not any(ch.isascii() and ch.isalpha() for ch in run)):
            return position, end
        covering = next((n for n in self.names if n.start < position < n.end and n.end - position >= 2), None)
        if covering is not None and covering.source in ("kind", "company") and not covering.generic \
                and not _is_generic(text[position:covering.end]):
            return position, covering.end
        return None

    def government(self, start: int, end: int) -> bool:
        """True when text[start:end] overlaps the name of a public body (市, 県, 省 …)."""
        return any(s < end and start < e for s, e in self.public)

    def before(self, position: int) -> tuple[int, int] | None:
        """The span of a recognised name that ends at `position` (a closing quote allowed)."""
        name = self.by_end.get(position)
        if name is None and position > 0 and self.text[position - 1] in "」』":
            name = self.by_end.get(position - 1)
        if name is None or name.generic or name.sector == "government" or _is_generic(name.text):
            return None
        return name.start, name.end


def _own_keys(text: str, organization: str | None) -> set[str]:
    """The organisation's key and the short names it is given in brackets
    ("エヌ・ティ・ティ・ロジスコ(NTTロジスコ、…)", "株式会社X(以下「X社」)")."""
    if not organization:
        return set()
    keys = {_key(organization)}
    position = text.find(organization)
    for _ in range(_MAX_MENTIONS):
        if position < 0:
            break
        alias = _ALIAS.match(text, position + len(organization))
        if alias and not _SELF_REFERENCE.search(alias.group("alias")):
            keys.add(_key(alias.group("alias")))
        position = text.find(organization, position + 1)
    return {key for key in keys if len(key) >= 2}


def _after_from(text: str, start: int, end: int) -> int:
    """Where a name really starts when a "より"/"から" after a word was read into it
    ("株式会社スキマデより日本郵便" -> 日本郵便)."""
    for word in ("より", "から"):
        cut = text.rfind(word, start + 1, end)
        if cut > start and not _is_hiragana(text[cut - 1]) and cut + 2 < end:
            start = cut + 2
    return start


def _before_from(text: str, start: int, end: int) -> int:
    """Where a name really ends when a "より"/"から" and the next name were read into it."""
    for word in ("より", "から"):
        cut = text.find(word, start + 1, end)
        if cut > start and not _is_hiragana(text[cut - 1]):
            end = cut
    return end


def _operator_candidates(text: str, reader: _Reader) -> list[tuple[int, int]]:
    """Spans that may name a company: recognised names, and runs of Latin letters and
    katakana that start a word and are no common word ("BIPROGY関西支社は…")."""
    spans = {(_after_from(text, n.start, n.end), n.end) for n in reader.names[:_MAX_MENTIONS * 4]
             if not n.generic and n.sector != "government" and not _is_generic(n.text)}
    # A candidate must stand right before its predicate (に委託, が運用する …), so only the
    # windows around those words are read.
    tries = 0
    for low, high in reader.windows:
        for run in _LATIN_KANA_RUN.finditer(text, low, high):
            tries += 1
            if tries >= _MAX_MENTIONS * 4:
                break
            start, end = run.span()
            before = text[start - 1:start]
            if before.isalnum():
                continue
            word = run.group()
            if word.lower() in _GENERIC or _is_generic(word) or word.isdigit() or not any(ch.isalpha() for ch in word):
                continue
            if not any(s <= start < e for s, e in spans):
                spans.add((start, end))
        # 株式会社X written before its predicate, where find_names did not read it.
        for form in _LEGAL_PREFIX.finditer(text, low, high):
            tries += 1
            if tries >= _MAX_MENTIONS * 8:
                break
            span = reader.after(form.start())
            if span and span[0] == form.start() and not any(s <= form.start() < e for s, e in spans):
                spans.add(span)
    return sorted(spans)


def extract_vendors(text: str, organization: str | None = None, countermeasure_lines: set[int] | None = None,
                    hits: lexicon.Hits | None = None) -> Found[list[str]]:
    """Vendor names as written, in order of first mention. `countermeasure_lines` holds the
    start offsets of lines in countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    search = _VendorSearch(text, organization, countermeasure_lines, lexicon.scan(text) if hits is None else hits)
    search.dictionary_products()  # source 1 of the module docstring
    search.products_after_nouns()  # 2
    search.providers()  # 3: the provider of the breached service, the one entrusted, the operator's role
    search.entrusted()
    search.roles()
    search.listed_under_roles()
    search.names_before_predicates()  # 4
    search.kanji_names_before_entrusting()
    return search.result()


class _VendorSearch:
    """One text's vendor mentions, gathered by the passes of `extract_vendors` in order."""

    def __init__(self, text: str, organization: str | None, countermeasure_lines: set[int] | None,
                 hits: lexicon.Hits) -> None:
        self.text = text
        self.hits = hits
        self.countermeasure_lines = countermeasure_lines
        self.counter_names = _counter_names()
        self.limit = limit = related_links_start(text, hits)
        self.blocked: list[tuple[int, int]] = []  # countermeasure products: no vendor is read over them
        self.dictionary_hits: list[tuple[int, int, str]] = []
        self.noun_ends: list[int] = []
        for end_index, (kind, canonical, alias) in hits.get("vendor", ()):
            if end_index >= limit:
                break
            if kind == "noun":
                self.noun_ends.append(end_index)
                continue
            start = end_index + 1 - len(alias)
            if alias.isascii() and not lexicon.whole_word(text, start, end_index + 1):
                continue
            if kind == "counter":
                self.blocked.append((start, end_index + 1))
            else:
                self.dictionary_hits.append((start, end_index + 1, canonical))
        self.blocked.sort()
        self.blocked_starts = [start for start, _ in self.blocked]
        self.own = _own_keys(text, organization)
        self.found: list[tuple[int, str, str, str]] = []  # (start, name as written, comparison key, rule)
        self.aliases: dict[str, str] = {}
        # (start, end, word) of the words operator patterns start with, before the related links.
        self.spotted = sorted((end + 1 - len(word), end + 1, word) for end, word in hits.get("operator", ()) if end < limit)
        self.spotted_words = {word for _, _, word in self.spotted}
        self._reader: _Reader | None = None

    def reader(self) -> _Reader:
        """Names are read only when a cue asks for one (most texts name no operator)."""
        if self._reader is None:
            names = [hit for hit in self.hits.get("name", ()) if hit[0] < self.limit]  # the hits of a scan of text[:limit]
            cues = [(start, end) for start, end, word in self.spotted if word in _CUES]
            self._reader = _Reader(self.text[:self.limit], cues, names)
        return self._reader

    def starts_of(self, words: frozenset[str] | set[str]) -> list[int]:
        return sorted({start for start, _, word in self.spotted if word in words})

    def outside_countermeasures(self, start: int, end: int) -> bool:
        blocked = self.blocked
        index = bisect.bisect_left(self.blocked_starts, end)  # blocked spans that start before `end`
        if any(blocked[i][1] > start for i in range(max(0, index - 3), index)):
            return False
        if not self.countermeasure_lines:
            return True
        return self.text.rfind("\n", max(0, start - _SENTENCE_REACH), start) + 1 not in self.countermeasure_lines

    def add(self, name: str, start: int, end: int, rule: str, key: str | None = None) -> None:
        """Keep a mention unless it is too short, a countermeasure product or the organisation itself."""
        name = name.translate(_MARKS).strip()
        key = key or _key(name)
        if len(key) < 2 or key in self.counter_names or any(key == k or (len(k) >= 3 and k in key)
                                                             or (len(key) >= 3 and key in k) for k in self.own):
            return
        self.found.append((start, name, key, rule))
        alias = _ALIAS.match(self.text, end)
        if alias:
            self.aliases[_key(alias.group("alias"))] = key

    def product(self, name: str, start: int, end: int, rule: str, key: str | None = None) -> None:
        """A product counts where its sentence, its line or the line before speaks of the breach."""
        text = self.text
        if not self.outside_countermeasures(start, end):
            return
        sentence = _sentence(text, start, end)
        if _COUNTER_SENTENCE.search(sentence):
            return
        if not (_BREACH.search(sentence) or _BREACH.search(_line(text, start))
                or _BREACH.search(_previous_line(text, start))):
            return
        self.add(name, start, end, rule, key)

    def operator(self, start: int, end: int, rule: str, context: str = "") -> None:
        """A company counts unless it was hired afterwards, is a relative of the organisation or unrelated."""
        text = self.text
        if end <= start or not self.outside_countermeasures(start, end):
            return
        words = _words()
        sentence = _sentence(text, start, end)
        if words.hired.search(context) or words.relatives.search(text, max(0, start - 8), start) \
                or _HIRED.search(sentence) \
                or words.unrelated.search(sentence):
            return
        self.add(text[start:end], start, end, rule)

    def dictionary_products(self) -> None:
        """Products from data/vendors.toml, each once."""
        accepted: set[str] = set()
        for start, end, canonical in self.dictionary_hits[:_MAX_MENTIONS * 4]:
            if canonical not in accepted:
                before = len(self.found)
                self.product(self.text[start:end], start, end, "product named where the breach happened", _key(canonical))
                if len(self.found) > before:
                    accepted.add(canonical)

    def products_after_nouns(self) -> None:
        """A product name right after a product noun (メーラー「acmailer」), unless a dictionary product is there."""
        text = self.text
        known = [(start, end) for start, end, _ in self.dictionary_hits[:_MAX_MENTIONS * 4]]
        for end_index in self.noun_ends[:_MAX_MENTIONS]:
            match = _PRODUCT_NAME.match(text, end_index + 1)
            if match and any(s < match.end("name") and match.start("name") < e for s, e in known):
                continue
            quoted = _QUOTED_PRODUCT.match(text, end_index + 1)
            if quoted and any(s < quoted.end("name") and quoted.start("name") < e for s, e in known):
                continue
            if match:
                name = match.group("name").strip()
                if name.lower() not in _GENERIC and len(name) >= 3:
                    self.product(name, match.start("name"), match.end("name"), "product named after its kind")
                continue
            if quoted and all(is_name_char(ch) or _is_hiragana(ch) or ch in " ®™.+" for ch in quoted.group("name")):
                self.product(quoted.group("name"), quoted.start("name"), quoted.end("name"), "product named after its kind")

    def providers(self) -> None:
        """The company that provides the breached service: "サービスを提供する株式会社X(…)より、
        同社のシステムが不正アクセス…", "当社が利用している決済サービス会社株式会社Xにて…流出"."""
        text = self.text
        providing = [position for start, _, word in self.spotted if word in ("提供", "利用して")
                     for position in ((start - 1, start) if word == "提供" and text[start - 1:start] == "を" else (start,))]
        for tries, match in enumerate(_matches(_PROVIDING, text, sorted(set(providing)), self.limit)):
            if tries >= _MAX_MENTIONS:
                break
            span = self.reader().after(match.end())
            if span and _BREACH.search(_sentence(text, span[0], span[1])):
                self.operator(*span, "company named as the provider of the breached service", _clause_before(text, match.start()))

    def entrusted(self) -> None:
        """The company named right after the entrusting verb (委託している「イセトー」)."""
        for tries, match in enumerate(_matches(_ENTRUSTING, self.text, self.starts_of(_ENTRUSTING_WORDS), self.limit)):
            if tries >= _MAX_MENTIONS:
                break
            span = self.reader().after(match.end())
            if span:
                self.operator(*span, "company named after 委託/受託", _clause_before(self.text, match.start()))

    def roles(self) -> None:
        """The company named after a word for its role (委託先である, 運営会社である, 委託事業者(…))."""
        text, limit = self.text, self.limit
        for tries, match in enumerate(_matches(_words().role, text, self.starts_of(_role_words()), limit)):
            if tries >= _MAX_MENTIONS:
                break
            link = match.group("link")
            if link not in ("である", "であった", "の") and not _ENTRUSTED_ROLE.search(match.group()):
                continue  # "運営会社:X" is as often a company profile (会社概要) as an operator
            if "\n" in link and text.rfind("\n", max(0, match.start() - 13), match.start()) < 0 \
                    and match.start() > 13:
                continue  # only a heading ("(1)委託事業者") puts the name on the next line
            position = match.end()
            while position < limit and text[position] in " \t\n(・" and position - match.end() < 8:
                position += 1
            span = self.reader().after(position, strict=match.group("link") == "の")
            if span:
                self.operator(*span, "company named after its operator role", _clause_before(text, match.start()))

    def listed_under_roles(self) -> None:
        """Companies listed after a role word (事務局:A、B、C), in texts that entrust at all."""
        if not self.spotted_words & _ENTRUSTING_WORDS:
            return
        text, limit = self.text, self.limit
        for tries, match in enumerate(_matches(_words().listed, text, self.starts_of(_listed_words()), limit)):
            if tries >= _MAX_MENTIONS:
                break
            position = match.end()
            for _ in range(8):  # 事務局:A、B、C
                span = self.reader().after(position)
                if not span:
                    break
                self.operator(*span, "company listed under its operator role")
                position = span[1]
                if position >= limit or text[position] not in "、,・":
                    break
                position += 1

    def names_before_predicates(self) -> None:
        """A company right before the entrusting or operating predicate (Xに業務委託, Xが運用する)."""
        if not self.spotted_words & _PREDICATES:
            return
        text = self.text
        for start, end in _operator_candidates(self.reader().text, self.reader()):
            trailer = _TRAILER.match(text, end)
            if trailer is None:
                continue
            if trailer.group() and _SELF_REFERENCE.search(trailer.group()):
                continue
            match = _FOLLOWING.match(text, trailer.end())
            if not match:
                continue
            if match.group("operates") and not _BREACH.search(_sentence(text, start, end)):
                continue  # "Xが提供する…の契約は対象外です": running something is not enough, it must be the breached thing
            context = _clause_before(text, start) + (match.group("gap") or "") + (match.group("contract") or "")
            self.operator(start, end, "company named before 委託/提供/運用/受託", context)

    def kanji_names_before_entrusting(self) -> None:
        """A name in kanji alone, without a legal form, counts only as the one entrusted
        ("日本郵便へ配達業務を再委託"): a kanji word before が/は is as often a common noun."""
        text = self.text
        for position in self.starts_of(_ENTRUSTED)[:_MAX_MENTIONS]:
            low = max(0, position - 28)
            run = _KANJI_ENTRUSTED.search(text, low, position)
            after = text[position + 2:position + 3]
            if run and after not in ("先", "元", "料", "費", "者", "業") and run.start() > low \
                    and not _KANJI.match(text, run.start() - 1) and not _is_generic(run.group("name")) \
                    and not self.reader().government(*run.span("name")):
                context = _clause_before(text, run.start()) + run.group("gap")
                self.operator(*run.span("name"), "company named before 委託", context)

    def result(self) -> Found[list[str]]:
        """The mentions in text order, one per vendor (its short name and longer forms are the same one)."""
        names: list[str] = []
        rules: list[str] = []
        seen: set[str] = set()
        first = None
        # at one position the longest mention first: "Microsoft Exchange Online", not "Microsoft Exchange"
        for start, name, key, rule in sorted(self.found, key=lambda item: (item[0], -len(item[2]), item[1:])):
            key = self.aliases.get(key, key)
            if key in seen or any(len(k) >= 3 and len(key) >= 3 and (k in key or key in k) for k in seen):
                continue
            seen.add(key)
            names.append(name)
            rules.append(rule)
            first = start if first is None else first
        if not names or first is None:
            return Found(names, Evidence("no product or operator named where the breach happened"))
        return Found(names, Evidence("; ".join(dict.fromkeys(rules)), _sentence(self.text, first, first + 1)))
