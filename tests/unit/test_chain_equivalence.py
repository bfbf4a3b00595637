"""The sped-up chain gives exactly what the reference (frozen) chain gives.

Reference: tests/unit/test_chain_ref_*.py, verbatim copies of parse, dedup, dedup_fingerprint
and chain at commit 2bdd539. Both run over the benchmark mix (bench/generate.py), every labelled
set in tests/data, the bad-input corpus, the sample feed and seeded mutations of all of those,
each with its own state. Compared: every outcome (record, kind, routes, reason, stage), the
prepared item, the ``wire.dedup`` bytes in both directions (old reader, new writer and back),
shard keys, the observer's calls, and the dedup/furniture/discovered state at the end.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import Generator
from streams.knowledge import load_knowledge
from streams.pipeline import chain, dedup, dedup_fingerprint, parse
from streams.pipeline.types import Rejected
from streams.settings import load_settings
from tests.data.bad_input.cases import CASES, good_items
from tests.support import REPO, SAMPLE
from tests.unit import test_chain_ref_chain as ref
from tests.unit import test_chain_ref_dedup as ref_dedup
from tests.unit import test_chain_ref_fingerprint as ref_fp
from tests.unit import test_chain_ref_parse as ref_parse

DATA = REPO / "tests" / "data"
T0 = 1_772_431_200.0
STEP = 0.5  # seconds between items: the 72 h horizon and 10 s expiry sweeps both come into play


@pytest.fixture(scope="module")
def knowledge() -> chain.Knowledge:
    return load_knowledge(load_settings({}))


# ---- inputs ------------------------------------------------------------------------
def bench_mix(n: int) -> list[bytes]:
    return [orjson.dumps(it) for it in Generator(seed=7).items(n)]


def labelled() -> list[bytes]:
    out: list[bytes] = []
    for name in ("dedup/labelled.jsonl", "route/items.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(line.encode())
    for line in (DATA / "strip" / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            page = json.loads(line)
            out.append(orjson.dumps({"id": page["id"], "source": "pages", "body_html": page["html"]}))
    link = re.compile(r"\[\[([^|\]]*)\|[^\]]*\]\]")
    for path in sorted((DATA / "tag").glob("*.txt")):
        item: dict[str, Any] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("=== "):
                if item:
                    out.append(orjson.dumps(item))
                item = {"id": line[4:].split("|")[0].strip(), "source": path.stem, "body": ""}
            elif line.startswith("H: ") and item:
                item["headline"] = link.sub(r"\1", line[3:])
            elif line.startswith("B: ") and item:
                item["body"] += link.sub(r"\1", line[3:]) + "\n"
        if item:
            out.append(orjson.dumps(item))
    out += [orjson.dumps(it) for it in good_items()]
    out += [v for c in CASES if not c.big and (v := c.value()) is not None]
    out += [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    return out


_STAMPS = (
    "2026-03-02T06:00:00Z",
    "2026-03-02T06:00:00+02:00",
    "2026-03-02 06:00:00",
    "2026-03-02",
    "2026-03-02T06:00:00.123456Z",
    "0999-01-01T00:00:00Z",
    "2026-13-02T06:00:00Z",
    "Mon, 02 Mar 2026 06:00:00 GMT",
    "Mon, 02 Mar 2026 06:00:00 +0530",
    "yesterday",
    "",
    " 2026-03-02T06:00:00Z ",
    "2026-03-02T24:00:00Z",
    "20260302T060000Z",
    "2026-W10-1",
    1772431200,
    1772431200.5,
    -1,
    1e12,
    True,
    None,
    [],
    "1772431200",
)


_ODD_CHARS = (
    "\x00",
    "\x01",
    "\x08",
    "\t",
    "\x0b",
    "\x0c",
    "\r",
    "\r\n",
    "\x0e",
    "\x1f",
    "\x7f",
    "\x80",
    "\u200b",
    "\ufeff",
    "\ufffe",
    "\u2028",
    "e\u0301",
    "\U0001f600",
)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One seeded change: at the byte level, or at the JSON level (types, keys, stamps, escapes)."""
    how = rng.randrange(12)
    if how == 0 and data:
        i = rng.randrange(len(data))
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if how == 1:
        return data[: rng.randrange(len(data) + 1)]
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return data + b" "
    if not isinstance(obj, dict) or not obj:
        return data
    key = rng.choice(sorted(obj))
    if how == 2:
        obj[key] = rng.choice((None, 1, 1.5, True, "", [], {}, "x" * 3, ["a"], {"name": "N"}))
    elif how == 3:
        obj[rng.choice(("published", "versioncreated", "firstcreated"))] = rng.choice(_STAMPS)
    elif how == 4:  # a duplicate key, spelled as orjson would or escaped
        text = data.decode("utf-8", "replace")
        k = rng.choice([key, key.replace("i", "\\u0069"), key.replace("e", "\\u0065")])
        return ('{"' + k + '": ' + json.dumps(obj[key]) + ", " + text[1:]).encode()
    elif how == 5:  # a key name appearing inside the text
        obj["body"] = f'{obj.get("body", "")} "{key}" and "{key}":'
    elif how == 6:
        obj["version"] = rng.choice((2, "3", 2.0, -1, 2**31, 1e20, "x", False))
    elif how == 7:
        obj["pubstatus"] = rng.choice(
            ("canceled", "cancelled", "stat:usable", "withheld", "WITHHELD", "bogus", 5)
        )
    elif how == 8:
        obj["correction"] = rng.choice((True, False, "yes"))
        obj["signals"] = rng.choice(("correction", [{"uri": "sig:correction"}], ["update"], None))
    elif how in (10, 11):  # control and invisible characters (escaped, as JSON must) in some text
        field = rng.choice(("body", "headline", "id", "source", "byline", "dateline", key))
        text = obj.get(field) if isinstance(obj.get(field), str) else "some text"
        i = rng.randrange(len(text) + 1)
        obj[field] = text[:i] + rng.choice(_ODD_CHARS) + text[i:]
    else:
        text = data.decode("utf-8", "replace").replace("/", "\\/", 1)
        return text.encode()
    return orjson.dumps(obj)


