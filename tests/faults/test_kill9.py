"""kill -9 of the parser, of the alerter, of the fetcher during a 2,000-post backfill,
and of the fetcher while it polls a live feed of 2,000 posts.

One run per service. The service is killed with SIGKILL at five random
moments in a row (each time after it was seen making progress since its
restart, plus a random delay) and started again at once. At the end every
incident the offline parser finds in the served history must be on the
incidents topic, and every alert must have reached the local webhook once:
counted as raw POSTs and as distinct X-Jikenbo-Delivery ids.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from tests.faults.harness import (
    PAGE, SECRET, BlogServer, Service, WebhookReceiver, config_text, fetcher_progress, history, outbox_status,
    rng_for, summary, until,
)
from tests.kafka_helpers import read_topic
from tests.processes import service_env

pytestmark = [pytest.mark.integration, pytest.mark.faults]

KILLS = 5
# What each service logs when it makes progress: a kill is aimed at a process that is working.
PROGRESS = {"parser": "parsed ", "alerter": "channel hook: delivered", "fetcher": ": page ", "fetcher-live": " published  [feed="}


async def kill_at_random_moments(
    target: Service, marker: str, kills: int, rng, delay: tuple[float, float], started: float
) -> list[str]:
    """Kill `target` `kills` times, each after it logged `marker` since its start and a random delay; restart it."""
    notes = []
    for _ in range(kills):
        offset = target.log_size()
        if not target.running:
            target.start()
            offset = target.log_size()
        working = await until(lambda: marker in target.since(offset), 90, 0.05)
        wait = rng.uniform(*delay)
        await asyncio.sleep(wait)
        target.kill9()
        notes.append(f"{time.monotonic() - started:.1f}s" + ("" if working else " (idle)"))
        target.start()
    return notes


async def run_kill_scenario(service: str, broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> list[str]:
    """`service` is parser, alerter or fetcher (each with a backfill), or fetcher-live (a fetcher polling a live feed)."""
    story = history()
    rng = rng_for(f"kill-{service}")
    receiver = WebhookReceiver(latency=0.003).start()
    live = service == "fetcher-live"
    # While kills are pending the history comes slowly (a page of 50 every 0.8 s), so that every
    # kill lands while posts are still arriving; after the last one it comes as fast as it can.
    # The live feed shows 60 more posts per poll, so every kill lands while it is still growing.
    server = await (BlogServer(story, reveal=60, window=240) if live else BlogServer(story, page_delay=0.8)).start()
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(server.url if live else None, receiver.url), encoding="utf-8")
    state = tmp_path / "state"
    env = service_env(broker.url, state, prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    fetcher = ["fetcher"] if live else ["backfill", f"{server.url}?max-results={PAGE}"]
    services = {
        "alerter": Service("alerter", ["alerter"], env, tmp_path / "alerter.log"),
        "parser": Service("parser", ["parser"], env, tmp_path / "parser.log"),
        "fetcher": Service("fetcher", fetcher, env, tmp_path / ("fetcher.log" if live else "backfill.log")),
    }
    started = time.monotonic()
    logs = lambda: "\n".join(s.tail() for s in services.values())  # noqa: E731
    try:
        for s in services.values():
            s.start()
        delay = {"parser": (0.0, 1.5), "alerter": (0.0, 0.4), "fetcher": (0.0, 1.2), "fetcher-live": (0.0, 1.0)}[service]
        target = services["fetcher" if live else service]
        notes = await kill_at_random_moments(target, PROGRESS[service], KILLS, rng, delay, started)
        server.page_delay = 0.0
        backfill = services["fetcher"]

        def backfill_done() -> bool:
            if backfill.process is not None and backfill.process.poll() not in (None, 0):
                backfill.start()  # an interrupted backfill is run again: it resumes at its checkpoint
            return backfill.process is not None and backfill.process.poll() == 0

        if not live:
            assert await until(backfill_done, 120), logs()
        complete = await until(lambda: receiver.delivered_pairs() >= story.alerts, 150)
        # Late duplicates (a redelivery after a restart) would come now: give them time to show.
        await until(lambda: outbox_status(state).get("pending", 0) == 0, 30)
        await asyncio.sleep(3)
        incidents = [v for _, v in await read_topic(broker.bootstrap, topics.incidents, timeout=10)]
    finally:
        codes = {name: s.stop() for name, s in services.items()}
        await server.stop()
        receiver.stop()
    elapsed = time.monotonic() - started
    tally = receiver.tally()
    seen = {i["incident_id"] for i in incidents}
    lost_incidents = set(story.expected) - seen
    lost_alerts = story.alerts - tally.pairs
    published, waiting = fetcher_progress(state)
    summary(
        f"kill -9 of the fetcher x{KILLS} while polling a live feed" if live else f"kill -9 {service} x{KILLS} during backfill",
        len(story.alerts), len(tally.pairs & story.alerts), len(lost_alerts) + len(lost_incidents), tally.pair_repeats,
        f"{story.posts} posts, {len(story.expected)} incidents expected, {len(seen & set(story.expected))} on the topic "
        f"({len(incidents)} messages); webhook: {tally.posts} POSTs, {tally.distinct_deliveries} distinct delivery ids, "
        f"{tally.same_id_repeats} repeated ids; kills at {', '.join(notes)}; {elapsed:.0f}s",
    )
    failures = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            failures.append(f"{service}: {message}")

    check(complete, f"{len(lost_alerts)} alert(s) never delivered")
    check(not lost_incidents, f"{len(lost_incidents)} incident(s) lost")
    check(tally.unsigned == 0, "unsigned webhook calls")
    check(not tally.pairs - story.alerts, "alerts nobody expected")
    check(published == story.posts, f"{published} posts recorded as published, not {story.posts}")
    check(outbox_status(state).get("dead", 0) == 0, "dead letters in the channel outbox")
    check(codes["parser"] == 0 and codes["alerter"] == 0 and (codes["fetcher"] == 0 or not live), f"exit codes {codes}")
    check(not target.orphans, f"processes outlived a kill -9 of the {service}: {target.orphans}")
    # Exactly once per delivery id: every alert under one X-Jikenbo-Delivery id, never under two.
    check(tally.distinct_deliveries == len(story.alerts), f"{tally.distinct_deliveries} delivery ids for {len(story.alerts)} alerts")
    check(tally.pair_repeats == tally.same_id_repeats, "an alert was sent twice under two different ids")
    # A kill of the alerter while a POST is in flight (the endpoint has it, the outbox does not know
    # yet) repeats that one POST, with the same id, after the restart; no sender can tell the two
    # cases apart, which is why receivers drop repeated ids (deploy/subscriptions.example.toml).
    # The channel sends one message at a time, so a kill repeats at most one; anything more would
    # be the outbox resending what it had marked delivered. Counted in the summary as "duplicated".
    allowed = KILLS if service == "alerter" else 0
    check(tally.same_id_repeats <= allowed, f"{tally.same_id_repeats} repeated POST(s) (at most {allowed}): {tally.repeated_ids[:5]}")
    if failures:
        failures.append(logs())
    return failures


@pytest.mark.timeout(300)
async def test_kill_9_of_parser_alerter_and_fetcher_during_a_backfill_and_of_a_polling_fetcher(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """The four runs go side by side (own topics, own state): most of a run is waiting for a
    killed consumer's session to expire, and that waiting overlaps."""
    runs = []
    for n, service in enumerate(("parser", "alerter", "fetcher", "fetcher-live")):
        (tmp_path / service).mkdir()
        runs.append(run_kill_scenario(service, broker, f"fk{n}{uuid.uuid4().hex[:6]}", tmp_path / service))
    failures = [f for result in await asyncio.gather(*runs) for f in result]
    assert not failures, "\n".join(failures)
