"""Benchmark for the tagging stage: items/s on ~2 KB wire items (one core), native and Python paths
in the same run, KB load time, native build time, KB size.

    .venv/bin/python bench/bench_tag.py [--seconds 5]

Items are built from the labelled set in tests/data/tag (bodies concatenated to ~2 KB each), so the
text has realistic entity density. ``items_per_cpu_s`` is the path ``tag()`` takes by default (native
when wirefeed_native is built); ``python_items_per_cpu_s`` forces the Python path (``native=False``).
Writes bench/results/tag.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from test_tag_labelled_set import load_items  # noqa: E402

from streams.pipeline import tag_native  # noqa: E402
from streams.pipeline.kb import DEFAULT_PATH, KnowledgeBase, load_kb  # noqa: E402
from streams.pipeline.tag import tag  # noqa: E402


def _load_time() -> tuple[float, float | None]:
    """KB load, and KB load plus native tagger build, in a fresh interpreter (best of 3)."""
    code = (
        "import time;t=time.perf_counter();from streams.pipeline.kb import load_kb;kb=load_kb();"
        "t1=time.perf_counter();from streams.pipeline import tag_native as n;"
        "nt=n.build(kb) if n.available() else None;t2=time.perf_counter();"
        "print(t1-t, t2-t if nt is not None else -1)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        load, both = map(float, out.stdout.split())
        runs.append((load, both))
    load = min(r[0] for r in runs)
    both = min(r[1] for r in runs)
    return load, (both if both >= 0 else None)


def _run(docs: list[tuple[str, str]], kb: KnowledgeBase, seconds: float, native: bool) -> dict[str, float]:
    discovered: dict[str, object] = {}
    n = 0
    nbytes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while time.perf_counter() - t0 < seconds:
        for h, b in docs:
            tag(h, b, kb, discovered=discovered, native=native)
            nbytes += len(b)
        n += len(docs)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {
        "items": n,
        "seconds": round(elapsed, 3),
        "items_per_s": round(n / elapsed, 1),
        # CPU time only: less sensitive to other processes on a shared machine
        "items_per_cpu_s": round(n / cpu, 1),
        "avg_item_bytes": round(nbytes / n),
        "discovered_names": len(discovered),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    kb = load_kb()
    items = load_items(kb)
    docs: list[tuple[str, str]] = []
    buf: list[str] = []
    for it in items * 3:
        buf.append(it.body)
        text = "\n".join(buf)
        if len(text.encode()) >= 2048:
            docs.append((it.headline, text[:2048]))
            buf = []
    native = tag_native.tagger_for(kb) is not None
    build_s = None
    if native:
        c0 = time.process_time()
        for _ in range(3):
            tag_native.build(kb)
        build_s = round((time.process_time() - c0) / 3, 3)
    main = _run(docs, kb, args.seconds, native=True)
    py = _run(docs, kb, args.seconds, native=False)
    load_s, load_build_s = _load_time()
    res = {
        "implementation": "native" if native else "python",
        **main,
        "python_items_per_s": py["items_per_s"],
        "python_items_per_cpu_s": py["items_per_cpu_s"],
        "kb_load_s": round(load_s, 3),
        "native_build_s": build_s,
        "kb_load_and_native_build_s": round(load_build_s, 3) if load_build_s is not None else None,
        "kb_entities": kb.size,
        "kb_file_bytes": DEFAULT_PATH.stat().st_size,
    }
    print(f"{'metric':<27} value")
    for k, v in res.items():
        print(f"{k:<27} {v}")
    out = ROOT / "bench" / "results" / "tag.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
