"""The staged hand-over (streams/pipeline/staged.py): same outcomes as the prepared one, and a sound codec.

The staged path (``prepare_staged`` -> ``encode_staged`` -> ``decode_staged`` -> ``finish``, what the
worker and ``wirefeed process --jobs`` run) must give every outcome, every observer call and every
state change that the prepared path (``prepare`` -> ``encode_prepared`` -> ``decode_prepared`` ->
``finish``, which tests/unit/test_chain_equivalence.py holds equal to the frozen reference) gives.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from streams.pipeline import chain, parse, staged
from streams.pipeline.types import Verdict
from tests.support import REPO
from tests.unit.test_chain_equivalence import STEP, T0, Calls, bench_mix, fuzzed, labelled
from tests.unit.test_chain_equivalence import knowledge as knowledge  # the fixture

ENRICHED = Draft202012Validator(json.loads((REPO / "schemas" / "enriched-item.schema.json").read_text()))


def _outcome(o: chain.Outcome) -> tuple[Any, ...]:
    return (o.kind, o.record, o.routes, o.item_id, o.reason, o.stage)


def run_both(values: list[bytes], k: chain.Knowledge) -> int:
    """Both paths over ``values``, each with its own state; returns how many items reached finish."""
    st_state, pr_state = chain.State(), chain.State()
    st_obs, pr_obs = Calls(), Calls()
    finished = 0
    for i, v in enumerate(values):
        now = T0 + STEP * i
        key = None if i % 7 == 0 else str(i).encode()
        origin = chain.Origin("t.raw", i % 3, i, key, now)
        s = chain.prepare_staged(v, k, st_state, origin=origin, now=now, observer=st_obs)
        p = chain.prepare(v, k, pr_state, origin=origin, now=now, observer=pr_obs)
        if isinstance(p, chain.Outcome):
            assert isinstance(s, chain.Outcome) and _outcome(s) == _outcome(p), v[:200]
            continue
        q = chain.decode_prepared(chain.encode_prepared(p))
        f_pr = chain.finish(q, k, pr_state, now=now, observer=pr_obs, original=lambda v=v: v)
        if isinstance(s, chain.Outcome):  # routing failed: the prepared path fails it in finish
            assert _outcome(s) == _outcome(f_pr), v[:200]
            continue
        record = chain.encode_staged(s)
        back = chain.decode_staged(record)
        assert back == s
        f_st = chain.finish(back, k, st_state, now=now, observer=st_obs, original=lambda v=v: v)
        assert _outcome(f_st) == _outcome(f_pr), v[:200]
        assert f_st.verdict == f_pr.verdict
        if f_st.kind != "dlq":
            assert not list(ENRICHED.iter_errors(orjson.loads(f_st.value)))
        finished += 1
    assert st_obs.calls == pr_obs.calls
    assert st_state.dedup == pr_state.dedup
    assert st_state.furniture == pr_state.furniture
    assert st_state.discovered == pr_state.discovered
    return finished


def test_the_bench_mix_gives_the_same_outcomes_and_state(knowledge: chain.Knowledge) -> None:
    assert run_both(bench_mix(1500), knowledge) > 1400


def test_the_labelled_sets_and_bad_input_give_the_same_outcomes_and_state(
    knowledge: chain.Knowledge,
) -> None:
    assert run_both(labelled(), knowledge) > 500


def test_mutated_input_gives_the_same_outcomes_and_state(knowledge: chain.Knowledge) -> None:
    assert run_both(fuzzed(bench_mix(200) + labelled(), 800, seed=23), knowledge) > 300


def test_stage_failures_are_dead_lettered_the_same_way(knowledge: chain.Knowledge) -> None:
    k = dataclasses.replace(knowledge, test_poison=("poison-", frozenset(chain.STAGES)))
    values = bench_mix(40)
    for i, stage in enumerate(("strip", "tag", "fingerprint", "route", "dedup")):
        obj = orjson.loads(values[i * 7])
        obj["id"] = f"poison-{stage}-{i}"
        values.append(orjson.dumps(obj))
    run_both(values, k)


def _staged_items(k: chain.Knowledge, n: int) -> list[chain.Staged]:
    state = chain.State()
    out = []
    for i, v in enumerate(bench_mix(n)):
        s = chain.prepare_staged(v, k, state, origin=chain.Origin("t", 0, i, b"k", T0), now=T0 + i)
        if isinstance(s, chain.Staged):
            out.append(s)
    return out


def test_a_cut_or_damaged_record_is_refused(knowledge: chain.Knowledge) -> None:
    record = chain.encode_staged(_staged_items(knowledge, 5)[0])
    cut = record.index(b"\n")
    damaged = [
        record[:-1],  # the head cut short
        record[: cut + 10] + b"#" + record[cut + 11 :],  # a byte of the head changed, same length
        record[:cut],  # no head at all
        record[:cut] + record[cut + 1 :],  # no separator
        b"[2,1]\n{}",  # a header of the wrong shape
    ]
    for data in damaged:
        with pytest.raises(ValueError):
            chain.decode_staged(data)


def test_the_dead_letter_of_a_staged_item_is_the_item_again(knowledge: chain.Knowledge) -> None:
    """A failure in the dedup half keeps ``item_of``: a plain item that parses to the same story."""
    for s in _staged_items(knowledge, 60):
        item = parse.parse(staged.item_of(s))
        rec = orjson.loads(staged.item_of(s))
        assert (item.id, item.version, item.source, item.pubstatus) == (
            s.item.id, s.item.version, s.item.source, s.item.pubstatus,
        )
        assert item.headline == rec["headline"] and item.body == rec["body"]


def test_the_rendered_record_is_the_record_the_prepared_path_builds(
    knowledge: chain.Knowledge,
) -> None:
    state = chain.State()
    verdict = Verdict("update", of="x-1", similarity=0.9, reason="figures")
    for i, v in enumerate(bench_mix(80)):
        p = chain.prepare(v, knowledge, state, now=T0 + i)
        if not isinstance(p, chain.Prepared):
            continue
        s = chain.stage(p, knowledge)
        assert isinstance(s, chain.Staged)
        routes = ["syria", "russia-us"]
        reasons = {"syria": ["a reason"], "russia-us": ["another"]}
        got = orjson.loads(staged.render(s, verdict, routes, reasons, T0 + i + 1))
        assert got == chain.enriched_record(p, verdict, routes, reasons, T0 + i + 1)
