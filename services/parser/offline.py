"""`jikenbo parse`: files in, JSON Lines out, through the agent's own code path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

from schemas.raw_post import document_post
from services.common import serde
from services.common.config import ParserConfig
from services.common.errors import JikenboError
from services.parser.explain import explain as explain_result
from services.parser.deadline import PostRefused
from services.parser.handling import incidents_from_post


def read_document(path: str) -> str:
    """Read a file (or stdin for '-') as UTF-8, with a clear error if it is not."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise JikenboError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JikenboError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def parse_paths(paths: Iterable[str], include_all: bool = False, explain: bool = False,
                limits: ParserConfig = ParserConfig(), refused: Callable[[str, str], None] | None = None) -> Iterator[str]:
    """JSON lines for every incident (and, with include_all, non-incident) in the files;
    with `explain`, a readable block per result with the evidence of every field.
    A file over the parser's limits is reported to `refused(path, reason)` (or raised)
    and the other files go on, as the agent dead-letters such a post and goes on."""
    for path in paths:
        post = document_post(path, read_document(path))
        try:
            results = incidents_from_post(post, include_non_incidents=include_all, limits=limits)
        except PostRefused as exc:
            if refused is None:
                raise JikenboError(f"{path}: {exc}") from None
            refused(path, str(exc))
            continue
        if explain:
            yield f"== {path}: {sum(r.get('kind') == 'incident' for r in results)} incident(s)\n"
            for number, result in enumerate(results, 1):
                yield explain_result(result, number, len(results))
            continue
        for result in results:
            yield serde.dumps(result).decode("utf-8")
