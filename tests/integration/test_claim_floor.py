"""The claim floor and the input gate: what ``Wirefeed._batches`` lets the agents publish.

Faust seeks a newly assigned partition to its committed offset concurrently with our
claim, so it may read the offset from before the previous owner's last transaction
finished and fetch events that transaction already published; around a rebalance it
also hands events over twice, or never (streams/input_gate.py). These tests check
that ``_batches`` (a) waits for the claim, (b) drops events below the floor read
after the fence and events already processed, (c) never processes past a hole and
asks for a re-read instead, (d) drops events of partitions it does not own instead of
blocking a rebalance. The last test runs the claim against the real broker.
"""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import CollectorRegistry

from streams import app as app_module
from streams.app import Wirefeed
from streams.metrics import Metrics
from streams.settings import Settings
from streams.transactions import PartitionRevoked, TransactionalOutputs

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


def _event(partition: int, offset: int, since: int | None = None, run: int = 1, topic: str = RAW) -> Any:
    """An event as the fetcher stamps it: ``since`` defaults to a contiguous run (no hole)."""
    return SimpleNamespace(
        message=SimpleNamespace(
            topic=topic, partition=partition, offset=offset, since=offset if since is None else since, run=run
        )
    )


def _run(partition: int, first: int, last: int, *, since: int | None = None, run: int = 1) -> list[Any]:
    """Events ``first..last`` of one fetch run that started at ``since`` (default: ``first``)."""
    return [
        _event(partition, o, since=(first if since is None else since) if o == first else o, run=run)
        for o in range(first, last + 1)
    ]


def _tp(partition: int) -> Any:
    return SimpleNamespace(topic=RAW, partition=partition)


class _Owner:
    """The parts of ``Wirefeed`` that ``_batches`` uses; re-reads are recorded, not sought."""

    _batches = Wirefeed._batches
    _cursor = Wirefeed._cursor
    _reread = Wirefeed._reread
    _check_stalled_inputs = Wirefeed._check_stalled_inputs

    def __init__(self, app: Any, eos: TransactionalOutputs) -> None:
        self.app, self.eos = app, eos
        self.metrics = Metrics(CollectorRegistry())
        self._cursors: dict[Any, Any] = {}

    def skipped(self, reason: str) -> float:
        return (
            self.metrics.registry.get_sample_value(
                "wirefeed_input_skipped_total", {"topic": RAW, "reason": reason}
            )
            or 0.0
        )


@pytest.fixture
def rereads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[str, int], int]]:
    asked: list[tuple[tuple[str, int], int]] = []

    async def reread(consumer: Any, tp: tuple[str, int], offset: int) -> bool:
        asked.append((tp, offset))
        return True

    monkeypatch.setattr(app_module.fetch_stamps, "reread", reread)
    return asked


async def _batches(owner: _Owner, events: list[Any]) -> list[tuple[Any, list[int]]]:
    out = await owner._batches(events)
    for tp, claim, _ in out:
        assert claim is owner.eos._claims[tp], "a batch carries the claim it was admitted under"
    return [(tp, [e.message.offset for e in evs]) for tp, _, evs in out]


def test_events_below_the_floor_are_dropped_after_the_claim(rereads: list[Any]) -> None:
    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 0): 105, (RAW, 1): 0})
        owner = _Owner(app, eos)
        eos.owned.update({(RAW, 0), (RAW, 1)})  # assigned; the claim has not begun
        # Faust sought partition 0 to 100 before the previous owner's commit up to 105 finished
        events = _run(0, 100, 109) + _run(1, 0, 2)
        pending = asyncio.ensure_future(_batches(owner, events))
        await asyncio.sleep(0.1)
        assert not pending.done(), "nothing may be published before the partition is claimed"
        await eos.claim([_tp(0), _tp(1)], {RAW})
        got = await asyncio.wait_for(pending, 5)
        assert got == [((RAW, 0), list(range(105, 110))), ((RAW, 1), [0, 1, 2])]
        assert owner.skipped("seen") == 5
        # later batches: nothing is held back
        assert await _batches(owner, [_event(0, 110)]) == [((RAW, 0), [110])]
        # a batch wholly below what was processed publishes nothing
        assert await _batches(owner, [_event(0, 101), _event(0, 104)]) == []
        assert rereads == []

    asyncio.run(run())


