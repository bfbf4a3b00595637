"""Benchmark for the tagging stage: items/s on ~2 KB wire items (one core), KB load time, KB size.

    .venv/bin/python bench/bench_tag.py [--seconds 5]

Items are built from the labelled set in tests/data/tag (bodies concatenated to ~2 KB each), so the
text has realistic entity density. Writes bench/results/tag.json.
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

from streams.pipeline.kb import DEFAULT_PATH, load_kb  # noqa: E402
from streams.pipeline.tag import tag  # noqa: E402


def _load_time() -> float:
    code = (
        "import time;t=time.perf_counter();from streams.pipeline.kb import load_kb;load_kb();"
        "print(time.perf_counter()-t)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout))
    return min(runs)


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
    discovered: dict[str, object] = {}
    n = 0
    nbytes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while time.perf_counter() - t0 < args.seconds:
        for h, b in docs:
            tag(h, b, kb, discovered=discovered)
            nbytes += len(b)
        n += len(docs)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    load_s = _load_time()
    res = {
        "items": n,
        "seconds": round(elapsed, 3),
        "items_per_s": round(n / elapsed, 1),
        # CPU time only: less sensitive to other processes on a shared machine
        "items_per_cpu_s": round(n / cpu, 1),
        "avg_item_bytes": round(nbytes / n),
        "kb_load_s": round(load_s, 3),
        "kb_entities": kb.size,
        "kb_file_bytes": DEFAULT_PATH.stat().st_size,
        "discovered_names": len(discovered),
    }
    print(f"{'metric':<18} value")
    for k, v in res.items():
        print(f"{k:<18} {v}")
    out = ROOT / "bench" / "results" / "tag.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
