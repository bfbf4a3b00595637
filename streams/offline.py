"""``wirefeed process``: the stage chain over lines, in one process or with prepare fanned out.

With ``jobs > 1`` the split is the worker's own: ``prepare`` (parse, strip, tag,
fingerprint; about two thirds of the CPU) runs in ``jobs`` child processes, each with
its own furniture and discovered-name state, as each input partition of a worker has;
``finish`` (route, dedup) runs here, over every item in input order, so a copy is
caught whichever job prepared it and its original. Lines are dealt in blocks, block
``b`` to job ``b % jobs``, and results are read back in the same order: the output is
in input order and, for a given ``jobs`` and ``block``, the same from run to run.

Children are forked after the knowledge is loaded (and frozen out of the collector's
reach by ``gc_tuning``), so they share its pages instead of loading it again.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from streams.pipeline import chain

# lines per message to a job: large enough that queue overhead is small per line,
# small enough that a job's share of a short file is still spread over both jobs
BLOCK = 64
# blocks in flight per job: keeps every job busy while this process finishes earlier ones
DEPTH = 4
# how often a wait for a job's result checks that the job is still alive
POLL_S = 1.0

_PREPARED, _OUTCOME = 0, 1  # per line, from a job
_DONE, _FAILED = "done", "failed"  # per block


class JobFailed(RuntimeError):
    """A prepare process died or raised outside the chain's own guards."""


def outcomes(
    lines: Iterable[bytes], k: chain.Knowledge, *, jobs: int = 1, topic: str | None = None, block: int = BLOCK
) -> Iterator[chain.Outcome]:
    """One outcome per line, in input order; ``origin.offset`` is the 1-based line number."""
    if jobs < 1:
        raise ValueError("jobs must be >= 1")
    if jobs == 1:
        state = chain.State()
        for n, line in enumerate(lines, 1):
            yield chain.run(line, k, state, origin=chain.Origin(topic=topic, offset=n))
        return
    yield from _fanned_out(lines, k, jobs, topic, block)


def _fanned_out(
    lines: Iterable[bytes], k: chain.Knowledge, jobs: int, topic: str | None, block: int
) -> Iterator[chain.Outcome]:
    if "fork" not in mp.get_all_start_methods():
        raise JobFailed("--jobs above 1 needs the 'fork' start method (Linux, macOS)")
    ctx = mp.get_context("fork")
    inboxes: list[Any] = [ctx.Queue() for _ in range(jobs)]
    outboxes: list[Any] = [ctx.Queue() for _ in range(jobs)]
    procs = [
        ctx.Process(
            target=_job, args=(k, topic, inboxes[j], outboxes[j]), name=f"wirefeed-prepare-{j}", daemon=True
        )
        for j in range(jobs)
    ]
    for p in procs:
        p.start()
    state = chain.State(furniture=None, discovered=None)  # finish reads and writes dedup state only
    blocks = _blocks(lines, block)
    pending: deque[tuple[int, list[bytes]]] = deque()  # (job, lines) in send order
    sent = 0

    def send_next() -> bool:
        nonlocal sent
        got = next(blocks, None)
        if got is None:
            return False
        first, chunk = got
        j = sent % jobs
        inboxes[j].put((first, chunk))
        pending.append((j, chunk))
        sent += 1
        return True

    clean = False
    try:
        for _ in range(jobs * DEPTH):
            if not send_next():
                break
        while pending:
            j, chunk = pending.popleft()
            results = _receive(outboxes[j], procs[j])
            send_next()
            for line, (kind, value) in zip(chunk, results, strict=True):
                if kind == _OUTCOME:
                    yield value
                    continue
                yield chain.finish(chain.decode_staged(value), k, state, original=lambda line=line: line)
        clean = True
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for p in procs:
            p.join(timeout=5 if clean else 0.5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        for q in (*inboxes, *outboxes):
            q.close()
            q.cancel_join_thread()  # a job that was cut short may leave results no one reads


def _blocks(lines: Iterable[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    it = iter(lines)
    first = 1
    while chunk := list(islice(it, size)):
        yield first, chunk
        first += len(chunk)


def _receive(outbox: Any, proc: Any) -> list[tuple[int, Any]]:
    while True:
        try:
            kind, value = outbox.get(timeout=POLL_S)
        except queue.Empty:
            if not proc.is_alive():
                raise JobFailed(f"{proc.name} died (exit code {proc.exitcode})") from None
            continue
        if kind == _FAILED:
            raise JobFailed(f"{proc.name} failed:\n{value}")
        return value  # type: ignore[no-any-return]


def _job(k: chain.Knowledge, topic: str | None, inbox: Any, outbox: Any) -> None:
    """A prepare process: blocks of lines in, staged items (wire.dedup's encoding) or DLQ outcomes out."""
    state = chain.State(dedup={})
    try:
        while (msg := inbox.get()) is not None:
            first, chunk = msg
            results: list[tuple[int, Any]] = []
            for n, line in enumerate(chunk, first):
                p = chain.prepare_staged(line, k, state, origin=chain.Origin(topic=topic, offset=n))
                if isinstance(p, chain.Outcome):
                    results.append((_OUTCOME, p))
                else:
                    results.append((_PREPARED, chain.encode_staged(p)))
            outbox.put((_DONE, results))
    except KeyboardInterrupt:
        pass
    except BaseException:
        outbox.put((_FAILED, traceback.format_exc()))
        raise
