"""``make bench``: wirefeed against raw aiokafka and bare Faust, through a real broker.

    .venv/bin/python -m bench.run [--quick] [--skip-memory] [--out DIR]
    WIREFEED_BENCH_QUICK=1 make bench

Uses $KAFKA_BOOTSTRAP when it answers, else starts its own broker on a free port with
deploy/kafka/kafka.sh (stopped at the end). Every scenario runs in its own namespace
(topics, consumer group, app id), so runs never see each other's data. Scenarios:

1. saturation: a backlog of generated wire items (bench/generate.py) is put on a raw topic,
   then (a) bench/aiokafka_passthrough.py, (b) bench/faust_passthrough.py, (c) one
   ``wirefeed worker`` and (d) two ``wirefeed worker`` processes drain it. Throughput is read
   from the create-time stamps of the output records (first 2 s of output skipped as warm-up),
   so process start-up never counts. CPU per item from /proc/<pid>/stat; per stage from the
   worker's /metrics (wirefeed_stage_duration_seconds sum/count).
2. latency: a paced producer offers 100/s, 1,000/s and 50% of that system's saturation to a
   fresh, idle process; latency = time the bench consumer receives the output minus the
   create time the bench producer stamped on the raw record (one clock). Items not out
   within the grace period count as infinitely late (so an overloaded p99 shows as "> grace").
   Exact redeliveries in the mix (an id and version sent before, ~5%) are sent but not timed:
   the pipeline publishes nothing for them by design, and no system's figure includes them.
3. offline: ``wirefeed process`` on a JSONL file, and an in-process pass over the same items
   with per-stage timers and a cProfile of where the time goes.
4. memory: bench/memory.py (1M stories of dedup state, dict and RocksDB; the loaded KB) plus
   the RSS of the real worker after the saturation run.

Prints a table and writes bench/results/bench-<UTC timestamp>.json and bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import cProfile
import dataclasses
import io
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
KAFKA_SH = ROOT / "deploy" / "kafka" / "kafka.sh"
PY = sys.executable
PARTITIONS = 4
GUARANTEE = os.environ.get("WIREFEED_PROCESSING_GUARANTEE", "")  # empty: the worker's default
_CLK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes and time bounds of one run."""

    quick: bool
    sat_items: int
    pipeline_items: int  # the pipeline drains ~10^3 items/s: a smaller backlog of the same items
    sat_seconds: float
    lat_seconds: float
    lat_grace: float
    offline_items: int
    profile_items: int
    mem_stories: int
    mem_deadline: float
    startup_timeout: float = 120.0

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 8_000, 3_000, 15.0, 5.0, 5.0, 1_000, 200, 100_000, 30.0)
        return cls(False, 40_000, 20_000, 40.0, 15.0, 10.0, 10_000, 600, 1_000_000, 150.0)


