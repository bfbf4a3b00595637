"""CPU per item of the chain around the stages: ``prepare``, ``encode/decode_prepared``, ``finish``.

Run: .venv/bin/python bench/bench_chain.py [--items 3000] [--rounds 5] [--reference] [--profile]
(writes bench/results/chain.json)

Items are the end-to-end benchmark's mix (``bench/generate.py``, seed 7, as ``bench/run.py`` builds
it). Each round runs prepare -> encode -> decode -> finish over every item with fresh state (dicts,
as ``wirefeed process`` uses), a clock that advances 0.5 s per item, and an observer that sums stage
times as the worker's metrics do. Times are CPU (``time.process_time_ns``), median of the rounds.

Two views:

* per chain function (what the worker calls), inclusive of the stages inside them;
* the chain's own work, each piece timed alone on the same items: ``parse``, ``fingerprint``,
  ``decide`` (fresh state, same order), the output record as bytes (rendered in two parts by the
  current chain, ``enriched_record`` + orjson by the reference), the wire.dedup ``encode``/``decode``
  (staged items now, prepared ones in the reference), and the
  per-stage ``_guard`` cost (six empty guarded blocks per item, the worker's stage count).
  ``strip``, ``tag`` and ``route`` belong to their own benchmarks.

``--reference`` also runs the code as it was before the chain's speed work (the frozen copies in
tests/unit/test_chain_ref_*.py, which the equivalence tests compare against), its rounds
interleaved with the current code's, so both see the same machine load: a before/after in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import Generator  # noqa: E402
from streams.knowledge import load_knowledge  # noqa: E402
from streams.pipeline import chain, dedup, parse  # noqa: E402
from streams.pipeline.types import Rejected, Verdict  # noqa: E402
from streams.settings import load_settings  # noqa: E402

OUT = ROOT / "bench" / "results" / "chain.json"
T0 = 1_772_431_200.0  # 2026-03-02T06:00Z, the generator's start
clock = time.process_time_ns


class _Observer:
    """Sums stage times, as streams/metrics.py does (a dict update per call)."""

    def __init__(self) -> None:
        self.sum: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def stage(self, name: str, seconds: float, ok: bool) -> None:
        self.sum[name] += seconds
        self.count[name] += 1


def items(n: int) -> list[bytes]:
    gen = Generator(seed=7)
    return [orjson.dumps(it) for it in gen.items(n)]


class Impl:
    """The chain, parse and dedup modules one round runs: the current ones or the reference."""

    def __init__(self, reference: bool = False) -> None:
        if reference:
            sys.path.insert(0, str(ROOT))
            from tests.unit import test_chain_ref_chain as ref_chain
            from tests.unit import test_chain_ref_dedup as ref_dedup
            from tests.unit import test_chain_ref_parse as ref_parse

            self.chain: Any = ref_chain
            self.parse: Any = ref_parse
            self.dedup: Any = ref_dedup
        else:
            self.chain, self.parse, self.dedup = chain, parse, dedup


def chain_round(values: list[bytes], k: chain.Knowledge, impl: Impl | None = None) -> dict[str, float]:
    """One pass with fresh state; CPU µs per item per function.

    The current chain hands dedup a staged item (``prepare`` -> ``stage``: route and render ->
    ``encode_staged`` -> ``decode_staged`` -> ``finish``); the reference a prepared one, routed and
    rendered in ``finish`` (its ``stage`` is 0).
    """
    ch = (impl or Impl()).chain
    staged = hasattr(ch, "prepare_staged")
    encode = ch.encode_staged if staged else ch.encode_prepared
    decode = ch.decode_staged if staged else ch.decode_prepared
    state, obs = ch.State(), _Observer()
    tot = dict.fromkeys(("prepare", "stage", "encode", "decode", "finish"), 0)
    n_prep = 0
    for i, v in enumerate(values):
        now = T0 + 0.5 * i
        origin = ch.Origin("bench.raw", 0, i, str(i).encode(), now)
        t0 = clock()
        p = ch.prepare(v, k, state, origin=origin, now=now, observer=obs)
        t1 = clock()
        tot["prepare"] += t1 - t0
        if isinstance(p, ch.Outcome):
            continue
        if staged:
            p = ch.stage(p, k, now=now, observer=obs)
            tot["stage"] += clock() - t1
            if isinstance(p, ch.Outcome):
                continue
        n_prep += 1
        t0 = clock()
        rec = encode(p)
        t1 = clock()
        q = decode(rec)
        t2 = clock()
        ch.finish(q, k, state, now=now, observer=obs)
        t3 = clock()
        tot["encode"] += t1 - t0
        tot["decode"] += t2 - t1
        tot["finish"] += t3 - t2
    n = len(values)
    out = {
        "prepare": tot["prepare"] / n / 1e3,
        "stage": tot["stage"] / n_prep / 1e3,
        "encode": tot["encode"] / n_prep / 1e3,
        "decode": tot["decode"] / n_prep / 1e3,
        "finish": tot["finish"] / n_prep / 1e3,
    }
    rest = tot["stage"] + tot["encode"] + tot["decode"] + tot["finish"]
    out["total"] = out["prepare"] + rest / n / 1e3
    for st in ("strip", "tag", "route"):  # wall time inside those stages (context only)
        out[f"stage_{st}_wall"] = 1e6 * obs.sum[st] / max(1, obs.count[st])
    return out


def pieces(
    values: list[bytes], prepared: list[tuple[chain.Prepared, float]], k: chain.Knowledge, impl: Impl
) -> dict[str, Callable[[], float]]:
    """The chain's own pieces: each a timed pass over all items, returning CPU µs per item."""
    ch, parse, dedup = impl.chain, impl.parse, impl.dedup
    n = len(prepared)
    recs = [ch.encode_prepared(p) for p, _ in prepared]

    def t_parse() -> float:
        t0 = clock()
        for v in values:
            with contextlib.suppress(Rejected):
                parse.parse(v)
        return (clock() - t0) / len(values) / 1e3

    def t_fingerprint() -> float:
        t0 = clock()
        for p, _ in prepared:
            dedup.fingerprint(p.cleaned.headline, p.cleaned.body)
        return (clock() - t0) / n / 1e3

    def t_decide() -> float:  # fresh state as ``wirefeed process`` makes it, the items in order
        state = ch.State().dedup
        cfg = k.dedup
        t0 = clock()
        for p, now in prepared:
            dedup.decide(p.item, p.fp, state, now, cfg)
        return (clock() - t0) / n / 1e3

    staged = hasattr(ch, "prepare_staged")
    if staged:  # the current chain: the record rendered in the first half, the verdict's part in finish
        stg = [(ch.stage(p, k, now=now), now) for p, now in prepared]
        recs = [ch.encode_staged(s) for s, _ in stg]

    def t_record() -> float:
        verdict = Verdict("unique")
        t0 = clock()
        if staged:
            from streams.pipeline import staged as staged_mod

            for p, now in prepared:
                s = staged_mod.staged(p.item, p.cleaned, p.tags, p.fp, p.origin, now, None)
                staged_mod.render(s, verdict, ["r"], {"r": ["x"]}, now)
        else:
            for p, now in prepared:
                orjson.dumps(ch.enriched_record(p, verdict, ["r"], {"r": ["x"]}, now))
        return (clock() - t0) / n / 1e3

    def t_encode() -> float:
        t0 = clock()
        if staged:
            for s, _ in stg:
                ch.encode_staged(s)
        else:
            for p, _ in prepared:
                ch.encode_prepared(p)
        return (clock() - t0) / n / 1e3

    def t_decode() -> float:
        dec = ch.decode_staged if staged else ch.decode_prepared
        t0 = clock()
        for r in recs:
            dec(r)
        return (clock() - t0) / n / 1e3

    def t_guard() -> float:
        obs = _Observer()
        t0 = clock()
        if hasattr(ch, "_Guard"):  # one guard per item, as prepare/finish use it
            for _ in range(n):
                guard = ch._Guard(obs)
                for st in ch.STAGES:
                    with guard(st):
                        pass
        else:
            for _ in range(n):
                for st in ch.STAGES:
                    with ch._guard(st, obs):
                        pass
        return (clock() - t0) / n / 1e3

    return {
        "parse": t_parse,
        "fingerprint": t_fingerprint,
        "decide": t_decide,
        "record (bytes)": t_record,
        "encode": t_encode,
        "decode": t_decode,
        "guard_x6": t_guard,
    }


