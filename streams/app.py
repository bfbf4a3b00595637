"""The Faust worker: topics, tables and two thin agents around ``pipeline.chain``.

    wire.raw ──prepare──▶ wire.dedup (keyed by dedup shard) ──finish──▶ wire.enriched
       │                                                     ├──▶ wire.route.<name> …
       └──▶ wire.dlq ◀───────────────────────────────────────┼──▶ wire.duplicates
                                                             └──▶ wire.dlq

Agents only move bytes between topics and tables; every decision is made by the
pure stages. Faust internals touched here are named in comments.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from streams import KAFKA_VERSION, faust_fetch, fetch_stamps, input_gate
from streams.faust_monitor import setup_faust_metrics
from streams.health import Health
from streams.knowledge import load_knowledge
from streams.log_summary import summarise_produce_retries
from streams.metrics import Metrics
from streams.pipeline import chain, dedup, dedup_index, furniture
from streams.pipeline.chain import Knowledge, Origin, Outcome, Prepared, Staged
from streams.route_updates import RouteUpdates
from streams.settings import Settings
from streams.status_page import register_pages
from streams.table_cache import PartitionState, persist_changelog_offsets
from streams.transactions import (
    Claim,
    Output,
    PartitionRevoked,
    TransactionalOutputs,
    adapt_faust_for_transactions,
    last_offsets,
    send_batched,
)

log = logging.getLogger("wirefeed")


def _enter_event(event: faust.EventT) -> None:
    """Make ``event`` Faust's current event.

    ``take_events`` hands us a batch, but Faust tables pick the changelog
    partition (and the RocksDB partition store) from the *current event*, which
    inside a batch is the last one buffered. Setting it per event keeps every
    table write on its own partition.
    """
    from faust.streams import _current_event

    _current_event.set(weakref.ref(event))


# A batch whose wait ran out while fetched events were still queued keeps filling, up to
# this many waits: under a backlog, batches grow towards batch_size (one transaction, one
# state flush and one changelog write per changed key amortised over more items), while
# at low load nothing is queued and a batch closes after one wait, as before.
FILL_WAITS = 10

# a claimed partition whose fetcher is past the next offset to process, with nothing
# processed for this long, is re-read (streams/input_gate.py: ``stalled``)
STALLED_INPUT_S = 5.0


# one input partition's share of a batch -> its outputs
PartitionWork = Callable[[tuple[str, int], Sequence[faust.EventT]], Awaitable[list[Output]]]


def take_batches(
    stream: faust.StreamT, max_: int, within: float, *, fill_waits: int = FILL_WAITS
) -> AsyncIterator[list[faust.EventT]]:
    """Faust's ``Stream.take_events`` with adaptive closing (see ``_take_batches``)."""
    agen = _take_batches(stream, max_, within, fill_waits)
    active = getattr(stream, "_active_agens", None)
    if active is not None:
        active.add(agen)  # as Faust does for its own: the stream closes it when it stops
    return agen


