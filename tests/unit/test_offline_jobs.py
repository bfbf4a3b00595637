"""``wirefeed process --jobs N``: prepare fanned out to processes, finish here, in input order."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.generate import generate
from streams import offline
from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.settings import load_settings
from tests.support import REPO, SAMPLE

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="--jobs forks its prepare processes"
)

# per run, not per item: left out of comparisons between two runs
_CLOCK = ("received_at", "processed_at", "failed_at")


@pytest.fixture(scope="module")
def knowledge() -> chain.Knowledge:
    return load_knowledge(load_settings({}))


@pytest.fixture(scope="module")
def feed() -> list[bytes]:
    lines = generate(400, seed=11)
    # an exact redelivery of the first item, and a line that is not JSON, in later blocks
    return [*lines[:250], b'{"id": "broken", ', *lines[250:], lines[0]]


def _comparable(o: chain.Outcome) -> tuple[str, dict[str, Any]]:
    return o.kind, {k: v for k, v in o.record.items() if k not in _CLOCK}


def _reference(lines: list[bytes], k: chain.Knowledge, jobs: int, block: int) -> list[chain.Outcome]:
    """What the fan-out must equal: one prepare state per job, blocks dealt round-robin, finish in order."""
    prepare_states = [chain.State() for _ in range(jobs)]
    finish_state = chain.State(furniture=None, discovered=None)
    out: list[chain.Outcome] = []
    for b, start in enumerate(range(0, len(lines), block)):
        for n, line in enumerate(lines[start : start + block], start + 1):
            p = chain.prepare(line, k, prepare_states[b % jobs], origin=chain.Origin(topic="t", offset=n))
            out.append(p if isinstance(p, chain.Outcome) else chain.finish(p, k, finish_state))
    return out


@pytest.mark.parametrize(("jobs", "block"), [(2, 64), (3, 16)])
def test_fanned_out_outcomes_equal_per_job_prepare_then_serial_finish(
    knowledge: chain.Knowledge, feed: list[bytes], jobs: int, block: int
) -> None:
    got = list(offline.outcomes(feed, knowledge, jobs=jobs, topic="t", block=block))
    want = _reference(feed, knowledge, jobs, block)
    assert len(got) == len(feed)
    assert [_comparable(o) for o in got] == [_comparable(o) for o in want]


def test_a_copy_is_caught_whichever_job_prepared_it(knowledge: chain.Knowledge, feed: list[bytes]) -> None:
    got = list(offline.outcomes(feed, knowledge, jobs=2, topic="t", block=64))
    job_of = {o.record["id"]: i // 64 % 2 for i, o in enumerate(got) if o.kind == "enriched"}
    crossed = [
        o
        for i, o in enumerate(got)
        if o.kind == "duplicate" and job_of.get(o.record["dedup"]["of"], i // 64 % 2) != i // 64 % 2
    ]
    assert len(crossed) >= 5  # syndicated copies prepared in the other job than their original
    first_id = orjson.loads(feed[0])["id"]
    assert got[-1].record["id"] == first_id and got[-1].record["dedup"]["status"] == "duplicate"


def test_bad_lines_become_dead_letters_in_place(knowledge: chain.Knowledge, feed: list[bytes]) -> None:
    got = list(offline.outcomes(feed, knowledge, jobs=2, topic="t", block=64))
    dead = [(i, o) for i, o in enumerate(got) if o.kind == "dlq"]
    assert [(i, o.record["reason"], o.record["offset"]) for i, o in dead] == [(250, "invalid_json", 251)]


def test_a_job_that_dies_stops_the_run_with_its_exit_code(
    knowledge: chain.Knowledge, feed: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = chain.prepare

    def dies_on_line_100(data: bytes, *a: Any, **kw: Any) -> Any:
        if kw["origin"].offset == 100:
            os._exit(3)
        return real(data, *a, **kw)

    monkeypatch.setattr(chain, "prepare", dies_on_line_100)  # forked jobs inherit it
    with pytest.raises(offline.JobFailed, match=r"wirefeed-prepare-1 died \(exit code 3\)"):
        list(offline.outcomes(feed, knowledge, jobs=2, topic="t", block=64))


def test_an_exception_outside_the_guards_is_reported_with_its_traceback(
    knowledge: chain.Knowledge, feed: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(s: chain.Staged) -> bytes:
        raise MemoryError("no room for the encoding")

    monkeypatch.setattr(chain, "encode_staged", broken)
    with pytest.raises(offline.JobFailed, match=r"(?s)wirefeed-prepare-0 failed:.*MemoryError: no room"):
        list(offline.outcomes(feed, knowledge, jobs=2, topic="t", block=64))


def test_jobs_below_one_are_refused(knowledge: chain.Knowledge) -> None:
    with pytest.raises(ValueError, match="jobs"):
        list(offline.outcomes([], knowledge, jobs=0))


def test_process_command_with_jobs(tmp_path: Path) -> None:
    def run(*extra: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        out = tmp_path / f"out{len(extra)}.jsonl"
        cli = [sys.executable, "-m", "streams.cli", "process"]
        cmd = [*cli, str(SAMPLE), "-o", str(out), "--dlq", os.devnull]
        res = subprocess.run([*cmd, *extra], cwd=REPO, capture_output=True, text=True, timeout=120)
        records = [orjson.loads(x) for x in out.read_bytes().splitlines()] if out.exists() else []
        return res, records

    one, serial = run()
    two, fanned = run("--jobs", "2")
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    assert [r["id"] for r in fanned] == [r["id"] for r in serial] and fanned
    bad, _ = run("-j", "0")
    assert bad.returncode == 2 and "must be at least 1" in bad.stderr
