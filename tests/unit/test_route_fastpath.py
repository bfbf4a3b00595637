"""The indexed fast path never drops (or invents) a match: property tests on generated rule sets.

``route()`` evaluates only the candidate routes its trigger index selects, with compiled predicates,
and builds reasons with compiled reason closures. Two references that share none of that:

* the plain evaluation: every route's compiled predicate on a fresh story, with no index;
* the full tree walk of ``explain`` (evidence functions only, no short-circuit, no predicates).

Rule sets and stories are drawn from one small vocabulary so that routes really match (and fail
narrowly: near-miss words, zones, shares, ranks, paragraphs).

The ``route()`` checks run on both evaluators: the Python one and the native one
(``wirefeed_native.Router``, called directly; skipped when the extension is not built unless
WIREFEED_REQUIRE_NATIVE=1).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.pipeline import route as route_mod
from streams.pipeline.route import explain
from streams.pipeline.route_lang import parse_routes
from streams.pipeline.types import Entity, Mention, TagResult

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_route_equivalence import PATHS, use_path

IDS = ("Q1", "Q2", "Q3", "Q4", "kb:x")
TYPES = ("place", "person", "organization")
COUNTRIES = ("SY", "US", "RU", "FR")
PHRASES = ("talks", "oil", "war", '"peace talks"', "sanction*", "refug*", "u.s.", "al-assad", "gas")
WORDS = ("talks", "stalks", "oil", "oily", "turmoil", "war", "wary", "peace", "sanctions", "sanction",
         "refugees", "u.s.", "al-assad", "assad", "gas", "gasoline", "said", "the", "Talks", "OIL,")
SOURCES = ("ap", "reuters", "efe", "ians")
LANGS = ("en", "es", "fr")
ZONES = ("headline", "lead", "body")

PROPS = settings(max_examples=150, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _flow(xs: list[str]) -> str:
    return "[" + ", ".join(xs) + "]"


def _some(values: tuple[str, ...], hi: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=hi, unique=True)


@st.composite
def entity_clause(draw: st.DrawFn, in_same_paragraph: bool = False) -> str:
    parts = []
    keys = draw(st.lists(st.sampled_from(("id", "type", "country")), min_size=1, max_size=3, unique=True))
    if "id" in keys:
        parts.append(f"id: {_flow(draw(_some(IDS)))}")
    if "type" in keys:
        parts.append(f"type: {_flow(draw(_some(TYPES, 2)))}")
    if "country" in keys:
        parts.append(f"country: {_flow(draw(_some(COUNTRIES)))}")
    if draw(st.booleans()):
        parts.append(f"in: {_flow(draw(_some(ZONES)))}")
    if draw(st.booleans()):
        parts.append(f"min_count: {draw(st.integers(1, 4))}")
    if not in_same_paragraph:
        if draw(st.integers(0, 3)) == 0:
            parts.append(f"min_distinct: {draw(st.integers(1, 3))}")
        if draw(st.booleans()):
            parts.append(f"share: {draw(st.sampled_from((0.1, 0.3, 0.5, 1)))}")
            if draw(st.booleans()):
                parts.append(f"share_of: {_flow(draw(_some(TYPES, 2)))}")
    return "{entity: {" + ", ".join(parts) + "}}"


@st.composite
def phrase_clause(draw: st.DrawFn) -> str:
    op = draw(st.sampled_from(("phrase", "keyword")))
    words = _flow(draw(_some(PHRASES, 4)))
    if draw(st.booleans()):
        return f"{{{op}: {words}}}"
    parts = [f"any: {words}"]
    if draw(st.booleans()):
        parts.append(f"in: {_flow(draw(_some(ZONES)))}")
    if draw(st.booleans()):
        parts.append(f"min_count: {draw(st.integers(1, 3))}")
    return f"{{{op}: {{" + ", ".join(parts) + "}}"


@st.composite
def leaf(draw: st.DrawFn, refs: tuple[str, ...]) -> str:
    kind = draw(st.sampled_from(("entity", "phrase", "country", "source", "language", "same_paragraph",
                                 "route")))
    if kind == "entity" or (kind == "route" and not refs):
        return draw(entity_clause())
    if kind == "phrase":
        return draw(phrase_clause())
    if kind == "country":
        codes = _flow(draw(_some(COUNTRIES)))
        if draw(st.booleans()):
            return f"{{country: {{code: {codes}, top: {draw(st.integers(1, 3))}}}}}"
        return f"{{country: {codes}}}"
    if kind == "source":
        return f"{{source: {_flow(draw(_some(SOURCES, 2)))}}}"
    if kind == "language":
        return f"{{language: {_flow(draw(_some(LANGS, 2)))}}}"
    if kind == "same_paragraph":
        kids = draw(st.lists(st.one_of(entity_clause(True), phrase_clause()), min_size=1, max_size=3))
        if draw(st.booleans()):
            return f"{{same_paragraph: {{all: {_flow(kids)}, min: {draw(st.integers(1, 2))}}}}}"
        return f"{{same_paragraph: {_flow(kids)}}}"
    return f"{{route: {draw(st.sampled_from(refs))}}}"


@st.composite
def expression(draw: st.DrawFn, refs: tuple[str, ...], depth: int = 0, max_depth: int = 3) -> str:
    if depth >= max_depth or draw(st.integers(0, 2)) == 0:
        return draw(leaf(refs))
    kids = draw(st.lists(expression(refs, depth + 1, max_depth), min_size=1, max_size=3))
    op = draw(st.sampled_from(("all", "any", "not", "not-list", "at_least", "implicit-all")))
    if op == "not":
        return f"{{not: {kids[0]}}}"
    if op == "not-list":
        return f"{{not: {_flow(kids)}}}"
    if op == "at_least":
        return f"{{at_least: {{n: {draw(st.integers(1, len(kids)))}, of: {_flow(kids)}}}}}"
    if op == "implicit-all":
        return f"{{any: {_flow(kids)}, not: {draw(leaf(refs))}}}"
    return f"{{{op}: {_flow(kids)}}}"


@st.composite
def rule_set_text(draw: st.DrawFn, max_depth: int = 3) -> str:
    lines = ["routes:"]
    names: list[str] = []
    for i in range(draw(st.integers(1, 8))):
        name = f"r{i}"
        lines.append(f"  {name}:\n    match: {draw(expression(tuple(names), 0, max_depth))}")
        names.append(name)
    return "\n".join(lines) + "\n"


@st.composite
def story(draw: st.DrawFn) -> dict[str, Any]:
    def text(lo: int, hi: int) -> str:
        return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=lo, max_size=hi)))

    headline = text(0, 8)
    body = "\n".join(text(0, 8) for _ in range(draw(st.integers(0, 4))))
    entities = []
    for _ in range(draw(st.integers(0, 6))):
        mentions = []
        for _ in range(draw(st.integers(0, 4))):
            field = draw(st.sampled_from(("headline", "body")))
            limit = max(len(headline if field == "headline" else body) - 1, 0)
            start = draw(st.integers(0, limit))
            mentions.append(Mention(field, start, start + 1))
        name = draw(st.sampled_from(("Syria", "Kerry", "Lavrov")))
        entities.append(Entity(draw(st.sampled_from(IDS)), name,
                               draw(st.sampled_from(TYPES)), draw(st.sampled_from((*COUNTRIES, None))),
                               draw(st.integers(-1, 4)), mentions))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), max_size=4, unique=True))
    source = draw(st.sampled_from(("", "AP", "IANS/EFE", "Reuters, dpa", "afp")))
    language = draw(st.sampled_from((None, "en", "en-GB", "es", "fr_CA", "")))
    return {"headline": headline, "body": body, "tags": TagResult(entities, countries),
            "source": source, "language": language}


def _plain(rules: Any, item: dict[str, Any]) -> list[str]:
    """Every route's compiled predicate, no trigger index."""
    comp = route_mod.compile_rules(rules)
    s = route_mod._Story(comp, rules.matcher, item["headline"], item["body"], item["tags"], item["source"],
                         item["language"])
    return [r.name for i, r in enumerate(rules.routes) if comp.fns[i](s)]


