"""Compile a rule set for the native matcher (``wirefeed_native.RuleMatcher``, native/src/rules.rs).

Python's ``re`` stays the specification. Each rule's parsed pattern (the ``re._parser`` tree that
``rules.py`` validates) is rewritten as a byte regex over a compressed alphabet, so that it accepts
exactly the lines Python's ``fullmatch`` accepts:

* every one-character item (literal, class, ``.``, ``\\w``...) is evaluated by Python itself: its set
  of code points comes from Python's engine (classes are run over every code point) or, for
  literals, from the same lower-casing function the engine calls (``_sre.unicode_tolower`` and
  ``_casefix``), so case folding ('ſ', Kelvin sign, 'İ'), Unicode digits and spaces are Python's;
* the code points are partitioned into the classes that no item (and no word boundary) tells
  apart, and each class gets a code (see ``_alphabet``: ASCII characters are their own code); a line is
  encoded character by character;
* word classes (Python's ``\\w``: ``str.isalnum()`` or ``_``) get codes that begin and end with an
  ASCII word byte, the others codes without one, so an ASCII ``\\b`` between two codes is Python's
  Unicode ``\\b``;
* ``^``/``\\A`` become ``\\A`` and ``$``/``\\Z`` become ``\\z`` (lines hold no newline; the native side
  sends a line with one to Python), groups become non-capturing and lazy repeats greedy: a full match
  exists or not whatever the order in which the alternatives are tried.

Anything else (possessive repeats, atomic groups, the ASCII or LOCALE flags) keeps the whole rule set
on the Python path. ``tests/unit/test_rules_native.py`` compares both matchers rule by rule.
"""

from __future__ import annotations

import _sre
import bisect
import logging
import re
import re._casefix as sre_casefix
import re._compiler as sre_compile
import re._constants as sre_c
import re._parser as sre_parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from streams.pipeline.native_ext import has, switched_off, wirefeed_native
from streams.pipeline.strip_prefilter import FOLD_RISK_CHARS, STRONG_HEAD, rule_branches

log = logging.getLogger(__name__)

END = 0x110000
_SURROGATES = (0xD800, 0xE000)
NO_CLASS = 0xFFFF
# Codes (see _alphabet): ASCII characters are themselves; other classes are W 0x80 W (word) or one
# byte 0x81-0xFE, then 0xFF B with B >= 0x81 (others). 0x80 only ever follows the first byte of a word
# code, so a coded line decodes one way only.
_WORD_BYTES = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_WORD_CODES = [bytes([a, 0x80, b]) for a in _WORD_BYTES for b in _WORD_BYTES]
_OTHER_CODES = [bytes([b]) for b in range(0x81, 0xFF)] + [bytes([0xFF, b]) for b in range(0x81, 0x100)]
_ONE_CHAR = {sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY}
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}
_AT = {
    sre_c.AT_BEGINNING: r"\A", sre_c.AT_BEGINNING_STRING: r"\A", sre_c.AT_BEGINNING_LINE: r"\A",
    sre_c.AT_END: r"\z", sre_c.AT_END_STRING: r"\z", sre_c.AT_END_LINE: r"\z",
    sre_c.AT_BOUNDARY: r"\b", sre_c.AT_NON_BOUNDARY: r"\B",
}
Spans = tuple[tuple[int, int], ...]  # sorted, disjoint [start, end) code point ranges


class Unsupported(ValueError):
    """A pattern uses something the translation does not cover (the rule set stays on Python)."""


def available() -> bool:
    return has("RuleMatcher")


def enabled() -> bool:
    """Built, and not switched off with WIREFEED_NATIVE=0."""
    return available() and not switched_off()


@cache
def _all_chars() -> str:
    return "".join(map(chr, range(END)))


