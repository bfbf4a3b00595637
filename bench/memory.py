"""Resident memory of a worker's state: 1M stories of dedup state, and the loaded KB.

    .venv/bin/python -m bench.memory all [--stories 1000000] [--rocksdb-stories 1000000]
    .venv/bin/python -m bench.memory dict|rocksdb|kb [--stories N]     (one measurement, JSON out)

Each measurement runs in a fresh interpreter (``all`` spawns one per mode) and reads
VmRSS / VmHWM from /proc/self/status, so numbers are the process's real footprint,
not an estimate from object sizes.

* ``dict``: the dedup state as the chain keeps it offline and as a Faust table with the
  ``memory://`` store holds it (a Python dict of str -> JSON-able values).
* ``rocksdb``: the same writes through a MutableMapping over ``rocksdict.Rdict`` with
  orjson values — what a Faust table on ``rocksdb://`` (the worker's default) stores. Faust's
  RocksDB store keeps no Python-side copy of the data, so RSS is RocksDB's memtables and
  block cache plus the interpreter.
* ``kb``: everything a worker loads before it consumes (``load_knowledge``: strip rules,
  knowledge base with its automaton, routes).

Stories are fed to the real ``dedup.decide`` as unique originals. Their fingerprints are
synthetic but shaped like the benchmark mix: sentence counts and figure shares are drawn
from fingerprints of generated items, hashes are random 32-bit values, so each story writes
exactly the records (item record, exact hash, anchor index, arrival log) a real one does.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import orjson


def rss_kb() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in KiB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


class RocksMapping(MutableMapping[str, Any]):
    """str keys, orjson values, on rocksdict: the shape of a Faust RocksDB table."""

    def __init__(self, path: str) -> None:
        from rocksdict import Rdict

        self.db = Rdict(path)

    def __getitem__(self, key: str) -> Any:
        v = self.db.get(key.encode())
        if v is None:
            raise KeyError(key)
        return orjson.loads(v)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.db.get(key.encode())
        return default if v is None else orjson.loads(v)

    def __setitem__(self, key: str, value: Any) -> None:
        self.db[key.encode()] = orjson.dumps(value)

    def __delitem__(self, key: str) -> None:
        del self.db[key.encode()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.db.get(key.encode()) is not None

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.db)

    def __len__(self) -> int:
        return sum(1 for _ in self.db)

    def close(self) -> None:
        self.db.close()


def _shapes(sample: int = 1500) -> list[tuple[int, float, int]]:
    """(sentences, share with figures, length) of real fingerprints of generated items."""
    from bench.generate import Generator
    from streams.pipeline.dedup import fingerprint

    out = []
    for it in Generator(seed=3).items(sample):
        body = it.get("body") or ""
        if not body:
            continue
        fp = fingerprint(it.get("headline", ""), body)
        if fp.chunks:
            out.append((len(fp.chunks), sum(1 for f in fp.facts if f) / len(fp.facts), fp.length))
    return out


def fill(state: MutableMapping[str, Any], stories: int, deadline_s: float) -> tuple[int, float]:
    """Feed ``stories`` unique originals to dedup.decide; returns (stories fed, seconds)."""
    from streams.pipeline.dedup import DedupConfig, Fingerprint, decide
    from streams.pipeline.types import RawItem

    rng = random.Random(11)
    shapes = _shapes()
    cfg = DedupConfig()
    t0 = time.perf_counter()
    now = 1_772_430_000.0
    n = 0
    for n in range(1, stories + 1):
        count, fig_share, length = shapes[n % len(shapes)]
        chunks = tuple(sorted(rng.getrandbits(32) for _ in range(count)))
        facts = tuple(rng.getrandbits(32) if rng.random() < fig_share else 0 for _ in range(count))
        fp = Fingerprint(exact=f"{rng.getrandbits(64):016x}", chunks=chunks, facts=facts, length=length)
        item = RawItem(
            id=f"agency-{n:09d}",
            version=1,
            source="Agency",
            headline="",
            body="",
            published="2026-03-02T06:00:00Z",
        )
        decide(item, fp, state, now + n * 0.01, cfg)
        if n % 10_000 == 0 and time.perf_counter() - t0 > deadline_s:
            break
    return n, time.perf_counter() - t0


def measure(mode: str, stories: int, deadline_s: float) -> dict[str, Any]:
    import gc

    import streams.pipeline.dedup  # noqa: F401  (imports counted in the baseline)

    gc.collect()
    base = rss_kb()
    result: dict[str, Any] = {"mode": mode, "baseline_rss_mib": round(base["VmRSS"] / 1024, 1)}
    if mode == "kb":
        from streams.knowledge import load_knowledge
        from streams.settings import load_settings

        t0 = time.perf_counter()
        k = load_knowledge(load_settings({}))
        result["load_s"] = round(time.perf_counter() - t0, 2)
        result["kb_entities"] = k.kb.size
    elif mode == "dict":
        state: dict[str, Any] = {}
        n, dt = fill(state, stories, deadline_s)
        result |= {"stories": n, "keys": len(state), "fill_s": round(dt, 1)}
    elif mode == "rocksdb":
        tmp = tempfile.mkdtemp(prefix="wirefeed-bench-rocks-")
        try:
            rstate = RocksMapping(tmp)
            n, dt = fill(rstate, stories, deadline_s)
            result |= {"stories": n, "fill_s": round(dt, 1)}
            rstate.db.flush()
            result["disk_mib"] = round(_du(tmp) / 2**20, 1)
            gc.collect()
            after = rss_kb()
            rstate.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        raise SystemExit(f"unknown mode {mode}")
    gc.collect()
    if mode != "rocksdb":
        after = rss_kb()
    result["rss_mib"] = round(after["VmRSS"] / 1024, 1)
    result["peak_rss_mib"] = round(after["VmHWM"] / 1024, 1)
    result["added_mib"] = round((after["VmRSS"] - base["VmRSS"]) / 1024, 1)
    if result.get("stories"):
        result["bytes_per_story"] = round((after["VmRSS"] - base["VmRSS"]) * 1024 / result["stories"])
    return result


def _du(path: str) -> int:
    import os

    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def run_all(stories: int, rocks_stories: int, deadline_s: float) -> dict[str, Any]:
    """Each measurement in its own interpreter, so one cannot inflate the next."""
    out: dict[str, Any] = {}
    for mode, n in (("kb", 0), ("dict", stories), ("rocksdb", rocks_stories)):
        cmd = [sys.executable, "-m", "bench.memory", mode, "--stories", str(n), "--deadline", str(deadline_s)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=deadline_s + 300)
        if proc.returncode != 0:
            out[mode] = {"error": proc.stderr.strip()[-500:]}
        else:
            out[mode] = orjson.loads(proc.stdout)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="resident memory of dedup state and the KB")
    ap.add_argument("mode", choices=("all", "dict", "rocksdb", "kb"))
    ap.add_argument("--stories", type=int, default=1_000_000)
    ap.add_argument("--rocksdb-stories", type=int, default=None)
    ap.add_argument("--deadline", type=float, default=240.0, help="stop filling after S seconds")
    args = ap.parse_args(argv)
    if args.mode == "all":
        res = run_all(args.stories, args.rocksdb_stories or args.stories, args.deadline)
    else:
        res = measure(args.mode, args.stories, args.deadline)
    print(orjson.dumps(res, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
