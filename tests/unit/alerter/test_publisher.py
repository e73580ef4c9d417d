"""A batch of alerts the broker partly refused: every outcome comes back, none is left unretrieved."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from aiokafka.errors import KafkaTimeoutError

from services.alerter.agent import AlertPublisher
from services.alerter.decisions import BatchLedger, decide
from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import parse_subscription
from services.common.topics import Topics
from tests.unit.alerter.test_matching import incident


class RefusingTopic:
    """Answers every other send with a refusal, as a broker timing out on some partitions would."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, key: bytes, value: bytes) -> asyncio.Future[Any]:
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.sent % 2:
            answer.set_exception(KafkaTimeoutError())
        else:
            answer.set_result("metadata")
        self.sent += 1
        return answer


async def test_every_send_outcome_is_returned_and_retrieved() -> None:
    unretrieved: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: unretrieved.append(context))
    topics = Topics("t")
    publisher = AlertPublisher(app=None, topics=topics, config=None, broker_url="")  # type: ignore[arg-type]
    publisher.outgoing[topics.alerts] = RefusingTopic()  # type: ignore[assignment]
    subscriptions = SubscriptionIndex([parse_subscription({"name": f"s{n}", "sectors": ["education"]}) for n in range(4)])
    decisions = decide(incident(), subscriptions, BatchLedger({}))

    outcomes = await publisher.send_acknowledged([(incident(), decisions)])
    gc.collect()

    assert [type(outcome).__name__ for outcome in outcomes] == ["str", "KafkaTimeoutError", "str", "KafkaTimeoutError"]
    assert unretrieved == []
