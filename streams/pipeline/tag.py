"""Entity tagging: KB matches, context disambiguation, role-based discovery, story countries.

Pure stage: ``tag(headline, body, kb, dateline=..., discovered=...)``. The only state is the
``discovered`` mapping (provisional people found through role patterns), passed in explicitly.
See docs/tagging.md for the rules, measured quality and speed.

Speed notes (docs/tagging.md, "Measured speed"): one automaton pass per field over a
byte-table-normalised copy; per-key case and settling rules are precomputed in the KB
(``MatchInfo``), so most hits are settled with one or two character tests; the scan for new people
sees only runs of two or more capitalised tokens, and skips those with no room for a name outside KB
hits (sorted start/end arrays and bisection); costly checks (all-caps field, context words) run only
when a hit needs them. Output is identical to the plain implementation (tests/unit/test_tag_fast_paths.py).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import MutableMapping, Sequence
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from streams.pipeline.kb import (
    CAP,
    CASE_CAP,
    CASE_EXACT,
    COMMON,
    DEMONYM,
    EXACT,
    GATED,
    PARTIAL,
    SETTLE_FULL,
    SETTLE_PLACE,
    SETTLE_TAKE,
    TAIL_DOT,
    TAIL_NONE,
    TAIL_OTHER,
    Candidate,
    KBEntity,
    KnowledgeBase,
    normalise,
)
from streams.pipeline.tag_native import tagger_for
from streams.pipeline.tag_rules import (
    DAYS_MONTHS,
    FUNCTION_CAPS,
    MODIFIER_WORDS,
    MONTH_PREPS,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    ROLE_WORDS,
    TITLE_WORDS,
)
from streams.pipeline.tag_text import fast_normalise, next_word, prev_word
from streams.pipeline.types import Entity, Mention, TagResult

Field = Literal["headline", "body"]


def _particle_alternation(words: frozenset[str]) -> str:
    """Alternation of name particles factored as a trie, so the regex tests one branch per letter."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return body + "?" if end else body

    return emit(trie)


# Capitalised runs of 2 to 7 tokens; particles ("al-", "bin", "de") may join tokens. Each match is
# "skipped text, then a run" (group 1), so the caller only sees runs that may hold a name: the skip
# loop eats blocks without capitals and single capitalised tokens (no continuation follows). Linear:
# every quantifier is possessive and every loop step consumes at least one character, and the match
# never fails (the run is optional), so the search never restarts inside a long token.
_PARTICLES = _particle_alternation(NAME_PARTICLES)
_CONTINUATION = rf" (?:{_PARTICLES}[ -])?+[A-Z]"
_NAME_RUN = re.compile(
    rf"(?:[^A-Z]++|[A-Z][\w'’.-]*+(?!{_CONTINUATION}))*+"
    rf"([A-Z][\w'’.-]*+(?: (?:{_PARTICLES}[ -])?+[A-Z][\w'’-]*+){{1,6}}+)?"
)
_LEAD_CHARS = 300
_APPOS_OPENERS = frozenset({"the", "a", "an", "his", "her", "its", "their"})
_COUNTRY_MIN = 2.0
_COUNTRY_REL = 0.25
_FREE_WORDS = TITLE_WORDS | ROLE_WORDS | MODIFIER_WORDS | DAYS_MONTHS | FUNCTION_CAPS
_ROLE_OR_TITLE = ROLE_WORDS | TITLE_WORDS
_TRAIL_STRIP = DAYS_MONTHS | FUNCTION_CAPS
_FOREIGN_PARTICLES = frozenset({"de", "du", "des", "la", "le", "del", "di", "da"})
# what may stand between two places of an enumeration (fails at once on ordinary text, no slicing)
_LIST_GLUE = re.compile(r"\s*+(?:, and|, or|,|and|or)\s*+")

# A hit: (start, end, candidates, settle rule, MatchInfo or None)
_Hit = tuple[int, int, Sequence[Candidate], int, Any]


