"""Kinds of data leaked or exposed, normalised to the vocabulary in ``data/data_types.toml``.

Disclosures state the leaked data in two ways, and both are read:

1. Enumerations of data items: "個人情報(氏名、電話番号、問い合わせ内容)",
   "漏えいした内容:氏名(漢字・カナ)、住所、世帯主、続柄", "氏名や住所、病名などが流出",
   a table cell "住所、氏名、税額", or an item line under a heading about the leak. A
   run of short noun phrases joined by 、 , ・ / 及び や と … counts when one of its
   items is a known kind and it stands where the leak is described: a sentence about
   the leak, a label such as "項目:" or "流出の可能性のある情報:" (on the line or the
   line before), parentheses after 個人情報/情報, or a heading just above. Every item is
   reported (tests/fixtures/corpus/README.md: "others as written"): a known kind normalised
   (the head of a Japanese noun is its end, so "保護者氏名" is 氏名 and "所属先名称" 勤務先;
   a medical word makes 医療情報, "傷病名"; "ID(メールアドレス)" is the メールアドレス),
   the others as written, trimmed of など/等, quotes, ※ marks, honorifics (ご利用金額) and
   parenthetical readings ("氏名(漢字・カナ)"). Identifiers stay as written ("カルテ番号").
   Not items: clauses, counts, summary nouns ("氏名など基本的な識別情報"), the owner of
   an item ("世帯主の氏名" is a 氏名), the organisation's own information ("当院の法人情報"),
   systems and devices, product names, "…に関する情報" about no known kind. A parenthesis
   after an item glosses it ("所属(学校名・会社名等)") and lists nothing more.
2. A single known term in a sentence about the leak (漏えい, 流出, 閲覧, 含まれ …) or on a
   short item line under such a heading ("・氏名").

Nothing counts when its clause denies it ("クレジットカード情報は含まれておりません",
"保有しておらず") unless a possible leak was stated first, when the sentence is advice
("パスワードの変更をお願いします") or defines an attack ("…を試みる攻撃をいいます"), when a
list names destinations ("メールアドレスや掲示板などに送信"), when a password protects a file
or is used to log in, when credentials are a system's or a guessed account's (the means
of the attack, not leaked data), or when a word names a system ("電子カルテのシステム"),
a caption ("画像:…") or a trait of people ("購入履歴のある方"). Words outside the
vocabulary are only reported as items of an enumeration, never from free text.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Callable

from services.parser.evidence import Evidence, Found
from services.parser.fields.context import clause_after
from services.parser.fields import lexicon
from services.parser.patterns import compile_alternatives
from services.parser.resources import data

_MAX_MENTIONS = 50  # per kind: a term repeated thousands of times adds no information, only time
_MAX_UNITS = 200  # sentences read for enumerations
_UNIT_SPAN = 400  # characters either side of a term that one enumeration may reach

# --- single terms ---------------------------------------------------------------------

# A sentence about the leak: what was leaked, stolen, viewable, stored or recorded.
_LEAK = re.compile(
    r"持ち出|ダウンロード|漏えい|漏洩|流出|閲覧|表示され|記録され|盗|窃取|抜き取|不正に取得|取得され|含まれ|項目|"
    r"可能性|おそれ|恐れ|アクセス可能|登録され|保存され|格納され|記載され"
)
# A heading over item lines ("対象となる情報", "漏えいした内容").
_LEAK_HEADING = re.compile(_LEAK.pattern + r"|対象|内容")
_ADVICE = re.compile(r"変更を|の変更|を変更|変更し|再設定|リセット|お願い|ご記入|ご入力の上|ご確認ください|お問い?合わせ|ご連絡ください|ご注意")
_NEG = re.compile(
    r"ありません|ございません|おりません|いません|ませんでした|含まれない|含みません|含まない|含まれず|対象外|"
    r"保有しておりません|ておらず|ていない|入っていない|なかった|はなく|はない|がない"
)
# A possible leak stated before a denial keeps the item: "流出した可能性があり、悪用は確認されていない".
_AFFIRMED = re.compile(r"可能性が(?:あ|ござ)|可能性のあ|おそれがあ|恐れがあ")
_ITEM_LINE = re.compile(r"^\s*(?:[・･\-*•●○■□◆◇]|[①-⑳]|\(?[0-9]+[).]|[a-z][).])?\s*")
_SENTENCE_END = re.compile(r"[。\n]")
# A password protecting a file, changed as a countermeasure or used to log in is no leaked data.
_PROTECTION = re.compile(
    r"\s*(?:を|が|の|に|による|で)?\s*(?:設定|保護|ロック|かけ|かか|付き|付与|変更|再設定|リセット|認証|"
    r"使用し|利用し|用いて|使って)"
)
_CAPTION = re.compile(r"\s*(?::|のクリック|をクリック|拡大|提供|出典|はイメージ)")  # "画像:○○より引用"
_ATTRIBUTE = re.compile(r"\s*(?:の|が)(?:ある|あった|ない)")  # "購入履歴のあるお客様"
_SYSTEM_AFTER = re.compile(r"\s*の?\s*(?:システム|サーバ|端末|機器|ソフト|機能|アプリ)")  # "電子カルテのシステム"
# A sentence defining an attack ("…を使ってログインを試みる攻撃をいいます") describes no leak.
_DEFINITION = compile_alternatives([r"(?:をいいます|をいう|(?<!と)のことです|のことを指します|手口です|手法です|攻撃)\s*$",
                                    "とは、"])

# --- enumerations ---------------------------------------------------------------------

# Where an enumeration is about the leak: the verbs and nouns of a leak report (what was
# lost, sent, stored, viewable), said in its sentence or in a heading just above it.
_LIST_CONTEXT = re.compile(
    r"持ち出|漏えい|漏洩|流出|閲覧|盗|窃取|抜き取|取得|含ま|含む|含め|記録|記載|保存|格納|登録|入力|保管|保有|"
    r"紛失|誤送|誤って|誤配|添付|送付|送信|掲載|公開|表示|可能性|おそれ|恐れ|懸念|アクセス|入って|書かれ|"
    r"項目|内容|対象|の情報|個人情報"
)
# A unit holds at most one sentence, one line or one table cell ("a | b | c").
_UNIT_BREAKS = "。\n|"
# Separators between items; words first so "及び" is not read as "及" + "び". A comma
# between digits is a thousands separator ("3,137名"); と before し/い/の … starts a verb.
_SEPARATOR = (
    r"及び|および|並びに|ならびに|または|又は|もしくは|のほかに|のほか|に加えて|に加え|"
    r"\([0-9]{1,2}\)|(?<![0-9])[0-9]{1,2}\)|[、;]|(?<![0-9]),|,(?![0-9])|や|と(?![しいのもかはうなりこ])"
)
# Separators are searched in every unit: compile_alternatives makes each alternative
# start with a literal character, so the engine skips ahead to one.
_SEPARATORS = compile_alternatives([_SEPARATOR])
# Separators and parentheses in one pass: a separator splits a unit only outside parentheses.
# One capturing group, so that split() returns the text between marks and each mark in turn.
_SEGMENT_MARKS = compile_alternatives([f"({_SEPARATOR}|\\(|\\))"])
_SOFT_SEPARATORS = re.compile(r"[・/]")
_ANY_SEPARATOR = compile_alternatives([_SEPARATOR, "[・/(]"])  # split an item only where a part is a known kind
# What ends the last item of a list: など/等, a case particle, a space or a mark, or a
# relative clause ("続柄の書いた名簿", "住所の記載された書類").
_HEAD_END = re.compile(
    r"など|等|といった|とい|の(?:一部|ほか|他|み|いずれ|うち|計|各|情報|個人情報|データ)|[がをはも]|ほか|含|[\s:※(]|"
    r"の(?=[\u4e00-\u9fff]{1,2}(?:いた|かれた|された|した|った))"
)
_ITEM_CHAR = re.compile(r"[\u4e00-\u9fff\u3005\u30a0-\u30ffA-Za-z0-9・/\-]")
_NOT_ITEM_CHAR = re.compile(r"[^\u3041-\u309f\u4e00-\u9fff\u3005\u30a0-\u30ffA-Za-z0-9・/\-]")
_KANA_RUN = re.compile(r"[\u3041-\u309f]+")
_PARENS = re.compile(r"[()]")
# The run of item characters a text ends with ("…最大4万人分の|氏名").
_ITEM_RUN_AT_END = re.compile(r"[\u4e00-\u9fff\u3005\u30a0-\u30ffA-Za-z0-9・/\-]+\Z")
# Hiragana that can sit inside a data item's name (の, honorific お/ご, okurigana).
_ITEM_KANA = frozenset(("の", "お", "ご", "い", "わせ", "し", "け", "り", "み", "え", "き", "ち"))
# "…に関する情報": information about something; a kind only when the something is one.
_ABOUT = re.compile(r"(?:に関する|に係る|に関わる|についての)(?:情報|記録|データ)?$")
_COUNT = re.compile(r"[0-9]+\s*(?:件|名|人|通|社|世帯|口座|アカウント|枚|点|冊|箇所|か所|カ所|年|月|日)")
# A label before a list: "漏えいした内容:", "項目:", "流出の可能性のある情報:".
_LABEL = re.compile(r"(?:情報|内容|項目|データ|対象|種類|内訳)[^:]{0,12}:\s*$")
# A parenthesis after these lists what they hold ("個人情報(氏名、…)", "名簿(氏名・住所)").
_LABEL_WORDS = re.compile(r"(?:情報|データ|内容|項目)\s*$")
_CONTAINERS = ("一覧", "名簿", "リスト", "台帳", "書類", "ファイル", "情報", "データ", "資料", "帳票", "記録", "票")
_TRIM_CHARS = "「」『』\"'※*"
_TRIM = str.maketrans("", "", _TRIM_CHARS)
_HAS_TRIM = re.compile("[" + re.escape(_TRIM_CHARS) + "]")
_PAREN = re.compile(r"\([^()]{0,40}\)")
# A Latin word in lower or mixed case names a product or service ("UTokyoAccount", "Oisix"), not
# a kind of data (kinds are written in katakana, kanji or capitals: "ID", "FAX番号").
_PROPER_NAME = re.compile(r"[A-Z]?[a-z]{3,}|[A-Z][a-z]+[A-Z]")
_HONORIFIC = re.compile(r"^(?:お客(?:さま|様)(?=.)|ご(?=[\u4e00-\u9fff]))")
_DEMONSTRATIVE = re.compile(r"^(?:その|この|当該)(?=[\u4e00-\u9fff\u30a0-\u30ffA-Za-z])")
_TRAILING = re.compile(r"(?:など|等々?|の一部|ほか){1,3}$")
# A noun modified by a verb ("流出した可能性", "希望する連絡先") is not an item name.
_AFTER_VERB = re.compile(r"(?:した|する|された|される|れた|った|いた|ている|ていた)$")
# "生年月日など基本的な識別情報": a noun after など sums up the items before it.
_SUMMARY = re.compile(r"(?:など|等|といった|のような)[^、,]{0,8}$")
# The clause right after a list, where a denial of it would stand.
_AFTER_CUT = re.compile(r"[\s。]|が、")
# A list followed by に/へ/宛 names destinations ("メールアドレスや掲示板などに送信"), not data.
_DESTINATION = re.compile(r"\s*(?:など|等)?\s*(?:に(?!関|係|加|つ|含|記|は)|へ|宛|から|より)")
# Credentials of a system or of the organisation's own mailbox, guessed by an insider or
# used to relay spam, are the means of the attack, not leaked data.
# ("入力しても…できない" is a hypothetical use, said of a countermeasure.)
_CREDENTIAL_USE = compile_alternatives(["推測", "試行", "踏み台", "迷惑メール", "スパム", "管理者", "管理用", "更新用",
                                        "(?:更新|管理)に必要な", "入力しても"])
_CREDENTIALS = frozenset(("パスワード", "メールアドレス", "ログインID"))
# A bullet line: "・氏名", "- 住所、郵便番号", "(1)氏名".
_BULLET = re.compile(r"\s*(?:[・･\-*•●○■□◆◇]|\(?[0-9]{1,2}[).]|[①-⑳])\s*")
_MAX_BLOCK_LINES = 20
_HEADING_SPAN = 80


@functools.cache
def _tables() -> tuple[dict[str, tuple[str, str]], list[str]]:
    table = data("data_types")
    entries = {name: aliases for name, aliases in table["vocabulary"].items()}
    for extra in table.get("extra", {}).get("names", []):
        entries.setdefault(extra, [extra])
    keys: dict[str, tuple[str, str]] = {}
    for name, aliases in entries.items():
        for alias in aliases:
            keys.setdefault(alias, (name, alias))
            if " " not in alias and len(alias) > 2:  # "FAX 番号", "メール アドレス"
                for cut in range(2, len(alias) - 1):
                    if alias[cut - 1].isascii() != alias[cut].isascii():
                        keys.setdefault(alias[:cut] + " " + alias[cut:], (name, alias[:cut] + " " + alias[cut:]))
    return keys, list(entries)


@dataclass(frozen=True)
class _Items:
    """How list items are read: alias -> canonical, and the words of data/data_types.toml [items]."""

    aliases: dict[str, str]
    exact: dict[str, str]
    contained: dict[str, str]
    about: dict[str, str]
    generic: frozenset[str]
    identifier: tuple[str, ...]
    not_data: tuple[str, ...]
    own: re.Pattern[str]
    longest: int


@functools.cache
def _items() -> _Items:
    table = data("data_types")
    keys, _ = _tables()
    aliases = {alias.replace(" ", ""): canonical for alias, (canonical, _) in keys.items()}
    items = table.get("items", {})
    exact = {word: canonical for canonical, words in items.get("exact", {}).items() for word in words}
    contained = {word: canonical for canonical, words in items.get("contained", {}).items() for word in words}
    about = {word: canonical for canonical, words in items.get("about", {}).items() for word in words}
    own = re.compile("^(?:" + "|".join(map(re.escape, items.get("own", []))) + ")の")
    return _Items(aliases, exact, contained, about, frozenset(items.get("generic", [])),
                  tuple(items.get("identifier_endings", [])), tuple(items.get("not_data_endings", [])), own,
                  max(map(len, aliases)))


lexicon.register("data", lambda: _tables()[0])
# Words that make a list item a known kind ("診療報酬明細書") also mark where a list may be.
lexicon.register("data_items", lambda: {word: canonical for word, canonical in _items().contained.items()})


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind("。", max(0, start - 2000), start), text.rfind("\n", max(0, start - 2000), start)) + 1
    right_match = _SENTENCE_END.search(text, end, end + 2000)
    return left, (right_match.start() if right_match else min(len(text), end + 2000))


def _denies(clause: str) -> bool:
    """True when a clause after a term denies it, unless it first says the leak is possible."""
    denial = _NEG.search(clause)
    return denial is not None and not _AFFIRMED.search(clause, 0, denial.start())


def _denied(text: str, end: int) -> bool:
    return _denies(clause_after(text, end, 45))


def _not_data(text: str, end: int, canonical: str) -> bool:
    """A term that names no leaked data where it stands: a password protecting a file or
    being changed, a password used to log in, a picture caption, a system, "購入履歴のある方"."""
    if canonical == "パスワード" and _PROTECTION.match(text, end, end + 12):
        return True
    if canonical == "画像" and _CAPTION.match(text, end, end + 12):
        return True
    return bool(_SYSTEM_AFTER.match(text, end, end + 12) or _ATTRIBUTE.match(text, end, end + 6))


@functools.lru_cache(maxsize=65536)  # items recur across disclosures (氏名, 住所 …)
def _canonical(item: str) -> str | None:
    """The vocabulary name of a list item, or None when it is not a known kind.
    The head of a Japanese noun phrase is its end: "保護者氏名" is a 氏名, "勤務先住所" a 住所;
    a medical word anywhere in the last noun makes 医療情報 ("ウイルス検査結果")."""
    tables = _items()
    about = _ABOUT.search(item)
    if about:
        item = item[:about.start()]
        found = next((canonical for word, canonical in tables.about.items() if word in item), None)
        if found:
            return found
    if item in tables.exact or item.rsplit("の", 1)[-1] in tables.exact:
        return tables.exact.get(item) or tables.exact[item.rsplit("の", 1)[-1]]
    if item.endswith("名") and item[:-1] in _owners():
        return "氏名"  # "児童名", "保護者名", "加入者名": a person's name
    for cut in range(max(0, len(item) - tables.longest), len(item)):
        canonical = tables.aliases.get(item[cut:])
        if canonical is not None:
            return canonical
    if item.endswith(tables.identifier):
        return None
    last = item.rsplit("の", 1)[-1]
    found = next((canonical for word, canonical in tables.contained.items() if word in last), None)
    if found is None and len(item) > 3 and item.endswith("情報"):
        return _canonical(item[:-2])  # "パスワード情報" is パスワード
    return found


@functools.lru_cache(maxsize=65536)  # items recur across disclosures (氏名, 住所 …)
def _clean(raw: str) -> str:
    """An item as written: no parenthetical, quotes, marks, inner spaces, trailing など or
    owner ("保護者の連絡先" -> "連絡先": whose data it is, not what)."""
    text = _PAREN.sub("", raw.translate(_TRIM))
    text = "".join(text.replace("(", "").replace(")", "").split()).strip("・/-:")
    text = _HONORIFIC.sub("", _DEMONSTRATIVE.sub("", _TRAILING.sub("", text)))
    owner = _owner_prefix().match(text)
    return text[owner.end():] if owner and owner.end() < len(text) else text


@functools.cache
def _owners() -> frozenset[str]:
    return frozenset(data("data_types")["items"].get("owners", []))


@functools.cache
def _owner_prefix() -> re.Pattern[str]:
    return re.compile("^[0-9A-Za-z\u4e00-\u9fff]{0,6}?(?:" + "|".join(map(re.escape, sorted(_owners()))) + ")の")


@functools.lru_cache(maxsize=65536)  # items recur across disclosures (氏名, 住所 …)
def _valid(item: str) -> bool:
    """True when `item` reads as the name of a kind of data, not as a clause."""
    tables = _items()
    if not item or len(item) > 25 or item in tables.generic or item in _owners():
        return False  # "生徒及び保護者の氏名": whose data, not a kind of data
    if item in tables.aliases or item in tables.exact:
        return True
    if _SOFT_SEPARATORS.search(item):  # "氏名・ふりがな": every part an item
        parts = _SOFT_SEPARATORS.split(item)
        if len(parts) <= 8 and all(parts) and all(map(_valid, parts)):
            return True
    about = _ABOUT.search(item)
    if about:
        return _canonical(item) is not None  # "診療に関する情報", not "サービスの利用に係る情報"
    last = item.rsplit("の", 1)[-1]
    if not last or last in tables.generic or item.endswith("個人情報") or item.endswith(tables.not_data):
        return False
    if tables.own.match(item) or _PROPER_NAME.search(item):
        return False
    if not _ITEM_CHAR.search(item) or _COUNT.search(item) or item[0] in "のをにはがでもとやへ":
        return False
    if _NOT_ITEM_CHAR.search(item):
        return False
    return all(run.group() in _ITEM_KANA for run in _KANA_RUN.finditer(item))


def _glossed(segment: str) -> str | None:
    """"ID(メールアドレス)" -> "メールアドレス": a parenthesis saying which known kind an
    unknown item is."""
    text = segment.strip()
    if not text.endswith(")"):
        return None
    opened = text.rfind("(")
    inner = _clean(text[opened + 1:-1])
    if opened <= 0 or _SEPARATORS.search(inner) or _SOFT_SEPARATORS.search(inner) or not _canonical(inner):
        return None
    return inner if _canonical(_tail(text[:opened], gloss=False)) is None and inner in _items().aliases else None


def _visible(segment: str) -> tuple[str, list[int] | range]:
    """A segment without parenthetical groups, quotes and marks, with each kept character's
    index in the segment."""
    if "(" not in segment and not _HAS_TRIM.search(segment):
        return segment, range(len(segment))
    chars: list[str] = []
    where: list[int] = []
    depth = 0
    for index, char in enumerate(segment):
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth and char not in _TRIM_CHARS:
            chars.append(char)
            where.append(index)
    return "".join(chars), where


def _tail(segment: str, gloss: bool = True) -> str:
    """The item at the end of a segment: "…最大4万人分の氏名" -> "氏名" ("" if none)."""
    return _tail_at(segment, gloss)[0]


@functools.lru_cache(maxsize=16384)
def _tail_at(segment: str, gloss: bool = True) -> tuple[str, int]:
    """(the item at the end of a segment, where it starts in the segment)."""
    glossed = _glossed(segment) if gloss else None
    if glossed:
        return glossed, segment.rfind("(")
    visible, where = _visible(segment)
    text = _TRAILING.sub("", visible.rstrip())
    tables = _items()
    start = len(text)
    for cut in range(max(0, len(text) - tables.longest), len(text)):
        if text[cut:] in tables.aliases or text[cut:] in tables.exact:
            start = cut
            break
    while start > 0:
        run = _ITEM_RUN_AT_END.search(text, max(0, start - 64), start)
        if run is not None:
            start = run.start()
        if start > 0 and text[start - 1] in "ごお" and (start == 1 or text[start - 2] in "・/ "):
            start -= 1  # "氏名・ご利用金額": an honorific prefix
            continue
        break
    while start < len(text) and text[start] in "0123456789・/-.":
        start += 1
    item = _clean(text[start:])
    if _canonical(item) is None and (_AFTER_VERB.search(text, 0, start) or _SUMMARY.search(text, 0, start)):
        return "", len(segment)
    return item, (where[start] if start < len(where) else len(segment))


@functools.lru_cache(maxsize=16384)
def _head(segment: str) -> tuple[str, bool, int]:
    """(the item at the start of a segment, whether the segment is that item alone, where the
    item ends in the segment); the item is "" when the segment does not start with one."""
    stripped = segment.strip()
    lead = len(segment) - len(segment.lstrip())
    whole = _clean(stripped)
    paren = stripped.find("(")
    if _valid(whole) and (paren < 0 or _PAREN.sub("", stripped).find("(") < 0 and stripped.endswith(")")):
        return _glossed(stripped) or whole, True, len(segment)
    stop = _HEAD_END.search(stripped)
    if stop is None:
        return "", False, len(segment)
    return _clean(stripped[:stop.start()]), False, lead + stop.start()


def _possessed(item: str) -> str | None:
    """"担当者のメールアドレス" -> "メールアドレス": the known kind a possessive item names."""
    if "の" not in item:
        return None
    last = item.rsplit("の", 1)[-1]
    return last if _canonical(last) is not None and _valid(last) else None


@dataclass
class _Run:
    items: list[str]
    start: int  # absolute offsets of the run in the text
    end: int
    anchored: bool = False


def _segments(unit: str, offset: int) -> list[tuple[str, int, int]]:
    """Depth-0 parts of a unit between separators, as (text, start, end) with absolute offsets."""
    pieces = _SEGMENT_MARKS.split(unit)  # text, mark, text, mark, …, text: no match objects to build
    parts: list[tuple[str, int, int]] = []
    depth = 0
    start = 0
    position = len(pieces[0])  # where the current mark starts
    for index in range(1, len(pieces), 2):
        mark = pieces[index]
        if mark == "(":
            depth += 1
        elif mark == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append((unit[start:position], offset + start, offset + position))
            start = position + len(mark)
        position += len(mark) + len(pieces[index + 1])
    parts.append((unit[start:], offset + start, offset + len(unit)))
    return parts


def _runs(unit: str, offset: int, anchored: bool, nested: bool = False) -> list[_Run]:
    """Runs of consecutive items in one unit (and in its parenthesised lists)."""
    runs: list[_Run] = []
    current: _Run | None = None

    def begin(item: str, start: int, end: int) -> None:
        nonlocal current
        if current is not None:
            runs.append(current)
        current = _Run([item], start, end, anchored) if _valid(item) else None

    for text, start, end in _segments(unit, offset):
        if not text.strip():
            continue  # "、および": two separators in a row
        head, whole, head_end = _head(text)
        if current is not None:
            if whole:
                owned = _possessed(head)
                if owned:
                    begin(owned, start, end)
                else:
                    current.items.append(head)
                    current.end = end
                continue
            if _valid(head) and not _possessed(head):
                current.items.append(head)
                current.end = start + head_end
            runs.append(current)
            current = None
        elif not whole:  # a list inside one clause: "カタカナ氏名・ご利用金額等が漏えい"
            inner, inner_start = _tail_at(text[:head_end])
            if _SOFT_SEPARATORS.search(inner) and _valid(inner):
                runs.append(_Run([inner], start + inner_start, start + head_end, anchored))
        if whole and "の" not in head:
            begin(head, start, end)
        else:
            tail, tail_start = _tail_at(text)
            if tail:
                begin(tail, start + tail_start, end)
    if current is not None:
        runs.append(current)
    if not nested:  # lists in parentheses: "個人情報(氏名、電話番号)"
        for begin_at, end_at in _groups(unit):
            inner = unit[begin_at + 1:end_at]
            # "画像データ(スナップ、個人写真)", "所属(学校名・会社名等)" gloss one item; a container
            # ("個人情報(…)", "在籍生徒一覧(…)") lists its contents.
            before = _tail(unit[max(0, begin_at - 30):begin_at])
            if _canonical(before) is not None or (_valid(before) and not before.endswith(_CONTAINERS)):
                continue
            labelled = bool(_LABEL_WORDS.search(unit, max(0, begin_at - 12), begin_at))
            if labelled or _SEPARATORS.search(inner) or _SOFT_SEPARATORS.search(inner):
                runs.extend(_runs(inner, offset + begin_at + 1, labelled, nested=True))
    return runs


def _groups(unit: str) -> list[tuple[int, int]]:
    """(open, close) positions of the outermost parenthesised groups of a unit."""
    groups: list[tuple[int, int]] = []
    if "(" not in unit:
        return groups
    depth = 0
    opened = 0
    for match in _PARENS.finditer(unit):
        position = match.start()
        if match.group() == "(":
            if depth == 0:
                opened = position
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((opened, position))
    return groups


@functools.lru_cache(maxsize=16384)  # items recur across disclosures (氏名, 住所 …)
def _names(item: str) -> tuple[str, ...]:
    """What one item reports: "所属先名称・住所" -> [勤務先, 住所]; "利用・請求明細" stays whole."""
    parts = [_clean(part) for part in _SOFT_SEPARATORS.split(item)]
    pieces = [part for part in parts if part] if any(map(_canonical, parts)) else [item]
    names = []
    for piece in pieces:
        canonical = _canonical(piece)
        if canonical:
            names.append(canonical)
        elif _valid(piece):
            names.append(piece)
    return tuple(names)


def _unit_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence, line or table cell around text[start:end], at most _UNIT_SPAN characters
    either side; where that limit cuts a sentence, the cut item is left out. The breaks
    (。, line feeds, cell bars) are looked for only in that window, not over the whole text."""
    low = max(0, start - _UNIT_SPAN)
    last = low - 1  # the last break before the term, narrowing the window with each kind of break
    for char in _UNIT_BREAKS:
        found = text.rfind(char, last + 1, start)
        if found >= 0:
            last = found
    left = last + 1 if last >= low else 0
    if left == 0 and low > 0:
        cut = _SEPARATORS.search(text, low, start)
        left = cut.end() if cut else start
    high = min(len(text), end + _UNIT_SPAN)
    right = high  # the first break after the term
    for char in _UNIT_BREAKS:
        found = text.find(char, end, right)
        if found >= 0:
            right = found
    if right == high:
        right = high if high == len(text) else max(text.rfind("、", end, high), end)
    return left, right


