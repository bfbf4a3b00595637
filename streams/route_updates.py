"""Live route rule sets from the compacted ``wire.routes`` topic.

Every worker must see every rule set, so this is not a consumer-group agent: each
worker reads the (single-partition, compacted) topic from the beginning with its
own group-less consumer and applies the newest *valid* rule set. An invalid one
is logged, counted and recorded, and the rules in force keep working.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.pipeline.route_lang import RouteSyntaxError, parse_routes
from streams.settings import Settings

if TYPE_CHECKING:
    from streams.app import Wirefeed

log = logging.getLogger("wirefeed.routes")
RULESET_KEY = b"routes"


def encode_ruleset(text: str, origin: str) -> bytes:
    return orjson.dumps({"text": text, "origin": origin, "pushed_at": time.time()})


def decode_ruleset(value: bytes) -> tuple[str, str]:
    d = orjson.loads(value)
    if not isinstance(d, dict) or not isinstance(d.get("text"), str):
        raise RouteSyntaxError("wire.routes record is not {text, origin, pushed_at}")
    return d["text"], str(d.get("origin", "<wire.routes>"))


class RouteUpdates:
    def __init__(self, settings: Settings, owner: Wirefeed) -> None:
        self.settings = settings
        self.owner = owner
        self.last_error: str | None = None
        self.last_applied: float | None = None
        self.origin: str = "packaged defaults" if settings.routes_file is None else str(settings.routes_file)

    async def run(self) -> None:
        s = self.settings
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=s.kafka_bootstrap,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                **s.kafka_client_kwargs(),
            )
            try:
                await consumer.start()
                tp = TopicPartition(s.topic_routes, 0)
                await self._wait_for_topic(consumer)
                consumer.assign([tp])
                await consumer.seek_to_beginning(tp)
                async for msg in consumer:
                    if msg.value is not None:
                        self.apply(msg.value)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker away: retry with backoff, rules in force stay
                log.warning("route updates: %s; retrying in 5 s", exc)
                await asyncio.sleep(5)
            finally:
                await consumer.stop()

    async def _wait_for_topic(self, consumer: AIOKafkaConsumer) -> None:
        await self.owner.routes_topic.maybe_declare()
        while self.settings.topic_routes not in await consumer.topics():
            await asyncio.sleep(1)

    def apply(self, value: bytes) -> bool:
        m = self.owner.metrics
        try:
            text, origin = decode_ruleset(value)
            rules = parse_routes(text, origin=origin)
        except (RouteSyntaxError, orjson.JSONDecodeError, ValueError) as exc:
            self.last_error = str(exc)
            m.ruleset_loads.labels("rejected").inc()
            log.error("rejected route rule set: %s (rules in force unchanged)", exc)
            return False
        self.owner.apply_routes(rules)
        self.origin, self.last_error, self.last_applied = origin, None, time.time()
        m.ruleset_loads.labels("applied").inc()
        log.info("route rule set %s from %s in force (%d routes)", rules.version, origin, len(rules.routes))
        return True

    def describe(self) -> dict[str, Any]:
        rules = self.owner.knowledge.routes
        return {
            "version": rules.version,
            "origin": self.origin,
            "routes": [r.name for r in rules.routes],
            "last_error": self.last_error,
            "last_applied": self.last_applied,
        }
