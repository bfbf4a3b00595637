"""Offline reproducer: a crash replay of a version whose id moved on in the same batch.

Under exactly-once outputs the dedup table is still at-least-once: after a crash
the state can already hold everything the lost transaction did. When that batch
held version 1 *and* a later version (an update or a kill) of the same id, the
replay of version 1 must republish its first verdict. Found by the fault suite
(state_wiped run: ``pti-00020-r0`` v1 lost after kill -9). The replay memo
(``dedup.remember_outcome``) keeps only the id's latest verdict, so version 1's
replay is taken for a re-send and dropped. Strict xfail until the memo keeps
one entry per input message; then remove the marker.
"""

from __future__ import annotations

import orjson
import pytest

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


@pytest.mark.xfail(
    strict=True, reason="replay memo keeps only the latest verdict per id (see docs/delivery.md)"
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
