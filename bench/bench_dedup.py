"""Dedup benchmark: speed at 10k and 1M tracked stories, state size, writes, method comparison.

Run: .venv/bin/python bench/bench_dedup.py [--big 1000000] [--items 30000]
Prints a table and writes bench/results/dedup.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import UserDict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.pipeline import dedup  # noqa: E402
from streams.pipeline.dedup import (  # noqa: E402
    DedupConfig,
    Fingerprint,
    decide,
    fingerprint,
    shard_key,
    state_size,
)
from streams.pipeline.dedup_simhash import hamming, simhash64  # noqa: E402
from streams.pipeline.types import RawItem  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "unit"))
from test_dedup_quality import evaluate, load, to_item  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "dedup.json"
SEED = ROOT.parent / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"


def synthetic_stream(n: int, rng: random.Random) -> list[tuple[RawItem, float]]:
    """Wire-like stories from the labelled set's sentences, each made distinct; ~30% outlet copies.

    One sentence in ten is left as in the pool, so some boilerplate is shared
    across stories and the candidate scoring path is exercised.
    """
    rows = load()
    sentences = sorted(
        {s.strip() + "." for r in rows for s in r["body"].replace("\n", " ").split(". ") if len(s) > 40}
    )
    vocab = sorted({w for s in sentences for w in s.split() if w.isalpha() and len(w) > 3})
    out: list[tuple[RawItem, float]] = []
    bodies: list[str] = []
    t = 1_700_000_000.0
    for i in range(n):
        t += 0.05
        if bodies and rng.random() < 0.3:
            src = rng.choice(bodies[-2000:])
            paras = src.split("\n")
            body = "\n".join(["Updated: 04 Mar 2024, 10:15 AM IST", *paras[: max(2, len(paras) - 1)]])
        else:
            paras = []
            for _ in range(rng.randint(3, 7)):
                s = rng.choice(sentences)
                if rng.random() < 0.9:  # distinct stories rarely share a sentence: make it this story's own
                    words = s.split()
                    j = rng.randrange(1, len(words))
                    words[j:j] = [rng.choice(vocab), str(rng.randint(2, 999))]
                    s = " ".join(words)
                paras.append(s)
            body = "\n".join(paras)
            bodies.append(body)
        out.append(
            (
                RawItem(
                    id=f"b{i}", version=1, source="bench", headline="Headline", body=body, published=None
                ),
                t,
            )
        )
    return out


def fill(state: dict[str, Any], n: int, rng: random.Random, now: float, cfg: DedupConfig) -> None:
    """n synthetic originals with realistic record shapes (8-20 sentences, some with figures)."""
    getrandbits = rng.getrandbits
    for i in range(n):
        k = rng.randint(8, 20)
        chunks = tuple(sorted(getrandbits(32) for _ in range(k)))
        facts = tuple(getrandbits(32) if rng.random() < 0.4 else 0 for _ in range(k))
        fp = Fingerprint(exact=f"{getrandbits(64):016x}", chunks=chunks, facts=facts, length=900)
        item = RawItem(id=f"s{i}", version=1, source="fill", headline="", body="", published=None)
        dedup._new_original(item, fp, state, now - 3600, cfg, False)


class CountingDict(UserDict):  # type: ignore[type-arg]
    writes = 0
    deletes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        CountingDict.writes += 1
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        CountingDict.deletes += 1
        del self.data[key]


def run(state: dict[str, Any], stream: list[tuple[RawItem, float]], cfg: DedupConfig) -> float:
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    for item, now in stream:
        decide(item, fingerprint(item.headline, item.body), state, now, cfg)
    dt = time.perf_counter() - t0
    gc.enable()
    return dt


def state_bytes(state: dict[str, Any]) -> tuple[int, int]:
    total = sum(len(k.encode()) + len(json.dumps(v, separators=(",", ":"))) for k, v in state.items())
    return total, state_size(state)


def simhash_quality(rows: list[dict[str, Any]], max_distance: int) -> dict[str, float]:
    """Same protocol as the labelled test, with SimHash nearest-neighbour in place of sentence matching."""
    seen: dict[str, tuple[int, int]] = {}
    originals: list[tuple[str, int]] = []
    dup_total = dup_hit = keep_total = merged = 0
    for row in rows:
        h = simhash64(row["body"] or row["headline"])
        known = seen.get(row["id"])
        if known is not None and known[0] >= row["version"]:
            status = "redelivery"
        elif known is not None or row["pubstatus"] == "canceled":
            status = "update"
        else:
            near = min(((hamming(h, o), oid) for oid, o in originals), default=(99, ""))
            status = "duplicate" if near[0] <= max_distance and not row["correction"] else "unique"
            if status == "unique":
                originals.append((row["id"], h))
        seen[row["id"]] = (row["version"], h)
        if row["expect"] == "duplicate":
            dup_total += 1
            dup_hit += status == "duplicate"
        elif row["expect"] in ("unique", "update"):
            keep_total += 1
            merged += status in ("duplicate", "redelivery")
    return {"duplicate_recall": dup_hit / dup_total, "false_merge_rate": merged / keep_total}


def sharded_quality(rows: list[dict[str, Any]], shards: int) -> dict[str, float]:
    """The labelled set with one state per shard key, as P partitions would hold it."""
    states: dict[str, dict[str, Any]] = {}
    dup_total = dup_hit = keep_total = merged = 0
    for row in rows:
        it = to_item(row)
        fp = fingerprint(it.headline, it.body)
        state = states.setdefault(shard_key(fp, it.id, shards=shards), {})
        status = decide(it, fp, state, 0.0, DedupConfig()).status
        if row["expect"] == "duplicate":
            dup_total += 1
            dup_hit += status == "duplicate"
        elif row["expect"] in ("unique", "update"):
            keep_total += 1
            merged += status in ("duplicate", "redelivery")
    return {"duplicate_recall": dup_hit / dup_total, "false_merge_rate": merged / keep_total}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=30_000)
    args = ap.parse_args()
    rng = random.Random(7)
    cfg = DedupConfig()
    res: dict[str, Any] = {}

    stream = synthetic_stream(args.items, rng)
    avg_len = sum(len(i.body) for i, _ in stream) / len(stream)
    now0 = stream[0][1]

    # Fingerprint alone, typical item and the 2.4 kB seed story.
    t0 = time.perf_counter()
    for item, _ in stream:
        fingerprint(item.headline, item.body)
    res["fingerprint_us"] = (time.perf_counter() - t0) / len(stream) * 1e6
    if SEED.exists():
        seed = SEED.read_text(encoding="utf-8").split("--IANS/EFE")[0]
        t0 = time.perf_counter()
        for _ in range(5000):
            fingerprint("", seed)
        res["fingerprint_seed_us"] = (time.perf_counter() - t0) / 5000 * 1e6
        res["seed_chars"] = len(seed)

    for label, n in (("10k", 10_000), ("1M", args.big)):
        state: dict[str, Any] = {}
        fill(state, n, rng, now0, cfg)
        # Consecutive batches of the same stream; the best batch is the least disturbed by the
        # other processes sharing this 2-core machine. All batch times are kept in the JSON.
        size = len(stream) // 3
        times = [run(state, stream[i * size : (i + 1) * size], cfg) / size * 1e6 for i in range(3)]
        res[f"batch_us_{label}"] = [round(t, 2) for t in times]
        res[f"us_per_item_{label}"] = min(times)
        res[f"items_per_s_{label}"] = 1e6 / min(times)
        res[f"tracked_{label}"] = state_size(state)
        del state
        gc.collect()
    res["cost_ratio_1M_vs_10k"] = res["us_per_item_1M"] / res["us_per_item_10k"]

    # State bytes and writes per item, measured on the real stream (not the synthetic fill).
    counting = CountingDict()
    CountingDict.writes = 0
    statuses: dict[str, int] = {}
    for item, now in stream[:10_000]:
        v = decide(item, fingerprint(item.headline, item.body), counting, now, cfg)
        statuses[v.status] = statuses.get(v.status, 0) + 1
    res["writes_per_item"] = CountingDict.writes / 10_000
    res["stream_mix"] = statuses
    total, tracked = state_bytes(counting.data)
    res["state_bytes_per_tracked_item"] = total / tracked
    res["avg_body_chars"] = avg_len

    # Method comparison on the labelled set.
    rows = load()
    q = evaluate(rows)
    res["sentence_minhash"] = {
        "duplicate_recall": q["duplicate_recall"],
        "false_merge_rate": q["false_merge_rate"],
    }
    for d in (3, 6, 10):
        res[f"simhash_d{d}"] = simhash_quality(rows, d)
    for shards in (2, 4, 8):
        res[f"sharded_{shards}"] = sharded_quality(rows, shards)
    t0 = time.perf_counter()
    for item, _ in stream[:2000]:
        simhash64(item.body)
    res["simhash_us"] = (time.perf_counter() - t0) / 2000 * 1e6

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=2, default=str) + "\n")
    print(f"{'metric':<36}value")
    for k, v in res.items():
        print(f"{k:<36}{v:.3f}" if isinstance(v, float) else f"{k:<36}{v}")


if __name__ == "__main__":
    main()