def _fold_key(name: str) -> str:
    if name.isascii():  # nothing to decompose or fold
        folded = name
    else:
        folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(folded.lower().replace("’", "'").split())


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold_key(name)).strip("-")


def _mostly_upper(text: str) -> bool:
    head = text[:400]
    n_alpha = sum(map(str.isalpha, head))
    return n_alpha >= 8 and sum(map(str.isupper, head)) > 0.8 * n_alpha


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;—-)"


def _hit_order(h: _Hit) -> tuple[int, int]:
    return (h[0], h[0] - h[1])


def _find_hits(text: str, norm: str, kb: KnowledgeBase) -> list[_Hit]:
    """Non-overlapping KB hits that pass the case rules, longest first, in text order.

    A hit is ``(start, end, candidates, settle rule, MatchInfo)``; the MatchInfo is None when the
    case or tail rules removed some of the key's candidates.
    """
    info = kb.match_info
    upper: bool | None = None
    hits: list[_Hit] = []
    last_end = -1
    overlap = False
    for e, idx in kb.automaton.iter(f" {norm} "):
        mi = info[idx]
        length, cands, case, head, tail, settle, _p, _n = mi
        start = e - length - 1
        end = start + length
        if case == CASE_CAP:
            if not text[start].isupper():
                continue
            ok = cands
        elif case == CASE_EXACT:
            if text[start:end] != head:
                continue
            ok = cands
        else:
            surface = text[start:end]
            ok = []
            for c in cands:
                f = c.flags
                if f & EXACT:
                    if surface != c.head:
                        continue
                    if f & COMMON:  # "US", "IS", "WHO": not in an all-caps field
                        if upper is None:
                            upper = _mostly_upper(text)
                        if upper:
                            continue
                elif f & CAP and not surface[:1].isupper():
                    continue
                ok.append(c)
            if not ok:
                continue
            if len(ok) != len(cands):  # fewer readings than the key's: settle and tail in full
                settle = SETTLE_FULL
                tail = tail and TAIL_OTHER
                mi = None
        if tail != TAIL_NONE:
            if tail == TAIL_DOT:
                if text.startswith(".", end):
                    end += 1
            else:
                # aliases ending in punctuation: "OPEC+" needs its "+", "U.S." takes its "." when present
                tailed = [c for c in ok if c.tail and c.tail != "." and text.startswith(c.tail, end)]
                if tailed:
                    ok, end = tailed, end + len(tailed[0].tail)
                else:
                    ok = [c for c in ok if not c.tail or c.tail == "."]
                    if any(c.tail == "." for c in ok) and text.startswith(".", end):
                        end += 1
                if not ok:
                    continue
                if len(ok) != len(cands):
                    settle = SETTLE_FULL
                    mi = None
        if start < last_end:
            overlap = True
        elif end > last_end:
            last_end = end
        hits.append((start, end, ok, settle, mi))
    if not overlap:  # already in text order and disjoint
        return hits
    hits.sort(key=_hit_order)
    kept: list[_Hit] = []
    last = -1
    for h in hits:
        if h[0] >= last:
            kept.append(h)
            last = h[1]
    return kept


def _glued(text: str, start: int, end: int, starts: set[int]) -> str:
    """'next'/'prev' when a name is part of a longer capitalised name ("Jordan Henderson", "Michael
    Jordan", "Anglo American", "Stade de France"); '' otherwise."""
    n = len(text)
    if end + 1 < n and text[end] == " " and text[end + 1].isupper() and (end + 1) not in starts:
        nxt = next_word(text, end)
        if not _free_word(nxt) and not nxt.isupper():
            return "next"
    # every "prev" reading needs one space and then a word ending in a letter before the name
    if start < 2 or text[start - 1] != " " or not text[start - 2].isalpha():
        return ""
    prev = prev_word(text, start)
    pstart = start - len(prev) - 1
    if prev.lower() in _FOREIGN_PARTICLES:
        prev2 = prev_word(text, pstart)
        if (
            prev2[:1].isupper()
            and not _sentence_start(text, pstart - len(prev2) - 1)
            and not _free_word(prev2)
        ):
            return "prev"
    if (
        prev[:1].isupper()
        and not prev.endswith(("'s", "’s"))
        and not _sentence_start(text, pstart)
        and not _free_word(prev)
    ):
        return "prev"
    return ""


