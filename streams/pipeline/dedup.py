"""Deduplication stage: one verdict per item, every correction and update kept.

Pure functions over an explicit ``MutableMapping`` state (a Faust table on
RocksDB in the worker, a dict offline). See docs/dedup.md for the rules, the
state layout, the sharding design and measured quality/speed.

State keys (values are small JSON):

``i:<id>``   item record: ``v`` version, ``t`` first-seen time, ``s`` kind
             (``u`` original, ``p`` update under a new id, ``d`` dropped
             duplicate, ``k`` kill of an unknown id), ``o`` original it belongs
             to, ``x`` exact hashes it owns, ``k`` killed; originals also keep
             ``c`` sentence hashes, ``a`` indexed anchors, ``p`` published time
             and ``g`` figure versions ``[[id, [sentence..], [figures..]], ..]``
``h:<hash>`` first id seen with that exact normalised content
``a:<n>``    ids of originals having sentence hash n among their bottom-k anchors
``r:<id>``   routes an accepted item went to (set by :func:`remember_routes`)
``q:<n>``    arrival log (FIFO of ids), ``m:q`` = ``[head, tail]`` of that log:
             expiry pops from the head, so it never scans the table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import Any
from zlib import crc32

from streams.pipeline.dedup_fingerprint import Fingerprint, fingerprint
from streams.pipeline.dedup_index import IndexedState
from streams.pipeline.native_ext import switched_off, wirefeed_native
from streams.pipeline.types import RawItem, Verdict

__all__ = [
    "DedupConfig",
    "Fingerprint",
    "decide",
    "expire",
    "fingerprint",
    "remember_outcome",
    "remember_routes",
    "replayed_verdict",
    "routes_of",
    "shard_key",
    "state_size",
]

# compiled candidate search (native/src/dedup.rs); None when the extension is not built
_native_candidates = getattr(wirefeed_native, "dedup_candidates", None)
_META = "m:q"
_COUNT = itemgetter(1)
MAX_MEMOS = 8  # replay memos kept per item id (see remember_outcome)


@dataclass(slots=True, frozen=True)
class DedupConfig:
    """Tunables; defaults are the values measured in docs/dedup.md."""

    horizon_s: float = 72 * 3600  # stories older than this are forgotten
    near_threshold: float = 0.6  # shared sentences / sentences of the shorter text
    min_jaccard: float = 0.3  # shared sentences / all sentences: stops a brief matching a long story
    update_threshold: float = 0.8  # containment for "same story, figures changed" (near-identical text)
    anchors: int = 4  # bottom-k sentence hashes an original is indexed under (writes per item)
    max_candidates: int = 16  # originals scored per item, most shared anchors first
    max_ids_per_anchor: int = 8  # newest ids kept per anchor key (bounds hot boilerplate sentences)
    update_window_s: float = 12 * 3600  # figures changed within this of the original -> update
    max_changed_fraction: float = 0.5  # ...and at most this share of its figure sentences changed
    max_versions: int = 4  # figure versions kept per original
    # compiled candidate search when built (same results); the worker passes Settings.native,
    # library use reads WIREFEED_NATIVE when the config is made
    native: bool = field(default_factory=lambda: not switched_off())

    def __post_init__(self) -> None:
        checks = {
            "horizon_s": self.horizon_s > 0,
            "near_threshold": 0 < self.near_threshold <= 1,
            "min_jaccard": 0 <= self.min_jaccard <= 1,
            "update_threshold": 0 < self.update_threshold <= 1,
            "anchors": self.anchors >= 1,
            "max_candidates": self.max_candidates >= 1,
            "max_ids_per_anchor": self.max_ids_per_anchor >= 1,
            "update_window_s": self.update_window_s >= 0,
            "max_changed_fraction": 0 <= self.max_changed_fraction <= 1,
            "max_versions": self.max_versions >= 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"DedupConfig: invalid {', '.join(bad)}")


def shard_key(fp: Fingerprint, item_id: str, *, shards: int) -> str:
    """Message key for ``wire.dedup``.

    With one shard (the default) every item shares one key, so one partition
    and one table hold all the state and every copy, update and kill meets its
    original. With more shards the key is the story's minimum sentence hash
    (MinHash, one permutation): exact copies always agree, near copies agree
    with probability about their Jaccard similarity, and a kill or rewritten
    version of an id may land elsewhere — the recall trade-off measured in
    docs/dedup.md. Items without sentences fall back to the id.
    """
    if shards < 1:
        raise ValueError("shards must be >= 1")
    if shards == 1:
        return "dedup"
    basis = fp.chunks[0] if fp.chunks else crc32(item_id.encode("utf-8"))
    return f"dedup-{basis % shards}"


def remember_routes(state: MutableMapping[str, Any], item_id: str, routes: Sequence[str]) -> None:
    """Record where an accepted item went, so its updates and kills can follow it."""
    if routes and ("i:" + item_id) in state:
        state["r:" + item_id] = list(routes)


def remember_outcome(state: MutableMapping[str, Any], item_id: str, origin: str, verdict: Verdict) -> None:
    """Note which input message produced ``item_id``'s verdict.

    Under at-least-once delivery a worker that crashes after publishing but
    before committing reads the same message again. Its id and version are then
    known, so :func:`decide` says ``redelivery``; :func:`replayed_verdict` lets the
    shell tell that replay (same origin: publish again, idempotently) from a real
    re-send (another origin: drop). Kept in the item record, so it expires with it.
    """
    rec = state.get("i:" + item_id)
    if rec is not None:
        memos = [m for m in rec.get("w") or () if m[0] != origin]
        memos.append([origin, verdict.status, verdict.of, verdict.similarity, verdict.reason])
        # one per input message of this id (a version, its correction, its kill…), newest kept
        rec["w"] = memos[-MAX_MEMOS:]
        state["i:" + item_id] = rec


def replayed_verdict(state: Mapping[str, Any], item_id: str, origin: str) -> Verdict | None:
    """The verdict first given to this very input message, if it is being replayed."""
    rec = state.get("i:" + item_id)
    for memo in (rec.get("w") or ()) if rec else ():
        if memo[0] == origin:
            return Verdict(memo[1], of=memo[2], similarity=memo[3], reason=memo[4])
    return None


def routes_of(state: Mapping[str, Any], item_id: str) -> list[str]:
    return list(state.get("r:" + item_id) or [])


def state_size(state: Mapping[str, Any]) -> int:
    """Tracked items (originals, updates and dropped copies) — O(1)."""
    meta = state.get(_META)
    return int(meta[1] - meta[0]) if meta else 0


def _ts(published: str | None) -> float | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _track(state: MutableMapping[str, Any], item_id: str, rec: dict[str, Any]) -> None:
    """Store a new item record and append it to the arrival log."""
    state["i:" + item_id] = rec
    meta = state.get(_META) or [0, 0]
    state[f"q:{meta[1]}"] = item_id
    state[_META] = [meta[0], meta[1] + 1]


def _figure_version(vid: str, fp: Fingerprint) -> list[Any]:
    chunks, facts = fp.chunks, fp.facts
    if len(chunks) != len(facts):
        list(zip(chunks, facts, strict=True))  # raises the error the pairing always gave
    return [vid, list(compress(chunks, facts)), list(filter(None, facts))]


def _changed(fp: Fingerprint, shared: set[int], version: list[Any]) -> tuple[int, int]:
    """(sentences whose figures changed, shared sentences carrying figures) against one version."""
    theirs = dict(zip(version[1], version[2], strict=True))
    mine = dict(zip(fp.chunks, fp.facts, strict=True))
    changed = with_figures = 0
    for c in shared:
        a, b = mine.get(c, 0), theirs.get(c, 0)
        if a or b:
            with_figures += 1
            changed += a != b
    return changed, with_figures


def _add_version(
    state: MutableMapping[str, Any], root: str, vid: str, fp: Fingerprint, cfg: DedupConfig
) -> None:
    rec = state.get("i:" + root)
    if rec is None or rec.get("s") != "u":
        return
    versions = [v for v in rec["g"] if v[0] != vid or v is rec["g"][0]]
    versions.append(_figure_version(vid, fp))
    if len(versions) > cfg.max_versions:  # keep the original's own figures and the newest ones
        versions = (
            [versions[0], *versions[-(cfg.max_versions - 1) :]] if cfg.max_versions > 1 else versions[-1:]
        )
    rec["g"] = versions
    state["i:" + root] = rec


def _index(state: MutableMapping[str, Any], item_id: str, anchors: Sequence[int], cfg: DedupConfig) -> None:
    cap = cfg.max_ids_per_anchor
    for a in anchors:
        key = f"a:{a}"
        ids = state.get(key)
        if ids is None:
            state[key] = [item_id]
        elif item_id not in ids:
            ids.append(item_id)
            state[key] = ids if len(ids) <= cap else ids[-cap:]


def _new_original(
    item: RawItem,
    fp: Fingerprint,
    state: MutableMapping[str, Any],
    now: float,
    cfg: DedupConfig,
    known: bool,
    published: float,
) -> None:
    anchors = list(fp.anchors(cfg.anchors))
    rec = {
        "v": item.version,
        "t": now,
        "s": "u",
        "x": [fp.exact],
        "c": list(fp.chunks),
        "a": anchors,
        "p": published,
        "g": [_figure_version(item.id, fp)],
    }
    if known:
        state["i:" + item.id] = rec
    else:
        _track(state, item.id, rec)
    state["h:" + fp.exact] = item.id
    _index(state, item.id, anchors, cfg)


def _follower(
    item: RawItem, fp: Fingerprint, state: MutableMapping[str, Any], now: float, kind: str, of: str
) -> None:
    """Record an item that belongs to another (a dropped copy or an update under its own id)."""
    rec: dict[str, Any] = {"v": item.version, "t": now, "s": kind, "o": of}
    if kind == "p":
        rec["x"] = [fp.exact]
        state["h:" + fp.exact] = item.id
    key = "i:" + item.id
    old = state.get(key)
    if old is None:
        _track(state, item.id, rec)
    else:
        rec["t"] = old["t"]
        state[key] = rec


def _known_id(
    item: RawItem, fp: Fingerprint, rec: dict[str, Any], state: MutableMapping[str, Any], cfg: DedupConfig
) -> Verdict | None:
    """Verdict for an id seen before, or None to run content matching (new version of a dropped copy)."""
    kill = item.pubstatus == "canceled"
    new_kill = kill and not rec.get("k")
    new_correction = item.correction and fp.exact not in rec.get("x", ())
    if item.version < rec["v"] or (item.version == rec["v"] and not new_kill and not new_correction):
        return Verdict("redelivery", of=item.id, similarity=1.0, reason="redelivery")
    kind = rec["s"]
    if kind == "d" and not kill:
        return None
    rec["v"] = max(item.version, rec["v"])
    if kill:
        rec["k"] = 1
        state["i:" + item.id] = rec
        return Verdict("update", of=item.id, similarity=None, reason="kill")
    root = rec["o"] if kind == "p" else item.id
    if fp.exact not in rec.get("x", []):
        rec.setdefault("x", []).append(fp.exact)
        state["h:" + fp.exact] = item.id
    if kind == "u":
        new_anchors = [a for a in fp.anchors(cfg.anchors) if a not in rec["a"]]
        rec["a"].extend(new_anchors)
        rec["c"] = list(fp.chunks)
        state["i:" + item.id] = rec
        _index(state, item.id, new_anchors, cfg)
    else:
        state["i:" + item.id] = rec
    _add_version(state, root, item.id, fp, cfg)
    return Verdict("update", of=root, similarity=None, reason="correction" if item.correction else "version")


Candidate = tuple[float, float, str, dict[str, Any], set[int]]  # containment, jaccard, id, record, shared


def _candidates(fp: Fingerprint, state: Mapping[str, Any], item_id: str, cfg: DedupConfig) -> list[Candidate]:
    """Originals sharing enough sentences with ``fp``, most similar first.

    Most of decide's time: every sentence hash is looked up and up to ``max_candidates``
    originals scored. The compiled searches give the same list: over an ``IndexedState``
    from its index (dedup_index.py), over any other state from the same reads. Both decline
    (None) any value shape they do not handle, and Python answers.
    """
    if cfg.native:
        found: list[Candidate] | None = None
        if isinstance(state, IndexedState):
            found = state.index.candidates(
                fp.chunks, state.get, item_id, cfg.max_candidates, cfg.near_threshold, cfg.min_jaccard
            )
        elif _native_candidates is not None:
            found = _native_candidates(
                fp.chunks, state, item_id, cfg.max_candidates, cfg.near_threshold, cfg.min_jaccard
            )
        if found is not None:
            return found
    return _candidates_python(fp, state, item_id, cfg)


def _candidates_python(
    fp: Fingerprint, state: Mapping[str, Any], item_id: str, cfg: DedupConfig
) -> list[Candidate]:
    """The specification of :func:`_candidates`."""
    get = state.get
    pooled: list[str] = []
    for c in fp.chunks:
        ids = get(f"a:{c}")
        if ids:
            pooled += ids
    if not pooled:
        return []
    ordered = dict.fromkeys(pooled)  # first-come order, built in C
    ordered.pop(item_id, None)
    if len(ordered) > cfg.max_candidates:  # hot sentences; score the most-shared first
        # = Counter.most_common(n) (heapq.nlargest, documented equal to this stable sort), sorted in C
        top = sorted(Counter(pooled).items(), key=_COUNT, reverse=True)[: cfg.max_candidates + 1]
        cids = [cid for cid, _ in top if cid != item_id]
    else:
        cids = list(ordered)
    mine = set(fp.chunks)
    n_mine = len(mine)
    near, min_jaccard = cfg.near_threshold, cfg.min_jaccard
    found = []
    for cid in cids[: cfg.max_candidates]:
        rec = get("i:" + cid)
        if rec is None or rec["s"] != "u":
            continue
        theirs = rec["c"]
        shared = mine.intersection(theirs)
        n_shared = len(shared)
        n_theirs = len(theirs)
        containment = n_shared / (n_mine if n_mine < n_theirs else n_theirs)
        if containment < near:
            continue
        jaccard = n_shared / (n_mine + n_theirs - n_shared)
        if jaccard >= min_jaccard:
            found.append((containment, jaccard, cid, rec, shared))
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return found


def decide(
    item: RawItem, fp: Fingerprint, state: MutableMapping[str, Any], now: float, config: DedupConfig
) -> Verdict:
    """Classify ``item`` against everything seen within the horizon and record it in ``state``."""
    rec = state.get("i:" + item.id)
    if rec is not None:
        verdict = _known_id(item, fp, rec, state, config)
        if verdict is not None:
            return verdict
    elif item.pubstatus == "canceled":
        # A kill for a story we never saw: nothing to retract; pass it on so it is not lost.
        _track(state, item.id, {"v": item.version, "t": now, "s": "k", "k": 1})
        return Verdict("unique", of=None, similarity=None, reason="kill-unknown")

    first = state.get("h:" + fp.exact)
    if first is not None and first != item.id and ("i:" + first) in state:
        _follower(item, fp, state, now, "d", first)
        return Verdict("duplicate", of=first, similarity=1.0, reason="exact")

    found = _candidates(fp, state, item.id, config)
    if found and item.correction:
        _, jaccard, cid, _, _ = found[0]
        _follower(item, fp, state, now, "p", cid)
        _add_version(state, cid, item.id, fp, config)
        return Verdict("update", of=cid, similarity=round(jaccard, 3), reason="correction")
    # A copy shares the sentences *and* the figures of some known version of a story.
    changes = []
    for containment, jaccard, cid, cand, shared in found:
        least = 1.0
        for version in cand["g"]:
            changed, with_figures = _changed(fp, shared, version)
            if changed == 0:
                _follower(item, fp, state, now, "d", version[0])
                return Verdict("duplicate", of=version[0], similarity=round(jaccard, 3), reason="near")
            least = min(least, changed / with_figures)
        changes.append((containment, jaccard, cid, cand, least))
    # Near-identical text with a few figures changed, soon after: the same story, updated.
    published = _ts(item.published) or now
    for containment, jaccard, cid, cand, least in changes:
        if (
            containment >= config.update_threshold
            and least <= config.max_changed_fraction
            and abs(published - cand["p"]) <= config.update_window_s
        ):
            _follower(item, fp, state, now, "p", cid)
            _add_version(state, cid, item.id, fp, config)
            return Verdict("update", of=cid, similarity=round(jaccard, 3), reason="figures")
    # Otherwise new news — including the same template with other figures or names
    # (tomorrow's market close, another company's reserves, another match).
    _new_original(item, fp, state, now, config, rec is not None, published)
    return Verdict("unique", of=None, similarity=None, reason=None)


def _forget(state: MutableMapping[str, Any], item_id: str, rec: dict[str, Any]) -> None:
    for x in rec.get("x", ()):
        if state.get("h:" + x) == item_id:
            del state["h:" + x]
    for a in rec.get("a", ()):
        key = f"a:{a}"
        ids = state.get(key)
        if ids and item_id in ids:
            ids = [i for i in ids if i != item_id]
            if ids:
                state[key] = ids
            else:
                del state[key]
    state.pop("r:" + item_id, None)
    del state["i:" + item_id]


def expire(state: MutableMapping[str, Any], now: float, config: DedupConfig, *, budget: int = 10_000) -> int:
    """Forget items first seen more than ``horizon_s`` before ``now``; returns how many.

    Pops the arrival log from its head and stops at the first item still inside
    the horizon or after ``budget`` log entries, so each call does bounded work
    and the worker can run it on a timer.
    """
    meta = state.get(_META)
    if not meta:
        return 0
    head, tail = meta
    removed = scanned = 0
    while head < tail and scanned < budget:
        qkey = f"q:{head}"
        item_id = state.get(qkey)
        rec = state.get("i:" + item_id) if item_id is not None else None
        if rec is not None:
            if now - rec["t"] < config.horizon_s:
                break
            _forget(state, item_id, rec)
            removed += 1
        state.pop(qkey, None)
        head += 1
        scanned += 1
    if scanned:
        state[_META] = [head, tail]
    return removed
