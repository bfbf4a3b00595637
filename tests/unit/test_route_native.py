"""The native route evaluator (native/src/route.rs, ``wirefeed_native.Router``) gives exactly the Python
evaluator's results: the same routes in the same order and the same reason strings, byte for byte.

Compared on the labelled set (defaults and the benchmark's 100-route rule set), on generated rule
sets and stories (every operator), on fuzzed Unicode text, and on the inputs the native side must
decline (then ``route()`` falls back to Python, with the same result). Without the extension the
module is skipped, unless WIREFEED_REQUIRE_NATIVE=1, which makes it fail.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "bench"))

from bench_route import synthetic_rules  # noqa: E402
from test_route_equivalence import load_items  # noqa: E402
from test_route_fastpath import rule_set_text, story  # noqa: E402

from streams.pipeline import native_ext, route_native  # noqa: E402
from streams.pipeline.route import compile_rules, route, route_python  # noqa: E402
from streams.pipeline.route_lang import DEFAULT_ROUTES, RuleSet, parse_routes  # noqa: E402
from streams.pipeline.types import Entity, Mention, RouteResult, TagResult  # noqa: E402

if not route_native.available():
    if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
        pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
    pytest.skip("wirefeed_native is not built: pip install ./native", allow_module_level=True)

PROPS = settings(max_examples=150, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def native_of(rules: RuleSet) -> Any:
    nr = compile_rules(rules, native=True).native
    assert nr is not None
    return nr


def call(nr: Any, item: dict[str, Any]) -> RouteResult | None:
    return nr.route(item["headline"], item["body"], item["tags"], item.get("source", ""),
                    item.get("language"))


def same(a: RouteResult, b: RouteResult) -> None:
    assert type(a) is RouteResult and type(b) is RouteResult
    assert a.routes == b.routes
    assert list(a.reasons) == list(b.reasons)  # dict order too
    assert a.reasons == b.reasons


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


@pytest.mark.parametrize("which", ["defaults", "bench100"])
def test_labelled_set_native_equals_python(which: str, items: list[dict[str, Any]]) -> None:
    text = DEFAULT_ROUTES.read_text(encoding="utf-8") if which == "defaults" else synthetic_rules(items, 92)
    rules = parse_routes(text, origin=which)
    nr = native_of(rules)
    matched = 0
    for it in items:
        want = route_python(rules, **it)
        got = call(nr, it)
        assert got is not None  # the labelled set is all covered natively
        same(got, want)
        same(route(rules, **it), want)
        matched += len(want.routes)
    assert matched > len(items)


@PROPS
@given(rule_set_text(), st.lists(story(), min_size=1, max_size=4))
def test_generated_rule_sets_native_equals_python(text: str, stories: list[dict]) -> None:
    rules = parse_routes(text, origin="gen")
    nr = native_of(rules)
    for item in stories:
        got = call(nr, item)
        assert got is not None
        same(got, route_python(rules, **item))


# Fuzzed text: characters whose lower case or word-boundary class is unusual, phrases of the rule set
# glued to them, and characters the native side must decline (capital sigma, dotted capital I, an
# astral character) so that both ways through ``route()`` are exercised.
FUZZ_RULES = parse_routes("""
routes:
  a:
    match: {phrase: [talks, "u.s.", "al-assad", straße, élysée, σοφία, sanction*, "peace talks"]}
  b:
    match:
      same_paragraph: [{phrase: [talks, sanction*, élysée]}, {entity: {country: [SY, FR]}}]
  c:
    match: {all: [{phrase: {any: [talks, oil], in: [headline, lead], min_count: 2}}, {not: {source: [ap]}}]}
""", origin="fuzz")
ALPHABET = st.sampled_from([
    *"talks oil u.s. al-assad sanctions peace \n\n,.-'’",
    "é", "É", "ß", "ẞ", "Σ", "σ", "ς", "İ", "ı", "ǅ", "Ⅻ", "²", "٣", "😀", "ﬁ", "K", "Å", "—", "\u00a0",
    "\u2028", "Straße", "ÉLYSÉE", "ΣΟΦΊΑ", "σοφία", "TALKS", "Sanction"])


@st.composite
def fuzz_item(draw: st.DrawFn) -> dict[str, Any]:
    headline = "".join(draw(st.lists(ALPHABET, max_size=12)))
    body = "".join(draw(st.lists(ALPHABET, max_size=60)))
    n = len(body)
    ents = []
    for k in range(draw(st.integers(0, 3))):
        starts = draw(st.lists(st.integers(0, max(n, 1)), max_size=3))
        ms = [Mention("body", s, s + 1) for s in starts]
        if draw(st.booleans()):
            ms.append(Mention("headline", 0, 1))
        ents.append(Entity(f"Q{k}", draw(st.sampled_from(["Syria", "France", "Élysée", "Σ"])), "place",
                           draw(st.sampled_from(["SY", "FR", None])), draw(st.integers(0, 3)), ms))
    src = draw(st.sampled_from(["", "ap", " AP ", "IANS/EFE", "reuters, ap", "ÄP"]))
    lang = draw(st.sampled_from([None, "en", "EN-gb", " fr_FR ", "ελ"]))
    countries = draw(st.sampled_from([[], ["SY"], ["FR", "SY"]]))
    return {"headline": headline, "body": body, "tags": TagResult(ents, countries), "source": src,
            "language": lang}


@PROPS
@given(fuzz_item())
def test_fuzzed_text_native_or_fallback_equals_python(item: dict[str, Any]) -> None:
    native_of(FUZZ_RULES)
    want = route_python(FUZZ_RULES, **item)
    same(route(FUZZ_RULES, **item), want)
    got = call(FUZZ_RULES.compiled.native, item)
    if got is not None:
        same(got, want)
    text = item["headline"] + item["body"]
    odd_text = any(c in text for c in "Σİ😀")  # lower() by context, into two characters, outside the BMP
    if odd_text:
        assert got is None, "a story the native side cannot lower-case like Python was not declined"
    elif item["source"].isascii() and (item["language"] or "").isascii():
        assert got is not None, "a covered story was declined"


def _story(**kw: Any) -> dict[str, Any]:
    base = {"headline": "Talks on Syria", "body": "Syria talks resumed.\nMore talks.", "source": "reuters",
            "language": "en",
            "tags": TagResult([Entity("Q858", "Syria", "place", "SY", 3,
                                      [Mention("headline", 9, 14), Mention("body", 0, 5)])], ["SY"])}
    base.update(kw)
    return base


SIMPLE = parse_routes("""
routes:
  s:
    match:
      all:
        - phrase: [talks]
        - entity: {country: SY}
        - country: SY
        - not: {source: [ap]}
        - not: {language: [fr]}
