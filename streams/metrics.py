"""The Prometheus metric catalogue (README: "Metrics").

Label values are bounded by construction: stages, verdicts and DLQ reasons are
closed sets; strip rules and routes come from the loaded data files; entity
types from the KB's closed type list; partitions from the topic's partition
count. No label ever carries an item id, an entity or a free-text source.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from streams import __version__

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_STAGE_BUCKETS = (
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.05,
    0.25,
    1,
)
_AGE_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 7 * 86400)


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        r = registry
        self.stages = StageStats(r)
        self.stage_in = _StageView(self.stages, 0)
        self.stage_out = _StageView(self.stages, 1)
        self.stage_errors = _StageView(self.stages, 2)
        self.consumed = Counter("wirefeed_messages_consumed", "Messages consumed", ["topic"], registry=r)
        self.produced = Counter(
            "wirefeed_messages_produced", "Messages produced, by output kind", ["output"], registry=r
        )
        self.e2e_seconds = Histogram(
            "wirefeed_end_to_end_latency_seconds",
            "From arrival on wire.raw (since=received) to the routed output",
            ["since"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.publish_seconds = Histogram(
            "wirefeed_publish_duration_seconds",
            "Time to publish one input partition's batch: its transaction (exactly-once) or its sends",
            ["topic"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.input_skipped = Counter(
            "wirefeed_input_skipped",
            "Input events the input gate did not process: seen (already processed), hole (an earlier"
            " event never arrived: re-read), not_owned, deleted (offsets retention removed first)",
            ["topic", "reason"],
            registry=r,
        )
        self.input_rereads = Counter(
            "wirefeed_input_rereads",
            "Times an input partition was re-read from its next offset to process",
            ["topic"],
            registry=r,
        )
        self.produce_retries = Counter(
            "wirefeed_produce_retries",
            "Produce requests the Kafka client retried, by error (NotEnoughReplicasError right after a"
            " transaction is Kafka 4's partition verification and harmless; other errors are not)",
            ["error"],
            registry=r,
        )
        self.item_age_seconds = Histogram(
            "wirefeed_item_age_seconds",
            "From the item's own publish time to its routed output (includes the sender's delay)",
            buckets=_AGE_BUCKETS,
            registry=r,
        )
        self.dedup_verdicts = Counter("wirefeed_dedup_verdicts", "Dedup verdicts", ["verdict"], registry=r)
        self.removals = Counter(
            "wirefeed_strip_removals",
            "Lines removed by boilerplate stripping, per rule",
            ["rule"],
            registry=r,
        )
        self.entities = Counter("wirefeed_entities_tagged", "Entities tagged, by type", ["type"], registry=r)
        self.routed = Counter(
            "wirefeed_routed_items", "Items published to a route topic", ["route"], registry=r
        )
        self.unrouted = Counter("wirefeed_unrouted_items", "Accepted items that matched no route", registry=r)
        self.dlq = Counter("wirefeed_dlq_records", "Records sent to the DLQ", ["reason", "stage"], registry=r)
        self.lag_messages = Gauge(
            "wirefeed_consumer_lag_messages",
            "High watermark minus committed offset",
            ["topic", "partition"],
            registry=r,
        )
        self.lag_seconds = Gauge(
            "wirefeed_consumer_lag_seconds",
            "Age of the oldest message not yet committed (0 when caught up)",
            ["topic", "partition"],
            registry=r,
        )
        self.last_commit = Gauge(
            "wirefeed_last_commit_timestamp_seconds",
            "When this worker last committed a partition",
            ["topic", "partition"],
            registry=r,
        )
        self.committed_offset = Gauge(
            "wirefeed_committed_offset", "Last committed offset", ["topic", "partition"], registry=r
        )
        self.table_entries = Gauge(
            "wirefeed_table_entries", "Entries held in a state table", ["table"], registry=r
        )
        self.kb_entities = Gauge("wirefeed_kb_entities", "Entities in the loaded knowledge base", registry=r)
        self.discovered = Gauge(
            "wirefeed_discovered_names", "People discovered from the stream (provisional ids)", registry=r
        )
        self.ready = Gauge("wirefeed_ready", "1 when /readyz passes", registry=r)
        self.build_info = Gauge(
            "wirefeed_build_info",
            "Build and data versions in force",
            ["version", "kafka_version", "faust_version"],
            registry=r,
        )
        self.ruleset_info = Gauge(
            "wirefeed_ruleset_info",
            "Versions of the data files in force (value 1)",
            ["kind", "version"],
            registry=r,
        )
        self.ruleset_loads = Counter(
            "wirefeed_ruleset_updates", "Live route rule-set updates", ["result"], registry=r
        )

        # labelled children by (metric, label values): ``labels()`` validates and locks on
        # every call, which the agents would otherwise pay several times per item
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, memoised (label values are bounded, see above)."""
        key = (id(metric), labels)
        c = self._children.get(key)
        if c is None:
            c = self._children[key] = metric.labels(*labels)
        return c

    # StageObserver -------------------------------------------------------
    def stage(self, name: str, seconds: float, ok: bool) -> None:
        self.stages.observe(name, seconds, ok)

    def set_build(self, kafka_version: str) -> None:
        import faust

        self.build_info.labels(__version__, kafka_version, faust.__version__).set(1)

    def set_ruleset(self, kind: str, version: str) -> None:
        # one series per kind: drop the previous version's series
        for metric in list(self.ruleset_info._metrics):  # type: ignore[attr-defined]
            if metric[0] == kind:
                self.ruleset_info.remove(*metric)
        self.ruleset_info.labels(kind, version).set(1)

    def count_each(self, metric: Any, labels: Iterable[str]) -> None:
        """Count each label value of ``metric`` once per occurrence: one ``inc`` per distinct value."""
        for label, n in Tally(labels).items():
            self.child(metric, label).inc(n)


