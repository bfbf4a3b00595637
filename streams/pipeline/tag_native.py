"""Bridge to the compiled tagger (Rust crate in native/, Python module ``wirefeed_native``).

Python stays the specification (streams/pipeline/tag.py); this module turns a built KnowledgeBase
into plain data once (normalised keys with their candidates and precomputed MatchInfo, entity
attributes, the rule word lists, a character table made by Python's own ``str`` methods) and builds
the native tagger from it. The native tagger handles a story when every character of the headline,
body and dateline is Latin-1 or one of the wide punctuation marks ``fast_normalise`` replaces; it
returns None otherwise and ``tag()`` runs the Python path (see docs/tagging.md, "Native fast path").
"""

from __future__ import annotations

import dataclasses
import logging
import types
import unicodedata
from typing import Any

from streams.pipeline import kb as kbm
from streams.pipeline.kb import KnowledgeBase
from streams.pipeline.native_ext import has, switched_off, wirefeed_native
from streams.pipeline.tag_text import _LATIN1, _WIDE_PUNCT
from streams.pipeline.types import Entity, Mention, TagResult

log = logging.getLogger(__name__)

_logged = False


def available() -> bool:
    return has("Tagger")


def enabled() -> bool:
    """Whether the native tagger should be used: built, and not switched off with WIREFEED_NATIVE=0."""
    return available() and not switched_off()


def _char_row(c: str) -> tuple[int, int, int, int, str]:
    flags = (
        c.isupper()
        | c.islower() << 1
        | c.isalpha() << 2
        | c.isalnum() << 3
        | c.isdigit() << 4
        | c.isspace() << 5
        | c.isprintable() << 6
        | (c.isalnum() or c == "_") << 7
    )
    low = c.lower()
    assert len(low) == 1 and unicodedata.category(c) != "Lt", c
    fold = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    fold = fold.lower().replace("’", "'")
    if c.isalnum() or c in "_'’.-":  # characters of a discovered name: folding adds no whitespace
        assert not any(x.isspace() for x in fold), c
    norm = _LATIN1[ord(c)] if ord(c) < 256 else 0x20
    return ord(c), flags, ord(low), norm, fold


def _chars() -> list[tuple[int, int, int, int, str]]:
    rows = [_char_row(chr(i)) for i in range(256)]
    for c in _WIDE_PUNCT:
        assert c.lower() == c and not (c.isalnum() or c == "_")
        rows.append(_char_row(c))
    return rows


def _latin1(s: str) -> bytes | None:
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:  # cannot occur in a text the native path accepts
        return None


