"""The compiled evaluator gives exactly the results recorded from the first (tree-walking) evaluator.

``tests/data/route/golden.json.gz`` was recorded with the original ``route``/``explain`` before the
evaluator was rewritten for speed: for the default routes, the 100-route benchmark rule set and
randomly generated rule sets that use every operator (nesting, ``not``, ``at_least``, ``route:``
references, zones, shares, prefixes, ``same_paragraph`` with ``min``), on every labelled item
with several source/language variants. It stores the rule texts themselves, so changing the
generators below does not invalidate it. Regenerate only on purpose, with an evaluator you trust:
``.venv/bin/python tests/unit/test_route_equivalence.py --record``.

Every check runs twice: on the Python evaluator (``route_python``, the reference) and on the native
one (``wirefeed_native.Router``, called directly so that a silent per-item fallback to Python cannot
hide a difference). The native runs are skipped when the extension is not built, unless
WIREFEED_REQUIRE_NATIVE=1, which makes them fail.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from streams.pipeline import route_native
from streams.pipeline.route import compile_rules, explain, route, route_python
from streams.pipeline.route_lang import DEFAULT_ROUTES, RuleSet, parse_routes
from streams.pipeline.types import Entity, Mention, TagResult

ROOT = Path(__file__).resolve().parents[2]
ITEMS = ROOT / "tests" / "data" / "route" / "items.jsonl"
GOLDEN = ROOT / "tests" / "data" / "route" / "golden.json.gz"
VARIANTS = (("", None), ("IANS/EFE", "en-GB"), ("AP", "es"), ("Reuters, dpa", "en"))


def load_items() -> list[dict[str, Any]]:
    out = []
    for line in ITEMS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        it = json.loads(line)
        ents = [Entity(e["id"], e["name"], e["type"], e["country"], e["count"],
                       [Mention(**m) for m in e["mentions"]]) for e in it["entities"]]
        out.append({"headline": it["headline"], "body": it["body"], "tags": TagResult(ents, it["countries"]),
                    "source": it["source"], "language": it["language"]})
    return out


def _kwargs(item: dict[str, Any], i: int, vary: bool) -> dict[str, Any]:
    kw = dict(item)
    if vary and i % 5:
        kw["source"], kw["language"] = VARIANTS[i % 4]
    return kw


# ----------------------------------------------------------------------------- rule generators
def bench_rules(items: list[dict[str, Any]], n: int, seed: int = 7) -> str:
    """The benchmark's synthetic rule set (six editor-like shapes), as of recording time."""
    rng = random.Random(seed)
    ids = sorted({e.id for it in items for e in it["tags"].entities})
    countries = sorted({c for it in items for c in it["tags"].countries})
    words = sorted({w for it in items for w in re.findall(r"[a-z]{5,}", it["body"].lower())})
    ids += [f"Q{rng.randint(100, 9_999_999)}" for _ in range(400)]
    lines = [DEFAULT_ROUTES.read_text(encoding="utf-8").rstrip(), ""]

    def kw(k: int) -> str:
        ws = [w + ("*" if rng.random() < 0.15 else "") for w in rng.sample(words, k)]
        return "[" + ", ".join(ws) + "]"

    for i in range(n):
        shape = i % 6
        cc = rng.choice(countries)
        if shape == 0:
            m = f"{{entity: {{id: [{', '.join(rng.sample(ids, 6))}], min_count: 2}}}}"
        elif shape == 1:
            m = (f"{{all: [{{entity: {{country: {cc}, in: [headline, lead]}}}}, "
                 f"{{entity: {{country: {cc}, min_count: 3, share: 0.2}}}}]}}")
        elif shape == 2:
            m = (f"{{all: [{{keyword: {{any: {kw(12)}, min_count: 2}}}}, "
                 f"{{keyword: {{any: {kw(5)}, in: headline}}}}]}}")
        elif shape == 3:
            m = (f"{{all: [{{country: {{code: {cc}, top: 2}}}}, {{keyword: {kw(10)}}}, "
                 f"{{not: {{source: [{rng.choice(['ap', 'afp', 'pti'])}]}}}}]}}")
        elif shape == 4:
            m = (f"{{same_paragraph: [{{entity: {{country: {cc}, type: [person, organization]}}}}, "
                 f"{{keyword: {kw(8)}}}]}}")
        else:
            m = (f"{{any: [{{entity: {{id: {rng.choice(ids)}, in: headline}}}}, "
                 f"{{at_least: {{n: 2, of: [{{keyword: {kw(4)}}}, {{country: {cc}}}, "
                 f"{{entity: {{id: [{', '.join(rng.sample(ids, 3))}]}}}}]}}}}]}}")
        lines.append(f"  syn-{i:03d}:\n    match: {m}")
    return "\n".join(lines) + "\n"


