"""Loader and scorer for the hand-labelled tagging set in tests/data/tag/ (see its README)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from streams.pipeline.kb import KnowledgeBase
from streams.pipeline.types import TagResult

DATA = Path(__file__).resolve().parents[1] / "data" / "tag"
_MARK = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]|]+)\]\]")


@dataclass
class Item:
    id: str
    topic: str
    countries: set[str]
    headline: str = ""
    body: str = ""
    gold: list[tuple[str, int, int, str]] = field(default_factory=list)  # field, start, end, id


def _strip(marked: str, fld: str, kb: KnowledgeBase, gold: list[tuple[str, int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        chunk = marked[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        surface, ref = m.group(1), m.group(2).strip()
        if ref.startswith("@"):
            hits = [e.id for e in kb.entities() if e.name == ref[1:]]
            if len(hits) != 1:
                raise ValueError(f"label {ref!r}: {len(hits)} KB entities with that name")
            ref = hits[0]
        gold.append((fld, length, length + len(surface), ref))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out)


def load_items(kb: KnowledgeBase) -> list[Item]:
    items: list[Item] = []
    for path in sorted(DATA.glob("*.txt")):
        cur: Item | None = None
        body_lines: list[str] = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.startswith("#") or not raw.strip():
                continue
            if raw.startswith("=== "):
                if cur is not None:
                    cur.body = _strip("\n".join(body_lines), "body", kb, cur.gold)
                    items.append(cur)
                parts = [p.strip() for p in raw[4:].split("|")]
                cur = Item(parts[0], parts[1], set(parts[2].split()) if len(parts) > 2 else set())
                body_lines = []
            elif raw.startswith("H: ") and cur is not None:
                cur.headline = _strip(raw[3:], "headline", kb, cur.gold)
            elif raw.startswith("B: "):
                body_lines.append(raw[3:])
            else:
                raise ValueError(f"{path.name}: cannot parse line {raw[:60]!r}")
        if cur is not None:
            cur.body = _strip("\n".join(body_lines), "body", kb, cur.gold)
            items.append(cur)
    return items


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    c_tp: int = 0
    c_fp: int = 0
    c_fn: int = 0
    errors: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def c_precision(self) -> float:
        return self._ratio(self.c_tp, self.c_tp + self.c_fp)

    @property
    def c_recall(self) -> float:
        return self._ratio(self.c_tp, self.c_tp + self.c_fn)


def _same(pred_id: str, gold_id: str) -> bool:
    if gold_id == "new":
        return pred_id.startswith("wf:person/")
    return pred_id == gold_id


def score(item: Item, result: TagResult, sc: Scores) -> None:
    pred = [(m.field, m.start, m.end, e.id) for e in result.entities for m in e.mentions]
    gold = list(item.gold)
    text = {"headline": item.headline, "body": item.body}
    matched_gold: set[int] = set()
    for p in pred:
        hit = next(
            (i for i, g in enumerate(gold) if i not in matched_gold and g[:3] == p[:3] and _same(p[3], g[3])),
            None,
        )
        if hit is None:
            sc.fp += 1
            sc.errors.append(f"{item.id} FP {text[p[0]][p[1] : p[2]]!r} -> {p[3]}")
        else:
            matched_gold.add(hit)
            sc.tp += 1
    for i, g in enumerate(gold):
        if i not in matched_gold:
            sc.fn += 1
            sc.errors.append(f"{item.id} FN {text[g[0]][g[1] : g[2]]!r} ({g[3]})")
    got = set(result.countries)
    sc.c_tp += len(got & item.countries)
    sc.c_fp += len(got - item.countries)
    sc.c_fn += len(item.countries - got)
    if got != item.countries:
        sc.errors.append(f"{item.id} COUNTRIES got {sorted(got)} want {sorted(item.countries)}")
