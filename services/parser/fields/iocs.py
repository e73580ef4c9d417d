"""Indicators of compromise: IPv4/IPv6, domains, URLs, e-mail addresses, bitcoin, hashes.

Defanged forms are refanged (hxxp, [.], (.), [dot], [:], [@]). The text is first cut
into Latin tokens with one possessive regex, and each token (at most 2 KB) is
classified with anchored patterns, so no pattern can backtrack over a long run
of characters (1 MB of "a" costs one linear scan).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

# Candidate tokens are runs of URL-ish characters, read with one possessive character
# class (each character is looked at once: linear time even on 1 MB of one
# character); a run is kept when it holds ".", ":" or "@" (addresses, URLs, domains,
# e-mail) or is long (hashes, bitcoin).
# Runs shorter than 4 characters are never indicators and are not even extracted. The
# first character is spelled out so the engine skips ahead to a candidate character
# (a pattern opening with a repeat is tried at every position of the text).
_URLISH = r"[A-Za-z0-9_\-/\[\]()%?=&#~+!*$,;{}.:@]"
_TOKEN = re.compile(rf"{_URLISH}{_URLISH}{{3,}}+")
_MAX_TOKEN = 2048
_DEFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":"),
           ("[@]", "@"), ("[at]", "@"), ("(at)", "@"), ("[/]", "/"), ("[://]", "://"))
_HXXP = re.compile(r"^h[xX]{2}p(s?)", re.IGNORECASE)
_URL = re.compile(r"^(?:https?|ftp)://[^\s<>\"]+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}$")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}(?P<tld>[A-Za-z]{2,24})$")
_IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_BTC_LEGACY = re.compile(r"^[13][1-9A-HJ-NP-Za-km-z]{25,34}$")
_BTC_BECH32 = re.compile(r"^bc1[02-9ac-hj-np-z]{11,71}$")
_TRAIL = ".,;:!?)]}*'\"([{"
_LEAD = "([{)]},;:!?*"
_TLDS = frozenset(
    "com net org jp io co info biz me xyz top site online app dev ru cn kr tw hk uk de fr nl eu us ca au in br "
    "club shop store live tech cc tv ws pw su to ly gl link click work cloud page icu vip win bid loan ".split()
)
_HASH_KIND = {32: "md5", 40: "sha1", 64: "sha256"}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def refang(token: str) -> str:
    """The usable form of a defanged indicator (hxxp://a[.]b -> http://a.b)."""
    if "[" in token or "(" in token or "{" in token:  # where every defanged mark starts
        for old, new in _DEFANG:
            if old in token:
                token = token.replace(old, new)
    return _HXXP.sub(lambda m: "http" + m.group(1), token) if token[:1] in ("h", "H") else token


def _base58check(address: str) -> bool:
    number = 0
    for char in address:
        number = number * 58 + _B58.index(char)
    raw = number.to_bytes(25, "big") if number.bit_length() <= 200 else b""
    return len(raw) == 25 and hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def _looks_random(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isupper() for c in token) and any(c.islower() for c in token)


def _classify(token: str) -> tuple[str, str] | None:
    if _URL.match(token):
        return "url", token
    if "@" in token:
        return ("email", token) if _EMAIL.match(token) else None
    if _IPV4.match(token):
        host = token.split(":")[0]
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return None
        return "ipv4", host
    if token.count(":") >= 2 and "::" in token or token.count(":") >= 7:
        try:
            return "ipv6", str(ipaddress.IPv6Address(token))
        except ValueError:
            return None
    if len(token) in _HASH_KIND and _HEX.match(token) and any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        return _HASH_KIND[len(token)], token.lower()
    if _BTC_BECH32.match(token) or (_BTC_LEGACY.match(token) and (_base58check(token) or _looks_random(token))):
        return "bitcoin", token
    match = _DOMAIN.match(token)
    if match and match.group("tld").lower() in _TLDS and not token[0].isdigit():
        return "domain", token.lower()
    return None


def extract_iocs(text: str) -> list[dict[str, str]]:
    """Indicators in order of first appearance, deduplicated."""
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    candidates = [token for token in _TOKEN.findall(text)
                  if len(token) <= _MAX_TOKEN and ("." in token or ":" in token or "@" in token or len(token) >= 24)]
    for token in candidates:
        token = token.lstrip(_LEAD)
        token = refang(token)
        while token and token[-1] in _TRAIL:  # punctuation glued to the end, unless a balanced ")"
            if token[-1] == ")" and token.count("(") >= token.count(")"):
                break
            token = token[:-1]
        result = _classify(token)
        if result and result not in seen:
            seen.add(result)
            found.append({"type": result[0], "value": result[1]})
    return found
