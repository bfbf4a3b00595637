"""Prometheus metrics for the ingester.

The only label besides the bounded ``result``/``kind`` codes is ``feed``: the
feed's configured name (from the YAML file, never from the stream), so label
cardinality is fixed by configuration.
"""

from __future__ import annotations

import weakref
from typing import Literal

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

FetchResult = Literal["ok", "not_modified", "error"]
# Bounded set of error kinds used as a label value.
ERROR_KINDS = ("timeout", "connection", "http", "too_large", "malformed", "entry", "sink", "internal")

_CACHE: weakref.WeakKeyDictionary[CollectorRegistry, tuple[Counter, Counter, Gauge, Counter]] = (
    weakref.WeakKeyDictionary()
)


def _collectors(registry: CollectorRegistry) -> tuple[Counter, Counter, Gauge, Counter]:
    # Registering the same metric twice in one registry raises, so reuse per registry.
    key = registry
    if key not in _CACHE:
        _CACHE[key] = (
            Counter(
                "wirefeed_ingest_fetches_total",
                "Feed fetches by outcome",
                ["feed", "result"],
                registry=registry,
            ),
            Counter(
                "wirefeed_ingest_items_total",
                "New items sent to wire.raw",
                ["feed"],
                registry=registry,
            ),
            Gauge(
                "wirefeed_ingest_last_success_timestamp_seconds",
                "Unix time of the last successful fetch (200 or 304)",
                ["feed"],
                registry=registry,
            ),
            Counter(
                "wirefeed_ingest_errors_total",
                "Ingest errors by kind",
                ["feed", "kind"],
                registry=registry,
            ),
        )
    return _CACHE[key]


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else REGISTRY
        self.fetches, self.items, self.last_success, self.errors = _collectors(self.registry)

    def fetch(self, feed: str, result: FetchResult) -> None:
        self.fetches.labels(feed=feed, result=result).inc()

    def new_items(self, feed: str, n: int) -> None:
        self.items.labels(feed=feed).inc(n)

    def success(self, feed: str, ts: float) -> None:
        self.last_success.labels(feed=feed).set(ts)

    def error(self, feed: str, kind: str) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        self.errors.labels(feed=feed, kind=kind).inc()

    def value(self, name: str, **labels: str) -> float:
        """Current sample value (0.0 if never set); handy in tests and health checks."""
        v = self.registry.get_sample_value(name, labels)
        return 0.0 if v is None else v