def fuzzed(base: list[bytes], n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [mutate(rng, rng.choice(base)) for _ in range(n)]


# ---- the comparison ----------------------------------------------------------------
class Calls:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def stage(self, name: str, seconds: float, ok: bool) -> None:
        assert seconds >= 0
        self.calls.append((name, ok))


def outcome(o: Any) -> tuple[Any, ...]:
    return (o.kind, o.record, o.routes, o.item_id, o.reason, o.stage)


def run_both(values: list[bytes], k: chain.Knowledge) -> int:
    """Both chains over ``values`` with their own state; returns how many items reached finish."""
    new_state, old_state = chain.State(), ref.State()
    new_obs, old_obs = Calls(), Calls()
    finished = 0
    for i, v in enumerate(values):
        now = T0 + STEP * i
        key = None if i % 7 == 0 else str(i).encode()
        n_origin = chain.Origin("t.raw", i % 3, i, key, now)
        o_origin = ref.Origin("t.raw", i % 3, i, key, now)
        p_new = chain.prepare(v, k, new_state, origin=n_origin, now=now, observer=new_obs)
        p_old = ref.prepare(v, k, old_state, origin=o_origin, now=now, observer=old_obs)  # type: ignore[arg-type]
        assert isinstance(p_new, chain.Outcome) == isinstance(p_old, ref.Outcome), v[:200]
        if isinstance(p_new, chain.Outcome):
            assert outcome(p_new) == outcome(p_old), v[:200]
            continue
        assert isinstance(p_old, ref.Prepared)
        assert p_new.item == p_old.item and p_new.fp == p_old.fp
        assert p_new.to_json() == p_old.to_json()
        b_new, b_old = chain.encode_prepared(p_new), ref.encode_prepared(p_old)
        assert b_new == b_old
        for shards in (1, 4, 16):
            assert dedup.shard_key(p_new.fp, p_new.item.id, shards=shards) == ref_dedup.shard_key(
                p_old.fp, p_old.item.id, shards=shards
            )
        q_new, q_old = chain.decode_prepared(b_old), ref.decode_prepared(b_new)
        assert q_new.to_json() == q_old.to_json() == p_new.to_json()
        assert q_new == chain.Prepared.from_json(q_old.to_json())
        f_new = chain.finish(q_new, k, new_state, now=now, observer=new_obs, original=lambda v=v: v)
        f_old = ref.finish(q_old, k, old_state, now=now, observer=old_obs, original=lambda v=v: v)  # type: ignore[arg-type]
        assert outcome(f_new) == outcome(f_old), v[:200]
        finished += 1
    assert new_obs.calls == old_obs.calls
    assert new_state.dedup == old_state.dedup
    assert new_state.furniture == old_state.furniture
    assert new_state.discovered == old_state.discovered
    assert new_state.last_expiry == old_state.last_expiry
    return finished


def test_the_bench_mix_gives_the_same_outputs_and_state(knowledge: chain.Knowledge) -> None:
    assert run_both(bench_mix(1500), knowledge) > 1400


def test_the_labelled_sets_and_bad_input_give_the_same_outputs_and_state(knowledge: chain.Knowledge) -> None:
    values = labelled()
    assert run_both(values, knowledge) > 500


def test_mutated_input_gives_the_same_outputs_and_state(knowledge: chain.Knowledge) -> None:
    base = bench_mix(200) + labelled()
    assert run_both(fuzzed(base, 1200, seed=11), knowledge) > 500  # the rest: DLQ outcomes, compared too


def test_stage_failures_are_dead_lettered_the_same_way(knowledge: chain.Knowledge) -> None:
    k = dataclasses.replace(knowledge, test_poison=("poison-", frozenset(chain.STAGES)))
    values = bench_mix(60)
    for i, stage in enumerate(("strip", "tag", "fingerprint", "route", "dedup", "strip")):
        obj = orjson.loads(values[i * 9])
        obj["id"] = f"poison-{stage}-{i}"
        values.append(orjson.dumps(obj))
    run_both(values, k)


# ---- pieces, on many more inputs than the whole chain can take ---------------------
def same_parse(data: bytes) -> None:
    try:
        old: Any = ref_parse.parse(data)
    except Rejected as exc:
        old = (exc.reason, exc.detail, exc.stage)
    try:
        new: Any = parse.parse(data)
    except Rejected as exc:
        new = (exc.reason, exc.detail, exc.stage)
    assert new == old, data[:300]


def test_parse_is_unchanged_on_mutated_input() -> None:
    base = bench_mix(300) + labelled()
    for v in base + fuzzed(base, 6000, seed=5):
        same_parse(v)


@pytest.mark.parametrize("stamp", _STAMPS)
@pytest.mark.parametrize("key", ["published", "versioncreated"])
def test_timestamps_are_read_as_before(stamp: Any, key: str) -> None:
    same_parse(orjson.dumps({"id": "a", "body": "b", key: stamp}))
    same_parse(orjson.dumps({"uri": "a", "body_text": "b", key: stamp}))


_SLOW = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@_SLOW
@given(
    st.text(max_size=40),
    st.one_of(st.text(max_size=40), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)),
)
def test_timestamps_of_any_shape_are_read_as_before(stamp: str, number: Any) -> None:
    same_parse(orjson.dumps({"id": "a", "body": "b", "published": stamp}))
    same_parse(orjson.dumps({"id": "a", "body": "b", "published": number}))