@pytest.mark.parametrize("path", PATHS)
@PROPS
@given(rule_set_text(), st.lists(story(), min_size=1, max_size=4))
def test_indexed_route_equals_plain_evaluation_and_full_tree_walk(path: str, text: str,
                                                                 stories: list[dict]) -> None:
    rules = parse_routes(text, origin="gen")
    route = use_path(rules, path)
    for item in stories:
        got = route(rules, **item)
        assert got.routes == _plain(rules, item), text
        full = explain(rules, **item)
        assert got.routes == [name for name, d in full.items() if d["trace"]["result"]], text
        assert list(got.reasons) == got.routes
        assert all(got.reasons[name] for name in got.routes)


@PROPS
@given(rule_set_text(), story())
def test_candidates_cover_every_matching_route(text: str, item: dict[str, Any]) -> None:
    rules = parse_routes(text, origin="gen")
    comp = route_mod.compile_rules(rules)
    s = route_mod._Story(comp, rules.matcher, item["headline"], item["body"], item["tags"], item["source"],
                         item["language"])
    cand = route_mod._candidates(comp.plan, s)
    for name in _plain(rules, item):
        assert cand >> comp.route_index[name] & 1, (name, text)


@pytest.mark.parametrize("path", PATHS)
@settings(PROPS, max_examples=400)
@given(rule_set_text(max_depth=1), st.lists(story(), min_size=2, max_size=6))
def test_shallow_rules_match_often_and_the_index_keeps_them(path: str, text: str,
                                                           stories: list[dict]) -> None:
    """Leaves and one level of operators: most routes hinge on a single atom kind, so a kind the
    index forgets (a zone, a rank, a prefix, a source part) shows up as a missed match."""
    rules = parse_routes(text, origin="gen")
    route = use_path(rules, path)
    for item in stories:
        assert route(rules, **item).routes == _plain(rules, item), text
