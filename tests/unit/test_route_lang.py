"""Rule language: parsing, validation errors with line numbers, YAML safety."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from streams.pipeline.route_lang import (
    DEFAULT_ROUTES,
    All,
    AnyOf,
    EntityCond,
    Not,
    RouteSyntaxError,
    load_routes,
    parse_routes,
)


def parse(text: str, origin: str = "t.yaml"):
    return parse_routes(textwrap.dedent(text), origin=origin)


def err(text: str) -> RouteSyntaxError:
    with pytest.raises(RouteSyntaxError) as exc:
        parse(text)
    return exc.value


def test_default_routes_load_and_cover_required_names() -> None:
    rules = load_routes()
    assert rules.version == "2026-11-28.1"
    for name in ("syria", "russia-us", "ukraine", "middle-east", "us-politics", "energy", "markets"):
        r = rules.get(name)
        assert r is not None and r.description
        assert r.topic == f"wire.route.{name}"
    assert rules.source_text == DEFAULT_ROUTES.read_text(encoding="utf-8")


def test_load_routes_from_path(tmp_path: Path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text("routes:\n  a:\n    match: {country: FR}\n", encoding="utf-8")
    rules = load_routes(p)
    assert rules.names == ["a"]
    assert rules.version.startswith("sha256:")  # no version field: content hash


def test_version_hash_changes_with_content() -> None:
    a = parse("routes:\n  a:\n    match: {country: FR}\n")
    b = parse("routes:\n  a:\n    match: {country: DE}\n")
    assert a.version != b.version


def test_structure_and_implicit_all() -> None:
    rules = parse("""\
        routes:
          x:
            match:
              any:
                - entity: {id: Q858}
                - entity: {country: SY, in: [headline, lead]}
              not: {source: [Sputnik]}
        """)
    m = rules.routes[0].match
    assert isinstance(m, All) and isinstance(m.children[0], AnyOf) and isinstance(m.children[1], Not)
    ent = m.children[0].children[1]
    assert isinstance(ent, EntityCond) and ent.zones == {"headline", "lead"} and ent.line == 6


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("routes:\n  syria:\n    match:\n      anyy: []\n", 4, "unknown operator 'anyy' in route 'syria'"),
        ("routes:\n  syria:\n    match:\n      anyy: []\n", 4, "did you mean 'any'"),
        ("routes:\n  Syria:\n    match: {country: SY}\n", 2, "invalid route name 'Syria'"),
        ("routes:\n  a:\n    match: {country: sy}\n", 3, "codes are upper-case"),
        ("routes:\n  a:\n    match: {country: XX}\n", 3, "unknown ISO 3166-1 alpha-2 country code 'XX'"),
        ("routes:\n  a:\n    match:\n      entity: {id: Q858, min_count: two}\n", 4,
         "min_count must be an integer"),
        ("routes:\n  a:\n    match:\n      entity: {id: 858}\n", 4, "invalid entity id '858'"),
        ("routes:\n  a:\n    match:\n      entity: {min_count: 2}\n", 4, "needs at least one of"),
        ("routes:\n  a:\n    match:\n      entity: {country: SY, share: 1.5}\n", 4, "share must be a number"),
        ("routes:\n  a:\n    match:\n      entity: {country: SY, in: [title]}\n", 4, "unknown zone 'title'"),
        ("routes:\n  a:\n    match:\n      phrase: ['*']\n", 4, "invalid phrase"),
        ("routes:\n  a:\n    match:\n      phrase: ['mid*dle']\n", 4, "only allowed at the end"),
        ("routes:\n  a:\n    match:\n      all: []\n", 4, "must not be empty"),
        ("routes:\n  a:\n    match:\n      - country: SY\n", 4, "wrap it in 'all:' or 'any:'"),
        ("routes:\n  a:\n    descripton: x\n    match: {country: SY}\n", 3, "unknown route key 'descripton'"),
        ("routes:\n  a:\n    description: x\n", 2, "missing 'match'"),
        ("routes:\n  a:\n    match: {route: b}\n", 3, "unknown route 'b'"),
        ("routes:\n  a:\n    match: {country: SY}\n  a:\n    match: {country: FR}\n", 4, "duplicate key 'a'"),
        ("rotues: {}\n", 1, "unknown top-level key 'rotues'"),
        ("routes:\n  a:\n    match: {country: SY\n", 4, "invalid YAML"),
        ("routes:\n  a:\n    match:\n      at_least: {n: 3, of: [{country: SY}, {country: FR}]}\n", 4,
         "at_least.n must be an integer in 1..2"),
        ("routes:\n  a:\n    match:\n      same_paragraph: [{country: SY}, {phrase: x}]\n", 4,
         "only takes 'entity' and 'phrase'"),
        ("routes:\n  a:\n    match:\n      language: english\n", 4, "invalid language code"),
    ],
)
def test_validation_errors_name_file_line_and_problem(text: str, line: int, needle: str) -> None:
    e = err(text)
    assert e.origin == "t.yaml"
    assert e.line == line, str(e)
    assert str(e).startswith(f"t.yaml:{line}")
    assert needle in str(e), str(e)


def test_route_reference_cycle_is_rejected() -> None:
    e = err("routes:\n  a:\n    match: {route: b}\n  b:\n    match: {route: a}\n")
    assert "cycle" in str(e) and e.line is not None


@pytest.mark.parametrize(
    "payload",
    [
        "routes: !!python/object/apply:os.system ['echo pwned']\n",
        "routes:\n  a:\n    match: !!python/object:builtins.dict {}\n",
        "routes:\n  a:\n    description: !!python/name:os.system\n    match: {country: SY}\n",
        "routes:\n  a:\n    match: !custom {country: SY}\n",
    ],
)
def test_python_and_custom_yaml_tags_are_rejected(payload: str) -> None:
    e = err(payload)
    assert "not allowed" in str(e) or "could not determine a constructor" in str(e)


def test_aliases_and_merge_keys_are_rejected() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nroutes:\n  r:\n    match: {country: SY}\n"
    assert "aliases are not allowed" in str(err(bomb))
    merge = "routes:\n  r:\n    <<: {description: x}\n    match: {country: SY}\n"
    assert "merge keys" in str(err(merge))


def test_empty_and_non_mapping_documents() -> None:
    assert "empty rule set" in str(err(""))
    assert "must be a mapping" in str(err("- a\n- b\n"))
    assert parse("routes:\n").routes == ()


def test_phrases_of_all_routes_share_one_matcher() -> None:
    rules = parse("""\
        routes:
          a: {match: {phrase: [Talks, "arms  control"]}}
          b: {match: {keyword: [talks, sanction*]}}
        """)
    assert set(rules.matcher.phrases) == {"talks", "arms control", "sanction*"}


def test_deep_nesting_is_bounded() -> None:
    deep = "routes:\n  a:\n    match: " + "{not: " * 40 + "{country: SY}" + "}" * 40 + "\n"
    assert "nested" in str(err(deep))
