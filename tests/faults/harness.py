"""Fault-injection harness: a broker we own, real worker processes, a paced producer, a checker.

The input is the labelled dedup set (tests/data/dedup/labelled.jsonl) multiplied
into independent *rounds*: round ``r`` suffixes every id with ``-r<r>`` and every
word of four letters or more with a round tag, so no sentence of one round can
match another round's. A whole round goes to one wire.raw partition, in order,
so the order in which the single dedup shard sees a round is fixed; rounds do not
interact, so the interleaving of partitions does not matter (checked offline,
see ``expected_outcomes``). Each round also gets malformed messages (-> DLQ) and
exact re-sends of one of its items (another message, same id+version -> no output).

The expected outcome of every input message comes from the offline chain
(``chain.prepare`` per raw partition with that partition's own furniture and
discovered-name state, then ``chain.finish`` per round), computed from what is
actually in wire.raw after the run. The checker reads every output topic with
``read_committed`` and compares multisets: nothing missing, nothing extra, same
verdicts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tests.support import KAFKA_SH, REPO, Worker, free_port, namespace_env

LABELLED = REPO / "tests" / "data" / "dedup" / "labelled.jsonl"
RESULTS = REPO / "bench" / "results" / "faults.json"
PARTITIONS = 4
_KEEP = ("id", "version", "source", "published", "pubstatus", "correction", "headline", "body")
# Lower-case words only: names and places (what tagging and routing key on) stay as
# they are, while every sentence still changes. Linear: no nesting, fixed lookbehind.
_WORD = re.compile(r"(?<![A-Za-z])[a-z]{4,}")

# Faust reads these from the environment: a dead worker is noticed in 10 s, not 60 s.
FAST_GROUP_ENV = {"BROKER_SESSION_TIMEOUT": "10", "BROKER_HEARTBEAT_INTERVAL": "1"}


# ---- input -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Message:
    partition: int
    key: bytes | None
    value: bytes


def _round_tag(r: int) -> str:
    letters = ""
    n = r
    while True:
        letters = chr(ord("a") + n % 26) + letters
        n //= 26
        if n == 0:
            break
    return "qx" + letters


def _round_rows(rows: list[dict[str, Any]], r: int) -> list[dict[str, Any]]:
    tag = _round_tag(r)

    def tr(text: str) -> str:
        return _WORD.sub(lambda m: m.group(0) + tag, text)

    out = []
    for row in rows:
        d = {k: row[k] for k in _KEEP if k in row}
        d["id"] = f"{row['id']}-r{r}"
        d["headline"] = tr(d.get("headline") or "")
        d["body"] = tr(d.get("body") or "")
        out.append(d)
    return out


def build_input(min_items: int, *, partitions: int = PARTITIONS) -> list[Message]:
    """At least ``min_items`` messages, in the order the producer sends them."""
    rows = [orjson.loads(x) for x in LABELLED.read_bytes().splitlines() if x.strip()]
    per_partition: dict[int, list[Message]] = defaultdict(list)
    total = r = 0
    while total < min_items:
        part = r % partitions
        seq: list[Message] = []
        for d in _round_rows(rows, r):
            seq.append(Message(part, d["id"].encode(), orjson.dumps(d)))
        # an exact re-send of an item of this round, later in the round
        step = 7 + r % 11
        seq.insert(len(seq) * 2 // 3, seq[(r * 37) % (len(seq) // 2)])
        # malformed messages: truncated JSON and an object with no body
        seq.insert(step * 3, Message(part, None, b'{"id": "broken-r%d", "version": 1, "body": "cut off' % r))
        bad = orjson.dumps({"id": f"nobody-r{r}", "version": 1, "source": "Wire", "headline": "x"})
        seq.insert(step * 9, Message(part, f"nobody-r{r}".encode(), bad))
        per_partition[part] += seq
        total += len(seq)
        r += 1
    # the send order interleaves partitions so every partition streams all along
    order: list[Message] = []
    iters = [iter(per_partition[p]) for p in sorted(per_partition)]
    while iters:
        nxt = []
        for it in iters:
            m = next(it, None)
            if m is not None:
                order.append(m)
                nxt.append(it)
        iters = nxt
    return order


# ---- expected outcomes ---------------------------------------------------------
@dataclass(slots=True)
class Expected:
    """Multisets of the outputs the offline chain publishes for one input."""

    items: int
    verdicts: Counter[tuple[str, int, str, str, str | None]]  # topic kind, id, version, status, of
    routes: Counter[tuple[str, str, int]]  # route, id, version
    dlq: Counter[tuple[str | None, str | None, str | None, str | None]]
    no_output: int  # re-sends: an id+version already published from another message

    @property
    def outputs(self) -> int:
        return sum(self.verdicts.values()) + sum(self.dlq.values())


_EXPECTED_CACHE: dict[str, Expected] = {}


def _dlq_key(rec: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    orig = rec.get("original_b64") if rec.get("item_id") is None else None
    return (rec.get("reason"), rec.get("stage"), rec.get("item_id"), orig)


def _round_of(item_id: str) -> str:
    return item_id.rsplit("-r", 1)[-1]


def expected_outcomes(raw_topic: str, by_partition: dict[int, list[tuple[bytes | None, bytes]]]) -> Expected:
    """Run the offline chain over what wire.raw holds, the way the worker splits the work."""
    digest = hashlib.sha256()
    for p in sorted(by_partition):
        for key, value in by_partition[p]:
            digest.update(b"%d|%s|%s\n" % (p, key or b"", hashlib.sha256(value).digest()))
    cache_key = digest.hexdigest()
    if cache_key in _EXPECTED_CACHE:
        return _EXPECTED_CACHE[cache_key]

    from streams.knowledge import load_knowledge
    from streams.pipeline import chain
    from streams.settings import load_settings

    k = load_knowledge(load_settings({}))
    verdicts: Counter[tuple[str, int, str, str, str | None]] = Counter()
    routes: Counter[tuple[str, str, int]] = Counter()
    dlq: Counter[tuple[str | None, str | None, str | None, str | None]] = Counter()
    no_output = items = 0
    prepared_by_round: dict[str, list[Any]] = defaultdict(list)
    interleaved: list[list[Any]] = []
    for p in sorted(by_partition):
        state = chain.State()  # furniture and discovered names live per raw partition
        lane: list[Any] = []
        for offset, (key, value) in enumerate(by_partition[p]):
            items += 1
            out = chain.prepare(value, k, state, origin=chain.Origin(raw_topic, p, offset, key, None))
            if isinstance(out, chain.Outcome):
                dlq[_dlq_key(out.record)] += 1
                continue
            prepared_by_round[_round_of(out.item.id)].append(out)
            lane.append(out)
        interleaved.append(lane)

    def add(out: Any) -> tuple[Any, ...] | None:
        nonlocal no_output
        if out.kind == "redelivery":
            no_output += 1
            return None
        if out.kind == "dlq":
            dlq[_dlq_key(out.record)] += 1
            return None
        rec = out.record
        topic = "enriched" if out.kind == "enriched" else "duplicates"
        v = (topic, rec["id"], rec["version"], rec["dedup"]["status"], rec["dedup"]["of"])
        verdicts[v] += 1
        for r in out.routes:
            routes[(r, rec["id"], rec["version"])] += 1
        return (*v, tuple(out.routes))

    per_round: list[Any] = []
    for rnd in prepared_by_round.values():
        state = chain.State(dedup={}, furniture=None, discovered=None)
        per_round += [add(chain.finish(p, k, state)) for p in rnd]

    # Independence check: one shared dedup state over a partition-interleaved
    # order must give the same verdicts, or the worker's order would matter.
    shared = chain.State(dedup={}, furniture=None, discovered=None)
    merged = [p for group in _zip_longest(interleaved) for p in group]
    alt = [_verdict_of(chain.finish(p, k, shared)) for p in merged]
    if Counter(x for x in alt if x) != Counter(x for x in per_round if x):
        raise AssertionError("rounds are not independent: the expected verdicts would depend on order")

    exp = Expected(items=items, verdicts=verdicts, routes=routes, dlq=dlq, no_output=no_output)
    _EXPECTED_CACHE[cache_key] = exp
    return exp


def _verdict_of(out: Any) -> tuple[Any, ...] | None:
    if out.kind in ("redelivery", "dlq"):
        return None
    rec = out.record
    topic = "enriched" if out.kind == "enriched" else "duplicates"
    return (topic, rec["id"], rec["version"], rec["dedup"]["status"], rec["dedup"]["of"], tuple(out.routes))


def _zip_longest(lanes: list[list[Any]]) -> Iterable[list[Any]]:
    n = max((len(x) for x in lanes), default=0)
    for i in range(n):
        yield [lane[i] for lane in lanes if i < len(lane)]


# ---- broker ----------------------------------------------------------------------
class Broker:
    """A single-node KRaft broker of our own; restart keeps its data dir and port."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = 0
        self.bootstrap = ""

    def start(self) -> None:
        out = subprocess.run(
            [str(KAFKA_SH), "start", "--port", str(self.port), "--dir", str(self.dir)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if out.returncode != 0:
            raise RuntimeError(f"broker did not start:\n{out.stderr[-3000:]}")
        self.bootstrap = out.stdout.strip().splitlines()[-1]
        self.port = int(self.bootstrap.rsplit(":", 1)[1])

    def stop(self) -> None:
        subprocess.run([str(KAFKA_SH), "stop", "--dir", str(self.dir)], capture_output=True, timeout=90)

    def restart(self, down_s: float = 3.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


# ---- workers ------------------------------------------------------------------------
class Fleet:
    """Worker slots sharing one app id; each slot has its own web port and state dir."""

    def __init__(self, bootstrap: str, tmp: Path, **extra: str) -> None:
        self.tmp = tmp
        base = namespace_env(
            bootstrap,
            tmp=tmp,
            web_port=free_port(),
            WIREFEED_PARTITIONS=str(PARTITIONS),
            WIREFEED_LOG_LEVEL="info",
            **FAST_GROUP_ENV,
            **extra,
        )
        self.base = base
        self.envs: list[dict[str, str]] = []
        self.workers: dict[int, Worker] = {}
        self.restarts = 0

    def env(self, slot: int) -> dict[str, str]:
        while len(self.envs) <= slot:
            n = len(self.envs)
            e = dict(self.base, WIREFEED_WEB_PORT=str(free_port()))
            e["WIREFEED_DATA_DIR"] = str(self.tmp / f"state-{n}")
            self.envs.append(e)
        return self.envs[slot]

    def start(self, slot: int) -> Worker:
        w = Worker(self.env(slot), self.tmp / f"worker-{slot}.log").start()
        self.workers[slot] = w
        return w

    def stop(self, slot: int, sig: int = signal.SIGTERM) -> None:
        w = self.workers.pop(slot, None)
        if w is not None:
            w.stop(sig)

    def kill_and_restart(self, slot: int) -> None:
        self.stop(slot, signal.SIGKILL)
        self.restarts += 1
        self.start(slot)

    def supervise(self) -> list[str]:
        """Restart a worker that exited by itself, as a process supervisor would, and say so."""
        notes = []
        for slot, w in list(self.workers.items()):
            if w.proc is not None and w.proc.poll() is not None:
                notes.append(f"worker {slot} exited by itself (rc {w.proc.returncode}); restarted")
                self.start(slot)
        return notes

    def wipe_state(self, slot: int) -> None:
        shutil.rmtree(self.env(slot)["WIREFEED_DATA_DIR"], ignore_errors=True)

    def wait_assigned(self, total: int, timeout: float = 120.0) -> None:
        """Until the live workers together hold ``total`` partitions (all of them)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = 0
            for w in self.workers.values():
                with contextlib.suppress(OSError, ValueError, KeyError):
                    got += w.status()["ready"]["assigned_partitions"]
                if w.proc is not None and w.proc.poll() is not None:
                    raise AssertionError(f"worker exited:\n{w.tail_log()}")
            if got >= total:
                return
            time.sleep(0.5)
        logs = "\n".join(w.tail_log(30) for w in self.workers.values())
        raise AssertionError(f"partitions not assigned:\n{logs}")

    def close(self) -> None:
        for slot in list(self.workers):
            self.stop(slot)

    def topic(self, name: str) -> str:
        return self.base[f"WIREFEED_TOPIC_{name.upper()}"]


# ---- background clients -------------------------------------------------------------
class _LoopThread(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.error: BaseException | None = None
        self.stop_event = threading.Event()

    def run(self) -> None:
        try:
            asyncio.run(self.main())
        except BaseException as exc:
            self.error = exc

    async def main(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class PacedProducer(_LoopThread):
    """Sends the messages at ``rate`` per second with an idempotent producer; survives broker restarts."""

    def __init__(self, bootstrap: str, topic: str, messages: list[Message], rate: float) -> None:
        super().__init__()
        self.bootstrap, self.topic, self.messages, self.rate = bootstrap, topic, messages, rate
        self.acked = 0
        self.done = threading.Event()

    async def main(self) -> None:
        from aiokafka import AIOKafkaProducer

        p = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            request_timeout_ms=180_000,  # wait a broker restart out instead of failing the batch
            max_request_size=16_000_000,
        )
        await p.start()
        try:
            t0 = time.monotonic()
            chunk = max(1, int(self.rate / 20))
            for i in range(0, len(self.messages), chunk):
                futs = [
                    await p.send(self.topic, m.value, key=m.key, partition=m.partition)
                    for m in self.messages[i : i + chunk]
                ]
                await asyncio.gather(*futs)
                self.acked = i + len(futs)
                ahead = t0 + self.acked / self.rate - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
        finally:
            await p.stop()
            self.done.set()

    def wait_for(self, fraction: float, fleet: Fleet, notes: list[str], timeout: float = 300.0) -> None:
        deadline = time.time() + timeout
        while self.acked < fraction * len(self.messages):
            notes += fleet.supervise()
            if self.error is not None:
                raise self.error
            if time.time() > deadline:
                raise AssertionError(f"producer stuck at {self.acked}/{len(self.messages)}")
            time.sleep(0.1)


class OutputMonitor(_LoopThread):
    """Reads the outputs live (read_committed) and notes when each record became visible."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        super().__init__()
        self.bootstrap, self.topics = bootstrap, topics
        self.arrivals: list[float] = []

    async def main(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        c = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await c.start()
        try:
            tps: list[TopicPartition] = []
            while not tps and not self.stop_event.is_set():
                tps = [
                    TopicPartition(t, p) for t in self.topics for p in sorted(c.partitions_for_topic(t) or ())
                ]
                if not tps:
                    await c._client.force_metadata_update()
                    await asyncio.sleep(0.5)
            c.assign(tps)
            await c.seek_to_beginning(*tps)
            while not self.stop_event.is_set():
                batch = await c.getmany(timeout_ms=200, max_records=2000)
                now = time.time()
                for msgs in batch.values():
                    self.arrivals.extend([now] * len(msgs))
        finally:
            await c.stop()

    @property
    def count(self) -> int:
        return len(self.arrivals)

    def recovery_after(self, t_fault: float, window: float = 40.0) -> float | None:
        """Fault -> end of the longest output gap starting near it (when output flowed again)."""
        times = sorted(self.arrivals)
        best_gap, best_end = -1.0, None
        for a, b in itertools.pairwise(times):
            if t_fault - 1.0 <= a <= t_fault + window and b - a > best_gap:
                best_gap, best_end = b - a, b
        if best_end is None:
            later = [t for t in times if t >= t_fault]
            return round(later[0] - t_fault, 2) if later else None
        return round(max(0.0, best_end - t_fault), 2)


# ---- the checker --------------------------------------------------------------------------
@dataclass(slots=True)
class Report:
    scenario: str
    run: int
    items: int
    faults: list[str]
    lost: int
    doubled: int
    mismatches: int
    per_topic: dict[str, dict[str, int]]
    recovery_s: list[float | None]
    duration_s: float
    expected_outputs: int
    no_output_resends: int
    examples: list[str] = field(default_factory=list)
    # expected outcomes (item, verdict, original) found nowhere among the outputs: what at-least-once
    # must keep at 0 while it may double outputs
    missing_outcomes: int = 0

    def line(self) -> str:
        topics = " ".join(
            f"{t}:-{v['missing']}/+{v['extra']}"
            for t, v in self.per_topic.items()
            if v["missing"] or v["extra"]
        )
        return (
            f"[{self.scenario} run {self.run}] items={self.items} faults={len(self.faults)} "
            f"lost={self.lost} doubled={self.doubled} mismatches={self.mismatches} "
            f"missing_outcomes={self.missing_outcomes} "
            f"recovery_s={self.recovery_s} outputs={self.expected_outputs} "
            f"resends_dropped={self.no_output_resends} took={self.duration_s:.0f}s"
            + (f" topics[{topics}]" if topics else "")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "faults": self.faults,
            "lost": self.lost,
            "doubled": self.doubled,
            "mismatches": self.mismatches,
            "missing_outcomes": self.missing_outcomes,
            "per_topic": self.per_topic,
            "recovery_s": self.recovery_s,
            "duration_s": round(self.duration_s, 1),
            "expected_outputs": self.expected_outputs,
            "no_output_resends": self.no_output_resends,
            "examples": self.examples[:10],
        }


async def _read_all(bootstrap: str, topics: list[str]) -> dict[str, list[tuple[bytes | None, bytes | None]]]:
    from streams import kafka_io
    from streams.settings import Settings

    s = Settings(kafka_bootstrap=bootstrap)
    out: dict[str, list[tuple[bytes | None, bytes | None]]] = defaultdict(list)
    async for rec in kafka_io.read_topics(s, topics, idle_timeout=3.0):
        out[rec.topic].append((rec.key, rec.value))
    return out


def read_raw(bootstrap: str, topic: str) -> dict[int, list[tuple[bytes | None, bytes]]]:
    from streams import kafka_io
    from streams.settings import Settings

    async def go() -> dict[int, list[tuple[bytes | None, bytes]]]:
        s = Settings(kafka_bootstrap=bootstrap)
        parts: dict[int, list[tuple[int, bytes | None, bytes]]] = defaultdict(list)
        async for rec in kafka_io.read_topics(s, [topic], idle_timeout=3.0):
            parts[rec.partition].append((rec.offset, rec.key, rec.value or b""))
        return {p: [(k, v) for _, k, v in sorted(rows)] for p, rows in parts.items()}

    return asyncio.run(go())


def check(
    fleet: Fleet,
    bootstrap: str,
    *,
    scenario: str,
    run: int,
    faults: list[str],
    recovery: list[float | None],
    started: float,
) -> Report:
    """Compare every committed output with the offline chain's outcome for every input."""
    from streams.knowledge import load_knowledge
    from streams.settings import load_settings

    raw_topic = fleet.topic("raw")
    raw = read_raw(bootstrap, raw_topic)
    exp = expected_outcomes(raw_topic, raw)
    configured = {r.name for r in load_knowledge(load_settings({})).routes.routes}
    route_names = sorted({r for r, _, _ in exp.routes} | configured)
    prefix = fleet.base["WIREFEED_ROUTE_TOPIC_PREFIX"]
    names = {k: fleet.topic(k) for k in ("enriched", "duplicates", "dlq")}
    topics = [*names.values(), *(prefix + r for r in route_names)]
    got = asyncio.run(_read_all(bootstrap, topics))

    verdicts: Counter[tuple[str, int, str, str, str | None]] = Counter()
    routes: Counter[tuple[str, str, int]] = Counter()
    dlq: Counter[tuple[str | None, str | None, str | None, str | None]] = Counter()
    for kind in ("enriched", "duplicates"):
        for _, value in got.get(names[kind], []):
            rec = orjson.loads(value or b"{}")
            verdicts[(kind, rec["id"], rec["version"], rec["dedup"]["status"], rec["dedup"]["of"])] += 1
    for _, value in got.get(names["dlq"], []):
        dlq[_dlq_key(orjson.loads(value or b"{}"))] += 1
    for r in route_names:
        for _, value in got.get(prefix + r, []):
            rec = orjson.loads(value or b"{}")
            routes[(r, rec["id"], rec["version"])] += 1

    examples: list[str] = []
    # per input item (id, version): how many outputs it should have and has
    want: Counter[tuple[str, int]] = Counter()
    have: Counter[tuple[str, int]] = Counter()
    want_v: dict[tuple[str, int], Counter[Any]] = defaultdict(Counter)
    have_v: dict[tuple[str, int], Counter[Any]] = defaultdict(Counter)
    for (kind, i, v, st, of), n in exp.verdicts.items():
        want[(i, v)] += n
        want_v[(i, v)][(kind, st, of)] += n
    for (kind, i, v, st, of), n in verdicts.items():
        have[(i, v)] += n
        have_v[(i, v)][(kind, st, of)] += n
    lost = doubled = mismatches = 0
    for key in want.keys() | have.keys():
        w, h = want[key], have[key]
        if h < w:
            lost += w - h
            examples.append(f"lost {key}")
        elif h > w:
            doubled += h - w
            examples.append(f"doubled {key}: {dict(have_v[key])}")
        elif want_v[key] != have_v[key]:
            mismatches += 1
            examples.append(f"verdict {key}: want {dict(want_v[key])} got {dict(have_v[key])}")
    lost += sum((exp.dlq - dlq).values())
    doubled += sum((dlq - exp.dlq).values())
    missing_outcomes = sum(sum((want_v[key] - have_v[key]).values()) for key in want_v)
    missing_outcomes += sum((exp.dlq - dlq).values())

    per_topic: dict[str, dict[str, int]] = {}
    for kind in ("enriched", "duplicates"):
        e: Counter[tuple[str, int]] = Counter()
        g: Counter[tuple[str, int]] = Counter()
        for (k2, i, v, _, _), n in exp.verdicts.items():
            if k2 == kind:
                e[(i, v)] += n
        for (k2, i, v, _, _), n in verdicts.items():
            if k2 == kind:
                g[(i, v)] += n
        per_topic[kind] = {"missing": sum((e - g).values()), "extra": sum((g - e).values())}
    per_topic["dlq"] = {"missing": sum((exp.dlq - dlq).values()), "extra": sum((dlq - exp.dlq).values())}
    for r in route_names:
        e3 = Counter({k: n for k, n in exp.routes.items() if k[0] == r})
        g3 = Counter({k: n for k, n in routes.items() if k[0] == r})
        miss, extra = sum((e3 - g3).values()), sum((g3 - e3).values())
        per_topic[f"route.{r}"] = {"missing": miss, "extra": extra, "records": sum(g3.values())}
        if miss or extra:
            examples.append(f"route {r}: missing {list(e3 - g3)[:3]} extra {list(g3 - e3)[:3]}")

    return Report(
        scenario=scenario,
        run=run,
        items=exp.items,
        faults=faults,
        lost=lost,
        doubled=doubled,
        mismatches=mismatches,
        per_topic=per_topic,
        recovery_s=recovery,
        duration_s=time.time() - started,
        expected_outputs=exp.outputs,
        no_output_resends=exp.no_output,
        examples=examples,
        missing_outcomes=missing_outcomes,
    )


def wait_drained(
    fleet: Fleet,
    monitor: OutputMonitor,
    producer: PacedProducer,
    expected: int,
    *,
    notes: list[str],
    quiet_s: float = 45.0,
    timeout: float = 240.0,
) -> None:
    """Until the outputs reach ``expected`` or stop arriving for ``quiet_s`` after the input ended."""
    deadline = time.time() + timeout
    last, last_change = -1, time.time()
    while time.time() < deadline:
        notes += fleet.supervise()
        if producer.error is not None:
            raise producer.error
        if monitor.error is not None:
            raise monitor.error
        n = monitor.count
        if n != last:
            last, last_change = n, time.time()
        if producer.done.is_set() and n >= expected:
            time.sleep(2.0)  # let any (wrong) extra output land too
            return
        if producer.done.is_set() and time.time() - last_change > quiet_s:
            return
        time.sleep(0.5)


def record(report: Report) -> None:
    """Merge one run into bench/results/faults.json (git-ignored)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        data = orjson.loads(RESULTS.read_bytes())
    session = os.environ.get("FAULT_SESSION", "")
    if data.get("session") != session:
        data = {"session": session, "scenarios": {}}
    runs = data.setdefault("scenarios", {}).setdefault(report.scenario, {})
    runs[str(report.run)] = report.as_json()
    RESULTS.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))


def expected_output_count(fleet: Fleet, messages: list[Message]) -> int:
    """The outputs the intended input should give (for the drain wait; the checker recomputes)."""
    by_partition: dict[int, list[tuple[bytes | None, bytes]]] = defaultdict(list)
    for m in messages:
        by_partition[m.partition].append((m.key, m.value))
    return expected_outcomes(fleet.topic("raw"), dict(by_partition)).outputs


Action = Callable[[], str]
