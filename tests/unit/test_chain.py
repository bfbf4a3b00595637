"""The stage chain as `wirefeed process` runs it: contracts, replays and poison items."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams.knowledge import load_knowledge
from streams.pipeline import chain, tag
from streams.settings import load_settings
from tests.support import REPO, SAMPLE, SEED, schema_validator, seed_item


@pytest.fixture(scope="module")
def knowledge() -> chain.Knowledge:
    return load_knowledge(load_settings({}))


def test_process_command_writes_one_valid_record_per_valid_line_in_order(tmp_path: Path) -> None:
    out, dlq = tmp_path / "out.jsonl", tmp_path / "dlq.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "streams.cli", "process", str(SAMPLE), "-o", str(out), "--dlq", str(dlq)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    valid_ids = []
    for line in lines:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if obj.get("body") or obj.get("bodies") or obj.get("body_html"):
            valid_ids.append(str(obj.get("id") or obj.get("uri")))
    records = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert [r["id"] for r in records] == valid_ids
    enriched = schema_validator("enriched-item.schema.json")
    for r in records:
        enriched.validate(r)
    dead = [orjson.loads(x) for x in dlq.read_bytes().splitlines()]
    assert sorted(d["reason"] for d in dead) == ["invalid_json", "missing_body"]
    for d in dead:
        schema_validator("dlq-record.schema.json").validate(d)
    statuses = {(r["id"], r["version"]): r["dedup"]["status"] for r in records}
    assert statuses[("gulfnews-2026-03-03-aleppo", 1)] == "duplicate"
    assert statuses[("pti-mkt-0305-close", 2)] == "update"
    # the redelivered first item is the last line: reported as a duplicate of itself
    assert records[-1]["id"] == records[0]["id"] and records[-1]["dedup"]["reason"] == "redelivery"
    assert "lines in" in res.stderr


def test_replay_of_the_same_message_republishes_but_a_resend_is_dropped(knowledge: chain.Knowledge) -> None:
    state = chain.State()
    data = SAMPLE.read_bytes().splitlines()[0]
    first = chain.run(data, knowledge, state, origin=chain.Origin("wire.raw", 0, 17))
    assert first.kind == "enriched" and first.routes
    # the worker crashed before committing offset 17: the same message comes again
    replay = chain.run(data, knowledge, state, origin=chain.Origin("wire.raw", 0, 17))
    assert replay.kind == "enriched"
    assert replay.routes == first.routes and replay.record["dedup"] == first.record["dedup"]
    # the sender re-sent the same id and version: a new message, dropped
    resend = chain.run(data, knowledge, state, origin=chain.Origin("wire.raw", 0, 18))
    assert resend.kind == "redelivery"


def test_an_exception_inside_a_stage_becomes_a_dlq_record(
    knowledge: chain.Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("tagger exploded")

    monkeypatch.setattr(tag, "tag", boom)
    data = orjson.dumps({"id": "x1", "body": "Some text.", "headline": "H"})
    out = chain.run(data, knowledge, chain.State(), origin=chain.Origin("wire.raw", 1, 5))
    assert out.kind == "dlq"
    rec = out.record
    assert (rec["reason"], rec["stage"], rec["item_id"], rec["partition"], rec["offset"]) == (
        "stage_error",
        "tag",
        "x1",
        1,
        5,
    )
    assert "RuntimeError: tagger exploded" in rec["detail"]
    schema_validator("dlq-record.schema.json").validate(rec)
    # and the chain goes on with the next item
    monkeypatch.undo()
    ok = chain.run(
        orjson.dumps({"id": "x2", "body": "Other text.", "headline": "H"}), knowledge, chain.State()
    )
    assert ok.kind == "enriched"


def test_prepared_items_survive_the_trip_through_wire_dedup(knowledge: chain.Knowledge) -> None:
    if not SEED.exists():
        pytest.skip("the seed story (../shared/seeds) is not present")
    p = chain.prepare(
        orjson.dumps(seed_item()), knowledge, chain.State(), origin=chain.Origin("wire.raw", 0, 1, b"k")
    )
    assert isinstance(p, chain.Prepared)
    back = chain.Prepared.from_json(orjson.loads(orjson.dumps(p.to_json())))
    assert back.to_json() == p.to_json()
    a = chain.finish(p, knowledge, chain.State(), now=1.0)
    b = chain.finish(back, knowledge, chain.State(), now=1.0)
    assert a.record == b.record and set(a.routes) >= {"syria", "russia-us"}


def test_a_kill_follows_the_original_to_its_routes(knowledge: chain.Knowledge) -> None:
    state = chain.State()
    data = SAMPLE.read_bytes().splitlines()[0]
    story = orjson.loads(data)
    first = chain.run(data, knowledge, state, origin=chain.Origin("wire.raw", 0, 1))
    kill = {
        "id": story["id"],
        "version": 2,
        "pubstatus": "canceled",
        "source": story["source"],
        "headline": "KILL - " + story["headline"],
    }
    out = chain.run(orjson.dumps(kill), knowledge, state, origin=chain.Origin("wire.raw", 0, 2))
    assert out.kind == "enriched"
    assert out.record["pubstatus"] == "canceled" and out.record["dedup"]["status"] == "update"
    assert out.routes == first.routes and all(out.record["route_reasons"][r] for r in out.routes)


def test_dedup_state_is_swept_past_the_horizon_as_items_flow(knowledge: chain.Knowledge) -> None:
    from streams.pipeline import dedup

    state = chain.State()
    lines = [x for x in SAMPLE.read_bytes().splitlines() if x.strip()]
    first = chain.run(lines[0], knowledge, state, origin=chain.Origin("wire.raw", 0, 1), now=1_000.0)
    assert first.kind == "enriched" and dedup.state_size(state.dedup) == 1
    later = 1_000.0 + knowledge.dedup.horizon_s + 60
    chain.run(lines[2], knowledge, state, origin=chain.Origin("wire.raw", 0, 2), now=later)
    assert dedup.state_size(state.dedup) == 1  # the first story was forgotten, the new one kept
    # ... so the same story again, past the horizon, is news again rather than a re-send
    again = chain.run(lines[0], knowledge, state, origin=chain.Origin("wire.raw", 0, 3), now=later + 1)
    assert again.kind == "enriched" and again.record["dedup"]["status"] == "unique"


def test_the_compact_wire_dedup_record_carries_exactly_what_to_json_does(knowledge: chain.Knowledge) -> None:
    """encode_prepared/decode_prepared (the worker's wire.dedup format) against to_json, on the
    dedup labelled set and the sample feed; the older to_json records still decode."""
    lines = (REPO / "tests/data/dedup/labelled.jsonl").read_bytes().splitlines()
    lines += [x for x in SAMPLE.read_bytes().splitlines() if x.strip()]
    state, n = chain.State(), 0
    for i, line in enumerate(lines):
        key = None if i % 3 == 0 else f"k{i}".encode()
        p = chain.prepare(line, knowledge, state, origin=chain.Origin("wire.raw", i % 4, i, key, 1.5 + i))
        if not isinstance(p, chain.Prepared):
            continue
        n += 1
        data = chain.encode_prepared(p)
        back = chain.decode_prepared(data)
        assert back.to_json() == p.to_json()
        assert chain.decode_prepared(orjson.dumps(p.to_json())).to_json() == p.to_json()
        assert len(data) < len(orjson.dumps(p.to_json()))
        a = chain.finish(p, knowledge, chain.State(), now=1.0)
        b = chain.finish(back, knowledge, chain.State(), now=1.0)
        assert (a.kind, a.record, a.routes) == (b.kind, b.record, b.routes)
    assert n > 50
    # a mention field the codes do not know travels as its name
    p.tags.entities.append(
        chain.Entity("x", "X", "person", None, 1, [chain.Mention("caption", 1, 2)])  # type: ignore[arg-type]
    )
    assert chain.decode_prepared(chain.encode_prepared(p)).to_json() == p.to_json()
    for bad in (b"[]", b"[2]", b'"x"', orjson.dumps([1, [], [], [], [], [], 0])):
        with pytest.raises((ValueError, KeyError)):
            chain.decode_prepared(bad)


class _Calls:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def stage(self, name: str, seconds: float, ok: bool) -> None:
        assert 0 <= seconds < 60
        self.calls.append((name, ok))


def test_every_stage_reports_to_the_observer_once_with_its_outcome(
    knowledge: chain.Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    obs = _Calls()
    data = SAMPLE.read_bytes().splitlines()[0]
    out = chain.run(data, knowledge, chain.State(), origin=chain.Origin("wire.raw", 0, 1), observer=obs)
    assert out.kind == "enriched"
    assert obs.calls == [(s, True) for s in ("parse", "strip", "tag", "fingerprint", "route", "dedup")]

    # rejected in parse: one failed parse call; a rejection raised inside strip is labelled "strip"
    obs = _Calls()
    assert chain.run(b"{", knowledge, chain.State(), observer=obs).record["stage"] == "parse"
    assert obs.calls == [("parse", False)]
    obs = _Calls()
    html_only = orjson.dumps({"id": "h1", "body_html": "<p>Subscribe now</p>"})
    out = chain.run(html_only, knowledge, chain.State(), observer=obs)
    assert (out.kind, out.record["reason"], out.record["stage"]) == ("dlq", "missing_body", "strip")
    assert obs.calls == [("parse", True), ("strip", False)]

    # an exception that is not an Exception (Ctrl-C, task cancellation) is reported, then propagates
    def interrupted(*a: object, **k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tag, "tag", interrupted)
    obs = _Calls()
    with pytest.raises(KeyboardInterrupt):
        chain.run(data, knowledge, chain.State(), observer=obs)
    assert obs.calls == [("parse", True), ("strip", True), ("tag", False)]


def test_guard_outside_the_chain_wraps_failures_like_the_chain_does() -> None:
    obs = _Calls()
    with pytest.raises(chain._StageFailed) as info, chain._guard("route", obs):
        raise ValueError("bad rule")
    assert info.value.stage == "route" and isinstance(info.value.exc, ValueError)
    with pytest.raises(chain.Rejected) as rej, chain._guard("tag", obs):
        raise chain.Rejected("missing_body", "x")
    assert rej.value.stage == "tag"
    with chain._guard("dedup", obs):
        pass
    assert obs.calls == [("route", False), ("tag", False), ("dedup", True)]
