"""Measured quality of the tagger on the hand-labelled set (tests/data/tag)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_tag_labelled_set import Scores, load_items, score

from streams.pipeline.kb import load_kb
from streams.pipeline.tag import tag


@pytest.fixture(scope="module")
def scores() -> Scores:
    kb = load_kb()
    items = load_items(kb)
    assert len(items) >= 200
    topics = {it.topic for it in items}
    assert {"politics", "conflict", "economy", "business", "sport"} <= topics
    sc = Scores()
    discovered: dict[str, object] = {}
    for it in items:
        score(it, tag(it.headline, it.body, kb, discovered=discovered), sc)
    print(
        f"\nmentions: P={sc.precision:.3f} R={sc.recall:.3f} (tp={sc.tp} fp={sc.fp} fn={sc.fn})"
        f"\nstory countries: P={sc.c_precision:.3f} R={sc.c_recall:.3f}"
    )
    return sc


def test_mention_precision(scores: Scores) -> None:
    assert scores.precision >= 0.95, "\n".join(e for e in scores.errors if " FP " in e)


def test_mention_recall(scores: Scores) -> None:
    assert scores.recall >= 0.90, "\n".join(e for e in scores.errors if " FN " in e)


def test_country_precision(scores: Scores) -> None:
    assert scores.c_precision >= 0.90, "\n".join(e for e in scores.errors if "COUNTRIES" in e)


def test_country_recall(scores: Scores) -> None:
    assert scores.c_recall >= 0.90, "\n".join(e for e in scores.errors if "COUNTRIES" in e)
