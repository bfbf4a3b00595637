"""Topic routing: which ``wire.route.<name>`` topics a tagged story goes to, and why.

Pure function of (rule set, story, tagger output). Cost stays flat as routes are added:
each route gets a *trigger* (atoms one of which must be present for it to possibly
match: an entity id, an entity country, a story country, a phrase...), the story's atoms
are looked up in an index of bitmasks, and only candidate routes are evaluated, with
short-circuiting. Phrases are found in one Aho-Corasick pass. Evidence strings are built
only for routes that matched. The language is documented in ``docs/routing.md``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

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

__all__ = ["explain", "route"]

HEADLINE = -1  # paragraph index of the headline; body paragraphs are numbered from 1

# ----------------------------------------------------------------------------- plan (per rule set)
# selectivity weights used to pick the cheapest necessary trigger of an ``all``
_WEIGHT = {"id": 1, "ph": 1, "src": 1, "sc": 2, "ec": 3, "lang": 40, "et": 100}
Trigger = frozenset[tuple[str, Any]] | None


@dataclass(slots=True)
class _Plan:
    always: int  # bitmask of routes that must always be evaluated
    by_id: dict[str, int]
    by_ecountry: dict[str, int]
    by_etype: dict[str, int]
    by_scountry: dict[str, int]
    by_phrase: dict[int, int]
    by_source: dict[str, int]
    by_lang: dict[str, int]
    phrase_routes: int  # routes whose trigger contains a phrase


def _cost(t: Trigger) -> float:
    return float("inf") if t is None else sum(_WEIGHT[k] for k, _ in t)


def _trigger(e: Expr, refs: dict[str, Trigger]) -> Trigger:
    if isinstance(e, EntityCond):
        if e.ids is not None:
            return frozenset(("id", i) for i in e.ids)
        if e.countries is not None:
            return frozenset(("ec", c) for c in e.countries)
        assert e.types is not None
        return frozenset(("et", t) for t in e.types)
    if isinstance(e, CountryCond):
        return frozenset(("sc", c) for c in e.codes)
    if isinstance(e, PhraseCond):
        return frozenset(("ph", p) for p in e.phrase_ids)
    if isinstance(e, SourceCond):
        return frozenset(("src", s) for s in e.names)
    if isinstance(e, LanguageCond):
        return frozenset(("lang", c) for c in e.codes)
    if isinstance(e, RouteRef):
        return refs[e.name]
    if isinstance(e, All | SameParagraph):
        return min((_trigger(c, refs) for c in e.children), key=_cost)
    if isinstance(e, AnyOf | AtLeast):
        out: set[tuple[str, Any]] = set()
        for c in e.children:
            t = _trigger(c, refs)
            if t is None:
                return None
            out |= t
        return frozenset(out)
    return None  # Not: absence cannot be indexed


def _plan(rules: RuleSet) -> _Plan:
    cached = rules.__dict__.get("_plan")
    if cached is not None:
        return cached
    refs: dict[str, Trigger] = {}
    pending = {r.name: r for r in rules.routes}

    def trig(name: str) -> Trigger:  # references are acyclic (checked by the parser)
        if name not in refs:
            sub = {}
            for ref in _iter_refs(pending[name].match):
                sub[ref] = trig(ref)
            refs[name] = _trigger(pending[name].match, refs)
        return refs[name]

    plan = _Plan(0, {}, {}, {}, {}, {}, {}, {}, 0)
    table = {"id": plan.by_id, "ec": plan.by_ecountry, "et": plan.by_etype, "sc": plan.by_scountry,
             "ph": plan.by_phrase, "src": plan.by_source, "lang": plan.by_lang}
    for i, r in enumerate(rules.routes):
        bit = 1 << i
        t = trig(r.name)
        if t is None:
            plan.always |= bit
            continue
        for kind, val in t:
            d = table[kind]
            d[val] = d.get(val, 0) | bit
            if kind == "ph":
                plan.phrase_routes |= bit
    object.__setattr__(rules, "_plan", plan)
    return plan


def _iter_refs(e: Expr) -> list[str]:
    if isinstance(e, RouteRef):
        return [e.name]
    if isinstance(e, All | AnyOf | AtLeast | SameParagraph):
        return [n for c in e.children for n in _iter_refs(c)]
    if isinstance(e, Not):
        return _iter_refs(e.child)
    return []


# ----------------------------------------------------------------------------- per-story view
class _Story:
    """Lazily computed facts about one story, shared by every route evaluated on it."""

    __slots__ = (
        "_body_nl", "_by_country", "_by_id", "_hits", "_stats", "_text", "body", "cache", "countries",
        "entities", "headline", "language",
        "lead_end", "matcher", "memo", "source",
    )

    def __init__(self, matcher: PhraseMatcher, headline: str, body: str, tags: TagResult,
                 source: str, language: str | None) -> None:
        self.matcher = matcher
        self.headline = headline or ""
        self.body = body or ""
        self.entities: list[Entity] = [e for e in tags.entities if e.count > 0 or e.mentions]
        self.countries = tags.countries
        self.source = (source or "").strip().lower()
        self.language = (language or "").strip().lower().replace("_", "-").split("-")[0]
        nl = self.body.find("\n")
        self.lead_end = len(self.body) if nl < 0 else nl
        self._hits: dict[int, list[int]] | None = None
        self._body_nl: list[int] | None = None
        self._text = ""
        self.memo: dict[str, bool] = {}
        self.cache: dict[int, tuple[bool, str]] = {}  # id(leaf) -> (result, evidence) once evidence is built
        self._stats: list[tuple[Entity, int, int, int, int]] | None = None
        self._by_country: dict[str | None, list[tuple[Entity, int, int, int, int]]] = {}
        self._by_id: dict[str, list[tuple[Entity, int, int, int, int]]] = {}

    @property
    def stats(self) -> list[tuple[Entity, int, int, int, int]]:
        """Per entity: (entity, total, headline, lead, body) mention counts, computed once per story."""
        if self._stats is None:
            lead_end = self.lead_end
            out = []
            for e in self.entities:
                nh = nl = nb = 0
                for m in e.mentions:
                    if m.field == "headline":
                        nh += 1
                    else:
                        nb += 1
                        if m.start < lead_end:
                            nl += 1
                t = (e, max(e.count, len(e.mentions)), nh, nl, nb)
                out.append(t)
                self._by_country.setdefault(e.country, []).append(t)
                self._by_id.setdefault(e.id, []).append(t)
            self._stats = out
        return self._stats

    # -- phrases
    @property
    def hits(self) -> dict[int, list[int]]:
        """phrase_id -> start offsets in ``headline.lower() + '\\n' + body.lower()``."""
        if self._hits is not None:
            return self._hits
        hits: dict[int, list[int]] = {}
        auto = self.matcher.automaton
        if auto is not None:
            text = self._text = f"{self.headline.lower()}\n{self.body.lower()}"
            n = len(text)
            for end, entries in auto.iter(text):
                after_ok = end + 1 >= n or not text[end + 1].isalnum()
                for pid, length, prefix in entries:
                    start = end - length + 1
                    if (start == 0 or not text[start - 1].isalnum()) and (prefix or after_ok):
                        lst = hits.get(pid)
                        if lst is None:
                            hits[pid] = [start]
                        else:
                            lst.append(start)
        self._hits = hits
        return hits

    def phrase_para(self, pos: int) -> int:
        hl = self._text.find("\n")
        if pos < hl:
            return HEADLINE
        return self._text.count("\n", hl + 1, pos) + 1

    def phrase_zone_ok(self, pos: int, zones: frozenset[str] | None) -> bool:
        if zones is None:
            return True
        hl = self._text.find("\n")
        if pos < hl:
            return "headline" in zones
        if "body" in zones:
            return True
        return "lead" in zones and self._text.find("\n", hl + 1, pos + 1) < 0

    # -- entity mentions
    def body_para(self, start: int) -> int:
        if self._body_nl is None:
            nl, i = [], self.body.find("\n")
            while i >= 0:
                nl.append(i)
                i = self.body.find("\n", i + 1)
            self._body_nl = nl
        return bisect_right(self._body_nl, start) + 1

    def mention_in(self, field: str, start: int, zones: frozenset[str]) -> bool:
        if field == "headline":
            return "headline" in zones
        return "body" in zones or ("lead" in zones and start < self.lead_end)


# ----------------------------------------------------------------------------- leaves
def _select(c: EntityCond, story: _Story) -> list[tuple[Entity, int, int, int, int]]:
    stats = story.stats
    ids, types, countries = c.ids, c.types, c.countries
    if ids is not None:
        pool = [t for i in ids for t in story._by_id.get(i, ())] if len(ids) < len(stats) else stats
    elif countries is not None:
        pool = [t for k in countries for t in story._by_country.get(k, ())]
    else:
        pool = stats
    return [
        t for t in pool
        if (ids is None or t[0].id in ids) and (types is None or t[0].type in types)
        and (countries is None or t[0].country in countries)
    ]


def _zone_count(zones: frozenset[str] | None, t: tuple[Entity, int, int, int, int]) -> int:
    if zones is None:
        return t[1]
    n = t[2] if "headline" in zones else 0
    return n + (t[4] if "body" in zones else t[3] if "lead" in zones else 0)


def _share(c: EntityCond, sel: list[tuple[Entity, int, int, int, int]], story: _Story) -> float:
    types = c.share_of if c.share_of is not None else {t[0].type for t in sel}
    denom = sum(t[1] for t in story.stats if t[0].type in types)
    num = sum(t[1] for t in sel if t[0].type in types)
    return num / denom if denom else 0.0


_ZONE_NAMES = ("headline", "lead", "body")


def _entity(c: EntityCond, story: _Story, evidence: bool) -> tuple[bool, str]:
    zones = c.zones
    counted = []
    total = 0
    for t in _select(c, story):
        n = _zone_count(zones, t)
        if n > 0:
            counted.append((t, n))
            total += n
    ok = total >= c.min_count and len(counted) >= c.min_distinct
    share = None
    if ok and c.share is not None:
        share = _share(c, [t for t, _ in counted], story)
        ok = share >= c.share
    if not evidence:
        return ok, ""
    where = "" if zones is None else " in " + "/".join(z for z in _ZONE_NAMES if z in zones)
    if not counted:
        return ok, f"no matching entity{where}"
    counted.sort(key=lambda tn: (-tn[1], tn[0][0].name))
    shown = ", ".join(f"{t[0].name} ({t[0].id}) x{n}" for t, n in counted[:6])
    if len(counted) > 6:
        shown += f", ... +{len(counted) - 6}"
    ev = f"{shown}; {total} mention{'s' if total != 1 else ''}{where}"
    if c.share is not None:
        if share is None:
            share = _share(c, [t for t, _ in counted], story)
        ev += f"; share {share:.2f}"
    return ok, ev


def _phrase_positions(c: PhraseCond, story: _Story) -> list[tuple[int, int]]:
    hits = story.hits
    out = []
    for pid in c.phrase_ids:
        for pos in hits.get(pid, ()):
            if story.phrase_zone_ok(pos, c.zones):
                out.append((pos, pid))
    return out


def _phrase(c: PhraseCond, story: _Story, evidence: bool) -> tuple[bool, str]:
    found = _phrase_positions(c, story)
    ok = len(found) >= c.min_count
    if not evidence:
        return ok, ""
    if not found:
        return ok, "no phrase found"
    counts: dict[str, int] = {}
    for pos, pid in sorted(found):
        end = pos + len(story.matcher.phrases[pid].rstrip("*"))
        word = story._text[pos:end]
        if story.matcher.phrases[pid].endswith("*"):
            while end < len(story._text) and story._text[end].isalnum():
                end += 1
            word = story._text[pos:end]
        counts[word] = counts.get(word, 0) + 1
    return ok, "found " + ", ".join(f"'{w}'" + (f" x{n}" if n > 1 else "") for w, n in counts.items())


def _country(c: CountryCond, story: _Story, evidence: bool) -> tuple[bool, str]:
    limit = c.top if c.top is not None else len(story.countries)
    ranked = [(i + 1, code) for i, code in enumerate(story.countries[:limit]) if code in c.codes]
    if not evidence:
        return bool(ranked), ""
    if ranked:
        return True, "story countries: " + ", ".join(f"{code} #{i}" for i, code in ranked)
    return False, f"story countries are {story.countries[:8] or 'empty'}"


def _source_ok(c: SourceCond, story: _Story) -> bool:
    if story.source in c.names:
        return True
    return any(p.strip() in c.names for p in story.source.replace(",", "/").split("/"))


def _paragraphs(c: EntityCond | PhraseCond, story: _Story) -> dict[int, list[str]]:
    paras: dict[int, list[str]] = {}
    if isinstance(c, EntityCond):
        for t in _select(c, story):
            e = t[0]
            for m in e.mentions:
                if c.zones is not None and not story.mention_in(m.field, m.start, c.zones):
                    continue
                p = HEADLINE if m.field == "headline" else story.body_para(m.start)
                names = paras.setdefault(p, [])
                if e.name not in names:
                    names.append(e.name)
    else:
        for pos, pid in _phrase_positions(c, story):
            p = story.phrase_para(pos)
            word = story.matcher.phrases[pid]
            names = paras.setdefault(p, [])
            if word not in names:
                names.append(f"'{word}'")
    return paras


def _same_paragraph(c: SameParagraph, story: _Story, evidence: bool) -> tuple[bool, str]:
    common: set[int] | None = None
    per: list[dict[int, list[str]]] = []
    for child in c.children:
        paras = _paragraphs(child, story)
        per.append(paras)
        common = set(paras) if common is None else common & set(paras)
        if not common and not evidence:
            return False, ""
    common = common or set()
    ok = len(common) >= c.min_paragraphs
    if not evidence:
        return ok, ""
    if not common:
        return ok, "no paragraph has all of them"
    shown = []
    for p in sorted(common)[:3]:
        label = "headline" if p == HEADLINE else f"paragraph {p}"
        names = "; ".join(", ".join(d[p][:3]) for d in per)
        shown.append(f"{label}: {names}")
    more = f" (+{len(common) - 3} more)" if len(common) > 3 else ""
    return ok, " | ".join(shown) + more


def _leaf(e: Expr, story: _Story, evidence: bool) -> tuple[bool, str]:
    if evidence:
        hit = story.cache.get(id(e))
        if hit is None:
            hit = story.cache[id(e)] = _leaf_eval(e, story, True)
        return hit
    return _leaf_eval(e, story, False)


def _leaf_eval(e: Expr, story: _Story, evidence: bool) -> tuple[bool, str]:
    if isinstance(e, EntityCond):
        return _entity(e, story, evidence)
    if isinstance(e, PhraseCond):
        return _phrase(e, story, evidence)
    if isinstance(e, CountryCond):
        return _country(e, story, evidence)
    if isinstance(e, SameParagraph):
        return _same_paragraph(e, story, evidence)
    if isinstance(e, SourceCond):
        ok = _source_ok(e, story)
        return ok, (f"source is '{story.source}'" if evidence else "")
    if isinstance(e, LanguageCond):
        ok = story.language in e.codes
        return ok, (f"language is '{story.language or 'unknown'}'" if evidence else "")
    raise TypeError(f"not a leaf: {e!r}")


# ----------------------------------------------------------------------------- evaluation
def _eval(e: Expr, story: _Story, routes: dict[str, Route], decided: list[Expr]) -> bool:
    """Short-circuit evaluation; appends the clauses that decided a true result to ``decided``."""
    if isinstance(e, All):
        mark = len(decided)
        for c in e.children:
            if not _eval(c, story, routes, decided):
                del decided[mark:]
                return False
        return True
    if isinstance(e, AnyOf):
        return any(_eval(c, story, routes, decided) for c in e.children)
    if isinstance(e, AtLeast):
        mark, n = len(decided), 0
        for i, c in enumerate(e.children):
            if _eval(c, story, routes, decided):
                n += 1
                if n >= e.n:
                    return True
            if n + len(e.children) - i - 1 < e.n:
                break
        del decided[mark:]
        return False
    if isinstance(e, Not):
        if _eval(e.child, story, routes, []):
            return False
        decided.append(e)
        return True
    if isinstance(e, RouteRef):
        hit = story.memo.get(e.name)
        if hit is None:
            hit = story.memo[e.name] = _eval(routes[e.name].match, story, routes, [])
        if hit:
            decided.append(e)
        return hit
    ok = _leaf(e, story, False)[0]
    if ok:
        decided.append(e)
    return ok


def _reason(e: Expr, story: _Story, routes: dict[str, Route]) -> str:
    if isinstance(e, Not):
        return f"{e.text} => {_describe_false(e.child, story, routes)}"
    if isinstance(e, RouteRef):
        sub: list[Expr] = []
        _eval(routes[e.name].match, story, routes, sub)
        return f"{e.text} => matched: " + "; ".join(_reason(s, story, routes) for s in sub)
    return f"{e.text} => {_leaf(e, story, True)[1]}"


def _describe_false(e: Expr, story: _Story, routes: dict[str, Route]) -> str:
    if isinstance(e, All | AnyOf | AtLeast | Not | RouteRef):
        return "not satisfied"
    return _leaf(e, story, True)[1]


def _candidates(plan: _Plan, story: _Story) -> int:
    cand = plan.always
    by_id, by_ec, by_et = plan.by_id, plan.by_ecountry, plan.by_etype
    for e in story.entities:
        cand |= by_id.get(e.id, 0) | by_et.get(e.type, 0)
        if e.country:
            cand |= by_ec.get(e.country, 0)
    if plan.by_scountry:
        for c in story.countries:
            cand |= plan.by_scountry.get(c, 0)
    if plan.by_source and story.source:
        cand |= plan.by_source.get(story.source, 0)
        for part in story.source.replace(",", "/").split("/"):
            cand |= plan.by_source.get(part.strip(), 0)
    if plan.by_lang and story.language:
        cand |= plan.by_lang.get(story.language, 0)
    if plan.phrase_routes & ~cand:
        by_phrase = plan.by_phrase
        for pid in story.hits:
            cand |= by_phrase.get(pid, 0)
    return cand


def route(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
          language: str | None = None) -> RouteResult:
    """Routes (in rule-set order) the story matches, with the clauses and evidence that matched."""
    plan = _plan(rules)
    story = _Story(rules.matcher, headline, body, tags, source, language)
    cand = _candidates(plan, story)
    names: list[str] = []
    reasons: dict[str, list[str]] = {}
    routes = rules.__dict__.get("_by_name")
    if routes is None:
        routes = {r.name: r for r in rules.routes}
        object.__setattr__(rules, "_by_name", routes)
    all_routes = rules.routes
    while cand:
        low = cand & -cand
        r = all_routes[low.bit_length() - 1]
        cand ^= low
        decided: list[Expr] = []
        hit = story.memo.get(r.name)
        if hit is None:
            hit = story.memo[r.name] = _eval(r.match, story, routes, decided)
        elif hit:
            _eval(r.match, story, routes, decided)
        if hit:
            names.append(r.name)
            if not story._hits and story._hits is None and any(isinstance(d, PhraseCond) for d in decided):
                _ = story.hits
            reasons[r.name] = [_reason(d, story, routes) for d in decided]
    return RouteResult(routes=names, reasons=reasons)


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
        node["result"], node["evidence"] = _leaf(e, story, True)
    return node


def explain(rules: RuleSet, *, headline: str, body: str, tags: TagResult, source: str = "",
            language: str | None = None) -> dict[str, dict]:
    """Full, non-short-circuited evaluation of every route, for ``wirefeed routes test``.

    Returns ``{route: {"matched", "topic", "line", "reasons", "trace"}}`` in rule-set order, where
    ``trace`` is a tree of ``{"clause", "line", "result", "evidence", "children"}``.
    """
    result = route(rules, headline=headline, body=body, tags=tags, source=source, language=language)
    story = _Story(rules.matcher, headline, body, tags, source, language)
    routes = {r.name: r for r in rules.routes}
    out: dict[str, dict] = {}
    for r in rules.routes:
        trace = _trace(r.match, story, routes)
        out[r.name] = {
            "matched": r.name in result.reasons,
            "topic": r.topic,
            "line": r.line,
            "reasons": result.reasons.get(r.name, []),
            "trace": trace,
        }
    return out
