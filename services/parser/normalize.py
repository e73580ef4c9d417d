"""Text normalisation shared by the splitter and the field extractors.

Everything the parser *decides* is decided on normalised text; the incident body
keeps the original. NFKC does most of the work: Kangxi radicals (``⽇⽉⼈``) become
ordinary ideographs, full-width digits and letters become ASCII, the ideographic
space becomes a space. NFKC never creates or removes a line feed, so the
normalised text can be split into lines that pair one-to-one with the original
lines (that is how the splitter keeps the original body without offset maps).
neologdn is deliberately not used: it deletes spaces between words, which would
merge the organisation and the title in a header line.
"""

from __future__ import annotations

import re
import unicodedata

# One translation table for what NFKC leaves alone: zero-width and soft characters
# (dropped), dash and tilde look-alikes, and circled numbers, which are list markers
# and become "・" (NFKC would turn "②3378件" into "23378件"). Applied by a regex substitution,
# because they are rare and str.translate over a whole text costs as much as NFKC itself.
# The same pass also puts compatibility characters in their NFKD form (_compatibility_forms).
_TABLE: dict[int, str | None] = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TABLE.update({ord(ch): "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_TABLE.update({0x301C: "~", 0xFF5E: "~", ord("\r"): " "})
_TABLE.update({code: "・" for code in (*range(0x2460, 0x2474), 0x24EA, *range(0x2776, 0x2780), *range(0x24EB, 0x24F5))})


def _compatibility_forms() -> dict[int, str]:
    """Characters NFKC would replace (no-break space, Kangxi radicals ⽇, full-width （ ： ０,
    half-width ｶ) -> their full compatibility decomposition. Replacing a character by its
    NFKD form never changes the NFKC of a text (NFKC composes the NFKD of the whole text),
    but spares the line NFKC itself: its quick check then passes. Only the blocks where
    such characters live in Japanese text are listed; any other is left to NFKC."""
    forms: dict[int, str] = {}
    for low, high in ((0x00A0, 0x33FF), (0xF900, 0xFFEF)):
        for code in range(low, high + 1):
            char = chr(code)
            if code in _TABLE or unicodedata.is_normalized("NFKC", char):
                continue
            decomposed = unicodedata.normalize("NFKD", char)
            if all(unicodedata.is_normalized("NFKC", part) and not unicodedata.combining(part) for part in decomposed):
                forms[code] = decomposed
    return forms


_TABLE.update(_compatibility_forms())
_ODD = re.compile("[" + "".join(re.escape(chr(code)) for code in _TABLE) + "]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def normalize(text: str) -> str:
    """NFKC plus a few look-alike fixes; preserves the number of line feeds."""
    return "\n".join(normalize_lines(text)[1])


def normalize_lines(text: str) -> tuple[list[str], list[str]]:
    """(original lines, normalised lines), paired index by index.

    Line by line: NFKC's quick check then skips the many lines that need nothing,
    which is about five times faster than normalising the whole text at once. A line
    feed never combines with its neighbours, so a text that is in NFKC as a whole
    (most are, once the odd characters are replaced) has every line in NFKC."""
    raw = text.split("\n")
    fixed = _ODD.sub(_fix, text)  # one pass; the odd characters are rare
    lines = raw if fixed is text or fixed == text else fixed.split("\n")
    if unicodedata.is_normalized("NFKC", fixed):
        return raw, list(lines) if lines is raw else lines  # two lists, as when each line is normalised
    return raw, [unicodedata.normalize("NFKC", line) for line in lines]


def _fix(match: re.Match[str]) -> str:
    return _TABLE[ord(match.group())] or ""


def squash(text: str) -> str:
    """Collapse runs of spaces and tabs to one space and strip the ends."""
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """Remove all whitespace: for comparing names and titles written with odd spacing."""
    return "".join(text.split())
