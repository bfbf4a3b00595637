"""Cheap, sound tests that rule out rules before any regex runs on a line.

Most lines of a story are prose that no furniture rule can match, and the cost of the strip stage is
deciding that. From each rule's parsed pattern we derive, per top-level alternative ("branch"):

* ``heads`` - every start (up to ``HEAD_LEN`` characters) a match can have, for lines that start with
  ASCII characters; enumerated with the regex engine itself deciding what each one-character item
  matches, so classes, case-insensitivity and inline flags are exact;
* ``needs`` - for branches that heads do not pin down, up to two literal sets of which the match must
  contain a member (the rarest ones: longer literals and punctuation score higher).

``RuleSet`` indexes the branches by a line's first two characters and then its first ``HEAD_LEN``, so a
line only runs the few rules whose branches can still match it. Every test only ever *removes* rules that
cannot fullmatch, so the first rule that does fullmatch is unchanged (``tests/unit/test_strip_prefilter.py``
checks this against the reference matcher on lines sampled from the rules' own patterns).

Lower-casing is exact for these tests because heads and needed literals only hold ASCII and caseless
characters; lines containing one of the few characters that case-fold to or from an ASCII letter
(``FOLD_RISK``: dotless i, long s, Kelvin sign...) take the reference path instead.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile
import re._constants as sre_c
import re._parser as sre_parse
import unicodedata
from functools import lru_cache
from typing import Any

HEAD_LEN = 6  # characters of a match's start that are enumerated
_MAX_HEADS = 4096  # beyond this many alternatives the heads are cut shorter (still sound)
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_ONE_CHAR = {sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY}
_ASCII = [chr(c) for c in range(128)]

# Non-ASCII characters whose lower or upper case contains an ASCII letter, or that an ASCII letter
# matches under re.IGNORECASE (recomputed over all of Unicode by a test).
FOLD_RISK_CHARS = (  # ß İ ı ŉ ſ ǰ ẖ ẗ ẘ ẙ ẚ, Kelvin sign, ligatures ﬀ-ﬆ
    "\u00df\u0130\u0131\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
)
FOLD_RISK = re.compile(f"[{FOLD_RISK_CHARS}]")

# (heads, needs, case_sensitive). heads: what a match starts with, for lines that start with HEAD_LEN
# ASCII characters (lower-cased unless case_sensitive); needs: searchers over the lower-cased line that
# must all find something.
Branch = tuple[tuple[str, ...] | None, Any, bool]
STRONG_HEAD = 3  # heads this long pin a branch down well enough; shorter ones also get literal needs
MIN_SCORE = 2.5  # literal sets whose weakest member scores lower ("us", "ad") hit prose too often


def _caseless(ch: str) -> bool:
    """ASCII, or a character with no case at all (punctuation, symbols, digits, spaces)."""
    return ch.isascii() or (unicodedata.category(ch)[0] in "PSNZ" and ch.lower() == ch == ch.upper())


_ASCII_MATCHES: dict[tuple[int, str, int, bool], frozenset[str]] = {}


def _ascii_matches(item: Any, state: Any, flags: int, case_sensitive: bool) -> frozenset[str]:
    """The ASCII characters a one-character item matches, as the regex engine itself decides."""
    key = (item[0], repr(item[1]), flags, case_sensitive)
    found = _ASCII_MATCHES.get(key)
    if found is None:
        one = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
        chars = {c for c in _ASCII if one.fullmatch(c)}
        found = frozenset(chars if case_sensitive else {c.lower() for c in chars})
        if len(_ASCII_MATCHES) < 4096:
            _ASCII_MATCHES[key] = found
    return found


class _Heads:
    """Enumerate the first ``HEAD_LEN`` characters of every string a pattern can match."""

    def __init__(self, state: Any, flags: int, case_sensitive: bool) -> None:
        self.done: set[str] = set()  # prefixes that every continuation starts with (cut short)
        self.state, self.flags, self.cs = state, flags, case_sensitive

    def _settle(self, cur: set[str]) -> set[str]:
        full = {p for p in cur if len(p) >= HEAD_LEN}
        if full:
            self.done.update(p[:HEAD_LEN] for p in full)
            cur = cur - full
        if len(cur) + len(self.done) > _MAX_HEADS:
            self.done.update(cur)
            return set()
        return cur

    def expand(self, items: Any, cur: set[str], flags: int | None = None) -> set[str]:
        """Extend every partial start in ``cur`` by ``items``; starts that cannot go on move to done."""
        flags = self.flags if flags is None else flags
        for op, av in items:
            if not cur:
                return cur
            if op == sre_c.AT:  # zero-width: ignoring it only widens the set
                continue
            if op in _ONE_CHAR:
                chars = _ascii_matches((op, av), self.state, flags, self.cs)
                if len(chars) * len(cur) > _MAX_HEADS:
                    self.done.update(cur)
                    return set()
                cur = {p + c for p in cur for c in chars}
            elif op == sre_c.SUBPATTERN:
                _group, add, drop, sub = av
                cur = self.expand(sub, cur, (flags | add) & ~drop)
            elif op == sre_c.ATOMIC_GROUP:
                cur = self.expand(av, cur, flags)
            elif op == sre_c.BRANCH:
                cur = set().union(*(self.expand(alt, set(cur), flags) for alt in av[1]))
            elif op in _REPEATS:
                lo, hi, sub = av
                for _ in range(min(lo, HEAD_LEN + 1)):
                    cur = self.expand(sub, cur, flags)
                if hi > lo:
                    acc, step = set(cur), cur
                    for _ in range(min(hi - lo, HEAD_LEN + 1)):
                        step = self.expand(sub, step, flags)
                        if step <= acc:
                            break
                        acc |= step
                    cur = acc
            else:  # anything unexpected: stop enumerating here
                self.done.update(cur)
                return set()
            cur = self._settle(cur)
        return cur


def _heads(items: Any, state: Any, flags: int, case_sensitive: bool) -> tuple[str, ...] | None:
    h = _Heads(state, flags, case_sensitive)
    ends = h.expand(items, {""})
    starts = h.done | ends
    if "" in starts:
        return None
    # Drop starts that a shorter start already covers.
    return tuple(sorted(s for s in starts if not any(s[:k] in starts for k in range(1, len(s)))))


def _branches(items: Any) -> list[Any]:
    """Top-level alternatives of a pattern (through a lone group or alternation)."""
    items = list(items)
    while len(items) == 1 and items[0][0] == sre_c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][-1])
    if len(items) == 1 and items[0][0] == sre_c.BRANCH:
        return [alt for a in items[0][1][1] for alt in _branches(a)]
    return [items]


def _score(lit: str) -> float:
    """How rarely a literal occurs in prose: longer is rarer, and punctuation/symbols far rarer."""
    return len(lit) + 4 * sum(1 for c in lit if not c.isalnum() and c != " ")


def _set_score(lits: frozenset[str]) -> float:
    return min(map(_score, lits)) - 0.05 * len(lits)


def _needs(items: Any) -> list[frozenset[str]]:
    """Literal sets a match must contain one member of, each (lower-cased): a conjunction of disjunctions."""
    out: list[frozenset[str]] = []
    run = ""
    for op, av in [*list(items), (None, None)]:
        if op == sre_c.LITERAL:
            run += chr(av)
            continue
        if run:
            out.append(frozenset({run.lower()}))
            run = ""
        if op == sre_c.SUBPATTERN:
            out += _needs(av[-1])
        elif op == sre_c.ATOMIC_GROUP:
            out += _needs(av)
        elif op in _REPEATS and av[0] >= 1:
            out += _needs(av[2])
        elif op == sre_c.BRANCH:
            alts = [_needs(a) for a in av[1]]
            if all(alts):
                out.append(frozenset().union(*(max(a, key=_set_score) for a in alts)))
    return [x for x in out if all(all(map(_caseless, lit)) for lit in x)]


@lru_cache(maxsize=1024)
def rule_branches(regex: str, case_sensitive: bool) -> tuple[Branch, ...] | None:
    """Per-branch (heads, needs, case_sensitive) of a full-line pattern; None if a branch may match anything.

    ``needs`` (only for weakly anchored branches) holds up to two literal sets (the rarest the branch
    requires), each of which must have a member in the lower-cased line. Heads of ``()`` mean the branch
    cannot match a line that starts with ASCII characters.
    """
    flags = 0 if case_sensitive else re.IGNORECASE
    parsed = sre_parse.parse(regex, flags)
    flags |= parsed.state.flags
    out: list[Branch] = []
    for br in _branches(parsed.data):
        heads = _heads(br, parsed.state, flags, case_sensitive)
        needs = None
        if heads is None or min(map(len, heads), default=0) < STRONG_HEAD:  # weakly anchored: add literals
            sets = sorted(set(_needs(br)), key=lambda x: (-_set_score(x), sorted(x)))
            needs = tuple(x for x in sets if _set_score(x) >= MIN_SCORE)[:2] or None
        if heads is None and needs is None:
            return None
        out.append((heads, needs, case_sensitive))
    return tuple(out)


def _index(heads: tuple[str, ...]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Heads of up to two characters as a set; longer ones grouped by their first two characters."""
    by2: dict[str, list[str]] = {}
    for h in heads:
        if len(h) > 2:
            by2.setdefault(h[:2], []).append(h)
    return frozenset(h for h in heads if len(h) <= 2), {k: tuple(v) for k, v in by2.items()}


@lru_cache(maxsize=1024)
def indexed_branches(regex: str, case_sensitive: bool) -> tuple[Any, ...] | None:
    """``rule_branches`` with each heads tuple indexed for ``for_key``."""
    spec = rule_branches(regex, case_sensitive)
    if spec is None:
        return None
    return tuple((None if h is None else _index(h), needs, cs) for h, needs, cs in spec)


def for_key(branches: tuple[Any, ...] | None, key: str) -> tuple[Branch, ...] | bool | None:
    """Specialise a rule's indexed branches to lines that start with ``key`` (their first two characters).

    Returns False when the rule cannot match such a line, None when it always may, else the branches
    that remain (heads narrowed to those agreeing with ``key``). Heads only apply when the line starts
    with ASCII characters; the caller never passes other keys.
    """
    if branches is None:
        return None
    out: list[Branch] = []
    for index, needs, cs in branches:
        heads: tuple[str, ...] | None = None
        if index is not None:
            short, by2 = index
            k = key if cs else key.lower()
            if not (k in short or k[:1] in short):
                heads = by2.get(k, ()) if len(k) == 2 else ()
                if not heads:
                    continue
        if heads is None and needs is None:
            return None
        out.append((heads, needs, cs))
    return tuple(out) if out else False
