"""Topic routing: which ``wire.route.<name>`` topics a tagged story goes to, and why.

Pure function of (rule set, story, tagger output). A rule set is compiled once (when parsed)
into closures, one per route, over facts computed once per story: entity mention counts per
zone, grouped by id and country; story countries; source parts; and phrase hits from a single
Aho-Corasick pass shared by every route. Deciding a match needs only booleans, memoised per
story so a clause shared by several routes (or reached through ``route:``) is evaluated once.
Only routes whose necessary *trigger* atoms are present in the story are evaluated at all.
Reasons (clause + evidence strings) are built afterwards, for matched routes only, by reason
closures compiled with the predicates, over the same evidence code that ``explain`` uses; leaves
with equal content share their evidence across routes. The language is documented in
``docs/routing.md``.

This Python evaluator is the specification. ``route()`` runs the compiled one
(``route_native``, Rust in native/src/route.rs) when the extension is built, WIREFEED_NATIVE is not
0 (read when the rule set is compiled) and the story is one it covers; ``route_python()`` always
runs this one. Both give exactly the same ``RouteResult`` (see docs/routing.md, "Native fast path").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations, product
from math import prod
from typing import Any

import ahocorasick

from streams.pipeline import route_native
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
    PhraseMatcher,
    Route,
    RouteRef,
    RuleSet,
    SameParagraph,
    SourceCond,
)
from streams.pipeline.types import Entity, RouteResult, TagResult

__all__ = ["explain", "route", "route_python"]

HEADLINE = -1  # paragraph index of the headline; body paragraphs are numbered from 1

# A story's entity row: (entity, total, headline, lead, body, headline+lead, headline+body) mentions.
# The last field is the row's index (into ``_Story.mention_paras``).
Row = tuple[Entity, int, int, int, int, int, int, int]
Fn = Callable[["_Story"], bool]

# ----------------------------------------------------------------------------- triggers (per rule set)
# A route's *trigger* is a conjunction of clauses, each a set of atoms one of which must be in the
# story for the route to possibly match (entity id / country / type, the same with a mention in
# headline or lead, story country within a rank, phrase, phrase in the headline, source, language).
# ``not`` contributes nothing (absence cannot be indexed); ``any``/``at_least`` contribute one
# clause, the union of one clause of each child. Routes are indexed by their most selective clause;
# the other clauses are checked as a bitmask before a candidate is evaluated.
Atom = tuple[str, Any]
Clause = frozenset[Atom]
_WEIGHT = {"id": 1, "idz": 1, "phh": 0.5, "ph": 1, "src": 1, "sc": 2, "ecz": 2, "ec": 3, "lang": 40,
           "etz": 60, "et": 100}
_HL = frozenset(("headline", "lead"))


def _cost(c: Clause) -> float:
    return sum(_WEIGHT[k] for k, _ in c)


def _clauses(e: Expr, refs: dict[str, list[Clause]]) -> list[Clause]:
    """Necessary clauses of ``e`` (every one must have an atom in the story for ``e`` to be true)."""
    if isinstance(e, EntityCond):
        z = "z" if e.zones is not None and e.zones <= _HL else ""
        out = []
        if e.ids is not None:
            out.append(frozenset(("id" + z, i) for i in e.ids))
        if e.countries is not None:
            out.append(frozenset(("ec" + z, c) for c in e.countries))
        if e.types is not None:
            out.append(frozenset(("et" + z, t) for t in e.types))
        return out
    if isinstance(e, CountryCond):
        return [frozenset(("sc", (c, e.top)) for c in e.codes)]
    if isinstance(e, PhraseCond):
        kind = "phh" if e.zones == frozenset(("headline",)) else "ph"
        return [frozenset((kind, p) for p in e.phrase_ids)]
    if isinstance(e, SourceCond):
        return [frozenset(("src", s) for s in e.names)]
    if isinstance(e, LanguageCond):
        return [frozenset(("lang", c) for c in e.codes)]
    if isinstance(e, RouteRef):
        return refs[e.name]
    if isinstance(e, All | SameParagraph):
        return list(dict.fromkeys(c for child in e.children for c in _clauses(child, refs)))
    if isinstance(e, AnyOf):
        return _disjunction([_clauses(child, refs) for child in e.children])
    if isinstance(e, AtLeast):
        # n of k true => every group of k-n+1 children holds a true one
        kids = [_clauses(child, refs) for child in e.children]
        out: list[Clause] = []
        for group in combinations(range(len(kids)), len(kids) - e.n + 1):
            out.extend(_disjunction([kids[i] for i in group]))
            if len(out) > _MAX_CLAUSES:
                break
        return list(dict.fromkeys(out))
    return []  # Not


_MAX_CLAUSES = 16


def _disjunction(kids: list[list[Clause]]) -> list[Clause]:
    """Necessary clauses of ``any(kids)``: a clause of each child, united, for every combination
    (or only each child's most selective clause when there are too many combinations)."""
    if any(not cs for cs in kids):
        return []
    if prod(len(cs) for cs in kids) > _MAX_CLAUSES:
        kids = [[min(cs, key=_cost)] for cs in kids]
    return list(dict.fromkeys(frozenset().union(*combo) for combo in product(*kids)))


def _iter_refs(e: Expr) -> list[str]:
    if isinstance(e, RouteRef):
        return [e.name]
    if isinstance(e, All | AnyOf | AtLeast | SameParagraph):
        return [n for c in e.children for n in _iter_refs(c)]
    if isinstance(e, Not):
        return _iter_refs(e.child)
    return []


@dataclass(slots=True)
class _Plan:
    """Atom -> bits; the low ``n_clauses`` bits are clauses, the bits above are routes (by index)."""

    n_clauses: int
    always: int  # routes without a clause, always evaluated
    required: list[int]  # route index -> clause bits it needs
    id: dict[str, int]
    idz: dict[str, int]
    ec: dict[str, int]
    ecz: dict[str, int]
    et: dict[str, int]
    etz: dict[str, int]
    sc: dict[str, list[int]]  # country -> bits by rank (index 0 = rank 1; last = beyond every top)
    ph: list[int]  # phrase id -> bits (a list: the scan ORs them in once per phrase found)
    phh: list[int]  # the same, for a phrase found in the headline
    src: dict[str, int]
    lang: dict[str, int]
    has_phrases: bool


def _plan(rules: RuleSet) -> _Plan:
    by_name = {r.name: r for r in rules.routes}
    refs: dict[str, list[Clause]] = {}

    def clauses_of(name: str) -> list[Clause]:  # references are acyclic (checked by the parser)
        if name not in refs:
            for ref in _iter_refs(by_name[name].match):
                clauses_of(ref)
            refs[name] = _clauses(by_name[name].match, refs)
        return refs[name]

    per_route = [clauses_of(r.name) for r in rules.routes]
    bit_of: dict[Clause, int] = {}
    for cs in per_route:
        for c in cs:
            bit_of.setdefault(c, 1 << len(bit_of))
    n = len(bit_of)
    atom_bits: dict[Atom, int] = {}
    for c, bit in bit_of.items():
        for a in c:
            atom_bits[a] = atom_bits.get(a, 0) | bit
    always = 0
    required = []
    for i, cs in enumerate(per_route):
        required.append(sum(bit_of[c] for c in cs))
        if not cs:
            always |= 1 << i
            continue
        rbit = 1 << (n + i)
        for a in min(cs, key=_cost):
            atom_bits[a] |= rbit
    n_phrases = len(rules.matcher.phrases)
    plan = _Plan(n, always, required, {}, {}, {}, {}, {}, {}, {}, [0] * n_phrases, [0] * n_phrases, {}, {},
                 bool(rules.matcher.phrases))
    tops = [a[1][1] for a in atom_bits if a[0] == "sc" and a[1][1] is not None]
    ranks = max(tops, default=0) + 1
    for (kind, val), bits in atom_bits.items():
        if kind == "sc":
            code, top = val
            lst = plan.sc.setdefault(code, [0] * ranks)
            for r in range(ranks if top is None else top):
                lst[r] |= bits
        else:
            getattr(plan, kind)[val] = bits
    return plan


# ----------------------------------------------------------------------------- compiled rule set
@dataclass(slots=True)
class _Compiled:
    plan: _Plan
    fns: list[Fn]  # route index -> predicate
    fast: dict[int, Fn]  # id(expr) -> predicate, for every clause of every route
    routes: dict[str, Route]
    route_index: dict[str, int]
    n_leaves: int
    ev_slot: dict[int, int]  # id(leaf) -> evidence slot, shared by leaves with equal content and order
    names: list[str]  # route index -> name
    reason_fns: list[Reasons]  # route index -> reasons of the route when it matched
    phrase_order: dict[int, dict[int, int]]  # id(phrase clause) -> phrase id -> rank in its iteration order
    automaton: Any  # see ``_automaton``; None without phrases
    native: Any = None  # the native evaluator (``route_native``), or None: Python path only


_EXACT, _PREFIX, _SEVERAL = 0, 1, 2  # kinds of automaton value


def _automaton(matcher: PhraseMatcher) -> Any:
    """Like the rule set's matcher, but one value per key so a hit is checked once for all phrases:
    ``(key length, phrase id, _EXACT | _PREFIX)`` for a key of one phrase (the usual case), else
    ``(key length, (exact phrase ids, prefix phrase ids), _SEVERAL)``."""
    if not matcher.phrases:
        return None
    keys: dict[str, tuple[list[int], list[int]]] = {}
    for pid, norm in enumerate(matcher.phrases):
        prefix = norm.endswith("*")
        exact, pre = keys.setdefault(norm[:-1] if prefix else norm, ([], []))
        (pre if prefix else exact).append(pid)
    auto = ahocorasick.Automaton()
    for key, (exact, pre) in keys.items():
        if len(exact) + len(pre) == 1:
            auto.add_word(key, (len(key), exact[0], _EXACT) if exact else (len(key), pre[0], _PREFIX))
        else:
            auto.add_word(key, (len(key), (tuple(exact), tuple(pre)), _SEVERAL))
    auto.make_automaton()
    return auto


def compile_rules(rules: RuleSet, *, native: bool | None = None) -> _Compiled:
    """Compile (once per rule set) the predicates, the trigger index, the phrase automaton and, when
    the extension is built and allowed (``native``; None: WIREFEED_NATIVE, read here, not per story),
    the native evaluator. A cached compilation is returned as is when ``native`` is None."""
    cached = getattr(rules, "compiled", None)
    if cached is not None:
        if native is not None and (cached.native is not None) != native:
            cached.native = route_native.router_for(rules, cached, native)
        return cached
    comp = _Compiler(rules)
    compiled = _Compiled(
        plan=_plan(rules), fns=comp.fns, fast=comp.fast, routes={r.name: r for r in rules.routes},
        route_index=comp.index, n_leaves=len(comp.leaves), ev_slot=comp.ev_slot,
        phrase_order=comp.phrase_order, names=[r.name for r in rules.routes], reason_fns=[],
        automaton=_automaton(rules.matcher),
    )
    done: dict[int, Reasons] = {}
    compiled.reason_fns.extend(_reasons_fn(r.match, compiled, done) for r in rules.routes)
    compiled.native = route_native.router_for(rules, compiled, native)
    object.__setattr__(rules, "compiled", compiled)
    return compiled


def _zone_slot(zones: frozenset[str] | None) -> int:
    """Index into a ``Row`` of the mention count in ``zones`` (``lead`` is inside ``body``)."""
    if zones is None:
        return 1
    h = "headline" in zones
    if "body" in zones:
        return 6 if h else 4
    if "lead" in zones:
        return 5 if h else 3
    return 2


class _Compiler:
    """Expression tree -> closures. Identical leaves (by content) share one memo slot per story."""

    def __init__(self, rules: RuleSet) -> None:
        self.index = {r.name: i for i, r in enumerate(rules.routes)}
        self.fast: dict[int, Fn] = {}
        self.leaves: dict[tuple, Fn] = {}
        self.fns: list[Fn] = []
        self.phrase_order: dict[int, dict[int, int]] = {}
        self.ev_slot: dict[int, int] = {}
        self.ev_keys: dict[tuple, int] = {}
        for r in rules.routes:
            self.fns.append(self.expr(r.match))

    def expr(self, e: Expr) -> Fn:
        fn = self.fast.get(id(e))
        if fn is None:
            fn = self.fast[id(e)] = self._expr(e)
        return fn

    def _expr(self, e: Expr) -> Fn:
        if isinstance(e, All | AnyOf | AtLeast):
            kids = tuple(self.expr(c) for c in e.children)
            if isinstance(e, All):
                return _all(kids)
            if isinstance(e, AnyOf):
                return _any(kids)
            return _at_least(kids, e.n)
        if isinstance(e, Not):
            child = self.expr(e.child)
            return lambda s: not child(s)
        if isinstance(e, RouteRef):
            return _ref(self.index[e.name], self.fns)
        if isinstance(e, SameParagraph):
            for c in e.children:
                self.expr(c)  # so the reasons walk can ask each child too
        if isinstance(e, PhraseCond):
            self.phrase_order[id(e)] = {pid: k for k, pid in enumerate(e.phrase_ids)}
        key = _leaf_key(e)
        self.ev_slot[id(e)] = self.ev_keys.setdefault((key, _order_sig(e)), len(self.ev_keys))
        fn = self.leaves.get(key)
        if fn is None:
            fn = self.leaves[key] = _memo(len(self.leaves), _leaf_fn(e))
        return fn


def _leaf_key(e: Expr) -> tuple:
    if isinstance(e, EntityCond):
        return ("entity", e.ids, e.types, e.countries, e.zones, e.min_count, e.min_distinct, e.share,
                e.share_of)
    if isinstance(e, PhraseCond):
        return ("phrase", e.phrase_ids, e.zones, e.min_count)
    if isinstance(e, CountryCond):
        return ("country", e.codes, e.top)
    if isinstance(e, SourceCond):
        return ("source", e.names)
    if isinstance(e, LanguageCond):
        return ("language", e.codes)
    if isinstance(e, SameParagraph):
        return ("same_paragraph", tuple(_leaf_key(c) for c in e.children), e.min_paragraphs)
    raise TypeError(f"not a leaf: {e!r}")


def _order_sig(e: Expr) -> tuple:
    """Iteration order of a leaf's sets: evidence lists ties in that order, so two leaves share
    evidence only when their sets iterate alike (equal frozensets may not)."""
    if isinstance(e, SameParagraph):
        return tuple(_order_sig(c) for c in e.children)
    return tuple(tuple(v) if isinstance(v, frozenset) else v
                 for v in (getattr(e, f, None) for f in ("ids", "types", "countries", "phrase_ids", "codes",
                                                          "names", "share_of")))


def _all(kids: tuple[Fn, ...]) -> Fn:
    if len(kids) == 2:
        a, b = kids
        return lambda s: a(s) and b(s)

    def f(s: _Story) -> bool:
        for k in kids:  # noqa: SIM110 - a plain loop is cheaper than all() over a generator
            if not k(s):
                return False
        return True
    return f


def _any(kids: tuple[Fn, ...]) -> Fn:
    if len(kids) == 2:
        a, b = kids
        return lambda s: a(s) or b(s)

    def f(s: _Story) -> bool:
        for k in kids:  # noqa: SIM110 - a plain loop is cheaper than any() over a generator
            if k(s):
                return True
        return False
    return f


def _at_least(kids: tuple[Fn, ...], n: int) -> Fn:
    total = len(kids)

    def f(s: _Story) -> bool:
        got = 0
        for i, k in enumerate(kids):
            if k(s):
                got += 1
                if got >= n:
                    return True
            elif got + total - i - 1 < n:
                return False
        return False
    return f


def _ref(index: int, fns: list[Fn]) -> Fn:
    def f(s: _Story) -> bool:
        v = s.rmemo.get(index)
        if v is None:
            v = s.rmemo[index] = fns[index](s)
        return v
    return f


def _memo(slot: int, fn: Fn) -> Fn:
    def f(s: _Story) -> bool:
        v = s.memo.get(slot)
        if v is None:
            v = s.memo[slot] = fn(s)
        return v
    return f


def _leaf_fn(e: Expr) -> Fn:
    if isinstance(e, EntityCond):
        return _entity_fn(e)
    if isinstance(e, PhraseCond):
        return _phrase_fn(e)
    if isinstance(e, CountryCond):
        codes, top = e.codes, e.top
        if top is None:
            return lambda s: not codes.isdisjoint(s.countries)
        return lambda s: not codes.isdisjoint(s.countries[:top])
    if isinstance(e, SourceCond):
        names = e.names
        return lambda s: not names.isdisjoint(s.source_parts)
    if isinstance(e, LanguageCond):
        langs = e.codes
        return lambda s: s.language in langs
    if isinstance(e, SameParagraph):
        return _same_paragraph_fn(e)
    raise TypeError(f"not a leaf: {e!r}")


def _entity_fn(c: EntityCond) -> Fn:
    ids, types, countries = c.ids, c.types, c.countries
    slot = _zone_slot(c.zones)
    min_count, min_distinct, share, share_of = c.min_count, c.min_distinct, c.share, c.share_of
    plain = min_distinct == 1 and share is None
    n_countries = len(countries) if countries is not None else 0
    only_country = next(iter(countries)) if countries is not None and n_countries == 1 else None

    def f(s: _Story) -> bool:
        rows = s.rows if s.rows is not None else s.build_rows()
        if ids is not None:
            by_id = s.by_id
            present = ids.intersection(by_id)
            if not present:
                return False
            if len(present) == 1:
                for i in present:
                    pool: Any = by_id[i]
            else:
                pool = []
                for i in present:
                    pool.extend(by_id[i])
        elif countries is not None:
            by_country = s.by_country
            if n_countries == 1:
                pool = by_country.get(only_country)
                if pool is None:
                    return False
            else:
                pool = []
                for k in countries.intersection(by_country):
                    pool.extend(by_country[k])
        else:
            pool = rows
        total = distinct = 0
        counted = []
        for t in pool:
            e = t[0]
            if ((ids is None or e.id in ids) and (types is None or e.type in types)
                    and (countries is None or e.country in countries)):
                n = t[slot]
                if n:
                    total += n
                    if plain:
                        if total >= min_count:
                            return True
                    else:
                        distinct += 1
                        counted.append(t)
        if plain or total < min_count or distinct < min_distinct:
            return False
        if share is None:
            return True
        type_totals = s.type_totals
        num = denom = 0
        if share_of is None:  # the selected entities' own types
            seen = set()
            for t in counted:
                num += t[1]
                ty = t[0].type
                if ty not in seen:
                    seen.add(ty)
                    denom += type_totals[ty]
        else:
            for t in counted:
                if t[0].type in share_of:
                    num += t[1]
            for ty in share_of:
                denom += type_totals.get(ty, 0)
        return (num / denom if denom else 0.0) >= share
    return f


def _phrase_fn(c: PhraseCond) -> Fn:
    pids, zones, min_count = c.phrase_ids, c.zones, c.min_count
    if zones is None:
        def f(s: _Story) -> bool:
            hits = s.hits if s.scanned else s.scan()
            n = 0
            for pid in pids.intersection(hits):
                n += len(hits[pid])
                if n >= min_count:
                    return True
            return False
        return f
    in_head = "headline" in zones
    in_body = "body" in zones
    in_lead = in_body or "lead" in zones

    def g(s: _Story) -> bool:
        hits = s.hits if s.scanned else s.scan()
        if not hits:
            return False
        hl, lead = s.hl, s.lead_t
        n = 0
        for pid in pids.intersection(hits):
            for pos in hits[pid]:
                if (in_head if pos < hl else in_lead if pos < lead else in_body):
                    n += 1
                    if n >= min_count:
                        return True
        return False
    return g


def _para_fn(c: EntityCond | PhraseCond) -> Callable[[_Story], set[int]]:
    """The paragraphs (headline = -1) holding the clause's entities/phrases, ignoring min_count."""
    zones = c.zones
    in_head = zones is None or "headline" in zones
    in_body = zones is None or "body" in zones
    in_lead = in_body or (zones is not None and "lead" in zones)
    if isinstance(c, PhraseCond):
        pids = c.phrase_ids

        def ph(s: _Story) -> set[int]:
            hits = s.hits if s.scanned else s.scan()
            out: set[int] = set()
            if not hits:
                return out
            hl, lead, nls = s.hl, s.lead_t, s.text_nl
            for pid in pids.intersection(hits):
                for pos in hits[pid]:
                    if pos < hl:
                        if in_head:
                            out.add(HEADLINE)
                    elif in_body or (in_lead and pos < lead):
                        out.add(bisect_left(nls, pos))
            return out
        return ph
    ids, types, countries = c.ids, c.types, c.countries

    anywhere = zones is None

    def ent(s: _Story) -> set[int]:
        rows = s.rows if s.rows is not None else s.build_rows()
        out: set[int] = set()
        if ids is not None:
            by_id = s.by_id
            pool: Any = []
            for i in ids.intersection(by_id):
                pool.extend(by_id[i])
        elif countries is not None:
            by_country = s.by_country
            pool = []
            for k in countries.intersection(by_country):
                pool.extend(by_country[k])
        else:
            pool = rows
        if not pool:
            return out
        mp = s.mention_paras if s.mention_paras is not None else s.build_paras()
        for t in pool:
            e = t[0]
            if (types is None or e.type in types) and (countries is None or e.country in countries):
                ps = mp[t[7]]
                if ps is None:
                    ps = s.paras(t)
                if anywhere:
                    out.update(ps)
                    continue
                for p in ps:
                    if (in_head if p == HEADLINE else in_lead if p == 1 else in_body):
                        out.add(p)
        return out
    return ent


def _same_paragraph_fn(c: SameParagraph) -> Fn:
    # phrases first: a phrase that is absent decides without looking at mentions
    kids = sorted(c.children, key=lambda k: not isinstance(k, PhraseCond))
    fns = tuple(_para_fn(k) for k in kids)
    need = c.min_paragraphs

    def f(s: _Story) -> bool:
        common: set[int] | None = None
        for fn in fns:
            paras = fn(s)
            common = paras if common is None else common & paras
            if len(common) < need:
                return False
        return True
    return f


# ----------------------------------------------------------------------------- per-story view
class _Story:
    """Facts about one story, computed at most once and shared by every route evaluated on it."""

    __slots__ = (
        "_body_nl",
        "_text",
        "automaton",
        "bits",
        "body",
        "by_country",
        "by_id",
        "cache",
        "countries",
        "entities",
        "ev_slot",
        "headline",
        "hits",
        "hl",
        "labels",
        "language",
        "lead_end",
        "lead_t",
        "matcher",
        "memo",
        "mention_paras",
        "phrase_order",
        "plan",
        "reason_fns",
        "reasons",
        "rmemo",
        "rows",
        "scanned",
        "source",
        "source_parts",
        "text_nl",
        "type_totals",
    )

    def __init__(self, compiled: _Compiled, matcher: PhraseMatcher, headline: str, body: str,
                 tags: TagResult, source: str, language: str | None) -> None:
        self.matcher = matcher
        self.automaton = compiled.automaton
        self.plan = compiled.plan
        self.phrase_order = compiled.phrase_order
        self.ev_slot = compiled.ev_slot
        self.reason_fns = compiled.reason_fns
        self.headline = headline or ""
        body = self.body = body or ""
        self.entities = tags.entities
        self.countries = tags.countries
        src = self.source = (source or "").strip().lower()
        if "/" in src or "," in src:  # "IANS/EFE" is from ians and from efe
            self.source_parts = {src, *(p.strip() for p in src.replace(",", "/").split("/"))}
        else:
            self.source_parts = {src}
        lang = (language or "").strip().lower()
        self.language = lang.replace("_", "-").split("-")[0] if "-" in lang or "_" in lang else lang
        nl = body.find("\n")
        self.lead_end = len(body) if nl < 0 else nl
        self.scanned = False
        self.hits: dict[int, list[int]] = {}
        self._text = ""
        self.hl = self.lead_t = 0
        self.text_nl: list[int] = []
        self._body_nl: list[int] | None = None
        self.rows: list[Row] | None = None
        self.bits = 0
        self.mention_paras: list[list[int] | None] | None = None
        self.labels: dict[int, str] = {}  # row index -> "name (id) x", for evidence
        self.by_id: dict[str, list[Row]] = {}
        self.by_country: dict[str | None, list[Row]] = {}
        self.type_totals: dict[str, int] = {}
        # results so far, by leaf slot / route index (dicts: only a few of them are asked per story)
        self.memo: dict[int, bool] = {}
        self.rmemo: dict[int, bool] = {}
        self.cache: dict[int, tuple[bool, str]] = {}  # evidence slot -> (result, evidence)
        self.reasons: dict[int, list[str]] = {}  # matched route index -> reasons

    # -- entities
    def build_rows(self, plan: _Plan | None = None) -> list[Row]:
        """Entity rows and indexes; with ``plan``, also ORs the entities' trigger bits into ``bits``."""
        lead_end = self.lead_end
        rows: list[Row] = []
        by_id, by_country, type_totals = self.by_id, self.by_country, self.type_totals
        by_id.clear()  # idempotent
        by_country.clear()
        type_totals.clear()
        bits = 0
        if plan is not None:
            p_id, p_idz, p_ec, p_ecz, p_et, p_etz = plan.id, plan.idz, plan.ec, plan.ecz, plan.et, plan.etz
            zoned = bool(p_idz or p_ecz or p_etz)
        for e in self.entities:
            mentions = e.mentions
            if not mentions:
                if e.count <= 0:  # placeholders without a count or mention play no part
                    continue
                nh = nl = nb = 0
                total = e.count
            else:
                nh = nl = nb = 0
                for m in mentions:
                    if m.field == "headline":
                        nh += 1
                    else:
                        nb += 1
                        if m.start < lead_end:
                            nl += 1
                total = e.count if e.count > len(mentions) else len(mentions)
            t = (e, total, nh, nl, nb, nh + nl, nh + nb, len(rows))
            rows.append(t)
            eid, country, etype = e.id, e.country, e.type
            if eid in by_id:
                by_id[eid].append(t)
            else:
                by_id[eid] = [t]
            if country in by_country:
                by_country[country].append(t)
            else:
                by_country[country] = [t]
            if etype in type_totals:
                type_totals[etype] += total
            else:
                type_totals[etype] = total
            if plan is not None:
                if eid in p_id:
                    bits |= p_id[eid]
                if country in p_ec:
                    bits |= p_ec[country]
                if etype in p_et:
                    bits |= p_et[etype]
                if zoned and (nh or nl):  # mentioned in headline or lead
                    if eid in p_idz:
                        bits |= p_idz[eid]
                    if country in p_ecz:
                        bits |= p_ecz[country]
                    if etype in p_etz:
                        bits |= p_etz[etype]
        self.rows = rows
        self.bits |= bits
        return rows

    def build_paras(self) -> list[list[int] | None]:
        """Per row, filled in by ``paras``; rows nobody asks about are never computed."""
        rows = self.rows if self.rows is not None else self.build_rows()
        self.mention_paras = out = [None] * len(rows)
        return out

    def paras(self, t: Row) -> list[int]:
        """The paragraph of each mention of a row's entity (headline = -1, body paragraphs from 1)."""
        mp = self.mention_paras if self.mention_paras is not None else self.build_paras()
        out = mp[t[7]]
        if out is None:
            nls = self._body_nl
            if nls is None:
                self.body_para(0)
                nls = self._body_nl
            out = mp[t[7]] = []
            for m in t[0].mentions:
                out.append(HEADLINE if m.field == "headline" else bisect_right(nls, m.start) + 1)
        return out

    # -- phrases
    def scan(self) -> dict[int, list[int]]:
        """phrase_id -> start offsets in ``headline.lower() + '\\n' + body.lower()``, word-bounded."""
        self.scanned = True
        text = self._text = f"{self.headline.lower()}\n{self.body.lower()}"
        hl = self.hl = text.find("\n")
        nls = self.text_nl = [hl]
        i = text.find("\n", hl + 1)
        self.lead_t = len(text) if i < 0 else i
        while i >= 0:
            nls.append(i)
            i = text.find("\n", i + 1)
        auto = self.automaton
        hits = self.hits
        if auto is None:
            return hits
        last = len(text) - 1
        plan = self.plan
        ph, phh = plan.ph, plan.phh
        bits = 0
        for end, (length, pid, kind) in auto.iter(text):
            start = end - length + 1
            if start and text[start - 1].isalnum():
                continue
            if kind == 2:  # _SEVERAL
                exact, prefix = pid
                ids = prefix if end != last and text[end + 1].isalnum() else exact + prefix
            elif kind == 0 and end != last and text[end + 1].isalnum():
                continue  # _EXACT needs a word boundary after it too
            else:
                ids = (pid,)
            for pid in ids:
                lst = hits.get(pid)
                if lst is None:
                    hits[pid] = [start]
                    bits |= ph[pid]
                else:
                    lst.append(start)
                if start < hl:
                    bits |= phh[pid]
        self.bits |= bits
        return hits

    def phrase_zone_ok(self, pos: int, zones: frozenset[str] | None) -> bool:
        if zones is None:
            return True
        if pos < self.hl:
            return "headline" in zones
        return "body" in zones or ("lead" in zones and pos < self.lead_t)

    # -- entity mentions
    def body_para(self, start: int) -> int:
        if self._body_nl is None:
            nl, i = [], self.body.find("\n")
            while i >= 0:
                nl.append(i)
                i = self.body.find("\n", i + 1)
            self._body_nl = nl
        return bisect_right(self._body_nl, start) + 1



# ----------------------------------------------------------------------------- evidence (reasons, explain)
def _select(c: EntityCond, story: _Story) -> list[Row]:
    """The rows a clause selects, in a fixed order (the evidence lists ties in this order)."""
    rows = story.rows if story.rows is not None else story.build_rows()
    ids, types, countries = c.ids, c.types, c.countries
    if ids is not None:
        if len(ids) < len(rows):
            by_id = story.by_id
            pool: list[Row] = []
            for i in ids:
                if i in by_id:
                    pool.extend(by_id[i])
            if types is None and countries is None:
                return pool  # every row of by_id[i] has id i
        else:
            pool = rows
    elif countries is not None:
        by_country = story.by_country
        pool = []
        for k in countries:
            if k in by_country:
                pool.extend(by_country[k])
        if types is None:
            return pool  # every row of by_country[k] has country k
    else:
        pool = rows
    out = []
    for t in pool:
        e = t[0]
        if ((ids is None or e.id in ids) and (types is None or e.type in types)
                and (countries is None or e.country in countries)):
            out.append(t)
    return out


_ZONE_NAMES = ("headline", "lead", "body")
_WHERE = {frozenset(z): " in " + "/".join(n for n in _ZONE_NAMES if n in z)
          for z in (("headline",), ("lead",), ("body",), ("headline", "lead"), ("headline", "body"),
                    ("lead", "body"), ("headline", "lead", "body"))}


_ZONE_SLOT = {z: _zone_slot(z) for z in (None, *_WHERE)}
_WHERE_OR_NOT = {None: "", **_WHERE}


def _entity(c: EntityCond, story: _Story) -> tuple[bool, str]:
    zones = c.zones
    slot = _ZONE_SLOT[zones]
    want_share = c.share is not None
    share_of = c.share_of
    own_types: set[str] = set()  # the denominator types when ``share_of`` is not given
    order: list[tuple[int, str, int, Row]] = []  # (-count, name, selection index, row)
    total = k = num = 0
    for t in _select(c, story):
        n = t[slot]
        if n > 0:
            e = t[0]
            order.append((-n, e.name, k, t))
            total += n
            k += 1
            if want_share:
                if share_of is None:
                    num += t[1]
                    own_types.add(e.type)
                elif e.type in share_of:
                    num += t[1]
    ok = total >= c.min_count and k >= c.min_distinct
    where = _WHERE_OR_NOT[zones]
    if not k:
        return ok, "no matching entity" + where
    share = None
    if want_share:
        type_totals = story.type_totals
        denom = 0
        for ty in own_types if share_of is None else share_of:
            denom += type_totals.get(ty, 0)
        share = num / denom if denom else 0.0
        ok = ok and share >= c.share
    if k > 1:  # by count, then name; ties keep selection order
        order.sort()
    labels = story.labels
    parts = []
    for o in order[:6]:
        t = o[3]
        label = labels.get(t[7])
        if label is None:
            label = labels[t[7]] = f"{t[0].name} ({t[0].id}) x"
        parts.append(label + str(-o[0]))
    shown = ", ".join(parts)
    if k > 6:
        shown += f", ... +{k - 6}"
    ev = f"{shown}; {total} mention{'s' if total != 1 else ''}{where}"
    if share is not None:
        ev += f"; share {share:.2f}"
    return ok, ev


def _phrase_positions(c: PhraseCond, story: _Story, ordered: bool = True) -> list[tuple[int, int]]:
    hits = story.hits if story.scanned else story.scan()
    found = c.phrase_ids.intersection(hits)
    if not found:
        return []
    if ordered and len(found) > 1:  # in the clause's own order, as same_paragraph evidence lists them
        order = story.phrase_order.get(id(c))
        if order is None:
            order = story.phrase_order[id(c)] = {pid: k for k, pid in enumerate(c.phrase_ids)}
        found = sorted(found, key=order.__getitem__)
    out = []
    zones = c.zones
    for pid in found:
        for pos in hits[pid]:
            if zones is None or story.phrase_zone_ok(pos, zones):
                out.append((pos, pid))
    return out


def _phrase(c: PhraseCond, story: _Story) -> tuple[bool, str]:
    hits = story.hits if story.scanned else story.scan()
    found: list[tuple[int, int]] = []
    zones = c.zones
    if zones is None:
        for pid in c.phrase_ids.intersection(hits):
            for pos in hits[pid]:
                found.append((pos, pid))
    else:
        in_head = "headline" in zones
        in_body = "body" in zones
        in_lead = in_body or "lead" in zones
        hl, lead = story.hl, story.lead_t
        for pid in c.phrase_ids.intersection(hits):
            for pos in hits[pid]:
                if in_head if pos < hl else in_lead if pos < lead else in_body:
                    found.append((pos, pid))
    ok = len(found) >= c.min_count
    if not found:
        return ok, "no phrase found"
    counts: dict[str, int] = {}
    text, phrases = story._text, story.matcher.phrases
    n = len(text)
    found.sort()
    for pos, pid in found:
        word = phrases[pid]
        if word[-1] == "*":
            end = pos + len(word) - 1
            while end < n and text[end].isalnum():
                end += 1
            word = text[pos:end]
        # else: the text there is the automaton key, i.e. the phrase itself
        counts[word] = counts.get(word, 0) + 1
    return ok, "found " + ", ".join([f"'{w}' x{k}" if k > 1 else f"'{w}'" for w, k in counts.items()])


def _country(c: CountryCond, story: _Story) -> tuple[bool, str]:
    limit = c.top if c.top is not None else len(story.countries)
    ranked = [(i + 1, code) for i, code in enumerate(story.countries[:limit]) if code in c.codes]
    if ranked:
        return True, "story countries: " + ", ".join(f"{code} #{i}" for i, code in ranked)
    return False, f"story countries are {story.countries[:8] or 'empty'}"


def _paragraphs(c: EntityCond | PhraseCond, story: _Story) -> dict[int, list[str]]:
    paras: dict[int, list[str]] = {}
    if isinstance(c, EntityCond):
        zones = c.zones
        in_head = zones is None or "headline" in zones
        in_body = zones is None or "body" in zones
        in_lead = in_body or (zones is not None and "lead" in zones)
        mp = story.mention_paras if story.mention_paras is not None else story.build_paras()
        for t in _select(c, story):
            name = t[0].name
            ps = mp[t[7]]
            if ps is None:
                ps = story.paras(t)
            for p in ps:
                if zones is not None and not (in_head if p == HEADLINE else in_lead if p == 1 else in_body):
                    continue
                names = paras.get(p)
                if names is None:
                    paras[p] = [name]
                elif name not in names:
                    names.append(name)
    else:
        found = _phrase_positions(c, story)  # scans first if needed: hl and text_nl come from the scan
        hl, nls, phrases = story.hl, story.text_nl, story.matcher.phrases
        for pos, pid in found:
            p = HEADLINE if pos < hl else bisect_left(nls, pos)
            word = phrases[pid]
            names = paras.get(p)
            if names is None:
                names = paras[p] = []
            if word not in names:  # always true (names hold quoted words); kept as recorded
                names.append(f"'{word}'")
    return paras


def _same_paragraph(c: SameParagraph, story: _Story) -> tuple[bool, str]:
    common: set[int] | None = None
    per: list[dict[int, list[str]]] = []
    for child in c.children:
        paras = _paragraphs(child, story)
        per.append(paras)
        common = set(paras) if common is None else common.intersection(paras)
        if not common:
            break  # decided: the remaining children cannot add a paragraph
    common = common or set()
    ok = len(common) >= c.min_paragraphs
    if not common:
        return ok, "no paragraph has all of them"
    shown = []
    for p in sorted(common)[:3]:
        label = "headline" if p == HEADLINE else f"paragraph {p}"
        names = "; ".join(", ".join(d[p][:3]) for d in per)
        shown.append(f"{label}: {names}")
    more = f" (+{len(common) - 3} more)" if len(common) > 3 else ""
    return ok, " | ".join(shown) + more


def _source(c: SourceCond, story: _Story) -> tuple[bool, str]:
    return not c.names.isdisjoint(story.source_parts), f"source is '{story.source}'"


def _language(c: LanguageCond, story: _Story) -> tuple[bool, str]:
    return story.language in c.codes, f"language is '{story.language or 'unknown'}'"


_EVIDENCE: dict[type, Callable[[Any, _Story], tuple[bool, str]]] = {
    EntityCond: _entity, PhraseCond: _phrase, CountryCond: _country, SameParagraph: _same_paragraph,
    SourceCond: _source, LanguageCond: _language,
}


def _leaf(e: Expr, story: _Story) -> tuple[bool, str]:
    """(result, evidence) of a leaf clause, cached per story."""
    slot = story.ev_slot.get(id(e))
    if slot is None:
        raise TypeError(f"not a leaf: {e!r}")
    hit = story.cache.get(slot)
    if hit is None:
        hit = story.cache[slot] = _EVIDENCE[type(e)](e, story)
    return hit


# ----------------------------------------------------------------------------- reasons
# Reasons of a true expression: the clauses that decide it under left-to-right short-circuit
# evaluation (every child of ``all``; the first true child of ``any``; the first n true children of
# ``at_least``), each as "<clause> => <evidence>". Compiled once per rule set into closures, like the
# predicates, so a matched route's reasons cost no tree walk.
Reasons = Callable[["_Story"], list[str]]


def _reasons_fn(e: Expr, comp: _Compiled, done: dict[int, Reasons]) -> Reasons:
    fn = done.get(id(e))
    if fn is None:
        fn = done[id(e)] = _build_reasons(e, comp, done)
    return fn


def _build_reasons(e: Expr, comp: _Compiled, done: dict[int, Reasons]) -> Reasons:
    if isinstance(e, All):
        kids = tuple(_reasons_fn(c, comp, done) for c in e.children)
        if len(kids) == 1:
            return kids[0]

        def all_(s: _Story) -> list[str]:
            out: list[str] = []
            for k in kids:
                out += k(s)
            return out
        return all_
    if isinstance(e, AnyOf | AtLeast):
        need = 1 if isinstance(e, AnyOf) else e.n
        pairs = tuple((comp.fast[id(c)], _reasons_fn(c, comp, done)) for c in e.children)

        def some(s: _Story) -> list[str]:
            out: list[str] = []
            n = 0
            for pred, k in pairs:
                if pred(s):
                    out += k(s)
                    n += 1
                    if n >= need:
                        break
            return out
        return some
    if isinstance(e, Not):
        child = e.child
        if isinstance(child, All | AnyOf | AtLeast | Not | RouteRef):
            fixed = f"{e.text} => not satisfied"
            return lambda s: [fixed]
        return _leaf_reason(child, e.text + " => ", comp)
    if isinstance(e, RouteRef):
        head = e.text + " => matched: "
        index = comp.route_index[e.name]

        def ref(s: _Story) -> list[str]:
            return [head + "; ".join(_route_reasons(index, s))]
        return ref
    return _leaf_reason(e, e.text + " => ", comp)


def _leaf_reason(e: Expr, head: str, comp: _Compiled) -> Reasons:
    slot = comp.ev_slot.get(id(e))
    if slot is None:
        raise TypeError(f"not a leaf: {e!r}")
    evidence = _EVIDENCE[type(e)]

    def leaf(s: _Story) -> list[str]:
        hit = s.cache.get(slot)
        if hit is None:
            hit = s.cache[slot] = evidence(e, s)
        return [head + hit[1]]
    return leaf


def _route_reasons(index: int, story: _Story) -> list[str]:
    """Reasons of a matched route, once per story (``route:`` references reuse them)."""
    got = story.reasons.get(index)
    if got is None:
        got = story.reasons[index] = story.reason_fns[index](story)
    return got


def _candidates(plan: _Plan, story: _Story) -> int:
    """Bitmask of the routes whose every trigger clause has an atom in the story."""
    story.build_rows(plan)
    if plan.has_phrases and not story.scanned:
        story.scan()  # ORs the found phrases' bits into ``story.bits``
    bits = story.bits
    if plan.sc:
        sc = plan.sc
        for rank, c in enumerate(story.countries):
            lst = sc.get(c)
            if lst is not None:
                bits |= lst[rank] if rank < len(lst) else lst[-1]
    if plan.src and story.source:
        src = plan.src
        for part in story.source_parts:
            bits |= src.get(part, 0)
    if plan.lang and story.language:
        bits |= plan.lang.get(story.language, 0)
    n = plan.n_clauses
    cand = (bits >> n) | plan.always
    missing = ~bits & ((1 << n) - 1)
    if missing:
        required = plan.required
        check = cand
        while check:
            low = check & -check
            check ^= low
            if required[low.bit_length() - 1] & missing:
                cand ^= low
    return cand


def route(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
          language: str | None = None) -> RouteResult:
    """Routes (in rule-set order) the story matches, with the clauses and evidence that matched.

    Runs the native evaluator when the rule set has one and it covers the story (see
    ``route_native``), else ``route_python``; both give exactly the same result."""
    comp = getattr(rules, "compiled", None) or compile_rules(rules)
    nr = comp.native
    if nr is not None:
        got = nr.route(headline, body, tags, source, language)
        if got is not None:
            return got
    return _route_python(comp, rules, headline, body, tags, source, language)


def route_python(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
                 language: str | None = None) -> RouteResult:
    """``route()`` in Python only: the reference the native evaluator is checked against."""
    comp = getattr(rules, "compiled", None) or compile_rules(rules)
    return _route_python(comp, rules, headline, body, tags, source, language)


def _route_python(comp: _Compiled, rules: RuleSet, headline: str, body: str, tags: TagResult, source: str,
                  language: str | None) -> RouteResult:
    story = _Story(comp, rules.matcher, headline, body, tags, source, language)
    cand = _candidates(comp.plan, story)
    fns, rmemo, names = comp.fns, story.rmemo, comp.names
    matched: list[str] = []
    reasons: dict[str, list[str]] = {}
    while cand:
        low = cand & -cand
        i = low.bit_length() - 1
        cand ^= low
        hit = rmemo.get(i)
        if hit is None:
            hit = rmemo[i] = fns[i](story)
        if hit:
            matched.append(names[i])
            reasons[names[i]] = _route_reasons(i, story)
    return RouteResult(routes=matched, reasons=reasons)


def _trace(e: Expr, story: _Story, routes: dict[str, Route]) -> dict[str, Any]:
    node: dict[str, Any] = {"clause": e.text, "line": e.line}
    if isinstance(e, All | AnyOf | AtLeast):
        kids = [_trace(c, story, routes) for c in e.children]
        n = sum(k["result"] for k in kids)
        need = len(kids) if isinstance(e, All) else 1 if isinstance(e, AnyOf) else e.n
        node["result"] = n >= need
        node["evidence"] = f"{n} of {len(kids)} true (needs {need})"
        node["children"] = kids
    elif isinstance(e, Not):
        kid = _trace(e.child, story, routes)
        node["result"] = not kid["result"]
        node["children"] = [kid]
    elif isinstance(e, RouteRef):
        kid = _trace(routes[e.name].match, story, routes)
        node["result"] = kid["result"]
        node["children"] = [kid]
    else:
        node["result"], node["evidence"] = _leaf(e, story)
    return node


def explain(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
            language: str | None = None) -> dict[str, dict]:
    """Full, non-short-circuited evaluation of every route, for ``wirefeed routes test``.

    Returns ``{route: {"matched", "topic", "line", "reasons", "trace"}}`` in rule-set order, where
    ``trace`` is a tree of ``{"clause", "line", "result", "evidence", "children"}``.
    """
    result = route(rules, headline=headline, body=body, tags=tags, source=source, language=language)
    comp = getattr(rules, "compiled", None) or compile_rules(rules)
    story = _Story(comp, rules.matcher, headline, body, tags, source, language)
    out: dict[str, dict] = {}
    for r in rules.routes:
        trace = _trace(r.match, story, comp.routes)
        out[r.name] = {
            "matched": r.name in result.reasons,
            "topic": r.topic,
            "line": r.line,
            "reasons": result.reasons.get(r.name, []),
            "trace": trace,
        }
    return out