def _same_unit(text: str, bounds: tuple[int, int], start: int, end: int) -> bool:
    """True when text[start:end] lies in the unit `bounds` and both its ends are breaks
    within reach of the term (or the ends of the text): `_unit_bounds` would find that
    unit again. A unit holds no break, so the breaks nearest the term are its ends."""
    left, right = bounds
    if start < left or end > right:
        return False
    if left == 0:
        if start > _UNIT_SPAN:
            return False
    elif text[left - 1] not in _UNIT_BREAKS or left - 1 < start - _UNIT_SPAN:
        return False
    if right == len(text):
        return end + _UNIT_SPAN >= right
    return text[right] in _UNIT_BREAKS and right < end + _UNIT_SPAN


def _credentials_used(names: list[str], unit: str) -> bool:
    """A list of login credentials only, in a sentence about a system's or a guessed account."""
    if not all(name in _CREDENTIALS or name.endswith("ID") for name in names):
        return False
    return any(name != "メールアドレス" for name in names) and bool(_CREDENTIAL_USE.search(unit))


def _enumerations(text: str, hits: list[tuple[int, int, str]], skip: Callable[[int], bool] | None
                  ) -> tuple[list[tuple[str, list[str]]], set[int]]:
    """([(unit, names of its items)] for the enumerations about the leak, starts of the terms
    that lie inside any enumeration, accepted or not)."""
    known = set(_tables()[1])
    found: list[tuple[str, list[str]]] = []
    covered: set[int] = set()
    done: set[tuple[int, int]] = set()
    done_blocks: set[int] = set()
    blocks: list[tuple[int, int]] = []  # bullet blocks already read
    bounds = (-1, -1)
    longest = max((last - first for first, last, _ in hits), default=0)
    for start, end, _ in hits:
        if _same_unit(text, bounds, start, end):
            continue  # terms of one list: the unit is read once
        bounds = _unit_bounds(text, start, end)
        if bounds in done:
            continue
        if len(done) >= _MAX_UNITS:
            break
        done.add(bounds)
        left, right = bounds
        unit = text[left:right]
        seen_block = any(low <= left <= high for low, high in blocks)
        block = _item_block(text, left) if not seen_block and _BULLET.match(unit) else None
        if block is not None:
            blocks.append((block[0], block[1]))
        if block is not None and block[0] not in done_blocks and not (skip is not None and skip(block[0])):
            done_blocks.add(block[0])
            found.append((text[block[0]:block[1]], block[2]))
        label = _label_end(unit)
        anchored = label > 0 or _labelled_line_before(text, left)
        if not anchored and not _ANY_SEPARATOR.search(unit):
            continue  # one item alone and no label: it makes no list (and marks no term as listed)
        for run in _runs(unit[label:], left + label, anchored=anchored):
            names = [name for item in run.items for name in _names(item)]
            if not any(name in known for name in names) or (len(names) < 2 and not run.anchored):
                continue
            if skip is not None and skip(run.start):
                continue
            # The terms inside the list, and the owner of its first item ("世帯主の氏名").
            inside = bisect.bisect_left(hits, (run.start,))
            covered.update(first for first, _, _ in hits[inside:bisect.bisect_left(hits, (run.end,), inside)])
            covered.update(first for first, last, _ in hits[bisect.bisect_left(hits, (run.start - 12 - longest,), 0, inside):inside]
                           if run.start - 12 <= last < run.start and text.startswith("の", last))
            after = _AFTER_CUT.split(text[run.end:run.end + 30], 1)[0]
            rest = text[left:run.start] + after
            if _denies(after) or _ADVICE.search(text[max(left, run.start - 20):run.start] + after):
                continue
            if not run.anchored and (_DESTINATION.match(text, run.end, run.end + 8) or _DEFINITION.search(unit)):
                continue
            if not (run.anchored or _LIST_CONTEXT.search(rest) or _under_leak_heading(text, left, unit)):
                continue
            if not run.anchored and _credentials_used(names, unit):
                continue
            found.append((unit, list(dict.fromkeys(names))))
    return found, covered


