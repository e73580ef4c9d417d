"""What a feed document must not contain before any XML parser sees it.

Entity expansion (billion laughs) and external entities (XXE) need a
declaration, so a document that declares an entity anywhere, or a DTD of its
own (a DOCTYPE with an internal subset), is refused whole; an external DOCTYPE
in the prolog, common on old RSS feeds, is cut out. The scan is a few linear
passes over the bytes, never a parse.

Scanning bytes for `<!ENTITY` only works when the parsers will read `<` as
the byte `<`: UTF-16 and UTF-32 (with or without a byte-order mark) are
re-encoded as UTF-8 first, and a document whose declared encoding hides ASCII
(UTF-7, EBCDIC) is refused.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from services.fetcher.errors import FeedError

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_SNIFF = 4096  # bytes looked at to tell a wide encoding without a mark
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_SPACES = re.compile(rb"\s*")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_ENCODING_VALUE = re.compile(r"^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]{1,40})([\"'])")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A DOCTYPE up to its end or the start of an internal subset; the class stops at both,
# so each match ends where the next search starts and the scan stays linear.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*[\[>]?", re.IGNORECASE)
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


class Defused(NamedTuple):
    """The body a parser may read, and whether it was re-encoded as UTF-8 (its charset changed)."""

    body: bytes
    transcoded: bool


def defuse(body: bytes, charset: str | None = None) -> Defused:
    """The body with no DTD, as UTF-8 if it came in UTF-16/32; `FeedError` when it declares
    entities or a DTD, or when `charset` (from Content-Type) or its own declaration names
    an encoding in which `<` is not the byte `<`."""
    wide = wide_encoding(body)
    if wide is not None:
        body = _to_utf8(body, wide)
    elif charset is not None:
        _check_ascii_compatible(charset, "the Content-Type header")
    declared = _DECLARED.match(body.removeprefix(codecs.BOM_UTF8))
    if declared is not None and wide is None:
        _check_ascii_compatible(declared.group(1).decode("ascii"), "its XML declaration")
    entity = _ENTITY.search(body)
    if entity is not None:
        raise FeedError(f"feed declares XML entities (<!ENTITY at byte {entity.start()}); refused to protect memory")
    prolog_end = _prolog_end(body)
    cut: tuple[int, int] | None = None
    for doctype in _DOCTYPE.finditer(body):
        if doctype.group().endswith(b"["):
            raise FeedError(f"feed declares a DTD of its own (DOCTYPE with an internal subset at byte {doctype.start()}); "
                            "refused to protect memory")
        if doctype.start() == prolog_end and cut is None:
            cut = doctype.span()
    if cut is not None:  # an external DOCTYPE: its DTD is never fetched; it goes so no parser tries
        body = body[:cut[0]] + body[cut[1]:]
    return Defused(body, wide is not None)


def wide_encoding(body: bytes) -> str | None:
    """UTF-16 or UTF-32 (which byte order) from the byte-order mark or, without one, from
    where the NUL bytes of the first characters fall; None for byte-oriented encodings.
    A document with NUL bytes that is neither is refused: XML allows no NUL character."""
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name
    head = body[:_SNIFF]
    if b"\x00" not in head:
        return None
    for name in _WIDE:
        unit = 4 if "32" in name else 2
        try:
            text = head[: len(head) - len(head) % unit].decode(name)
        except UnicodeDecodeError:
            continue
        if text.lstrip(" \t\r\n").startswith("<"):
            return name
    raise FeedError("feed has NUL bytes but is neither UTF-16 nor UTF-32; refused")


def _to_utf8(body: bytes, encoding: str) -> bytes:
    """A wide document as UTF-8, its mark dropped and its declaration saying so."""
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FeedError(f"feed looks like {encoding.upper()} but does not decode at byte {exc.start}; refused") from None
    text = _ENCODING_VALUE.sub(r"\g<1>utf-8\g<3>", text.removeprefix("\ufeff"), count=1)
    return text.encode("utf-8")


def _check_ascii_compatible(name: str, where: str) -> None:
    """Refuse an encoding in which printable ASCII bytes do not read as themselves: there
    markup could be spelled in other bytes the scan does not see (UTF-7's "+ADw-" is "<",
    HZ shifts with "~{", EBCDIC moves every letter). An unknown name is left to the
    parsers, which refuse it themselves."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return
    try:
        compatible = _PRINTABLE_ASCII.decode(codec.name) == _PRINTABLE_ASCII.decode("ascii")
    except UnicodeError:
        compatible = False
    if not compatible:
        raise FeedError(f"feed is declared as {name} in {where}, an encoding jikenbo does not read safely; refused")


def _prolog_end(body: bytes) -> int:
    """Where the prolog's declaration, comments and processing instructions end,
    however long they are (a padded prolog must not hide a DOCTYPE)."""
    position = 3 if body.startswith(codecs.BOM_UTF8) else 0
    while (item := _PROLOG_ITEM.match(body, position)) is not None:
        position = item.end()
    spaces = _SPACES.match(body, position)
    return spaces.end() if spaces else position