def _free_word(w: str) -> bool:
    """Capitalised words that may stand next to a place without making it part of a longer name."""
    w = w.rstrip('.,;:!?"”').lower()
    for suffix in ("'s", "’s"):
        w = w.removesuffix(suffix)
    return w in _FREE_WORDS


def _titled(text: str, start: int) -> bool:
    return prev_word(text, start).rstrip(".").lower() in _ROLE_OR_TITLE


class _Story:
    """Per-story facts the settling rules consult, computed on first use."""

    __slots__ = ("as_name", "ctx", "ctx_text", "full_ids")

    def __init__(self, ctx_text: str, full_ids: set[str], as_name: set[str]) -> None:
        self.ctx_text = ctx_text
        self.full_ids = full_ids
        self.as_name = as_name
        self.ctx: dict[str, int] = {}

    def ctx_hits(self, ent: KBEntity) -> int:
        """How many of the entity's context words/phrases occur in the story (cached per entity)."""
        n = self.ctx.get(ent.id)
        if n is None:
            ctx_text = self.ctx_text
            n = self.ctx[ent.id] = sum(1 for w in ent.ctx if w in ctx_text)
        return n


def _choose(h: _Hit, text: str, story: _Story, starts: set[int]) -> Candidate | None:
    best: Candidate | None = None
    best_score = -1.0
    start, end = h[0], h[1]
    for c in h[2]:
        ent, flags = c.entity, c.flags
        if flags & PARTIAL:
            low = c.alias.lower()
            if low in DAYS_MONTHS:
                nxt = next_word(text, end)
                if nxt[:1].isdigit() or prev_word(text, start).lower() in MONTH_PREPS:
                    continue
            if ent.id in story.full_ids:
                score = 10.0
            elif _titled(text, start):
                score = 6.0
            elif ent.alone and not flags & COMMON:
                score = 4.0
            else:
                continue
        elif flags & GATED:
            hits = story.ctx_hits(ent)
            if hits == 0 or _glued(text, start, end, starts):
                continue
            score = 2.0 + hits
        else:
            score = 3.0 + story.ctx_hits(ent)
            if ent.type != "person" and not flags & EXACT and (ent.type == "place" or flags & DEMONYM):
                if _glued(text, start, end, starts):
                    continue
                if ent.name_like and normalise(c.alias) in story.as_name:
                    continue  # one sense per story: 'Michael Jordan ... Jordan said'
                if flags & COMMON and ent.anti and any(w in story.ctx_text for w in ent.anti):
                    continue
        if score > best_score:
            best, best_score = c, score
    return best


class _Meta(NamedTuple):
    """Entity fields for the output, for discovered people (KB mentions use the KBEntity itself)."""

    name: str
    type: str
    country: str | None
    kind: str


_Accs = dict[str, list[tuple[Field, int, int]]]  # entity id -> mentions, in first-mention order


_Resolved = tuple[int, int, Candidate]  # start, end, chosen reading


def _settle(
    fld: Field, hits: list[_Hit], text: str, story: _Story, accs: _Accs, metas: dict[str, Any]
) -> list[_Resolved]:
    """Pick the reading of every hit (or none) and record it as a mention; the single-candidate
    cases skip the scoring."""
    starts = {h[0] for h in hits}
    as_name = story.as_name
    ctx_text = story.ctx_text
    out: list[_Resolved] = []
    n = len(text)
    for h in hits:
        settle = h[3]
        start, end = h[0], h[1]
        if settle == SETTLE_TAKE:
            c = h[2][0]
        elif settle == SETTLE_PLACE:
            c = h[2][0]
            # the two cheap necessary conditions of _glued, tested inline
            if (
                (end + 1 < n and text[end] == " " and text[end + 1].isupper())
                or (start >= 2 and text[start - 1] == " " and text[start - 2].isalpha())
            ) and _glued(text, start, end, starts):
                continue
            ent = c.entity
            if ent.name_like and as_name and normalise(c.alias) in as_name:
                continue
            if c.flags & COMMON and ent.anti and any(w in ctx_text for w in ent.anti):
                continue
        else:
            c = _choose(h, text, story, starts)
            if c is None:
                continue
        out.append((start, end, c))
        ent = c.entity
        ms = accs.get(ent.id)
        if ms is None:
            accs[ent.id] = [(fld, start, end)]
            metas[ent.id] = ent
        else:
            ms.append((fld, start, end))
    return out


