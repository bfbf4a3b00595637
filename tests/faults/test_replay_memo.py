"""Offline reproducer: a crash replay of a version whose id moved on in the same batch.

Under exactly-once outputs the dedup table is still at-least-once: after a crash
the state can already hold everything the lost transaction did. When that batch
held version 1 *and* a later version (an update or a kill) of the same id, the
replay of version 1 must republish its first verdict. Found by the fault suite
(state_wiped run: ``pti-00020-r0`` v1 lost after kill -9) when the replay memo
(``dedup.remember_outcome``) kept only the id's latest verdict; it now keeps one
entry per input message. The second test guards the same property for the
per-source furniture learning.
"""

from __future__ import annotations

import orjson

from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.settings import load_settings


def _msg(version: int, pubstatus: str, body: str) -> bytes:
    return orjson.dumps(
        {
            "id": "pti-20240306-moon",
            "version": version,
            "source": "PTI",
            "published": "2024-03-06T23:00:00Z",
            "pubstatus": pubstatus,
            "headline": "Chandrayaan-3 lands near the Moon's south pole",
            "body": body,
        }
    )


def test_replayed_first_version_is_republished_after_its_kill_was_processed() -> None:
    k = load_knowledge(load_settings({}))
    state = chain.State()
    story = (
        "Bengaluru, Aug 23 (PTI) India's Chandrayaan-3 lander touched down near the Moon's south pole.\n"
        "The Indian Space Research Organisation said all systems were working normally after the landing."
    )
    v1 = _msg(1, "usable", story)
    kill = _msg(2, "canceled", "Editors: the story has been withdrawn. Please do not use it.")
    first = chain.run(v1, k, state, origin=chain.Origin("wire.raw", 0, 10))
    assert first.kind == "enriched"
    assert chain.run(kill, k, state, origin=chain.Origin("wire.raw", 0, 11)).kind == "enriched"
    # crash: neither output committed; the table already holds both. Replay offset 10, then 11.
    again = chain.run(v1, k, state, origin=chain.Origin("wire.raw", 0, 10))
    assert again.kind == first.kind, "version 1's replay was dropped as a re-send: its only output is lost"
    assert again.record["dedup"] == first.record["dedup"]


def test_replayed_item_is_prepared_as_the_first_time() -> None:
    """Found by the fault suite (kill9 run: three items lost their `energy` route after a kill -9).

    The furniture table is ahead of the outputs after a crash; ``learned_lines`` then counts the
    replayed item's own observation, learns one more line, strips it, and tagging/routing change.
    """
    from tests.support import REPO

    k = load_knowledge(load_settings({}))
    rows = [orjson.loads(x) for x in (REPO / "tests/data/dedup/labelled.jsonl").read_bytes().splitlines()]
    keep = ("id", "version", "source", "published", "pubstatus", "correction", "headline", "body")
    state = chain.State()
    changed = []
    for n, r in enumerate(rows):
        data = orjson.dumps({f: r[f] for f in keep if f in r})
        first = chain.prepare(data, k, state, origin=chain.Origin("wire.raw", 0, n), now=1000.0 + n)
        if isinstance(first, chain.Outcome):
            continue
        replay = chain.prepare(data, k, state, origin=chain.Origin("wire.raw", 0, n), now=1000.0 + n)
        assert not isinstance(replay, chain.Outcome)
        if replay.cleaned.body != first.cleaned.body:
            changed.append(r["id"])
    assert changed == []
