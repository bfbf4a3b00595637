"""Exactly-once input: each event of an owned partition is processed once, in offset order, with no hole.

Around a rebalance Faust hands an agent some events twice and never hands it others:
it resumes a partition before it seeks it to the committed offset (events fetched in
between come again after the seek), its fetch loop drops records it has already
passed (``_read_offset``) and the rest of a fetched batch when the generation
changes, while aiokafka's position has already moved past them. Filtering by
generation and floor could not tell a hole from a commit marker, so a later event
was processed and committed past a hole (docs/delivery.md, "Input gate").

So every record is stamped where aiokafka returns it (``FetchResult.getall``) with
``since``: the offset from which its fetch run has been contiguous. aiokafka returns
a partition's records only from its current position, in order, skipping just commit
markers and aborted records, so no committed record lies in ``[since, offset)`` — a
fact about the log, true however late the event reaches the agent. The gate keeps
per claimed partition the next offset to process (``expected``, from the claim's
floor) and per event decides (``verdict``):

* ``offset < expected``: already processed — dropped;
* ``since <= expected <= offset``: the next event — processed, ``expected = offset + 1``;
* ``since > expected``: something in between never arrived — dropped, and the
  partition is re-read from ``expected`` (once per fetch run, see ``Cursor``).

A partition whose last events were dropped shows no later event; ``stalled`` finds
those (aiokafka fetched past ``expected``, the gate saw nothing for a while).
No Kafka or Faust here: the adapter is ``streams/fetch_stamps.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Verdict = Literal["process", "seen", "hole"]


class Fetched(Protocol):
    """What the gate needs of an event's message."""

    offset: int
    since: int | None  # None: not stamped (contiguous only with the expected offset itself)
    run: int  # the fetch run the record came from; runs are numbered in the order they start


def verdict(since: int | None, offset: int, expected: int) -> Verdict:
    if offset < expected:
        return "seen"
    if (offset if since is None else since) <= expected:
        return "process"
    return "hole"


@dataclass(eq=False)
class Cursor:
    """One claim of one input partition: where processing stands and what was asked of the fetcher."""

    claim: object  # the claim it belongs to: a new claim (rebalance) starts a new cursor
    expected: int
    moved_at: float  # when ``expected`` last moved (or the cursor was made), monotonic seconds
    reread_after: int = -1  # runs up to this number started before the last re-read was asked for
    rereads_at: dict[int, int] = field(default_factory=dict)  # re-reads asked per expected offset


@dataclass
class Admitted:
    events: list[int]  # indexes of the events to process, in order
    seen: int = 0  # dropped: already processed
    hole: int = 0  # dropped: a hole lies before them
    reread: bool = False  # the partition must be re-read from ``cursor.expected``


def admit(cursor: Cursor, messages: Sequence[Fetched], *, latest_run: int, now: float) -> Admitted:
    """Decide a batch of one partition's events against its cursor (updated in place).

    A hole asks for a re-read only when it comes from a fetch run that started after
    the last re-read was asked for: events of older runs may still be queued behind
    it, and the re-read already covers them.
    """
    out = Admitted(events=[])
    for i, msg in enumerate(messages):
        v = verdict(msg.since, msg.offset, cursor.expected)
        if v == "process":
            out.events.append(i)
            cursor.expected = msg.offset + 1
            cursor.moved_at = now
        elif v == "seen":
            out.seen += 1
        else:
            out.hole += 1
            if msg.run > cursor.reread_after:
                out.reread = True
    if out.reread:
        cursor.reread_after = latest_run
        cursor.rereads_at[cursor.expected] = cursor.rereads_at.get(cursor.expected, 0) + 1
    return out


def stalled(
    cursor: Cursor, fetched: tuple[int, int] | None, *, latest_run: int, now: float, after: float
) -> bool:
    """Whether the partition needs a re-read though no later event showed a hole.

    ``fetched`` is (run, offset of the last record) of the fetcher's current run:
    it fetched at or past ``expected``, yet nothing moved for ``after`` seconds — so
    the events from ``expected`` on were dropped before reaching the agent, or the
    agent is slow (a re-read is then only wasted fetching).
    """
    if fetched is None:
        return False
    run, last = fetched
    if last < cursor.expected or now - cursor.moved_at < after:
        return False
    if run <= cursor.reread_after and now - cursor.moved_at < 3 * after:
        return False  # a re-read was asked for since this run started: give it time
    cursor.reread_after = latest_run
    cursor.moved_at = now
    return True


def lost_to_retention(cursor: Cursor, earliest: int) -> int:
    """Offsets below the log's start were deleted before they were processed: move past them.

    Returns how many offsets were skipped (0 when ``expected`` is still in the log).
    """
    if earliest <= cursor.expected:
        return 0
    skipped = earliest - cursor.expected
    cursor.expected = earliest
    return skipped


def owned_cursors(cursors: dict[tuple[str, int], Cursor], owned: Iterable[tuple[str, int]]) -> None:
    """Drop cursors of partitions no longer owned."""
    keep = set(owned)
    for tp in [tp for tp in cursors if tp not in keep]:
        del cursors[tp]