# ---------------------------------------------------------------- discovery of new people


class _Spans:
    """Resolved KB hits of one field as sorted, non-overlapping start/end arrays."""

    __slots__ = ("ends", "ents", "starts", "text")

    def __init__(self, resolved: list[_Resolved], text: str) -> None:
        self.text = text
        self.starts = [r[0] for r in resolved]
        self.ends = [r[1] for r in resolved]
        self.ents = [r[2].entity for r in resolved]

    def cover_end(self, pos: int) -> int:
        """End of the resolved hit containing ``pos``, or -1."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.ends[i] > pos:
            return self.ends[i]
        return -1

    def overlaps(self, lo: int, hi: int) -> bool:
        i = bisect_left(self.starts, hi) - 1
        return i >= 0 and self.ends[i] > lo

    def country_near(self, lo: int, hi: int) -> str | None:
        """Country of the last place/demonym/organisation hit starting inside [lo, hi)."""
        i = bisect_left(self.starts, hi) - 1
        starts, ents = self.starts, self.ents
        while i >= 0 and starts[i] >= lo:
            ent = ents[i]
            if ent.type != "person" and ent.country:
                return ent.country
            i -= 1
        return None

    def name_room(self, lo: int, hi: int) -> bool:
        """Whether [lo, hi) has a stretch outside resolved hits with two space-separated tokens (a
        discovered name needs one); cheap test that spares most capitalised runs the full rules."""
        starts, ends, text = self.starts, self.ends, self.text
        i = bisect_right(ends, lo)
        n = len(starts)
        pos = lo
        while i < n and starts[i] < hi:
            if " " in text[pos : starts[i]].strip(" "):
                return True
            pos = ends[i]
            i += 1
        return " " in text[pos:hi].strip(" ")


def _strip_run(tokens: list[str], start: int, spans: _Spans) -> tuple[list[str], list[str]]:
    """Split leading titles/roles/KB matches from a capitalised run: (prefix, name tokens)."""
    i = 0
    pos = start
    while i < len(tokens):
        t = tokens[i]
        if not (spans.cover_end(pos) >= pos + len(t) or t.rstrip(".").lower() in _FREE_WORDS):
            break
        pos += len(t) + 1
        i += 1
    name = tokens[i:]
    while name and name[-1].lower() in _TRAIL_STRIP:
        name = name[:-1]
    return tokens[:i], name


def _valid_name(tokens: list[str]) -> bool:
    if not 2 <= len(tokens) <= 4:
        return False
    for t in tokens:
        core = t.split("-")[-1] if t[:1].islower() else t
        if t.lower() in NON_NAME_WORDS or core.lower() in NON_NAME_WORDS:
            return False
        if not any(ch.islower() for ch in t) or t.endswith(("'s", "’s")):
            return False
    return True


def _discover(
    text: str,
    spans: _Spans,
    discovered: MutableMapping[str, Any] | None,
    headline: str,
) -> list[tuple[int, int, dict[str, Any]]]:
    """Find people introduced with a role, and names already in the discovered table."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for m in _NAME_RUN.finditer(text):
        run = m.group(1)
        if run is None:
            continue
        run_start = m.start(1)
        if "s " in run:
            for sep in ("'s ", "’s "):
                cut = run.rfind(sep)
                if cut >= 0:  # "Spain's Rafael Nadal": the name follows the possessive
                    run_start += cut + len(sep)
                    run = run[cut + len(sep) :]
        if not spans.name_room(run_start, run_start + len(run)):
            continue
        tokens = run.split(" ")
        if len(tokens) < 2:
            continue
        prefix, name = _strip_run(tokens, run_start, spans)
        if not name:
            continue
        joined = " ".join(name)
        n_start = run_start + len(" ".join(prefix)) + (1 if prefix else 0)
        n_end = n_start + len(joined)
        if spans.overlaps(n_start, n_end):
            continue
        if not _valid_name(name):
            continue
        key = _fold_key(joined)
        known = discovered.get(key) if discovered is not None else None
        if known is not None:
            found.append((n_start, n_end, known))
            continue
        role = any(t.rstrip(".").lower() in _ROLE_OR_TITLE for t in prefix)
        country = spans.country_near(run_start, n_start) if prefix else None
        before = text[max(0, run_start - 60) : run_start]
        cut = max(before.rfind("."), before.rfind(";"), before.rfind("\n"))
        before_clause = before[cut + 1 :]
        last = before_clause.rstrip().rsplit(" ", 1)[-1].lower().strip(",")
        if last in ROLE_WORDS:
            role = True
            country = country or spans.country_near(run_start - len(before_clause), run_start)
        elif before_clause.endswith(("'s ", "’s ")):
            # "South Africa's Cyril X", "Spain's Rafael Nadal"
            owner = spans.country_near(run_start - len(before_clause), run_start)
            if owner:
                role, country = True, owner
        if not role and text.startswith(", ", n_end):
            tail = text[n_end + 2 : n_end + 90]
            stop = min(
                (i for i in (tail.find(","), tail.find("."), tail.find(";")) if i >= 0), default=len(tail)
            )
            appos = tail[:stop]
            words = appos.lower().split()
            opener = bool(words) and (words[0] in _APPOS_OPENERS or words[0] in ROLE_WORDS)
            possessive = len(words) > 1 and words[0].endswith(("'s", "’s"))
            if (opener or possessive) and any(w.strip("'’s") in ROLE_WORDS for w in words[:7]):
                role = True
                country = spans.country_near(n_end, n_end + 2 + stop)
        if not role:
            continue
        rec = {
            "id": f"wf:person/{_slug(joined)}",
            "name": joined,
            "country": country,
            "first_seen": headline[:120],
        }
        if discovered is not None:
            discovered[key] = rec
        found.append((n_start, n_end, rec))
    return found