async def _take_batches(
    stream: faust.StreamT, max_: int, within: float, fill_waits: int
) -> AsyncGenerator[list[faust.EventT], None]:
    """Faust's ``Stream.take_events`` with adaptive closing; the same buffering and acks.

    Events are added by a stream processor while the stream is drained in the
    background; the caller gets at most ``max_`` of them and they are acked only
    after the caller is done with the batch, i.e. has published it (so Faust's
    revocation wait and, in at-least-once mode, its offset commits never get ahead
    of the work). The batch
    closes when full; when ``within`` passes and nothing fetched is waiting in the
    stream's queue; or after ``fill_waits`` waits.
    """
    events: list[faust.EventT] = []
    full = asyncio.Event()
    consumed = asyncio.Event()
    held: asyncio.Future[None] | None = None  # set while the caller holds a batch
    queue = getattr(stream.channel, "queue", None)
    loop = asyncio.get_running_loop()

    def queued() -> int:
        try:
            return queue.qsize() if queue is not None else 0
        except Exception:
            return 0

    async def add(value: Any) -> Any:
        nonlocal held
        if held is not None:
            await held  # the caller is processing a batch: hold the next event until it acks
        event = stream.current_event
        if event is None:
            raise RuntimeError("batching found no current event")
        events.append(event)
        if len(events) >= max_:
            full.set()
            consumed.clear()
            await stream.wait(consumed)  # type: ignore[arg-type]
        return value

    acks = stream.enable_acks
    stream.enable_acks = False  # acked below, once the caller is done with the batch
    stream.add_processor(add)
    stream._enable_passive(aiter(stream.channel))  # type: ignore[attr-defined,arg-type]
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(full, timeout=within)  # type: ignore[arg-type]
            waits = 1
            while events and not full.is_set() and waits < fill_waits and queued():
                await stream.wait_for_stopped(full, timeout=within)  # type: ignore[arg-type]
                waits += 1
            if not events:
                continue
            held = loop.create_future()
            try:
                yield list(events)
            finally:
                batch = list(events)
                events.clear()
                for event in batch:
                    await stream.ack(event)
                if not held.done():
                    held.set_result(None)
                held = None
                full.clear()
                consumed.set()
    finally:
        stream.enable_acks = acks
        with contextlib.suppress(ValueError):
            stream._processors.remove(add)  # type: ignore[attr-defined]


