"""How the agents publish a batch: one partition after another, then the next batch.

``Wirefeed._drive`` publishes each input partition's share of a batch in turn and takes
the next batch only when all of them have ended, which keeps per-partition order and
keeps a batch's events unacked (so Faust's revocation and shutdown wait for them) until
its transactions are done. No broker is needed; the Kafka side is covered by the fault
suite (tests/faults), which is also where concurrent commits failed (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from streams import app as app_module
from streams.app import Wirefeed
from streams.settings import Settings

RAW = "t.wire.raw"


class _Event:
    """Weak-referenceable, as Faust's current-event slot requires."""

    def __init__(self, partition: int, offset: int) -> None:
        self.message = SimpleNamespace(topic=RAW, partition=partition, offset=offset)


def test_partitions_publish_in_turn_and_batches_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[tuple[str, tuple[int, int], float]] = []
    batches = [
        [_Event(0, 0), _Event(1, 0), _Event(0, 1)],
        [_Event(1, 1), _Event(0, 2)],
    ]

    def fake_take(stream: Any, max_: int, within: float) -> AsyncIterator[list[Any]]:
        async def gen() -> AsyncIterator[list[Any]]:
            for b in batches:
                yield b
                for ev in b:  # take_batches acks a batch when the caller asks for the next one
                    log.append(("ack", (ev.message.partition, ev.message.offset), loop_time()))

        return gen()

    def loop_time() -> float:
        return asyncio.get_running_loop().time()

    async def batches_of(events: Sequence[Any]) -> list[tuple[tuple[str, int], Any, list[Any]]]:
        return [(tp, None, evs) for tp, evs in app_module._by_partition(events)]

    async def publish(tp: tuple[str, int], claim: Any, outputs: list[Any], nxt: int) -> None:
        log.append(("start", (tp[1], nxt), loop_time()))
        await asyncio.sleep(0.05)  # a transaction's round trips
        log.append(("end", (tp[1], nxt), loop_time()))

    async def work(tp: tuple[str, int], evs: Sequence[Any]) -> list[Any]:
        log.append(("work", (tp[1], evs[-1].message.offset + 1), loop_time()))
        return []

    monkeypatch.setattr(app_module, "take_batches", fake_take)
    owner = SimpleNamespace(
        settings=Settings(batch_size=10, batch_wait_s=0.01),
        _batches=batches_of,
        _publish=publish,
    )
    asyncio.run(Wirefeed._drive(owner, None, work))  # type: ignore[arg-type]

    def when(what: str, key: tuple[int, int]) -> float:
        return next(t for w, k, t in log if w == what and k == key)

    # one partition's transaction ends before the next one starts ...
    assert when("start", (1, 1)) >= when("end", (0, 2))
    # ... the second batch is worked on, and the first one acked, only after both have ended
    first_done = max(when("end", (0, 2)), when("end", (1, 1)))
    assert when("work", (1, 2)) >= first_done
    assert all(t >= first_done for w, _, t in log if w == "ack")
    assert [k for w, k, _ in log if w == "end"] == [(0, 2), (1, 1), (1, 2), (0, 3)]