@_SLOW
@given(
    st.dictionaries(
        st.text(max_size=6),
        st.one_of(st.none(), st.text(max_size=8), st.integers(-(2**63), 2**63 - 1)),
        max_size=6,
    )
)
def test_objects_with_odd_keys_are_read_as_before(obj: dict[str, Any]) -> None:
    obj.setdefault("id", "x")
    obj.setdefault("body", "text")
    data = orjson.dumps(obj)
    same_parse(data)
    # the same keys again, verbatim and escaped: duplicate-key detection must agree
    for k in list(obj)[:2]:
        dup = json.dumps(k, ensure_ascii=True).encode()
        same_parse(data[:-1] + b"," + dup + b":1}")
        same_parse(b"{" + dup + b":2," + data[1:])


@_SLOW
@given(st.text(max_size=300), st.text(max_size=40))
def test_fingerprints_never_change(body: str, headline: str) -> None:
    assert dedup.fingerprint(headline, body) == ref_fp.fingerprint(headline, body)


def test_fingerprints_of_the_bench_mix_never_change(knowledge: chain.Knowledge) -> None:
    state = chain.State()
    for i, v in enumerate(bench_mix(400) + labelled()):
        p = chain.prepare(v, knowledge, state, now=T0 + i)
        if isinstance(p, chain.Prepared):
            c = p.cleaned
            assert dedup.fingerprint(c.headline, c.body) == ref_fp.fingerprint(c.headline, c.body)
            assert dedup.fingerprint(c.headline, "") == ref_fp.fingerprint(c.headline, "")


def test_old_wire_dedup_records_are_still_read(knowledge: chain.Knowledge) -> None:
    """Records written by the reference encoder (and its ``to_json`` form) decode to the same item."""
    state = ref.State()
    for i, v in enumerate(bench_mix(150)):
        p = ref.prepare(v, knowledge, state, origin=ref.Origin("t", 0, i, b"k", T0), now=T0 + i)  # type: ignore[arg-type]
        if isinstance(p, ref.Outcome):
            continue
        for record in (ref.encode_prepared(p), orjson.dumps(p.to_json())):
            assert chain.decode_prepared(record).to_json() == p.to_json()