def test_events_handed_over_twice_are_processed_once(rereads: list[Any]) -> None:
    """Faust resumed before it sought: 582..672 came, then again after the seek to 582."""

    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 3): 582})
        owner = _Owner(app, eos)
        await eos.claim([_tp(3)], {RAW})
        assert await _batches(owner, _run(3, 582, 672, run=1)) == [((RAW, 3), list(range(582, 673)))]
        again = _run(3, 582, 690, run=2)  # the run after the seek goes on past the first
        assert await _batches(owner, again) == [((RAW, 3), list(range(673, 691)))]
        assert owner.skipped("seen") == 91
        assert rereads == []

    asyncio.run(run())


def test_a_hole_is_never_processed_past_and_is_re_read(
    rereads: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faust dropped 648..689 after aiokafka's position passed them; 690.. arrive."""

    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 1): 600})
        owner = _Owner(app, eos)
        monkeypatch.setattr(app_module.fetch_stamps, "latest_run", lambda: 5)  # runs 1..5 have started
        await eos.claim([_tp(1)], {RAW})
        assert await _batches(owner, _run(1, 600, 647, run=5)) == [((RAW, 1), list(range(600, 648)))]
        after_hole = [_event(1, o, run=5) for o in range(690, 700)]  # since=offset: 689 came before
        assert await _batches(owner, after_hole) == []
        assert rereads == [((RAW, 1), 648)]
        assert owner.skipped("hole") == 10
        # more of the same run (queued before the seek took effect): no second re-read
        assert await _batches(owner, [_event(1, o, run=5) for o in range(700, 705)]) == []
        assert rereads == [((RAW, 1), 648)]
        # the re-read run starts at 648 and covers everything
        assert await _batches(owner, _run(1, 648, 704, run=6)) == [((RAW, 1), list(range(648, 705)))]
        assert rereads == [((RAW, 1), 648)]

    asyncio.run(run())


def test_commit_markers_between_events_are_not_holes(rereads: list[Any]) -> None:
    """wire.dedup is written in transactions: each leaves a marker offset that is never delivered."""

    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 0): 10})
        owner = _Owner(app, eos)
        await eos.claim([_tp(0)], {RAW})
        events = [
            _event(0, 10, since=10),
            _event(0, 11, since=11),
            _event(0, 13, since=12),
            _event(0, 20, 14),
        ]
        assert await _batches(owner, events) == [((RAW, 0), [10, 11, 13, 20])]
        assert rereads == []

    asyncio.run(run())


def test_events_fetched_before_a_rebalance_count_when_they_continue_the_run(rereads: list[Any]) -> None:
    async def run() -> None:
        app = _app(generation=3)
        eos = _outputs(app, {(RAW, 0): 50})
        owner = _Owner(app, eos)
        await eos.claim([_tp(0)], {RAW})
        app.consumer_generation_id = 4  # rebalanced: batches wait for the new claim
        pending = asyncio.ensure_future(_batches(owner, [_event(0, 50)]))
        await asyncio.sleep(0.1)
        assert not pending.done()
        await eos.claim([_tp(0)], {RAW})
        assert await asyncio.wait_for(pending, 5) == [((RAW, 0), [50])]
        # an event fetched before the rebalance is still the record at its offset
        assert await _batches(owner, [_event(0, 51)]) == [((RAW, 0), [51])]

    asyncio.run(run())


