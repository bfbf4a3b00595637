"""Entity tagging: KB matches, context disambiguation, role-based discovery, story countries.

Pure stage: ``tag(headline, body, kb, dateline=..., discovered=...)``. The only state is the
``discovered`` mapping (provisional people found through role patterns), passed in explicitly.
See docs/tagging.md for the rules and measured quality.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

from streams.pipeline.kb import (
    CAP,
    COMMON,
    DEMONYM,
    EXACT,
    GATED,
    PARTIAL,
    Candidate,
    KBEntity,
    KnowledgeBase,
    normalise,
)
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
from streams.pipeline.types import Entity, Mention, TagResult

Field = Literal["headline", "body"]

# Capitalised runs of up to 7 tokens; particles ("al-", "bin", "de") may join tokens. Linear: every
# repetition must start with a space and tokens cannot contain spaces.
_PARTICLES = "|".join(sorted(NAME_PARTICLES, key=len, reverse=True))
_NAME_RUN = re.compile(rf"[A-Z][\w'’.-]*(?: (?:(?:{_PARTICLES})[ -])?[A-Z][\w'’-]*){{0,6}}")
_LEAD_CHARS = 300
_APPOS_OPENERS = frozenset({"the", "a", "an", "his", "her", "its", "their"})
_COUNTRY_MIN = 2.0
_COUNTRY_REL = 0.25


@dataclass(slots=True)
class _Hit:
    field: Field
    start: int
    end: int
    cands: list[Candidate]
    ent: KBEntity | None = None
    cand: Candidate | None = None


@dataclass(slots=True)
class _Acc:
    ent_id: str
    name: str
    type: str
    country: str | None
    kind: str
    mentions: list[tuple[Field, int, int, bool]] = field(default_factory=list)  # .., is_demonym


def _fold_key(name: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(folded.lower().replace("’", "'").split())


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold_key(name)).strip("-")


def _mostly_upper(text: str) -> bool:
    head = text[:400]
    n_alpha = sum(map(str.isalpha, head))
    return n_alpha >= 8 and sum(map(str.isupper, head)) > 0.8 * n_alpha


def _prev_word(text: str, start: int) -> str:
    i = start - 1
    if i < 0 or text[i] != " ":
        return ""
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def _next_word(text: str, end: int) -> str:
    if end >= len(text) or text[end] != " ":
        return ""
    j = end + 1
    k = j
    while k < len(text) and not text[k].isspace():
        k += 1
    return text[j:k]


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;—-)"


def _case_ok(c: Candidate, surface: str, upper_field: bool) -> bool:
    if c.flags & EXACT:
        return surface == c.head and not (upper_field and c.flags & COMMON)
    if c.flags & CAP:
        return surface[:1].isupper()
    return True


def _find_hits(fld: Field, text: str, kb: KnowledgeBase) -> list[_Hit]:
    padded = f" {normalise(text)} "
    upper = _mostly_upper(text)
    raw: list[_Hit] = []
    for end, idx in kb.automaton.iter(padded):
        length, cands = kb.entry(idx)
        start = end - length - 1
        end = start + length
        surface = text[start:end]
        ok = [c for c in cands if _case_ok(c, surface, upper)]
        if not ok:
            continue
        # aliases ending in punctuation: "OPEC+" needs its "+", "U.S." takes its "." when present
        tailed = [c for c in ok if c.tail and c.tail != "." and text.startswith(c.tail, end)]
        if tailed:
            ok, end = tailed, end + len(tailed[0].tail)
        else:
            ok = [c for c in ok if not c.tail or c.tail == "."]
            if any(c.tail == "." for c in ok) and text.startswith(".", end):
                end += 1
        if ok:
            raw.append(_Hit(fld, start, end, ok))
    raw.sort(key=lambda h: (h.start, h.start - h.end))
    kept: list[_Hit] = []
    last = -1
    for h in raw:
        if h.start >= last:
            kept.append(h)
            last = h.end
    return kept


def _free_word(w: str) -> bool:
    """Capitalised words that may stand next to a place without making it part of a longer name."""
    w = w.rstrip('.,;:!?"”').lower()
    for suffix in ("'s", "’s"):
        w = w.removesuffix(suffix)
    return (
        w in TITLE_WORDS or w in ROLE_WORDS or w in MODIFIER_WORDS or w in DAYS_MONTHS or w in FUNCTION_CAPS
    )


_FOREIGN_PARTICLES = frozenset({"de", "du", "des", "la", "le", "del", "di", "da"})


def _glued(text: str, h: _Hit, starts: set[int]) -> str:
    """'next'/'prev' when a name is part of a longer capitalised name ("Jordan Henderson", "Michael
    Jordan", "Anglo American", "Stade de France"); '' otherwise."""
    nxt = _next_word(text, h.end)
    if nxt and nxt[:1].isupper() and (h.end + 1) not in starts and not _free_word(nxt) and not nxt.isupper():
        return "next"
    prev = _prev_word(text, h.start)
    pstart = h.start - len(prev) - 1
    if prev.lower() in _FOREIGN_PARTICLES:
        prev2 = _prev_word(text, pstart)
        if (
            prev2[:1].isupper()
            and not _sentence_start(text, pstart - len(prev2) - 1)
            and not _free_word(prev2)
        ):
            return "prev"
    if (
        prev
        and prev[:1].isupper()
        and prev[-1:].isalpha()
        and not prev.endswith(("'s", "’s"))
        and not _sentence_start(text, pstart)
        and not _free_word(prev)
    ):
        return "prev"
    return ""


def _titled(text: str, start: int) -> bool:
    prev = _prev_word(text, start).rstrip(".").lower()
    return prev in TITLE_WORDS or prev in ROLE_WORDS


def _ctx_hits(ent: KBEntity, ctx_text: str) -> int:
    return sum(1 for w in ent.ctx if w in ctx_text)


def _choose(
    h: _Hit, text: str, ctx_text: str, full_ids: set[str], starts: set[int], as_name: set[str]
) -> Candidate | None:
    best: Candidate | None = None
    best_score = -1.0
    for c in h.cands:
        ent, flags = c.entity, c.flags
        if flags & PARTIAL:
            low = c.alias.lower()
            if low in DAYS_MONTHS:
                nxt = _next_word(text, h.end)
                if nxt[:1].isdigit() or _prev_word(text, h.start).lower() in MONTH_PREPS:
                    continue
            if ent.id in full_ids:
                score = 10.0
            elif _titled(text, h.start):
                score = 6.0
            elif ent.alone and not flags & COMMON:
                score = 4.0
            else:
                continue
        elif flags & GATED:
            hits = _ctx_hits(ent, ctx_text)
            if hits == 0 or _glued(text, h, starts):
                continue
            score = 2.0 + hits
        else:
            score = 3.0 + _ctx_hits(ent, ctx_text)
            if ent.type != "person" and not flags & EXACT and (ent.type == "place" or flags & DEMONYM):
                if _glued(text, h, starts):
                    continue
                if ent.name_like and normalise(c.alias) in as_name:
                    continue  # one sense per story: 'Michael Jordan ... Jordan said'
                if flags & COMMON and ent.anti and any(w in ctx_text for w in ent.anti):
                    continue
        if score > best_score:
            best, best_score = c, score
    return best


# ---------------------------------------------------------------- discovery of new people


def _strip_run(tokens: list[str], start: int, covered: dict[int, int]) -> tuple[list[str], list[str]]:
    """Split leading titles/roles/KB matches from a capitalised run: (prefix, name tokens)."""
    i = 0
    pos = start
    while i < len(tokens):
        t = tokens[i]
        low = t.rstrip(".").lower()
        in_hit = covered.get(pos, -1) >= pos + len(t)
        if not (
            in_hit
            or low in TITLE_WORDS
            or low in ROLE_WORDS
            or low in MODIFIER_WORDS
            or low in FUNCTION_CAPS
            or low in DAYS_MONTHS
        ):
            break
        pos += len(t) + 1
        i += 1
    name = tokens[i:]
    while name and (name[-1].lower() in DAYS_MONTHS or name[-1].lower() in FUNCTION_CAPS):
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


def _country_near(hits: list[_Hit], lo: int, hi: int) -> str | None:
    """Country of the nearest place/demonym/organisation match inside [lo, hi)."""
    best: str | None = None
    for h in hits:
        if h.ent is not None and lo <= h.start < hi and h.ent.type != "person" and h.ent.country:
            best = h.ent.country if h.start >= lo else best
    return best


def _discover(
    fld: Field,
    text: str,
    hits: list[_Hit],
    discovered: MutableMapping[str, Any] | None,
    headline: str,
) -> list[tuple[int, int, dict[str, Any]]]:
    """Find people introduced with a role, and names already in the discovered table."""
    occupied: dict[int, int] = {}  # every character position inside a resolved KB hit -> hit end
    for h in hits:
        if h.ent is not None:
            for p in range(h.start, h.end):
                occupied[p] = h.end
    found: list[tuple[int, int, dict[str, Any]]] = []
    for m in _NAME_RUN.finditer(text):
        run, run_start = m.group(0), m.start()
        for sep in ("'s ", "’s "):
            cut = run.rfind(sep)
            if cut >= 0:  # "Spain's Rafael Nadal": the name follows the possessive
                run_start += cut + len(sep)
                run = run[cut + len(sep) :]
        tokens = run.split(" ")
        if len(tokens) < 2:
            continue
        prefix, name = _strip_run(tokens, run_start, occupied)
        if not name:
            continue
        joined = " ".join(name)
        n_start = run_start + len(" ".join(prefix)) + (1 if prefix else 0)
        n_end = n_start + len(joined)
        if any(p in occupied for p in range(n_start, n_end)):
            continue
        if not _valid_name(name):
            continue
        key = _fold_key(joined)
        known = discovered.get(key) if discovered is not None else None
        if known is not None:
            found.append((n_start, n_end, known))
            continue
        role = any(
            t.rstrip(".").lower() in ROLE_WORDS or t.rstrip(".").lower() in TITLE_WORDS for t in prefix
        )
        country = _country_near(hits, run_start, n_start) if prefix else None
        before = text[max(0, run_start - 60) : run_start]
        cut = max(before.rfind("."), before.rfind(";"), before.rfind("\n"))
        before_clause = before[cut + 1 :]
        last = before_clause.rstrip().rsplit(" ", 1)[-1].lower().strip(",")
        if last in ROLE_WORDS:
            role = True
            country = country or _country_near(hits, run_start - len(before_clause), run_start)
        elif before_clause.endswith(("'s ", "’s ")):
            # "South Africa's Cyril X", "Spain's Rafael Nadal"
            owner = _country_near(hits, run_start - len(before_clause), run_start)
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
                country = _country_near(hits, n_end, n_end + 2 + stop)
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
        if before_ok and after_ok and not any(s < j and i < e for s, e in occupied):
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


def _countries(
    accs: dict[str, _Acc], body: str, dl_ent: KBEntity | None, list_pos: set[tuple[str, int]]
) -> list[str]:
    score: dict[str, float] = {}
    lead_end = min(len(body), _LEAD_CHARS)
    for acc in accs.values():
        if not acc.country:
            continue
        if acc.type == "place":
            factor = 1.0
        elif acc.type == "person":
            factor = 0.75
        elif acc.kind == "government":
            factor = 1.0
        elif acc.kind in {"news_agency", "sport_body"}:
            continue
        else:
            factor = 0.5
        for fld, start, _end, _dem in acc.mentions:
            w = 3.0 if fld == "headline" else (2.0 if start < lead_end else 1.0)
            if (fld, start) in list_pos:
                w = 0.25
            score[acc.country] = score.get(acc.country, 0.0) + w * factor
    if dl_ent is not None and dl_ent.country:
        score[dl_ent.country] = score.get(dl_ent.country, 0.0) + 3.0
    if not score:
        return []
    top = max(score.values())
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
    return [cc for cc, s in ranked if s >= _COUNTRY_MIN and s >= _COUNTRY_REL * top]


def _list_positions(fld: Field, text: str, hits: list[_Hit]) -> set[tuple[str, int]]:
    """Country mentions inside enumerations of 4+ places ("Chad, Mali, Niger and Sudan")."""
    out: set[tuple[str, int]] = set()
    run: list[_Hit] = []
    for h in hits:
        if h.ent is None or h.ent.type != "place":
            continue
        if run and text[run[-1].end : h.start].strip() in {",", "and", ", and", "or", ", or"}:
            run.append(h)
        else:
            if len(run) >= 4:
                out.update((fld, x.start) for x in run)
            run = [h]
    if len(run) >= 4:
        out.update((fld, x.start) for x in run)
    return out


# ---------------------------------------------------------------- entry point


def tag(
    headline: str,
    body: str,
    kb: KnowledgeBase,
    *,
    dateline: str | None = None,
    discovered: MutableMapping[str, Any] | None = None,
) -> TagResult:
    """Tag people, organisations and places in a cleaned story and name the countries it is about."""
    fields: list[tuple[Field, str]] = [("headline", headline), ("body", body)]
    ctx_text = f" {normalise(headline)} {normalise(body)} "
    all_hits: dict[Field, list[_Hit]] = {f: _find_hits(f, t, kb) for f, t in fields}

    # pass 1: unambiguous full names of people (they license surnames anywhere in the story)
    full_ids: set[str] = set()
    for hits in all_hits.values():
        for h in hits:
            for c in h.cands:
                if c.entity.type == "person" and not c.flags & PARTIAL and len(h.cands) == 1:
                    full_ids.add(c.entity.id)

    accs: dict[str, _Acc] = {}

    def add(
        ent_id: str, name: str, typ: str, country: str | None, kind: str, m: tuple[Field, int, int, bool]
    ) -> None:
        acc = accs.get(ent_id)
        if acc is None:
            acc = accs[ent_id] = _Acc(ent_id, name, typ, country, kind)
        acc.mentions.append(m)

    list_pos: set[tuple[str, int]] = set()
    as_name: set[str] = set()  # name-like place aliases seen used as part of a person's name
    for fld, text in fields:
        starts = {h.start for h in all_hits[fld]}
        for h in all_hits[fld]:
            if any(c.entity.name_like for c in h.cands) and _glued(text, h, starts) == "prev":
                as_name.update(normalise(c.alias) for c in h.cands if c.entity.name_like)
    for fld, text in fields:
        hits = all_hits[fld]
        starts = {h.start for h in hits}
        for h in hits:
            c = _choose(h, text, ctx_text, full_ids, starts, as_name)
            if c is None:
                continue
            h.cand, h.ent = c, c.entity
        list_pos |= _list_positions(fld, text, hits)

    # discovery needs resolved KB hits (to skip them and to find countries near a role)
    disc_people: dict[str, tuple[dict[str, Any], list[tuple[Field, int, int]]]] = {}
    for fld, text in reversed(fields):  # body first: its role phrases license names in the headline
        for s, e, rec in _discover(fld, text, all_hits[fld], discovered, headline):
            disc_people.setdefault(rec["id"], (rec, []))[1].append((fld, s, e))

    for fld, _text in fields:
        for h in all_hits[fld]:
            if h.ent is not None and h.cand is not None:
                ent = h.ent
                add(
                    ent.id,
                    ent.name,
                    ent.type,
                    ent.country,
                    ent.kind,
                    (fld, h.start, h.end, bool(h.cand.flags & DEMONYM)),
                )

    for pid, (rec, spans) in disc_people.items():
        for fld, s, e in spans:
            add(pid, rec["name"], "person", rec.get("country"), "person", (fld, s, e, False))
        surname = rec["name"].split(" ")[-1]
        if len(surname) < 3:
            continue
        for fld, text in fields:
            occupied = [(m[1], m[2]) for a in accs.values() for m in a.mentions if m[0] == fld]
            for s, e in _surname_hits(text, surname, occupied):
                add(pid, rec["name"], "person", rec.get("country"), "person", (fld, s, e, False))

    dl_text = dateline if dateline else _body_dateline(body)
    dl_ent = dateline_place(dl_text, kb) if dl_text else None
    if dl_ent is not None and dl_ent.id not in accs and dateline:
        accs[dl_ent.id] = _Acc(dl_ent.id, dl_ent.name, dl_ent.type, dl_ent.country, dl_ent.kind)

    countries = _countries(accs, body, dl_ent, list_pos)
    entities: list[Entity] = []
    for acc in accs.values():
        ms = sorted(acc.mentions, key=lambda m: (m[0] != "headline", m[1]))
        entities.append(
            Entity(
                id=acc.ent_id,
                name=acc.name,
                type=acc.type,
                country=acc.country,
                count=len(ms),
                mentions=[Mention(m[0], m[1], m[2]) for m in ms],
            )
        )

    def salience(e: Entity) -> tuple[int, int, int]:
        in_head = any(m.field == "headline" for m in e.mentions)
        first = min((m.start for m in e.mentions if m.field == "body"), default=1 << 30)
        return (-e.count, 0 if in_head else 1, first)

    entities.sort(key=salience)
    return TagResult(entities=entities, countries=countries)
