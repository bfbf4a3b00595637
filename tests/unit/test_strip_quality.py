"""Measured quality on the labelled set in tests/data/strip (see its README)."""

from __future__ import annotations

import sys
from pathlib import Path

from streams.pipeline.html_extract import extract_text_plain
from streams.pipeline.rules import load_rules
from streams.pipeline.strip import strip

DATA = Path(__file__).resolve().parents[1] / "data" / "strip"
sys.path.insert(0, str(DATA))
import score  # noqa: E402

RULES = load_rules()


def _run(body: str) -> tuple[str, list[str]]:
    res = strip("", body, RULES)
    return res.body, res.credit


def test_text_set_meets_targets() -> None:
    items = score.load_items()
    assert len(items) >= 150
    s = score.score_text(items, _run)
    print(f"\ntext: items={s.items} story lines={s.story} loss={s.loss:.4f} furniture lines={s.furniture} "
          f"recall={s.recall:.4f} credit exact={s.credit_ok}/{s.items}")
    print("\n".join(s.errors[:20]))
    assert s.loss <= 0.002
    assert s.recall >= 0.98
    assert s.credit_ok / s.items >= 0.95


def test_html_pages_beat_trafilatura_alone() -> None:
    pages = score.load_pages()
    assert len(pages) >= 15
    ours = score.score_pages(pages, lambda h: strip("", "", RULES, body_html=h).body)
    base = score.score_pages(pages, extract_text_plain)
    print(f"\nhtml: pages={ours.items} ours loss={ours.loss:.4f} recall={ours.recall:.4f}; "
          f"trafilatura alone loss={base.loss:.4f} recall={base.recall:.4f}")
    assert ours.loss <= 0.002
    assert ours.recall >= 0.98
    assert ours.recall >= base.recall


def test_outlet_pages_meet_recorded_quality() -> None:
    """176 pages in 22 outlet styles (tests/data/strip/pages_outlets.jsonl). The extraction loses 31 of
    805 story paragraphs there (layout tables, short linked paragraphs, live posts; see docs/strip.md)
    and keeps 144 of 9,709 furniture blocks; these are ceilings, so any regression fails and
    improvements pass. It must also beat trafilatura alone."""
    pages = score.load_pages(DATA / "pages_outlets.jsonl")
    assert len(pages) >= 170 and len({p["style"] for p in pages}) >= 22
    ours = score.score_pages(pages, lambda h: strip("", "", RULES, body_html=h).body)
    base = score.score_pages(pages, extract_text_plain)
    print(f"\noutlets: pages={ours.items} ours lost={ours.story_lost}/{ours.story} "
          f"kept={ours.furniture - ours.furniture_removed}/{ours.furniture} (loss={ours.loss:.4f} "
          f"recall={ours.recall:.4f}); trafilatura alone loss={base.loss:.4f} recall={base.recall:.4f}")
    assert ours.story >= 800 and ours.furniture >= 9000
    assert ours.story_lost <= 31
    assert ours.furniture - ours.furniture_removed <= 144
    assert ours.loss < base.loss and ours.recall > base.recall