def _record_fields(cls: type, expected: tuple[str, ...]) -> list[Any]:
    """Member descriptors of an output dataclass's fields, checked: the native side allocates the
    instance and sets its slots through them, which equals calling ``cls(...)`` only for a plain
    slots dataclass whose __init__ just assigns these fields."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    if names != expected or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise RuntimeError(f"{cls.__name__} changed: update native/src/lib.rs and tag_native.py")
    descrs = [cls.__dict__[n] for n in names]
    if not all(isinstance(d, types.MemberDescriptorType) for d in descrs):
        raise RuntimeError(f"{cls.__name__}: fields are not plain slots")
    return descrs


def build_spec(kb: KnowledgeBase) -> dict[str, Any]:
    """The plain-data description of ``kb`` and the tagger's rules that the native side is built from."""
    from streams.pipeline import tag as t  # the rules live there; imported late (tag imports us)
    from streams.pipeline.tag_rules import (
        DAYS_MONTHS,
        MONTH_PREPS,
        NAME_PARTICLES,
        NON_NAME_WORDS,
        ROLE_WORDS,
    )

    assert (kbm.EXACT, kbm.CAP, kbm.GATED, kbm.PARTIAL, kbm.DEMONYM, kbm.COMMON) == (1, 2, 4, 8, 16, 32)
    assert (kbm.CASE_CAP, kbm.CASE_EXACT, kbm.TAIL_NONE, kbm.TAIL_DOT, kbm.TAIL_OTHER) == (0, 1, 0, 1, 2)
    assert (kbm.SETTLE_FULL, kbm.SETTLE_TAKE, kbm.SETTLE_PLACE) == (0, 1, 2)
    ent_index: dict[str, int] = {}
    entities: list[tuple[Any, ...]] = []
    for e in kb.entities():
        ent_index[e.id] = len(entities)
        factor = t._FACTOR_BY_TYPE.get(e.type) or t._FACTOR_BY_KIND.get(e.kind, 0.5)
        ctx = [b for b in map(_latin1, e.ctx) if b is not None]  # others never occur in the story
        anti = [b for b in map(_latin1, e.anti) if b is not None]
        entities.append((e.id, e.name, e.type, e.country, ctx, anti, e.alone, e.name_like, float(factor)))
    cand_index: dict[int, int] = {}
    cands: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    datelines: list[tuple[bytes, int]] = []
    norm_keys = list(kb._by_norm)  # same order as kb.match_info (both follow the automaton values)
    assert len(norm_keys) == len(kb.match_info)
    for key, mi in zip(norm_keys, kb.match_info, strict=True):
        assert mi.length == len(key)
        idxs = []
        for c in mi.cands:
            ci = cand_index.get(id(c))
            if ci is None:
                ci = cand_index[id(c)] = len(cands)
                daymonth = bool(c.flags & kbm.PARTIAL) and c.alias.lower() in DAYS_MONTHS
                ent = ent_index[c.entity.id]
                cands.append((ent, c.head, c.tail, c.flags, kbm.normalise(c.alias), daymonth))
            idxs.append(ci)
        raw = _latin1(key)
        person = ent_index[mi.person_id] if mi.person_id else -1
        keys.append((raw, mi.length, idxs, mi.case, mi.head, mi.tail, mi.settle, person, mi.name_like))
        if raw is not None and len(key) <= 40:
            place = t.dateline_place(key, kb)  # the reference rule, answered once per key
            if place is not None:
                datelines.append((raw, ent_index[place.id]))
    return {
        "chars": _chars(),
        "entities": entities,
        "candidates": cands,
        "keys": keys,
        "datelines": datelines,
        "particles": sorted(NAME_PARTICLES),
        "free_words": sorted(t._FREE_WORDS),
        "role_or_title": sorted(t._ROLE_OR_TITLE),
        "roles": sorted(ROLE_WORDS),
        "trail_strip": sorted(t._TRAIL_STRIP),
        "foreign_particles": sorted(t._FOREIGN_PARTICLES),
        "appos_openers": sorted(t._APPOS_OPENERS),
        "non_name_words": sorted(NON_NAME_WORDS),
        "month_preps": sorted(MONTH_PREPS),
        "entity_fields": _record_fields(Entity, ("id", "name", "type", "country", "count", "mentions")),
        "mention_fields": _record_fields(Mention, ("field", "start", "end")),
        "entity_cls": Entity,
        "mention_cls": Mention,
        "result_cls": TagResult,
    }


def build(kb: KnowledgeBase) -> Any:
    """A native tagger for ``kb`` (raises if the extension is not built)."""
    if wirefeed_native is None:
        raise RuntimeError("wirefeed_native is not built: pip install ./native")
    return wirefeed_native.Tagger(build_spec(kb))


_UNSET = object()


def tagger_for(kb: KnowledgeBase, *, use_native: bool | None = None) -> Any | None:
    """The KB's native tagger, built on first use; None when the extension is missing or switched off.

    ``use_native`` is the worker's ``Settings.native``; None (library use) reads WIREFEED_NATIVE here,
    once per KB, never per story.
    """
    global _logged
    cached = kb.__dict__.get("_native_tagger", _UNSET)
    if cached is not _UNSET and (use_native is None or (cached is not None) == (use_native and available())):
        return cached
    use = enabled() if use_native is None else use_native and available()
    nt = build(kb) if use else None
    kb.__dict__["_native_tagger"] = nt  # derived from the immutable KB, so cached on it
    if not _logged:
        _logged = True
        if nt is not None:
            log.info("entity tagging: native implementation (wirefeed_native), Python for other scripts")
        else:
            why = "switched off by WIREFEED_NATIVE=0" if available() else "wirefeed_native not built"
            log.info("entity tagging: Python implementation (%s)", why)
    return nt
