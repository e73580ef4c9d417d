"""HTML to plain text that keeps paragraph breaks (the parser splits on them)."""

from __future__ import annotations

import hashlib
import re

from selectolax.lexbor import LexborHTMLParser

_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "ul", "ol", "section", "article", "header", "footer", "hr", "dd", "dt",
)
_CELL_TAGS = ("td", "th")
_TAG_HINT = re.compile(r"<\s*(?:p|div|br|span|a|table|li|h[1-6]|img|b|strong)\b[^>]*>", re.IGNORECASE)
_TRAILING = " \t\u3000\xa0"
_BLANKS = re.compile(r"\n{3,}")


def looks_like_html(content: str) -> bool:
    """True when `content` has real HTML tags rather than text with a stray '<'."""
    return bool(_TAG_HINT.search(content[:20000]))


def html_to_text(html: str) -> str:
    """Render HTML as text: block elements become line breaks, runs of blank lines one."""
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
