"""Frozen copy of streams/pipeline/furniture.py before its lines moved to keys of their own (2026-11-28).

The reference tests/unit/test_furniture_equivalence.py compares the current module against: same
learned lines, same tracked entries, same descriptions. Not used by the package. Keep it unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

MIN_CHARS = 3
MAX_CHARS = 160  # furniture is short; longer lines are never candidates
MAX_LINES_PER_ITEM = 80
MAX_TRACKED = 2000  # lines tracked per source; the least seen are evicted beyond this
_DIGITS = "123456789"  # masked to "0"
# Short line -> (normalised, key) or None when it holds no letter (never a candidate). Outlet furniture
# recurs item after item, so observe() and strip()'s learned-line check mostly skip normalising and
# hashing; bounded like the rule matcher's line memo.
_CANDIDATES: dict[str, tuple[str, str] | None] = {}
CANDIDATE_MEMO_SIZE = 50_000
# source -> (its state value, version, min_items, learned set): recomputed only when the
# set of lines over the threshold changes, so the common case costs a dict lookup
_MEMO: dict[str, tuple[Any, int, int, frozenset[str]]] = {}
_MISS = object()


def normalise(line: str) -> str:
    """Case-folded, whitespace-collapsed, digits masked: 'Updated: 17 Sep' == 'updated: 18 sep'."""
    s = line.casefold()
    for d in _DIGITS:  # nine C-level replaces beat str.translate, which is slow on non-ASCII text
        s = s.replace(d, "0")
    return " ".join(s.split())


def normalise_short(line: str) -> str:
    """``normalise`` through the candidate memo (for lines of at most ``MAX_CHARS``, which recur)."""
    hit = _CANDIDATES.get(line, _MISS)
    if hit is _MISS:
        hit = _candidate(line)
    return hit[0] if hit is not None else normalise(line)  # type: ignore[index]


def _candidate(text: str) -> tuple[str, str] | None:
    """(normalised, key) of a stripped line of MIN_CHARS..MAX_CHARS characters, None if it has no letter."""
    norm = normalise(text)
    found = (norm, _key(norm)) if any(map(str.isalpha, norm)) else None
    if len(_CANDIDATES) >= CANDIDATE_MEMO_SIZE:
        _CANDIDATES.clear()
    _CANDIDATES[text] = found
    return found


def _long(line: str) -> bool:
    return len(line) > MAX_CHARS


def _key(norm: str) -> str:
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


def _item_sig(item_id: str, lines: Sequence[str]) -> str:
    lead = next(filter(_long, lines), None)
    basis = " ".join(lead.casefold().split())[:400] if lead else f"id:{item_id}"
    return _key(basis)


def _recent(entry: Mapping[str, Any], now: float, window_s: float) -> int:
    return sum(1 for _, ts in entry["s"] if ts >= now - window_s)


def _count(entry: Mapping[str, Any], since: float, own: str | None, before: int | None) -> int:
    n = 0
    for s in entry["s"]:
        if s[1] >= since and s[0] != own and (before is None or len(s) < 3 or s[2] is None or s[2] < before):
            n += 1
    return n


def observe(
    state: MutableMapping[str, Any],
    source: str,
    item_id: str,
    lines: Sequence[str],
    now: float,
    *,
    window_s: float,
    min_items: int,
    offset: int | None = None,
) -> None:
    """Record the candidate lines of one item. Pass the body's lines before stripping."""
    need = max(2, min_items)
    keep = need * 2  # item signatures remembered per line
    src = state.get(source) or {"lines": {}}
    table: dict[str, Any] = src.setdefault("lines", {})
    hot: dict[str, int] = src.setdefault("L", {})
    since = now - window_s
    sig = _item_sig(item_id, lines)
    seen: set[str] = set()
    memo = _CANDIDATES
    for text in map(str.strip, lines[:2000]):
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        cand = memo.get(text, _MISS)
        if cand is _MISS:
            cand = _candidate(text)
        if cand is None:
            continue
        norm, k = cand  # type: ignore[misc]
        if norm in seen:
            continue
        seen.add(norm)
        if len(seen) > MAX_LINES_PER_ITEM:
            break
        entry = table.get(k)
        if entry is None:  # most lines of an item: nothing to filter
            table[k] = entry = {"t": text, "n": norm, "s": [[sig, now, offset]], "f": now, "l": now}
        else:
            sigs = [s for s in entry["s"] if s[1] >= since and s[0] != sig]
            sigs.append([sig, now, offset])
            entry["s"] = sigs[-keep:]
            entry["l"] = now
        if len(entry["s"]) >= need and k not in hot:
            hot[k] = 1
            src["v"] = src.get("v", 0) + 1
    # Expire now and then (not per item: the table may hold thousands of lines), then bound memory
    # by evicting the lines seen in fewest recent items, oldest first.
    if now - src.get("swept", 0.0) >= window_s / 10:
        table = {k: e for k, e in table.items() if e["l"] >= since}
        src["swept"] = now
    if len(table) > MAX_TRACKED:  # evict to 90 % so this sort is rare, not per item
        ranked = sorted(table.items(), key=lambda kv: (len(kv[1]["s"]), kv[1]["l"]), reverse=True)
        table = dict(ranked[: MAX_TRACKED * 9 // 10])
    if offset is not None and offset > src.get("hi", -1):
        src["hi"] = offset
    if table is not src["lines"]:
        src["lines"] = table
        src["L"] = {k: 1 for k in hot if k in table and _count(table[k], since, None, None) >= need}
        src["v"] = src.get("v", 0) + 1
    state[source] = src


def learned_lines(
    state: Mapping[str, Any],
    source: str,
    *,
    min_items: int,
    now: float,
    window_s: float,
    item_id: str | None = None,
    lines: Sequence[str] | None = None,
    offset: int | None = None,
) -> frozenset[str]:
    """Normalised lines (see ``normalise``) seen in at least ``min_items`` distinct items in the window.

    Given the item about to be stripped (``item_id``, its ``lines`` and its input
    ``offset``), neither its own earlier observation nor any from a later offset counts:
    an item replayed after a crash must strip exactly as it did the first time.
    """
    need = max(2, min_items)  # a line seen in one item is never learned
    src = state.get(source) or {}
    table = src.get("lines") or {}
    replay = offset is not None and offset <= src.get("hi", -1)
    fresh = now - src.get("swept", now) < window_s / 10
    if not replay and fresh and "L" in src:
        # the common case: the lines that reached the threshold, as of the last sweep
        memo = _MEMO.get(source)
        if memo is not None and memo[0] is src and memo[1] == src.get("v", 0) and memo[2] == need:
            return memo[3]
        result = frozenset(table[k].get("n") or normalise(table[k]["t"]) for k in src["L"] if k in table)
        if len(_MEMO) > 10_000:
            _MEMO.clear()
        _MEMO[source] = (src, src.get("v", 0), need, result)
        return result
    # exact: a replay (count nothing from this item or later offsets), or a sweep is due
    own = _item_sig(item_id, lines) if item_id is not None and lines is not None else None
    since = now - window_s
    hot = src.get("L")
    if hot is None:  # state written before "L" existed: look at every line once
        hot = table
    out = []
    for k in hot:
        e = table.get(k)
        if e is not None and _count(e, since, own, offset) >= need:
            out.append(e.get("n") or normalise(e["t"]))
    return frozenset(out)


def reset(state: MutableMapping[str, Any], source: str | None = None) -> int:
    """Forget what was learned (for one source or all); returns the number of tracked lines dropped."""
    keys = [source] if source is not None else list(state.keys())
    dropped = 0
    for k in keys:
        if k in state:
            dropped += len((state[k] or {}).get("lines") or {})
            del state[k]
    return dropped


def describe(state: Mapping[str, Any], *, min_items: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Tracked lines per source, most widespread first (for the CLI/endpoint)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for source in state:
        lines = (state[source] or {}).get("lines") or {}
        rows = [
            {"line": e["t"], "items": len(e["s"]), "first_seen": e["f"], "last_seen": e["l"]}
            for e in lines.values()
            if len(e["s"]) >= max(2, min_items)
        ]
        out[source] = sorted(rows, key=lambda r: (-r["items"], r["line"]))
    return out