@cache
def _lower_moves() -> dict[int, tuple[int, ...]]:
    """lower -> the code points other than itself that ``_sre.unicode_tolower`` (the engine's
    IGNORECASE lower case) maps to it."""
    out: dict[int, list[int]] = {}
    tolower = _sre.unicode_tolower
    for cp in range(END):
        lo = tolower(cp)
        if lo != cp:
            out.setdefault(lo, []).append(cp)
    return {k: tuple(v) for k, v in out.items()}


@cache
def risk_points() -> frozenset[int]:
    """Characters whose lines the Python path answers: the Python matcher's literal gates look at
    ``str.lower()``, which differs from the engine's case folding for these (FOLD_RISK: 'ſ', Kelvin
    sign, 'İ'...; characters with ``_casefix`` equivalents such as 'µ'/'μ' and 'ς'/'σ'; capital sigma,
    which ``str.lower()`` lowers by context), so only Python gives Python's answer there."""
    out = {ord(c) for c in FOLD_RISK_CHARS} | {0x3A3}
    for lo, moved in _lower_moves().items():
        for cp in moved:
            if cp >= 0x80 and chr(cp).lower() != chr(lo):
                out.add(cp)
    for lo, extra in sre_casefix._EXTRA_CASES.items():
        for k in (lo, *extra):
            out |= {cp for cp in _lower_preimage(k) if cp >= 0x80}
    return frozenset(out)


def _lower_preimage(lo: int) -> set[int]:
    """Every code point whose engine lower case is ``lo``."""
    found = set(_lower_moves().get(lo, ()))
    if _sre.unicode_tolower(lo) == lo:
        found.add(lo)
    return found


def _from_points(points: set[int]) -> Spans:
    out: list[tuple[int, int]] = []
    for cp in sorted(points):
        if out and out[-1][1] == cp:
            out[-1] = (out[-1][0], cp + 1)
        else:
            out.append((cp, cp + 1))
    return tuple(out)


def _complement(spans: Spans) -> Spans:
    out, pos = [], 0
    for s, e in spans:
        if s > pos:
            out.append((pos, s))
        pos = e
    if pos < END:
        out.append((pos, END))
    return tuple(out)


_SPANS: dict[tuple[int, str, int], Spans] = {}


def item_spans(op: int, av: Any, flags: int) -> Spans:
    """Code points the one-character item ``(op, av)`` matches under ``flags``, as Python decides."""
    key = (int(op), repr(av), flags)
    hit = _SPANS.get(key)
    if hit is not None:
        return hit
    icase = bool(flags & re.IGNORECASE)
    if op in (sre_c.LITERAL, sre_c.NOT_LITERAL):
        # as _compiler._compile emits it: the literal itself, or every code point whose engine
        # lower case is the literal's lower case or one of its _casefix equivalents
        if icase and _sre.unicode_iscased(av):
            lo = _sre.unicode_tolower(av)
            accepted = (lo, *sre_casefix._EXTRA_CASES.get(lo, ()))
            found = _from_points(set().union(*map(_lower_preimage, accepted)))
        else:
            found = ((av, av + 1),)
        if op == sre_c.NOT_LITERAL:
            found = _complement(found)
    else:  # classes (and ``.``): run Python's engine over every code point
        state = sre_parse.State()
        state.flags = flags
        one = sre_parse.SubPattern(state, [(op, av)])
        runs = sre_parse.SubPattern(state, [(sre_c.MAX_REPEAT, (1, sre_c.MAXREPEAT, one))])
        found = tuple(m.span() for m in sre_compile.compile(runs, flags).finditer(_all_chars()))
    if len(_SPANS) < 100_000:
        _SPANS[key] = found
    return found


@cache
def word_spans() -> Spans:
    """Python's word characters (``\\b`` and ``\\w``: ``str.isalnum()`` or ``_``), by its engine."""
    return tuple(m.span() for m in re.finditer(r"\w+", _all_chars()))


@dataclass(frozen=True)
class Plan:
    """What ``RuleMatcher`` is built from (see its docstring in native/src/rules.rs)."""

    patterns: tuple[str, ...]
    anchored: tuple[bool, ...]  # every branch starts with a fixed head: into the multi-pattern DFA
    max_len: tuple[int, ...]
    starts: tuple[int, ...]
    ids: tuple[int, ...]
    codes: tuple[bytes, ...]


