"""Value types passed between the pure stages.

Stages never import Kafka or Faust: they take these values (and explicit
state/knowledge objects) and return new values. The Kafka worker and the
offline ``wirefeed process`` command run the same chain (``pipeline.chain``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PubStatus = Literal["usable", "canceled", "withheld"]
DedupStatus = Literal["unique", "duplicate", "update", "redelivery"]


class Rejected(Exception):
    """Input that cannot be processed; becomes a DLQ record, never a crash.

    ``reason`` is a short machine-readable code (bounded set, used as a metric
    label); ``detail`` is a human-readable explanation.
    """

    def __init__(self, reason: str, detail: str, stage: str = "parse") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.stage = stage


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an input message came from (its topic, partition, offset, key and broker timestamp)."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None
    timestamp: float | None = None  # broker timestamp of the raw message (s)

    def tag(self) -> str | None:
        """Identity of the input message; None when it has none (ad-hoc calls)."""
        if self.offset is None:
            return None
        return f"{self.topic}/{self.partition}/{self.offset}"


@dataclass(slots=True)
class RawItem:
    """A validated, normalised input item (output of ``parse``)."""

    id: str
    version: int
    source: str
    headline: str
    body: str  # plain text; "" when only body_html was given
    body_html: str | None = None
    language: str | None = None
    published: str | None = None  # ISO-8601 UTC, e.g. 2015-09-17T14:05:00Z
    url: str | None = None
    dateline: str | None = None
    byline: str | None = None
    located: str | None = None
    pubstatus: PubStatus = "usable"
    correction: bool = False  # marked as a correction by the sender
    fmt: str = "plain"  # plain | ninjs1 | ninjs2


@dataclass(slots=True)
class Removal:
    text: str
    rule: str


@dataclass(slots=True)
class StripResult:
    """Cleaned text plus everything that was removed and why."""

    headline: str
    body: str
    stripped: list[Removal] = field(default_factory=list)
    credit: list[str] = field(default_factory=list)  # agencies named by sign-offs/credit lines
    dateline: str | None = None  # dateline found at the start of the body, if any


@dataclass(slots=True)
class Verdict:
    status: DedupStatus
    of: str | None = None  # id of the item this one duplicates / updates
    similarity: float | None = None
    reason: str | None = None  # e.g. "exact", "near", "version", "figures", "correction", "kill"


@dataclass(slots=True)
class Mention:
    field: Literal["headline", "body"]
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: str  # person | organization | place | ...
    country: str | None
    count: int
    mentions: list[Mention] = field(default_factory=list)


@dataclass(slots=True)
class TagResult:
    entities: list[Entity]
    countries: list[str]  # ISO 3166-1 alpha-2 codes the story is about, most salient first


@dataclass(slots=True)
class RouteResult:
    routes: list[str]
    reasons: dict[str, list[str]]
