"""The native rule matcher (rules_native + native/src/rules.rs) gives exactly the Python matcher's answers.

Compared rule by rule (a rule set of each rule alone) and for the whole rule set (first match in pack
order) on lines sampled from every rule's pattern and mutated, the labelled strip set, every line of the
bench mix, hypothesis-generated variants (case, non-ASCII letters, Kelvin sign and long s, whitespace,
lines at each rule's length cap), and ``strip()`` results on whole bodies. The translation's building
blocks are checked against Python's engine over every code point. Without the extension the module is
skipped, unless WIREFEED_REQUIRE_NATIVE=1 (set by ``make test``), which makes it fail.
"""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "strip"))

import score
from test_strip_prefilter import _mutations, _samples

from bench.generate import generate
from streams.pipeline import furniture, parse, rules_native
from streams.pipeline.rules import RuleSet, _build, load_rules
from streams.pipeline.strip import _removals, _removals_native, strip
from streams.pipeline.strip_prefilter import FOLD_RISK_CHARS

if not rules_native.available():
    if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
        pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
    pytest.skip("wirefeed_native is not built: pip install ./native", allow_module_level=True)

PY = load_rules(native=False)
NATIVE = load_rules(native=True)
# characters where Python's and other engines' ideas of case, digits, spaces and words part ways
TRICKY = list("éÉüÜßẞİıſKkÅåµμσςΣﬀﬁǅǆΩωÆæøØđĐ") + list("٣१௫²½") + [
    "\u00a0", "\u2009", "\u3000", "\t", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u200b",
    "\u0301", "\u093e", "_", "‿", "’", "—", "…", "₹", "©", "😀", "𝐀", "\ud800",
]


def _agree(py: RuleSet, nat: RuleSet, lines: list[str]) -> None:
    want = [py.match(k) for k in lines]
    got = nat.match_lines(lines)
    for k, a, b in zip(lines, want, got, strict=True):
        assert (a and a.name) == (b and b.name), (k, a and a.name, b and b.name)


def test_the_shipped_packs_are_translated() -> None:
    assert NATIVE.native is not None
    assert PY.native is None
    plan = rules_native.plan(NATIVE.rules)
    assert len(plan.patterns) == len(NATIVE.rules)
    assert any(plan.anchored) and not all(plan.anchored)


def test_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREFEED_NATIVE", "0")
    assert load_rules().native is None
    monkeypatch.setenv("WIREFEED_NATIVE", "1")
    assert load_rules().native is not None


def test_literal_spans_are_the_engines_over_every_code_point() -> None:
    """Literals are not run through the engine at build time (classes are): check them against it."""
    chars = rules_native._all_chars()
    items: set[tuple[int, int]] = {(ord(c), re.IGNORECASE) for c in "sSkKiIſKİıµμσςΣßẞﬀǅ1_ é"}
    for r in NATIVE.rules:
        items |= {(ord(c), 0 if r.case_sensitive else re.IGNORECASE) for c in set(r.regex) if c.isprintable()}
    for cp, icase in sorted(items):
        flags = icase | re.UNICODE
        for op, pat in ((rules_native.sre_c.LITERAL, re.escape(chr(cp))), (rules_native.sre_c.NOT_LITERAL,
                                                                          f"[^{re.escape(chr(cp))}]")):
            got = rules_native.item_spans(op, cp, flags)
            want = tuple(m.span() for m in re.finditer(f"(?:{pat})+", chars, flags))
            assert got == want, (chr(cp), op, icase)


def test_lower_pairs_and_risk_cover_every_code_point() -> None:
    """Outside risk_points, str.lower() of a non-ASCII character is itself or the one character of
    lower_pairs (what the native literal gates lower with); FOLD_RISK is inside risk_points."""
    risk = rules_native.risk_points()
    pairs = dict(rules_native.lower_pairs())
    assert {ord(c) for c in FOLD_RISK_CHARS} <= risk
    for cp in range(0x80, rules_native.END):
        if cp in risk or 0xD800 <= cp < 0xE000:
            continue
        low = chr(cp).lower()
        assert low == chr(pairs.get(cp, cp)), hex(cp)


def test_word_spans_are_isalnum_or_underscore() -> None:
    words = rules_native.word_spans()
    rng = random.Random(5)
    for cp in [*range(0x3000), *rng.sample(range(0x3000, rules_native.END), 20_000)]:
        assert rules_native.spans_contain(words, cp) == (chr(cp).isalnum() or chr(cp) == "_"), hex(cp)


def test_rule_by_rule_on_sampled_and_labelled_lines() -> None:
    rng = random.Random(17)
    labelled = sorted({t.strip() for it in score.load_items() for _, t in it.lines if t.strip()})
    for rule in NATIVE.rules:
        py = _build((rule,), {}, [], "one", native=False)
        nat = _build((rule,), {}, [], "one", native=True)
        assert nat.native is not None, rule.name
        lines = _samples(py, 40, hash(rule.name) % 1000)
        lines += [v.strip() for line in lines[:20] for v in _mutations(line, rng)]
        _agree(py, nat, lines + labelled)


