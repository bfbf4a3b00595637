"""Routing speed: microseconds per item with 100 routes (the defaults plus synthetic ones).

Synthetic routes mimic editor-written ones: entity-id lists, entity-country salience, story
countries, keyword lists (with prefixes and headline/lead zones), same_paragraph clauses and
negations, drawn with a fixed seed from the ids, countries and vocabulary of the labelled set,
so many of them are real candidates for the benchmark stories. Items are the labelled set.

Run: .venv/bin/python bench/bench_route.py   (writes bench/results/route.json)
"""

from __future__ import annotations

import json
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.pipeline.route import route  # noqa: E402
from streams.pipeline.route_lang import DEFAULT_ROUTES, parse_routes  # noqa: E402
from streams.pipeline.types import Entity, Mention, TagResult  # noqa: E402

ITEMS = ROOT / "tests" / "data" / "route" / "items.jsonl"
OUT = ROOT / "bench" / "results" / "route.json"
TARGET_US = 20.0
N_ROUTES = 100


def load_items() -> list[dict]:
    items = []
    for line in ITEMS.read_text(encoding="utf-8").splitlines():
        it = json.loads(line)
        ents = [Entity(e["id"], e["name"], e["type"], e["country"], e["count"],
                       [Mention(**m) for m in e["mentions"]]) for e in it["entities"]]
        tags = TagResult(ents, it["countries"])
        items.append({"headline": it["headline"], "body": it["body"], "tags": tags,
                      "source": it["source"], "language": it["language"]})
    return items


def synthetic_rules(items: list[dict], n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    ids = sorted({e.id for it in items for e in it["tags"].entities})
    countries = sorted({c for it in items for c in it["tags"].countries})
    words = sorted({w for it in items for w in re.findall(r"[a-z]{5,}", it["body"].lower())})
    ids += [f"Q{rng.randint(100, 9_999_999)}" for _ in range(400)]  # ids the stories never mention
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


def run(rules, items: list[dict], rounds: int) -> tuple[list[float], list[float]]:
    """Per-item latencies, and the mean of each round (the best round is least disturbed by
    other processes on a shared machine)."""
    per_item: list[float] = []
    round_means: list[float] = []
    for _ in range(rounds):
        start = len(per_item)
        for it in items:
            t = time.perf_counter_ns()
            route(rules, **it)
            per_item.append((time.perf_counter_ns() - t) / 1000)
        round_means.append(statistics.fmean(per_item[start:]))
    return per_item, round_means


def main() -> None:
    items = load_items()
    default_rules = parse_routes(DEFAULT_ROUTES.read_text(encoding="utf-8"), origin="routes.yaml")
    n_syn = N_ROUTES - len(default_rules.routes)
    t = time.perf_counter()
    big = parse_routes(synthetic_rules(items, n_syn), origin="bench")
    parse_ms = (time.perf_counter() - t) * 1000
    assert len(big.routes) == N_ROUTES
    matched = sum(len(route(big, **it).routes) for it in items)
    results = {}
    for label, rules in (("defaults", default_rules), (f"{N_ROUTES} routes", big)):
        run(rules, items, 1)  # warm-up
        lat, round_means = run(rules, items, 8)
        lat.sort()
        results[label] = {
            "routes": len(rules.routes),
            "mean_us": round(statistics.fmean(lat), 2),
            "best_round_mean_us": round(min(round_means), 2),
            "p50_us": round(lat[len(lat) // 2], 2),
            "p99_us": round(lat[int(len(lat) * 0.99)], 2),
        }
    avg_chars = statistics.fmean(len(it["headline"]) + len(it["body"]) for it in items)
    print(f"items: {len(items)} (avg {avg_chars:.0f} chars), "
          f"parse+compile {N_ROUTES} routes: {parse_ms:.1f} ms, "
          f"routes matched per item with {N_ROUTES} routes: {matched / len(items):.2f}")
    print(f"{'rule set':<12} {'routes':>6} {'mean µs':>9} {'p50 µs':>8} {'p99 µs':>8} {'best round µs':>14}")
    for label, r in results.items():
        print(f"{label:<12} {r['routes']:>6} {r['mean_us']:>9} {r['p50_us']:>8} {r['p99_us']:>8} "
              f"{r['best_round_mean_us']:>14}")
    ok = results[f"{N_ROUTES} routes"]["mean_us"] <= TARGET_US
    print(f"target <= {TARGET_US} µs/item (mean) with {N_ROUTES} routes: {'PASS' if ok else 'FAIL'}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "stage": "route", "items": len(items), "avg_chars": round(avg_chars), "parse_ms": round(parse_ms, 1),
        "matched_per_item": round(matched / len(items), 2), "results": results, "target_us": TARGET_US,
        "pass": ok, "python": platform.python_version(), "machine": platform.machine(),
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