def test_odd_mention_fields_in_a_record_decode_as_before() -> None:
    """The C-iterator decode path is taken only for what the encoder writes; the rest as before."""
    base = [
        1,
        ["i", 1, "s", "h", None, None, None, None, None, "usable", False, "plain"],
        ["h", "b", [], [], None],
        None,
        ["0000000000000000", [], [], 0],
        [None, None, None, None, None],
        0.0,
    ]
    for flat in (
        [0, 1, 2, 1, 3, 4],
        ["headline", 0, 1, "other", 2, 3],
        [True, 1, 2],
        [1.0, 1, 2],
        [2, 1, 2],
        [-1, 1, 2],
        [0, 1],
        [],
        [None, 1, 2],
        "",
        {},
        [[0], 1, 2],
    ):
        rec = list(base)
        rec[3] = [[["Q1", "n", "person", None, 1, flat]], []]
        data = orjson.dumps(rec)
        try:
            old: Any = ref.decode_prepared(data).to_json()
        except Exception as exc:
            old = (type(exc), str(exc))
        try:
            new: Any = chain.decode_prepared(data).to_json()
        except Exception as exc:
            new = (type(exc), str(exc))
        assert new == old, flat


def test_fingerprints_of_punctuation_heavy_text_never_change() -> None:
    """Sentence ends, line breaks, quotes and separators in every arrangement."""
    rng = random.Random(3)
    alphabet = [
        "a",
        "Bc",
        "word ",
        "1",
        "22",
        ".",
        ". ",
        "\n",
        " ",
        "!",
        "?",
        ";",
        "\t",
        '"',
        "'",
        "(",
        ")",
        "\r",
        "\x00",
        "é",
        "—",
        "\u200b",
        "Sentence long enough here",
        "\n\n",
        ".\n",
        "\n.",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        head = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6)))
        assert dedup.fingerprint(head, text) == ref_fp.fingerprint(head, text), (head, text)
        assert dedup_fingerprint.sentences(text) == ref_fp.sentences(text), text


def test_dedup_verdicts_and_state_are_unchanged_where_many_stories_share_sentences(
    knowledge: chain.Knowledge,
) -> None:
    """Stories drawn from a small pool of sentences: hot anchors, capped candidate lists, ties in
    shared-anchor counts, copies, figure changes, corrections, kills and re-sends."""
    from streams.pipeline.types import RawItem

    rng = random.Random(17)
    # shapes keep letters only: the words, not numbers, make the sentences distinct
    words = [a + b for a in "bcdfgh" for b in "aeiou"]
    pool = [f"Sentence {w} about the talks went on for hours." for w in words]
    new_state: dict[str, Any] = {}
    old_state: dict[str, Any] = {}
    cfg = knowledge.dedup
    for i in range(3000):
        body = "\n".join(rng.sample(pool, rng.randrange(2, 9)))
        if rng.random() < 0.3:
            body = body.replace("hours", f"{rng.randrange(1, 30)} hours", 1)
        item = RawItem(
            id=f"s{rng.randrange(2500)}",
            version=rng.randrange(1, 4),
            source="pool",
            headline="H",
            body=body,
            published=rng.choice((None, "2026-03-02T06:00:00Z")),
            pubstatus=rng.choice(("usable",) * 20 + ("canceled",)),
            correction=rng.random() < 0.05,
        )
        now = T0 + 40.0 * i  # 3000 items over ~33 h: expiry is not in play, the index keeps growing
        fp = dedup.fingerprint(item.headline, item.body)
        assert dedup.decide(item, fp, new_state, now, cfg) == ref_dedup.decide(item, fp, old_state, now, cfg)
        if i % 500 == 0:
            assert dedup.expire(new_state, now, cfg) == ref_dedup.expire(old_state, now, cfg)
    assert new_state == old_state


def test_record_times_are_printed_as_before() -> None:
    rng = random.Random(23)
    stamps = [0.0, -1.5, 1e-7, 0.9999995, 1.0005, 1_772_431_200.9995, 253_402_300_799.999, -30_000_000_000.0]
    stamps += [rng.uniform(-62_000_000_000, 253_402_300_799) for _ in range(20_000)]
    stamps += [round(rng.uniform(0, 2e9), rng.randrange(0, 8)) for _ in range(20_000)]
    for ts in stamps:
        assert chain._iso(ts) == ref._iso(ts), ts
