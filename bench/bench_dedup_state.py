"""CPU per item of ``dedup.decide`` on a dict and on the worker's state, and of the per-batch flush.

Run: .venv/bin/python bench/bench_dedup_state.py [--items 10000] [--rounds 5] [--batch 500]
     [--baseline REV]   (also run dedup.py and table_cache.py as they are at git REV, interleaved)

Items are the bench mix (``bench/generate.py``, seed 7), prepared once by the chain. Each round
runs, with fresh state and a clock advancing 0.5 s per item:

* ``dict``: ``decide`` over every item on a plain dict (``wirefeed process``);
* ``worker``: ``decide`` over every item on a ``PartitionState`` over a real Faust table in RocksDB
  (fresh data directory, no broker; the current event is faked as the worker's is), with the
  chain's replay memo and routes written after each verdict (not timed: they make the batch's
  dirty keys what the worker's are), and ``flush_records`` every ``--batch`` items (timed alone,
  reported per item and per batch).

Times are CPU (``time.process_time_ns``) with the worker's collector thresholds
(``gc_tuning``); medians (and minima) of the rounds; variants alternate who goes first.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_chain import items, prepared_items  # noqa: E402
from streams import table_cache  # noqa: E402
from streams.gc_tuning import tune_for_long_runs  # noqa: E402
from streams.knowledge import load_knowledge  # noqa: E402
from streams.pipeline import dedup  # noqa: E402
from streams.settings import load_settings  # noqa: E402

clock = time.process_time_ns


def _module_at(rev: str, path: str, name: str) -> ModuleType:
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, check=True)
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up
    exec(compile(src.stdout, f"{rev}:{path}", "exec"), mod.__dict__)
    return mod


class _Event:  # Faust keeps the current event by weak reference
    message = SimpleNamespace(topic="wire.dedup", partition=0, offset=1)


def _wrap(dd: ModuleType, state: Any) -> Any:
    """The state as the chain gives it to decide (with the compiled index, where there is one)."""
    if not hasattr(dd, "IndexedState"):  # a revision before the index
        return state
    from streams.pipeline.dedup_index import indexed

    return indexed(state)


def dict_round(prepared: list[Any], cfg: Any, dd: ModuleType) -> float:
    state = _wrap(dd, {})
    t0 = clock()
    for p, now in prepared:
        dd.decide(p.item, p.fp, state, now, cfg)
    return (clock() - t0) / len(prepared) / 1e3


def worker_round(
    prepared: list[Any], cfg: Any, dd: ModuleType, tc: ModuleType, batch: int
) -> dict[str, float]:
    import faust
    from faust.streams import _current_event

    tmp = tempfile.mkdtemp(prefix="bench-dedup-state-")
    try:
        app = faust.App("bench-dedup-state", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=tmp)
        table = app.Table("dedup", default=None, partitions=1, key_type=bytes)
        event = _Event()
        _current_event.set(weakref.ref(event))
        try:  # as the worker builds the dedup view
            view = tc.PartitionState(table, partition=0, key_filter=True)
        except TypeError:  # a revision before the key filter
            view = tc.PartitionState(table, partition=0)
        state = _wrap(dd, view)
        t_decide = t_flush = 0
        flushes = records = 0
        for n, (p, now) in enumerate(prepared, 1):
            t0 = clock()
            verdict = dd.decide(p.item, p.fp, state, now, cfg)
            t_decide += clock() - t0
            if verdict.status != "redelivery":
                dd.remember_outcome(state, p.item.id, f"wire.dedup/0/{n}", verdict)
                if verdict.status != "duplicate":
                    dd.remember_routes(state, p.item.id, ["r"])
            if n % batch == 0 or n == len(prepared):
                t0 = clock()
                records += len(view.flush_records(0))
                t_flush += clock() - t0
                flushes += 1
        _current_event.set(None)
        table.data.close() if hasattr(table.data, "close") else None
        n = len(prepared)
        return {
            "decide": t_decide / n / 1e3,
            "flush_per_item": t_flush / n / 1e3,
            "flush_per_batch_ms": t_flush / flushes / 1e6,
            "records_per_item": records / n,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--baseline", help="git revision to compare with (its dedup.py and table_cache.py)")
    args = ap.parse_args(argv)

    k = load_knowledge(load_settings({}))
    prepared = prepared_items(items(args.items), k)
    tune_for_long_runs()  # the collector settings of the worker and ``wirefeed process``
    variants: dict[str, tuple[ModuleType, ModuleType]] = {"current": (dedup, table_cache)}
    if args.baseline:
        variants["baseline"] = (
            _module_at(args.baseline, "streams/pipeline/dedup.py", "_baseline_dedup"),
            _module_at(args.baseline, "streams/table_cache.py", "_baseline_table_cache"),
        )
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(variants)[::-1]
        for name in order:
            dd, tc = variants[name]
            got = {"dict_decide": dict_round(prepared, k.dedup, dd)}
            got.update(
                {f"worker_{key}": v for key, v in worker_round(prepared, k.dedup, dd, tc, args.batch).items()}
            )
            for key, v in got.items():
                runs[name].setdefault(key, []).append(v)
    print(f"{len(prepared)} items, batch {args.batch}, {args.rounds} rounds, CPU µs/item (median / min)")
    for key in runs["current"]:
        cells = "".join(
            f"  {name}: {statistics.median(runs[name][key]):8.2f} / {min(runs[name][key]):8.2f}"
            for name in variants
        )
        print(f"  {key:<26}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
