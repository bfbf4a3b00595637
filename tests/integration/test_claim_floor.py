"""The claim floor: after a partition is claimed, nothing below its committed offset is published.

Faust seeks a newly assigned partition to its committed offset concurrently with our
claim, so it may read the offset from before the previous owner's last transaction
finished and fetch events that transaction already published. The agents publish only
what ``Wirefeed._batches`` returns, so these tests check that it (a) waits for the
claim, (b) drops events below the floor read after the fence, (c) drops stale events
instead of blocking a rebalance. The last test runs the claim against the real broker.
"""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from streams.app import Wirefeed
from streams.settings import Settings
from streams.transactions import TransactionalOutputs

RAW = "t.wire.raw"


class _Consumer:
    def __init__(self) -> None:
        self.flow_active = True
        self._committed_offset: dict[Any, int] = {}

    def assignment(self) -> set[Any]:
        return set()


def _app(generation: int = 3) -> Any:
    return SimpleNamespace(
        conf=SimpleNamespace(id="wirefeed-test"),
        consumer_generation_id=generation,
        consumer=_Consumer(),
        tables=SimpleNamespace(on_commit=lambda offsets: None),
    )


def _outputs(app: Any, committed: dict[tuple[str, int], int]) -> TransactionalOutputs:
    """Claims without a broker: the fence is a no-op and the floor comes from ``committed``."""
    eos = TransactionalOutputs(Settings(), app)
    fenced: list[tuple[str, int]] = []

    async def producer(tp: tuple[str, int]) -> Any:
        fenced.append(tp)
        return None

    async def read_committed(tp: tuple[str, int]) -> int:
        assert tp in fenced, "the floor must be read after the fence"
        return committed.get(tp, 0)

    eos._producer = producer  # type: ignore[method-assign]
    eos._committed = read_committed  # type: ignore[method-assign]
    return eos


def _event(partition: int, offset: int, generation: int = 3, topic: str = RAW) -> Any:
    return SimpleNamespace(
        message=SimpleNamespace(topic=topic, partition=partition, offset=offset, generation_id=generation)
    )


def _tp(partition: int) -> Any:
    return SimpleNamespace(topic=RAW, partition=partition)


async def _batches(app: Any, eos: TransactionalOutputs, events: list[Any]) -> list[tuple[Any, list[int]]]:
    owner = SimpleNamespace(app=app, eos=eos)
    out = await Wirefeed._batches(owner, events)  # type: ignore[arg-type]
    return [(tp, [e.message.offset for e in evs]) for tp, evs in out]


def test_events_below_the_floor_are_dropped_after_the_claim() -> None:
    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 0): 105, (RAW, 1): 0})
        # Faust sought partition 0 to 100 before the previous owner's commit up to 105 finished
        events = [_event(0, o) for o in range(100, 110)] + [_event(1, o) for o in range(0, 3)]
        pending = asyncio.ensure_future(_batches(app, eos, events))
        await asyncio.sleep(0.1)
        assert not pending.done(), "nothing may be published before the partition is claimed"
        await eos.claim([_tp(0), _tp(1)], {RAW})
        got = await asyncio.wait_for(pending, 5)
        assert got == [((RAW, 0), list(range(105, 110))), ((RAW, 1), [0, 1, 2])]
        assert eos.skipped_below_floor == 5
        # later batches of the same generation: the floor stays, nothing is held back
        assert await _batches(app, eos, [_event(0, 110)]) == [((RAW, 0), [110])]
        # a batch wholly below the floor publishes nothing
        assert await _batches(app, eos, [_event(0, 101), _event(0, 104)]) == []

    asyncio.run(run())


def test_a_claim_of_an_older_generation_does_not_count() -> None:
    async def run() -> None:
        app = _app(generation=3)
        eos = _outputs(app, {(RAW, 0): 50})
        await eos.claim([_tp(0)], {RAW})
        app.consumer_generation_id = 4  # rebalanced: events of generation 4 wait for the new claim
        pending = asyncio.ensure_future(_batches(app, eos, [_event(0, 50, generation=4)]))
        await asyncio.sleep(0.1)
        assert not pending.done()
        await eos.claim([_tp(0)], {RAW})
        assert await asyncio.wait_for(pending, 5) == [((RAW, 0), [50])]
        # events fetched in generation 3 are stale now
        assert await _batches(app, eos, [_event(0, 51, generation=3)]) == []

    asyncio.run(run())


def test_waiting_for_a_claim_does_not_block_a_revocation() -> None:
    async def run() -> None:
        app = _app()
        eos = _outputs(app, {})
        pending = asyncio.ensure_future(_batches(app, eos, [_event(0, 7)]))
        await asyncio.sleep(0.1)
        assert not pending.done()
        app.consumer.flow_active = False  # Faust stops the flow, then waits for in-flight events
        assert await asyncio.wait_for(pending, 5) == []
        # released partitions: their events are dropped, not published
        app.consumer.flow_active = True
        await eos.claim([_tp(0)], {RAW})
        await eos.release([_tp(0)])
        assert await _batches(app, eos, [_event(0, 8)]) == []

    asyncio.run(run())


@pytest.mark.kafka
def test_claim_reads_the_floor_after_fencing_the_previous_owner(kafka_bootstrap: str) -> None:
    """Against the broker: the floor is the previous owner's last *committed* offset, and it is fenced."""

    async def run() -> None:
        topic = f"t{uuid.uuid4().hex[:8]}.wire.raw"
        settings = Settings(kafka_bootstrap=kafka_bootstrap)
        app = _app()
        app.conf.id = f"wirefeed-floor-{uuid.uuid4().hex[:8]}"
        eos = TransactionalOutputs(settings, app)
        tp = TopicPartition(topic, 0)
        old = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=eos._tid((topic, 0)))
        await old.start()
        try:
            await old.begin_transaction()
            await old.send_and_wait(topic, b"x", partition=0)
            await old.send_offsets_to_transaction({tp: 42}, app.conf.id)
            await old.commit_transaction()
            # the previous owner's next transaction is left open (it "died" mid-batch)
            await old.begin_transaction()
            await old.send_and_wait(topic, b"y", partition=0)
            await old.send_offsets_to_transaction({tp: 99}, app.conf.id)
            await eos.claim([SimpleNamespace(topic=topic, partition=0)], {topic})
            assert await eos.floor((topic, 0), app.consumer_generation_id) == 42
            with pytest.raises(KafkaError):
                await old.commit_transaction()  # fenced: its batch is redone by the new owner
        finally:
            await old.stop()
            await eos.close()

    asyncio.run(run())
