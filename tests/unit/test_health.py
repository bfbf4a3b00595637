"""Lag on transactional topics: commit markers are not messages waiting to be processed.

``wire.dedup`` is written in transactions: commit and abort markers, and the records of
aborted transactions, take offsets that are never handed to an agent, so several can
follow the last record.
A worker that has fetched past them and committed everything it read is caught up;
one that has not fetched that far, or holds read but uncommitted events, is behind.
"""

from __future__ import annotations

from collections import namedtuple
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from streams.health import Health
from streams.metrics import Metrics

TP = namedtuple("TP", "topic partition")
DEDUP, RAW = "wire.dedup", "wire.raw"


class _Consumer:
    """Faust's consumer as Health reads it, over aiokafka's subscription state."""

    def __init__(self, highwater: int, committed: int, read: int | None, position: int | None) -> None:
        self.hw = highwater
        self._committed_offset = {TP(DEDUP, 0): committed, TP(RAW, 0): committed}
        self._read_offset = {TP(DEDUP, 0): read, TP(RAW, 0): read}
        state = None if position is None else SimpleNamespace(position=position)
        assignment = SimpleNamespace(state_value=lambda tp: state)
        subs = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))
        client = SimpleNamespace(_fetcher=SimpleNamespace(_subscriptions=subs))
        self._thread = SimpleNamespace(_ensure_consumer=lambda: client)

    def assignment(self) -> set[Any]:
        return {TP(DEDUP, 0), TP(RAW, 0)}

    def highwater(self, tp: Any) -> int:
        return self.hw


def _lag(consumer: _Consumer, topic: str = DEDUP) -> int:
    health = Health(
        SimpleNamespace(consumer=consumer),
        Metrics(CollectorRegistry()),
        stall_seconds=30,
        topics=(RAW, DEDUP),
        transactional_topics=(DEDUP,),
    )
    health.sample()
    return health.progress[(topic, 0)].lag


def test_markers_after_the_last_record_are_not_lag() -> None:
    # records up to 96, committed 97, three markers (97..99): high watermark 100, fetched to 100
    assert _lag(_Consumer(highwater=100, committed=97, read=96, position=100)) == 0


def test_records_not_yet_fetched_are_lag() -> None:
    assert _lag(_Consumer(highwater=100, committed=97, read=96, position=97)) == 3


def test_events_read_but_not_committed_are_lag() -> None:
    assert _lag(_Consumer(highwater=100, committed=97, read=99, position=100)) == 3


def test_without_a_position_only_a_single_marker_is_forgiven() -> None:
    assert _lag(_Consumer(highwater=98, committed=97, read=96, position=None)) == 0
    assert _lag(_Consumer(highwater=100, committed=97, read=96, position=None)) == 3


def test_plain_topics_count_every_offset() -> None:
    assert _lag(_Consumer(highwater=100, committed=97, read=96, position=100), topic=RAW) == 3
