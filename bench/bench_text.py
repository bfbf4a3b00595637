"""parse and fingerprint, native (native/src/text.rs, item.rs) against Python, on the bench mix.

Run: .venv/bin/python bench/bench_text.py [--items 3000] [--rounds 9]
(writes bench/results/text.json)

Rounds alternate the two paths (``use_native(True/False)`` on both modules, A-B then B-A) in one
process, so that both see the same machine load; times are CPU (``time.process_time_ns``) per call,
medians of the rounds. ``parse`` gets the raw messages; ``fingerprint`` the cleaned headline and
body of each item that ``chain.prepare`` accepts (what the worker fingerprints).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import Generator  # noqa: E402
from streams.knowledge import load_knowledge  # noqa: E402
from streams.pipeline import chain, dedup_fingerprint, parse  # noqa: E402
from streams.pipeline.types import Rejected  # noqa: E402
from streams.settings import load_settings  # noqa: E402

OUT = ROOT / "bench" / "results" / "text.json"
T0 = 1_772_431_200.0


def inputs(n: int) -> tuple[list[bytes], list[tuple[str, str]]]:
    values = [orjson.dumps(it) for it in Generator(seed=7).items(n)]
    k, state = load_knowledge(load_settings({})), chain.State()
    texts = []
    for i, v in enumerate(values):
        p = chain.prepare(v, k, state, now=T0 + 0.5 * i)
        if isinstance(p, chain.Prepared):
            texts.append((p.cleaned.headline, p.cleaned.body))
    return values, texts


def timed(f: Callable[[], None], n: int) -> float:
    t0 = time.process_time_ns()
    f()
    return (time.process_time_ns() - t0) / n / 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    values, texts = inputs(args.items)

    def run_parse() -> None:
        for v in values:
            with contextlib.suppress(Rejected):
                parse.parse(v)

    def run_fp() -> None:
        fp = dedup_fingerprint.fingerprint
        for h, b in texts:
            fp(h, b)

    times: dict[str, dict[str, list[float]]] = {
        p: {"parse": [], "fingerprint": []} for p in ("python", "native")
    }
    for r in range(args.rounds):
        for path in ("python", "native") if r % 2 == 0 else ("native", "python"):
            on = path == "native"
            if parse.use_native(on) != on or dedup_fingerprint.use_native(on) != on:
                raise SystemExit("wirefeed_native is not built: pip install ./native")
            times[path]["parse"].append(timed(run_parse, len(values)))
            times[path]["fingerprint"].append(timed(run_fp, len(texts)))
    parse.use_native()
    dedup_fingerprint.use_native()
    result: dict[str, Any] = {
        "items": len(values),
        "fingerprinted": len(texts),
        "rounds": args.rounds,
        "machine": platform.processor() or platform.machine(),
        "us_per_call": {
            path: {stage: round(statistics.median(ts), 2) for stage, ts in by.items()}
            for path, by in times.items()
        },
    }
    for stage in ("parse", "fingerprint"):
        py, nat = result["us_per_call"]["python"][stage], result["us_per_call"]["native"][stage]
        print(f"{stage:12s} python {py:7.2f} us   native {nat:7.2f} us   {py / nat:5.1f}x")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
