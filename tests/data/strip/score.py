"""Score strip() on the labelled set. Used by tests/unit/test_strip_quality.py, bench/bench_strip.py and
bench/bench_html.py.

Run directly for a per-line error listing: .venv/bin/python tests/data/strip/score.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Item:
    id: str
    outlet: str
    credit: list[str]
    lines: list[tuple[str, str]]  # (label, text); label S, F or "."

    @property
    def body(self) -> str:
        return "\n".join(text for _, text in self.lines)


@dataclass
class Score:
    story: int = 0
    story_lost: int = 0
    furniture: int = 0
    furniture_removed: int = 0
    credit_ok: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def loss(self) -> float:
        return self.story_lost / max(1, self.story)

    @property
    def recall(self) -> float:
        return self.furniture_removed / max(1, self.furniture)


def load_items(path: Path = HERE / "items.txt") -> list[Item]:
    items: list[Item] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("### "):
            meta = dict(part.split("=", 1) for part in raw[4:].split())
            credit = [c for c in meta.get("credit", "").split(",") if c]
            items.append(Item(meta["id"], meta["outlet"], credit, []))
        elif raw == ".":
            items[-1].lines.append((".", ""))
        else:
            items[-1].lines.append((raw[0], raw[2:]))
    return items


def load_pages(path: Path = HERE / "pages.jsonl") -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def score_text(items: list[Item], run: Callable[[str], tuple[str, list[str]]]) -> Score:
    """``run(body) -> (cleaned body, credit)``; a line counts as kept when it is still in the output."""
    s = Score()
    for item in items:
        out, credit = run(item.body)
        kept: dict[str, int] = {}
        for ln in out.split("\n"):
            kept[ln] = kept.get(ln, 0) + 1
        for label, text in item.lines:
            if label == ".":
                continue
            present = kept.get(text, 0) > 0
            if present:
                kept[text] -= 1
            if label == "S":
                s.story += 1
                if not present:
                    s.story_lost += 1
                    s.errors.append(f"{item.id} LOST story: {text[:100]}")
            else:
                s.furniture += 1
                if not present:
                    s.furniture_removed += 1
                else:
                    s.errors.append(f"{item.id} KEPT furniture ({item.outlet}): {text[:100]}")
        s.items += 1
        if credit == item.credit:
            s.credit_ok += 1
        else:
            s.errors.append(f"{item.id} CREDIT {credit} != {item.credit}")
    return s


def _norm(text: str) -> str:
    return " ".join(text.split())


def score_pages(pages: list[dict], extract: Callable[[str], str]) -> Score:
    """Story paragraphs must appear as output lines; a furniture block leaks when it appears as a line
    (or, for blocks of 20+ characters, inside a line)."""
    s = Score()
    for page in pages:
        out_lines = [_norm(ln) for ln in extract(page["html"]).split("\n") if ln.strip()]
        out_set = set(out_lines)
        for para in page["story"]:
            s.story += 1
            if _norm(para) not in out_set:
                s.story_lost += 1
                s.errors.append(f"{page['id']} LOST story: {para[:90]}")
        for block in page["furniture"]:
            b = _norm(block)
            s.furniture += 1
            leaked = b in out_set or (len(b) >= 20 and any(b in ln for ln in out_lines))
            if leaked:
                s.errors.append(f"{page['id']} ({page['style']}) KEPT furniture: {b[:90]}")
            else:
                s.furniture_removed += 1
        s.items += 1
    return s


def main() -> None:
    sys.path.insert(0, str(HERE.parents[2]))
    from streams.pipeline.html_extract import extract_text_plain
    from streams.pipeline.rules import load_rules
    from streams.pipeline.strip import strip

    rules = load_rules()

    def run(body: str) -> tuple[str, list[str]]:
        r = strip("", body, rules)
        return r.body, r.credit

    t = score_text(load_items(), run)
    print("\n".join(t.errors))
    print(f"TEXT items={t.items} story={t.story} loss={t.loss:.4f} furniture={t.furniture} "
          f"recall={t.recall:.4f} credit={t.credit_ok}/{t.items}")
    ours = score_pages(load_pages(), lambda h: strip("", "", rules, body_html=h).body)
    base = score_pages(load_pages(), extract_text_plain)
    print("\n".join(ours.errors))
    print(f"HTML ours loss={ours.loss:.4f} recall={ours.recall:.4f} | trafilatura alone "
          f"loss={base.loss:.4f} recall={base.recall:.4f}")
    outlets = load_pages(HERE / "pages_outlets.jsonl")
    ours = score_pages(outlets, lambda h: strip("", "", rules, body_html=h).body)
    base = score_pages(outlets, extract_text_plain)
    print("\n".join(ours.errors))
    print(f"OUTLET PAGES ({ours.items}) ours loss={ours.loss:.4f} ({ours.story_lost}/{ours.story}) "
          f"recall={ours.recall:.4f} ({ours.furniture - ours.furniture_removed} of {ours.furniture} kept) | "
          f"trafilatura alone loss={base.loss:.4f} recall={base.recall:.4f}")


if __name__ == "__main__":
    main()
