"""Knowledge base for entity tagging: entity table plus one compiled Aho-Corasick automaton.

The KB is data (streams/data/kb/kb.json, built by scripts/build_kb.py). Aliases are matched on a
normalised copy of the text in which every non-word character is a space and letters are lower
case; keys are padded with spaces, so every hit falls on word boundaries and offsets line up with
the original text. Case rules are applied per hit by the tagger using the flags computed here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "kb" / "kb.json"

TYPES = frozenset({"person", "organization", "place"})
PLACE_KINDS = frozenset({"country", "historical_country", "capital", "city", "region", "territory"})

# Alias flags.
EXACT = 1  # surface must equal the alias exactly (short acronyms: US, IS, UN, WHO)
CAP = 2  # surface must start with a capital letter
GATED = 4  # only with supporting context words in the story
PARTIAL = 8  # a person's surname alone: needs the full name, a title, or an `alone` entity
DEMONYM = 16  # adjective/noun for a country's people ("Russian")
COMMON = 32  # also an ordinary English word ("May", "Turkey", "us", "is")

# Lower-case forms that are also everyday English words or very common names.
COMMON_WORDS = frozenset(
    [
        "is",
        "us",
        "who",
        "may",
        "turkey",
        "chad",
        "jordan",
        "china",
        "nice",
        "bath",
        "reading",
        "mobile",
        "it",
        "am",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "he",
        "if",
        "in",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "we",
        "can",
        "art",
        "bar",
        "sale",
        "van",
        "aid",
        "march",
        "august",
        "grace",
        "hope",
        "faith",
        "will",
        "mark",
        "bill",
        "rose",
        "cook",
        "smith",
        "brown",
        "young",
        "price",
        "power",
        "rice",
        "rich",
        "lew",
        "earnest",
        "hunt",
        "bishop",
        "wong",
        "khan",
        "das",
        "ali",
        "kim",
        "lee",
        "park",
        "moon",
        "michel",
        "charles",
        "grant",
        "cross",
        "sun",
        "guinea",
        "niger",
        "georgia",
        "kerry",
        "austin",
        "xi",
    ]
)
_NONWORD = re.compile(r"[^\w]")
_QID = re.compile(r"^(Q[1-9][0-9]*|wf:[a-z]+/[A-Za-z0-9._-]+)$")
_CC = re.compile(r"^[A-Z]{2}$")
_SURNAME_SKIP = frozenset({"CN", "KP", "KR", "VN", "TW", "MM", "SG"})
_TAIL_CHARS = ".+!?'’)"
_PREFIX_TITLES = ("king ", "queen ", "pope ", "prince ", "sheikh ", "crown ", "emir ")


class KBError(ValueError):
    """The knowledge base file is missing, malformed or inconsistent."""


def normalise(text: str) -> str:
    """Same-length, lower-case copy with every non-word character replaced by a space."""
    low = _NONWORD.sub(" ", text).lower()
    if len(low) != len(text):  # a few characters change length when lower-cased (e.g. 'İ')
        low = "".join(
            (c.lower() if len(c.lower()) == 1 else c) if (c.isalnum() or c == "_") else " " for c in text
        )
    return low


@dataclass(frozen=True, slots=True)
class KBEntity:
    id: str
    name: str
    type: str
    kind: str
    country: str | None
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    ctx: tuple[str, ...] = ()  # normalised, space-padded
    anti: tuple[str, ...] = ()
    alone: bool = False
    name_like: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: KBEntity
    alias: str
    flags: int
    head: str = ""  # alias without trailing punctuation: what the matched span covers
    tail: str = ""  # trailing punctuation of the alias ("." of "U.S.", "+" of "OPEC+")


# Case rule shared by all candidates of a key (see MatchInfo).
CASE_CAP, CASE_EXACT, CASE_MIXED, CASE_MIXED_UPPER = 0, 1, 2, 3
# Tail rule: no candidate has trailing punctuation / only "." ("U.S.") / anything else ("OPEC+").
TAIL_NONE, TAIL_DOT, TAIL_OTHER = 0, 1, 2
# How a hit whose candidates all pass the case rule is settled.
SETTLE_FULL, SETTLE_TAKE, SETTLE_PLACE = 0, 1, 2


class MatchInfo(NamedTuple):
    """What the tagger needs to know about one automaton key, computed once at load time."""

    length: int  # normalised key length
    cands: tuple[Candidate, ...]
    case: int  # CASE_*: CAP = first letter upper for all; EXACT = one exact head, none common
    head: str  # the exact surface for CASE_EXACT
    tail: int  # TAIL_*
    settle: int  # SETTLE_*: TAKE = single candidate always chosen; PLACE = single place/demonym
    person_id: str | None  # single full-name person candidate (licenses its surnames)
    name_like: bool  # some candidate is a name-like place ("Jordan", "Chad")


def _match_info(length: int, cands: tuple[Candidate, ...]) -> MatchInfo:
    flags = [c.flags for c in cands]
    if all(f & CAP and not f & EXACT for f in flags):
        case = CASE_CAP
    elif all(f & EXACT and not f & COMMON for f in flags) and len({c.head for c in cands}) == 1:
        case = CASE_EXACT
    elif any(f & EXACT and f & COMMON for f in flags):
        case = CASE_MIXED_UPPER
    else:
        case = CASE_MIXED
    tails = {c.tail for c in cands}
    tail = TAIL_NONE if tails == {""} else (TAIL_DOT if tails <= {"", "."} else TAIL_OTHER)
    settle = SETTLE_FULL
    person_id = None
    if len(cands) == 1:
        c = cands[0]
        ent, f = c.entity, c.flags
        if not f & (PARTIAL | GATED):
            if ent.type != "person" and not f & EXACT and (ent.type == "place" or f & DEMONYM):
                settle = SETTLE_PLACE
            else:
                settle = SETTLE_TAKE
        if ent.type == "person" and not f & PARTIAL:
            person_id = ent.id
    return MatchInfo(
        length=length,
        cands=cands,
        case=case,
        head=cands[0].head,
        tail=tail,
        settle=settle,
        person_id=person_id,
        name_like=any(c.entity.name_like for c in cands),
    )


def _alias_flags(ent: KBEntity, alias: str, *, demonym: bool, exact: set[str], gated: set[str]) -> int:
    letters = [c for c in alias if c.isalpha()]
    flags = 0
    low = alias.lower()
    if (
        alias in exact
        or (letters and all(c.isupper() for c in letters) and len(letters) <= 5)
        or (len(letters) <= 3 and any(c.isupper() for c in letters))
    ):
        flags |= EXACT
    elif alias[:1].isupper():
        flags |= CAP
    if alias in gated:
        flags |= GATED
    if demonym:
        flags |= DEMONYM
    if low in COMMON_WORDS:
        flags |= COMMON
    return flags


def _surnames(ent: KBEntity) -> list[str]:
    """Surname forms a story may use alone after introducing the person ("Lavrov", "Assad")."""
    if ent.type != "person" or (ent.country in _SURNAME_SKIP):
        return []
    name = ent.name
    if name.lower().startswith(_PREFIX_TITLES):
        return []
    parts = name.replace(" Jr", "").split()
    if len(parts) < 2:
        return []
    last = parts[-1]
    out = [last]
    for prefix in ("al-", "el-", "Al-", "El-"):
        if last.startswith(prefix) and len(last) > len(prefix) + 2:
            out.append(last[len(prefix) :])
    if len(parts) >= 3 and parts[-2].lower() in {"le", "de", "van", "von", "da"}:
        out.append(" ".join(parts[-2:]))
    return out


def _validate(raw: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("entities"), list):
        raise KBError(f"{where}: expected an object with an 'entities' list")
    out = []
    for i, e in enumerate(raw["entities"]):
        if not isinstance(e, dict):
            raise KBError(f"{where}: entity #{i} is not an object")
        for key in ("id", "name", "type"):
            if not isinstance(e.get(key), str) or not e[key]:
                raise KBError(f"{where}: entity #{i} lacks a string '{key}'")
        if not _QID.match(e["id"]):
            raise KBError(f"{where}: entity {e['id']!r}: id must be a Wikidata QID or wf:<ns>/<slug>")
        if e["type"] not in TYPES:
            raise KBError(f"{where}: entity {e['id']}: type {e['type']!r} not in {sorted(TYPES)}")
        country = e.get("country")
        if country is not None and not (isinstance(country, str) and _CC.match(country)):
            raise KBError(f"{where}: entity {e['id']}: country must be ISO alpha-2, got {country!r}")
        for key in ("aliases", "demonyms", "ctx", "anti", "gated", "exact"):
            val = e.get(key, [])
            if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
                raise KBError(f"{where}: entity {e['id']}: '{key}' must be a list of non-empty strings")
        out.append(e)
    return out


class KnowledgeBase:
    """Immutable entity table plus compiled matcher. Build with :func:`load_kb`."""

    def __init__(self, records: Iterable[dict[str, Any]], version: str) -> None:
        self.version = version
        entities: dict[str, KBEntity] = {}
        table: dict[str, list[Candidate]] = {}
        for e in records:
            ent = KBEntity(
                id=e["id"],
                name=e["name"],
                type=e["type"],
                kind=e.get("kind", e["type"]),
                country=e.get("country"),
                aliases=tuple(e.get("aliases", [])) or (e["name"],),
                demonyms=tuple(e.get("demonyms", [])),
                ctx=tuple(f" {normalise(w).strip()} " for w in e.get("ctx", [])),
                anti=tuple(f" {normalise(w).strip()} " for w in e.get("anti", [])),
                alone=bool(e.get("alone", False)),
                name_like=bool(e.get("name_like", False)),
            )
            entities[ent.id] = ent  # later records (user additions) replace earlier ones
            exact, gated = set(e.get("exact", [])), set(e.get("gated", []))
            forms = [(a, False) for a in ent.aliases] + [(d, True) for d in ent.demonyms]
            for alias, dem in forms:
                self._add(
                    table,
                    Candidate(ent, alias, _alias_flags(ent, alias, demonym=dem, exact=exact, gated=gated)),
                )
            full = {a.lower() for a in ent.aliases}
            for sn in _surnames(ent):
                if sn.lower() in full:
                    continue
                flags = _alias_flags(ent, sn, demonym=False, exact=set(), gated=set()) | PARTIAL
                self._add(table, Candidate(ent, sn, flags))
        # drop candidates of replaced entities
        self._entities = entities
        self._keys: list[tuple[int, tuple[Candidate, ...]]] = []
        self._by_norm: dict[str, tuple[Candidate, ...]] = {}
        # per automaton value, precomputed so the tagger settles most hits without per-candidate work
        self.match_info: list[MatchInfo] = []
        auto = ahocorasick.Automaton()
        for key in sorted(table):
            cands = tuple(c for c in table[key] if entities.get(c.entity.id) is c.entity)
            if not cands:
                continue
            # stable preference: full names before partials, non-gated before gated
            cands = tuple(sorted(cands, key=lambda c: (bool(c.flags & PARTIAL), bool(c.flags & GATED))))
            self._by_norm[key] = cands
            auto.add_word(f" {key} ", len(self._keys))
            self._keys.append((len(key), cands))
            self.match_info.append(_match_info(len(key), cands))
        auto.make_automaton()
        self.automaton = auto

    @staticmethod
    def _add(table: dict[str, list[Candidate]], cand: Candidate) -> None:
        head = cand.alias.rstrip(_TAIL_CHARS)
        cand = Candidate(cand.entity, cand.alias, cand.flags, head, cand.alias[len(head) :])
        key = normalise(cand.alias).strip()
        if len(key) < 2:
            return
        lst = table.setdefault(key, [])
        if not any(c.entity.id == cand.entity.id and c.flags == cand.flags for c in lst):
            lst.append(cand)

    @property
    def size(self) -> int:
        return len(self._entities)

    def get(self, id: str) -> KBEntity | None:
        return self._entities.get(id)

    def entry(self, index: int) -> tuple[int, tuple[Candidate, ...]]:
        """(normalised alias length, candidates) for an automaton value."""
        return self._keys[index]

    def lookup(self, text: str) -> tuple[Candidate, ...]:
        """Candidates for an exact alias (case-insensitive), e.g. a dateline place."""
        return self._by_norm.get(normalise(text).strip(), ())

    def entities(self) -> Iterable[KBEntity]:
        return self._entities.values()


_CACHE: dict[tuple[Any, ...], KnowledgeBase] = {}
_LOCK = threading.Lock()


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError as exc:
        raise KBError(f"{path}: no such knowledge-base file") from exc
    except json.JSONDecodeError as exc:
        raise KBError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise KBError(f"{path}: expected a JSON object")
    return data


def load_kb(path: Path | None = None, *, extra_paths: Sequence[Path] = ()) -> KnowledgeBase:
    """Load and compile the KB (cached per file set and mtimes; the result is immutable).

    ``extra_paths`` are user additions in the same format; an entity whose id already exists
    replaces the packaged one.
    """
    paths = [Path(path) if path is not None else DEFAULT_PATH, *map(Path, extra_paths)]
    stamp = tuple((str(p), p.stat().st_mtime_ns if p.exists() else None) for p in paths)
    with _LOCK:
        hit = _CACHE.get(stamp)
        if hit is not None:
            return hit
        records: list[dict[str, Any]] = []
        versions = []
        for p in paths:
            data = _read(p)
            records.extend(_validate(data, str(p)))
            versions.append(str(data.get("version", "user")))
        kb = KnowledgeBase(records, "+".join(versions))
        _CACHE[stamp] = kb
        return kb
