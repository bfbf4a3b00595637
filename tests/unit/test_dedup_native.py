"""The compiled candidate searches give exactly the Python search's verdicts, state and candidates.

``dedup._candidates_python`` is the specification. Compared: ``wirefeed_native.dedup_candidates``
(any mapping, same reads) and ``IndexedState`` with its ``DedupIndex`` (over a dict, over a small
index that keeps starting empty again, over the worker's write-behind view), on the labelled set,
the benchmark mix, stories drawn from a small pool of sentences (hot anchors, capped and tied
candidate lists) with expiry, and on states holding value shapes dedup never writes, where the
native side must decline and the Python answer (or error) must come out. Without the extension the
module is skipped, unless WIREFEED_REQUIRE_NATIVE=1, which makes it fail.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson
import pytest

from bench.bench_chain import items, prepared_items
from streams.knowledge import load_knowledge
from streams.pipeline import dedup, native_ext
from streams.pipeline.dedup import DedupConfig, Fingerprint, decide, expire, fingerprint
from streams.pipeline.dedup_index import IndexedState, indexed, unwrap
from streams.pipeline.types import RawItem
from streams.settings import load_settings
from streams.table_cache import PartitionState
from tests.unit.test_dedup_quality import load, to_item
from tests.unit.test_table_cache import FakeTable

if not (native_ext.has("dedup_candidates") and native_ext.has("DedupIndex")):
    if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
        pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
    pytest.skip("wirefeed_native is not built: pip install ./native", allow_module_level=True)

PY = DedupConfig(native=False)
NATIVE = DedupConfig(native=True)
T0 = 1_772_431_200.0

STATES: dict[str, Callable[[], MutableMapping[str, Any]]] = {
    "dict": dict,  # the plain compiled search
    "indexed": lambda: IndexedState({}),
    "indexed-small": lambda: IndexedState({}, max_entries=300),  # starts empty again every few items
    "indexed-view": lambda: IndexedState(PartitionState(FakeTable(), max_entries=200)),
}


def run_all(
    items: list[tuple[RawItem, Fingerprint, float]], expire_every: int = 0, horizon_s: float = 0
) -> None:
    """Every state kind through the same items: verdicts, expiry counts and final state equal."""
    py = DedupConfig(native=False, horizon_s=horizon_s or PY.horizon_s)
    native = DedupConfig(native=True, horizon_s=horizon_s or PY.horizon_s)
    spec: dict[str, Any] = {}
    states = {name: make() for name, make in STATES.items()}
    for n, (it, fp, now) in enumerate(items, 1):
        want = decide(it, fp, spec, now, py)
        for name, st in states.items():
            assert decide(it, fp, st, now, native) == want, (name, it.id)
            if name == "indexed-view" and n % 37 == 0:
                unwrap(st).flush_records(0)  # type: ignore[attr-defined]
        if expire_every and n % expire_every == 0:
            gone = expire(spec, now, py)
            assert all(expire(st, now, native) == gone for st in states.values())
    for name, st in states.items():
        inner = unwrap(st)
        if isinstance(inner, PartitionState):
            inner.flush_records(0)
            assert {k.decode(): orjson.loads(v) for k, v in dict.items(inner._t)} == spec, name
        else:
            assert dict(inner) == spec, name


def with_fp(rows: list[tuple[RawItem, float]]) -> list[tuple[RawItem, Fingerprint, float]]:
    return [(it, fingerprint(it.headline, it.body), now) for it, now in rows]


def test_labelled_set() -> None:
    run_all(with_fp([(to_item(r), T0 + 60.0 * n) for n, r in enumerate(load())]))


def test_benchmark_mix() -> None:
    """The bench mix as the chain prepares it (stripped text): many stories share sentences."""
    k = load_knowledge(load_settings({}))
    prepared = prepared_items(items(1500), k)
    run_all([(p.item, p.fp, now) for p, now in prepared], expire_every=200)


def pool_items(seed: int, n: int, step: float) -> list[tuple[RawItem, float]]:
    """Stories from a small pool of sentences: hot anchors, capped candidate lists, ties."""
    rng = random.Random(seed)
    words = [a + b for a in "bcdfgh" for b in "aeiou"]
    pool = [f"Sentence {w} about the talks went on for hours." for w in words]
    out = []
    for i in range(n):
        body = "\n".join(rng.sample(pool, rng.randrange(2, 9)))
        if rng.random() < 0.3:
            body = body.replace("hours", f"{rng.randrange(1, 30)} hours", 1)
        out.append(
            (
                RawItem(
                    id=f"s{rng.randrange(n * 5 // 6)}",
                    version=rng.randrange(1, 4),
                    source="pool",
                    headline="H",
                    body=body,
                    published=rng.choice((None, "2026-03-02T06:00:00Z", "not a time")),
                    pubstatus=rng.choice(("usable",) * 20 + ("canceled",)),
                    correction=rng.random() < 0.05,
                ),
                T0 + step * i,
            )
        )
    return out


def test_sentence_pool_with_expiry() -> None:
    # 40 s apart with a 72 h horizon: nothing expires; 100 s apart over a 2 h horizon: most does
    run_all(with_fp(pool_items(17, 2000, 40.0)), expire_every=250)
    run_all(with_fp(pool_items(5, 2000, 100.0)), expire_every=50, horizon_s=7200)


def test_the_index_answers_without_the_python_search(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the Python search ran")

    monkeypatch.setattr(dedup, "_candidates_python", refuse)
    st = IndexedState({})
    for it, now in pool_items(3, 300, 40.0):
        decide(it, fingerprint(it.headline, it.body), st, now, NATIVE)
    assert len(st.index) > 0 and sum(1 for k in st if k.startswith("a:")) > 0


# ---- value shapes dedup never writes: the native side declines, Python answers --------------------
FP = fingerprint(
    "H",
    "Alpha beta gamma delta said on Monday.\nEpsilon zeta eta theta went home.\n"
    "Iota kappa lambda mu were not there.\nNu xi omicron pi came back on 3 May.",
)
A0, A1 = (f"a:{c}" for c in FP.chunks[:2])
GOOD = {"s": "u", "c": list(FP.chunks), "g": [["o", [], []]], "p": T0}
ODD: list[dict[str, Any]] = [
    {A0: ("o",)},  # a tuple, not a list
    {A0: "o"},  # a string: its characters are ids to Python
    {A0: 0},  # falsy, not a list
    {A0: ["o", 7], "i:o": GOOD},  # a non-str id
    {A0: ["o"], "i:o": ["u"]},  # a record that is not a dict
    {A0: ["o"], "i:o": {"c": list(FP.chunks)}},  # no kind: KeyError in Python
    {A0: ["o"], "i:o": {"s": 1, "c": []}},  # kind not a str
    {A0: ["o"], "i:o": {"s": "d"}},  # not an original: skipped
    {A0: ["o"], "i:o": {"s": "u"}},  # no sentences: KeyError
    {A0: ["o"], "i:o": {"s": "u", "c": tuple(FP.chunks)}},  # a tuple
    {A0: ["o"], "i:o": {"s": "u", "c": []}},  # empty: ZeroDivisionError in Python
    {A0: ["o"], "i:o": {"s": "u", "c": [float(c) for c in FP.chunks]}},  # floats equal to the ints
    {A0: ["o"], "i:o": {"s": "u", "c": [*FP.chunks, True, 1 << 70, -5]}},
    {A0: ["o"], "i:o": {**GOOD, "c": list(FP.chunks) * 2}},  # repeats count in len(c)
    {A0: ["o", "o", "p"], A1: ["p", "me"], "i:o": GOOD, "i:p": GOOD, "i:me": GOOD},
    {A0: [], A1: None, "i:o": GOOD},
    # 26 ids over 4 anchors, some on two: more than max_candidates, ties in the shared counts
    {f"a:{c}": [f"x{6 * j + i}" for i in range(8)] for j, c in enumerate(FP.chunks)}
    | {f"i:x{i}": {**GOOD, "c": list(FP.chunks)[: 1 + i % 4]} for i in range(26)},
]


def outcome(f: Callable[[], Any]) -> Any:
    try:
        return ("ok", f())
    except Exception as exc:  # the same error, or the same answer
        return ("error", type(exc))


@pytest.mark.parametrize("case", range(len(ODD)))
def test_odd_value_shapes_give_the_python_answer(case: int) -> None:
    spec = outcome(lambda: dedup._candidates_python(FP, ODD[case], "me", PY))
    assert outcome(lambda: dedup._candidates(FP, dict(ODD[case]), "me", NATIVE)) == spec
    st = IndexedState({})
    for key, value in ODD[case].items():
        st[key] = value  # written through the index
    assert outcome(lambda: dedup._candidates(FP, st, "me", NATIVE)) == spec
    st = IndexedState(dict(ODD[case]))  # written before the index existed: read through
    assert outcome(lambda: dedup._candidates(FP, st, "me", NATIVE)) == spec


def test_non_canonical_and_foreign_keys_are_not_anchors() -> None:
    st = IndexedState({})
    c = FP.chunks[0]
    for key in (f"a:0{c}", f"a:+{c}", "a:-0", "a:", f"a:{c}x", "x:1", "q:1", "a:" + "9" * 30):
        st[key] = ["o"]
    st["i:o"] = GOOD
    assert (
        dedup._candidates(FP, st, "me", NATIVE)
        == dedup._candidates_python(FP, dict(st.inner), "me", PY)
        == []
    )
    del st["q:1"]
    st[f"a:{c}"] = ["o"]
    got = dedup._candidates(FP, st, "me", NATIVE)
    assert got == dedup._candidates_python(FP, dict(st.inner), "me", PY) and [g[2] for g in got] == ["o"]
    del st[f"a:{c}"], st["i:o"]
    assert dedup._candidates(FP, st, "me", NATIVE) == []


def test_switched_off_or_unbuilt_means_the_plain_state() -> None:
    plain: dict[str, Any] = {}
    assert indexed(plain, native=False) is plain
    st = indexed(plain, native=True)
    assert isinstance(st, IndexedState) and indexed(st) is st and unwrap(st) is plain