def random_rules(items: list[dict[str, Any]], n: int, seed: int) -> str:
    """Random rule sets over the labelled set's vocabulary that exercise every operator and option."""
    rng = random.Random(seed)
    ids = [*sorted({e.id for it in items for e in it["tags"].entities}), "Q4242424", "kb:nowhere"]
    ecountries = sorted({e.country for it in items for e in it["tags"].entities if e.country})
    countries = [*sorted({c for it in items for c in it["tags"].countries}), "FR", "BR"]
    types = [*sorted({e.type for it in items for e in it["tags"].entities}), "event"]
    text = " ".join(it["headline"] + "\n" + it["body"] for it in items).lower()
    words = sorted(set(re.findall(r"[a-z]{3,}", text)))
    common = [w for w in ("talks", "said", "oil", "war", "minister", "president", "prices", "troops",
                          "sanctions", "refugees", "the", "and", "state", "government") if w in words]
    bigrams = sorted(set(re.findall(r"\b[a-z]{3,} [a-z]{3,}\b", text)))
    zones = ("headline", "lead", "body")

    def pick(seq: list[str], lo: int, hi: int) -> str:
        vals = rng.sample(seq, rng.randint(lo, min(hi, len(seq))))
        return vals[0] if len(vals) == 1 and rng.random() < 0.5 else "[" + ", ".join(vals) + "]"

    def zone_list() -> str:
        return "[" + ", ".join(rng.sample(zones, rng.randint(1, 3))) + "]"

    def phrase_list() -> str:
        out = []
        for _ in range(rng.randint(1, 7)):
            r = rng.random()
            if r < 0.35 and common:
                w = rng.choice(common)
            elif r < 0.55:
                w = f'"{rng.choice(bigrams)}"'
            else:
                w = rng.choice(words)
            if rng.random() < 0.2 and not w.startswith('"') and len(w) >= 4:
                w = w[: rng.randint(3, len(w) - 1)] + "*"
            out.append(w)
        return "[" + ", ".join(dict.fromkeys(out)) + "]"

    def entity(in_sp: bool = False) -> str:
        parts = []
        choice = rng.sample(("id", "type", "country"), rng.randint(1, 2))
        if "id" in choice:
            parts.append(f"id: {pick(ids, 1, 4)}")
        if "type" in choice:
            parts.append(f"type: {pick(types, 1, 2)}")
        if "country" in choice:
            parts.append(f"country: {pick(ecountries, 1, 3)}")
        if rng.random() < 0.35:
            parts.append(f"in: {zone_list()}")
        if rng.random() < 0.4:
            parts.append(f"min_count: {rng.randint(1, 4)}")
        if not in_sp:
            if rng.random() < 0.2:
                parts.append(f"min_distinct: {rng.randint(1, 3)}")
            if rng.random() < 0.35:
                parts.append(f"share: {rng.choice([0.1, 0.15, 0.2, 0.3, 0.5, 1])}")
                if rng.random() < 0.4:
                    parts.append(f"share_of: {pick(types, 1, 2)}")
        return "{entity: {" + ", ".join(parts) + "}}"

    def phrase() -> str:
        op = rng.choice(("phrase", "keyword"))
        if rng.random() < 0.5:
            return f"{{{op}: {phrase_list()}}}"
        parts = [f"any: {phrase_list()}"]
        if rng.random() < 0.6:
            parts.append(f"in: {zone_list()}")
        if rng.random() < 0.5:
            parts.append(f"min_count: {rng.randint(1, 4)}")
        return f"{{{op}: {{" + ", ".join(parts) + "}}"

    def leaf(refs: list[str]) -> str:
        r = rng.random()
        if r < 0.3:
            return entity()
        if r < 0.55:
            return phrase()
        if r < 0.67:
            cs = pick(countries, 1, 3)
            return f"{{country: {{code: {cs}, top: {rng.randint(1, 3)}}}}}" if rng.random() < 0.5 \
                else f"{{country: {cs}}}"
        if r < 0.72:
            return f"{{source: {pick(['ap', 'reuters', 'efe', 'ians', 'afp', 'dpa', 'pti'], 1, 2)}}}"
        if r < 0.76:
            return f"{{language: {pick(['en', 'es', 'fr'], 1, 2)}}}"
        if r < 0.9:
            kids = [entity(True) if rng.random() < 0.6 else phrase() for _ in range(rng.randint(1, 3))]
            body = "[" + ", ".join(kids) + "]"
            return f"{{same_paragraph: {{all: {body}, min: {rng.randint(1, 2)}}}}}" if rng.random() < 0.3 \
                else f"{{same_paragraph: {body}}}"
        if refs:
            return f"{{route: {rng.choice(refs)}}}"
        return entity()

    def expr(depth: int, refs: list[str]) -> str:
        if depth >= 3 or rng.random() < 0.35:
            return leaf(refs)
        r = rng.random()
        kids = [expr(depth + 1, refs) for _ in range(rng.randint(1, 4))]
        body = "[" + ", ".join(kids) + "]"
        if r < 0.35:
            return f"{{all: {body}}}"
        if r < 0.65:
            return f"{{any: {body}}}"
        if r < 0.78:
            return f"{{not: {kids[0]}}}" if rng.random() < 0.5 else f"{{not: {body}}}"
        if r < 0.9:
            return f"{{at_least: {{n: {rng.randint(1, len(kids))}, of: {body}}}}}"
        # several operators in one mapping: implicit all
        return "{" + f"any: {body}, not: {leaf(refs)}" + "}"

    lines = ["routes:"]
    names: list[str] = []
    for i in range(n):
        name = f"r{i:03d}"
        lines.append(f"  {name}:\n    match: {expr(0, names[-10:])}")
        names.append(name)
    return "\n".join(lines) + "\n"


