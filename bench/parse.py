"""Parser throughput: the pure parser, and the Faust agent through the embedded broker.

    .venv/bin/python bench/parse.py [--megabytes 50] [--posts 2000]

1. Pure parser, one core: the five seed documents repeated until at least
   `--megabytes` MB of text have gone through `parse_post` (MB/s, posts/s),
   after one unmeasured round that loads the gazetteers and vocabularies
   (start-up is measured apart: `jikenbo parse` of one file).
2. Agent: a `jikenbo parser` worker process on a real embedded broker (Tansu).
   After a warm-up post, `--posts` raw posts (the seed documents split into
   one post per incident or article, as the blog publishes them, each with
   its own ids) are produced at once; throughput is measured from the first
   post produced to the last incident on the incidents topic.

Targets (issue 4): >= 5 MB/s per core for the pure parser, >= 500 posts/s
through the agent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402

from schemas.raw_post import document_post  # noqa: E402
from services.common import serde  # noqa: E402
from services.common.embedded_broker import EmbeddedBroker  # noqa: E402
from services.common.kafka import ensure_topics  # noqa: E402
from services.common.text import content_hash  # noqa: E402
from services.common.topics import Topics  # noqa: E402
from services.demo.feed import corpus_documents  # noqa: E402
from services.parser.core import parse_post, split  # noqa: E402

_CASE = re.compile(r"#(\d{4})-(\d{3})")


def pure_parser(megabytes: float) -> dict[str, float]:
    documents = [text for _, text in corpus_documents()]
    size = sum(len(t.encode("utf-8")) for t in documents)
    rounds = max(1, int(megabytes * 1024 * 1024 // size) + 1)
    for text in documents:  # warm-up: data files are loaded on first use
        parse_post(text)
    posts = incidents = 0
    started = time.process_time()
    for _ in range(rounds):
        for text in documents:
            incidents += len(parse_post(text))
            posts += 1
    cpu = time.process_time() - started
    total_mb = rounds * size / 1024 / 1024
    return {"mb": total_mb, "cpu_s": cpu, "mb_per_s": total_mb / cpu, "docs_per_s": posts / cpu, "incidents_per_s": incidents / cpu}


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its live children so far, from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def blog_posts(count: int) -> list[dict]:
    """The seeds split the way the blog publishes them: one entry per post, unique ids."""
    pieces = [segment.text for _, text in corpus_documents() for segment in split(text)]
    posts = []
    for n in range(count):
        text = _CASE.sub(lambda m: f"#{m.group(1)}-{n:05d}", pieces[n % len(pieces)], count=1)
        text = text.replace("株式会社", f"株式会社{n}号", 1) if "#" not in text[:40] else text
        post = document_post(f"bench-{n}", text)
        post.update(post_id=f"bench-{n}", content_hash=content_hash(str(n), text), origin="backfill")
        posts.append(post)
    return posts


async def agent(count: int) -> dict[str, float]:
    posts = blog_posts(count)
    expected = sum(len(parse_post(p["text"])) for p in posts)
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedBroker(Path(tmp) / "broker") as broker:
            topics = Topics("bench")
            await ensure_topics(broker.bootstrap, topics.all(), 4)
            env = {**os.environ, "JIKENBO_BROKER_URL": broker.url, "JIKENBO_TOPIC_PREFIX": "bench", "JIKENBO_STATE_DIR": tmp}
            worker = subprocess.Popen([sys.executable, "-m", "services.cli", "parser"], env=env, stderr=open(Path(tmp) / "parser.log", "wb"))
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5, max_request_size=16 * 1024 * 1024)
            consumer = AIOKafkaConsumer(topics.incidents, bootstrap_servers=broker.bootstrap, group_id=None, auto_offset_reset="earliest")
            await producer.start()
            await consumer.start()
            try:
                warm = posts[0] | {"post_id": "warm-up"}
                await producer.send_and_wait(topics.raw_posts, serde.dumps(warm), key=b"warm-up")
                seen = 0
                while seen == 0:
                    batch = await consumer.getmany(timeout_ms=1000)
                    seen += sum(len(v) for v in batch.values())
                cpu_before = process_cpu(worker.pid)
                started = time.perf_counter()
                futures = [await producer.send(topics.raw_posts, serde.dumps(p), key=p["post_id"].encode()) for p in posts]
                await asyncio.gather(*futures)
                produced = time.perf_counter() - started
                received = 0
                deadline = time.monotonic() + 600
                while received < expected and time.monotonic() < deadline:
                    batch = await consumer.getmany(timeout_ms=1000)
                    received += sum(len(v) for v in batch.values())
                elapsed = time.perf_counter() - started
                worker_cpu = process_cpu(worker.pid) - cpu_before
            finally:
                await consumer.stop()
                await producer.stop()
                worker.terminate()
                worker.wait(30)
    return {
        "posts": count, "incidents_expected": expected, "incidents_received": received,
        "produce_s": produced, "elapsed_s": elapsed, "worker_cpu_s": worker_cpu, "posts_per_s": count / elapsed, "incidents_per_s": received / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--posts", type=int, default=2000, help="posts through the agent; 0 measures the pure parser only")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    pure = pure_parser(args.megabytes)
    through = asyncio.run(agent(args.posts)) if args.posts > 0 else None
    print(f"{'measure':<34} {'value':>12}")
    print(f"{'pure parser: text parsed (MB)':<34} {pure['mb']:>12.1f}")
    print(f"{'pure parser: MB/s (1 core, CPU)':<34} {pure['mb_per_s']:>12.2f}   target >= 5")
    print(f"{'pure parser: documents/s':<34} {pure['docs_per_s']:>12.1f}")
    print(f"{'pure parser: incidents/s':<34} {pure['incidents_per_s']:>12.1f}")
    if through is not None:
        print_agent(through)
    print(f"cores: {os.cpu_count()}")
    if args.json:
        args.json.write_text(json.dumps({"pure": pure, "agent": through, "cores": os.cpu_count()}, indent=2))


def print_agent(through: dict[str, float]) -> None:
    print(f"{'agent: posts in':<34} {through['posts']:>12d}")
    print(f"{'agent: incidents out':<34} {through['incidents_received']:>12d}   (expected {through['incidents_expected']})")
    print(f"{'agent: posts/s':<34} {through['posts_per_s']:>12.1f}   target >= 500")
    print(f"{'agent: incidents/s':<34} {through['incidents_per_s']:>12.1f}")
    print(f"{'agent: worker CPU ms/post (+child)':<34} {1000 * through['worker_cpu_s'] / through['posts']:>12.2f}")


if __name__ == "__main__":
    main()
