"""Hostile and broken inputs through the fetcher and the parser.

Fetcher: each case is a feed on a local server, polled by the real fetcher
service (in this process) with short timeouts and a 4 MB cap. Every poll must
end within its timeout, as a clear per-feed error (the `poll failed` log line
and `FeedState.last_error`) or as posts published, never as an exception that
would take the fetcher down.

Parser: the posts those feeds published, plus raw messages a broken producer
could write, go through a real parser process. It must stay up, keep up, and
turn each bad message into a dead-letter record that says why; a post over
its limits ([parser] max_post_chars, max_incidents) is expected as such a
dead letter (with the first max_incidents incidents published), and counts
as handled, not lost.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import random
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer

from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.config import ParserConfig
from services.common.kafka import caught_up, committed_offsets, end_offsets
from services.common.topics import Topics
from services.demo.feed import atom_entry
from tests.faults.harness import atom_document, rng_for, summary
from tests.feed_server import FeedServer, Harness
from tests.kafka_helpers import read_topic
from tests.processes import service_env, start, stop

pytestmark = [pytest.mark.integration, pytest.mark.faults]

CAP = 6 * 1024 * 1024
READ_TIMEOUT = 1.0
TOTAL_TIMEOUT = 3.0
H1 = "【セキュリティ事件簿#2024-901】株式会社アドバーサリ 不正アクセスによる情報漏えいについて 2024年5月1日\n"
H2 = "\n【セキュリティ事件簿#2024-902】株式会社ファズ ランサムウェア被害のお知らせ 2024年5月2日\n委託先サーバが暗号化されました。\n"
PREFIX = "【セキュリティ事件簿#2024-903】"  # a header's prefix, where the splitter's patterns start to match
LIMITS = ParserConfig()  # the parser process runs with the defaults
# The fetcher turns the HTML of these into text in linear time: each poll within TEXT_BUDGET seconds
# (before, 64,000 nested divs took 10 s and 5 MB of spaces over a minute, holding the event loop).
HOSTILE_TEXT = {"deeply-nested-html", "40000-spaces-after-header-prefix", "5mb-of-spaces-after-header-prefix"}
TEXT_BUDGET = 8.0  # with 39 polls at once, a parse may wait for a thread behind the 10,000-entry feed
WHEN = __import__("datetime").datetime(2024, 5, 3, tzinfo=__import__("datetime").timezone.utc)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def post_id(n: str) -> str:
    return f"tag:blogger.com,1999:blog-9.post-{n}"


def entry(n: str, body_html: str, title: str = "記事") -> str:
    return atom_entry(post_id(n), title, body_html, WHEN, f"https://adv.invalid/{n}")


def feed(*entries: str) -> bytes:
    return atom_document(list(entries), {})


def fixed(body: bytes, status: int = 200, content_type: str = "application/atom+xml", headers: dict[str, str] | None = None) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, headers={"Content-Type": content_type, **(headers or {})})

    return handle


def streamed(chunks: int, size: int, pause: float = 0.0) -> Handler:
    """A body of `chunks` x `size` bytes with no Content-Length, optionally one chunk every `pause` s."""

    async def handle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/atom+xml"})
        await response.prepare(request)
        try:
            await response.write(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>")
            for _ in range(chunks):
                if pause:
                    await asyncio.sleep(pause)
                await response.write(b"<!--" + b"x" * size + b"-->")
        except (ConnectionError, RuntimeError):
            pass  # the fetcher gave up and hung up: as it should
        return response

    return handle


def stalling(before_headers: bool) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if before_headers:
            await asyncio.sleep(6)
            return web.Response(body=feed())
        response = web.StreamResponse(headers={"Content-Type": "application/atom+xml"})
        await response.prepare(request)
        await response.write(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>")
        await asyncio.sleep(6)
        return response

    return handle


def redirect(to: Callable[[web.Request], str]) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        raise web.HTTPFound(to(request))

    return handle


LAUGHS = (
    "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
    + "".join(f"<!ENTITY lol{i} '{('&lol' + str(i - 1 or '') + ';') * 10}'>" for i in range(1, 10))
    + "]><feed xmlns='http://www.w3.org/2005/Atom'><title>&lol9;</title></feed>"
).encode()
XXE = (
    b"<?xml version='1.0'?>\n<!DOCTYPE feed [\n  <!ENTITY xxe SYSTEM 'file:///etc/passwd'>\n]>\n"
    b"<feed xmlns='http://www.w3.org/2005/Atom'><title>&xxe;</title></feed>"
)


def cases(rng: random.Random) -> dict[str, tuple[Handler, str]]:
    """name -> (how the server answers, what the poll must come to).

    The expectation is `error:<text in the reason>`, `posts:<n>` (published, parsed
    downstream), `warning:<text>` (published what could be recovered, with a warning)
    or `dead:<text>` (one post published, its entry named after the case, and
    dead-lettered by the parser with that text in the reason).
    """

    def utf8_entry(case: str) -> str:  # each case its own post: the same post again would be "unchanged"
        return entry(case, "<p>" + H1 + "サーバへの不正アクセス</p>")

    def sjis_bytes(case: str) -> bytes:
        return feed(utf8_entry(case)).replace(b"encoding='UTF-8'", b"").decode().encode("shift_jis", "replace")

    nested = "<div>" * 50_000 + H1 + "</div>" * 50_000
    huge_line = "<p>" + H1.strip() + "。" + "情報" * 495_000 + "</p>"  # 3 MB, no line break, just under max_post_chars
    many = "".join(f"<p>【セキュリティ事件簿#2024-{i:04d}】株式会社メニー{i} 不正アクセスについて 2024年1月1日</p><p>本文{i}</p>" for i in range(300))
    laughs_body = LAUGHS.split(b"?>", 1)[1]
    return {
        # Broken XML and encodings
        "malformed-xml": (fixed(feed(utf8_entry("malformed"), entry("t", "<p>二件目</p>"))[:-400]), "warning:malformed feed"),
        "unclosed-tags": (fixed(b"<feed><entry><title>x</feed>"), "warning:malformed feed"),
        "header-sjis-body-utf8": (fixed(feed(utf8_entry("hs")), content_type="application/atom+xml; charset=Shift_JIS"), "posts:1"),
        "prolog-sjis-body-utf8": (fixed(feed(utf8_entry("ps")).replace(b"encoding='UTF-8'", b"encoding='Shift_JIS'")), "posts:1"),
        "prolog-utf8-body-sjis": (fixed(b"<?xml version='1.0' encoding='UTF-8'?>" + sjis_bytes("pu").split(b"?>", 1)[1]), "posts:1"),
        "header-eucjp-prolog-sjis": (
            fixed(sjis_bytes("he").replace(b"<?xml version='1.0'", b"<?xml version='1.0' encoding='Shift_JIS'"),
                  content_type="application/atom+xml; charset=EUC-JP"), "posts:1",
        ),
        "invalid-utf8-in-content": (fixed(feed(entry("bad", "<p>" + H1 + "XXXX</p>")).replace(b"XXXX", b"\xff\xfe\xc3(")), "posts:1"),
        # XML allows no NUL; NUL bytes are also how UTF-16 without a mark is told, so a feed with them is refused
        "nul-bytes-in-content": (fixed(feed(entry("nul", "<p>" + H1 + "ZZZ</p>")).replace(b"ZZZ", b"\x00\x00\x00")), "error:NUL bytes"),
        "binary-garbage": (fixed(bytes(rng.getrandbits(8) for _ in range(65536)), content_type="application/octet-stream"), "error:"),
        "json-instead-of-feed": (fixed(b'{"items": [1, 2, 3]}', content_type="application/json"), "error:not a readable feed"),
        "html-page": (fixed(b"<!DOCTYPE html><html><head><title>Blog</title></head><body>hi</body></html>", content_type="text/html"),
                      "error:got an HTML page"),
        # XML bombs
        "billion-laughs": (fixed(LAUGHS), "error:declares XML entities"),
        "one-line-doctype-bomb": (fixed(LAUGHS.replace(b"<?xml version='1.0'?>", b"")), "error:declares XML entities"),
        "xxe-file": (fixed(XXE), "error:declares XML entities"),
        "doctype-after-100kb-of-comments": (
            fixed(b"<?xml version='1.0'?>" + b"<!--" + b"c" * 100_000 + b"-->" + LAUGHS.split(b"?>", 1)[1]), "error:declares XML entities",
        ),
        "utf16-doctype-bomb": (fixed(LAUGHS.decode().replace("<?xml version='1.0'?>", "").encode("utf-16")), "error:declares XML entities"),
        "utf16-without-bom-doctype-bomb": (fixed(laughs_body.decode().encode("utf-16-le")), "error:declares XML entities"),
        "decoy-doctype-then-entities": (
            fixed(b"<?xml version='1.0'?><!DOCTYPE feed SYSTEM 'http://decoy.invalid/feed.dtd'><!--" + b"c" * 100_000 + b"-->" + laughs_body),
            "error:declares XML entities",
        ),
        # Sizes
        "huge-declared-length": (fixed(b" " * (CAP + 1024)), "error:byte cap"),
        "huge-chunked": (streamed(120, 64 * 1024), "error:byte cap"),
        "gzip-bomb": (fixed(gzip.compress(b"<!--" + b" " * 50_000_000 + b"-->"), headers={"Content-Encoding": "gzip"}), "error:byte cap"),
        "10000-entries": (fixed(feed(*(entry(f"m{i}", f"<p>お知らせ {i}</p>", f"お知らせ {i}") for i in range(10000)))), "posts:10000"),
        "gigantic-single-line": (fixed(feed(entry("line", huge_line))), "posts:1"),
        "deeply-nested-html": (fixed(feed(entry("nest", nested))), "posts:1"),
        "1mb-repeated-char-between-headers": (fixed(feed(entry("regex", "<p>" + H1 + "あ" * 990_000 + H2 + "</p>"))), "posts:1"),
        "40000-spaces-after-header-prefix": (fixed(feed(entry("spaces", "<p>" + PREFIX + " " * 40_000 + "株式会社スペース</p>"))), "posts:1"),
        # Over the parser's limits: published by the fetcher, dead-lettered by the parser with the reason
        "5mb-of-spaces-after-header-prefix": (
            fixed(feed(entry("5mb-of-spaces-after-header-prefix", "<p>" + PREFIX + " " * 5_000_000 + "株式会社スペース</p>"))),
            "dead:over parser.max_post_chars",
        ),
        "300-incidents-in-one-post": (fixed(feed(entry("300-incidents-in-one-post", many))), "dead:over parser.max_incidents"),
        # HTTP behaviour
        "empty-200": (fixed(b""), "error:empty response body"),
        "http-204": (fixed(b"", status=204), "error:empty response body"),
        "http-404": (fixed(b"not here", status=404, content_type="text/plain"), "error:HTTP 404"),
        "http-500": (fixed(b"oops", status=500, content_type="text/plain"), "error:HTTP 500"),
        "http-429-retry-after": (fixed(b"", status=429, headers={"Retry-After": "120"}), "error:retry after 120s"),
        "endless-redirects": (redirect(lambda r: f"/c/endless-redirects?n={int(r.query.get('n', '0')) + 1}"), "error:more than 5 redirects"),
        "redirect-loop": (redirect(lambda r: "/c/redirect-loop" if r.query.get("b") else "/c/redirect-loop?b=1"), "error:redirect loop"),
        "redirect-to-file-url": (redirect(lambda r: "file:///etc/passwd"), "error:only http and https"),
        "stall-before-headers": (stalling(before_headers=True), "error:read timeout"),
        "stall-mid-body": (stalling(before_headers=False), "error:read timeout"),
        "trickle-past-total-timeout": (streamed(40, 10, pause=0.4), f"error:longer than {TOTAL_TIMEOUT:g}s in total"),
    }


# Raw messages a broken or hostile producer could put on the raw-posts topic: key -> (value, dead-letter reason or None).
RAW_MESSAGES: dict[str, tuple[bytes, str | None]] = {
    "raw-not-json": (b"\x89PNG\r\n\x1a\n binary", "undecodable message"),
    "raw-json-array": (b"[1, 2, 3]", "expected a JSON object"),
    "raw-json-null": (b"null", "expected a JSON object"),
    "raw-empty-value": (b"", "undecodable message"),
    "raw-invalid-utf8": (b'{"post_id": "x", "text": "\xff\xfe\xfd"}', "undecodable message"),
    "raw-no-text": (b'{"post_id": "x", "title": "t"}', "no 'text' field"),
    "raw-text-not-a-string": (b'{"post_id": "x", "text": 12345}', "no 'text' field"),
    "raw-nested-json": (b"[" * 100_000 + b"]" * 100_000, "undecodable message"),
    "raw-2000-headers": (serde.dumps({"post_id": "h", "title": "", "text": "".join(
        f"【セキュリティ事件簿#2024-{i:04d}】株式会社ヘッダ{i} 不正アクセスについて 2024年1月1日\n本文{i}\n" for i in range(2000))}),
        "over parser.max_incidents"),
    "raw-nul-bytes": (serde.dumps({"post_id": "n", "title": "", "text": H1 + "\x00" * 10_000 + H2}), None),
    "raw-5mb-single-line": (serde.dumps({"post_id": "l", "title": "", "text": "x" * 5_000_000}), "over parser.max_post_chars"),
    "raw-990k-newlines-between-headers": (serde.dumps({"post_id": "r", "title": "", "text": H1 + "\n" * 990_000 + H2}), None),
    # Ordinary, ideographic and EM spaces, tabs and vertical tabs (NFKC and the clean-up turn them all into spaces)
    "raw-40000-mixed-spaces-after-header-prefix": (
        serde.dumps({"post_id": "s", "title": "", "text": PREFIX + " \u3000\u2003\t\x0b" * 8_000 + "株式会社スペース 不正アクセスについて"}), None,
    ),
}
# Posts whose incidents are capped: exactly max_incidents of them must be published.
CAPPED = {"raw-2000-headers": "h", "300-incidents-in-one-post": post_id("300-incidents-in-one-post")}


@pytest.mark.timeout(240)
async def test_adversarial_feeds_and_posts_end_in_a_clear_error_or_a_dead_letter(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="jikenbo.fetcher")
    table = cases(rng_for("adversarial"))
    server = await FeedServer().start()
    for name, (handler, _) in table.items():
        server.routes[f"/c/{name}"] = handler
    outcomes: dict[str, Any] = {}
    durations: dict[str, float] = {}
    problems: list[str] = []
    topics = Topics(prefix)
    started = time.monotonic()
    parser = None
    async with Harness(
        broker.bootstrap, prefix, tmp_path, max_bytes=CAP, read_timeout=READ_TIMEOUT, total_timeout=TOTAL_TIMEOUT,
        connect_timeout=2.0, max_redirects=5, per_host_concurrency=64,
    ) as harness:
        feeds = {name: harness.feed(f"{server.base}/c/{name}", name=name) for name in table}

        async def poll(name: str) -> None:
            began = time.monotonic()
            try:
                outcomes[name] = await asyncio.wait_for(harness.poll(feeds[name]), TOTAL_TIMEOUT + 10)
            except Exception as exc:  # a hang or a crash of the poll itself
                outcomes[name] = exc
            durations[name] = time.monotonic() - began

        try:
            await asyncio.gather(*(poll(name) for name in table))
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=16 * 1024 * 1024)
            await producer.start()
            try:
                for key, (value, _) in RAW_MESSAGES.items():
                    await producer.send_and_wait(topics.raw_posts, value, key=key.encode())
            finally:
                await producer.stop()
            parser = start(["parser"], service_env(broker.url, tmp_path / "parser-state", prefix), tmp_path / "parser.log")
            ends = await end_offsets(broker.bootstrap, topics.raw_posts)

            async def parsed_all() -> bool:
                return caught_up(await committed_offsets(broker.bootstrap, topics.group("parser"), topics.raw_posts, ends), ends)

            deadline = time.monotonic() + 120
            while not await parsed_all() and time.monotonic() < deadline and parser.poll() is None:
                await asyncio.sleep(0.5)
            parser_done = await parsed_all()
            parser_alive = parser.poll() is None
            dead = {key.decode() if key else None: value for key, value in await read_topic(broker.bootstrap, topics.dead_letters, timeout=5)}
            incidents = [v for _, v in await read_topic(broker.bootstrap, topics.incidents, timeout=10)]
        finally:
            if parser is not None:
                stop(parser)
            await server.stop()
    parser_log = (tmp_path / "parser.log").read_text(errors="replace")
    failed_lines = {r.getMessage().split(":", 1)[0].removeprefix("feed ") for r in caplog.records if "poll failed" in r.getMessage()}

    for name, (_, expected) in table.items():
        outcome, state = outcomes[name], harness.service.states[name]
        kind, _, text = expected.partition(":")
        if isinstance(outcome, BaseException):
            problems.append(f"{name}: the poll raised or hung: {type(outcome).__name__}: {outcome}")
            continue
        # A failing poll ends within the request's timeout; a big feed that works may take longer to publish;
        # hostile text (nesting, runs of spaces) costs the fetcher little.
        limit = TOTAL_TIMEOUT + 2 if kind == "error" else TEXT_BUDGET if name in HOSTILE_TEXT else 30
        if durations[name] > limit:
            problems.append(f"{name}: took {durations[name]:.1f}s, more than {limit:g}s")
        if kind == "error":
            if outcome.status != "error" or text not in (state.last_error or ""):
                problems.append(f"{name}: expected an error with {text!r}, got {outcome.status} {state.last_error!r}")
            elif name not in failed_lines:
                problems.append(f"{name}: no 'poll failed' log line")
        elif kind == "posts" and (outcome.status != "200" or outcome.published != int(text)):
            problems.append(f"{name}: expected {text} post(s) published, got {outcome.status} {outcome.published} {state.last_error!r}")
        elif kind == "warning" and (outcome.status != "200" or text not in (outcome.warning or "")):
            problems.append(f"{name}: expected a warning with {text!r}, got {outcome.status} {outcome.warning!r} {state.last_error!r}")
        elif kind == "dead":
            reason = dead.get(post_id(name), {}).get("reason")
            if outcome.status != "200" or outcome.published != 1:
                problems.append(f"{name}: expected 1 post published, got {outcome.status} {outcome.published} {state.last_error!r}")
            elif text not in (reason or ""):
                problems.append(f"{name}: expected a dead letter with {text!r}, got {reason!r}")

    for key, (_, reason) in RAW_MESSAGES.items():
        if reason is None and key in dead:
            problems.append(f"{key}: dead-lettered ({dead[key]['reason'][:100]}), expected to parse")
        elif reason is not None and (key not in dead or reason not in dead[key].get("reason", "")):
            problems.append(f"{key}: expected a dead letter with {reason!r}, got {dead.get(key, {}).get('reason')!r}")
    for name, capped in CAPPED.items():
        published = sum(1 for i in incidents if (i.get("source") or {}).get("post_id") == capped)
        if published != LIMITS.max_incidents:
            problems.append(f"{name}: {published} incidents published, expected the first {LIMITS.max_incidents}")
    expected_dead = {post_id(name) for name, (_, expected) in table.items() if expected.startswith("dead:")}
    feed_dead = [k for k in dead if k not in RAW_MESSAGES and k not in expected_dead]
    if feed_dead:
        problems.append(f"posts from feeds dead-lettered: {feed_dead}")
    if not parser_alive or not parser_done:
        problems.append(f"parser {'died' if not parser_alive else 'did not get through the raw topic'}")

    count = len(table) + len(RAW_MESSAGES)
    errors = sum(1 for n in table if getattr(outcomes[n], "status", None) == "error")
    summary(
        f"adversarial inputs ({len(table)} feeds, {len(RAW_MESSAGES)} raw posts)",
        count, count - len(problems), len(problems), 0,
        f"{errors} per-feed errors, {len(table) - errors} feeds published, {len(dead)} dead letters; "
        f"slowest poll {max(durations.values()):.1f}s ({max(durations, key=durations.get)}), "
        f"of hostile text {max(durations[n] for n in HOSTILE_TEXT):.1f}s; {time.monotonic() - started:.0f}s",
    )
    assert not problems, "\n".join(problems) + "\n--- parser log ---\n" + parser_log[-3000:]
    assert "Traceback" not in parser_log, parser_log[-3000:]
