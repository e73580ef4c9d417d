"""Authorities the incident was reported to (個人情報保護委員会, 警察, IPA, JPCERT/CC …).

Every mention counts except advice to the reader ("お近くの警察署にご連絡ください").
Latin aliases (IPA, PPC, NISC) must stand as whole words.
"""

from __future__ import annotations

import functools
import re

from services.parser.fields import lexicon
from services.parser.resources import data

_READER_ADVICE = re.compile(r"お近くの|最寄りの|ご相談ください|ご連絡ください|ご連絡いただ|お問い?合わせください|ご相談いただ")


@functools.cache
def _keys() -> dict[str, tuple[str, str]]:
    return {alias: (canonical, alias) for canonical, aliases in data("authorities").items() for alias in aliases}


lexicon.register("authority", _keys)


def extract_authorities(text: str, hits: lexicon.Hits | None = None) -> list[str]:
    """Canonical authority names in order of first mention."""
    if hits is None:
        hits = lexicon.scan(text)
    found: list[str] = []
    for end_index, (canonical, alias) in hits.get("authority", ()):
        if canonical in found:
            continue
        end = end_index + 1
        start = end - len(alias)
        if alias.isascii() and not lexicon.whole_word(text, start, end):
            continue
        window = text[max(0, start - 12):end + 30]
        cut = window.find("。", 12 + len(alias))
        if _READER_ADVICE.search(window if cut < 0 else window[:cut]):
            continue
        found.append(canonical)
    return found