def _walk(items: Any, flags: int, leaf: Callable[[int, Any, int], str]) -> str:
    out: list[str] = []
    for op, av in items:
        if op in _ONE_CHAR:
            out.append(leaf(op, av, flags))
        elif op == sre_c.SUBPATTERN:
            _group, add, drop, sub = av
            out.append("(?:" + _walk(sub, sre_compile._combine_flags(flags, add, drop), leaf) + ")")
        elif op == sre_c.BRANCH:
            out.append("(?:" + "|".join(_walk(alt, flags, leaf) for alt in av[1]) + ")")
        elif op in _REPEATS:
            lo, hi, sub = av
            bound = f"{{{lo},}}" if hi == sre_c.MAXREPEAT else f"{{{lo},{hi}}}"
            out.append("(?:" + _walk(sub, flags, leaf) + ")" + bound)
        elif op == sre_c.AT and av in _AT:
            out.append(_AT[av])
        else:
            raise Unsupported(f"{op} is not translated")
    return "".join(out)


def _parse(regex: str, case_sensitive: bool) -> tuple[Any, int]:
    flags = 0 if case_sensitive else re.IGNORECASE
    parsed = sre_parse.parse(regex, flags)
    flags = parsed.state.flags | flags
    if flags & (re.ASCII | re.LOCALE) or not flags & re.UNICODE:
        raise Unsupported("ASCII/LOCALE flags")
    return parsed.data, flags


def plan(rules: Sequence[Any]) -> Plan:
    """Translate ``rules`` (``rules.Rule``: regex, case_sensitive, max_len); raises ``Unsupported``."""
    parsed = [_parse(r.regex, r.case_sensitive) for r in rules]
    items: dict[tuple[int, str, int], Spans] = {}

    def collect(op: int, av: Any, flags: int) -> str:
        items.setdefault((int(op), repr(av), flags), item_spans(op, av, flags))
        return ""

    for data, flags in parsed:
        _walk(data, flags, collect)
    starts, ids, codes, members = _alphabet(list(items.values()))
    by_item = dict(zip(items, members, strict=True))

    def leaf(op: int, av: Any, flags: int) -> str:
        return _byte_class([codes[c] for c in by_item[(int(op), repr(av), flags)]])

    patterns = tuple(r"\A(?:" + _walk(data, flags, leaf) + r")\z" for data, flags in parsed)
    anchored = tuple(_anchored(r.regex, r.case_sensitive) for r in rules)
    return Plan(patterns, anchored, tuple(r.max_len for r in rules), starts, ids, tuple(codes))


def _anchored(regex: str, case_sensitive: bool) -> bool:
    """Whether every branch starts with a head of STRONG_HEAD characters (only decides speed)."""
    spec = rule_branches(regex, case_sensitive)
    return spec is not None and all(h is not None and min(map(len, h), default=0) >= STRONG_HEAD
                                    for h, _needs, _cs in spec)


@cache
def lower_pairs() -> tuple[tuple[int, int], ...]:
    """(code point, ``str.lower()``) for the non-ASCII characters outside ``risk_points`` that have
    another lower case (for them it is one character, the engine's lower case)."""
    risk = risk_points()
    return tuple(sorted((cp, lo) for lo, moved in _lower_moves().items() for cp in moved
                        if cp >= 0x80 and cp not in risk))


