"""Plain aiokafka clients for the CLI and tests: the one place they are built.

The worker's own consumption goes through Faust (streams/app.py); everything
else that talks to Kafka — producing a backfill, pushing route rules, tailing a
route, reading outputs for a report — comes through here, configured from the
same Settings (bootstrap and security).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.settings import Settings


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: float


@asynccontextmanager
async def producer(s: Settings, *, transactional_id: str | None = None) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(
        bootstrap_servers=s.kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=max(s.max_message_bytes + 1_000_000, 1_048_576),
        transactional_id=transactional_id,
        **s.kafka_client_kwargs(),
    )
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


async def ensure_topics(s: Settings, routes: Iterable[str] = ()) -> None:
    """Create the topology's topics (idempotent). ``wire.routes`` is compacted."""
    wanted = [
        NewTopic(t, s.partitions, s.replication)
        for t in (
            s.topic_raw,
            s.topic_dedup,
            s.topic_enriched,
            s.topic_duplicates,
            s.topic_dlq,
            *(s.topic_for_route(r) for r in routes),
        )
    ]
    wanted.append(NewTopic(s.topic_routes, 1, s.replication, topic_configs={"cleanup.policy": "compact"}))
    admin = AIOKafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, **s.kafka_client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def read_topics(
    s: Settings,
    topics: Sequence[str],
    *,
    from_beginning: bool = True,
    idle_timeout: float = 3.0,
    total_timeout: float | None = None,
    follow: bool = False,
    committed_only: bool = True,
) -> AsyncIterator[Record]:
    """Read ``topics`` without a consumer group.

    Stops after ``idle_timeout`` seconds without a new record (unless ``follow``)
    or at ``total_timeout``. ``committed_only`` reads with ``read_committed`` so
    aborted transactional writes are never shown.
    """
    c = AIOKafkaConsumer(
        bootstrap_servers=s.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=max(s.max_message_bytes + 1_000_000, 1_048_576),
        fetch_max_bytes=max(s.max_message_bytes + 1_000_000, 52_428_800),
        **s.kafka_client_kwargs(),
    )
    await c.start()
    try:
        tps = await topic_partitions(c, topics)
        if not tps:
            return
        c.assign(tps)
        if from_beginning:
            await c.seek_to_beginning(*tps)
        else:
            await c.seek_to_end(*tps)
        loop = asyncio.get_running_loop()
        deadline = None if total_timeout is None else loop.time() + total_timeout
        while True:
            wait = idle_timeout if not follow else 1.0
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - loop.time()))
            batch = await c.getmany(timeout_ms=int(wait * 1000), max_records=1000)
            got = False
            for tp, msgs in batch.items():
                for m in msgs:
                    got = True
                    yield Record(tp.topic, tp.partition, m.offset, m.key, m.value, m.timestamp / 1000.0)
            if deadline is not None and loop.time() >= deadline:
                return
            if not got and not follow:
                return
    finally:
        await c.stop()


async def topic_partitions(c: AIOKafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    """Partitions of the existing ``topics`` (a full metadata fetch: the consumer's
    own cache only knows topics it has subscribed to)."""
    cluster = await c._client.fetch_all_metadata()  # aiokafka's client; no public equivalent
    tps: list[TopicPartition] = []
    for t in topics:
        for p in sorted(cluster.partitions_for_topic(t) or ()):
            tps.append(TopicPartition(t, p))
    return tps


async def wait_for_broker(s: Settings, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: Exception | None = None
    while loop.time() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, **s.kafka_client_kwargs())
        try:
            await admin.start()
            await admin.list_topics()
            return
        except Exception as exc:
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise TimeoutError(f"Kafka at {s.kafka_bootstrap} did not answer within {timeout} s: {last}")
