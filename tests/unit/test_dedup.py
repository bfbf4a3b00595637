"""Behaviour of the dedup stage: verdicts, state, expiry, keying."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.pipeline.dedup import (
    DedupConfig,
    Fingerprint,
    decide,
    expire,
    fingerprint,
    remember_routes,
    routes_of,
    shard_key,
    state_size,
)
from streams.pipeline.types import RawItem

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"
CFG = DedupConfig()

BODY = (
    "Washington, Sep 17 (IANS/EFE) US Secretary of State John Kerry said on Wednesday that Russia had "
    "proposed military-to-military talks on the Syrian conflict.\n"
    "Kerry said Foreign Minister Sergei Lavrov made the proposal in a telephone call on Tuesday.\n"
    "He said the White House and the defence and state departments were studying the offer.\n"
    "Since March 2011 some 220,000 people have been killed in Syria and 7.6 million displaced, the UN says."
)


def item(id: str, body: str = BODY, **kw: Any) -> RawItem:
    return RawItem(
        id=id,
        version=kw.pop("version", 1),
        source="test",
        headline=kw.pop("headline", "Kerry"),
        body=body,
        published=kw.pop("published", "2015-09-17T14:00:00Z"),
        **kw,
    )


def run(state: dict[str, Any], it: RawItem, now: float = 1000.0, cfg: DedupConfig = CFG):
    return decide(it, fingerprint(it.headline, it.body), state, now, cfg)


def test_first_item_is_unique_and_tracked() -> None:
    state: dict[str, Any] = {}
    v = run(state, item("a"))
    assert (v.status, v.of) == ("unique", None)
    assert state_size(state) == 1


def test_exact_duplicate_under_another_id() -> None:
    state: dict[str, Any] = {}
    run(state, item("a"))
    restyled = BODY.replace("\n", "\n\n").replace("Russia had", "Russia  had")
    v = run(state, item("b", restyled, headline="Russia offers Syria talks"))
    assert (v.status, v.of, v.reason, v.similarity) == ("duplicate", "a", "exact", 1.0)


def test_redelivery_is_idempotent() -> None:
    state: dict[str, Any] = {}
    run(state, item("a"))
    before = dict(state)
    v = run(state, item("a"))
    assert (v.status, v.of, v.reason) == ("redelivery", "a", "redelivery")
    assert state == before  # nothing written: no second output anywhere
    dup = item("b", BODY + "\n(With inputs from agencies)")
    assert run(state, dup).status == "duplicate"
    assert run(state, dup).status == "redelivery"


def test_syndicated_copy_with_lead_line_and_missing_tail_is_near_duplicate() -> None:
    state: dict[str, Any] = {}
    run(state, item("a"))
    paras = BODY.split("\n")
    copy = "\n".join(["Updated: 17 Sep 2015, 11:42 PM IST", *paras[:-1]]).replace('"', "\u201c")
    v = run(state, item("outlet-1", copy, headline="KERRY: RUSSIA WANTS MILITARY TALKS"))
    assert (v.status, v.of, v.reason) == ("duplicate", "a", "near")
    assert 0 < v.similarity < 1


def test_figures_only_change_is_never_a_duplicate() -> None:
    state: dict[str, Any] = {}
    run(state, item("a"))
    changed = BODY.replace("220,000", "250,000")
    v = run(state, item("b", changed, published="2015-09-17T15:00:00Z"))
    assert v.status == "update" and v.of == "a" and v.reason == "figures"
    # The same change marked as a correction is an update with that reason.
    v2 = run({"x": 1} | dict(state), item("c", BODY.replace("7.6", "7.9"), correction=True))
    assert (v2.status, v2.reason) == ("update", "correction")
    # A copy of the changed version is a duplicate of that version, not of the original.
    v3 = run(state, item("d", "Updated: 17 Sep 2015\n" + changed))
    assert (v3.status, v3.of) == ("duplicate", "b")


def test_templated_story_with_other_figures_next_day_is_unique() -> None:
    day1 = (
        "Mumbai, March 4 (PTI) The BSE Sensex rose 230.45 points to close at 72,104.30 on Monday.\n"
        "Foreign institutional investors bought shares worth Rs 1,200 crore on the previous day.\n"
        "Brent crude, the global oil benchmark, traded at 82.10 US dollars a barrel."
    )
    day2 = day1.replace("230.45", "118.20").replace("72,104.30", "72,222.50").replace("1,200", "950")
    day2 = day2.replace("82.10", "81.70").replace("March 4", "March 5")
    state: dict[str, Any] = {}
    run(state, item("m1", day1, published="2024-03-04T10:00:00Z"))
    v = run(state, item("m2", day2, published="2024-03-05T10:00:00Z"))
    assert v.status == "unique"


def test_versioned_update_and_kill_follow_routes() -> None:
    state: dict[str, Any] = {}
    run(state, item("a"))
    remember_routes(state, "a", ["world", "mideast"])
    v = run(state, item("a", BODY + "\nMore details were expected later.", version=2))
    assert (v.status, v.of, v.reason) == ("update", "a", "version")
    kill = item("a", "Editors: this story has been withdrawn.", version=3, pubstatus="canceled")
    v = run(state, kill)
    assert (v.status, v.of, v.reason) == ("update", "a", "kill")
    assert routes_of(state, v.of) == ["world", "mideast"]
    assert run(state, kill).status == "redelivery"


def test_kill_of_unknown_item_is_passed_on() -> None:
    v = run({}, item("zz", "withdrawn", pubstatus="canceled"))
    assert (v.status, v.reason) == ("unique", "kill-unknown")


def test_expiry_removes_old_entries_and_keeps_recent_ones() -> None:
    cfg = DedupConfig(horizon_s=3600)
    state: dict[str, Any] = {}
    run(state, item("old"), now=0.0, cfg=cfg)
    remember_routes(state, "old", ["world"])
    run(state, item("old-copy", BODY + "\n(With inputs from agencies)"), now=10.0, cfg=cfg)
    other = "A completely different story about a cricket match in Chennai that ended in a draw on Sunday."
    run(state, item("new", other), now=3000.0, cfg=cfg)
    assert state_size(state) == 3
    assert expire(state, 3700.0, cfg, budget=1) == 1  # bounded work per call
    assert expire(state, 3700.0, cfg) == 1
    assert state_size(state) == 1
    assert not any(k.startswith(("a:", "h:", "r:")) and "new" not in str(v) for k, v in state.items())
    assert "i:new" in state and "i:old" not in state and routes_of(state, "old") == []
    # The story is forgotten: the same text is new again.
    assert run(state, item("again"), now=3800.0, cfg=cfg).status == "unique"


def test_fingerprint_json_round_trip() -> None:
    fp = fingerprint("h", BODY)
    assert Fingerprint.from_json(fp.to_json()) == fp
    assert fp.chunks == tuple(sorted(fp.chunks)) and len(fp.chunks) == len(fp.facts) == 4
    with pytest.raises(ValueError):
        Fingerprint.from_json({"x": "0", "c": [1, 2], "f": [0], "n": 3})


def test_fingerprint_is_stable_across_processes() -> None:
    # CRC32/BLAKE2 rather than hash(): state written by one worker is read by another.
    shapes = b"washingtonsepiansefeussecretaryofstatejohnkerrysaidonwednesdaythatrussiahadproposed"
    fp = fingerprint("", BODY)
    assert zlib.crc32(shapes + b"militarytomilitarytalksonthesyrianconflict") in fp.chunks


def test_shard_key_stability() -> None:
    fp = fingerprint("h", BODY)
    assert shard_key(fp, "a", shards=1) == shard_key(fingerprint("x", "y"), "b", shards=1) == "dedup"
    assert shard_key(fp, "a", shards=8) == shard_key(fingerprint("other headline", BODY), "b", shards=8)
    assert shard_key(fp, "a", shards=8) == "dedup-" + str(min(fp.chunks) % 8)
    with pytest.raises(ValueError):
        shard_key(fp, "a", shards=0)


def test_partitions_and_workers_give_the_same_verdicts() -> None:
    """P=4 partitions shared by N=2 workers, each partition with its own state (as Faust tables are)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_dedup_quality import evaluate, load, to_item

    rows = load()
    single = evaluate(rows)
    partitions: list[dict[str, Any]] = [{} for _ in range(4)]
    owner = {p: p % 2 for p in range(4)}  # worker of each partition
    seen_workers: set[int] = set()
    got = []
    for row in rows:
        it = to_item(row)
        fp = fingerprint(it.headline, it.body)
        p = zlib.crc32(shard_key(fp, it.id, shards=1).encode()) % 4
        seen_workers.add(owner[p])
        got.append(decide(it, fp, partitions[p], 0.0, CFG).status)
    assert [g == r["expect"] for g, r in zip(got, rows, strict=True)].count(False) == len(single["misses"])
    assert sum(state_size(s) for s in partitions) == len({r["id"] for r in rows})


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="near_threshold"):
        DedupConfig(near_threshold=0)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_fingerprint_and_decide_never_crash(text: str) -> None:
    state: dict[str, Any] = {}
    fp = fingerprint(text[:20], text)
    assert Fingerprint.from_json(fp.to_json()) == fp
    assert run(state, item("a", text)).status in ("unique", "duplicate")
    assert run(state, item("a", text)).status == "redelivery"


def test_adversarial_input_is_linear() -> None:
    import time

    nasty = ("1." * 50_000) + ("a " * 50_000) + ("\u201c" * 20_000)
    t0 = time.perf_counter()
    fingerprint("", nasty)
    assert time.perf_counter() - t0 < 1.0


def test_real_seed_story_matches_its_stripped_copy() -> None:
    if not SEED.exists():
        pytest.skip("shared seed story not present")
    raw = SEED.read_text(encoding="utf-8")
    story = raw.split("--IANS/EFE")[0].strip()
    state: dict[str, Any] = {}
    assert run(state, item("ians-1", story)).status == "unique"
    paras = story.split("\n")
    copy = "\n\n".join(["Last Updated: Sep 17 2015 | 10:42 PM IST", *paras[:-1]]).replace('"', "\u201d")
    v = run(state, item("bs-1", copy, headline="Russia proposes military talks with US on Syria"))
    assert (v.status, v.of) == ("duplicate", "ians-1")
    fixed = story.replace("220,000", "230,000")
    assert run(state, item("ians-2", fixed, correction=True)).status == "update"
