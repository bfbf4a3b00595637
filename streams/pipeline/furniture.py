"""Learn each source's own furniture: short lines that recur across many distinct items.

Pure functions over a ``MutableMapping`` (a Faust table in the worker, a dict offline), holding
plain JSON: per source a small head, and each tracked line under a key of its own::

    <source>                  {"ix": [<hash>, ...],       # the lines tracked, oldest first
                               "L": {<hash>: 1, ...},     # lines that reached the threshold when last seen
                               "v": version of L, "swept": last expiry, "hi": highest offset seen}
    "\\x00<hash>\\x00<source>"   {"t": text, "n": normalised, "s": [[item_sig, ts, offset], ...],
                               "f": first_seen, "l": last_seen}

A batch therefore writes only the lines it touched (see ``_head_key`` for why).

Items are counted by a signature of their lead paragraph, not by id alone, so re-sent or
re-numbered copies of one story never teach its own sentences as furniture.

``learned_lines`` looks only at ``L`` (a few dozen lines, not the thousands tracked) and
recounts those exactly, so it costs microseconds per item. Given the item's input
``offset`` it counts only observations from earlier offsets: an item replayed after a
crash strips exactly as it did the first time, whatever the lost batch had taught.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

MIN_CHARS = 3
MAX_CHARS = 160  # furniture is short; longer lines are never candidates
MAX_LINES_PER_ITEM = 80
MAX_TRACKED = 2000  # lines tracked per source; the least seen are evicted beyond this
_DIGITS = "123456789"  # masked to "0"
# Short line -> (normalised, key), key None for prose (never learned), or None when it holds no letter
# (never a candidate). Outlet furniture recurs item after item, so observe() and strip()'s learned-line
# check mostly skip normalising and hashing; bounded like the rule matcher's line memo.
_CANDIDATES: dict[str, tuple[str, str | None] | None] = {}
CANDIDATE_MEMO_SIZE = 50_000
# source -> (its state value, version, min_items, learned set): recomputed only when the
# set of lines over the threshold changes, so the common case costs a dict lookup
_MEMO: dict[str, tuple[Any, int, int, frozenset[str]]] = {}
_MISS = object()


# Recurring news prose is not furniture. Agencies reuse background sentences verbatim for days ("The
# agreement still needs the approval of parliament ...", "A spokesperson for the U.N. said ..."); counted
# like a share bar, they were learned and then deleted from every later story of the source. A line is
# prose when it reads as a sentence of a story: eight words or more, ending as a sentence ends, not
# bracketed (an outlet's own notes are: "(This story has not been edited by ...)"), no bar, address or
# copyright sign, and not opening with a promo's imperative. The rule packs still remove prose-shaped
# boilerplate they know ("Subscribe to our newsletter ..."); learning takes only the rest.
_SENTENCE_END = frozenset(".!?\"'\u201d\u2019\u00bb")
_NOT_PROSE = ("|", "\u00a9", "http", "www.", "@", "copyright", "all rights reserved")
_PROMO_OPENERS = frozenset(
    {
        "subscribe", "follow", "download", "click", "tap", "read", "sign", "get", "join", "watch", "listen",
        "share", "register", "log", "visit", "install", "become", "stay", "see", "explore", "discover",
        "don't", "don\u2019t", "suscr\u00edbete", "suscr\u00edbase", "s\u00edganos", "descargue",
        "descarga", "abonnez-vous", "suivez", "t\u00e9l\u00e9chargez", "inscrivez-vous", "cliquez",
        "abonnieren", "folgen", "klicken", "assine", "inscreva-se", "baixe", "clique",
    }
)


def prose(norm: str) -> bool:
    """Whether a normalised line (``normalise``) reads as a sentence of a story: never learned."""
    words = norm.split(" ")
    if len(words) < 8 or norm[-1] not in _SENTENCE_END or norm[0] in "([{<":
        return False
    if any(mark in norm for mark in _NOT_PROSE):
        return False
    first = words[0].strip("\"'\u201c\u2018\u00ab\u00a1\u00bf")
    return first not in _PROMO_OPENERS and first.split("-", 1)[0] not in _PROMO_OPENERS  # "suivez-nous"


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


def _candidate(text: str) -> tuple[str, str | None] | None:
    """(normalised, key) of a stripped line of MIN_CHARS..MAX_CHARS characters: key None for prose,
    None if it has no letter."""
    norm = normalise(text)
    found = (norm, None if prose(norm) else _key(norm)) if any(map(str.isalpha, norm)) else None
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
    head_key = _head_key(source)
    src = _upgrade(state, source, head_key)
    index: list[str] = src["ix"]
    hot: dict[str, int] = src["L"]
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
        if k is None or norm in seen:  # prose is never learned, so not tracked
            continue
        seen.add(norm)
        if len(seen) > MAX_LINES_PER_ITEM:
            break
        lk = _line_key(source, k)
        entry = state.get(lk)
        if entry is None:  # most lines of an item: nothing to filter
            entry = {"t": text, "n": norm, "s": [[sig, now, offset]], "f": now, "l": now}
            index.append(k)
        else:
            sigs = [s for s in entry["s"] if s[1] >= since and s[0] != sig]
            sigs.append([sig, now, offset])
            entry["s"] = sigs[-keep:]
            entry["l"] = now
        state[lk] = entry
        if len(entry["s"]) >= need and k not in hot:
            hot[k] = 1
            src["v"] = src.get("v", 0) + 1
    # Expire now and then (not per item: a source may track thousands of lines), then bound memory
    # by evicting the lines seen in fewest recent items, oldest first.
    kept: dict[str, Any] | None = None
    if now - src.get("swept", 0.0) >= window_s / 10:
        kept = {k: e for k, e in _entries(state, source, index) if e["l"] >= since}
        src["swept"] = now
    if len(index) > MAX_TRACKED:  # evict to 90 % so this sort is rare, not per item
        table = kept if kept is not None else dict(_entries(state, source, index))
        if len(table) > MAX_TRACKED:
            ranked = sorted(table.items(), key=lambda kv: (len(kv[1]["s"]), kv[1]["l"]), reverse=True)
            kept = dict(ranked[: MAX_TRACKED * 9 // 10])
    if offset is not None and offset > src.get("hi", -1):
        src["hi"] = offset
    if kept is not None:
        for k in index:
            if k not in kept:
                state.pop(_line_key(source, k), None)
        src["ix"] = list(kept)
        src["L"] = {k: 1 for k in hot if k in kept and _count(kept[k], since, None, None) >= need}
        src["v"] = src.get("v", 0) + 1
    state[head_key] = src


# The state layout. A source's tracked lines are one key each, so a batch writes (to the store and
# the changelog) only the lines it touched and the source's small head, not every line the source
# tracks: a head holding all lines grew to ~750 KB per source and was most of the worker's state
# writes. Keys: the head under the source's name (a leading "\x00" or "\x01" escaped with "\x01"),
# each line under "\x00<line key>\x00<source>" — no head key starts with "\x00", so they never meet.
# A head written by earlier versions, with every line inside it ("lines"), is split on first write.
def _head_key(source: str) -> str:
    return "\x01" + source if source[:1] in ("\x00", "\x01") else source


def _source_of(head_key: str) -> str | None:
    """The source a head key names; None for a line key."""
    if head_key[:1] == "\x00":
        return None
    return head_key[1:] if head_key[:1] == "\x01" else head_key


def _line_key(source: str, k: str) -> str:
    return f"\x00{k}\x00{source}"


def _upgrade(state: MutableMapping[str, Any], source: str, head_key: str) -> dict[str, Any]:
    """The source's head for writing, with lines from an earlier version's head moved to their keys."""
    src = state.get(head_key) or {}
    old = src.pop("lines", None)
    if old is not None:
        for k, e in old.items():
            state[_line_key(source, k)] = e
        src["ix"] = list(old)
        if "L" not in src:  # written before "L" existed: recount every line once
            src["L"] = {k: 1 for k, e in old.items() if len(e["s"]) >= 2}
    src.setdefault("ix", [])
    src.setdefault("L", {})
    return src


def _entries(state: Mapping[str, Any], source: str, index: Sequence[str]) -> Iterator[tuple[str, Any]]:
    for k in index:
        e = state.get(_line_key(source, k))
        if e is not None:
            yield k, e


def _lines_of(state: Mapping[str, Any], source: str, src: Mapping[str, Any]) -> Mapping[str, Any]:
    """A source's tracked lines, key -> entry, whichever layout wrote its head."""
    old = src.get("lines")
    if old is not None:
        return old  # type: ignore[no-any-return]
    return dict(_entries(state, source, src.get("ix") or ()))


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
    src = state.get(_head_key(source)) or {}
    replay = offset is not None and offset <= src.get("hi", -1)
    fresh = now - src.get("swept", now) < window_s / 10
    if not replay and fresh and "L" in src:
        # the common case: the lines that reached the threshold, as of the last sweep
        memo = _MEMO.get(source)
        if memo is not None and memo[0] is src and memo[1] == src.get("v", 0) and memo[2] == need:
            return memo[3]
        hot_lines = (e for _, e in _entries(state, source, src["L"])) if "lines" not in src else (
            src["lines"][k] for k in src["L"] if k in src["lines"])
        # prose filtered here too: a state written before the rule may hold some
        result = frozenset(n for n in (e.get("n") or normalise(e["t"]) for e in hot_lines) if not prose(n))
        if len(_MEMO) > 10_000:
            _MEMO.clear()
        _MEMO[source] = (src, src.get("v", 0), need, result)
        return result
    # exact: a replay (count nothing from this item or later offsets), or a sweep is due
    own = _item_sig(item_id, lines) if item_id is not None and lines is not None else None
    since = now - window_s
    table = _lines_of(state, source, src) if "lines" in src or "L" not in src else dict(
        _entries(state, source, src["L"]))
    hot = src.get("L")
    if hot is None:  # state written before "L" existed: look at every line once
        hot = table
    out = []
    for k in hot:
        e = table.get(k)
        if e is not None and _count(e, since, own, offset) >= need:
            out.append(e.get("n") or normalise(e["t"]))
    return frozenset(n for n in out if not prose(n))


