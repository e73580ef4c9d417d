"""Name normalisation for matching organisations and vendors.

`株式会社静岡情報処理センター`, `(株)静岡情報処理センター` and
`静岡情報処理センター` are the same company to a subscriber; so are
`ACMAILER` and `acmailer`. NFKC folds full/half width, casefold folds case,
and legal-form affixes are dropped.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from pathlib import Path

# The legal forms of Japanese bodies, declared once in data/legal_forms.toml: the
# parser recognises names by them and the alerter and the archive compare names without them.
with (Path(__file__).resolve().parent / "data" / "legal_forms.toml").open("rb") as _handle:
    _FORM_SECTORS: dict[str, str] = tomllib.load(_handle)["forms"]
LEGAL_FORMS: tuple[str, ...] = tuple(_FORM_SECTORS)
# Legal form -> the sector code it implies (学校法人 -> education), for the forms that imply one.
LEGAL_FORM_SECTORS: dict[str, str] = {form: code for form, code in _FORM_SECTORS.items() if code}
_LATIN_SUFFIX = re.compile(
    r"[\s,.]+(inc|incorporated|corp|corporation|co|ltd|limited|llc|gmbh|plc|k\.k|kk|co\.,?\s*ltd)\.?$"
)
_SPACES = re.compile(r"[\s\u3000・]+")
_FORMS = "|".join(re.escape(form.casefold()) for form in sorted(LEGAL_FORMS, key=len, reverse=True))  # longest first
_AFFIXES = re.compile(rf"^(?:(?:{_FORMS})\s*)+|(?:\s*(?:{_FORMS}))+$")


@functools.lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """A comparison key: NFKC, casefolded, legal forms and spacing removed.

    Cached: the same organisation and vendor names come back all the time.
    """
    key = unicodedata.normalize("NFKC", name).casefold().strip()
    while True:
        stripped = _LATIN_SUFFIX.sub("", _AFFIXES.sub("", key).strip())
        if stripped == key:
            return _SPACES.sub("", key)
        key = stripped
