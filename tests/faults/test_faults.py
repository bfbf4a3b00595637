"""Nothing lost, nothing doubled: crashes, a broker restart, rebalances and lost local state.

Each scenario streams thousands of wire items through real ``wirefeed worker``
processes on a broker this module owns, injects its faults mid-stream, then the
checker (tests/faults/harness.py) proves from the committed outputs that every
input ended exactly once in enriched / duplicates / dlq (or nowhere, for a
re-send), every route output appears exactly once, and every dedup verdict
equals the offline chain's. ``FAULT_RUNS=3`` repeats every scenario three times.

Run with ``make test-faults`` (``pytest -m faults``); excluded from ``make test``.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.harness import (
    Broker,
    Fleet,
    Message,
    OutputMonitor,
    PacedProducer,
    build_input,
    check,
    expected_output_count,
    record,
    wait_drained,
)

pytestmark = pytest.mark.faults
RUNS = range(1, int(os.environ.get("FAULT_RUNS", "1")) + 1)
ASSIGNED = 8  # wire.raw + wire.dedup partitions
_INPUTS: dict[int, list[Message]] = {}

Fault = tuple[float, Callable[[Fleet, Broker], str]]  # (share of the input sent, action -> description)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A broker of our own (never $KAFKA_BOOTSTRAP): scenario 2 restarts it."""
    os.environ.setdefault("FAULT_SESSION", time.strftime("%Y-%m-%dT%H:%M:%S"))
    b = Broker(tmp_path_factory.mktemp("faults-kafka"))
    b.start()
    try:
        yield b
    finally:
        b.stop()


def _input(min_items: int) -> list[Message]:
    if min_items not in _INPUTS:
        _INPUTS[min_items] = build_input(min_items)
    return _INPUTS[min_items]


def _scenario(
    broker: Broker,
    tmp: Path,
    name: str,
    run: int,
    *,
    min_items: int,
    rate: float,
    workers: int,
    faults: list[Fault],
    at_least_once: bool = False,
) -> None:
    started = time.time()
    messages = _input(min_items)
    extra = {"WIREFEED_PROCESSING_GUARANTEE": "at_least_once"} if at_least_once else {}
    fleet = Fleet(broker.bootstrap, tmp, **extra)
    expected = expected_output_count(fleet, messages)  # offline, before the workers compete for CPU
    if at_least_once:  # outputs may be doubled: their count says nothing; wait until they stop coming
        expected = 10**9
    notes: list[str] = []
    injected: list[str] = []
    fault_times: list[float] = []
    monitor: OutputMonitor | None = None
    try:
        for slot in range(workers):
            fleet.start(slot)
        fleet.wait_assigned(ASSIGNED)
        monitor = OutputMonitor(
            broker.bootstrap, [fleet.topic("enriched"), fleet.topic("duplicates"), fleet.topic("dlq")]
        )
        monitor.start()
        producer = PacedProducer(broker.bootstrap, fleet.topic("raw"), messages, rate)
        producer.start()
        for share, action in faults:
            producer.wait_for(share, fleet, notes)
            fault_times.append(time.time())
            injected.append(action(fleet, broker))
        wait_drained(fleet, monitor, producer, expected, notes=notes, quiet_s=30.0 if at_least_once else 45.0)
        recovery = [monitor.recovery_after(t) for t in fault_times]
    finally:
        if monitor is not None:
            monitor.stop_event.set()
            monitor.join(10)
        logs = "\n".join(f"--- {s}\n{w.tail_log(25)}" for s, w in fleet.workers.items())
        fleet.close()
    report = check(
        fleet,
        broker.bootstrap,
        scenario=name,
        run=run,
        faults=injected + notes,
        recovery=recovery,
        started=started,
    )
    print("\n" + report.line())
    record(report)
    if at_least_once:  # nothing lost; doubles allowed
        missing = {t: v for t, v in report.per_topic.items() if v["missing"]}
        assert (report.missing_outcomes, missing) == (0, {}), (
            f"{report.line()}\n" + "\n".join(report.examples[:20]) + f"\n{logs}"
        )
        return
    bad = {t: v for t, v in report.per_topic.items() if v["missing"] or v["extra"]}
    assert (report.lost, report.doubled, report.mismatches, bad) == (0, 0, 0, {}), (
        f"{report.line()}\n" + "\n".join(report.examples[:20]) + f"\n{logs}"
    )


