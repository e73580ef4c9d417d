"""Name normalisation for matching organisations and vendors.

`株式会社静岡情報処理センター`, `(株)静岡情報処理センター` and
`静岡情報処理センター` are the same company to a subscriber; so are
`ACMAILER` and `acmailer`. NFKC folds full/half width, casefold folds case,
and legal-form affixes are dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The legal forms of Japanese bodies, declared once: the parser recognises names
# by them and the alerter compares names without them.
LEGAL_FORMS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "公益社団法人",
    "一般財団法人", "公益財団法人", "社会福祉法人", "社会医療法人", "医療法人社団", "医療法人財団", "医療法人",
    "学校法人", "国立大学法人", "公立大学法人", "独立行政法人", "地方独立行政法人",
    "国立研究開発法人", "特定非営利活動法人", "NPO法人", "生活協同組合", "農業協同組合", "漁業協同組合", "(株)", "(有)", "(同)", "(一社)", "(公社)",
    "(一財)", "(公財)", "(医)", "(学)", "(独)",
)
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
