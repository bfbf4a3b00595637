"""How long the worker's consumer lets the broker hold a fetch: Faust fixes it at 1,500 ms.

aiokafka keeps one fetch in flight per broker, for the partitions that have nothing
buffered when it is sent. While such a fetch waits at the broker for data that is not
coming yet (a quiet partition, or a ``read_committed`` partition whose transaction has
not committed), every other partition on that broker that has meanwhile run dry waits
with it: on the one-broker bench at 1,000 items/s that kept a standing queue of about
1,500 items on each of the worker's two hops (3-4 s end to end) while the CPU had room.
A short wait bounds that stall; an idle worker pays one small fetch per wait per broker.
Measured in docs/performance.md ("Fetch wait").
"""

from __future__ import annotations

from typing import Any

_wait_ms = 1500  # Faust's own value until ``set_fetch_max_wait`` is called


def set_fetch_max_wait(ms: int) -> None:
    """Worker consumers created from now on in this process fetch with ``fetch_max_wait_ms=ms``."""
    global _wait_ms
    _wait_ms = int(ms)
    from faust.transport.drivers import aiokafka as faust_aiokafka

    cls = faust_aiokafka.AIOKafkaConsumerThread
    if getattr(cls, "_wirefeed_fetch_wait", False):
        return
    original = cls._create_worker_consumer

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = _wait_ms  # read by start(), which builds the fetcher
        return consumer

    cls._create_worker_consumer = create  # type: ignore[method-assign]
    cls._wirefeed_fetch_wait = True  # type: ignore[attr-defined]