def _line_items(line: str) -> list[str] | None:
    """The names on a bullet line that holds nothing but data items ("- 在宅/入所区分、"),
    else None."""
    content = _BULLET.sub("", line, count=1).strip().rstrip("、,")
    if not content or len(content) > 60:
        return None
    names: list[str] = []
    for segment, _, _ in _segments(content, 0):
        item, whole, _ = _head(segment)
        if not whole:
            return None
        names.extend(_names(item))
    return names or None


def _item_block(text: str, left: int) -> tuple[int, int, list[str]] | None:
    """(start, end, names) of the block of bullet lines holding only data items around the
    line at `left`, under a heading about the leak; None unless a line names a known kind."""
    first = text.rfind("\n", 0, left) + 1
    heading = ""
    position = first
    for _ in range(_MAX_BLOCK_LINES):  # up, over blank lines, to the heading
        if position == 0:
            break
        above = max(text.rfind("\n", max(0, position - 1 - _HEADING_SPAN), position - 1) + 1,
                    position - 1 - _HEADING_SPAN)
        line = text[above:position - 1]
        if line.strip():
            if not (_BULLET.match(line) and _line_items(line)):
                heading = line
                break
            first = above
        position = above
    if len(heading) >= _HEADING_SPAN or not _LEAK_HEADING.search(heading):
        return None
    lines: list[list[str]] = []
    position = end = first
    for _ in range(2 * _MAX_BLOCK_LINES):  # down, over blank lines, while lines hold items
        line_end = text.find("\n", position, position + _HEADING_SPAN)
        line_end = min(len(text), position + _HEADING_SPAN) if line_end < 0 else line_end
        line = text[position:line_end]
        if line.strip():
            items = _line_items(line) if _BULLET.match(line) else None
            if items is None:
                break
            lines.append(items)
            end = line_end
        if line_end >= len(text) or text[line_end] != "\n":
            break
        position = line_end + 1
    names = list(dict.fromkeys(name for items in lines for name in items))
    if len(lines) < 2 or not set(names) & set(_tables()[1]):
        return None
    return first, end, names