def reset(state: MutableMapping[str, Any], source: str | None = None) -> int:
    """Forget what was learned (for one source or all); returns the number of tracked lines dropped."""
    if source is None:
        keys = list(state.keys())
        dropped = sum(1 for k in keys if _source_of(k) is None)
        for k in keys:
            src = state.get(k)
            if _source_of(k) is not None and src:
                dropped += len(src.get("lines") or ())
            state.pop(k, None)
        return dropped
    head_key = _head_key(source)
    src = state.get(head_key)
    if not src:
        return 0
    lines = _lines_of(state, source, src)
    for k in src.get("ix") or ():
        state.pop(_line_key(source, k), None)
    del state[head_key]
    return len(lines)


def view(state: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every source's tracked lines, ``{source: {"lines": {key: entry}}}`` (for ``describe``)."""
    out: dict[str, dict[str, Any]] = {}
    for head_key in list(state.keys()):
        source = _source_of(head_key)
        src = state.get(head_key) if source is not None else None
        if source is not None and src:
            out[source] = {"lines": _lines_of(state, source, src)}
    return out


def describe(sources: Mapping[str, Any], *, min_items: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Tracked lines per source, most widespread first (for the CLI/endpoint); takes ``view``'s result."""
    out: dict[str, list[dict[str, Any]]] = {}
    for source in sources:
        lines = (sources[source] or {}).get("lines") or {}
        rows = [
            {"line": e["t"], "items": len(e["s"]), "first_seen": e["f"], "last_seen": e["l"]}
            for e in lines.values()
            if len(e["s"]) >= max(2, min_items) and not prose(e.get("n") or normalise(e["t"]))
        ]
        out[source] = sorted(rows, key=lambda r: (-r["items"], r["line"]))
    return out
