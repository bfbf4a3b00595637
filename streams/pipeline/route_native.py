"""Bridge to the compiled route evaluator (Rust, native/src/route.rs, class ``wirefeed_native.Router``).

Python stays the specification (``route.route_python``). A validated, compiled rule set is turned
into plain data once (the trigger plan's bitmasks as 64-bit words, one leaf per evidence slot with
the iteration order of its sets, the expression nodes with their clause texts, the phrase list) and
the native evaluator is built from it; ``route.compile_rules`` caches it on the compiled rule set.

The native evaluator handles a story when headline and body are in the Basic Multilingual Plane and
every character lower-cases to one character without a context rule (``str.lower()`` turns capital
sigma into a final or medial sigma by context, and a few characters into two), source and language
are ASCII and the story countries plain ASCII strings; for any other story it returns None and
``route()`` runs the Python path (see docs/routing.md, "Native fast path").
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from array import array
from functools import cache
from typing import TYPE_CHECKING, Any

from streams.pipeline.native_ext import has, switched_off, wirefeed_native
from streams.pipeline.route_lang import (
    All,
    AnyOf,
    AtLeast,
    CountryCond,
    EntityCond,
    Expr,
    LanguageCond,
    Not,
    PhraseCond,
    RouteRef,
    RuleSet,
    SameParagraph,
    SourceCond,
)
from streams.pipeline.types import RouteResult

if TYPE_CHECKING:
    from streams.pipeline.route import _Compiled

log = logging.getLogger(__name__)

_BMP = 0x10000
_NONE = 0xFFFFFFFF
_logged = False


def available() -> bool:
    return has("Router")


def enabled() -> bool:
    """Whether the native evaluator should be used: built, and not switched off with WIREFEED_NATIVE=0."""
    return available() and not switched_off()


@cache
def _char_tables() -> tuple[bytes, bytes]:
    """``str.lower()`` and ``str.isalnum()`` for every BMP character, by Python itself (once per process).

    A character whose lower case is not one BMP character, and capital sigma (lower-cased by context),
    map to 0xFFFFFFFF: a story holding one takes the Python path.
    """
    lower = array("I", bytes(4 * _BMP))
    if lower.itemsize != 4:  # pragma: no cover - every supported platform has a 32-bit "I"
        raise RuntimeError("array('I') is not 32-bit")
    for i in range(_BMP):
        low = chr(i).lower()
        lower[i] = ord(low) if len(low) == 1 and ord(low) < _BMP else _NONE
    lower[0x3A3] = _NONE
    if sys.byteorder != "little":  # pragma: no cover
        lower.byteswap()
    alnum = bytes(chr(i).isalnum() for i in range(_BMP))
    return lower.tobytes(), alnum


def _words(x: int, n: int) -> list[int]:
    return [(x >> (64 * k)) & 0xFFFF_FFFF_FFFF_FFFF for k in range(n)]


def _zones(z: frozenset[str] | None) -> tuple[bool, bool, bool] | None:
    return None if z is None else ("headline" in z, "lead" in z, "body" in z)


def _opt(v: frozenset[str] | None) -> list[str] | None:
    return None if v is None else list(v)  # the set's own iteration order: evidence lists ties in it


def _result_cls() -> type:
    """RouteResult, checked: the native side allocates it and sets its slots, which equals calling
    ``RouteResult(routes=..., reasons=...)`` only for a plain slots dataclass of exactly these fields."""
    names = tuple(f.name for f in dataclasses.fields(RouteResult))
    if (names != ("routes", "reasons") or "__slots__" not in RouteResult.__dict__
            or hasattr(RouteResult, "__post_init__")):
        raise RuntimeError("RouteResult changed: update native/src/route.rs and route_native.py")
    return RouteResult


def build_spec(rules: RuleSet, comp: _Compiled) -> dict[str, Any]:
    """The plain-data description of a compiled rule set that the native evaluator is built from."""
    from streams.pipeline import route as r  # imported late: route imports this module

    plan = comp.plan
    n_routes = len(rules.routes)
    width = max(1, (plan.n_clauses + n_routes + 63) // 64)
    lower, alnum = _char_tables()
    leaves: dict[int, tuple[Any, ...]] = {}
    nodes: list[tuple[Any, ...]] = []
    node_of: dict[int, int] = {}

    def leaf(e: Expr) -> int:
        slot = comp.ev_slot[id(e)]
        if slot in leaves:
            return slot
        if isinstance(e, EntityCond):
            spec: tuple[Any, ...] = (
                "entity", _opt(e.ids), _opt(e.types), _opt(e.countries), r._zone_slot(e.zones),
                r._WHERE_OR_NOT[e.zones], _zones(e.zones), e.min_count, e.min_distinct,
                None if e.share is None else float(e.share), _opt(e.share_of))
        elif isinstance(e, PhraseCond):
            spec = ("phrase", list(e.phrase_ids), _zones(e.zones), e.min_count)
        elif isinstance(e, CountryCond):
            spec = ("country", list(e.codes), e.top)
        elif isinstance(e, SourceCond):
            spec = ("source", list(e.names))
        elif isinstance(e, LanguageCond):
            spec = ("language", list(e.codes))
        elif isinstance(e, SameParagraph):
            kids = [leaf(c) for c in e.children]
            first = sorted(e.children, key=lambda k: not isinstance(k, PhraseCond))  # as _same_paragraph_fn
            spec = ("same_paragraph", kids, [comp.ev_slot[id(c)] for c in first], e.min_paragraphs)
        else:
            raise TypeError(f"not a leaf: {e!r}")
        leaves[slot] = spec
        return slot

    def node(e: Expr) -> int:
        k = node_of.get(id(e))
        if k is not None:
            return k
        if isinstance(e, All | AnyOf):
            spec: tuple[Any, ...] = ("all" if isinstance(e, All) else "any", [node(c) for c in e.children])
        elif isinstance(e, AtLeast):
            spec = ("at_least", e.n, [node(c) for c in e.children])
        elif isinstance(e, Not):
            fixed = isinstance(e.child, All | AnyOf | AtLeast | Not | RouteRef)  # as route._build_reasons
            head = f"{e.text} => not satisfied" if fixed else e.text + " => "
            spec = ("not", node(e.child), head, fixed)
        elif isinstance(e, RouteRef):
            spec = ("ref", comp.route_index[e.name], e.text + " => matched: ")
        else:
            spec = ("leaf", leaf(e), e.text + " => ")
        node_of[id(e)] = k = len(nodes)
        nodes.append(spec)
        return k

    roots = [node(rt.match) for rt in rules.routes]
    if sorted(leaves) != list(range(len(leaves))):
        raise RuntimeError("evidence slots are not dense")

    def strmap(d: dict[str, int]) -> dict[str, list[int]]:
        return {k: _words(v, width) for k, v in d.items()}

    return {
        "lower": lower,
        "alnum": alnum,
        "phrases": list(rules.matcher.phrases),
        "leaves": [leaves[k] for k in range(len(leaves))],
        "nodes": nodes,
        "names": [rt.name for rt in rules.routes],
        "roots": roots,
        "result_cls": _result_cls(),
        "plan": {
            "words": width,
            "n_clauses": plan.n_clauses,
            "always": [i for i in range(n_routes) if plan.always >> i & 1],
            "required": [_words(x, width) for x in plan.required],
            "id": strmap(plan.id), "idz": strmap(plan.idz), "ec": strmap(plan.ec), "ecz": strmap(plan.ecz),
            "et": strmap(plan.et), "etz": strmap(plan.etz),
            "sc": {k: [_words(x, width) for x in v] for k, v in plan.sc.items()},
            "ph": [_words(x, width) for x in plan.ph],
            "phh": [_words(x, width) for x in plan.phh],
            "src": strmap(plan.src), "lang": strmap(plan.lang),
        },
    }


def build(rules: RuleSet, comp: _Compiled) -> Any:
    """A native evaluator for a compiled rule set (raises if the extension is not built)."""
    if not available():
        raise RuntimeError("wirefeed_native (with Router) is not built: pip install ./native")
    return wirefeed_native.Router(build_spec(rules, comp))


def router_for(rules: RuleSet, comp: _Compiled, native: bool | None = None) -> Any | None:
    """The native evaluator for this rule set, or None (extension missing, switched off, or failing).

    ``native=None`` reads WIREFEED_NATIVE (once per rule set, when it is compiled, never per story).
    """
    global _logged
    use = enabled() if native is None else native and available()
    nr = None
    why = "switched off by WIREFEED_NATIVE=0" if available() else "wirefeed_native not built"
    if use:
        try:
            nr = build(rules, comp)
        except Exception as exc:  # a construct the native side rejects: this rule set runs in Python
            log.warning("routing: native evaluator unavailable for rule set %s (%s); using Python",
                        rules.version, exc)
            why = f"native build failed: {exc}"
    if not _logged:
        _logged = True
        if nr is not None:
            log.info("topic routing: native implementation (wirefeed_native), Python for other texts")
        else:
            log.info("topic routing: Python implementation (%s)", why)
    return nr