""", origin="simple")


@pytest.mark.parametrize(("kw", "covered"), [
    ({}, True),
    ({"headline": "ΣΥΡΙΑ talks"}, False),  # capital sigma: lower() depends on context
    ({"body": "İstanbul talks"}, False),  # lower() gives two characters
    ({"body": "talks 😀"}, False),  # outside the BMP
    ({"source": "Agência"}, False),  # non-ASCII source
    ({"language": "ελ"}, False),  # non-ASCII language
    ({"tags": TagResult(_story()["tags"].entities, ("SY",))}, False),  # countries not a list
    ({"tags": TagResult(_story()["tags"].entities, ["S'Y"])}, False),  # a country repr would escape
    ({"tags": TagResult([dataclasses.replace(_story()["tags"].entities[0], mentions=())], ["SY"])}, False),
    ({"headline": "Ελλάδα: talks", "body": "Straße, Élysée — talks"}, True),  # BMP, one-to-one lower()
    ({"headline": None, "body": None}, True),
    ({"source": None, "language": None}, True),
])
def test_declined_inputs_fall_back_to_python_with_the_same_result(kw: dict[str, Any], covered: bool) -> None:
    item = _story(**kw)
    nr = native_of(SIMPLE)
    got = call(nr, item)
    assert (got is not None) == covered
    want = route_python(SIMPLE, **item)
    same(route(SIMPLE, **item), want)
    if got is not None:
        same(got, want)


SHARES = parse_routes("""
routes:
  sh:
    match: {entity: {country: SY, share: 0.001}}
""", origin="shares")


@pytest.mark.parametrize(("num", "denom"), [(1, 8), (3, 8), (5, 8), (1, 3), (2, 3), (1, 200), (3, 200),
                                            (1, 1), (7, 16), (1, 16), (5, 1000)])
def test_share_is_formatted_like_python(num: int, denom: int) -> None:
    """``f"{share:.2f}"`` rounds the exact binary value half to even; the native side must agree."""
    ents = [Entity("Q858", "Syria", "place", "SY", num, []),
            Entity("Q90", "Paris", "place", "FR", denom - num, [])]
    item = _story(tags=TagResult([e for e in ents if e.count > 0], ["SY"]))
    want = route_python(SHARES, **item)
    got = call(native_of(SHARES), item)
    assert got is not None
    same(got, want)
    assert want.routes == ["sh"]
    assert want.reasons["sh"][0].endswith(f"share {num / denom:.2f}")


def test_switched_off_by_environment_at_compile_time(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DEFAULT_ROUTES.read_text(encoding="utf-8")
    monkeypatch.setenv(native_ext.ENV, "0")
    off = parse_routes(text, origin="off")
    assert off.compiled.native is None
    monkeypatch.setenv(native_ext.ENV, "1")
    assert off.compiled.native is None  # read once per rule set, not per story
    on = parse_routes(text, origin="on")
    assert on.compiled.native is not None
    monkeypatch.setenv(native_ext.ENV, "0")
    assert on.compiled.native is not None
    item = _story()
    same(route(off, **item), route(on, **item))


def test_python_reference_ignores_the_native_evaluator() -> None:
    """route_python never calls the native side, so the two really are independent."""
    rules = parse_routes(DEFAULT_ROUTES.read_text(encoding="utf-8"), origin="ref")

    class Boom:
        def route(self, *a: Any) -> Any:
            raise AssertionError("native path used")

    rules.compiled.native = Boom()
    item = _story()
    res = route_python(rules, **item)
    assert isinstance(res, RouteResult)
    with pytest.raises(AssertionError, match="native path used"):
        route(rules, **item)


def test_result_class_is_checked() -> None:
    assert route_native._result_cls() is RouteResult
