"""Exactly-once outputs: one Kafka transaction per input partition and batch.

Why not Faust's own ``processing_guarantee="exactly_once"``: Faust derives the
transactional id from the *destination* partition of each send, and commits a
transaction when offsets of the *source* partition with that number commit. In a
topology that re-keys (wire.raw -> wire.dedup) or whose outputs land on other
partition numbers, records sit in transactions that only commit when unrelated
traffic reaches the same partition number — or commit with the offsets of
another partition, so a crash can lose them. We measured the first symptom
(outputs invisible to ``read_committed`` consumers until unrelated traffic
arrives) on Kafka 4.0.2 with faust-streaming 0.15.3.

So Faust runs at-least-once (it still owns consumption, rebalancing and table
recovery) and the agents publish through this adapter instead:

* one transactional producer per *input* partition, ``transactional.id =
  <app>-<topic>-<partition>``: the worker that takes a partition over fences
  the previous owner's producer (Kafka's EOS-v1 task model);
* per batch and input partition: begin, send every output, add the next input
  offset with ``send_offsets_to_transaction``, commit — outputs and progress are
  atomic;
* Faust's own offset commits are told what we committed, so they never move the
  group's offset backwards;
* wire.dedup is read ``read_committed``, so aborted intermediate records are
  never processed.

State changes go into the same transactions: the agents write a batch's changed
keys to the local store and publish their changelog records with the outputs
(``table_cache.PartitionState.flush_records``); recovery reads changelogs
``read_committed``. A worker that did not stop cleanly rebuilds its local state
from the changelogs (``cli._mark_running``). As a second line, the dedup state
remembers which input message produced each verdict (``dedup.replayed_verdict``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError, ProducerFenced
from aiokafka.partitioner import murmur2

from streams.settings import Settings

log = logging.getLogger("wirefeed.transactions")

# below the broker's default message.max.bytes (1 MiB + 12), which bounds a record batch
_BATCH_BYTES = 512 * 1024

# A transaction that follows another on the same producer can reach the broker while the previous
# commit's markers are still being written (about a millisecond on a local broker). Kafka then answers
# CONCURRENT_TRANSACTIONS (to AddPartitionsToTxn and AddOffsetsToTxn) or, from its KIP-890
# verification, NOT_ENOUGH_REPLICAS (to a produce), and aiokafka retries after retry_backoff_ms —
# 100 ms by default — or, for AddPartitionsToTxn only, after a fixed 20 ms (KAFKA-5477). Under a
# backlog each partition's transactions follow each other directly, so those waits were most of a
# transaction's time. Measured with back-to-back transactions of one 3 KB record and an offset
# commit on the local broker (docs/performance.md, "Transactions back to back"): p50 24 ms with
# aiokafka's waits, 9.6 ms with the 5 ms AddPartitionsToTxn wait used until then, 5.7 ms with 1 ms
# (each retry is one small request to the coordinator). The general retry backoff stays at 20 ms:
# 2 ms took the tail from 34 to 8 ms, but aiokafka also waits it between metadata and connection
# attempts, which would spin while a broker is down.
_RETRY_BACKOFF_MS = 20
_ADD_PARTITIONS_BACKOFF_S = 0.001

# how long a revocation waits for a partition's running transaction before closing its producer
RELEASE_WAIT_S = 30.0

# topic, key, value (None: a tombstone), partition (None: by key)
Output = tuple[str, bytes | None, bytes | None, int | None]


class PartitionRevoked(Exception):
    """The input partition was taken over; its new owner redoes this batch."""


class Claim:
    """One assignment of an input partition to this worker: ready once fenced and its floor is known."""

    __slots__ = ("floor", "generation", "ready", "released")

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.ready = False
        self.released = False
        self.floor = 0  # the group's committed offset read after the fence: nothing below is ours


def adapt_faust_for_transactions() -> None:
    """Two changes to Faust's consumer when wirefeed owns the transactions.

    * read ``read_committed``: Faust only switches isolation when it runs its own
      transactions; aiokafka takes the level at ``start()``, so setting it on the
      freshly created consumer is enough;
    * never commit offsets itself: they are committed inside our transactions.
      Faust would otherwise commit *acknowledged* offsets on rebalance, stop or an
      agent error — including those of a batch whose transaction never committed;
    * table recovery must know changelogs are transactional: the last offset of a
      changelog partition is then a commit marker that is never delivered, and
      Faust waits for it forever unless it checks the consumer position, which it
      does only when it runs transactions itself.
    """
    from faust.tables import recovery as faust_recovery
    from faust.transport import consumer as faust_consumer
    from faust.transport.drivers import aiokafka as faust_aiokafka

    cls = faust_aiokafka.AIOKafkaConsumerThread
    if getattr(cls, "_wirefeed_adapted", False):
        return
    original = cls._create_worker_consumer

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._isolation_level = "read_committed"
        return consumer

    async def commit(self: Any, topics: Any = None, start_new_transaction: bool = True) -> bool:
        return False

    recovery_init = faust_recovery.Recovery.__init__

    def init_recovery(self: Any, app: Any, tables: Any, **kwargs: Any) -> None:
        recovery_init(self, app, tables, **kwargs)
        self.app = _TransactionalAppView(app)

    cls._create_worker_consumer = create  # type: ignore[method-assign]
    faust_consumer.Consumer.commit = commit  # type: ignore[method-assign,assignment]
    faust_recovery.Recovery.__init__ = init_recovery  # type: ignore[method-assign]
    cls._wirefeed_adapted = True  # type: ignore[attr-defined]


class _TransactionalAppView:
    """The app as table recovery should see it: changelogs are written in transactions."""

    def __init__(self, app: Any) -> None:
        object.__setattr__(self, "_app", app)

    in_transaction = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._app, name, value)


def _shorten_add_partitions_backoff() -> None:
    """Set aiokafka's AddPartitionsToTxn retry override (a module constant, read on every retry)."""
    from aiokafka.producer import sender

    if isinstance(getattr(sender, "BACKOFF_OVERRIDE", None), float):
        sender.BACKOFF_OVERRIDE = _ADD_PARTITIONS_BACKOFF_S