def test_waiting_for_a_claim_does_not_block_a_revocation(rereads: list[Any]) -> None:
    async def run() -> None:
        app = _app()
        eos = _outputs(app, {})
        owner = _Owner(app, eos)
        eos.owned.add((RAW, 0))  # assigned, claim not begun
        pending = asyncio.ensure_future(_batches(owner, [_event(0, 7)]))
        await asyncio.sleep(0.1)
        assert not pending.done()
        app.consumer.flow_active = False  # Faust stops the flow, then waits for in-flight events
        assert await asyncio.wait_for(pending, 5) == []
        # released partitions: their events are dropped, not published
        app.consumer.flow_active = True
        await eos.claim([_tp(0)], {RAW})
        await eos.release([_tp(0)])
        assert await _batches(owner, [_event(0, 8)]) == []
        assert owner.skipped("not_owned") == 2

    asyncio.run(run())


def test_a_partition_whose_last_events_never_arrived_is_re_read(
    rereads: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No later event shows the hole: the housekeeping check compares with what was fetched."""

    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 2): 30})
        owner = _Owner(app, eos)
        await eos.claim([_tp(2)], {RAW})
        assert await _batches(owner, _run(2, 30, 39, run=7)) == [((RAW, 2), list(range(30, 40)))]
        fetched = {(RAW, 2): (7, 44)}  # the fetcher got 40..44; the agent never saw them
        monkeypatch.setattr(app_module.fetch_stamps, "fetched", lambda consumer, tp: fetched.get(tp))
        monkeypatch.setattr(app_module.fetch_stamps, "latest_run", lambda: 7)
        clock = [1000.0]
        monkeypatch.setattr(app_module.time, "monotonic", lambda: clock[0])
        owner._cursors[(RAW, 2)].moved_at = clock[0]
        await owner._check_stalled_inputs()
        assert rereads == [], "not yet: the agent may just be behind"
        clock[0] += app_module.STALLED_INPUT_S + 1
        await owner._check_stalled_inputs()
        assert rereads == [((RAW, 2), 40)]
        clock[0] += app_module.STALLED_INPUT_S + 1
        await owner._check_stalled_inputs()
        assert rereads == [((RAW, 2), 40)], "the re-read is given time"

    asyncio.run(run())


def test_a_batch_of_an_ended_claim_is_never_committed(rereads: list[Any]) -> None:
    """Revoked and given back: the new claim's floor was read before the old batch, which is redone."""

    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 0): 10})
        await eos.claim([_tp(0)], {RAW})
        old = eos._claims[(RAW, 0)]
        await eos.release([_tp(0)])
        await eos.claim([_tp(0)], {RAW})
        with pytest.raises(PartitionRevoked, match="claimed again"):
            await eos.commit((RAW, 0), [], 11, old)

    asyncio.run(run())


def test_a_revocation_waits_for_a_running_transaction_before_closing_its_producer(rereads: list[Any]) -> None:
    async def run() -> None:
        app = _app()
        eos = _outputs(app, {(RAW, 0): 10})
        await eos.claim([_tp(0)], {RAW})
        dropped: list[Any] = []

        async def drop(tp: tuple[str, int]) -> None:
            dropped.append(tp)

        eos._drop = drop  # type: ignore[method-assign]
        committing = asyncio.Event()
        finish = asyncio.Event()

        async def transaction() -> None:  # stands for commit(): it holds the partition's lock
            async with eos._lock((RAW, 0)):
                committing.set()
                await finish.wait()
                assert dropped == [], "the producer must not be closed under a running transaction"

        running = asyncio.ensure_future(transaction())
        await committing.wait()
        releasing = asyncio.ensure_future(eos.release([_tp(0)]))
        await asyncio.sleep(0.1)
        assert not releasing.done() and (RAW, 0) not in eos.owned
        finish.set()
        await asyncio.wait_for(asyncio.gather(running, releasing), 5)
        assert dropped == [(RAW, 0)]

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
            claim = await eos.ready_claim((topic, 0))
            assert claim is not None and claim.floor == 42
            with pytest.raises(KafkaError):
                await old.commit_transaction()  # fenced: its batch is redone by the new owner
        finally:
            await old.stop()
            await eos.close()

    asyncio.run(run())
