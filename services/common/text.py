"""HTML to plain text that keeps paragraph breaks (the parser splits on them).

Linear in the size of the HTML: lexbor builds the tree, but the HTML tree
builder looks down the stack of open elements at each block start tag, which
makes thousands of nested <div>s quadratic (64,000 took 10 s). A document
nested deeper than any page a person writes is rendered by a flat tag
stripper instead, with the same line-break rules.
"""

from __future__ import annotations

import hashlib
import html as html_entities
import re

from selectolax.lexbor import LexborHTMLParser

_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "ul", "ol", "section", "article", "header", "footer", "hr", "dd", "dt",
)
_CELL_TAGS = ("td", "th")
_TAG_HINT = re.compile(r"<\s*(?:p|div|br|span|a|table|li|h[1-6]|img|b|strong)\b[^<>]*>", re.IGNORECASE)
# A tag; [^<>] never runs into the next tag, so a scan with it stays linear.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*>")
_RAW_TEXT = re.compile(r"<(script|style|noscript|template)\b[^<>]*>", re.IGNORECASE)
# Elements that never nest (void) or that a start tag of their own kind closes add no depth;
# the scan skips their tags inside the regex engine (most tags of a post are <p>, <br>, <td>).
_NO_DEPTH = (
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "rb", "rt", "rp",
)
_DEPTH_TAG = re.compile(r"<(/?)(?!(?:" + "|".join(_NO_DEPTH) + r")[\s/>])[A-Za-z][A-Za-z0-9]*[^<>]*>", re.IGNORECASE)
MAX_DEPTH = 256  # nesting of a real page stays far below; beyond it, the flat renderer
_TRAILING = " \t\u3000\xa0"
_BLANKS = re.compile(r"\n{3,}")


def looks_like_html(content: str) -> bool:
    """True when `content` has real HTML tags rather than text with a stray '<'."""
    return bool(_TAG_HINT.search(content[:20000]))


def html_to_text(html: str) -> str:
    """Render HTML as text: block elements become line breaks, runs of blank lines one."""
    if nesting_exceeds(html, MAX_DEPTH):
        return tidy(_flat_text(html))
    tree = LexborHTMLParser(html)
    for tag in ("script", "style", "noscript", "template"):
        for node in tree.css(tag):
            node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    for tag in _CELL_TAGS:  # "<td>2</td><td>100件</td>" reads "2 | 100件", never "2100件"
        for node in root.css(tag):
            node.insert_after(" | ")
    for tag in _BLOCK_TAGS:
        for node in root.css(tag):
            if tag == "br":
                node.replace_with("\n")
            else:
                node.insert_before("\n\n")
                node.insert_after("\n\n")
    return tidy(root.text(deep=True, separator=""))


def nesting_exceeds(html: str, limit: int) -> bool:
    """True when elements nest more than `limit` deep (an upper bound: an element left
    unclosed counts as open to the end)."""
    if html.count("<") <= limit:
        return False  # fewer tags than the limit cannot nest that deep
    depth = 0
    for tag in _DEPTH_TAG.finditer(html):
        if tag.group(1):
            depth = max(0, depth - 1)
        elif not tag.group().endswith("/>"):
            depth += 1
            if depth > limit:
                return True
    return False


def _flat_text(html: str) -> str:
    """Text of HTML without building a tree: raw-text elements dropped, block tags as
    blank lines, <br> as a line feed, cells separated as by html_to_text; linear."""
    kept: list[str] = []
    lowered = html.lower()
    position = 0
    for opener in _RAW_TEXT.finditer(html):
        if opener.start() < position:
            continue  # inside the raw text of an earlier element
        kept.append(html[position:opener.start()])
        close = lowered.find(f"</{opener.group(1).lower()}", opener.end())
        if close < 0:
            position = len(html)
            break
        end = html.find(">", close)
        position = len(html) if end < 0 else end + 1
    kept.append(html[position:])
    return html_entities.unescape(_TAG.sub(_tag_text, "".join(kept)))


def _tag_text(tag: re.Match[str]) -> str:
    name = tag.group(2).lower()
    if name == "br":
        return "\n"
    if name in _CELL_TAGS:
        return " | " if tag.group(1) else ""
    return "\n\n" if name in _BLOCK_TAGS else ""


def tidy(text: str) -> str:
    """Normalise line ends and blank runs without touching the words.

    Trailing spaces go line by line (str.rstrip): a regex for "spaces before a line
    feed" backtracks quadratically on a long run of spaces with no line feed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip(_TRAILING) for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def to_text(content: str) -> str:
    """Plain text of a post body, whether it is HTML or already text."""
    return html_to_text(content) if looks_like_html(content) else tidy(content)


def content_hash(*parts: str) -> str:
    """A short, stable hash of the parts that define a post's version."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]
