"""The input gate's adapter to aiokafka and Faust (the gate itself: ``streams/input_gate.py``).

* ``FetchResult.getall`` (aiokafka, in Faust's consumer thread) stamps every record it
  returns with ``since`` and ``run``: aiokafka returns a partition's records only when
  they start at its current position and moves the position past each record and past
  the markers and aborted records after it. So a record's ``since`` is the offset after
  the record before it in the same run, and a run's first record's is the position the
  run started at. A call that does not start where the previous one of its partition
  ended starts a new fetch run (a seek, a reset, a new assignment). The partition state
  keeps the run and its last record for ``fetched``.
* Faust's ``_to_message`` copies both stamps onto the message (``FetchedMessage``, a
  ``ConsumerMessage``: Faust tracks it for acks and its sensors count it, as its own).
* Faust's fetch loop drops records at or below the last offset it handed on
  (``_read_offset``), which would also drop what a re-read fetches again: for the
  gated topics it hands everything on, and the gate drops what was already processed.

Installed once per process by ``install``; topics are gated per consumer (``gate_topics``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import defaultdict
from typing import Any

log = logging.getLogger("wirefeed.input")

_runs = itertools.count(1)
_latest_run = 0  # written by the consumer thread, read by the agents (an int: atomic under the GIL)


def latest_run() -> int:
    return _latest_run


def _new_run() -> int:
    global _latest_run
    _latest_run = next(_runs)
    return _latest_run


class _GatedReadOffsets(defaultdict):  # type: ignore[type-arg]
    """Faust's ``_read_offset``, reading as "nothing handed on yet" for gated topics."""

    gated: frozenset[str] = frozenset()

    def __getitem__(self, tp: Any) -> Any:
        if tp.topic in self.gated:
            return None
        return super().__getitem__(tp)


def install() -> None:
    from aiokafka.consumer.fetcher import FetchResult
    from faust.transport import consumer as faust_consumer
    from faust.transport.drivers import aiokafka as faust_aiokafka
    from faust.types.tuples import ConsumerMessage

    if getattr(FetchResult, "_wirefeed_stamped", False):
        return

    getall = FetchResult.getall

    def stamped_getall(self: Any, max_records: int | None = None) -> list[Any]:
        state = None
        start = None
        assignment = self._assignment
        if assignment.active:
            state = assignment.state_value(self._topic_partition)
            if state is not None and state.has_valid_position:
                start = state.position
        records = getall(self, max_records)
        if start is None or state is None:
            return records
        d = state.__dict__
        continues = d.get("wirefeed_run") is not None and d.get("wirefeed_end") == start
        if not records:
            if continues:  # only markers or aborted records were passed: the run goes on
                state.wirefeed_end = state.position
            return records
        if continues:
            run, since = d["wirefeed_run"], d["wirefeed_next"]
        else:
            run, since = _new_run(), start
        for record in records:
            record.since = since
            record.run = run
            since = record.offset + 1
        state.wirefeed_run = run
        state.wirefeed_next = since
        state.wirefeed_end = state.position
        state.wirefeed_last = records[-1].offset
        return records

    class FetchedMessage(ConsumerMessage):  # a ConsumerMessage: Faust tracks and acks it as its own
        __slots__ = ("run", "since")

    def to_message(self: Any, tp: Any, record: Any) -> Any:
        timestamp = record.timestamp
        msg = FetchedMessage(
            record.topic,
            record.partition,
            record.offset,
            timestamp / 1000.0 if timestamp is not None else None,  # type: ignore[arg-type]
            record.timestamp_type,
            record.headers,
            record.key,
            record.value,
            record.checksum,
            record.serialized_key_size,
            record.serialized_value_size,
            tp,
            generation_id=self.app.consumer_generation_id,
        )
        msg.since = getattr(record, "since", None)
        msg.run = getattr(record, "run", 0)
        return msg

    consumer_init = faust_consumer.Consumer.__init__

    def init_consumer(self: Any, *args: Any, **kwargs: Any) -> None:
        consumer_init(self, *args, **kwargs)
        self._read_offset = _GatedReadOffsets(lambda: None)

    FetchResult.getall = stamped_getall  # type: ignore[method-assign]
    faust_aiokafka.Consumer._to_message = to_message  # type: ignore[method-assign]
    faust_consumer.Consumer.__init__ = init_consumer  # type: ignore[method-assign]
    FetchResult._wirefeed_stamped = True  # type: ignore[attr-defined]


def gate_topics(consumer: Any, topics: set[str]) -> None:
    """Hand every fetched record of ``topics`` on to the agents (the gate drops repeats)."""
    offsets = getattr(consumer, "_read_offset", None)
    if isinstance(offsets, _GatedReadOffsets):
        offsets.gated = frozenset(topics)


def _kafka_consumer(consumer: Any) -> Any:
    thread = getattr(consumer, "_thread", None)
    return getattr(thread, "_consumer", None)


def fetched(consumer: Any, tp: tuple[str, int]) -> tuple[int, int] | None:
    """(run, last record offset) of the fetcher's current run of ``tp``; None before any record."""
    from aiokafka import TopicPartition

    kafka = _kafka_consumer(consumer)
    try:
        state = kafka._subscription.subscription.assignment.state_value(TopicPartition(*tp))
    except Exception:
        return None
    if state is None:
        return None
    run, last = state.__dict__.get("wirefeed_run"), state.__dict__.get("wirefeed_last")
    return None if run is None or last is None else (run, last)


async def reread(consumer: Any, tp: tuple[str, int], offset: int) -> bool:
    """Seek ``tp`` to ``offset`` in the consumer's own thread (aiokafka is not thread-safe)."""
    from aiokafka import TopicPartition

    kafka = _kafka_consumer(consumer)
    if kafka is None:
        return False

    async def seek() -> None:
        kafka.seek(TopicPartition(*tp), offset)

    try:
        await asyncio.wait_for(consumer._thread.call_thread(seek), 10.0)
        return True
    except Exception as exc:  # not assigned any more, or stopping: its next owner reads it
        log.info("could not re-read %s[%d] from %d: %s", tp[0], tp[1], offset, exc)
        return False


async def earliest(consumer: Any, tp: tuple[str, int]) -> int | None:
    """The first offset still in the log of ``tp`` (None when it cannot be read now)."""
    from aiokafka import TopicPartition

    t = TopicPartition(*tp)
    try:
        offsets = await asyncio.wait_for(consumer.earliest_offsets(t), 10.0)
    except Exception as exc:
        log.info("cannot read the log start of %s[%d]: %s", tp[0], tp[1], exc)
        return None
    value = offsets.get(t)
    return int(value) if value is not None else None

