"""CPU per event of Faust's sensor hooks: default ``Monitor``, ``PrometheusMonitor``, ``ScrapeTimeMonitor``.

Run: .venv/bin/python bench/bench_faust_monitor.py [--events 50000] [--rounds 5]

Each round sends the four per-event hooks (message in, stream event in and out, message out)
through the app's ``SensorDelegate``, as Faust's stream does, for one monitor at a time; rounds
of the three are interleaved and the median µs per event is printed. No broker is needed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faust
from faust.sensors.monitor import Monitor
from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from faust.types import TP
from faust.types.tuples import Message
from prometheus_client import CollectorRegistry

from streams.faust_monitor import ScrapeTimeMonitor


def _round(app: faust.App, monitor: Any, stream: Any, events: int) -> float:
    app.sensors._sensors.clear()
    app.sensors.add(monitor)
    s = app.sensors
    tp = TP("wire.raw", 1)
    msg = Message("wire.raw", 1, 0, 0.0, 0, None, b"k", b"v", None)
    ev = object()
    t0 = time.perf_counter()
    for i in range(events):
        s.on_message_in(tp, i, msg)
        state = s.on_stream_event_in(tp, i, stream, ev)
        s.on_stream_event_out(tp, i, stream, ev, state)
        s.on_message_out(tp, i, msg)
    if isinstance(monitor, ScrapeTimeMonitor):
        monitor.flush()  # what a scrape costs is part of the price
    return (time.perf_counter() - t0) / events * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    app = faust.App("bench-monitor", broker="kafka://localhost:1", store="memory://")
    stream = app.stream(app.topic("wire.raw"))
    stream.task_owner = app
    monitors = {
        "Monitor (Faust's default)": Monitor(),
        "PrometheusMonitor": PrometheusMonitor(metrics=FaustMetrics.create(CollectorRegistry(), "faust")),
        "ScrapeTimeMonitor": ScrapeTimeMonitor(metrics=FaustMetrics.create(CollectorRegistry(), "faust")),
    }
    times: dict[str, list[float]] = {name: [] for name in monitors}
    for _ in range(args.rounds):
        for name, monitor in monitors.items():
            times[name].append(_round(app, monitor, stream, args.events))
    for name, ts in times.items():
        print(f"{name:28s} {statistics.median(ts):6.2f} µs/event (median of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