def _surname_hits(text: str, surname: str, occupied: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    i = text.find(surname)
    while i >= 0:
        j = i + len(surname)
        before_ok = i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "-'")
        after_ok = j >= len(text) or not (text[j].isalnum() or text[j] == "-")
        if before_ok and after_ok:
            for s, e in occupied:
                if s < j and i < e:
                    break
            else:
                out.append((i, j))
        i = text.find(surname, j)
    return out


# ---------------------------------------------------------------- dateline and countries


def dateline_place(dateline: str, kb: KnowledgeBase) -> KBEntity | None:
    """Place named by a dateline such as 'WASHINGTON, Sep 17 (Reuters) -' or 'Moscow/Kyiv (AP) —'."""
    head = dateline.strip()
    for sep in (",", "(", " - ", " — ", "—", "\n"):
        i = head.find(sep)
        if i > 0:
            head = head[:i]
    head = head.split("/")[0].strip()
    if not head or len(head) > 40:
        return None
    places = [
        c.entity for c in kb.lookup(head) if c.entity.type == "place" and not c.flags & (PARTIAL | DEMONYM)
    ]
    if not places:
        return None
    # datelines name cities first: prefer a city/capital over a same-named region or country
    places.sort(key=lambda e: (e.kind not in {"capital", "city"}, not bool(e.id.startswith("Q"))))
    return places[0]