# ---- processes -------------------------------------------------------------------
class Proc:
    """A child process with its CPU time and resident memory read from /proc."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.cmd, self.env, self.log = name, cmd, env, log
        self.p: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        with open(self.log, "ab") as fh:
            self.p = subprocess.Popen(self.cmd, env=self.env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        return self

    @property
    def pid(self) -> int:
        assert self.p is not None
        return self.p.pid

    def alive(self) -> bool:
        return self.p is not None and self.p.poll() is None

    def cpu_s(self) -> float:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLK
        except (OSError, IndexError, ValueError):
            return 0.0

    def rss_mib(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        return None

    def stop(self) -> None:
        if self.p is None or self.p.poll() is not None:
            return
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(10)

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(hostport: str) -> bool:
    host, _, port = hostport.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def broker(tmp: Path) -> Any:
    """$KAFKA_BOOTSTRAP when it answers, else a private broker for this run."""
    given = os.environ.get("KAFKA_BOOTSTRAP")
    if given and port_open(given):
        yield given, "external"
        return
    kdir = tmp / "kafka"
    out = subprocess.run(
        ["bash", str(KAFKA_SH), "start", "--port", "0", "--dir", str(kdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: could not start a broker:\n{out.stderr}")
    try:
        yield out.stdout.strip().splitlines()[-1], "private (deploy/kafka/kafka.sh)"
    finally:
        subprocess.run(["bash", str(KAFKA_SH), "stop", "--dir", str(kdir)], capture_output=True, check=False)


# ---- Kafka helpers -----------------------------------------------------------------
async def create_topics(bootstrap: str, names: Sequence[str], partitions: int = PARTITIONS) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def produce_bulk(bootstrap: str, topic: str, records: Sequence[tuple[bytes, bytes]]) -> float:
    from aiokafka import AIOKafkaProducer

    p = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=1_048_576, max_request_size=16_000_000
    )
    await p.start()
    t0 = time.perf_counter()
    try:
        pending = []
        for key, value in records:
            pending.append(await p.send(topic, value, key=key))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await p.stop()
    return time.perf_counter() - t0


class Offsets:
    """End offsets of a set of topics, from one long-lived metadata client."""

    def __init__(self, bootstrap: str) -> None:
        from aiokafka import AIOKafkaConsumer

        self.c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)

    async def __aenter__(self) -> Offsets:
        await self.c.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.c.stop()

    async def total(self, topics: Sequence[str]) -> int:
        from streams.kafka_io import topic_partitions

        tps = await topic_partitions(self.c, topics)
        if not tps:
            return 0
        return sum((await self.c.end_offsets(tps)).values())


async def read_stamps(bootstrap: str, topics: Sequence[str]) -> list[float]:
    """Create-time stamps (s) of every record on ``topics``."""
    from aiokafka import AIOKafkaConsumer

    from streams.kafka_io import topic_partitions

    c = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8_388_608,
        fetch_max_bytes=67_108_864,
    )
    await c.start()
    stamps: list[float] = []
    try:
        tps = await topic_partitions(c, topics)
        if not tps:
            return stamps
        c.assign(tps)
        await c.seek_to_beginning(*tps)
        ends = await c.end_offsets(tps)
        left = {tp for tp in tps if ends[tp] > 0}
        while left:
            batch = await c.getmany(timeout_ms=1000, max_records=5000)
            if not batch:
                break
            for tp, recs in batch.items():
                stamps.extend(r.timestamp / 1000.0 for r in recs)
                if recs and recs[-1].offset + 1 >= ends[tp]:
                    left.discard(tp)
    finally:
        await c.stop()
    return stamps


# ---- systems under test -------------------------------------------------------------
@dataclass(slots=True)
class Run:
    """One running system: its processes and where its output goes."""

    name: str
    procs: list[Proc]
    outputs: list[str]
    web_ports: list[int] = field(default_factory=list)

    def stop(self) -> None:
        for p in self.procs:
            p.stop()

    def cpu_s(self) -> float:
        return sum(p.cpu_s() for p in self.procs)

    def check_alive(self) -> None:
        for p in self.procs:
            if not p.alive():
                code = p.p.returncode if p.p is not None else None
                raise RuntimeError(f"{p.name} exited (status {code}):\n{p.tail()}")


def _worker_env() -> dict[str, str]:
    """``BENCH_WORKER_ENV="WIREFEED_X=1 WIREFEED_Y=2"``: settings for the wirefeed workers only (A/B runs)."""
    pairs = (kv.partition("=") for kv in os.environ.get("BENCH_WORKER_ENV", "").split())
    return {k: v for k, sep, v in pairs if sep and k.startswith("WIREFEED_")}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("WIREFEED_", "KAFKA_", "BENCH_"))}


async def start_system(system: str, bootstrap: str, src: str, ns: str, tmp: Path, *, workers: int = 1) -> Run:
    """Start ``system`` reading ``src``; output topics are created first (PARTITIONS each)."""
    logs = tmp / "logs"
    logs.mkdir(exist_ok=True)
    if system == "aiokafka":
        dst = f"{ns}.out"
        await create_topics(bootstrap, [dst])
        cmd = [PY, "-m", "bench.aiokafka_passthrough", "--bootstrap", bootstrap, "--src", src, "--dst", dst]
        cmd += ["--group", f"{ns}-group"]
        return Run(system, [Proc(system, cmd, _clean_env(), logs / f"{ns}.log").start()], [dst])
    if system == "faust":
        dst = f"{ns}.out"
        await create_topics(bootstrap, [dst])
        port = free_port()
        env = _clean_env() | {
            "BENCH_BOOTSTRAP": bootstrap,
            "BENCH_SRC": src,
            "BENCH_DST": dst,
            "BENCH_APP": f"{ns}-faust",
            "BENCH_WEB_PORT": str(port),
            "BENCH_PARTITIONS": str(PARTITIONS),
            "BENCH_DATA_DIR": str(tmp / f"{ns}-faust"),
        }
        proc = Proc(system, [PY, "-m", "bench.faust_passthrough", "worker"], env, logs / f"{ns}.log")
        return Run(system, [proc.start()], [dst], [port])
    if system != "pipeline":
        raise ValueError(system)
    topics = {
        "WIREFEED_TOPIC_DEDUP": f"{ns}.wire.dedup",
        "WIREFEED_TOPIC_ENRICHED": f"{ns}.wire.enriched",
        "WIREFEED_TOPIC_DUPLICATES": f"{ns}.wire.duplicates",
        "WIREFEED_TOPIC_DLQ": f"{ns}.wire.dlq",
        "WIREFEED_TOPIC_ROUTES": f"{ns}.wire.routes",
    }
    outputs = [
        topics["WIREFEED_TOPIC_ENRICHED"],
        topics["WIREFEED_TOPIC_DUPLICATES"],
        topics["WIREFEED_TOPIC_DLQ"],
    ]
    await create_topics(bootstrap, [topics["WIREFEED_TOPIC_DEDUP"], *outputs])
    procs, ports = [], []
    for i in range(workers):
        port = free_port()
        env = (
            _clean_env()
            | topics
            | {
                "KAFKA_BOOTSTRAP": bootstrap,
                "WIREFEED_APP_ID": f"wirefeed-{ns}",
                "WIREFEED_TOPIC_RAW": src,
                "WIREFEED_ROUTE_TOPIC_PREFIX": f"{ns}.wire.route.",
                "WIREFEED_DATA_DIR": str(tmp / f"{ns}-data-{i}"),
                "WIREFEED_WEB_PORT": str(port),
                "WIREFEED_PARTITIONS": str(PARTITIONS),
                "WIREFEED_LOG_LEVEL": "warning",
            }
            | ({"WIREFEED_PROCESSING_GUARANTEE": GUARANTEE} if GUARANTEE else {})
            | _worker_env()
        )
        procs.append(Proc(f"worker{i}", [PY, "-m", "streams.cli", "worker"], env, logs / f"{ns}-{i}.log"))
        ports.append(port)
    for p in procs:
        p.start()
    return Run(system, procs, outputs, ports)


def http_get(port: int, path: str, timeout: float = 5.0) -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return bytes(r.read())
    except OSError:
        return None


async def wait_workers_assigned(run: Run, timeout: float) -> float:
    """Until every worker reports assigned partitions; returns when that was (epoch s)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        run.check_alive()
        ok = 0
        for port in run.web_ports:
            body = await asyncio.to_thread(http_get, port, "/status.json", 2.0)
            with contextlib.suppress(ValueError, KeyError, TypeError):
                if body and orjson.loads(body)["ready"]["assigned_partitions"] > 0:
                    ok += 1
        if ok == len(run.web_ports):
            return time.time()
        await asyncio.sleep(0.5)
    raise RuntimeError(f"workers not assigned within {timeout} s:\n{run.procs[0].tail()}")


