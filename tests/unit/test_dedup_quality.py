"""Measured dedup quality on the labelled set (tests/data/dedup/labelled.jsonl).

Targets (issue 4): duplicate recall >= 97%, false merges <= 0.5%.
A *false merge* is an item that must reach subscribers (labelled unique or
update) but was dropped (verdict duplicate or redelivery).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from streams.pipeline.dedup import DedupConfig, decide, fingerprint
from streams.pipeline.types import RawItem

DATA = Path(__file__).resolve().parents[1] / "data" / "dedup" / "labelled.jsonl"
DROPPED = {"duplicate", "redelivery"}


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def to_item(row: dict[str, Any]) -> RawItem:
    return RawItem(
        id=row["id"],
        version=row["version"],
        source=row["source"],
        headline=row["headline"],
        body=row["body"],
        published=row["published"],
        pubstatus=row["pubstatus"],
        correction=row["correction"],
    )


def evaluate(rows: list[dict[str, Any]], config: DedupConfig | None = None) -> dict[str, Any]:
    config = config or DedupConfig()
    state: dict[str, Any] = {}
    confusion: Counter[tuple[str, str]] = Counter()
    wrong_of: list[str] = []
    misses: list[str] = []
    for row in rows:
        now = datetime.fromisoformat(row["published"].replace("Z", "+00:00")).timestamp()
        v = decide(to_item(row), fingerprint(row["headline"], row["body"]), state, now, config)
        confusion[(row["expect"], v.status)] += 1
        if v.status == row["expect"] and row["of"] and v.of != row["of"]:
            wrong_of.append(f"{row['id']}: of={v.of} expected {row['of']}")
        if v.status != row["expect"]:
            misses.append(f"{row['id']} [{row['kind']}] expected {row['expect']} got {v.status}/{v.reason}")
    dups = sum(n for (e, _), n in confusion.items() if e == "duplicate")
    dup_hit = confusion[("duplicate", "duplicate")]
    keep = sum(n for (e, _), n in confusion.items() if e in ("unique", "update"))
    merged = sum(n for (e, g), n in confusion.items() if e in ("unique", "update") and g in DROPPED)
    return {
        "items": len(rows),
        "duplicate_recall": dup_hit / dups,
        "false_merge_rate": merged / keep,
        "false_merges": merged,
        "accuracy": sum(n for (e, g), n in confusion.items() if e == g) / len(rows),
        "confusion": confusion,
        "wrong_of": wrong_of,
        "misses": misses,
    }


def report(result: dict[str, Any]) -> str:
    labels = ["unique", "duplicate", "update", "redelivery"]
    lines = [
        f"items={result['items']} duplicate recall={result['duplicate_recall']:.4f} "
        f"false merges={result['false_merges']} ({result['false_merge_rate']:.4f}) "
        f"accuracy={result['accuracy']:.4f}",
        "expected \\ got " + " ".join(f"{g:>10}" for g in labels),
    ]
    for e in labels:
        lines.append(f"{e:>14} " + " ".join(f"{result['confusion'][(e, g)]:>10}" for g in labels))
    lines += result["misses"] + result["wrong_of"]
    return "\n".join(lines)


def test_labelled_set_is_large_and_varied() -> None:
    rows = load()
    assert len(rows) >= 300
    kinds = Counter(r["kind"].split(":")[0].split("+")[0] for r in rows)
    for kind in (
        "original",
        "copy",
        "redelivery",
        "correction-new-id",
        "version",
        "kill",
        "templated-market",
        "same-event",
        "shared-quote",
    ):
        assert kinds[kind] > 0, kind
    assert len({r["source"] for r in rows if r["kind"] == "original"}) >= 8


def test_quality_targets() -> None:
    result = evaluate(load())
    print(report(result))
    assert result["duplicate_recall"] >= 0.97
    assert result["false_merge_rate"] <= 0.005
    assert not result["wrong_of"]