class Wirefeed:
    """Owns the Faust app and everything the agents need, built from one Settings."""

    def __init__(
        self,
        settings: Settings,
        knowledge: Knowledge | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = s = settings
        self.knowledge = knowledge or load_knowledge(settings)
        self.registry = registry or CollectorRegistry()
        self.metrics = Metrics(self.registry)
        self.metrics.set_build(KAFKA_VERSION)
        self.metrics.set_ruleset("routes", self.knowledge.routes.version)
        self.metrics.set_ruleset("strip", self.knowledge.strip_rules.version)
        self.metrics.set_ruleset("kb", self.knowledge.kb.version)
        self.metrics.kb_entities.set(self.knowledge.kb.size)
        summarise_produce_retries(lambda error: self.metrics.child(self.metrics.produce_retries, error).inc())
        self.recent_dlq: list[dict[str, Any]] = []
        self.pending_furniture_reset: dict[tuple[str, int], list[str | None]] = {}
        self._taken = 0  # items the prepare agent has taken (WIREFEED_TEST_STALL_AFTER)

        self.app = app = faust.App(
            s.app_id,
            broker=[f"kafka://{h}" for h in s.kafka_bootstrap.split(",")],
            broker_credentials=self._credentials(),
            store=s.store,
            datadir=str(s.data_dir),
            # Faust runs at-least-once; exactly-once is ours (streams/transactions.py)
            processing_guarantee="at_least_once",
            topic_partitions=s.partitions,
            topic_replication_factor=s.replication,
            web_host=s.web_host,
            web_port=s.web_port,
            web_bind=s.web_host,
            web_transport="tcp://",
            key_serializer="raw",
            value_serializer="raw",
            consumer_auto_offset_reset="earliest",
            producer_max_request_size=max(s.max_message_bytes + 1_000_000, 1_048_576),
            consumer_max_fetch_size=max(s.max_message_bytes + 1_000_000, 4_194_304),
            # on revocation, let in-flight batches finish (and commit) before the partition
            # moves: the new owner then starts exactly where our last transaction ended
            stream_wait_empty=s.processing_guarantee == "exactly_once",
            # with our transactions, offsets commit with each batch's outputs
            broker_commit_every=10**9 if s.processing_guarantee == "exactly_once" else 500,
            broker_commit_interval=3600.0 if s.processing_guarantee == "exactly_once" else 1.0,
            table_cleanup_interval=60.0,
            table_standby_replicas=s.standby_replicas,
            logging_config=None,
            loghandlers=[],
        )
        self.raw = app.topic(s.topic_raw, key_type=bytes, value_type=bytes, partitions=s.partitions)
        self.dedup_topic = app.topic(s.topic_dedup, key_type=bytes, value_type=bytes, partitions=s.partitions)
        self.enriched = app.topic(s.topic_enriched, key_type=bytes, value_type=bytes, partitions=s.partitions)
        self.duplicates = app.topic(
            s.topic_duplicates, key_type=bytes, value_type=bytes, partitions=s.partitions
        )
        self.dlq = app.topic(s.topic_dlq, key_type=bytes, value_type=bytes, partitions=s.partitions)
        self.routes_topic = app.topic(
            s.topic_routes, key_type=bytes, value_type=bytes, partitions=1, compacting=True, deleting=False
        )
        self._topics_by_name: dict[str, faust.TopicT] = {
            t.get_topic_name(): t for t in (self.dedup_topic, self.enriched, self.duplicates, self.dlq)
        }
        self.eos: TransactionalOutputs | None = None
        # input partition -> where its claim's processing stands (streams/input_gate.py)
        self._cursors: dict[tuple[str, int], input_gate.Cursor] = {}
        faust_fetch.set_fetch_max_wait(s.fetch_max_wait_ms)
        if s.processing_guarantee == "exactly_once":
            adapt_faust_for_transactions()
            fetch_stamps.install()
            self.eos = TransactionalOutputs(s, app)

        @app.on_partitions_revoked.connect
        async def _revoked(sender: Any, revoked: Any, **kw: Any) -> None:
            self.forget_partitions(revoked)
            if self.eos is not None:
                await self.eos.release(revoked)

        @app.on_partitions_assigned.connect
        async def _assigned(sender: Any, assigned: Any, **kw: Any) -> None:
            if self.eos is not None:
                fetch_stamps.gate_topics(self.app.consumer, {s.topic_raw, s.topic_dedup})
                await self.eos.claim(assigned, {s.topic_raw, s.topic_dedup})

        # State. Prepare-side tables are co-partitioned with wire.raw, the
        # dedup table with wire.dedup; values are JSON (Faust's json codec uses orjson).
        self.furniture = app.Table("furniture", default=None, partitions=s.partitions, key_type=bytes)
        self.discovered = app.Table("discovered", default=None, partitions=s.partitions, key_type=bytes)
        self.dedup_state = app.Table("dedup", default=None, partitions=s.partitions, key_type=bytes)
        # per input partition: write-behind views flushed once per batch (streams/table_cache.py)
        self._states: dict[tuple[str, int], chain.State] = {}
        self._tables = (self.furniture, self.discovered, self.dedup_state)
        if self.eos is not None:
            self.eos.on_committed = lambda last: persist_changelog_offsets(self._tables, last)

        self.health = Health(
            app,
            self.metrics,
            stall_seconds=s.stall_seconds,
            topics=(s.topic_raw, s.topic_dedup),
            bootstrap=s.kafka_bootstrap,
            transactional_topics=(s.topic_dedup,) if s.processing_guarantee == "exactly_once" else (),
        )
        self.route_updates = RouteUpdates(settings, self)
        setup_faust_metrics(app, self.registry, pattern="/metrics", name_prefix="faust")
        register_pages(self)

        app.agent(self.raw, name="wirefeed.prepare")(self._prepare_agent)
        app.agent(self.dedup_topic, name="wirefeed.finish")(self._finish_agent)
        app.timer(5.0)(self._housekeeping)
        app.task(self.route_updates.run)

        @app.on_rebalance_complete.connect
        async def _rebalanced(sender: Any, **kw: Any) -> None:
            self.health.on_rebalance()

    def _credentials(self) -> Any:
        s = self.settings
        if s.kafka_sasl_mechanism:
            ctx = s.kafka_client_kwargs().get("ssl_context")
            return faust.SASLCredentials(
                username=s.kafka_sasl_username or "",
                password=s.kafka_sasl_password or "",
                mechanism=s.kafka_sasl_mechanism,
                ssl_context=ctx,
            )
        if "SSL" in s.kafka_security_protocol:
            return s.kafka_client_kwargs()["ssl_context"]
        return None

    # ---- agents -----------------------------------------------------------
    async def _prepare_agent(self, stream: faust.StreamT) -> None:
        await self._drive(stream, self._prepare_partition)

    async def _finish_agent(self, stream: faust.StreamT) -> None:
        await self._drive(stream, self._finish_partition)

    async def _drive(self, stream: faust.StreamT, work: PartitionWork) -> None:
        """Batches in, one publish per input partition out, one partition after another.

        The batch's events are acked when the agent takes the next batch, after all its
        transactions; Faust's revocation and shutdown wait for that. Committing a batch's
        partitions side by side, overlapping a batch's transactions with the next batch's
        work and giving the event loop turns inside a batch were each tried and withdrawn
        (the fault suite's scale-out scenario failed): docs/performance.md, "Tried and withdrawn".
        """
        s = self.settings
        async for events in take_batches(stream, s.batch_size, s.batch_wait_s):
            for tp, claim, evs in await self._batches(events):
                outputs = await work(tp, evs)
                await self._publish(tp, claim, outputs, evs[-1].message.offset + 1)

    async def _prepare_partition(self, tp: tuple[str, int], evs: Sequence[faust.EventT]) -> list[Output]:
        k, m, s = self.knowledge, self.metrics, self.settings
        outputs: list[Output] = []
        state = self._state_for(tp)
        to_dedup = 0
        for event in evs:
            if s.test_stall_after and self._taken >= s.test_stall_after:
                log.warning("WIREFEED_TEST_STALL_AFTER=%d reached: prepare agent hangs", self._taken)
                await asyncio.Event().wait()
            self._taken += 1
            _enter_event(event)
            for source in self.pending_furniture_reset.pop(tp, ()):
                furniture.reset(state.furniture, source)  # type: ignore[arg-type]
            msg = event.message
            origin = Origin(msg.topic, msg.partition, msg.offset, msg.key, msg.timestamp)
            value = msg.value if isinstance(msg.value, bytes) else b""
            try:
                result = chain.prepare_staged(value, k, state, origin=origin, observer=m)
                if isinstance(result, Outcome):
                    outputs += self._outputs(result)
                    continue
                key = dedup.shard_key(result.fp, result.item.id, shards=s.dedup_shards).encode()
                outputs.append((s.topic_dedup, key, chain.encode_staged(result), None))
                to_dedup += 1
            except Exception as exc:  # never let one message kill the agent
                outputs += self._poison(value, origin, "prepare", exc)
        m.child(m.consumed, tp[0]).inc(len(evs))
        m.child(m.produced, "dedup").inc(to_dedup)
        return outputs + self._flush(state, tp)  # the batch's last event is current: writes land on tp

    async def _finish_partition(self, tp: tuple[str, int], evs: Sequence[faust.EventT]) -> list[Output]:
        k, m = self.knowledge, self.metrics
        outputs: list[Output] = []
        state = self._state_for(tp)
        for event in evs:
            _enter_event(event)
            msg = event.message
            origin = Origin(msg.topic, msg.partition, msg.offset, msg.key, msg.timestamp)
            try:
                staged = chain.decode_staged(msg.value)
                outputs += self._outputs(chain.finish(staged, k, state, observer=m), staged)
            except Exception as exc:  # never let one message kill the agent
                outputs += self._poison(msg.value or b"", origin, "finish", exc)
        m.child(m.consumed, tp[0]).inc(len(evs))
        return outputs + self._flush(state, tp)

    async def _publish(
        self, tp: tuple[str, int], claim: Claim | None, outputs: list[Output], next_offset: int
    ) -> None:
        """Send one input partition's outputs: in one transaction with its offsets, or plainly."""
        started = time.perf_counter()
        try:
            await self._send(tp, claim, outputs, next_offset)
        finally:
            self.metrics.child(self.metrics.publish_seconds, tp[0]).observe(time.perf_counter() - started)

    async def _send(
        self, tp: tuple[str, int], claim: Claim | None, outputs: list[Output], next_offset: int
    ) -> None:
        try:
            if self.eos is not None:
                await self.eos.commit(tp, outputs, next_offset, claim)
            else:
                await self._deliver(outputs)
        except PartitionRevoked as exc:
            log.info("partition %s moved to another worker; it will redo this batch", exc)
        except Exception:
            # Not a broker error (those are retried): a batch we cannot publish must not
            # be skipped while the consumer moves on. Stop; a restart resumes from the
            # last committed transaction (at-least-once: the last committed offset).
            log.critical("cannot publish a batch of %s[%d]; exiting to resume from the last commit", *tp)
            logging.shutdown()
            os._exit(70)

    async def _deliver(self, outputs: list[Output]) -> None:
        """At-least-once: the batch's records, delivered before its events are acked.

        Record batches per destination partition on Faust's own producer (whose flush
        precedes each of Faust's offset commits), awaited here so that no offset is
        committed past an output that was not delivered; the state tables' changelog
        offsets are then recorded, as Faust records them for its own sends.
        """
        if not outputs:
            return
        producer = self.app.producer._ensure_producer()  # type: ignore[attr-defined]  # Faust's aiokafka producer
        futures = await send_batched(producer, outputs)
        sent = await asyncio.gather(*(f for f, _ in futures))
        persist_changelog_offsets(self._tables, last_offsets(sent, [n for _, n in futures]))

    def _flush(self, state: chain.State, tp: tuple[str, int]) -> list[Output]:
        """State changes of the batch, as changelog records published with its outputs."""
        records: list[Output] = []
        for state_map in (state.dedup, state.furniture, state.discovered):
            mapping = dedup_index.unwrap(state_map) if state_map is not None else None
            if isinstance(mapping, PartitionState):
                records += mapping.flush_records(tp[1])
        return records

    async def _batches(
        self, events: Sequence[faust.EventT]
    ) -> list[tuple[tuple[str, int], Claim | None, list[faust.EventT]]]:
        """The batch by input partition: under exactly-once, only what the input gate admits.

        Each partition waits until this worker's claim of it is done (fenced, floor
        read); then every event is processed once, in offset order, with no hole
        (streams/input_gate.py). Events of partitions this worker does not own are
        dropped: their owner reads them from the committed offset.
        """
        if self.eos is None:
            return [(tp, None, evs) for tp, evs in _by_partition(events)]
        m = self.metrics
        batches: list[tuple[tuple[str, int], Claim | None, list[faust.EventT]]] = []
        for tp, evs in _by_partition(events):
            claim = await self.eos.ready_claim(tp)
            if claim is None:
                m.child(m.input_skipped, tp[0], "not_owned").inc(len(evs))
                continue
            cursor = self._cursor(tp, claim)
            got = input_gate.admit(
                cursor,
                [e.message for e in evs],  # type: ignore[misc]
                latest_run=fetch_stamps.latest_run(),
                now=time.monotonic(),
            )
            if got.seen:
                log.info("%s[%d]: skipped %d event(s) already processed", tp[0], tp[1], got.seen)
                m.child(m.input_skipped, tp[0], "seen").inc(got.seen)
            if got.hole:
                m.child(m.input_skipped, tp[0], "hole").inc(got.hole)
            if got.reread:
                await self._reread(tp, cursor, f"{got.hole} event(s) arrived after a hole")
            if got.events:
                batches.append((tp, claim, [evs[i] for i in got.events]))
        return batches

    def _cursor(self, tp: tuple[str, int], claim: Any) -> input_gate.Cursor:
        cursor = self._cursors.get(tp)
        if cursor is None or cursor.claim is not claim:
            cursor = self._cursors[tp] = input_gate.Cursor(claim, claim.floor, time.monotonic())
        return cursor

    async def _reread(self, tp: tuple[str, int], cursor: input_gate.Cursor, why: str) -> None:
        """Seek the fetcher back to the next offset to process (and past what retention deleted)."""
        m = self.metrics
        if cursor.rereads_at.get(cursor.expected, 0) > 2:  # the same offset again: is it still in the log?
            first = await fetch_stamps.earliest(self.app.consumer, tp)
            lost = input_gate.lost_to_retention(cursor, first) if first is not None else 0
            if lost:
                log.error("%s[%d]: %d offsets were deleted by retention before processing", *tp, lost)
                m.child(m.input_skipped, tp[0], "deleted").inc(lost)
        log.warning("%s[%d]: %s; re-reading from offset %d", tp[0], tp[1], why, cursor.expected)
        m.child(m.input_rereads, tp[0]).inc()
        await fetch_stamps.reread(self.app.consumer, tp, cursor.expected)

    async def _check_stalled_inputs(self) -> None:
        """Re-read claimed partitions whose last fetched events never reached the agent."""
        if self.eos is None:
            return
        now = time.monotonic()
        for tp, claim in self.eos.ready_claims():
            cursor = self._cursor(tp, claim)
            fetched = fetch_stamps.fetched(self.app.consumer, tp)
            if input_gate.stalled(
                cursor, fetched, latest_run=fetch_stamps.latest_run(), now=now, after=STALLED_INPUT_S
            ):
                last = fetched[1] if fetched else "?"
                await self._reread(tp, cursor, f"fetched up to {last}, none arrived")
        input_gate.owned_cursors(self._cursors, self.eos.owned)

    def _state_for(self, tp: tuple[str, int]) -> chain.State:
        st = self._states.get(tp)
        if st is None:
            if tp[0] == self.settings.topic_dedup:
                dedup_view = PartitionState(self.dedup_state, partition=tp[1], key_filter=True)
                dedup_state = dedup_index.indexed(dedup_view, native=self.settings.native)
                st = chain.State(dedup=dedup_state, furniture=None, discovered=None)
            else:
                st = chain.State(
                    dedup={},
                    # a head per source and one entry per tracked line (up to MAX_TRACKED a source)
                    furniture=PartitionState(self.furniture, max_entries=100_000, partition=tp[1]),
                    discovered=PartitionState(self.discovered, max_entries=50_000, partition=tp[1]),
                )
            self._states[tp] = st
        return st

    def forget_partitions(self, tps: Any) -> None:
        """Revoked partitions: their cached state now belongs to another worker."""
        for t in tps:
            self._states.pop((t.topic, t.partition), None)

    def furniture_view(self) -> dict[str, Any]:
        """Learned furniture of every source this worker holds, merged across partitions."""
        merged: dict[str, Any] = {}
        for st in list(self._states.values()):
            if st.furniture is None:
                continue
            for source, value in furniture.view(st.furniture).items():
                if source not in merged or len(value["lines"]) > len(merged[source]["lines"]):
                    merged[source] = value
        return merged

    def queue_furniture_reset(self, source: str | None) -> list[str]:
        """Resets are applied by each partition's next batch (tables change only inside a stream)."""
        tps = [tp for tp in self._states if tp[0] == self.settings.topic_raw]
        for tp in tps:
            self.pending_furniture_reset.setdefault(tp, []).append(source)
        return [f"{t}[{p}]" for t, p in tps]

    def _poison(self, data: bytes, origin: Origin, stage: str, exc: Exception) -> list[Output]:
        """A failure outside the guarded stages: dead-letter the message, keep going."""
        log.exception(
            "unexpected failure in %s at %s[%s]@%s", stage, origin.topic, origin.partition, origin.offset
        )
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return self._outputs(chain.dead_letter(data, "stage_error", detail, stage, origin, time.time()))

    def _topic(self, name: str) -> faust.TopicT:
        topic = self._topics_by_name.get(name)
        if topic is None:
            topic = self._topics_by_name[name] = self.app.topic(
                name, key_type=bytes, value_type=bytes, partitions=self.settings.partitions
            )
        return topic

    def _outputs(self, out: Outcome, item: Staged | Prepared | None = None) -> list[Output]:
        """The messages an outcome publishes (and its metrics)."""
        m, s = self.metrics, self.settings
        key = (out.item_id or "").encode() or None
        if out.kind == "dlq":
            m.child(m.produced, "dlq").inc()
            m.child(m.dlq, out.reason or "unknown", out.stage or "unknown").inc()
            rec = out.record
            self.recent_dlq.append(
                {k: rec.get(k) for k in ("reason", "stage", "detail", "topic", "partition", "offset")}
                | {"at": rec.get("failed_at")}
            )
            del self.recent_dlq[:-20]
            return [(s.topic_dlq, key, out.value, None)]
        m.child(m.dedup_verdicts, out.verdict.status if out.verdict is not None else out.kind).inc()
        if out.kind == "redelivery":
            return []  # the same id+version was already published: no second output anywhere
        if out.kind == "duplicate":
            m.child(m.produced, "duplicates").inc()
            return [(s.topic_duplicates, key, out.value, None)]
        value = out.value
        msgs: list[Output] = [(s.topic_enriched, key, value, None)]
        m.child(m.produced, "enriched").inc()
        for name in out.routes:
            msgs.append((s.topic_for_route(name), key, value, None))
            m.child(m.routed, name).inc()
        if not out.routes:
            m.unrouted.inc()
        if item is not None:
            self._observe_outcome(item)
        return msgs

    def _observe_outcome(self, item: Staged | Prepared) -> None:
        m, now = self.metrics, time.time()
        if isinstance(item, Staged):
            m.count_each(m.removals, item.removed)
            m.count_each(m.entities, item.entity_types)
        else:  # an older worker's record
            m.count_each(m.removals, (r.rule for r in item.cleaned.stripped))
            m.count_each(m.entities, (e.type for e in item.tags.entities))
        arrived = item.origin.timestamp or item.received_at
        m.child(m.e2e_seconds, "received").observe(max(0.0, now - arrived))
        published = item.item.published
        if published:
            from datetime import datetime

            try:
                ts = datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()
                m.item_age_seconds.observe(max(0.0, now - ts))
            except ValueError:
                pass

    async def _housekeeping(self) -> None:
        await self._check_stalled_inputs()
        await self.health.check_broker()
        self.health.sample()
        m = self.metrics
        m.table_entries.labels("dedup").set(
            sum(
                dedup.state_size(st.dedup)
                for tp, st in list(self._states.items())
                if tp[0] == self.settings.topic_dedup
            )
        )
        m.table_entries.labels("furniture").set(_local_len(self.furniture))
        n_disc = _local_len(self.discovered)
        m.table_entries.labels("discovered").set(n_disc)
        m.discovered.set(n_disc)

    def apply_routes(self, rules: Any) -> None:
        """Swap the route rule set in force (called by RouteUpdates)."""
        self.knowledge.routes = rules
        self.metrics.set_ruleset("routes", rules.version)
        for r in rules.routes:
            self._topic(self.settings.topic_for_route(r.name))


def _by_partition(events: Sequence[faust.EventT]) -> list[tuple[tuple[str, int], list[faust.EventT]]]:
    """Split a batch by input partition, keeping each partition's order."""
    groups: dict[tuple[str, int], list[faust.EventT]] = {}
    for ev in events:
        groups.setdefault((ev.message.topic, ev.message.partition), []).append(ev)
    return list(groups.items())


def _local_len(table: Any) -> int:
    """Entries of a table held locally: RocksDB's own key-count estimate per partition database.

    Counting by iteration decodes every key and holds the event loop for as long as that takes
    (~80 ms every 5 s with a few tens of thousands of learned names), which shows up in the
    latency tail; the in-memory store has no such estimate and is counted.
    """
    dbs = getattr(getattr(table, "data", None), "_dbs", None)
    try:
        if dbs and all(hasattr(db, "property_int_value") for db in dbs.values()):
            return sum(db.property_int_value("rocksdb.estimate-num-keys") or 0 for db in list(dbs.values()))
        return sum(1 for _ in table)
    except Exception:
        return 0