_METRIC = re.compile(r'^wirefeed_stage_duration_seconds_(sum|count)\{stage="([a-z_]+)"\} ([0-9.eE+-]+)$')


def stage_costs(run: Run) -> dict[str, dict[str, float]]:
    """Per-stage mean time per item (µs) and item counts, summed over the run's workers."""
    sums: dict[str, float] = collections.defaultdict(float)
    counts: dict[str, float] = collections.defaultdict(float)
    for port in run.web_ports:
        body = http_get(port, "/metrics", 10.0)
        for line in (body or b"").decode(errors="replace").splitlines():
            m = _METRIC.match(line)
            if m:
                (sums if m.group(1) == "sum" else counts)[m.group(2)] += float(m.group(3))
    return {
        st: {"us_per_item": round(1e6 * sums[st] / counts[st], 1), "items": int(counts[st])}
        for st in sums
        if counts.get(st)
    }


_SERIES = re.compile(
    r"^(wirefeed_publish_duration_seconds_(?:sum|count)|wirefeed_messages_consumed_total)"
    r'\{topic="([^"]+)"\} (\S+)$'
)


def publish_counters(run: Run) -> dict[tuple[str, str], float]:
    """Cumulative publish time/count and items consumed per input topic, summed over the workers."""
    out: dict[tuple[str, str], float] = collections.defaultdict(float)
    for port in run.web_ports:
        body = http_get(port, "/metrics", 10.0)
        for line in (body or b"").decode(errors="replace").splitlines():
            m = _SERIES.match(line)
            if m:
                out[(m.group(1), m.group(2))] += float(m.group(3))
    return out


def worker_side(before: dict[tuple[str, str], float], after: dict[tuple[str, str], float]) -> dict[str, Any]:
    """Per input topic during one load: items per published batch and mean publish (transaction) time."""
    res: dict[str, Any] = {}
    for name, topic in after:
        if name != "wirefeed_publish_duration_seconds_count":
            continue
        batches = after[(name, topic)] - before.get((name, topic), 0.0)
        if batches <= 0:
            continue
        secs = after[("wirefeed_publish_duration_seconds_sum", topic)] - before.get(
            ("wirefeed_publish_duration_seconds_sum", topic), 0.0
        )
        items = after.get(("wirefeed_messages_consumed_total", topic), 0.0) - before.get(
            ("wirefeed_messages_consumed_total", topic), 0.0
        )
        res[topic.rsplit(".", 1)[-1]] = {
            "batches": int(batches),
            "items_per_batch": round(items / batches, 1),
            "publish_ms_mean": round(1000 * secs / batches, 1),
        }
    return res


