"""Organisation names in running Japanese text, recognised from data.

Japanese writes names without spaces, so a name is found from its end: a word
that ends names of a kind (病院, 大学, 協会, 信用金庫, 株式会社 … in
``data/org_kinds.toml``), a municipality or prefecture from the national list
(``data/municipalities.tsv``), a legal form (株式会社X), or a quoted name after a word for a company
(製本会社「イシクラ」), a ministry or national agency by its full name. From the end, the name runs left over name characters
(kanji, katakana, Latin) to the first character that cannot be part of a name
(a particle, punctuation, a space), at most `_MAX_NAME` characters; leading
determiners (同, 委託先 …) are dropped, and a run made only of descriptive words
("市立小学校", "同病院") is a mention of a kind of body, not a name.

Overlapping findings keep the longest, so a name found only inside another
body's name ("薩摩川内市" in 薩摩川内市危険物安全協会) is not reported on its
own. A municipality written with its prefecture ("栃木県小山市") is reported
as the municipality; one followed by "内" or another word ("京都市内") is a
place, not a body.

All work is a dictionary pass plus bounded scans: time linear in the text.
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import csv
import functools
import re
import unicodedata
from typing import Iterator, NamedTuple


from services.common.dictionary import Dictionary
from services.common.names import LEGAL_FORM_SECTORS, LEGAL_FORMS
from services.parser.fields import lexicon
from services.parser.resources import DATA_DIR, data

_MAX_NAME = 32
_MAX_HITS = 2000  # bounded work on pathological input
_CACHED_CHARS = 2000
# Particles that end a name written in kana ("株式会社みどり商会において").
_PARTICLES = frozenset("のはがをにでへ")
# Kana that end a verb, an adjective or a conjunction ("いたしました", "している", "および"),
# never a name between kanji.
_VERB_ENDINGS = frozenset("たるてすだずばびくうい")
# Verb endings a run of kana before a legal form stops at ("委託している|日鉄…株式会社").
_VERB_SUFFIXES = ("している", "していた", "しています", "した", "する", "される", "された", "ている", "ていた", "である",
                  "いる", "った", "ける", "げる", "れる", "せる")
# Kana a verb's ending starts with ("販売する", "運営していた"): never inside a name.
_VERB_HEADS = ("する", "した", "して", "され", "させ", "しま")
# Words a name after its legal form stops at ("株式会社X提供", "株式会社Xより").
_RIGHT_STOPS = ("より", "から", "まで", "など", "および", "ならびに", "として", "について", "に関", "において", "提供", "委託")
_QUOTE_CONTEXT = ("会社", "企業", "法人", "団体", "業者", "事業者", "メーカー", "ベンダー", "社", "出版社", "学会", "協会")


class Name(NamedTuple):
    """One organisation name found in a text."""

    text: str  # as written (normalised), without determiners
    start: int
    end: int
    source: str  # kind | municipality | prefecture | national | legal | quoted
    kind: str  # the word that made it a name (病院, 株式会社, 市 …)
    sector: str | None  # what the kind or the list says; None when it says nothing
    generic: bool = False  # a mention of a kind of body ("同病院", "市立小学校"), not a name
    place: str | None = None  # a prefecture written before a municipality ("栃木県")


# A run of name characters at the end of a text (see is_name_char).
_NAME_RUN_END = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa々〆ヶヵーｰ・&＆A-Za-z0-9\\-]+\\Z")


_NAME_CHARS = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa々〆ヶヵーｰ・&＆A-Za-z0-9\\-]+")


def is_name(text: str) -> bool:
    """True when every character of `text` is a name character (see is_name_char)."""
    return _NAME_CHARS.fullmatch(text) is not None


def is_name_char(char: str) -> bool:
    """Kanji, katakana, Latin letters and digits, and the marks names use."""
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x30A1 <= code <= 0x30FA or char in "々〆ヶヵーｰ・&＆"
            or (char.isascii() and (char.isalnum() or char in "&-")))


def _is_kanji(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or char in "々〆ヶヵ"


@functools.cache
def kinds() -> dict[str, str]:
    """Kind words that end organisation names -> sector code ("" when the kind says nothing)."""
    return dict(data("org_kinds")["kinds"])


@functools.cache
def legal_form_sectors() -> dict[str, str]:
    """Legal form -> the sector it implies (学校法人 -> education)."""
    return dict(LEGAL_FORM_SECTORS)


@functools.cache
def self_references() -> dict[str, str]:
    """当院, 本学, 本市 … -> sector code ("" when the word says nothing)."""
    return dict(data("org_kinds")["self"])


@functools.cache
def not_names() -> frozenset[str]:
    """Words that open a sentence before は without naming a body (今回, 本日, 概要)."""
    return frozenset(data("org_kinds")["not_names"]["words"])


@functools.cache
def relatives() -> tuple[str, ...]:
    """A body's parent or subsidiary (子会社, 親会社 …), longest first."""
    return tuple(sorted(data("org_kinds")["relatives"]["words"], key=len, reverse=True))


