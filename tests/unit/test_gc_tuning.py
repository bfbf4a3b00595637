"""Long runs raise the collector's thresholds: the worker and ``wirefeed process`` tune it at start."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import orjson

from streams.gc_tuning import THRESHOLDS, tune_for_long_runs

SAMPLE = Path(__file__).resolve().parents[2] / "streams" / "data" / "samples" / "wire-sample.jsonl"


def test_tuning_sets_the_thresholds_and_freezes_startup_objects() -> None:
    before = gc.get_threshold()
    try:
        tune_for_long_runs()
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_process_runs_with_the_tuned_collector(tmp_path: Path) -> None:
    probe = (
        "import gc, sys\n"
        "from streams.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(gc.get_threshold(), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    out = tmp_path / "out.jsonl"
    r = subprocess.run(
        [sys.executable, "-c", probe, "process", str(SAMPLE), "-o", str(out), "--dlq", str(tmp_path / "dlq")],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert str(THRESHOLDS) in r.stderr
    records = [orjson.loads(line) for line in out.read_text().splitlines()]
    assert records and all(rec["id"] for rec in records)