def _body_dateline(body: str) -> str | None:
    first = body[:80]
    for sep in (",", "("):
        i = first.find(sep)
        if 0 < i <= 40:
            return first[:i]
    return None


# Weight of one mention toward its entity's country, by entity type, then (organisations) by kind;
# news agencies and sport bodies say nothing about what a story is about.
_FACTOR_BY_TYPE = {"place": 1.0, "person": 0.75}
_FACTOR_BY_KIND = {"government": 1.0, "news_agency": 0.0, "sport_body": 0.0}


def _mention_order(m: tuple[Field, int, int]) -> tuple[bool, int]:
    return (m[0] != "headline", m[1])


def _score_order(kv: tuple[str, float]) -> tuple[float, str]:
    return (-kv[1], kv[0])


def _list_positions(text: str, resolved: list[_Resolved]) -> set[int]:
    """Starts of place mentions inside enumerations of 4+ places ("Chad, Mali, Niger and Sudan")."""
    out: set[int] = set()
    run: list[_Resolved] = []
    for r in resolved:
        if r[2].entity.type != "place":
            continue
        if run and _LIST_GLUE.fullmatch(text, run[-1][1], r[0]):
            run.append(r)
        else:
            if len(run) >= 4:
                out.update(x[0] for x in run)
            run = [r]
    if len(run) >= 4:
        out.update(x[0] for x in run)
    return out


# ---------------------------------------------------------------- entry point


def tag(
    headline: str,
    body: str,
    kb: KnowledgeBase,
    *,
    dateline: str | None = None,
    discovered: MutableMapping[str, Any] | None = None,
    native: bool = True,
) -> TagResult:
    """Tag people, organisations and places in a cleaned story and name the countries it is about.

    Runs the compiled tagger (streams/pipeline/tag_native.py) when it is built, enabled and covers the
    story's characters, else the Python implementation below, which is the specification; both give
    the same result (tests/unit/test_tag_native.py). ``native=False`` forces Python.
    """
    if native:
        nt = tagger_for(kb)
        if nt is not None:
            res = nt.tag(headline, body, dateline, discovered)
            if res is not None:
                return res
    return tag_python(headline, body, kb, dateline=dateline, discovered=discovered)