def test_whole_set_on_sampled_lines_and_their_mutations() -> None:
    rng = random.Random(7)
    lines = _samples(PY, 25, 11)
    assert len(lines) > 1000
    variants = [v.strip() for line in lines for v in _mutations(line, rng)]
    _agree(PY, NATIVE, lines + variants)


def test_whole_set_on_every_line_of_the_bench_mix() -> None:
    lines: set[str] = set()
    for raw in generate(10_000, seed=7):
        it = parse.parse(raw)
        lines.update(k.strip() for k in it.body.split("\n"))
    assert len(lines) > 50_000
    _agree(PY, NATIVE, sorted(lines))


def test_lines_at_every_rule_length_cap() -> None:
    rng = random.Random(23)
    out = []
    for rule in PY.rules:
        one = _build((rule,), {}, [], "one", native=False)
        for line in _samples(one, 10, len(rule.name))[:5]:
            for pad in (" x", "a", " ", "-", "’"):
                longer = (line + pad * rule.max_len)[: rule.max_len + 2]
                out += [longer[: rule.max_len - 1], longer[: rule.max_len], longer[: rule.max_len + 1]]
            out.append(line[: rule.max_len].upper())
            out.append(rng.choice(TRICKY) + line)
    _agree(PY, NATIVE, [x.strip() for x in out])


_SEEDS = sorted({t.strip() for it in score.load_items() for lab, t in it.lines if lab == "F" and t.strip()})
_SEEDS += _samples(PY, 6, 29)


@st.composite
def _variant(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(_SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        what = draw(st.sampled_from(["case", "insert", "replace", "space", "cut", "cap"]))
        i = draw(st.integers(0, len(line)))
        if what == "case":
            line = draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title]))(line)
        elif what == "insert":
            line = line[:i] + draw(st.sampled_from(TRICKY)) + line[i:]
        elif what == "replace" and line:
            line = line[: i - 1] + draw(st.sampled_from([*TRICKY, "s", "k", "i", "S", "K"])) + line[i:]
        elif what == "space":
            line = line.replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0", "\t", "\u2009", "_"])))
        elif what == "cut":
            line = line[:i]
        else:  # around the length caps of the rules the line may meet
            cap = draw(st.sampled_from(sorted({r.max_len for r in PY.rules})))
            line = (line + " more" * 100)[: cap + draw(st.integers(-1, 1))]
    return line.strip()


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_variant(), min_size=1, max_size=8))
def test_hypothesis_variants_of_rule_examples(lines: list[str]) -> None:
    _agree(PY, NATIVE, lines)


def test_lines_python_must_answer() -> None:
    """Lone surrogates, newlines and risk characters take the Python path (-2), and agree."""
    lines = ["share on whatsapp\ud800", "share on\nwhatsapp", "ſhare on whatsapp", "Share on WhatsApp"]
    assert NATIVE.native.first_matches(lines)[:3] == [-2, -2, -2]
    _agree(PY, NATIVE, lines)


def test_strip_results_are_identical_on_bench_bodies_with_learned_lines() -> None:
    state: dict = {}
    for j, raw in enumerate(generate(1500, seed=3)):
        it = parse.parse(raw)
        if not it.body:
            continue
        lines = it.body.split("\n")
        now = 1.7e9 + j
        learned = furniture.learned_lines(state, it.source, min_items=3, now=now, window_s=1e6,
                                          item_id=it.id, lines=lines, offset=j)
        a = strip(it.headline, it.body, PY, learned=learned)
        b = strip(it.headline, it.body, NATIVE, learned=learned)
        assert a == b, it.id
        furniture.observe(state, it.source, it.id, lines, now, window_s=1e6, min_items=3, offset=j)


_POOL = sorted({t.strip() for it in score.load_items() for _, t in it.lines if t.strip()})
_STORY = [*[x for x in _POOL if len(x) >= 200][:40], "The minister said the talks would go on for many days."]
_LEARNED = frozenset(furniture.normalise(x) for x in _POOL[::9] if len(x) <= 160)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_POOL), st.sampled_from(_STORY), st.just(""),
                          st.sampled_from(["Subscribe now", "ml/", "--IANS", "Advertisement", "₹999/year",
                                           "Already a subscriber? Log in", "ſubscribe now", "AFP"])),
                max_size=14),
       st.booleans())
def test_scope_walk_is_the_lazy_one(body: list[str], with_learned: bool) -> None:
    """Any arrangement of furniture, story, blank and learned lines: the same removals and matches."""
    learned = _LEARNED if with_learned else frozenset()
    want, want_m = _removals(list(body), PY, learned)
    got, got_m = _removals_native(list(body), NATIVE, learned)
    assert got == want
    for i in want:
        assert (got_m[i] and got_m[i].name) == (want_m[i] and want_m[i].name)