def _label_end(unit: str) -> int:
    """Length of a leading label such as "漏えいした内容:" or "項目:" (0 if none)."""
    colon = unit.find(":", 0, 40)
    if colon < 0:
        return 0
    return colon + 1 if _LABEL.search(unit[:colon + 1]) else 0


def _labelled_line_before(text: str, left: int) -> bool:
    """True when the line before a unit is a label such as "流出の可能性のある情報:"."""
    before = text[max(0, left - 60):left].rstrip()
    if not before.endswith(":"):
        return False
    line = before[before.rfind("\n") + 1:]
    return bool(_LABEL.search(line))


def _under_leak_heading(text: str, left: int, unit: str) -> bool:
    return len(unit) <= 160 and bool(_LIST_CONTEXT.search(text, max(0, left - 300), left))


def extract_data_types(text: str, hits: lexicon.Hits | None = None,
                       skip: Callable[[int], bool] | None = None) -> Found[list[str]]:
    """Data kinds involved in the incident: vocabulary names in vocabulary order, then the
    other listed items as written, in text order.
    `skip(position)` excludes countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    _, order = _tables()
    if hits is None:
        hits = lexicon.scan(text)
    terms: list[tuple[int, int, str]] = []
    seen: dict[str, int] = {}
    for end_index, (canonical, alias) in hits.get("data", ()):
        seen[canonical] = seen.get(canonical, 0) + 1
        if seen[canonical] > _MAX_MENTIONS:
            continue
        end = end_index + 1
        terms.append((end - len(alias), end, canonical))
    anchors = list(terms)
    for count, (end_index, canonical) in enumerate(hits.get("data_items", ())):
        if count < _MAX_MENTIONS:
            anchors.append((end_index, end_index + 1, canonical))
    anchors.sort()
    enumerations, covered = _enumerations(text, anchors, skip)
    listed = list(dict.fromkeys(name for _, names in enumerations for name in names))
    quoted = enumerations[0][0] if enumerations else ""
    by_sentence: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for start, end, canonical in terms:
        if start in covered or (skip is not None and skip(start)):
            continue
        by_sentence.setdefault(_sentence_bounds(text, start, end), []).append((end, canonical))
    found: set[str] = set()
    for (left, right), items in by_sentence.items():
        sentence = text[left:right]
        distinct = {canonical for _, canonical in items}
        if _ADVICE.search(sentence) or _DEFINITION.search(sentence):
            continue
        listing = len(distinct) >= 2
        # A short item line ("・氏名") counts under a heading or sentence about the leak.
        item_line = (len(sentence) <= 40 and len(_ITEM_LINE.sub("", sentence)) <= 30
                     and bool(_LEAK_HEADING.search(text, max(0, left - 300), left)))
        if not (listing or item_line or _LEAK.search(sentence)):
            continue
        credentials_used = bool(_CREDENTIAL_USE.search(sentence))
        for end, canonical in items:
            if credentials_used and canonical in ("パスワード", "ログインID"):
                continue
            if canonical not in found and not _denied(text, end) and not _not_data(text, end, canonical):
                found.add(canonical)
                quoted = quoted or sentence
    found.update(name for name in listed if name in order)
    names = [name for name in order if name in found] + [name for name in listed if name not in order]
    if not names:
        return Found(names, Evidence("no kind of data named as leaked"))
    rule = "items of a list where the leak is described" if enumerations else "data kinds named where the leak is described"
    return Found(names, Evidence(rule, quoted))