def prepared_items(values: list[bytes], k: chain.Knowledge) -> list[tuple[chain.Prepared, float]]:
    state, got = chain.State(), []
    for i, v in enumerate(values):
        now = T0 + 0.5 * i
        p = chain.prepare(v, k, state, origin=chain.Origin("bench.raw", 0, i), now=now)
        if isinstance(p, chain.Prepared):
            got.append((p, now))
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reference", action="store_true", help="also run the code before the speed work")
    ap.add_argument("--profile", action="store_true", help="cProfile one chain round (self time)")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/results/chain.json")
    args = ap.parse_args(argv)

    k = load_knowledge(load_settings({}))
    values = items(args.items)
    prepared = prepared_items(values, k)
    impls = {"current": Impl()}
    if args.reference:
        impls["reference"] = Impl(reference=True)
    for impl in impls.values():
        chain_round(values[:300], k, impl)  # warm caches (regex compilation, KB lookups)

    # every variant runs right after the other (whole chain rounds; each piece), so both see the
    # same machine load, first and second in turn; the median and the minimum are reported
    chains: dict[str, list[dict[str, float]]] = {name: [] for name in impls}
    timers = {name: pieces(values, prepared, k, impl) for name, impl in impls.items()}
    piece_runs: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in impls}
    for r in range(args.rounds):
        order = list(impls) if r % 2 == 0 else list(impls)[::-1]  # who goes first alternates too
        for name in order:
            chains[name].append(chain_round(values, k, impls[name]))
        for piece in timers["current"]:
            for name in order:
                piece_runs[name][piece].append(timers[name][piece]())
    results: dict[str, Any] = {}
    for name in impls:
        med_chain = {
            key: round(statistics.median(r[key] for r in chains[name]), 1) for key in chains[name][0]
        }
        min_chain = {key: round(min(r[key] for r in chains[name]), 1) for key in chains[name][0]}
        med_pieces = {key: round(statistics.median(v), 2) for key, v in piece_runs[name].items()}
        min_pieces = {key: round(min(v), 2) for key, v in piece_runs[name].items()}
        results[name] = {
            "chain_cpu_us_per_item": med_chain,
            "chain_cpu_us_per_item_min": min_chain,
            "own_pieces_cpu_us_per_item": med_pieces,
            "own_pieces_cpu_us_per_item_min": min_pieces,
            "own_sum_cpu_us_per_item": round(sum(med_pieces.values()), 1),
            "own_sum_cpu_us_per_item_min": round(sum(min_pieces.values()), 1),
        }

    names = list(impls)
    head = "".join(f"{n + ' med':>16}{'min':>8}" for n in names)
    print(f"{len(values)} items ({len(prepared)} prepared), {args.rounds} rounds, CPU µs/item")
    print(f"  {'':<20}{head}")

    def row(label: str, key: str, kind: str) -> None:
        cells = "".join(
            f"{results[n][kind][key]:>16.1f}{results[n][kind + '_min'][key]:>8.1f}" for n in names
        )
        print(f"  {label:<20}{cells}")

    print("chain functions (stages included):")
    for key in results["current"]["chain_cpu_us_per_item"]:
        row(key, key, "chain_cpu_us_per_item")
    print("the chain's own pieces, each alone:")
    for key in results["current"]["own_pieces_cpu_us_per_item"]:
        row(key, key, "own_pieces_cpu_us_per_item")
    sums = "".join(
        f"{results[n]['own_sum_cpu_us_per_item']:>16.1f}{results[n]['own_sum_cpu_us_per_item_min']:>8.1f}"
        for n in names
    )
    print(f"  {'sum':<20}{sums}")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        chain_round(values, k)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)

    if not args.no_write:
        OUT.write_text(
            json.dumps(
                {
                    "command": "bench/bench_chain.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "items": len(values),
                    "prepared": len(prepared),
                    "rounds": args.rounds,
                    **results,
                    "python": platform.python_version(),
                    "machine": platform.machine(),
                    "loadavg": list(os.getloadavg()),
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