def tag_python(
    headline: str,
    body: str,
    kb: KnowledgeBase,
    *,
    dateline: str | None = None,
    discovered: MutableMapping[str, Any] | None = None,
) -> TagResult:
    """The Python implementation of :func:`tag` (the reference for the native one)."""
    norm_h = fast_normalise(headline)
    norm_b = fast_normalise(body)
    hits_h = _find_hits(headline, norm_h, kb) if headline else []
    hits_b = _find_hits(body, norm_b, kb) if body else []
    fields: tuple[tuple[Field, str, list[_Hit]], ...] = (
        ("headline", headline, hits_h),
        ("body", body, hits_b),
    )
    # unambiguous full names of people license surnames anywhere in the story; name-like places
    # glued to a preceding name ("Michael Jordan") are not the country elsewhere in the story
    full_ids: set[str] = set()
    as_name: set[str] = set()
    for _fld, text, hits in fields:
        starts: set[int] | None = None
        for h in hits:
            mi = h[4]
            if mi is not None:
                if mi.person_id:
                    full_ids.add(mi.person_id)
                if not mi.name_like:
                    continue
            else:
                ok = h[2]
                if len(ok) == 1:
                    c = ok[0]
                    if c.entity.type == "person" and not c.flags & PARTIAL:
                        full_ids.add(c.entity.id)
                if not any(c.entity.name_like for c in ok):
                    continue
            if starts is None:
                starts = {x[0] for x in hits}
            if _glued(text, h[0], h[1], starts) == "prev":
                as_name.update(normalise(c.alias) for c in h[2] if c.entity.name_like)

    story = _Story(f" {norm_h} {norm_b} ", full_ids, as_name)
    accs: _Accs = {}  # KB mentions first (headline, then body), then discovered people
    metas: dict[str, Any] = {}  # entity id -> KBEntity or _Meta
    unordered: set[str] = set()  # entities whose mentions were not added in text order
    res_h = _settle("headline", hits_h, headline, story, accs, metas) if hits_h else []
    res_b = _settle("body", hits_b, body, story, accs, metas) if hits_b else []

    # discovery needs resolved KB hits (to skip them and to find countries near a role)
    disc_people: dict[str, tuple[dict[str, Any], list[tuple[Field, int, int]]]] = {}
    for fld, text, res in (("body", body, res_b), ("headline", headline, res_h)):
        # body first: its role phrases license names in the headline
        if not text:
            continue
        for s, e, rec in _discover(text, _Spans(res, text), discovered, headline):
            disc_people.setdefault(rec["id"], (rec, []))[1].append((fld, s, e))

    if disc_people:
        # spans already taken in each field: KB mentions, then each person's names as they are added
        occupied: dict[str, list[tuple[int, int]]] = {
            "headline": [(r[0], r[1]) for r in res_h],
            "body": [(r[0], r[1]) for r in res_b],
        }
        for pid, (rec, spans) in disc_people.items():
            ms = accs.get(pid)
            if ms is None:
                ms = accs[pid] = []
                metas[pid] = _Meta(rec["name"], "person", rec.get("country"), "person")
            unordered.add(pid)
            ms.extend(spans)
            for fld, s, e in spans:
                occupied[fld].append((s, e))
            surname = rec["name"].split(" ")[-1]
            if len(surname) < 3:
                continue
            for fld, text, _hits in fields:
                occ = occupied[fld]
                for s, e in _surname_hits(text, surname, occ):
                    ms.append((fld, s, e))
                    occ.append((s, e))

    dl_text = dateline if dateline else _body_dateline(body)
    dl_ent = dateline_place(dl_text, kb) if dl_text else None
    if dl_ent is not None and dl_ent.id not in accs and dateline:
        accs[dl_ent.id] = []
        metas[dl_ent.id] = dl_ent

    # story countries: weighted mention counts (see docs/tagging.md)
    lists = (_list_positions(headline, res_h), _list_positions(body, res_b))
    lead_end = min(len(body), _LEAD_CHARS)
    score: dict[str, float] = {}
    entities: list[tuple[tuple[int, int, int], Entity]] = []
    for ent_id, ms in accs.items():
        meta = metas[ent_id]
        if unordered and ent_id in unordered:
            ms.sort(key=_mention_order)
        cc = meta.country
        if cc and ms:
            factor = _FACTOR_BY_TYPE.get(meta.type) or _FACTOR_BY_KIND.get(meta.kind, 0.5)
            if factor:
                total = 0.0
                for fld, start, _end in ms:
                    if fld == "headline":
                        w = 0.25 if start in lists[0] else 3.0
                    else:
                        w = 0.25 if start in lists[1] else (2.0 if start < lead_end else 1.0)
                    total += w * factor
                score[cc] = score.get(cc, 0.0) + total
        if not ms:
            in_head, first = 1, 1 << 30
        elif ms[0][0] == "body":
            in_head, first = 1, ms[0][1]
        else:
            in_head = 0
            first = next((m[1] for m in ms if m[0] == "body"), 1 << 30) if ms[-1][0] == "body" else 1 << 30
        entities.append(
            (
                (-len(ms), in_head, first),
                # positional: Entity(id, name, type, country, count, mentions)
                Entity(ent_id, meta.name, meta.type, cc, len(ms), [Mention(f, s, e) for f, s, e in ms]),
            )
        )
    if dl_ent is not None and dl_ent.country:
        score[dl_ent.country] = score.get(dl_ent.country, 0.0) + 3.0
    countries: list[str] = []
    if score:
        top = max(score.values())
        ranked = sorted(score.items(), key=_score_order)
        countries = [cc for cc, s in ranked if s >= _COUNTRY_MIN and s >= _COUNTRY_REL * top]
    entities.sort(key=itemgetter(0))
    return TagResult(entities=[e for _k, e in entities], countries=countries)