def _alphabet(sets: list[Spans]) -> tuple[tuple[int, ...], tuple[int, ...], list[bytes], list[list[int]]]:
    """Partition the code points into classes: each ASCII character alone (its code is itself, so an
    ASCII line is its own code), the rest into the classes no item (and no word boundary) tells apart.

    Returns interval starts and their class ids (NO_CLASS for surrogates and ``risk_points``), each
    class's code, and per item the classes it matches.
    """
    word = word_spans()
    risk = _from_points(set(risk_points()))
    cuts = (x for s in [*sets, word, risk] for span in s for x in span)
    bounds = sorted({*range(0x81), END, *_SURROGATES, *cuts})
    index = {b: i for i, b in enumerate(bounds)}
    sig = [0] * (len(bounds) - 1)  # bit k: the interval is in item k; bit len(sets): word characters
    for k, spans in enumerate([*sets, word]):
        bit = 1 << k
        for s, e in spans:
            for i in range(index[s], index[e]):
                sig[i] |= bit
    word_bit = 1 << len(sets)
    codes: list[bytes] = [bytes([cp]) for cp in range(0x80)]
    class_sig: list[int] = sig[:0x80]
    by_sig: dict[int, int] = {}
    words, others = iter(_WORD_CODES), iter(_OTHER_CODES)
    interval_ids: list[int] = list(range(0x80))
    for i in range(0x80, len(sig)):
        if _SURROGATES[0] <= bounds[i] < _SURROGATES[1] or spans_contain(risk, bounds[i]):
            interval_ids.append(NO_CLASS)
            continue
        s = sig[i]
        if s not in by_sig:
            code = next(words if s & word_bit else others, None)
            if code is None:
                raise Unsupported("too many character classes for the alphabet")
            by_sig[s] = len(codes)
            codes.append(code)
            class_sig.append(s)
        interval_ids.append(by_sig[s])
    members = [[c for c, s in enumerate(class_sig) if s >> k & 1] for k in range(len(sets))]
    starts: list[int] = []
    ids: list[int] = []
    for b, c in zip(bounds, interval_ids, strict=False):
        if not ids or ids[-1] != c or c < 0x80:
            starts.append(b)
            ids.append(c)
    return tuple(starts), tuple(ids), codes, members


def _byte_class(codes: list[bytes]) -> str:
    """A regex (bytes, no Unicode) matching exactly the given codes."""
    singles = sorted(c[0] for c in codes if len(c) == 1)
    longer: dict[bytes, list[int]] = {}
    for c in codes:
        if len(c) > 1:
            longer.setdefault(c[:-1], []).append(c[-1])
    parts = [_set(singles)] if singles else []
    for head, tail in sorted(longer.items()):
        parts.append("".join(f"\\x{b:02X}" for b in head) + _set(sorted(tail)))
    if not parts:
        return r"[^\x00-\xFF]"  # matches nothing
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _set(values: list[int]) -> str:
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    body = "".join(f"\\x{a:02X}" if a == b else f"\\x{a:02X}-\\x{b:02X}" for a, b in runs)
    return f"[{body}]"


def matcher_for(
    rules: Sequence[Any], gates: Sequence[tuple[str, ...] | None], native: bool | None = None
) -> Any:
    """A ``RuleMatcher`` for ``rules`` (with ``RuleSet.gate``) when the extension is built and allowed
    (``native``; None: WIREFEED_NATIVE), else None; also None (logged) when a pattern is not covered."""
    if not (available() and (not switched_off() if native is None else native)) or not rules:
        return None
    return _matcher(tuple(rules), tuple(gates))


@lru_cache(maxsize=8)
def _matcher(rules: tuple[Any, ...], gates: tuple[tuple[str, ...] | None, ...]) -> Any:
    """One matcher per distinct rule set in a process (tests and workers load the same packs again)."""
    try:
        p = plan(rules)
    except Unsupported as exc:
        log.warning("strip rules stay on the Python matcher: %s", exc)
        return None
    return wirefeed_native.RuleMatcher(
        list(p.patterns), list(p.anchored), list(p.max_len), [None if g is None else list(g) for g in gates],
        list(p.starts), list(p.ids), list(p.codes), list(lower_pairs()),
    )


def spans_contain(spans: Spans, cp: int) -> bool:
    i = bisect.bisect_right(spans, (cp, END)) - 1
    return i >= 0 and spans[i][0] <= cp < spans[i][1]