def rule_sets(items: list[dict[str, Any]]) -> dict[str, tuple[str, bool]]:
    """name -> (rule text, vary source/language)."""
    out = {"defaults": (DEFAULT_ROUTES.read_text(encoding="utf-8"), False),
           "bench100": (bench_rules(items, 92), False)}
    for seed in (1, 2, 3):
        out[f"random{seed}"] = (random_rules(items, 40, seed), True)
    return out


# ----------------------------------------------------------------------------- record / compare
def record() -> dict[str, Any]:
    items = load_items()
    golden: dict[str, Any] = {"rule_sets": {}}
    for name, (text, vary) in rule_sets(items).items():
        rules = parse_routes(text, origin=name)
        results = []
        for i, it in enumerate(items):
            res = route(rules, **_kwargs(it, i, vary))
            results.append({"routes": res.routes, "reasons": res.reasons})
        explained = {}
        for i in range(0, len(items), 29):
            explained[str(i)] = explain(rules, **_kwargs(items[i], i, vary))
        golden["rule_sets"][name] = {"text": text, "vary": vary, "results": results, "explain": explained}
    return golden


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    if not GOLDEN.exists():
        pytest.skip("golden file not recorded")
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


NAMES = ("defaults", "bench100", "random1", "random2", "random3")
PATHS = ("python", "native")


def use_path(rules: RuleSet, path: str) -> Any:
    """Compile ``rules`` for one evaluator; returns a ``route``-like function that runs only that one."""
    if path == "python":
        compile_rules(rules, native=False)
        return route_python
    if not route_native.available():
        if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
            pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
        pytest.skip("wirefeed_native is not built: pip install ./native")
    nr = compile_rules(rules, native=True).native
    assert nr is not None

    def native(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
               language: str | None = None) -> Any:
        res = nr.route(headline, body, tags, source, language)
        assert res is not None, "the native evaluator declined a story it should cover"
        return res
    return native


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", NAMES)
def test_routes_and_reasons_equal_the_recorded_ones(name: str, path: str, golden: dict[str, Any],
                                                    items: list[dict[str, Any]]) -> None:
    g = golden["rule_sets"][name]
    rules = parse_routes(g["text"], origin=name)
    run = use_path(rules, path)
    assert len(g["results"]) == len(items)
    matched = 0
    for i, (it, want) in enumerate(zip(items, g["results"], strict=True)):
        for _ in range(2):  # a second call must not see state left by the first
            res = run(rules, **_kwargs(it, i, g["vary"]))
            assert res.routes == want["routes"], (name, i)
            assert res.reasons == want["reasons"], (name, i)
        matched += len(want["routes"])
    assert matched > len(items)  # the rule sets really match things


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", NAMES)
def test_explain_equals_the_recorded_one(name: str, path: str, golden: dict[str, Any],
                                         items: list[dict[str, Any]]) -> None:
    g = golden["rule_sets"][name]
    rules = parse_routes(g["text"], origin=name)
    use_path(rules, path)  # explain() takes its reasons from route(), on the compiled path
    for key, want in g["explain"].items():
        i = int(key)
        assert explain(rules, **_kwargs(items[i], i, g["vary"])) == want, (name, i)


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: test_route_equivalence.py --record   (overwrites the golden file)")
    data = json.dumps(record(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    GOLDEN.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"wrote {GOLDEN} ({len(data)} bytes, {GOLDEN.stat().st_size} compressed)")
