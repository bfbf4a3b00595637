"""Python vs native rule matching in the strip stage, interleaved in one process, on the bench mix.

Run: .venv/bin/python bench/bench_strip_native.py [--items 10000] [--rounds 5] [--input ITEMS.jsonl]

Items are ``bench/generate.py``'s mix (seed 7, or ``--input``, e.g. the file ``python -m bench.generate
-n 10000 -o ...`` writes). One pass runs ``learned_lines`` + ``strip`` + ``observe`` as ``chain.prepare``
does and records each item's text body (HTML pages extracted once) and learned set. Each round then
times, with a freshly loaded ``RuleSet`` per measurement (cold line memo, as after a worker start),
``strip()`` and ``strip._removals`` on every recorded item, Python matcher (A) and native matcher (B)
in alternating order. CPU time (``time.process_time``), median over rounds, µs per item; the outputs
of A and B are compared item by item.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from streams.pipeline import furniture, parse  # noqa: E402
from streams.pipeline.html_extract import extract_text  # noqa: E402
from streams.pipeline.rules import RuleSet, load_rules  # noqa: E402
from streams.pipeline.strip import _learned_set, _removals, _removals_native, strip  # noqa: E402

WINDOW_S, MIN_ITEMS = 7 * 24 * 3600.0, 5


def record(raws: list[bytes]) -> list[tuple[str, str, frozenset[str]]]:
    """(headline, text body, learned lines) per item, as the worker's strip call sees them."""
    rules = load_rules(native=False)
    state: dict[str, Any] = {}
    out = []
    for j, raw in enumerate(raws):
        it = parse.parse(raw)
        now = 1.7e9 + 2.0 * j
        lines = it.body.split("\n")
        learned = furniture.learned_lines(state, it.source, min_items=MIN_ITEMS, now=now, window_s=WINDOW_S,
                                          item_id=it.id, lines=lines, offset=j)
        body = extract_text(it.body_html) if it.body_html and not it.body.strip() else it.body
        strip(it.headline, body, rules, learned=learned)
        furniture.observe(state, it.source, it.id, lines, now, window_s=WINDOW_S, min_items=MIN_ITEMS,
                          offset=j)
        out.append((it.headline, body, learned))
    return out


def time_strip(items: list[tuple[str, str, frozenset[str]]], rules: RuleSet) -> tuple[float, list[Any]]:
    t0 = time.process_time()
    res = [strip(h, b, rules, learned=lr) for h, b, lr in items]
    return (time.process_time() - t0) / len(items) * 1e6, res


def time_removals(items: list[tuple[str, str, frozenset[str]]], rules: RuleSet) -> tuple[float, list[Any]]:
    """``_removals`` alone, on lines split afresh (a str keeps the UTF-8 copy the native call makes)."""
    inputs = [(list(map(str.strip, b.split("\n"))), _learned_set(lr)) for _h, b, lr in items]
    fn = _removals_native if rules.native is not None else _removals
    t0 = time.process_time()
    res = [fn(keys, rules, lset)[0] for keys, lset in inputs]
    return (time.process_time() - t0) / len(inputs) * 1e6, res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--input", type=Path, default=None, help="JSONL items (default: generate, seed 7)")
    args = ap.parse_args(argv)
    if args.input:
        raws = args.input.read_bytes().splitlines()[: args.items]
    else:
        raws = list(generate(args.items, seed=7))
    t0 = time.perf_counter()
    native = load_rules(native=True)
    if native.native is None:
        print("the native matcher is not available (pip install ./native)")
        return 1
    print(f"native RuleSet build (first in process): {time.perf_counter() - t0:.2f} s wall")
    t0 = time.perf_counter()
    load_rules(native=True)
    print(f"native RuleSet build (again): {time.perf_counter() - t0:.2f} s wall")
    items = record(raws)
    lines = sum(b.count("\n") + 1 for _h, b, _ in items)
    chars = sum(len(b) for _h, b, _ in items) / len(items)
    print(f"{len(items)} items, {lines} lines, {chars:.0f} chars/item")
    got: dict[str, list[float]] = {"strip A": [], "strip B": [], "removals A": [], "removals B": []}
    for r in range(args.rounds):
        order = (False, True) if r % 2 == 0 else (True, False)
        for use in order:
            t, res = time_strip(items, load_rules(native=use))
            got[f"strip {'B' if use else 'A'}"].append(t)
            if use:
                res_b = res
            else:
                res_a = res
        assert res_a == res_b, "strip outputs differ"
        for use in order:
            t, res = time_removals(items, load_rules(native=use))
            got[f"removals {'B' if use else 'A'}"].append(t)
            if use:
                rem_b = res
            else:
                rem_a = res
        assert rem_a == rem_b, "removals differ"
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in got.items()))
    print(f"native search caches after a round: {load_rules(native=True).native.cache_bytes() / 1e6:.1f} MB")
    for what in ("strip", "removals"):
        a, b = statistics.median(got[f"{what} A"]), statistics.median(got[f"{what} B"])
        ratios = [x / y for x, y in zip(got[f"{what} A"], got[f"{what} B"], strict=True)]
        print(f"{what:>9}: Python {a:6.1f} µs/item, native {b:6.1f} µs/item, "
              f"median ratio {statistics.median(ratios):.2f}x (outputs identical)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
