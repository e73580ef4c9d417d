"""`jikenbo ingest`: local text and HTML files (archives kept on disk) as raw posts.

A file becomes the raw post `jikenbo parse` reads for it (`document_post`),
titled by its first line, from the feed "ingest" (schemas/raw_post.schema.json).

An archive is someone else's tree: a symbolic link inside it could point at
any file this user can read, so links are never followed (a link to a file
inside the tree would only repeat that file); and one file that is not text
is skipped with its reason, not allowed to stop the run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from schemas.raw_post import document_post, now_iso
from services.common.errors import JikenboError

SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml"}
_ENCODINGS = ("utf-8-sig", "cp932", "euc_jp")  # Japanese archives on disk are often Shift_JIS or EUC-JP

Skip = Callable[[Path, str], None]  # told of each file left out, and why


class Unreadable(JikenboError):
    """One file cannot be ingested (binary, undecodable, too large, unreadable); the others go on."""


def document_paths(paths: Iterable[str], skip: Skip) -> Iterator[Path]:
    """Files as given, and the text/HTML files inside directories, in a stable order.

    Inside a directory, symbolic links (to files or directories) are reported
    to `skip` and not followed; a path named on the command line is taken as
    the user named it.
    """
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            yield from sorted(_tree_files(path, skip))
        elif path.is_file():
            yield path
        else:
            raise JikenboError(f"{raw}: no such file or directory")


def _tree_files(root: Path, skip: Skip) -> Iterator[Path]:
    """Regular text/HTML files under `root`, never through a symbolic link."""
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames.sort()  # a stable order for the warnings too
        for name in dirnames:  # os.walk lists linked directories but does not enter them (followlinks=False)
            if (here / name).is_symlink():
                skip(here / name, "symbolic link to a directory, not followed")
        for name in sorted(filenames):
            path = here / name
            if path.suffix.lower() not in SUFFIXES:
                continue
            if path.is_symlink():
                skip(path, "symbolic link, not followed")
            elif path.is_file():
                yield path


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text in the first encoding that decodes it cleanly; `Unreadable` with the reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Unreadable(f"{size:,} bytes, over fetcher.max_bytes ({max_bytes:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read ({exc.strerror})") from None
    nul = data.find(b"\0")
    if nul >= 0:  # text in these encodings has no NUL; binary files nearly always do
        raise Unreadable(f"binary file (NUL byte at offset {nul})")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("not UTF-8, Shift_JIS or EUC-JP text")


def post_for_file(path: Path, max_bytes: int) -> dict[str, Any]:
    """A raw post for one local document, keyed by its absolute path."""
    resolved = path.resolve()
    return document_post(str(resolved), read_text(resolved, max_bytes), feed="ingest", title=None, fetched_at=now_iso())


def posts_for_paths(paths: Iterable[str], max_bytes: int, skip: Skip) -> list[dict[str, Any]]:
    """Raw posts for every file `document_paths` finds; each file that cannot be read goes to `skip`."""
    posts = []
    for path in document_paths(paths, skip):
        try:
            posts.append(post_for_file(path, max_bytes))
        except Unreadable as exc:
            skip(path, str(exc))
    return posts

