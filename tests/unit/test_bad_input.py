"""Every kind of bad input (tests/data/bad_input/cases.py) through ``parse`` and ``chain.run``.

Bad input must become a schema-valid DLQ record holding the original bytes and a reason;
odd-but-valid input (BOM, emoji, right-to-left text, control characters...) must come out
enriched with offsets that index the cleaned text; and good items around either must come out
exactly as they would alone.
"""

from __future__ import annotations

import base64
import hashlib
import time
import unicodedata
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.pipeline.chain import Knowledge, Origin
from streams.pipeline.parse import REASONS, parse
from streams.pipeline.types import RawItem, Rejected
from streams.settings import load_settings
from tests.data.bad_input.cases import CASES, Case, good_items
from tests.support import schema_validator

NOW = 1_772_700_000.0  # 2026-03-05, a fixed clock so records compare equal
# Not a speed target (bench/ measures speed): a message that takes this long is a stall.
STALL_S = 30.0


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge(load_settings({}))


@pytest.fixture(scope="module")
def dlq_schema() -> Any:
    return schema_validator("dlq-record.schema.json")


@pytest.fixture(scope="module")
def enriched_schema() -> Any:
    return schema_validator("enriched-item.schema.json")


def _param(c: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []
    return pytest.param(c, id=c.name, marks=marks)


ALL = [_param(c) for c in CASES]
PARSE = [pytest.param(c, id=c.name) for c in CASES]  # the known bugs are past parse


def test_the_corpus_covers_at_least_30_kinds() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(names) >= 30
    assert sum(c.expect != "enriched" for c in CASES) >= 30, "at least 30 kinds of bad input"
    for c in CASES:
        assert c.expect == "enriched" or c.expect in REASONS, c.name
        assert (c.stage is None) == (c.expect == "enriched"), c.name


def test_every_reason_is_in_the_dlq_schema() -> None:
    schema = orjson.loads(
        (Path(__file__).resolve().parents[2] / "schemas" / "dlq-record.schema.json").read_bytes()
    )
    assert set(schema["properties"]["reason"]["enum"]) == set(REASONS)


@pytest.mark.parametrize("case", PARSE)
def test_parse_outcome(case: Case) -> None:
    data = case.value() or b""
    if case.expect != "enriched" and case.stage == "parse":
        with pytest.raises(Rejected) as info:
            parse(data)
        assert info.value.reason == case.expect
        assert info.value.detail
    else:
        assert isinstance(parse(data), RawItem)


@pytest.mark.parametrize("case", ALL)
def test_chain_outcome(case: Case, knowledge: Knowledge, dlq_schema: Any, enriched_schema: Any) -> None:
    data = case.value() or b""
    origin = Origin("wire.raw", 1, 4242, case.key, NOW)
    t0 = time.perf_counter()
    out = chain.run(data, knowledge, chain.State(), origin=origin, now=NOW)
    assert time.perf_counter() - t0 < STALL_S, "stalled"
    if case.expect == "enriched":
        assert out.kind == "enriched", out.record
        _check_enriched(out.record, case, enriched_schema)
        return
    assert (out.kind, out.reason, out.stage) == ("dlq", case.expect, case.stage), out.record.get("detail")
    rec = out.record
    dlq_schema.validate(rec)
    kept = base64.b64decode(rec["original_b64"])
    if rec["original_truncated"]:  # big messages keep their first megabyte and a digest
        assert len(kept) == 1_000_000 and data.startswith(kept)
    else:
        assert kept == data
    assert rec["original_sha256"] == hashlib.sha256(data).hexdigest()
    assert rec["original_size"] == len(data)
    assert rec["reason"] == case.expect and rec["stage"] == case.stage
    assert rec["detail"] and len(rec["detail"]) <= 300
    assert (rec["topic"], rec["partition"], rec["offset"]) == ("wire.raw", 1, 4242)
    assert rec["key_b64"] == (None if case.key is None else base64.b64encode(case.key).decode())
    if case.stage != "parse":
        assert rec["item_id"] == case.item_id


def _check_enriched(rec: dict[str, Any], case: Case, schema: Any) -> None:
    schema.validate(rec)
    assert rec["id"] == (case.item_id if case.name != "int_id" else "4242")
    for text in case.contains:
        assert text in rec["body"] or text in rec["headline"], text
    for fld in ("headline", "body"):
        value = rec[fld]
        assert unicodedata.is_normalized("NFC", value)
        assert not any(ch in value for ch in "\x00\x07\x1b\x0b\r\u200b\ufeff"), fld
    for e in rec["entities"]:
        # count 0: a place named only by the item's dateline field, outside the text
        assert (e["count"] >= 1 and e["mentions"]) or (e["count"] == 0 and not e["mentions"])
        for m in e["mentions"]:
            text = rec[m["field"]]
            assert 0 <= m["start"] < m["end"] <= len(text), (e["name"], m)
            assert text[m["start"] : m["end"]].strip(), (e["name"], m)


def test_offsets_index_the_cleaned_text_in_mixed_scripts(knowledge: Knowledge) -> None:
    """Astral characters (emoji) before a name must not shift its offsets (str indices, not bytes)."""
    for name, people in (
        ("emoji", ("Rachel Reeves", "Keir Starmer")),
        ("mixed_scripts", ("Vladimir Putin",)),
    ):
        case = next(c for c in CASES if c.name == name)
        out = chain.run(case.value() or b"", knowledge, chain.State(), now=NOW)
        assert out.kind == "enriched"
        rec = out.record
        found = {rec[m["field"]][m["start"] : m["end"]] for e in rec["entities"] for m in e["mentions"]}
        for person in people:
            assert any(person in f or f in person for f in found), (person, found)


def _comparable(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in ("processed_at", "received_at")}


def test_good_items_around_bad_ones_are_unaffected(knowledge: Knowledge) -> None:
    goods = [orjson.dumps(g) for g in good_items()]
    alone_state = chain.State()
    alone = [chain.run(g, knowledge, alone_state, now=NOW) for g in goods]
    assert [o.kind for o in alone] == ["enriched"] * len(goods)

    state = chain.State()
    mixed: list[chain.Outcome] = []
    bad = [c for c in CASES if not c.big]
    for i, case in enumerate(bad):
        out = chain.run(case.value() or b"", knowledge, state, now=NOW)
        assert out.kind in ("enriched", "dlq")
        if i % 5 == 0 and i // 5 < len(goods):
            mixed.append(chain.run(goods[i // 5], knowledge, state, now=NOW))
    assert len(mixed) == len(goods)
    assert [_comparable(o.record) for o in mixed] == [_comparable(o.record) for o in alone]


def test_the_same_bad_message_twice_is_dead_lettered_twice(knowledge: Knowledge) -> None:
    state = chain.State()
    data = b'{"id": "twice", "body": "cut'
    outs = [chain.run(data, knowledge, state, origin=Origin("wire.raw", 0, n), now=NOW) for n in (7, 8)]
    assert [(o.kind, o.reason, o.record["offset"]) for o in outs] == [
        ("dlq", "invalid_json", 7),
        ("dlq", "invalid_json", 8),
    ]


def test_dlq_details_carry_no_story_text(knowledge: Knowledge) -> None:
    """The detail ends up on /status and in logs: it names the problem, never the story."""
    for case in CASES:
        if case.expect == "enriched" or case.big:
            continue
        out = chain.run(case.value() or b"", knowledge, chain.State(), now=NOW)
        if out.kind == "dlq":
            assert "Port officials reopened" not in out.record["detail"], case.name
            assert "Dockworkers" not in out.record["detail"], case.name


def test_rule_files_are_data_never_executed(tmp_path: Path) -> None:
    """A YAML rule or route file carrying a Python object tag is refused; nothing runs."""
    from streams.pipeline.route_lang import load_routes
    from streams.pipeline.rules import load_rules

    marker = tmp_path / "executed"
    payload = f'!!python/object/apply:os.system ["touch {marker}"]'
    rules = tmp_path / "evil-rules.yaml"
    rules.write_text(f"pack: evil\nrules:\n  - name: x\n    match: {payload}\n", encoding="utf-8")
    routes = tmp_path / "evil-routes.yaml"
    routes.write_text(f"version: 1\nroutes:\n  - name: x\n    when: {payload}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="python/object"):
        load_rules([rules])
    with pytest.raises(ValueError, match="python/object"):
        load_routes(routes)
    assert not marker.exists()