_STAGE_COUNTERS = (
    ("wirefeed_stage_items_in", "Items entering a stage"),
    ("wirefeed_stage_items_out", "Items leaving a stage successfully"),
    ("wirefeed_stage_errors", "Items a stage rejected or failed on (sent to the DLQ)"),
)


class StageStats:
    """The per-stage counters and duration histogram, kept in plain lists and exported at scrape time.

    The stage observer runs six times per item. prometheus_client's ``Counter.inc`` and
    ``Histogram.observe`` (a lock each, and a Python loop over the buckets) cost ~24 µs per
    item there; a bisect and four list updates cost a fraction of that. Scrapes read the
    lists from the event loop's thread, the only writer.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        # stage -> [in, out, errors, seconds, bucket 0 .. bucket n (the last one: +Inf)]
        self._rows: dict[str, list[float]] = {}
        registry.register(self)

    def observe(self, name: str, seconds: float, ok: bool) -> None:
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = [0.0] * (4 + len(_STAGE_BUCKETS) + 1)
        row[0] += 1
        row[1 if ok else 2] += 1
        row[3] += seconds
        row[4 + bisect_left(_STAGE_BUCKETS, seconds)] += 1  # le is inclusive: bisect_left

    def counter(self, index: int) -> CounterMetricFamily:
        name, doc = _STAGE_COUNTERS[index]
        family = CounterMetricFamily(name, doc, labels=["stage"])
        for stage, row in list(self._rows.items()):
            family.add_metric([stage], row[index])
        return family

    def collect(self) -> Iterator[Metric]:
        for i in range(len(_STAGE_COUNTERS)):
            yield self.counter(i)
        hist = HistogramMetricFamily(
            "wirefeed_stage_duration_seconds", "Time spent in a stage per item", labels=["stage"]
        )
        for stage, row in list(self._rows.items()):
            cumulative, buckets = 0.0, []
            for bound, n in zip((*map(floatToGoString, _STAGE_BUCKETS), "+Inf"), row[4:], strict=True):
                cumulative += n
                buckets.append((bound, cumulative))
            hist.add_metric([stage], buckets, sum_value=row[3])
        yield hist


class _StageView:
    """One of the stage counters on its own (``collect()`` as on a Counter), for the status page."""

    def __init__(self, stats: StageStats, index: int) -> None:
        self._stats, self._index = stats, index

    def collect(self) -> list[Metric]:
        return [self._stats.counter(self._index)]