class TransactionalOutputs:
    def __init__(self, settings: Settings, app: Any) -> None:
        _shorten_add_partitions_backoff()
        self.settings = settings
        self.app = app
        self.group_id = app.conf.id
        self._producers: dict[tuple[str, int], AIOKafkaProducer] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        # input partitions this worker owns, from claim (assigned) to release (revoked):
        # a producer is only ever created for these, so a late batch of a partition that
        # has moved cannot fence its new owner
        self.owned: set[tuple[str, int]] = set()
        self._claims: dict[tuple[str, int], Claim] = {}
        self._admin: AIOKafkaAdminClient | None = None
        self.commits = 0
        self.retries = 0
        # told, after each commit, the offset of the last record it wrote to each topic-partition
        # (the worker records its changelog offsets, so table recovery reads only what is newer)
        self.on_committed: Callable[[dict[tuple[str, int], int]], None] | None = None

    def _tid(self, tp: tuple[str, int]) -> str:
        return f"{self.group_id}-{tp[0]}-{tp[1]}"

    async def _producer(self, tp: tuple[str, int]) -> AIOKafkaProducer:
        p = self._producers.get(tp)
        if p is None:
            s = self.settings
            p = AIOKafkaProducer(
                bootstrap_servers=s.kafka_bootstrap,
                transactional_id=self._tid(tp),
                enable_idempotence=True,
                acks="all",
                linger_ms=0,  # outputs arrive as whole record batches (send_batched): nothing to wait for
                retry_backoff_ms=_RETRY_BACKOFF_MS,
                # a batch's records go out in few large record batches (aiokafka's default of
                # 16 KiB holds two enriched items: a produce request per handful of records)
                max_batch_size=_BATCH_BYTES,
                max_request_size=max(s.max_message_bytes + 1_000_000, 1_048_576),
                **s.kafka_client_kwargs(),
            )
            await p.start()  # init_transactions: fences any older producer of this partition
            self._producers[tp] = p
        return p

    async def commit(
        self, tp: tuple[str, int], outputs: Sequence[Output], next_offset: int, claim: Claim | None = None
    ) -> None:
        """Publish ``outputs`` and mark ``tp`` consumed up to ``next_offset``, atomically.

        Transient failures are retried with backoff (the outputs are already
        computed, so a retry is idempotent). Raises ``PartitionRevoked`` when the
        partition now belongs to another worker — or when ``claim``, the claim the
        batch was admitted under, has ended: after a rebalance that gave the partition
        back to this worker, the new claim's floor was read before this batch, so the
        batch is redone from there rather than published (it would be published twice).
        """
        async with self._lock(tp):
            delay = 0.1
            while True:
                if tp not in self.owned:
                    raise PartitionRevoked(f"{tp[0]}[{tp[1]}] is not ours")
                if claim is not None and (claim.released or self._claims.get(tp) is not claim):
                    raise PartitionRevoked(f"{tp[0]}[{tp[1]}] was claimed again since this batch began")
                try:
                    await self.app.producer.flush()  # table changelogs first: state is never behind outputs
                    p = await self._producer(tp)
                    await p.begin_transaction()
                    try:
                        futures = await send_batched(p, outputs)
                        await p.send_offsets_to_transaction(
                            {TopicPartition(tp[0], tp[1]): next_offset}, self.group_id
                        )
                        await p.commit_transaction()
                    except BaseException:
                        await _quietly(p.abort_transaction())
                        raise
                    sent = await asyncio.gather(*(f for f, _ in futures)) if futures else []
                    self.commits += 1
                    self._tell_faust(tp, next_offset)
                    if self.on_committed is not None:
                        self.on_committed(last_offsets(sent, [n for _, n in futures]))
                    return
                except ProducerFenced as exc:
                    await self._drop(tp)
                    raise PartitionRevoked(f"{tp[0]}[{tp[1]}] fenced") from exc
                except (TimeoutError, KafkaError, OSError) as exc:
                    self.retries += 1
                    log.warning(
                        "transaction for %s[%d] failed (%s); retrying in %.1f s", tp[0], tp[1], exc, delay
                    )
                    await self._drop(tp)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)

    def _tell_faust(self, tp: tuple[str, int], next_offset: int) -> None:
        """Keep Faust's bookkeeping in step so its commits never move offsets back."""
        consumer = self.app.consumer
        for t in consumer.assignment():
            if (t.topic, t.partition) == tp:
                current = consumer._committed_offset.get(t)  # Faust: next offset to read
                if current is None or next_offset > current:
                    consumer._committed_offset[t] = next_offset
                with _suppress():
                    self.app.tables.on_commit({t: next_offset})
                break

    def _lock(self, tp: tuple[str, int]) -> asyncio.Lock:
        return self._locks.setdefault(tp, asyncio.Lock())

    async def claim(self, tps: Iterable[Any], topics: set[str]) -> None:
        """Fence the previous owner of newly assigned input partitions, then read their floor.

        ``init_transactions`` with the partition's transactional id completes or aborts
        whatever transaction the previous owner left (it returns only once a commit
        that was under way has finished), so its late commit fails instead of racing
        ours. Only *then* is the group's committed offset final: Faust seeks to the
        committed offset concurrently with this claim (table recovery runs before the
        assignment signal), so it may have read the offset from before the previous
        owner's last commit and re-fetch events that commit already covers. The offset
        read here is the partition's floor, where the input gate starts; ``ready_claim``
        holds batches back until it is known.
        """
        generation = self.app.consumer_generation_id
        mine = [(t.topic, t.partition) for t in tps if t.topic in topics]
        claims = {}
        for tp in mine:  # before any await: batches of this generation now wait for the claim
            self.owned.add(tp)
            claims[tp] = self._claims[tp] = Claim(generation)
        for tp in mine:
            claim = claims[tp]
            async with self._lock(tp):
                delay = 0.1
                while not claim.released:
                    try:
                        await self._producer(tp)
                        claim.floor = await self._committed(tp)
                        break
                    except (TimeoutError, KafkaError, OSError) as exc:
                        log.warning("cannot claim %s[%d] yet (%s)", tp[0], tp[1], exc)
                        await self._drop(tp)
                        await self._close_admin()
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, 5.0)
                if claim.released:
                    continue
                claim.ready = True
                self._tell_faust(tp, claim.floor)

    async def _committed(self, tp: tuple[str, int]) -> int:
        """The group's committed offset of ``tp`` (0 when it has none)."""
        if self._admin is None:
            s = self.settings
            admin = AIOKafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, **s.kafka_client_kwargs())
            await admin.start()
            self._admin = admin
        offsets = await self._admin.list_consumer_group_offsets(
            self.group_id, partitions=[TopicPartition(tp[0], tp[1])]
        )
        meta = offsets.get(TopicPartition(tp[0], tp[1]))
        return max(meta.offset, 0) if meta is not None else 0

    async def ready_claim(self, tp: tuple[str, int]) -> Claim | None:
        """This worker's claim of ``tp`` in the current generation, once it is done.

        ``None``: the partition is not ours (its owner reads its events from the committed
        offset) or a rebalance is under way. Waiting cannot deadlock a revocation: Faust
        stops the consumer's flow before it waits for in-flight events, which ends the wait.
        """
        consumer = self.app.consumer
        while True:
            if tp not in self.owned:
                return None
            claim = self._claims.get(tp)
            if claim is not None and claim.generation == self.app.consumer_generation_id:
                if claim.released:
                    return None
                if claim.ready:
                    return claim
            if not getattr(consumer, "flow_active", True):
                return None
            await asyncio.sleep(0.02)

    def ready_claims(self) -> list[tuple[tuple[str, int], Claim]]:
        """Claims of the current generation that are done and not released."""
        gen = self.app.consumer_generation_id
        return [
            (tp, c)
            for tp, c in self._claims.items()
            if tp in self.owned and c.ready and not c.released and c.generation == gen
        ]

    async def release(self, tps: Iterable[Any]) -> None:
        """Revoked partitions: no batch of theirs starts a transaction any more; a running one ends first.

        Faust does not always wait for in-flight batches at a revocation (it skips that
        when the consumer reports no assignment, as aiokafka does during an eager
        rebalance), so a transaction may be committing right now. Closing its producer
        under it left ``commit_transaction`` waiting forever, holding the partition's
        lock, and the next claim of the partition waited for that lock forever (found
        by the fault suite's scale-out scenario). So each producer is closed only once
        the partition's lock is free: the running transaction commits (the next owner's
        fence and floor come after it) or fails.
        """
        mine = [(t.topic, t.partition) for t in tps]
        for tp in mine:
            self.owned.discard(tp)
            claim = self._claims.get(tp)  # kept, released: late batches of it are dropped
            if claim is not None:
                claim.released = True
        for tp in mine:
            lock = self._lock(tp)
            try:
                await asyncio.wait_for(lock.acquire(), RELEASE_WAIT_S)
            except TimeoutError:
                log.warning("a transaction of %s[%d] runs after %.0f s; closing it", *tp, RELEASE_WAIT_S)
                await self._drop(tp)
                continue
            try:
                await self._drop(tp)
            finally:
                lock.release()

    async def _close_admin(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            await _quietly(admin.close())

    async def _drop(self, tp: tuple[str, int]) -> None:
        p = self._producers.pop(tp, None)
        if p is not None:
            await _quietly(p.stop())

    async def close(self) -> None:
        for tp in list(self._producers):
            await self._drop(tp)
        await self._close_admin()


def last_offsets(sent: Sequence[Any], counts: Sequence[int]) -> dict[tuple[str, int], int]:
    """Offset of the last record written to each topic-partition, from the batches' metadata.

    A batch's metadata carries its base offset; its records have consecutive offsets.
    """
    last: dict[tuple[str, int], int] = {}
    for md, n in zip(sent, counts, strict=True):
        key = (md.topic, md.partition)
        offset = md.offset + n - 1
        if offset > last.get(key, -1):
            last[key] = offset
    return last


async def send_batched(
    p: AIOKafkaProducer, outputs: Sequence[Output]
) -> list[tuple[asyncio.Future[Any], int]]:
    """Send ``outputs`` as one record batch per destination partition (more when a batch fills).

    Returns each batch's future (its metadata) with the number of records in it.

    ``send()`` per record costs a future, a metadata check and a pure-Python murmur2 of
    the key per record — about twice the CPU of appending to a batch, measured with
    3 KB records. Records keep their order within each partition; keyed records go to
    the partition aiokafka's default partitioner would choose (``destinations``).
    """
    for topic in {o[0] for o in outputs}:
        await p.client._wait_on_metadata(topic)
    cluster = p.client.cluster
    futures: list[tuple[asyncio.Future[Any], int]] = []
    for (topic, partition), records in destinations(outputs, cluster).items():
        batch = p.create_batch()
        n = 0
        for key, value in records:
            if batch.append(key=key, value=value, timestamp=None) is None:  # full: send, start another
                futures.append((await p.send_batch(batch, topic, partition=partition), n))
                batch = p.create_batch()
                batch.append(key=key, value=value, timestamp=None)  # a first record always fits
                n = 0
            n += 1
        futures.append((await p.send_batch(batch, topic, partition=partition), n))
    return futures


def destinations(
    outputs: Sequence[Output], cluster: Any
) -> dict[tuple[str, int], list[tuple[bytes | None, bytes | None]]]:
    """Group outputs by topic-partition, in order, choosing partitions as ``DefaultPartitioner`` does.

    Keyed records: murmur2 of the key over the topic's sorted partitions (Kafka's default,
    so a story's versions share a partition in every topic); each key is hashed once,
    though it usually goes to several topics (enriched and its routes). Unkeyed records
    without a partition: a random available partition, as aiokafka does.
    """
    hashes: dict[bytes, int] = {}
    layouts: dict[str, tuple[list[int], list[int]]] = {}
    out: dict[tuple[str, int], list[tuple[bytes | None, bytes | None]]] = {}
    for topic, key, value, partition in outputs:
        if partition is None:
            layout = layouts.get(topic)
            if layout is None:
                layout = layouts[topic] = (
                    sorted(cluster.partitions_for_topic(topic) or ()),
                    list(cluster.available_partitions_for_topic(topic) or ()),
                )
            every, available = layout
            if not every:
                raise KafkaError(f"no partitions known for topic {topic!r}")
            if key is None:
                partition = random.choice(available or every)
            else:
                h = hashes.get(key)
                if h is None:
                    h = hashes[key] = murmur2(key) & 0x7FFFFFFF
                partition = every[h % len(every)]
        out.setdefault((topic, partition), []).append((key, value))
    return out


async def _quietly(coro: Any) -> None:
    try:
        await coro
    except Exception as exc:
        log.debug("ignored during cleanup: %s", exc)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        if exc[1] is not None:
            log.debug("table offset bookkeeping failed: %s", exc[1])
        return True
