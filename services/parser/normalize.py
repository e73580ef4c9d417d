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

# Zero-width and soft characters that break keyword matches; mapped away after NFKC.
_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Dash and tilde look-alikes that NFKC leaves alone.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2015": "-", "\u2212": "-", "\u301c": "~", "\uff5e": "~", "\r": " "})
_SPACES = re.compile(r"[ \t\u00a0]+")
# Circled numbers are list markers; NFKC would turn "②3378件" into "23378件".
_CIRCLED = re.compile("[\u2460-\u2473\u24ea\u2776-\u277f\u24eb-\u24f4]")
_CIRCLED_VALUE = {**{chr(0x2460 + i): i + 1 for i in range(20)}, "\u24ea": 0,
                  **{chr(0x2776 + i): i + 1 for i in range(10)}, **{chr(0x24EB + i): i + 11 for i in range(10)}}


def normalize(text: str) -> str:
    """NFKC plus a few look-alike fixes; preserves the number of line feeds."""
    if _CIRCLED.search(text):
        text = _CIRCLED.sub(lambda m: f"({_CIRCLED_VALUE[m.group()]}) ", text)
    return unicodedata.normalize("NFKC", text).translate(_DROP).translate(_DASHES)


def normalize_lines(text: str) -> tuple[list[str], list[str]]:
    """(original lines, normalised lines), paired index by index."""
    raw = text.split("\n")
    norm = normalize(text).split("\n")
    if len(norm) != len(raw):  # defensive: never expected with NFKC
        norm = [normalize(line) for line in raw]
    return raw, norm


def squash(text: str) -> str:
    """Collapse runs of spaces and tabs to one space and strip the ends."""
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """Remove all whitespace: for comparing names and titles written with odd spacing."""
    return "".join(text.split())
