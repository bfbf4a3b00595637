"""ScrapeTimeMonitor exports what Faust's PrometheusMonitor exports, from the same events.

Both monitors get the same hook calls under the same fake clock; after a collection of each
registry, every sample (Faust's metric names, labels and values, histogram buckets included)
and Faust's own Monitor fields must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import faust
import pytest
from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from faust.types import TP
from faust.types.tuples import Message
from prometheus_client import CollectorRegistry

from streams.faust_monitor import ScrapeTimeMonitor, _FlushFirst, setup_faust_metrics


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def app() -> faust.App:
    return faust.App("test-monitor", broker="kafka://localhost:1", store="memory://")


def _stream(app: faust.App, topic: str) -> Any:
    stream = app.stream(app.topic(topic))
    stream.task_owner = app
    return stream


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample but creation times."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in registry.collect():
        for s in family.samples:
            if s.name.endswith("_created"):
                continue  # creation times differ between the two registries
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _assert_same(got: dict[Any, float], want: dict[Any, float]) -> None:
    """Equal samples; histogram sums to 1e-12 (the same values, added in another order)."""
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == (pytest.approx(value, rel=1e-12) if key[0].endswith("_sum") else value), key


def _drive(monitor: Any, clock: Clock, streams: list[Any]) -> None:
    """Events on two topics and partitions, with run times across the histogram's buckets."""
    runtimes_ms = [0.5, 1, 3, 7, 12, 40, 90, 250, 900, 4000, 20000, 70000]
    for i in range(60):
        topic, stream = ("wire.raw", streams[0]) if i % 3 else ("wire.dedup", streams[1])
        tp = TP(topic, i % 2)
        msg = Message(topic, tp.partition, 100 + i, 0.0, 0, None, b"k", b"v", None)
        monitor.on_message_in(tp, 100 + i, msg)
        state = monitor.on_stream_event_in(tp, 100 + i, stream, object())
        clock.now += runtimes_ms[i % len(runtimes_ms)] / 1000.0
        if i % 7:  # some events are still in flight at the scrape
            monitor.on_stream_event_out(tp, 100 + i, stream, object(), state)
            monitor.on_message_out(tp, 100 + i, msg)
        if i % 10 == 0:
            monitor.track_tp_end_offset(tp, 500 + i)


def _pair(app: faust.App) -> tuple[Any, Any, CollectorRegistry, CollectorRegistry, Clock, Clock]:
    ref_reg, new_reg = CollectorRegistry(), CollectorRegistry()
    ref_clock, new_clock = Clock(), Clock()
    ref = PrometheusMonitor(metrics=FaustMetrics.create(ref_reg, "faust"), time=ref_clock)
    flush_first = _FlushFirst()
    new_reg.register(flush_first)  # type: ignore[arg-type]
    new = ScrapeTimeMonitor(metrics=FaustMetrics.create(new_reg, "faust"), time=new_clock)
    flush_first.flush = new.flush
    return ref, new, ref_reg, new_reg, ref_clock, new_clock


def test_same_samples_and_monitor_fields_as_prometheus_monitor(app: faust.App) -> None:
    ref, new, ref_reg, new_reg, ref_clock, new_clock = _pair(app)
    streams = [_stream(app, "wire.raw"), _stream(app, "wire.dedup")]
    _drive(ref, ref_clock, streams)
    _drive(new, new_clock, streams)
    want, got = _samples(ref_reg), _samples(new_reg)
    _assert_same(got, want)
    assert want[("faust_messages_received_total", ())] == 60
    assert want[("faust_active_messages", ())] == 9  # 60 in, 51 out
    assert want[("faust_events_runtime_ms_count", ())] == 51
    for field in (
        "messages_received_total", "messages_active", "events_total", "events_active",
        "messages_received_by_topic", "events_by_stream", "events_by_task", "tp_read_offsets",
        "tp_end_offsets",
    ):
        assert getattr(new, field) == getattr(ref, field), field
    assert list(new.events_runtime) == pytest.approx(list(ref.events_runtime))
    assert new.stream_inbound_time.keys() == ref.stream_inbound_time.keys()  # real monotonic times


def test_every_collection_sees_the_events_so_far(app: faust.App) -> None:
    ref, new, ref_reg, new_reg, ref_clock, new_clock = _pair(app)
    streams = [_stream(app, "wire.raw"), _stream(app, "wire.dedup")]
    for _ in range(3):  # scrapes between bursts: counts add up, nothing is counted twice
        _drive(ref, ref_clock, streams)
        _drive(new, new_clock, streams)
        _assert_same(_samples(new_reg), _samples(ref_reg))
    assert _samples(new_reg)[("faust_total_events_total", ())] == 180


def _scrape_lines(text: str) -> Iterator[str]:
    return (ln for ln in text.splitlines() if ln.startswith("faust_messages_received_total"))


def test_setup_installs_the_monitor_and_a_metrics_page(app: faust.App) -> None:
    registry = CollectorRegistry()
    monitor = setup_faust_metrics(app, registry, pattern="/metrics")
    assert app.monitor is monitor
    tp = TP("wire.raw", 0)
    monitor.on_message_in(tp, 5, Message("wire.raw", 0, 5, 0.0, 0, None, b"k", b"v", None))
    from prometheus_client import generate_latest

    assert list(_scrape_lines(generate_latest(registry).decode())) == ["faust_messages_received_total 1.0"]
