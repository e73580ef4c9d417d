"""The parser's worker process: a post that kills it becomes a dead letter, the rest parse."""

from __future__ import annotations

import os
import time

from services.common import serde
from services.parser.agent import ParseProcess, handle_batch
from services.parser.handling import Handled


def crash_on_poison(values: list[bytes]) -> list[Handled]:
    """Like handle_batch, but the process dies outright on a post whose text is 'poison'."""
    if any(b'"poison"' in value for value in values):
        os._exit(1)
    return handle_batch(values)


def stall_on_molasses(values: list[bytes]) -> list[Handled]:
    """Like handle_batch, but hangs where no deadline can reach on a post whose text is 'molasses'."""
    if any(b'"molasses"' in value for value in values):
        time.sleep(3600)
    return handle_batch(values)


def post(text: str) -> bytes:
    return serde.dumps({"post_id": text, "title": "", "text": text})


async def test_a_post_that_kills_the_process_is_dead_lettered_and_the_batch_goes_on() -> None:
    parse = ParseProcess(crash_on_poison)
    try:
        good = "【セキュリティ事件簿#2025-001】株式会社テスト 不正アクセスに関するお知らせ 2025/1/1\n\n当社サーバが不正アクセスを受けたことが判明しました。"
        results = await parse([post(good), post("poison"), post(good)])
        again = await parse([post(good)])
    finally:
        parse.close()
    assert [r.dead_letter is None for r in results] == [True, False, True]
    assert results[1].dead_letter is not None and "process died" in results[1].dead_letter["reason"]
    assert len(results[0].incidents) == 1 and results[0].incidents[0]["case_id"] == "2025-001"
    assert len(again[0].incidents) == 1, "a fresh process serves the next batch"


async def test_a_post_that_stalls_the_process_is_killed_dead_lettered_and_the_batch_goes_on() -> None:
    parse = ParseProcess(stall_on_molasses, post_deadline=0.5, grace=3.0)
    try:
        good = "【セキュリティ事件簿#2025-002】株式会社テスト 不正アクセスに関するお知らせ 2025/1/1\n\n当社サーバが不正アクセスを受けたことが判明しました。"
        started = time.monotonic()
        results = await parse([post(good), post("molasses"), post(good)])
        elapsed = time.monotonic() - started
    finally:
        parse.close()
    assert [r.dead_letter is None for r in results] == [True, False, True]
    assert results[1].dead_letter is not None and "stalled on this post" in results[1].dead_letter["reason"]
    assert elapsed < 30, f"took {elapsed:.1f}s"