@functools.cache
def head_titles() -> tuple[str, ...]:
    """Titles of a body's head (社長, 組合長, 市長 …): a name ending in one is a person."""
    return tuple(data("org_kinds")["heads"]["titles"])


@functools.cache
def _service_endings() -> tuple[str, ...]:
    """Endings of a quoted service or scheme's name (「災害情報メール」), never a body's."""
    return tuple(data("org_kinds")["services"]["endings"])


@functools.cache
def outlets() -> tuple[str, ...]:
    """Shops and sites a body runs under its name (ネットショップ, 公式サイト), longest first."""
    return tuple(sorted(data("org_kinds")["outlets"]["words"], key=len, reverse=True))


@functools.cache
def _word_sets() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    table = data("org_kinds")
    by_length = lambda words: tuple(sorted(set(words), key=len, reverse=True))  # noqa: E731
    return by_length(table["generic"]["words"]), by_length(table["determiners"]["words"]), by_length(table["units"]["words"])


def _read_tsv(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@functools.cache
def municipalities() -> dict[str, tuple[str, frozenset[str]]]:
    """Municipality, ward and prefecture names -> (kind, every prefecture with one of that
    name: 南部町 is in 青森県, 山梨県 and 鳥取県)."""
    kinds: dict[str, str] = {}
    prefectures: dict[str, set[str]] = {}
    for row in _read_tsv("municipalities.tsv"):
        name = unicodedata.normalize("NFKC", row["name"])
        kinds.setdefault(name, row["kind"])
        prefectures.setdefault(name, set()).add(row["prefecture"])
    return {name: (kind, frozenset(prefectures[name])) for name, kind in kinds.items()}


def prefectures_of(name: str) -> frozenset[str]:
    """Every prefecture with a municipality of this name (empty for a name not in the list)."""
    found = municipalities().get(name)
    return found[1] if found else frozenset()


@functools.cache
def national_bodies() -> frozenset[str]:
    """Ministries and national agencies, named in full (総務省, 警察庁, 個人情報保護委員会)."""
    return frozenset(data("org_kinds")["national"]["names"])


@functools.cache
def companies() -> dict[str, str]:
    """Listed companies: name without legal form -> sector code (from its industry)."""
    sectors = data("industry_sectors")["industries"] if (DATA_DIR / "industry_sectors.toml").exists() else {}
    table: dict[str, str] = {}
    for row in _read_tsv("companies.tsv"):
        short = strip_legal_form(unicodedata.normalize("NFKC", row["name"]))
        if len(short) >= 2:
            table.setdefault(short, sectors.get(row.get("industry", ""), ""))
    return table


_LEGAL = tuple(sorted((form for form in LEGAL_FORMS if not form.startswith("(")), key=len, reverse=True))
_LEGAL_RE = re.compile("|".join(re.escape(form) for form in _LEGAL))


def strip_legal_form(name: str) -> str:
    """The name without its legal form and spaces: 株式会社クボタ -> クボタ."""
    return "".join(_LEGAL_RE.sub("", name).split())


@functools.cache
def _automaton() -> Dictionary[tuple[tuple[str, str], ...]]:
    return Dictionary(_words())


def _words() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each word that ends (or is) a name -> its (source, word) readings."""
    entries: dict[str, list[tuple[str, str]]] = {}
    for word in kinds():
        entries.setdefault(word, []).append(("kind", word))
    for form in _LEGAL:
        entries.setdefault(form, []).append(("legal", form))
    for name in municipalities():
        entries.setdefault(name, []).append(("municipality", name))
    for name in national_bodies():
        entries.setdefault(name, []).append(("national", name))
    return {word: tuple(values) for word, values in entries.items()}


# The same words in the shared lexicon pass: a reader of a whole segment takes its hits from there.
lexicon.register("name", _words)


def _continues(last: str, nxt: str) -> bool:
    """True when `nxt` continues the word that ends in `last` (same script)."""
    katakana = lambda ch: 0x30A1 <= ord(ch) <= 0x30FA or ch == "ー"  # noqa: E731
    return (_is_kanji(last) and _is_kanji(nxt)) or (katakana(last) and katakana(nxt))


@functools.cache
def _word_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(leading determiners, a run of only descriptive words), longest words first."""
    generic, determiners, _ = _word_sets()
    leading = re.compile("(?:(?:" + "|".join(map(re.escape, determiners)) + r")(?=[\s\S]))*")
    only = re.compile("(?:" + "|".join(map(re.escape, generic)) + ")*")
    return leading, only


def strip_determiners(text: str) -> str:
    """Remove leading determiners (longest first) as long as something remains; a place
    name that starts like one stays whole ("別府大学", "本庄市", "当別町")."""
    if any(text[:size] in _place_stems() for size in range(2, 6)):
        return text
    match = _word_patterns()[0].match(text)
    return text[match.end():] if match else text


@functools.cache
def _place_stems() -> frozenset[str]:
    """Municipality names without their 市/町/村/区 (別府, 本庄), as they begin other names."""
    return frozenset(name[:-1] for name, (kind, _) in municipalities().items() if len(name) >= 3 and kind != "prefecture")


def _only_generic(prefix: str) -> bool:
    """True when the part of a name before its kind word is only descriptive words."""
    return _word_patterns()[1].fullmatch(prefix) is not None


# A count run into a name written right after it: "…約1万7000件|香川県教育委員会は".
_COUNT_BEFORE = re.compile(r"(?:約?[0-9,]+(?:[万千百億][0-9,]*)*(?:件|人|名|通|枚|台|社|校|世帯|回|日|年度|年|月|時|分))+")


def _left_run(text: str, end: int, allow_hiragana: bool = False) -> int:
    """Start of the run of name characters that ends at `end` (bounded); a short kana
    word between kanji belongs to the name ("日本みなと学会", "県立こども病院")."""
    start = end
    low = max(0, end - _MAX_NAME)
    while start > low:
        run = _NAME_RUN_END.search(text, low, start)  # the plain run, in one step
        if run is not None:
            start = run.start()
            if start <= low:
                break
        char = text[start - 1]
        if "\u3041" <= char <= "\u3096" and char not in _PARTICLES:
            kana = start - 1
            while kana > low and start - kana < 6 and "\u3041" <= text[kana - 1] <= "\u3096" \
                    and text[kana - 1] not in _PARTICLES:
                kana -= 1
            if kana > low and _is_kanji(text[kana - 1]) and 2 <= start - kana <= 5 \
                    and not text[start - 1] in _VERB_ENDINGS and "まし" not in text[kana:start] \
                    and not text.startswith(_VERB_HEADS, kana):  # "販売する|みなと通運": a verb, then the name
                start = kana
            elif allow_hiragana and not text.endswith(_VERB_SUFFIXES, 0, start):
                start -= 1
            else:
                break
        elif char == " " and start - 2 >= low and text[start - 2].isascii() and text[start - 2].isalnum() \
                and start < len(text) and text[start].isascii():
            start -= 1  # "H&F BELX NET株式会社": spaces between Latin words
        elif allow_hiragana and "\u3041" <= char <= "\u3096" and char not in _PARTICLES:
            start -= 1
        else:
            break
    while start < end and text[start] in " ・-":
        start += 1
    count = _COUNT_BEFORE.match(text, start, end)
    return count.end() if count else start  # "約1万7000件香川県教育委員会は"


def _right_run(text: str, start: int, allow_hiragana: bool = False) -> int:
    """End of the run of name characters that starts at `start` (bounded)."""
    end = start
    high = min(len(text), start + _MAX_NAME)
    while end < high:
        char = text[end]
        if allow_hiragana and text.startswith(_RIGHT_STOPS, end):
            break  # "株式会社スキマデより日本郵便へ": a particle, not the name
        if is_name_char(char):
            end += 1
        elif char == "." and text[end - 1:end].isascii() and text[end - 1:end].isalpha():
            end += 1  # "NPO法人ETIC.", "Co.": the period belongs to a Latin name
        elif char == " " and end + 1 < high and text[end + 1].isascii() and text[end + 1].isalnum() \
                and text[end - 1:end].isascii():
            end += 1
        elif allow_hiragana and "\u3041" <= char <= "\u3096" and char not in _PARTICLES:
            end += 1
        else:
            break
    return end


def _named(text: str, start: int, end: int, source: str, kind: str, sector: str | None,
           place: str | None = None) -> Name | None:
    """A Name for text[start:end] after dropping determiners; None if nothing remains."""
    raw = text[start:end]
    kept = strip_determiners(raw)
    start += len(raw) - len(kept)
    if not kept:
        return None
    generic = False
    if source == "kind":
        generic = kept == kind or _only_generic(kept[:-len(kind)])
    elif source == "legal":
        generic = strip_legal_form(kept) == ""
    return Name(kept, start, end, source, kind, sector, generic, place)


def _unit_end(text: str, end: int) -> bool:
    """True when a department word follows (長与町|税務課)."""
    _, _, units = _word_sets()
    run_end = _right_run(text, end)
    tail = text[end:run_end]
    return bool(tail) and tail.endswith(units)


def body_of_department(text: str) -> str:
    """"神奈川県警サイバー犯罪捜査課" -> "神奈川県警": a known body followed by one of its
    departments (a run ending in 課, 室, 事務局 …) is the body; any other text is returned as is."""
    names = [name for name in find_names(text) if not name.generic]
    if names and names[0].start == 0 and names[0].end < len(text) and _unit_end(text, names[0].end) \
            and _right_run(text, names[0].end) == len(text):
        return names[0].text
    return text


_MEMO: contextvars.ContextVar[dict[str, tuple[Name, ...]] | None] = contextvars.ContextVar("names_memo", default=None)


@contextlib.contextmanager
def memo() -> Iterator[None]:
    """While parsing one post: the extractors ask about the same sentences again and
    again (subject, sector, several bodies), so answers are kept until the post is done."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def find_names(text: str, near: list[tuple[int, int]] | None = None,
               hits: list[tuple[int, tuple[tuple[str, str], ...]]] | None = None) -> list[Name]:
    """Organisation names in `text`, longest first among overlaps, in text order; with
    `near` (ordered, disjoint spans), only the names that start inside one of them.
    `hits` may be the "name" hits of a `lexicon.scan(text)`."""
    if near is not None:
        return [name for name in _find_names(text, near, hits) if _inside(near, name.start)]
    table = _MEMO.get()
    if table is None or len(text) > _CACHED_CHARS:
        return _find_names(text)
    if text not in table:
        table[text] = tuple(_find_names(text))
    return list(table[text])


def _inside(spans: list[tuple[int, int]], position: int, slack: int = 0) -> bool:
    index = bisect.bisect_right(spans, (position, len(spans) + 10**9)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1] + slack


def _find_names(text: str, near: list[tuple[int, int]] | None = None,
                hits: list[tuple[int, tuple[tuple[str, str], ...]]] | None = None) -> list[Name]:
    kind_sectors = kinds()
    towns = municipalities()
    found: list[Name] = []
    for count, (last, values) in enumerate(_automaton().iter(text) if hits is None else hits):
        if count >= _MAX_HITS:
            break
        end = last + 1
        if near is not None and not _inside(near, max(0, end - 1 - _MAX_NAME), _MAX_NAME * 2) \
                and not _inside(near, end - 1, 0):
            continue  # a name ending here cannot start inside a wanted span
        for source, key in values:
            start = end - len(key)
            name = None
            if source == "kind":
                if text.startswith("法人", end):
                    continue  # 学校法人, 医療法人: a legal form, found as such
                nxt = text[end:end + 1]
                if nxt and not _is_kanji(key[-1]) and _continues(key[-1], nxt):
                    continue  # "クレジットカード", "センター試験": a katakana word goes on
                left = _left_run(text, start)
                left = _town_before(text, left, towns)
                left = _place_name_start(text, left)
                left = _hiragana_name_start(text, left)
                name = _named(text, left, end, "kind", key, kind_sectors[key] or None)
                if name is not None and nxt and _continues(key[-1], nxt) and not _unit_end(text, end) \
                        and (name.generic or not _is_kanji(nxt)):
                    continue  # "大学院生", "病院内", "クレジットカード": the word goes on
            elif source == "legal":
                if text[end:end + 2] == "法人" or (end < len(text) and text[end] == "等"):
                    continue
                after = _right_run(text, end, allow_hiragana=True)
                before = _left_run(text, start, allow_hiragana=True)
                if after > end and (before == start or text[before:start].endswith(" ")):
                    name = _legal_prefix_name(text, start, end, after, key)
                elif before < start:
                    while before < start and "\u3041" <= text[before] <= "\u3096":
                        before += 1  # "を手がけるカゴヤ・ジャパン株式会社": a verb's ending is not the name
                    name = _named(text, before, end, "legal", key, None) if before < start else None
                else:
                    name = _legal_prefix_name(text, start, end, after, key)
            elif source == "municipality":
                name = _municipality(text, start, end, key, towns[key])
            elif source == "national":
                previous = text[start - 1:start] if start else ""
                if previous and is_name_char(previous) and not text.endswith(("日本", "国立"), 0, start):
                    continue
                name = Name(key, start, end, "national", key, "government")
            if name is not None:
                found.append(name)
    if near is None:
        found.extend(quoted_names(text))
    else:
        for low, high in near:
            found.extend(name for name in quoted_names(text, low, min(len(text), high + _MAX_NAME)))
    return _longest(found, text)


# Names in hiragana ("からたち薬局", "りそな銀行", "ひまわり保育園") are read only after
# a boundary, and never these ordinary words.
_NOT_NAMES = frozenset(("ある", "この", "その", "あの", "どの", "同じ", "いわゆる", "おおきな", "ちいさな", "あらゆる", "いずれ",
                        "すべて", "ほか", "ほかの", "これら", "それら", "どこ", "ここ", "そこ", "わが", "われわれ"))


def _town_before(text: str, left: int, towns: dict[str, tuple[str, frozenset[str]]]) -> int:
    """Extend a name's start over a municipality written just before it in kana
    ("みどり市|社会福祉協議会"), which the run of kanji stops short of."""
    if left == 0 or text[left - 1] not in "市町村区都道府県":
        return left
    for size in range(2, 9):
        if left - size < 0:
            break
        if text[left - size:left] in towns and not ("\u3041" <= text[left - size - 1:left - size] <= "\u3096"
                                                   if left - size > 0 else False):
            return left - size
    return left


# One kanji before の that names a place ("虎の門病院", "お茶の水女子大学"), unless it is a
# word of its own ("県の病院", "同の", "他の学校").
_NOT_PLACE_KANJI = frozenset("市県町村区都府道国同当本弊各他別両全我私其旧元現新前後次上下右左中外内間此彼某諸"
                             "母父妻夫兄姉弟妹娘孫人者方日時年月週朝昼夜店社院校")
# Particles a place name may follow ("…患者様と虎の門病院の…").
_PARTICLE_BOUNDARY = frozenset("とやはがをにでへも")
_BOUNDARY = frozenset("、。,.「」『』()()[]【】・:: \n\t")


def _place_name_start(text: str, start: int) -> int:
    """Extend a name's start over "<one kanji>の" (and an honorific お/ご before it) when
    that kanji stands alone after a boundary: "虎の門病院", "お茶の水女子大学"; the
    particle の otherwise ends a name ("大阪市の病院")."""
    if start < 2 or text[start - 1] != "の" or not _is_kanji(text[start - 2]) or text[start - 2] in _NOT_PLACE_KANJI:
        return start
    if not (start + 1 < len(text) and _is_kanji(text[start]) and _is_kanji(text[start + 1])):
        return start  # two kanji at least after の: "門病院", "水女子大学"
    head = start - 2
    if head > 0 and text[head - 1] in "おご" and (head == 1 or text[head - 2] in _BOUNDARY):
        return head - 1
    return head if head == 0 or text[head - 1] in _BOUNDARY or text[head - 1] in _PARTICLE_BOUNDARY else start


def _hiragana_name_start(text: str, start: int) -> int:
    """Start of a hiragana name before a facility word, or `start` when there is none."""
    low = max(0, start - 8)
    position = start
    while position > low and "\u3041" <= text[position - 1] <= "\u3096" and text[position - 1] not in _PARTICLES:
        position -= 1
    word = text[position:start]
    boundary = position == 0 or text[position - 1] in "の、「『 \n・(("
    verb = next((ending for ending in _VERB_SUFFIXES if word.startswith(ending) and len(word) > len(ending)), None)
    if verb is not None and position > 0 and _is_kanji(text[position - 1]):
        position, word, boundary = position + len(verb), word[len(verb):], True  # "販売する|みなと通運"
    if boundary and word not in _NOT_NAMES and (len(word) >= 3 or len(word) == 2 and text[position - 1:position] != "の"):
        return position
    return start


def _legal_prefix_name(text: str, start: int, end: int, after: int, form: str) -> Name | None:
    """株式会社X / 医療法人X Y病院: the form, then the name (with one space allowed)."""
    if after == end and end < len(text) and text[end] == " ":
        after = _right_run(text, end + 1, allow_hiragana=True)
    if after == end and text[end:end + 1] in ("「", "『"):  # 公益財団法人「史跡X保存会」: the name in quotes
        close = text.find("」" if text[end] == "「" else "』", end + 1, end + _MAX_NAME)
        inner = text[end + 1:close] if close > end + 1 else ""
        if inner and all(is_name_char(ch) or "\u3041" <= ch <= "\u3096" for ch in inner):
            return Name(text[start:end] + inner, start, close + 1, "legal", form, legal_form_sectors().get(form))
    stop = after
    # A kind word inside the run ends the name there ("株式会社イセトー広島支店" keeps the branch).
    body = text[end:stop].strip()
    if not body:
        return None
    if stop < len(text) and text[stop] == " " and form.endswith("法人"):
        more = _right_run(text, stop + 1)
        if more > stop + 1 and text[stop + 1:more].endswith(tuple(kinds())):
            stop = more  # "医療法人DIC 宇都宮セントラルクリニック"
    sector = legal_form_sectors().get(form)
    return Name(text[start:stop], start, stop, "legal", form, sector)


def _municipality(text: str, start: int, end: int, name: str, info: tuple[str, frozenset[str]]) -> Name | None:
    kind, prefectures = info
    before = text[start - 1] if start else ""
    place = None
    if before and is_name_char(before):
        written = next((p for p in prefectures if p != name and text.endswith(p, 0, start)), None)
        if written is not None:
            place = written
        elif not any(text.endswith(f, 0, start) for f in ("県", "都", "府", "道")):
            return None  # inside a longer word
    nxt = text[end:end + 1]
    if nxt and is_name_char(nxt):
        if nxt in "内外部域民長" or not _is_kanji(nxt) and nxt != "ー":
            return None  # "京都市内", "市民": a place or a word, not the body
        if not _unit_end(text, end):
            return None
    source = "prefecture" if kind == "prefecture" else "municipality"
    return Name(name, start, end, source, kind, "government", False, place)


_QUOTED = re.compile(r"[「『]([^「」『』\s]{2,24})[」』](社|(?:\([^()]{0,40}\))?(?=が|は|において|では|で発生))?")


def quoted_names(text: str, start: int = 0, end: int | None = None) -> list[Name]:
    """Names in 「」 that the text (or text[start:end]) calls a company, a body or 社."""
    found = []
    for match in _QUOTED.finditer(text, start, len(text) if end is None else end):
        inner = match.group(1)
        if not is_name(inner) or inner.endswith(_service_endings()):
            continue
        before = text[max(0, match.start() - 12):match.start()].rstrip("の ")
        if match.group(2) is not None or before.endswith(_QUOTE_CONTEXT):
            kind = inner if inner.endswith(tuple(kinds())) else "社"
            found.append(Name(inner, match.start(1), match.end(1), "quoted", kind, None))
    return found


def _longest(names: list[Name], text: str) -> list[Name]:
    """Drop names that lie inside a longer one, and a prefecture written right before
    one of its municipalities ("徳島県|つるぎ町": a place); keep text order."""
    names.sort(key=lambda n: (n.start, -(n.end - n.start)))
    kept: list[Name] = []
    for name in names:
        if kept and name.start < kept[-1].end:
            if name.end - name.start > kept[-1].end - kept[-1].start and name.end > kept[-1].end:
                kept[-1] = name
            continue
        if kept and name.place and kept[-1].end == name.start and kept[-1].text == name.place:
            kept[-1] = name
            continue
        if kept and kept[-1].end + 1 == name.start and text[kept[-1].end] == " " and name.source == "kind" \
                and not name.generic \
                and not kept[-1].generic and kept[-1].source in ("legal", "kind"):
            # "山口県厚生農業協同組合連合会 周東総合病院": the body that runs it, a space, the facility
            previous = kept[-1]
            kept[-1] = Name(f"{previous.text} {name.text}", previous.start, name.end, name.source, name.kind, name.sector)
            continue
        kept.append(name)
    return kept

