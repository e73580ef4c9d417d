"""How fast does the web view answer on 100,000 archived incidents?

Fills an archive with synthetic incidents shaped like the parser's (10 years
of dates, every sector, 1-3 types, 0-2 vendors from 300, organisations from
20,000, bodies of about 600 characters with evidence quotes), written in
batches through `ArchiveStore.commit` as the archive stage writes them. Then
serves it with the real application on a loopback port and requests, each
many times:

- the overview: cold (its cache emptied before every request: a selection
  never asked for; whole months come from the mirror's monthly tallies, a
  sector or a mid-month date from grouping the mirror's rows), warm (counted
  for the archive's current version), and while the archive changes (an
  incident committed before every request: the page shows the last counts
  while a background task recounts)
- a filtered list (sector + type + minimum affected), its second page, a full-text search
- incident pages, each a different incident

Server time is the handler's own time, from the `Server-Timing` header the
application sets on every response; round trip adds the HTTP client. The
issue's target is at most 150 ms at p95 for each page.

    .venv/bin/python bench/web.py [--incidents 100000] [--requests 50] [--archive PATH]

`--archive PATH` keeps the filled archive there and reuses it on the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from schemas import INCIDENT_SCHEMA_VERSION, taxonomies  # noqa: E402
from services.archive.store import ArchiveStore  # noqa: E402
from services.web.app import make_app  # noqa: E402
from services.web.state import CACHE  # noqa: E402

TARGET_MS = 150.0
BATCH = 5_000
KANJI = "東西南北中央山川田島野村松本林森高橋石井小大新日光明和信栄興産業電機工商"
FORMS = ["株式会社{}", "{}株式会社", "{}病院", "{}市", "{}大学", "一般社団法人{}"]
FILLER = [
    "このたび、当社が運営するサーバに対して第三者による不正アクセスが確認されました。",
    "お客様ならびに関係者の皆様には多大なるご迷惑とご心配をおかけしますことを深くお詫び申し上げます。",
    "現在、外部の専門機関と連携し、被害の全容解明に向けた調査を進めております。",
    "なお、現時点で個人情報の不正利用は確認されておりません。",
    "再発防止策として、監視体制の強化とアクセス制御の見直しを実施いたします。",
    "ランサムウェアによりファイルが暗号化され、業務システムが停止しました。",
]


def synthetic_incidents(count: int, seed: int = 13) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    sectors = list(taxonomies()["sectors"])
    types = list(taxonomies()["incident_types"])
    vendors = [f"Vendor{n:03d}" for n in range(300)]
    names = [rng.choice(FORMS).format("".join(rng.choices(KANJI, k=rng.randint(2, 4)))) for _ in range(20_000)]
    start = date(2016, 1, 1)
    incidents = []
    for number in range(count):
        organization = rng.choice(names)
        disclosed = (start + timedelta(days=rng.randrange(3650))).isoformat()
        affected = rng.choice([None, rng.randint(1, 500), rng.randint(100, 100_000)])
        lines = [f"{organization}", f"不正アクセスに関するお知らせ {number}"] + rng.choices(FILLER, k=8)
        if affected is not None:
            lines.insert(3, f"漏えいした可能性のある件数は{affected:,}件です。")
        body = "\n".join(lines)
        incidents.append({
            "schema_version": INCIDENT_SCHEMA_VERSION, "kind": "incident", "incident_id": f"inc-bench{number:07d}",
            "case_id": None, "organization": organization, "title": lines[1], "disclosed_on": disclosed,
            "sector": rng.choice(sectors), "incident_types": sorted(set(rng.choices(types, k=rng.randint(1, 3)))),
            "affected": {"count": affected, "unit": "件" if affected is not None else None, "text": None},
            "data_types": ["氏名"], "vendors": rng.sample(vendors, rng.choice([0, 0, 1, 2])), "authorities": [], "iocs": [],
            "evidence": {"organization": {"rule": "signature", "text": organization},
                         "affected": {"rule": "stated total", "text": lines[3] if affected is not None else ""}},
            "source": {"feed": "bench", "url": f"https://example.jp/{number}", "post_id": f"post-{number}",
                       "published": f"{disclosed}T09:00:00+09:00", "content_hash": f"h{number}", "origin": "backfill",
                       "fetched_at": None},
            "body": body, "parser_version": "bench",
        })
    return incidents


def fill(path: Path, count: int) -> float:
    started = time.perf_counter()
    incidents = synthetic_incidents(count)
    with ArchiveStore(path) as store:
        for first in range(0, count, BATCH):
            store.commit(incidents[first:first + BATCH])
    return time.perf_counter() - started


async def measure(path: Path, requests: int, count: int) -> list[tuple[str, list[float], list[float]]]:
    app = make_app(path)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(7)
    names = [i["organization"] for i in synthetic_incidents(requests)]
    results = []
    async with aiohttp.ClientSession() as session:

        async def timed(url: str) -> tuple[float, float]:
            started = time.perf_counter()
            async with session.get(base + url) as response:
                await response.read()
                assert response.status == 200, (url, response.status)
                server = float(re.search(r"dur=([\d.]+)", response.headers["Server-Timing"]).group(1))  # type: ignore[union-attr]
            return server, (time.perf_counter() - started) * 1000

        async def series(name: str, urls: list[str], before: Any = None) -> None:
            await timed(urls[0])  # connections opened, templates compiled
            server, total = [], []
            for url in urls:
                if before:
                    before()
                s, t = await timed(url)
                server.append(s)
                total.append(t)
            results.append((name, server, total))

        filtered = "/incidents?sector=healthcare&type=ransomware&min-affected=100"
        second = re.search(r'id="next-page" href="([^"]+)"', await (await session.get(base + filtered)).text())
        await series("overview, cold (cache emptied)", ["/"] * requests, before=app[CACHE].clear)
        await series("overview, warm", ["/"] * requests)
        with ArchiveStore(path) as store:
            extra = iter(synthetic_incidents(requests + 1, seed=99))
            await series("overview, archive changing", ["/"] * requests,
                         before=lambda: store.commit([next(extra) | {"incident_id": f"inc-extra{rng.random()}"}]))
        await series("overview of one year, cold", ["/?since=2024-01-01&until=2024-12-31"] * requests,
                     before=app[CACHE].clear)
        await series("overview of one sector, cold", ["/?sector=healthcare"] * requests, before=app[CACHE].clear)
        await series("overview of 2024-03-15.., cold", ["/?since=2024-03-15"] * requests, before=app[CACHE].clear)
        await series("list: sector+type+min-affected", [filtered] * requests)
        if second:
            await series("list: its second page", [second.group(1).replace("&amp;", "&")] * requests)
        await series("list: search, 77% of incidents match", ["/incidents?search=" + quote("ランサム")] * requests)
        await series("list: search for an organisation", ["/incidents?search=" + quote(names[n % len(names)])
                                                          for n in range(requests)])
        await series("incident page", [f"/incidents/inc-bench{rng.randrange(count):07d}" for _ in range(requests)])
        await series("api: /api/incidents filtered", ["/api/incidents?sector=finance&min-affected=1000"] * requests)
    await runner.cleanup()
    return results


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--archive", type=Path, help="keep (and reuse) the filled archive here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.archive or Path(scratch) / "archive.sqlite3"
        if path.exists():
            print(f"reusing {path}")
        else:
            seconds = fill(path, args.incidents)
            print(f"filled {args.incidents:,} incidents in {seconds:.1f} s ({args.incidents / seconds:,.0f}/s), "
                  f"{path.stat().st_size / 1e6:.0f} MB")
        results = asyncio.run(measure(path, args.requests, args.incidents))
    print(f"\n{'page':38} {'server median':>14} {'server p95':>11} {'round trip p95':>15}   target p95 <= {TARGET_MS:.0f} ms")
    for name, server, total in results:
        verdict = "ok" if p95(server) <= TARGET_MS else "SLOW"
        print(f"{name:38} {statistics.median(server):11.1f} ms {p95(server):8.1f} ms {p95(total):12.1f} ms   {verdict}")


if __name__ == "__main__":
    main()
