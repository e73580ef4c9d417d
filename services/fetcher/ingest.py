"""`jikenbo ingest`: local text and HTML files (archives kept on disk) as raw posts.

The post shape is the parser's own `post_from_document`, so `jikenbo parse`
and the pipeline see the same post for the same file; the feed is "ingest"
(schemas/raw_post.schema.json) and the origin "backfill".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from services.common.errors import JikenboError
from services.common.text import looks_like_html
from services.fetcher.feeds import now_iso

SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml"}
_ENCODINGS = ("utf-8-sig", "cp932", "euc_jp")  # Japanese archives on disk are often Shift_JIS or EUC-JP


def document_paths(paths: Iterable[str]) -> Iterator[Path]:
    """Files as given, and the text/HTML files inside directories, in a stable order."""
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            yield path
        else:
            raise JikenboError(f"{raw}: no such file or directory")


def read_text(path: Path) -> str:
    """The file's text in the first encoding that decodes it cleanly."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JikenboError(f"{path}: cannot read ({exc.strerror})") from None
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise JikenboError(f"{path}: not UTF-8, Shift_JIS or EUC-JP text")


def post_for_file(path: Path) -> dict[str, Any]:
    """A raw post for one local document, keyed by its absolute path."""
    from services.parser.offline import post_from_document  # the parser's shape; imported late, it is heavy

    resolved = path.resolve()
    text = read_text(resolved)
    post = post_from_document(str(resolved), text)
    title = next((line.strip() for line in post["text"].splitlines() if line.strip()), "")
    return {
        **post,
        "feed": "ingest",
        "title": title[:300],
        "content_type": "html" if looks_like_html(text) else "text",
        "fetched_at": now_iso(),
        "origin": "backfill",
    }
