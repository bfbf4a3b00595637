"""Measured routing quality of the default routes on the labelled set (tests/data/route/items.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.pipeline.route import route
from streams.pipeline.route_lang import load_routes
from streams.pipeline.types import Entity, Mention, TagResult

ITEMS = Path(__file__).resolve().parents[1] / "data" / "route" / "items.jsonl"
TARGETS = {"syria": (0.95, 0.90), "russia-us": (0.95, 0.90)}
HARD_NEGATIVES = ("neg-syria-in-list", "neg-refugees-germany", "neg-ru-us-companies", "neg-russia-china",
                  "neg-us-quoting-russian")


def _items() -> list[dict]:
    return [json.loads(line) for line in ITEMS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tags(it: dict) -> TagResult:
    ents = [Entity(e["id"], e["name"], e["type"], e["country"], e["count"],
                   [Mention(**m) for m in e["mentions"]]) for e in it["entities"]]
    return TagResult(ents, it["countries"])


def measure() -> dict[str, dict[str, float]]:
    rules = load_routes()
    counts = {name: {"tp": 0, "fp": 0, "fn": 0} for name in rules.names}
    for it in _items():
        got = set(route(rules, headline=it["headline"], body=it["body"], tags=_tags(it), source=it["source"],
                        language=it["language"]).routes)
        for name in rules.names:
            want = name in it["routes"]
            if name in got and want:
                counts[name]["tp"] += 1
            elif name in got:
                counts[name]["fp"] += 1
            elif want:
                counts[name]["fn"] += 1
    out = {}
    for name, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        out[name] = {"precision": p, "recall": r, **c}
    return out


def test_labelled_set_is_big_and_has_the_hard_negatives() -> None:
    items = _items()
    assert len(items) >= 200
    families = {it["family"] for it in items}
    assert set(HARD_NEGATIVES) <= families
    assert len({it["source"] for it in items}) >= 8
    assert len({it["id"] for it in items}) == len(items)


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    s = measure()
    print("\nroute         precision  recall   tp  fp  fn")
    for name, v in s.items():
        p, r = v["precision"], v["recall"]
        print(f"{name:12s}  {p:9.3f}  {r:6.3f}  {v['tp']:3d} {v['fp']:3d} {v['fn']:3d}")
    return s


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_quality_targets(name: str, scores: dict[str, dict[str, float]]) -> None:
    p_min, r_min = TARGETS[name]
    assert scores[name]["precision"] >= p_min, scores[name]
    assert scores[name]["recall"] >= r_min, scores[name]


def test_hard_negatives_stay_off_syria_and_russia_us() -> None:
    rules = load_routes()
    for it in _items():
        if it["family"] in HARD_NEGATIVES:
            got = route(rules, headline=it["headline"], body=it["body"], tags=_tags(it), source=it["source"],
                        language=it["language"]).routes
            assert "syria" not in got and "russia-us" not in got, it["id"]


if __name__ == "__main__":
    for k, v in measure().items():
        print(k, v)