def _kill(slot: int) -> Callable[[Fleet, Broker], str]:
    def act(fleet: Fleet, broker: Broker) -> str:
        fleet.kill_and_restart(slot)
        return f"kill -9 worker {slot}, restarted"

    return act


def _restart_broker(fleet: Fleet, broker: Broker) -> str:
    t0 = time.time()
    broker.restart()
    return f"broker restarted ({time.time() - t0:.1f} s down)"


def _scale_up(fleet: Fleet, broker: Broker) -> str:
    fleet.start(1)
    return "scale 1 -> 2 workers"


def _scale_down(fleet: Fleet, broker: Broker) -> str:
    fleet.stop(1, signal.SIGTERM)
    return "scale 2 -> 1 workers (SIGTERM)"


def _wipe_and_restart(fleet: Fleet, broker: Broker) -> str:
    fleet.stop(0, signal.SIGKILL)
    fleet.wipe_state(0)
    fleet.start(0)
    return "kill -9 worker 0, deleted its state dir, restarted (tables from changelogs)"


@pytest.mark.timeout(480)
@pytest.mark.parametrize("run", RUNS)
def test_kill9_workers_repeatedly(broker: Broker, tmp_path: Path, run: int) -> None:
    kills = [(share, _kill(n % 2)) for n, share in enumerate((0.15, 0.35, 0.55, 0.75))]
    _scenario(broker, tmp_path, "kill9", run, min_items=20_000, rate=330, workers=2, faults=kills)


@pytest.mark.timeout(480)
@pytest.mark.parametrize("run", RUNS)
@pytest.mark.skipif(
    os.environ.get("FAULT_AT_LEAST_ONCE") != "1",
    reason="known issue, opt in with FAULT_AT_LEAST_ONCE=1: in 3 of 7 runs (2026-11-28) some outcomes "
    "had not appeared when outputs stopped for 30 s; at-least-once has neither the input gate nor the "
    "stalled-input re-read of exactly-once (docs/delivery.md)",
)
def test_kill9_workers_at_least_once(broker: Broker, tmp_path: Path, run: int) -> None:
    """``WIREFEED_PROCESSING_GUARANTEE=at_least_once``: a crash may double outputs, must not lose one."""
    kills = [(share, _kill(n % 2)) for n, share in enumerate((0.2, 0.5, 0.8))]
    _scenario(
        broker,
        tmp_path,
        "kill9-alo",
        run,
        min_items=10_000,
        rate=250,
        workers=2,
        faults=kills,
        at_least_once=True,
    )


@pytest.mark.timeout(420)
@pytest.mark.parametrize("run", RUNS)
def test_broker_restart_mid_stream(broker: Broker, tmp_path: Path, run: int) -> None:
    _scenario(
        broker,
        tmp_path,
        "broker_restart",
        run,
        min_items=6_000,
        rate=200,
        workers=1,
        faults=[(0.4, _restart_broker)],
    )


@pytest.mark.timeout(420)
@pytest.mark.parametrize("run", RUNS)
def test_scale_one_two_one(broker: Broker, tmp_path: Path, run: int) -> None:
    _scenario(
        broker,
        tmp_path,
        "scale_1_2_1",
        run,
        min_items=6_000,
        rate=200,
        workers=1,
        faults=[(0.25, _scale_up), (0.65, _scale_down)],
    )


@pytest.mark.timeout(420)
@pytest.mark.parametrize("run", RUNS)
def test_state_dir_deleted(broker: Broker, tmp_path: Path, run: int) -> None:
    _scenario(
        broker,
        tmp_path,
        "state_wiped",
        run,
        min_items=6_000,
        rate=200,
        workers=1,
        faults=[(0.45, _wipe_and_restart)],
    )