# ---- scenarios ------------------------------------------------------------------------
def _pyspy(run: Run, system: str, workers: int) -> subprocess.Popen[bytes] | None:
    """``BENCH_PYSPY=<file>``: sample the 1-worker pipeline run with py-spy (GIL holder only, raw
    format, for collapsing into a breakdown); off by default, the sampler costs CPU on a shared box."""
    target = os.environ.get("BENCH_PYSPY")
    spy_bin = Path(PY).with_name("py-spy")
    if not target or system != "pipeline" or workers != 1 or not spy_bin.exists():
        return None
    cmd = [str(spy_bin), "record", "-r", "200", "--gil", "--format", "raw", "-o", target]
    cmd += ["--pid", str(run.procs[0].pid)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def saturation(
    system: str,
    bootstrap: str,
    src: str,
    items: int,
    mean_bytes: float,
    plan: Plan,
    tmp: Path,
    *,
    workers: int = 1,
) -> dict[str, Any]:
    ns = f"b{uuid.uuid4().hex[:8]}"
    load0 = os.getloadavg()[0]
    run = await start_system(system, bootstrap, src, ns, tmp, workers=workers)
    out: dict[str, Any] = {"system": system, "workers": workers, "backlog_items": items}
    spy = _pyspy(run, system, workers)
    try:
        t_ready = await wait_workers_assigned(run, plan.startup_timeout) if workers > 1 else 0.0
        async with Offsets(bootstrap) as offs:
            t_launch = time.time()
            first: tuple[float, float, int] | None = None  # (time, cpu, outputs) at first output
            last_n, last_change = 0, time.time()
            while True:
                await asyncio.sleep(0.5)
                run.check_alive()
                n = await offs.total(run.outputs)
                now = time.time()
                if n != last_n:
                    last_n, last_change = n, now
                if first is None:
                    if n > 0:
                        first = (now, run.cpu_s(), n)
                    elif now - t_launch > plan.startup_timeout:
                        raise RuntimeError(f"{system}: no output within {plan.startup_timeout} s")
                    continue
                if n >= items or now - first[0] > plan.sat_seconds or now - last_change > 5.0:
                    break
            cpu1 = run.cpu_s()
            out["cpu_us_per_item"] = round(1e6 * (cpu1 - first[1]) / max(1, n - first[2]), 1)
            out["drained"] = n >= items
        if system == "pipeline":
            out["stages"] = await asyncio.to_thread(stage_costs, run)
        out["rss_mib"] = [p.rss_mib() for p in run.procs]
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(30)
        run.stop()
    stamps = sorted(await read_stamps(bootstrap, run.outputs))
    out["outputs"] = len(stamps)
    if len(stamps) < 2:
        raise RuntimeError(f"{system}: only {len(stamps)} outputs")
    start = stamps[0] + 2.0
    if t_ready:
        start = max(start, t_ready + 2.0)
    window = [t for t in stamps if t >= start]
    if len(window) < 100 or stamps[-1] - start < 1.0:  # drained during warm-up: use the whole span
        window, start = stamps, stamps[0]
    span = window[-1] - start
    rate = (len(window) - 1) / span if span > 0 else float("nan")
    out |= {
        "items_per_s": round(rate, 1),
        "mb_per_s": round(rate * mean_bytes / 1e6, 2),
        "window_s": round(span, 1),
        "window_items": len(window),
        "loadavg_before": round(load0, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
    }
    return out


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


class LatencyProbe:
    """Paced producer + live consumer in one loop; latencies keyed by record key."""

    def __init__(self, bootstrap: str, src: str, outputs: list[str]) -> None:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

        self.src, self.outputs = src, outputs
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, linger_ms=0, max_request_size=16_000_000
        )
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
            max_partition_fetch_bytes=8_388_608,
            isolation_level="read_committed",
        )
        self.sent: dict[bytes, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.latencies: list[float] = []
        self.received = 0
        # (id, version) pairs sent so far: an exact redelivery has no output from the pipeline
        # (dropped by design, docs/dedup.md), so it is sent as load but not timed, for any system
        self.identities: set[tuple[bytes, object]] = set()
        self.redeliveries = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        from streams.kafka_io import topic_partitions

        await self.producer.start()
        await self.consumer.start()
        tps = await topic_partitions(self.consumer, self.outputs)
        self.consumer.assign(tps)
        await self.consumer.seek_to_end(*tps)
        self._task = asyncio.create_task(self._receive())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.producer.stop()
        await self.consumer.stop()

    async def _receive(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=2000)
            now = time.time()
            for recs in batch.values():
                for r in recs:
                    q = self.sent.get(r.key or b"")
                    if q:
                        self.latencies.append(now - q.popleft())
                        self.received += 1

    async def send(self, key: bytes, value: bytes) -> None:
        now = time.time()
        ident = (key, _version(value))
        if ident in self.identities:
            self.redeliveries += 1
        else:
            self.identities.add(ident)
            self.sent[key].append(now)
        await self.producer.send(self.src, value, key=key, timestamp_ms=int(now * 1000))

    def outstanding(self) -> int:
        return sum(len(q) for q in self.sent.values())

    async def offer(
        self, records: Sequence[tuple[bytes, bytes]], rate: float, seconds: float, grace: float
    ) -> dict[str, Any]:
        self.latencies, self.received, self.redeliveries = [], 0, 0
        n = max(1, int(rate * seconds))
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for i in range(n):
            delay = t0 + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            key, value = records[i % len(records)]
            if i >= len(records):
                key, value = _renamed(key, value, i // len(records))
            await self.send(key, value)
        await self.producer.flush()
        sent_span = loop.time() - t0
        deadline = loop.time() + grace
        timed = n - self.redeliveries
        while self.received < timed and loop.time() < deadline:
            await asyncio.sleep(0.05)
        lat = sorted(self.latencies)
        missing = timed - len(lat)
        full = lat + [float("inf")] * missing

        def ms(v: float) -> float | None:
            return None if v == float("inf") else round(v * 1000, 1)

        return {
            "offered_per_s": round(rate, 1),
            "achieved_per_s": round(n / sent_span, 1) if sent_span > 0 else None,
            "sent": n,
            "redeliveries_untimed": self.redeliveries,
            "delivered": len(lat),
            "late_beyond_grace": missing,
            "grace_s": grace,
            "p50_ms": ms(percentile(full, 0.50)),
            "p95_ms": ms(percentile(full, 0.95)),
            "p99_ms": ms(percentile(full, 0.99)),
            "max_ms": ms(full[-1]) if full else None,
        }


def _renamed(key: bytes, value: bytes, round_: int) -> tuple[bytes, bytes]:
    """A re-sent pool item under a new id, so the pipeline sees a new item, not a redelivery."""
    new = b"r%d-" % round_ + key
    value = value.replace(b'"id":"' + key, b'"id":"' + new, 1).replace(b'"uri":"' + key, b'"uri":"' + new, 1)
    return new, value


async def latency(
    system: str,
    bootstrap: str,
    records: Sequence[tuple[bytes, bytes]],
    loads: list[float],
    plan: Plan,
    tmp: Path,
) -> dict[str, Any]:
    ns = f"l{uuid.uuid4().hex[:8]}"
    src = f"{ns}.raw"
    await create_topics(bootstrap, [src])
    run = await start_system(system, bootstrap, src, ns, tmp)
    probe = LatencyProbe(bootstrap, src, run.outputs)
    results: dict[str, Any] = {"system": system, "loads": []}
    try:
        await probe.start()
        # warm-up: trickle until the first item comes out, so start-up is not counted
        deadline = time.time() + plan.startup_timeout
        i = 0
        while probe.received == 0:
            run.check_alive()
            if time.time() > deadline:
                raise RuntimeError(
                    f"{system}: no output within {plan.startup_timeout} s:\n{run.procs[0].tail()}"
                )
            key, value = _renamed(*records[i % len(records)], 900 + i)
            await probe.send(key, value)
            i += 1
            await asyncio.sleep(0.3)
        await asyncio.sleep(3.0)
        probe.sent.clear()
        pool = records[i:]
        overloaded = False
        for rate in sorted(loads):
            if overloaded:
                results["loads"].append(
                    {"offered_per_s": round(rate, 1), "skipped": "overloaded at a lower load"}
                )
                continue
            before = publish_counters(run) if system == "pipeline" else {}
            cpu0, t0 = run.cpu_s(), time.monotonic()
            res = await probe.offer(pool, rate, plan.lat_seconds, plan.lat_grace)
            cpu, wall = run.cpu_s() - cpu0, time.monotonic() - t0
            res["loadavg"] = round(os.getloadavg()[0], 2)
            # CPU-bound or waiting? the worker's own CPU over the load (and its grace), from /proc
            res["worker_cpu_share"] = round(cpu / wall, 2) if wall > 0 else None
            got = res["delivered"]
            res["worker_cpu_us_per_item"] = round(1e6 * cpu / got, 1) if got else None
            if system == "pipeline":  # where the time goes: batch sizes and transaction times per agent
                res["worker"] = worker_side(before, publish_counters(run))
            results["loads"].append(res)
            pool = [*pool[res["sent"] % len(pool) :], *pool[: res["sent"] % len(pool)]]
            if res["late_beyond_grace"]:
                overloaded = True  # its backlog would delay every later load
            probe.sent.clear()
            await asyncio.sleep(1.0)
    finally:
        await probe.stop()
        run.stop()
    return results


def offline(values: Sequence[bytes], plan: Plan, tmp: Path) -> dict[str, Any]:
    """``wirefeed process`` as a user runs it (one process, then ``--jobs`` = cores), then a
    per-stage pass and a profile in-process."""
    src = tmp / "offline.jsonl"
    src.write_bytes(b"".join(v + b"\n" for v in values[: plan.offline_items]))
    out: dict[str, Any] = {"items": plan.offline_items}
    jobs = max(2, os.cpu_count() or 1)
    for n_jobs, prefix in ((1, "cli"), (jobs, "cli_jobs")):
        got = _process_cli(src, n_jobs)
        if "error" in got:
            out["error"] = got["error"]
            break
        out |= {f"{prefix}_{k}": v for k, v in got.items()}
    out |= in_process_profile(values[: plan.profile_items], tmp)
    return out


def _process_cli(src: Path, jobs: int) -> dict[str, Any]:
    cmd = [PY, "-m", "streams.cli", "process", str(src), "-o", os.devnull, "--dlq", os.devnull]
    cmd += ["--jobs", str(jobs)]
    p = subprocess.Popen(cmd, cwd=ROOT, env=_clean_env(), stderr=subprocess.PIPE)
    assert p.stderr is not None
    err = p.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    m = re.search(r"(\d+) lines in ([0-9.]+) s", err)
    if p.returncode != 0 or not m:
        return {"error": err[-800:]}
    n, secs = int(m.group(1)), float(m.group(2))
    return {
        "items_per_s": round(n / secs, 1),
        "seconds": secs,
        "jobs": jobs,
        # the parent's own CPU, and with --jobs its prepare processes' (reaped before it exits)
        "cpu_s_incl_startup": round(usage.ru_utime + usage.ru_stime, 2),
    }


class _Timer:
    def __init__(self) -> None:
        self.sum: dict[str, float] = collections.defaultdict(float)
        self.count: dict[str, int] = collections.defaultdict(int)

    def stage(self, name: str, seconds: float, ok: bool) -> None:
        self.sum[name] += seconds
        self.count[name] += 1


def in_process_profile(values: Sequence[bytes], tmp: Path) -> dict[str, Any]:
    from streams.knowledge import load_knowledge
    from streams.pipeline import chain
    from streams.settings import load_settings

    k = load_knowledge(load_settings({}))
    timer, state = _Timer(), chain.State()
    c0, t0 = time.process_time(), time.perf_counter()
    for i, v in enumerate(values):
        chain.run(v, k, state, origin=chain.Origin("bench", 0, i), observer=timer)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    stages = {
        st: {"us_per_item": round(1e6 * timer.sum[st] / timer.count[st], 1), "items": timer.count[st]}
        for st in timer.sum
    }
    prof = cProfile.Profile()
    state = chain.State()
    subset = values[: max(1, len(values) // 2)]
    prof.enable()
    for i, v in enumerate(subset):
        chain.run(v, k, state, origin=chain.Origin("bench", 0, i))
    prof.disable()
    text = io.StringIO()
    st = pstats.Stats(prof, stream=text)
    st.sort_stats("tottime").print_stats(25)
    top = []
    for (filename, line, func), (_cc, _nc, tt, ct, _callers) in sorted(
        st.stats.items(),  # type: ignore[attr-defined]
        key=lambda kv: -kv[1][2],
    )[:15]:
        where = filename.replace(str(ROOT) + "/", "").rsplit("site-packages/", 1)[-1]
        top.append(
            {
                "function": f"{where}:{line}({func})",
                "self_us_per_item": round(1e6 * tt / len(subset), 1),
                "cum_us_per_item": round(1e6 * ct / len(subset), 1),
            }
        )
    (tmp / "profile.txt").write_text(text.getvalue())
    return {
        "inproc_items": len(values),
        "inproc_items_per_s": round(len(values) / wall, 1),
        "inproc_items_per_cpu_s": round(len(values) / cpu, 1) if cpu else None,
        "inproc_stages": stages,
        "profile_items": len(subset),
        "profile_top_self": top,
    }


def memory(plan: Plan) -> dict[str, Any]:
    cmd = [
        PY,
        "-m",
        "bench.memory",
        "all",
        "--stories",
        str(plan.mem_stories),
        "--deadline",
        str(plan.mem_deadline),
    ]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=4 * plan.mem_deadline + 600)
    if out.returncode != 0:
        return {"error": out.stderr[-800:]}
    return dict(orjson.loads(out.stdout))


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False).stdout.strip()
    import aiokafka
    import faust

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "free_g": free,
        "python": platform.python_version(),
        "faust": faust.__version__,
        "aiokafka": aiokafka.__version__,
        "kernel": platform.release(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---- report -----------------------------------------------------------------------------
def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.1f}{unit}"
    return f"{v}{unit}"


def _ratio(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def table(res: dict[str, Any]) -> str:
    lines = []
    m = res["machine"]
    lines.append(
        f"wirefeed bench ({'quick' if res['quick'] else 'full'}) — {m['nproc']} cores, {m['cpu_model']}"
    )
    lines.append(
        f"worker: {res['processing_guarantee']}, {res['partitions']} partitions; "
        f"broker: {res['broker']}; mix: {res['mix']['items']} items, mean {res['mix']['mean_bytes']} B"
    )
    lines.append("")
    lines.append(
        f"{'saturation':<28}{'items/s':>10}{'MB/s':>8}{'CPU µs/item':>13}{'RSS MiB':>14}{'window':>9}"
    )
    sat = res["saturation"]
    labels = {
        "aiokafka": "(a) raw aiokafka",
        "faust": "(b) bare Faust",
        "pipeline": "(c) wirefeed, 1 worker",
        "pipeline_x2": "(d) wirefeed, 2 workers",
    }
    for key, label in labels.items():
        r = sat.get(key)
        if not r:
            continue
        if "error" in r:
            lines.append(f"{label:<28} error: {r['error'][:70]}")
            continue
        rss = "/".join(_fmt(x) for x in r.get("rss_mib", []))
        lines.append(
            f"{label:<28}{_fmt(r['items_per_s']):>10}{_fmt(r['mb_per_s']):>8}{_fmt(r['cpu_us_per_item']):>13}"
            f"{rss:>14}{_fmt(r['window_s'], ' s'):>9}"
        )
    ratios = res["ratios"]
    lines.append(
        f"ratios: (c)/(a) = {_ratio(ratios.get('c_over_a'))}   (c)/(b) = {_ratio(ratios.get('c_over_b'))}   "
        f"scale-out (d)/(c) = {_ratio(ratios.get('scale_out_factor'))}"
    )
    stages = sat.get("pipeline", {}).get("stages") or {}
    if stages:
        lines.append("")
        lines.append("worker time per item per stage (from /metrics, 1-worker saturation run):")
        lines.append("  " + "  ".join(f"{s} {v['us_per_item']:,.0f} µs" for s, v in stages.items()))
    lines.append("")
    lines.append(
        f"{'latency (end to end)':<28}{'offered':>9}{'achieved':>10}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'late':>6}"
    )
    for system, r in res["latency"].items():
        if "error" in r:
            lines.append(f"{labels.get(system, system):<28} error: {r['error'][:70]}")
            continue
        for ld in r["loads"]:
            label = labels.get(system, system)
            if "skipped" in ld:
                lines.append(f"{label:<28}{_fmt(ld['offered_per_s']):>9}  skipped: {ld['skipped']}")
                continue
            grace = f"> {ld['grace_s']:.0f} s"
            cells = [ld["p50_ms"], ld["p95_ms"], ld["p99_ms"]]
            lines.append(
                f"{label:<28}{_fmt(ld['offered_per_s']):>9}{_fmt(ld['achieved_per_s']):>10}"
                + "".join(f"{(grace if c is None else _fmt(c)):>9}" for c in cells)
                + f"{ld['late_beyond_grace']:>6}"
            )
            if ld.get("worker_cpu_share") is not None:
                lines.append(
                    f"{'':<30}CPU: {ld['worker_cpu_share']:.0%} of a core, "
                    f"{_fmt(ld['worker_cpu_us_per_item'])} µs per delivered item"
                )
            for topic, w in (ld.get("worker") or {}).items():
                lines.append(
                    f"{'':<30}{topic}: {w['batches']:,} batches of {w['items_per_batch']} items, "
                    f"publish {w['publish_ms_mean']} ms mean"
                )
    off = res.get("offline", {})
    lines.append("")
    if "error" in off:
        lines.append(f"offline: error {off['error'][:200]}")
    elif off:
        lines.append(
            f"offline `wirefeed process`: {_fmt(off['cli_items_per_s'])} items/s ({off['items']} items), "
            f"with --jobs {off['cli_jobs_jobs']} {_fmt(off['cli_jobs_items_per_s'])} items/s; "
            f"in-process {_fmt(off['inproc_items_per_s'])} items/s, "
            f"{_fmt(off['inproc_items_per_cpu_s'])} per CPU-s"
        )
        lines.append(
            "  per stage: "
            + "  ".join(f"{s} {v['us_per_item']:,.0f} µs" for s, v in off["inproc_stages"].items())
        )
        lines.append("  top functions by self time (µs/item):")
        for t in off["profile_top_self"][:8]:
            lines.append(f"    {t['self_us_per_item']:>9,.1f}  {t['function']}")
    mem = res.get("memory", {})
    if mem:
        lines.append("")
        lines.append("memory (RSS, MiB):")
        for mode in ("kb", "dict", "rocksdb"):
            r = mem.get(mode) or {}
            if "error" in r:
                lines.append(f"  {mode}: error {r['error'][:100]}")
            elif r:
                extra = (
                    f", {r['stories']:,} stories, {r.get('bytes_per_story', '?')} B/story"
                    if "stories" in r
                    else ""
                )
                lines.append(
                    f"  {mode:<8} rss {r['rss_mib']:,.1f} (+{r['added_mib']:,.1f} over baseline){extra}"
                )
        w = sat.get("pipeline", {}).get("rss_mib")
        if w:
            lines.append(f"  worker after the saturation run (KB loaded, RocksDB tables): {w[0]} MiB")
    targets = res.get("targets", {})
    if targets:
        lines.append("")
        lines.append(
            "targets: "
            + "  ".join(f"{k} {'PASS' if v['ok'] else 'MISS'} ({v['value']})" for k, v in targets.items())
        )
    return "\n".join(lines)


def targets(res: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sat = res["saturation"]
    c = sat.get("pipeline", {}).get("items_per_s")
    if c is not None:
        out["pipeline>=5000/s"] = {"ok": c >= 5000, "value": c}
    r = res["ratios"].get("c_over_b")
    if r is not None:
        out["c/b>=0.5"] = {"ok": r >= 0.5, "value": r}
    for ld in res["latency"].get("pipeline", {}).get("loads", []):
        if ld.get("offered_per_s") == 1000.0 and "skipped" not in ld:
            p99 = ld["p99_ms"]
            out["p99@1000/s<=100ms"] = {"ok": p99 is not None and p99 <= 100, "value": p99}
    offline_rates = [res.get("offline", {}).get(k) for k in ("cli_items_per_s", "cli_jobs_items_per_s")]
    if any(r is not None for r in offline_rates):
        best = max(r for r in offline_rates if r is not None)
        out["offline>=10000/s"] = {"ok": best >= 10000, "value": best}
    return out


# ---- main -------------------------------------------------------------------------------
SYSTEMS = ["aiokafka", "faust", "pipeline"]
SECTIONS = ("saturation", "scaleout", "latency", "offline", "memory")


async def bench(plan: Plan, bootstrap: str, broker_kind: str, tmp: Path, only: set[str]) -> dict[str, Any]:
    from bench.generate import Generator, describe

    res: dict[str, Any] = {
        "quick": plan.quick,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan": dataclasses.asdict(plan),
        "machine": machine(),
        "broker": broker_kind,
        "processing_guarantee": GUARANTEE or _default_guarantee(),
        "partitions": PARTITIONS,
        "worker_env": _worker_env(),
    }
    say = _say
    say(f"generating {plan.sat_items} items ...")
    gen = Generator(seed=7)
    values = [orjson.dumps(it) for it in gen.items(plan.sat_items)]
    records = [(_key(v), v) for v in values]
    res["mix"] = describe(values)
    raw = f"bench{uuid.uuid4().hex[:6]}.raw"
    await create_topics(bootstrap, [raw])
    secs = await produce_bulk(bootstrap, raw, records)
    res["preload"] = {
        "topic_partitions": PARTITIONS,
        "seconds": round(secs, 1),
        "items_per_s": round(len(values) / secs),
    }
    say(f"backlog of {len(values)} items on {raw} in {secs:.1f} s")
    raw_small = f"bench{uuid.uuid4().hex[:6]}.raw-pipeline"
    await create_topics(bootstrap, [raw_small])
    await produce_bulk(bootstrap, raw_small, records[: plan.pipeline_items])

    sat: dict[str, Any] = {}
    for key, system, workers in (
        ("aiokafka", "aiokafka", 1),
        ("faust", "faust", 1),
        ("pipeline", "pipeline", 1),
        ("pipeline_x2", "pipeline", 2),
    ):
        if ("scaleout" if workers > 1 else "saturation") not in only or system not in SYSTEMS:
            continue
        say(f"saturation: {key} ...")
        try:
            src, n = (raw_small, plan.pipeline_items) if system == "pipeline" else (raw, len(values))
            mean = sum(len(v) for v in values[:n]) / n
            sat[key] = await saturation(system, bootstrap, src, n, mean, plan, tmp, workers=workers)
            say(f"  {sat[key]['items_per_s']:,.1f} items/s, {sat[key]['cpu_us_per_item']:,.0f} CPU µs/item")
        except Exception as exc:
            sat[key] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            say(f"  error: {sat[key]['error'][:300]}")
    res["saturation"] = sat

    def rate(k: str) -> float | None:
        return sat.get(k, {}).get("items_per_s")

    a, b, c, d = rate("aiokafka"), rate("faust"), rate("pipeline"), rate("pipeline_x2")
    res["ratios"] = {
        "c_over_a": round(c / a, 4) if a and c else None,
        "c_over_b": round(c / b, 4) if b and c else None,
        "scale_out_factor": round(d / c, 2) if c and d else None,
    }

    lat_gen = Generator(seed=11)
    pool_n = 0 if "latency" not in only else 4_000 if plan.quick else 16_000
    lat_records = [(_key(v), v) for v in (orjson.dumps(it) for it in lat_gen.items(pool_n))]
    res["latency"] = {}
    for system in [x for x in ("aiokafka", "faust", "pipeline") if x in SYSTEMS] if "latency" in only else ():
        s = rate(system)
        loads = [100.0, 1000.0] + ([round(0.5 * s, 1)] if s else [])
        say(f"latency: {system} at {', '.join(f'{x:,.0f}/s' for x in sorted(loads))} ...")
        try:
            res["latency"][system] = await latency(system, bootstrap, lat_records, loads, plan, tmp)
            for ld in res["latency"][system]["loads"]:
                say(f"  {ld}")
        except Exception as exc:
            res["latency"][system] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            say(f"  error: {res['latency'][system]['error'][:300]}")

    if "offline" in only:
        say(f"offline: wirefeed process on {plan.offline_items} items, profile on {plan.profile_items} ...")
        try:
            res["offline"] = await asyncio.to_thread(offline, values, plan, tmp)
        except Exception as exc:
            res["offline"] = {"error": f"{type(exc).__name__}: {exc}"}
    if "memory" in only:
        say(f"memory: {plan.mem_stories:,} stories of dedup state (dict, RocksDB), KB ...")
        res["memory"] = await asyncio.to_thread(memory, plan)
    res["targets"] = targets(res)
    res["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    res["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return res


def _default_guarantee() -> str:
    from streams.settings import Settings

    return Settings().processing_guarantee


def _version(value: bytes) -> object:
    try:
        return orjson.loads(value).get("version")
    except (orjson.JSONDecodeError, AttributeError):
        return None


def _key(value: bytes) -> bytes:
    obj = orjson.loads(value)
    return str(obj.get("id") or obj.get("uri")).encode()


def _say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="wirefeed end-to-end benchmark (make bench)")
    ap.add_argument("--quick", action="store_true", default=os.environ.get("WIREFEED_BENCH_QUICK") == "1")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated subset: saturation,scaleout,latency,offline,memory (default: all)",
    )
    ap.add_argument("--systems", default="aiokafka,faust,pipeline", help="which systems to run")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory (worker logs)")
    args = ap.parse_args(argv)
    plan = Plan.make(args.quick)
    SYSTEMS[:] = [x.strip() for x in args.systems.split(",") if x.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="wirefeed-bench-"))
    t0 = time.time()
    try:
        with broker(tmp) as (bootstrap, kind):
            _say(f"broker {bootstrap} ({kind}); scratch {tmp}")
            only = {x.strip() for x in args.only.split(",") if x.strip()}
            if args.skip_memory:
                only = (only or set(SECTIONS)) - {"memory"}
            res = asyncio.run(bench(plan, bootstrap, kind, tmp, only or set(SECTIONS)))
        res["duration_s"] = round(time.time() - t0, 1)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        data = orjson.dumps(res, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
        (out / f"bench-{stamp}.json").write_bytes(data)
        (out / "latest.json").write_bytes(data)
        with contextlib.suppress(OSError):
            shutil.copy(tmp / "profile.txt", out / "profile-latest.txt")
        print(table(res))
        print(f"\nwritten: {out / f'bench-{stamp}.json'} (and latest.json); took {res['duration_s']:.0f} s")
    finally:
        if args.keep:
            _say(f"scratch kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
