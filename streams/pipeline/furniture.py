"""Learn each source's own furniture: short lines that recur across many distinct items.

Pure functions over a ``MutableMapping`` (a Faust table in the worker, a dict offline). The value
stored under a source key is plain JSON::

    {"lines": {<hash>: {"t": text, "s": [[item_sig, ts], ...], "f": first_seen, "l": last_seen}}}

Items are counted by a signature of their lead paragraph, not by id alone, so re-sent or
re-numbered copies of one story never teach its own sentences as furniture.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

MIN_CHARS = 3
MAX_CHARS = 160  # furniture is short; longer lines are never candidates
MAX_LINES_PER_ITEM = 80
MAX_TRACKED = 2000  # lines tracked per source; the least seen are evicted beyond this
_DIGITS = str.maketrans("0123456789", "0000000000")


def normalise(line: str) -> str:
    """Case-folded, whitespace-collapsed, digits masked: 'Updated: 17 Sep' == 'updated: 18 sep'."""
    return " ".join(line.casefold().translate(_DIGITS).split())


def _key(norm: str) -> str:
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


def _item_sig(item_id: str, lines: Sequence[str]) -> str:
    lead = next((ln for ln in lines if len(ln) > MAX_CHARS), None)
    basis = " ".join(lead.casefold().split())[:400] if lead else f"id:{item_id}"
    return _key(basis)


def _recent(entry: Mapping[str, Any], now: float, window_s: float) -> int:
    return sum(1 for _, ts in entry["s"] if ts >= now - window_s)


def observe(
    state: MutableMapping[str, Any],
    source: str,
    item_id: str,
    lines: Sequence[str],
    now: float,
    *,
    window_s: float,
    min_items: int,
) -> None:
    """Record the candidate lines of one item. Pass the body's lines before stripping."""
    keep = max(2, min_items) * 2  # item signatures remembered per line
    src = dict(state.get(source) or {"lines": {}})
    table: dict[str, Any] = dict(src.get("lines") or {})
    sig = _item_sig(item_id, lines)
    seen: set[str] = set()
    for raw in lines[:2000]:
        text = raw.strip()
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        norm = normalise(text)
        if norm in seen or not any(c.isalpha() for c in norm):
            continue
        seen.add(norm)
        if len(seen) > MAX_LINES_PER_ITEM:
            break
        k = _key(norm)
        entry = table.get(k) or {"t": text, "s": [], "f": now, "l": now}
        sigs = [s for s in entry["s"] if s[1] >= now - window_s and s[0] != sig]
        sigs.append([sig, now])
        table[k] = {"t": entry["t"], "s": sigs[-keep:], "f": entry["f"], "l": now}
    # Expire now and then (not per item: the table may hold thousands of lines), then bound memory
    # by evicting the lines seen in fewest recent items, oldest first.
    if now - src.get("swept", 0.0) >= window_s / 10 or len(table) > MAX_TRACKED:
        table = {k: e for k, e in table.items() if e["l"] >= now - window_s}
        src["swept"] = now
    if len(table) > MAX_TRACKED:
        ranked = sorted(table.items(), key=lambda kv: (len(kv[1]["s"]), kv[1]["l"]), reverse=True)
        table = dict(ranked[:MAX_TRACKED])
    src["lines"] = table
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
) -> frozenset[str]:
    """Normalised lines (see ``normalise``) seen in at least ``min_items`` distinct items in the window.

    Given the item about to be stripped (``item_id`` and its ``lines``), its own earlier
    observation does not count: an item replayed after a crash must strip exactly as
    it did the first time, not learn from itself.
    """
    need = max(2, min_items)  # a line seen in one item is never learned
    src = state.get(source) or {}
    own = _item_sig(item_id, lines) if item_id is not None and lines is not None else None
    since = now - window_s
    return frozenset(
        normalise(e["t"])
        for e in (src.get("lines") or {}).values()
        if sum(1 for sig, ts in e["s"] if ts >= since and sig != own) >= need
    )


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
