"""The compiled evaluator: rule sets compile once, pruning never drops a route that can match."""

from __future__ import annotations

import dataclasses

from streams.pipeline.route import route
from streams.pipeline.route_lang import load_routes, parse_routes
from streams.pipeline.types import Entity, Mention, TagResult

HEADLINE = "Syrian army advances near Aleppo"
BODY = "DAMASCUS (AP) - Troops took two villages.\nFighting continued near Homs, officials said."


def _tags(*entities: Entity, countries: tuple[str, ...] = ("SY",)) -> TagResult:
    return TagResult(list(entities), list(countries))


SYRIA = Entity("Q858", "Syria", "place", "SY", 2, [Mention("headline", 0, 6), Mention("body", 0, 8)])


def one(rule: str, tags: TagResult, **kw: str) -> bool:
    rules = parse_routes(f"routes:\n  r:\n    match: {rule}\n")
    return route(rules, headline=HEADLINE, body=BODY, tags=tags, **kw).routes == ["r"]


def test_rule_set_is_compiled_when_parsed_and_equality_ignores_it() -> None:
    a, b = load_routes(), load_routes()
    assert a.compiled is not None and a.compiled is not b.compiled
    assert a == b and hash(a) == hash(b)


def test_replace_drops_the_compiled_form_and_routing_recompiles() -> None:
    rules = parse_routes("routes:\n  a: {match: {country: SY}}\n")
    other = dataclasses.replace(rules, routes=rules.routes[:0])
    assert other.compiled is None
    assert route(other, headline=HEADLINE, body=BODY, tags=_tags(SYRIA)).routes == []
    assert other.compiled is not None
    assert route(rules, headline=HEADLINE, body=BODY, tags=_tags(SYRIA)).routes == ["a"]


def test_routes_without_indexable_atoms_are_always_evaluated() -> None:
    empty = TagResult([], [])
    assert one("{not: {country: FR}}", empty)
    assert one("{any: [{country: FR}, {not: {phrase: [ceasefire]}}]}", empty)
    assert not one("{all: [{not: {country: FR}}, {country: SY}]}", empty)


def test_at_least_and_any_pruning_keep_every_way_to_match() -> None:
    three = "{at_least: {n: 2, of: [{country: FR}, {phrase: [villages]}, {entity: {id: Q858}}]}}"
    assert one(three, _tags(SYRIA))  # phrase + entity, no FR
    assert one(three, _tags(countries=("FR",)))  # FR + phrase, no entity
    assert not one(three, _tags(countries=("DE",)))  # only the phrase
    nested = "{any: [{entity: {id: Q1, in: headline}}, {all: [{country: SY}, {phrase: [homs]}]}]}"
    assert one(nested, _tags(SYRIA))
    assert not one(nested, _tags(SYRIA, countries=("IQ",)))


def test_zone_refined_atoms() -> None:
    body_only = Entity("Q858", "Syria", "place", "SY", 1, [Mention("body", 50, 55)])  # 2nd paragraph
    assert one("{entity: {country: SY, in: body}}", _tags(body_only))
    assert not one("{entity: {country: SY, in: [headline, lead]}}", _tags(body_only))
    assert one("{phrase: {any: [army], in: headline}}", _tags())
    assert not one("{phrase: {any: [fighting], in: headline}}", _tags())
    assert one("{phrase: {any: [fighting], in: body}}", _tags())
    assert one("{country: {code: SY, top: 1}}", _tags(countries=("SY", "IQ")))
    assert not one("{country: {code: IQ, top: 1}}", _tags(countries=("SY", "IQ")))
    assert one("{country: IQ}", _tags(countries=("SY", "LB", "JO", "IQ")))


def test_entities_without_count_or_mentions_play_no_part() -> None:
    ghost = Entity("Q858", "Syria", "place", "SY", 0, [])
    negative = Entity("Q858", "Syria", "place", "SY", -1, [])
    assert not one("{entity: {id: Q858}}", _tags(ghost))
    assert not one("{entity: {id: Q858}}", _tags(negative))
    mentioned = Entity("Q858", "Syria", "place", "SY", 0, [Mention("headline", 0, 6)])
    assert one("{entity: {id: Q858, in: headline}}", _tags(mentioned))


def test_source_parts_and_language_subtags() -> None:
    assert one("{source: efe}", _tags(), source=" IANS, EFE ")
    assert one("{source: [ians]}", _tags(), source="IANS/EFE")
    assert not one("{source: ians}", _tags(), source="IANSx")
    assert one("{language: pt}", _tags(), language="pt_BR")


def test_a_second_story_sees_nothing_of_the_first() -> None:
    rules = parse_routes("routes:\n  a: {match: {all: [{country: SY}, {phrase: [villages]}]}}\n")
    first = route(rules, headline=HEADLINE, body=BODY, tags=_tags(SYRIA))
    second = route(rules, headline="Quiet day", body="Nothing happened.", tags=_tags(SYRIA))
    assert first.routes == ["a"] and second.routes == []
    assert first.reasons["a"][1] == "phrase villages => found 'villages'"
