"""The stage chain shared by the Kafka worker and ``wirefeed process``.

Two halves, because of where state lives:

* ``prepare`` — parse, strip, tag, fingerprint. Stateless apart from per-source
  furniture and discovered names, so it runs on every partition of ``wire.raw``
  in parallel.
* ``finish`` — dedup, route, assemble. Dedup state must see every possible copy
  of a story, so the worker re-keys prepared items by ``dedup.shard_key`` onto
  ``wire.dedup`` and runs ``finish`` there.

Tagging is pure and does not depend on the dedup verdict, so running it before
dedup changes no output; it lets the costly stage scale with ``wire.raw``'s
partitions instead of with the dedup shards. Offline, ``run`` calls both halves.

Every stage runs under a ``_Guard``: an exception becomes a DLQ outcome naming the
stage, never a dead agent.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from itertools import chain as _concat
from time import perf_counter
from typing import Any, Literal, Protocol

import orjson

from streams.pipeline import dedup, dedup_index, furniture, parse, route, staged, strip, tag
from streams.pipeline.kb import KnowledgeBase
from streams.pipeline.route_lang import RuleSet as RouteRules
from streams.pipeline.rules import RuleSet as StripRules
from streams.pipeline.staged import Staged
from streams.pipeline.staged import b64 as _b64
from streams.pipeline.staged import entity_json as _entity_json
from streams.pipeline.staged import iso_utc as _iso
from streams.pipeline.staged import unb64 as _unb64
from streams.pipeline.types import (
    Entity,
    Mention,
    Origin,
    RawItem,
    Rejected,
    Removal,
    StripResult,
    TagResult,
    Verdict,
)

__all__ = ["Origin", "Staged"]  # re-exported: where callers of the chain have always found them

STAGES = ("parse", "strip", "tag", "fingerprint", "dedup", "route")
OutcomeKind = Literal["enriched", "duplicate", "redelivery", "dlq"]


class StageObserver(Protocol):
    """Hook for metrics; the core never imports prometheus."""

    def stage(self, name: str, seconds: float, ok: bool) -> None: ...


class _NoObserver:
    def stage(self, name: str, seconds: float, ok: bool) -> None:
        return None


_NO_OBSERVER = _NoObserver()
_NO_ORIGIN = Origin()


@dataclass(slots=True)
class Knowledge:
    """Loaded data files. ``routes`` is replaced live when a new rule set arrives."""

    strip_rules: StripRules
    kb: KnowledgeBase
    routes: RouteRules
    dedup: dedup.DedupConfig
    max_message_bytes: int = 12_000_000
    max_body_chars: int = 2_000_000
    furniture_window_s: float = 7 * 24 * 3600.0
    furniture_min_items: int = 5
    # (prefix, stages): an item whose id is "<prefix><stage>…" raises in that stage, if the
    # stage is listed — poison-message drills in tests only
    test_poison: tuple[str, frozenset[str]] | None = None


def _drill(k: Knowledge, stage: str, item_id: str) -> None:
    if k.test_poison and stage in k.test_poison[1] and item_id.startswith(k.test_poison[0] + stage):
        raise RuntimeError(f"test poison in {stage}")


@dataclass(slots=True)
class Prepared:
    item: RawItem
    cleaned: StripResult
    tags: TagResult
    fp: dedup.Fingerprint
    origin: Origin
    received_at: float

    def to_json(self) -> dict[str, Any]:
        it = self.item
        return {
            "item": {
                "id": it.id,
                "version": it.version,
                "source": it.source,
                "headline": it.headline,
                "language": it.language,
                "published": it.published,
                "url": it.url,
                "dateline": it.dateline,
                "byline": it.byline,
                "located": it.located,
                "pubstatus": it.pubstatus,
                "correction": it.correction,
                "fmt": it.fmt,
            },
            "cleaned": {
                "headline": self.cleaned.headline,
                "body": self.cleaned.body,
                "stripped": [{"text": r.text, "rule": r.rule} for r in self.cleaned.stripped],
                "credit": self.cleaned.credit,
                "dateline": self.cleaned.dateline,
            },
            "tags": {
                "entities": [_entity_json(e) for e in self.tags.entities],
                "countries": self.tags.countries,
            },
            "fp": self.fp.to_json(),
            "origin": {
                "topic": self.origin.topic,
                "partition": self.origin.partition,
                "offset": self.origin.offset,
                "key": _b64(self.origin.key),
                "timestamp": self.origin.timestamp,
            },
            "received_at": self.received_at,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Prepared:
        it = d["item"]
        item = RawItem(body="", body_html=None, **it)
        c = d["cleaned"]
        cleaned = StripResult(
            headline=c["headline"],
            body=c["body"],
            stripped=[Removal(r["text"], r["rule"]) for r in c["stripped"]],
            credit=list(c["credit"]),
            dateline=c["dateline"],
        )
        ents = [
            Entity(
                id=e["id"],
                name=e["name"],
                type=e["type"],
                country=e["country"],
                count=e["count"],
                mentions=[Mention(m["field"], m["start"], m["end"]) for m in e["mentions"]],
            )
            for e in d["tags"]["entities"]
        ]
        o = d["origin"]
        origin = Origin(o["topic"], o["partition"], o["offset"], _unb64(o["key"]), o["timestamp"])
        return cls(
            item=item,
            cleaned=cleaned,
            tags=TagResult(ents, list(d["tags"]["countries"])),
            fp=dedup.Fingerprint.from_json(d["fp"]),
            origin=origin,
            received_at=d["received_at"],
        )


_WIRE_V1 = 1
_FIELD_CODES = {"headline": 0, "body": 1}
_FIELD_NAMES = ("headline", "body")
_FIELD_DECODE = {0: "headline", 1: "body", "headline": "headline", "body": "body"}
_FIELD_TYPES = frozenset((int, str))  # exact types: a bool code is not a field code
_ONLY_LISTS = frozenset((list,))


def encode_prepared(p: Prepared) -> bytes:
    """``p`` as a wire.dedup record: positional arrays instead of ``to_json``'s objects.

    Entity mentions dominate a prepared item (most of ``to_json``'s bytes are their
    repeated key names); the compact form is about half the size and is encoded and
    decoded without building per-mention dicts. ``decode_prepared`` reads both forms.
    """
    it, c, o = p.item, p.cleaned, p.origin
    code = _FIELD_CODES.get
    ents = []
    for e in p.tags.entities:
        flat: list[Any] = []
        for m in e.mentions:
            flat += (code(m.field, m.field), m.start, m.end)
        ents.append((e.id, e.name, e.type, e.country, e.count, flat))
    fp = p.fp
    return orjson.dumps(
        (
            _WIRE_V1,
            (
                it.id, it.version, it.source, it.headline, it.language, it.published, it.url,
                it.dateline, it.byline, it.located, it.pubstatus, it.correction, it.fmt,
            ),
            (c.headline, c.body, [(r.text, r.rule) for r in c.stripped], c.credit, c.dateline),
            (ents, p.tags.countries),
            (fp.exact, fp.chunks, fp.facts, fp.length),
            (o.topic, o.partition, o.offset, _b64(o.key), o.timestamp),
            p.received_at,
        )
    )


def decode_prepared(data: bytes) -> Prepared:
    """A wire.dedup record, compact (``encode_prepared``) or ``to_json`` (older workers)."""
    d = orjson.loads(data)
    if isinstance(d, dict):
        return Prepared.from_json(d)
    if not isinstance(d, list) or not d or d[0] != _WIRE_V1 or len(d) != 7:
        raise ValueError("not a prepared item")
    _, it, c, t, fp, o, received_at = d
    if len(it) != 13 or len(c) != 5 or len(t) != 2 or len(fp) != 4 or len(o) != 5:
        raise ValueError("prepared item: wrong field count")
    item = RawItem(it[0], it[1], it[2], it[3], "", None, *it[4:])
    cleaned = StripResult(c[0], c[1], [Removal(x, r) for x, r in c[2]], list(c[3]), c[4])
    try:
        ents = _entities_fast(t[0])
    except Exception:  # not what encode_prepared writes: read it as before, errors included
        ents = _entities(t[0])
    chunks, facts = tuple(fp[1]), tuple(fp[2])
    if len(chunks) != len(facts):
        raise ValueError("fingerprint: 'c' and 'f' must have the same length")
    return Prepared(
        item=item,
        cleaned=cleaned,
        tags=TagResult(ents, list(t[1])),
        fp=dedup.Fingerprint(exact=str(fp[0]), chunks=chunks, facts=facts, length=int(fp[3])),
        origin=Origin(o[0], o[1], o[2], _unb64(o[3]), o[4]),
        received_at=received_at,
    )


def _entities(rows: list[Any]) -> list[Entity]:
    ents = []
    for eid, name, typ, country, count, flat in rows:
        mentions = [
            Mention(_FIELD_NAMES[flat[i]] if flat[i].__class__ is int else flat[i], flat[i + 1], flat[i + 2])
            for i in range(0, len(flat), 3)
        ]
        ents.append(Entity(eid, name, typ, country, count, mentions))
    return ents


class _NotCompact(Exception):
    pass


def _entities_fast(rows: list[Any]) -> list[Entity]:
    """``_entities`` for what ``encode_prepared`` writes; raises for anything else.

    All of an item's mentions are built in one pass of C iterators (``map`` over the
    concatenated flat lists), not one comprehension per entity: most entities have one
    to three mentions, so per-entity overhead was most of the cost.
    """
    flats = [r[5] for r in rows]
    if not _ONLY_LISTS.issuperset(map(type, flats)):
        raise _NotCompact
    flat = list(_concat.from_iterable(flats))
    fields = flat[0::3]
    if not (_FIELD_TYPES.issuperset(map(type, fields)) and _FIELD_DECODE.keys() >= set(fields)):
        raise _NotCompact
    mentions = list(map(Mention, map(_FIELD_DECODE.__getitem__, fields), flat[1::3], flat[2::3]))
    ents = []
    pos = 0
    for eid, name, typ, country, count, mflat in rows:
        n = len(mflat)
        if n % 3:
            raise _NotCompact
        end = pos + n // 3
        ents.append(Entity(eid, name, typ, country, count, mentions[pos:end]))
        pos = end
    return ents


class Outcome:
    """What one input produced: an output record (or a DLQ record) and where it goes.

    ``value`` is the record as published (JSON bytes) and ``record`` the same as a dict; either is
    made from the other on first use. The chain renders enriched and duplicate records as bytes
    (``staged.render``), so the worker publishes them without building the dict at all.
    """

    __slots__ = ("_record", "_value", "item_id", "kind", "reason", "routes", "stage", "verdict")

    def __init__(
        self,
        kind: OutcomeKind,
        record: dict[str, Any] | None = None,
        routes: list[str] | None = None,
        item_id: str | None = None,
        reason: str | None = None,  # DLQ reason, for metrics
        stage: str | None = None,
        *,
        value: bytes | None = None,
        verdict: Verdict | None = None,  # enriched and duplicate outcomes: the dedup verdict
    ) -> None:
        if record is None and value is None:
            raise ValueError("an outcome needs its record or its value")
        self.kind = kind
        self._record = record
        self._value = value
        self.routes = [] if routes is None else routes
        self.item_id = item_id
        self.reason = reason
        self.stage = stage
        self.verdict = verdict

    @property
    def record(self) -> dict[str, Any]:
        if self._record is None:
            self._record = orjson.loads(self._value)  # type: ignore[arg-type]
        return self._record

    @property
    def value(self) -> bytes:
        if self._value is None:
            self._value = orjson.dumps(self._record)
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.kind, self.record, self.routes, self.item_id, self.reason, self.stage) == (
            other.kind, other.record, other.routes, other.item_id, other.reason, other.stage
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return f"Outcome({self.kind!r}, item_id={self.item_id!r}, routes={self.routes!r})"


@dataclass(slots=True)
class State:
    """The mutable state the chain reads and writes, as plain mappings.

    The worker passes Faust tables, ``wirefeed process`` passes dicts; dedup's goes with
    its compiled index when the extension is built (``dedup_index.indexed``).
    """

    dedup: MutableMapping[str, Any] = field(default_factory=lambda: dedup_index.indexed({}))
    furniture: MutableMapping[str, Any] | None = field(default_factory=dict)
    discovered: MutableMapping[str, Any] | None = field(default_factory=dict)
    last_expiry: float = 0.0  # when dedup state was last swept of stories past the horizon


EXPIRY_EVERY_S = 10.0  # sweep at most this often; each sweep does bounded work
EXPIRY_BUDGET = 2_000


class _StageFailed(Exception):
    def __init__(self, stage: str, exc: BaseException) -> None:
        super().__init__(stage)
        self.stage = stage
        self.exc = exc


class _Guard:
    """Runs a block as stage ``name``: times it for the observer, turns its failure into ``_StageFailed``.

    A plain class, reused for every stage of an item: a ``@contextmanager`` generator
    cost several times as much per stage, and there are six stages per item.
    """

    __slots__ = ("name", "observer", "t0")

    def __init__(self, observer: StageObserver) -> None:
        self.observer = observer
        self.name = ""
        self.t0 = 0.0

    def __call__(self, name: str) -> _Guard:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.t0 = perf_counter()

    def __exit__(self, et: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        name = self.name
        if et is None:
            self.observer.stage(name, perf_counter() - self.t0, True)
            return False
        try:
            if isinstance(exc, Rejected):
                exc.stage = name if exc.stage == "parse" and name != "parse" else exc.stage
            elif isinstance(exc, Exception):  # a poison message must not kill the agent
                raise _StageFailed(name, exc) from exc
            return False
        finally:
            self.observer.stage(name, perf_counter() - self.t0, False)


def _guard(name: str, observer: StageObserver) -> _Guard:
    """One guarded stage, for callers outside the chain (``with _guard("tag", obs): ...``)."""
    return _Guard(observer)(name)


def prepare(
    data: bytes,
    k: Knowledge,
    state: State,
    *,
    origin: Origin = _NO_ORIGIN,
    now: float | None = None,
    observer: StageObserver | None = None,
) -> Prepared | Outcome:
    """First half: bytes -> ``Prepared``, or a DLQ ``Outcome``."""
    guard = _Guard(observer or _NO_OBSERVER)
    now = time.time() if now is None else now
    item_id: str | None = None
    try:
        with guard("parse"):
            item = parse.parse(data, max_bytes=k.max_message_bytes)
        item_id = item.id
        with guard("strip"):
            _drill(k, "strip", item.id)
            learned: frozenset[str] = frozenset()
            body_lines = item.body.split("\n")
            if state.furniture is not None:
                learned = furniture.learned_lines(
                    state.furniture,
                    item.source,
                    min_items=k.furniture_min_items,
                    now=now,
                    window_s=k.furniture_window_s,
                    item_id=item.id,
                    lines=body_lines,
                    offset=origin.offset,
                )
            cleaned = strip.strip(
                item.headline,
                item.body,
                k.strip_rules,
                body_html=item.body_html,
                learned=learned,
                max_chars=k.max_body_chars,
            )
            if state.furniture is not None:
                furniture.observe(
                    state.furniture,
                    item.source,
                    item.id,
                    body_lines,
                    now,
                    window_s=k.furniture_window_s,
                    min_items=k.furniture_min_items,
                    offset=origin.offset,
                )
            if item.pubstatus == "usable" and not cleaned.body.strip():
                what = (
                    "the HTML body holds no article text"
                    if item.body_html and not item.body.strip()
                    else ("nothing is left after removing boilerplate")
                )
                raise Rejected("missing_body", f"item {item.id!r}: {what}", stage="strip")
        with guard("tag"):
            _drill(k, "tag", item.id)
            tags = tag.tag(
                cleaned.headline,
                cleaned.body,
                k.kb,
                dateline=cleaned.dateline or item.dateline,
                discovered=state.discovered,
            )
        with guard("fingerprint"):
            _drill(k, "fingerprint", item.id)
            fp = dedup.fingerprint(cleaned.headline, cleaned.body)
    except Rejected as exc:
        return dead_letter(data, exc.reason, exc.detail, exc.stage, origin, now, item_id=item_id)
    except _StageFailed as exc:
        return dead_letter(data, "stage_error", _summary(exc.exc), exc.stage, origin, now, item_id=item_id)
    return Prepared(item, cleaned, tags, fp, origin, received_at=now)


def stage(
    p: Prepared,
    k: Knowledge,
    *,
    now: float | None = None,
    observer: StageObserver | None = None,
    original: Callable[[], bytes] | None = None,
) -> Staged | Outcome:
    """Route a prepared item and render its record: what the dedup half takes (``staged``).

    Routing is pure, so it runs here, on the input's own partition, rather than in the dedup
    half, which runs serially per shard. A kill is not routed: it follows its original's routes,
    which only the dedup state knows.
    """
    guard = _Guard(observer or _NO_OBSERVER)
    now = p.received_at if now is None else now
    routed = None
    try:
        with guard("route"):
            _drill(k, "route", p.item.id)
            if p.item.pubstatus != "canceled":
                routed = route.route(
                    k.routes,
                    headline=p.cleaned.headline,
                    body=p.cleaned.body,
                    tags=p.tags,
                    source=p.item.source,
                    language=p.item.language,
                )
    except _StageFailed as exc:
        data = original() if original else _reconstruct(p)
        return dead_letter(
            data, "stage_error", _summary(exc.exc), exc.stage, p.origin, now, item_id=p.item.id
        )
    return staged.staged(p.item, p.cleaned, p.tags, p.fp, p.origin, p.received_at, routed)


def prepare_staged(
    data: bytes,
    k: Knowledge,
    state: State,
    *,
    origin: Origin = _NO_ORIGIN,
    now: float | None = None,
    observer: StageObserver | None = None,
) -> Staged | Outcome:
    """The first half: bytes -> ``Staged`` (parse, strip, tag, fingerprint, route), or a DLQ ``Outcome``."""
    p = prepare(data, k, state, origin=origin, now=now, observer=observer)
    if isinstance(p, Outcome):
        return p
    return stage(p, k, now=p.received_at, observer=observer, original=lambda: data)


def finish(
    p: Staged | Prepared,
    k: Knowledge,
    state: State,
    *,
    now: float | None = None,
    observer: StageObserver | None = None,
    original: Callable[[], bytes] | None = None,
) -> Outcome:
    """The second half: the dedup verdict, and the output record.

    A ``Prepared`` item (an older worker's wire.dedup record) is routed here first, as it was then.
    """
    now = time.time() if now is None else now
    if now - state.last_expiry >= EXPIRY_EVERY_S:
        # forget stories past the horizon, a bounded slice at a time, on the same
        # partition's state the next verdict uses (Faust: the current event's)
        state.last_expiry = now
        dedup.expire(state.dedup, now, k.dedup, budget=EXPIRY_BUDGET)
    if isinstance(p, Prepared):
        # route before dedup records anything: an item that fails routing must not stay in the
        # dedup state as the original its later copies are dropped for
        s = stage(p, k, now=now, observer=observer, original=original)
        if isinstance(s, Outcome):
            return s
        p = s
    guard = _Guard(observer or _NO_OBSERVER)
    try:
        with guard("dedup"):
            _drill(k, "dedup", p.item.id)
            verdict = dedup.decide(p.item, p.fp, state.dedup, now, k.dedup)
            origin = p.origin.tag()
            if origin is not None:
                if verdict.status == "redelivery":
                    verdict = dedup.replayed_verdict(state.dedup, p.item.id, origin) or verdict
                else:
                    dedup.remember_outcome(state.dedup, p.item.id, origin, verdict)
            if verdict.status in ("duplicate", "redelivery"):
                value = staged.render(p, verdict, [], {}, now)
                return Outcome(verdict.status, value=value, item_id=p.item.id, verdict=verdict)
            # updates and kills follow the original to its routes
            matched = p.routed
            if matched is None:
                routes = dedup.routes_of(state.dedup, verdict.of) if verdict.of else []
                reasons = {r: [f"kill of {verdict.of}, which went to {r}"] for r in routes}
            else:
                routes, reasons = list(matched.routes), dict(matched.reasons)
                if verdict.status == "update" and verdict.of:
                    for r in dedup.routes_of(state.dedup, verdict.of):
                        if r not in routes:
                            routes.append(r)
                            reasons[r] = [f"update of {verdict.of}, which went to {r}"]
            dedup.remember_routes(state.dedup, p.item.id, routes)
    except _StageFailed as exc:
        data = original() if original else staged.item_of(p)
        return dead_letter(
            data, "stage_error", _summary(exc.exc), exc.stage, p.origin, now, item_id=p.item.id
        )
    value = staged.render(p, verdict, routes, reasons, now)
    return Outcome("enriched", value=value, routes=routes, item_id=p.item.id, verdict=verdict)


def run(
    data: bytes,
    k: Knowledge,
    state: State,
    *,
    origin: Origin = _NO_ORIGIN,
    now: float | None = None,
    observer: StageObserver | None = None,
) -> Outcome:
    """Both halves in one process: what ``wirefeed process`` does per line."""
    s = prepare_staged(data, k, state, origin=origin, now=now, observer=observer)
    if isinstance(s, Outcome):
        return s
    return finish(s, k, state, now=now, observer=observer, original=lambda: data)


def encode_staged(s: Staged) -> bytes:
    """A staged item as a wire.dedup record (``staged.encode``)."""
    return staged.encode(s)


def decode_staged(data: bytes) -> Staged | Prepared:
    """A wire.dedup record: staged (this version) or prepared (an older worker's); ValueError otherwise."""
    return staged.decode(data) if staged.is_staged(data) else decode_prepared(data)


def enriched_record(
    p: Prepared, verdict: Verdict, routes: list[str], reasons: dict[str, list[str]], now: float
) -> dict[str, Any]:
    """The output contract (schemas/enriched-item.schema.json)."""
    it = p.item
    return {
        "id": it.id,
        "version": it.version,
        "source": it.source,
        "headline": p.cleaned.headline,
        "body": p.cleaned.body,
        "language": it.language,
        "published": it.published,
        "url": it.url,
        "dateline": p.cleaned.dateline or it.dateline,
        "pubstatus": it.pubstatus,
        "credit": p.cleaned.credit,
        "stripped": [{"text": r.text, "rule": r.rule} for r in p.cleaned.stripped],
        "dedup": {
            "status": "duplicate" if verdict.status == "redelivery" else verdict.status,
            "of": verdict.of,
            "similarity": verdict.similarity,
            "reason": verdict.reason,
        },
        "entities": [_entity_json(e) for e in p.tags.entities],
        "countries": p.tags.countries,
        "routes": routes,
        "route_reasons": reasons,
        "received_at": _iso(p.received_at),
        "processed_at": _iso(now),
    }


def dead_letter(
    data: bytes,
    reason: str,
    detail: str,
    stage: str,
    origin: Origin,
    now: float,
    *,
    item_id: str | None = None,
    max_copy: int = 1_000_000,
) -> Outcome:
    """The DLQ contract (schemas/dlq-record.schema.json): original bytes kept, base64.

    A copy larger than ``max_copy`` is cut there (``original_truncated``; the
    SHA-256 names the whole): base64 grows it by a third, and a DLQ record over
    the producer's request size would wedge the partition it came from.
    """
    import hashlib

    truncated = len(data) > max_copy
    kept = data[:max_copy] if truncated else data
    record = {
        "reason": reason,
        "detail": detail,
        "stage": stage,
        "item_id": item_id,
        "topic": origin.topic,
        "partition": origin.partition,
        "offset": origin.offset,
        "key_b64": _b64(origin.key),
        "original_b64": base64.b64encode(kept).decode("ascii"),
        "original_size": len(data),
        "original_truncated": truncated,
        "original_sha256": hashlib.sha256(data).hexdigest(),
        "failed_at": _iso(now),
    }
    return Outcome("dlq", record, [], item_id, reason=reason, stage=stage)


def _reconstruct(p: Prepared) -> bytes:
    return orjson.dumps(p.to_json())


def _summary(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else text[:299] + "…"
