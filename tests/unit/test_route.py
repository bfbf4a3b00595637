"""Route evaluator: each operator, reasons and evidence, explain traces, ordering, the seed story."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path
from typing import Any

import pytest

from streams.pipeline.route import explain, route
from streams.pipeline.route_lang import load_routes, parse_routes
from streams.pipeline.types import Entity, Mention, TagResult

DATA = Path(__file__).resolve().parents[1] / "data" / "route"
SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"

_spec = importlib.util.spec_from_file_location("route_annotate", DATA / "annotate.py")
assert _spec and _spec.loader
annotate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(annotate)


def tagged(headline: str, body: str) -> dict[str, Any]:
    item = annotate.tag_item(headline, body)
    ents = [Entity(e["id"], e["name"], e["type"], e["country"], e["count"],
                   [Mention(**m) for m in e["mentions"]]) for e in item["entities"]]
    return {"headline": item["headline"], "body": item["body"], "tags": TagResult(ents, item["countries"])}


def one(rule: str, story: dict[str, Any], **kw: Any) -> bool:
    rules = parse_routes(f"routes:\n  r:\n    match: {rule}\n")
    res = route(rules, **story, **kw)
    assert (res.routes == ["r"]) == ("r" in res.reasons)
    return res.routes == ["r"]


SY = tagged(
    "[[Syrian|SY]] army advances near [[Aleppo|aleppo]]",
    "[[DAMASCUS|damascus]] (AP) — Troops of President [[Bashar al-Assad|assad]] took two villages, "
    "the ministry said.\nFighting continued near [[Homs|homs]] and in [[Syria|SY]]'s north.\n"
    "[[Russian|RU]] jets struck targets, a monitor said, and [[Washington|washington]] condemned the "
    "strikes in talks with [[Moscow|moscow]].",
)
LIST = tagged(
    "Hunger rises worldwide, agencies say",
    "[[GENEVA|geneva]] (Reuters) - Conflicts in [[Yemen|YE]], [[South Sudan|SS]], [[Syria|SY]], "
    "[[Afghanistan|AF]], [[Nigeria|NG]] and [[Somalia|SO]] drove hunger up.\n"
    "[[Somalia|SO]] and [[Yemen|YE]] were worst hit, the [[World Food Programme|wfp]] said.",
)


def test_entity_id_type_country_and_counts() -> None:
    assert one("{entity: {id: Q44329}}", SY)
    assert not one("{entity: {id: Q7747}}", SY)
    assert one("{entity: {country: SY, min_count: 5}}", SY)  # Syrian, Aleppo, Damascus, Assad, Homs, Syria
    assert not one("{entity: {country: SY, min_count: 7}}", SY)
    assert one("{entity: {country: SY, type: person}}", SY)
    assert not one("{entity: {country: RU, type: person}}", SY)
    assert one("{entity: {country: SY, min_distinct: 5}}", SY)
    assert one("{entity: {type: organization, country: [US, RU]}}", SY) is False


def test_entity_zones_headline_lead_body() -> None:
    assert one("{entity: {id: Q858, in: headline}}", SY)
    assert one("{entity: {id: Q44329, in: lead}}", SY)
    assert not one("{entity: {id: kb:homs, in: [headline, lead]}}", SY)
    assert one("{entity: {id: kb:homs, in: body}}", SY)
    assert one("{entity: {id: Q858, in: lead}}", LIST) is not False  # Syria is in the list, in the lead


def test_entity_share() -> None:
    assert one("{entity: {country: SY, share: 0.5}}", SY)
    assert not one("{entity: {country: SY, share: 0.15}}", LIST)  # 1 of 9 place mentions
    assert one("{entity: {country: SO, share: 0.2}}", LIST)
    # share_of: Assad is the only person, but among places+persons he is a small share
    assert one("{entity: {id: Q44329, share: 1.0}}", SY)
    assert not one("{entity: {id: Q44329, share: 0.5, share_of: [person, place]}}", SY)


def test_country_top() -> None:
    assert SY["tags"].countries[0] == "SY"
    assert one("{country: SY}", SY)
    assert one("{country: {code: SY, top: 1}}", SY)
    assert one("{country: [FR, SY]}", SY)
    assert one("{country: SY}", LIST)
    assert not one("{country: {code: SY, top: 2}}", LIST)


def test_phrases_case_insensitive_word_boundaries_and_prefix() -> None:
    story = {"headline": "Talks resume", "body": "They discussed sanctions.\nThe stalks were tall.",
             "tags": TagResult([], [])}
    assert one("{phrase: [talks]}", story)
    assert one("{phrase: {any: [talks], in: headline}}", story)
    assert not one("{phrase: {any: [talks], in: body}}", story)  # 'stalks' is not 'talks'
    assert one("{phrase: [sanction*]}", story)
    assert not one("{phrase: [sanction]}", story)
    assert one("{phrase: {any: ['discuss*'], in: lead}}", story)
    assert not one("{phrase: {any: [tall], in: lead}}", story)
    assert one("{phrase: {any: [talks, sanctions, tall], min_count: 3}}", story)
    assert not one("{phrase: {any: [talks, sanctions, tall], min_count: 4}}", story)
    assert one("{keyword: ['THEY  DISCUSSED']}", story)


def test_boolean_operators_and_at_least() -> None:
    assert one("{all: [{country: SY}, {entity: {id: Q44329}}]}", SY)
    assert not one("{all: [{country: SY}, {entity: {id: Q7747}}]}", SY)
    assert one("{any: [{entity: {id: Q7747}}, {country: SY}]}", SY)
    assert one("{not: {country: FR}}", SY)
    assert not one("{not: [{country: FR}, {country: SY}]}", SY)
    assert one("{at_least: {n: 2, of: [{country: FR}, {country: SY}, {entity: {id: Q44329}}]}}", SY)
    assert not one("{at_least: {n: 3, of: [{country: FR}, {country: SY}, {entity: {id: Q44329}}]}}", SY)
    assert one("{country: SY, not: {country: FR}}", SY)  # several keys: implicit all


def test_source_and_language() -> None:
    assert one("{source: ap}", SY, source="AP")
    assert one("{source: efe}", SY, source="IANS/EFE")
    assert not one("{source: [reuters, afp]}", SY, source="IANS/EFE")
    assert one("{language: en}", SY, language="en-GB")
    assert not one("{language: [es, fr]}", SY, language="en")
    assert not one("{language: en}", SY)  # unknown language never matches


def test_same_paragraph() -> None:
    rule = "{same_paragraph: [{entity: {country: RU}}, {entity: {country: US}}, {phrase: [talks]}]}"
    assert one(rule, SY)
    split = tagged("x", "[[Russian|RU]] jets struck.\n[[Washington|washington]] condemned it in talks.")
    assert not one(rule, split)
    sp = "{same_paragraph: {all: [{entity: {country: SY}}, {phrase: [village*, fighting]}], min: %d}}"
    assert one(sp % 2, SY)
    assert not one(sp % 3, SY)


def test_route_reference() -> None:
    rules = parse_routes(
        "routes:\n  s: {match: {country: SY}}\n  me: {match: {any: [{route: s}, {country: IQ}]}}\n")
    res = route(rules, **SY)
    assert res.routes == ["s", "me"]
    assert any("route s" in r for r in res.reasons["me"])


def test_reasons_name_clauses_and_evidence() -> None:
    rules = parse_routes(
        "routes:\n  r:\n    match:\n      all:\n        - entity: {country: SY, in: [headline, lead]}\n"
        "        - not: {country: FR}\n        - any: [{phrase: [talks]}, {entity: {id: Q7747}}]\n")
    res = route(rules, **SY)
    reasons = res.reasons["r"]
    assert len(reasons) == 3
    assert reasons[0].startswith("entity {country: SY, in: [headline, lead]} =>")
    assert "Bashar al-Assad (Q44329)" in reasons[0]
    assert reasons[1].startswith("not country {code: FR}")
    assert reasons[2] == "phrase talks => found 'talks'"


def test_no_reasons_for_unmatched_routes_and_order_is_rule_set_order() -> None:
    rules = parse_routes("routes:\n  z: {match: {country: SY}}\n  a: {match: {country: FR}}\n"
                         "  m: {match: {entity: {id: Q44329}}}\n")
    for _ in range(3):
        res = route(rules, **SY)
        assert res.routes == ["z", "m"]
        assert list(res.reasons) == ["z", "m"]


def test_explain_traces_every_route() -> None:
    rules = load_routes()
    ex = explain(rules, **SY, source="AP", language="en")
    assert list(ex) == rules.names
    assert ex["syria"]["matched"] and ex["syria"]["reasons"]
    assert ex["syria"]["topic"] == "wire.route.syria"
    tr = ex["markets"]["trace"]
    assert tr["result"] is False and tr["children"] and all("line" in c for c in tr["children"])
    assert not ex["markets"]["reasons"]


def test_entities_without_mentions_still_count_but_have_no_zone() -> None:
    tags = TagResult([Entity("Q858", "Syria", "place", "SY", 3, [])], ["SY"])
    story = {"headline": "h", "body": "b", "tags": tags}
    assert one("{entity: {id: Q858, min_count: 3}}", story)
    assert not one("{entity: {id: Q858, in: headline}}", story)


def test_empty_story_and_empty_rules() -> None:
    rules = load_routes()
    res = route(rules, headline="", body="", tags=TagResult([], []))
    assert res.routes == [] and res.reasons == {}
    assert route(parse_routes("routes:\n"), **SY).routes == []


def test_adversarial_text_is_linear() -> None:
    rules = load_routes()
    body = ("sanction" * 5000 + " talks" * 2000 + "\n") * 5
    t = time.perf_counter()
    route(rules, headline="a" * 10000, body=body, tags=TagResult([], []))
    assert time.perf_counter() - t < 2.0


def _seed_story() -> dict[str, Any]:
    if not SEED.exists():
        pytest.skip("seed story not present")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[: lines.index("--IANS/EFE")])  # what the strip stage leaves
    # the entities the brief lists for this story, as keys of the annotation KB
    names = {
        "John Kerry": "kerry", "Kerry": "kerry", "Sergei Lavrov": "lavrov", "Lavrov": "lavrov",
        "Vladimir Putin": "putin", "Bashar al-Assad": "assad", "Assad": "assad", "Russia": "RU",
        "Russian": "RU", "Russians": "RU", "US": "US", "Syria": "SY", "Syrian": "SY",
        "White House": "whitehouse", "Damascus": "damascus", "Moscow": "moscow", "Washington": "washington",
        "Islamic State": "is",
    }
    pat = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    headline = "Russia proposes military talks with US on Syria, says Kerry"

    def mark(s: str) -> str:
        return pat.sub(lambda m: f"[[{m.group(1)}|{names[m.group(1)]}]]", s)

    return tagged(mark(headline), mark(body))


def test_seed_story_routes_to_syria_and_russia_us_with_reasons() -> None:
    story = _seed_story()
    res = route(load_routes(), **story, source="IANS/EFE", language="en")
    assert "syria" in res.routes and "russia-us" in res.routes
    assert res.routes.index("syria") < res.routes.index("russia-us")
    assert "ukraine" not in res.routes and "markets" not in res.routes
    assert any("Sergei Lavrov" in r or "Vladimir Putin" in r for r in res.reasons["russia-us"])
    assert any("same_paragraph" in r and "paragraph 1" in r for r in res.reasons["russia-us"])
    assert any("Syria (Q858)" in r for r in res.reasons["syria"])
