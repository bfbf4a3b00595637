"""The input gate's decisions (streams/input_gate.py): pure, no Kafka."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from streams import input_gate
from streams.input_gate import Cursor


@dataclass
class Msg:
    offset: int
    since: int | None
    run: int = 1


def _cursor(expected: int, moved_at: float = 0.0) -> Cursor:
    return Cursor(claim=object(), expected=expected, moved_at=moved_at)


@pytest.mark.parametrize(
    ("since", "offset", "expected", "verdict"),
    [
        (10, 10, 10, "process"),  # the next offset
        (5, 12, 10, "process"),  # 10 and 11 were markers or aborted: nothing committed in between
        (11, 12, 10, "hole"),  # 10 was passed by the fetcher but never arrived
        (3, 9, 10, "seen"),  # already processed
        (None, 10, 10, "process"),  # unstamped: contiguous only when it is the next offset
        (None, 11, 10, "hole"),
    ],
)
def test_verdict(since: int | None, offset: int, expected: int, verdict: str) -> None:
    assert input_gate.verdict(since, offset, expected) == verdict


def test_admit_processes_in_order_and_moves_the_cursor() -> None:
    c = _cursor(100)
    msgs = [Msg(99, 95), Msg(100, 96), Msg(101, 101), Msg(104, 102)]
    got = input_gate.admit(c, msgs, latest_run=1, now=5.0)
    assert got.events == [1, 2, 3] and got.seen == 1 and got.hole == 0 and not got.reread
    assert (c.expected, c.moved_at) == (105, 5.0)


def test_a_hole_asks_for_one_re_read_per_run_that_started_after_the_last() -> None:
    c = _cursor(50)
    got = input_gate.admit(c, [Msg(60, 60, run=3), Msg(61, 61, run=3)], latest_run=3, now=1.0)
    assert got.events == [] and got.hole == 2 and got.reread
    assert c.expected == 50 and c.reread_after == 3 and c.rereads_at == {50: 1}
    # queued events of the same run, or of an older one: the re-read covers them
    assert not input_gate.admit(c, [Msg(62, 62, run=3), Msg(63, 63, run=2)], latest_run=4, now=2.0).reread
    # a run that started after the re-read and still has a hole: something dropped again
    got = input_gate.admit(c, [Msg(55, 55, run=4)], latest_run=4, now=3.0)
    assert got.reread and c.rereads_at == {50: 2}
    # the run that fills the hole
    got = input_gate.admit(c, [Msg(50, 50, run=5), Msg(51, 51, run=5)], latest_run=5, now=4.0)
    assert got.events == [0, 1] and c.expected == 52


def test_events_after_the_hole_in_the_same_batch_wait_too() -> None:
    c = _cursor(10)
    got = input_gate.admit(c, [Msg(10, 10), Msg(13, 13), Msg(14, 14)], latest_run=1, now=0.0)
    assert got.events == [0] and got.hole == 2 and got.reread and c.expected == 11


def test_stalled_only_when_fetched_past_the_cursor_and_nothing_moved() -> None:
    c = _cursor(40, moved_at=100.0)
    assert not input_gate.stalled(c, None, latest_run=7, now=200.0, after=5)
    assert not input_gate.stalled(c, (7, 39), latest_run=7, now=200.0, after=5), "nothing fetched beyond"
    assert not input_gate.stalled(c, (7, 44), latest_run=7, now=103.0, after=5), "may just be behind"
    assert input_gate.stalled(c, (7, 44), latest_run=7, now=106.0, after=5)
    assert c.reread_after == 7 and c.moved_at == 106.0
    # the same run after the re-read was asked: given time (three times ``after``), then asked again
    assert not input_gate.stalled(c, (7, 44), latest_run=7, now=112.0, after=5)
    assert input_gate.stalled(c, (7, 44), latest_run=7, now=122.0, after=5)
    # a newer run that is past the cursor with nothing arriving: asked after ``after``
    assert input_gate.stalled(c, (8, 44), latest_run=8, now=128.0, after=5)


def test_offsets_deleted_by_retention_are_moved_past() -> None:
    c = _cursor(500)
    assert input_gate.lost_to_retention(c, 400) == 0 and c.expected == 500
    assert input_gate.lost_to_retention(c, 520) == 20 and c.expected == 520


def test_cursors_of_partitions_no_longer_owned_are_dropped() -> None:
    cursors = {("raw", 0): _cursor(1), ("raw", 1): _cursor(2)}
    input_gate.owned_cursors(cursors, {("raw", 1)})
    assert list(cursors) == [("raw", 1)]
