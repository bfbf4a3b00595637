"""Fetch stamps against the real broker: ``since`` is a fact about the log, runs change on a seek.

A partition written in transactions (commit markers, an aborted transaction) is read
``read_committed`` through aiokafka with the stamps installed, as the worker reads
wire.dedup; then Faust's message conversion and read-offset filter are checked.
"""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams import fetch_stamps
from tests.support import create_topic

pytestmark = pytest.mark.kafka


async def _read(consumer: AIOKafkaConsumer, want: int) -> list[Any]:
    got: list[Any] = []
    for _ in range(100):
        for records in (await consumer.getmany(timeout_ms=200, max_records=2)).values():
            got += records
        if len(got) >= want:
            break
    return got


def test_since_spans_markers_and_aborted_records_and_a_seek_starts_a_run(kafka_bootstrap: str) -> None:
    fetch_stamps.install()
    topic = f"t{uuid.uuid4().hex[:8]}.stamps"
    tp = TopicPartition(topic, 0)

    async def run() -> None:
        await create_topic(kafka_bootstrap, topic, 1)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic}-tx")
        await producer.start()
        try:
            for values, commit in (([b"a", b"b"], True), ([b"c", b"d"], False), ([b"e"], True)):
                await producer.begin_transaction()
                for v in values:
                    await producer.send_and_wait(topic, v, partition=0)
                await (producer.commit_transaction() if commit else producer.abort_transaction())
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, isolation_level="read_committed")
        await consumer.start()
        try:
            consumer.assign([tp])
            consumer.seek(tp, 0)
            first = await _read(consumer, 3)
            assert [r.value for r in first] == [b"a", b"b", b"e"]
            a, b, e = first
            assert (a.since, b.since) == (0, a.offset + 1)
            # between b and e: b's commit marker, c, d and the abort marker — no committed record
            assert e.since == b.offset + 1 and e.offset - e.since == 4
            assert a.run == b.run == e.run, "max_records=2: two calls, one contiguous run"
            consumer.seek(tp, b.offset)
            again = await _read(consumer, 2)
            assert [r.value for r in again] == [b"b", b"e"]
            assert again[0].since == b.offset and again[1].since == b.offset + 1
            assert again[0].run > e.run and again[0].run == fetch_stamps.latest_run()
        finally:
            await consumer.stop()

    asyncio.run(run())


def test_faust_messages_carry_the_stamps_and_gated_topics_are_not_filtered() -> None:
    fetch_stamps.install()
    from faust.transport.drivers import aiokafka as faust_aiokafka
    from faust.types import TP
    from faust.types.tuples import ConsumerMessage

    record = SimpleNamespace(
        topic="t.wire.raw",
        partition=0,
        offset=12,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        headers=[],
        key=b"k",
        value=b"v",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=1,
        since=9,
        run=4,
    )
    owner = SimpleNamespace(app=SimpleNamespace(consumer_generation_id=2))
    msg = faust_aiokafka.Consumer._to_message(owner, TP("t.wire.raw", 0), record)  # type: ignore[arg-type]
    assert (msg.offset, msg.since, msg.run, msg.generation_id) == (12, 9, 4, 2)
    assert msg.timestamp == 1_700_000_000.0
    # as Faust's own: tracked until acked (revocation and shutdown wait for it; sensors count it)
    assert isinstance(msg, ConsumerMessage) and msg.tracked is False

    offsets = SimpleNamespace(_read_offset=fetch_stamps._GatedReadOffsets(lambda: None))
    read = offsets._read_offset
    read[TP("t.wire.raw", 0)] = 40
    read[TP("t.changelog", 0)] = 40
    fetch_stamps.gate_topics(offsets, {"t.wire.raw"})
    assert read[TP("t.wire.raw", 0)] is None, "a re-read of the gated topic must reach the gate"
    assert read[TP("t.changelog", 0)] == 40, "other topics keep Faust's filter"
    assert read.get(TP("t.wire.raw", 0)) == 40, "health still sees what was handed on"
