"""Liveness, readiness and stall detection.

The failure Faust users report most is the silent stall: a worker that is alive
while its committed offsets stop moving (typically after a rebalance). We sample
each assigned partition's high watermark and committed offset; a partition with
lag > 0 whose committed offset has not moved for ``stall_seconds`` makes the
worker not ready, and so does a broker that does not answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from streams.metrics import Metrics


@dataclass(slots=True)
class PartitionProgress:
    committed: int | None = None
    highwater: int = 0
    lag: int = 0
    last_moved: float = field(default_factory=time.time)
    behind_since: float | None = None


class Health:
    def __init__(
        self,
        app: Any,
        metrics: Metrics,
        *,
        stall_seconds: float,
        topics: tuple[str, ...],
        bootstrap: str = "",
        transactional_topics: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.stall_seconds = stall_seconds
        self.topics = set(topics)
        self.bootstrap = bootstrap
        self.transactional_topics = set(transactional_topics)
        self.progress: dict[tuple[str, int], PartitionProgress] = {}
        self.broker_ok = True

    def on_rebalance(self) -> None:
        # a partition newly assigned has not had a chance to move yet
        now = time.time()
        for p in self.progress.values():
            p.last_moved = max(p.last_moved, now)

    def sample(self) -> None:
        consumer = getattr(self.app, "consumer", None)
        if consumer is None:
            return
        now = time.time()
        try:
            assigned = set(consumer.assignment())
        except Exception:
            return
        read_map = getattr(consumer, "_read_offset", {})  # Faust: last offset handed to an agent
        committed_map = getattr(consumer, "_committed_offset", {})  # Faust: next offset to read, per TP
        m = self.metrics
        seen: set[tuple[str, int]] = set()
        for tp in assigned:
            if tp.topic not in self.topics:
                continue
            key = (tp.topic, tp.partition)
            seen.add(key)
            p = self.progress.setdefault(key, PartitionProgress())
            try:
                hw = int(consumer.highwater(tp) or 0)
            except Exception:
                hw = p.highwater
            committed = committed_map.get(tp)
            if committed != p.committed:
                p.committed = committed
                p.last_moved = now
                if committed is not None:
                    m.last_commit.labels(tp.topic, str(tp.partition)).set(now)
                    m.committed_offset.labels(tp.topic, str(tp.partition)).set(committed)
            p.highwater = hw
            # Faust's committed offset is the next offset to read (Kafka's convention)
            p.lag = max(0, hw - (committed if committed is not None else 0))
            if p.lag and tp.topic in self.transactional_topics and committed is not None:
                # Commit and abort markers, and the records of aborted transactions, take offsets
                # but are never handed to an agent, so several can follow the last record.
                # Caught up: nothing handed to an agent is uncommitted, and the fetch position
                # is at the high watermark (or, without a position, lag 1: one commit marker).
                read = read_map.get(tp)
                if read is None or read + 1 <= committed:
                    position = _fetch_position(consumer, tp)
                    if (position is not None and position >= hw) or p.lag == 1:
                        p.lag = 0
            if p.lag > 0 and p.behind_since is None:
                p.behind_since = now
            elif p.lag == 0:
                p.behind_since = None
            m.lag_messages.labels(tp.topic, str(tp.partition)).set(p.lag)
            behind = 0.0 if p.behind_since is None else now - max(p.behind_since, p.last_moved)
            m.lag_seconds.labels(tp.topic, str(tp.partition)).set(behind)
        for key in list(self.progress):
            if key not in seen:  # revoked: stop reporting it
                del self.progress[key]
                for g in (m.lag_messages, m.lag_seconds, m.last_commit, m.committed_offset):
                    with contextlib.suppress(KeyError):
                        g.remove(key[0], str(key[1]))
        m.ready.set(1 if self.ready()[0] else 0)

    async def check_broker(self) -> None:
        host, _, port = (self.bootstrap.split(",")[0] or "127.0.0.1:9092").rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout=2.0)
            writer.close()
            self.broker_ok = True
        except (OSError, TimeoutError, ValueError):
            self.broker_ok = False

    def stalled(self) -> list[dict[str, Any]]:
        now = time.time()
        out = []
        for (topic, partition), p in self.progress.items():
            if p.lag > 0 and now - p.last_moved > self.stall_seconds:
                out.append(
                    {
                        "topic": topic,
                        "partition": partition,
                        "lag": p.lag,
                        "seconds_without_commit": round(now - p.last_moved, 1),
                    }
                )
        return out

    def ready(self) -> tuple[bool, dict[str, Any]]:
        stalled = self.stalled()
        ok = self.broker_ok and not stalled
        return ok, {
            "ready": ok,
            "broker_reachable": self.broker_ok,
            "stalled_partitions": stalled,
            "assigned_partitions": len(self.progress),
            "stall_seconds": self.stall_seconds,
        }


def _fetch_position(consumer: Any, tp: Any) -> int | None:
    """The next offset the Kafka client hands to Faust for ``tp``, read as Faust's own stall check does.

    aiokafka moves it past commit markers once it has fetched them. ``None`` when the
    client's internals are not there (another transport, a test double).
    """
    try:
        from aiokafka import TopicPartition

        client = consumer._thread._ensure_consumer()
        state = client._fetcher._subscriptions.subscription.assignment.state_value(
            TopicPartition(tp.topic, tp.partition)
        )
        return None if state is None or state.position is None else int(state.position)
    except Exception:
        return None
