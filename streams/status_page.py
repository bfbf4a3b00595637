"""HTTP endpoints on the worker's web port (besides Faust's own and /metrics).

/healthz   liveness: the process answers
/readyz    readiness: 503 when the broker is unreachable or a partition stalls
/status    a small HTML page for people without Grafana at hand
/status.json  the same data as JSON
/furniture    learned per-source boilerplate (GET), reset with POST ?source=NAME

No endpoint returns story text: only counts, names of rules/routes/sources and
DLQ reasons.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from faust import web

from streams.pipeline import furniture

if TYPE_CHECKING:
    from streams.app import Wirefeed

_STARTED = time.time()
_LAST: dict[str, Any] = {}  # previous snapshot's counts, for per-stage rates


def _counter_values(metric: Any) -> dict[tuple[str, ...], float]:
    out: dict[tuple[str, ...], float] = {}
    for family in metric.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                out[tuple(sample.labels.values())] = sample.value
    return out


def snapshot(wf: Wirefeed) -> dict[str, Any]:
    m = wf.metrics
    ok, ready = wf.health.ready()
    stages = {}
    ins, outs, errs = (
        _counter_values(m.stage_in),
        _counter_values(m.stage_out),
        _counter_values(m.stage_errors),
    )
    for (stage,), n in sorted(ins.items()):
        stages[stage] = {"in": n, "out": outs.get((stage,), 0.0), "errors": errs.get((stage,), 0.0)}
    lag = [
        {"topic": t, "partition": p, "lag": prog.lag, "committed": prog.committed}
        for (t, p), prog in sorted(wf.health.progress.items())
    ]
    now = time.time()
    prev_t, prev = _LAST.get("t", _STARTED), _LAST.get("counts", {})
    dt = max(now - prev_t, 1e-6)
    for stage, v in stages.items():
        v["rate_per_s"] = round(max(0.0, v["in"] - prev.get(stage, 0.0)) / dt, 2)
    _LAST.update(t=now, counts={st: v["in"] for st, v in stages.items()})
    for item in lag:
        prog = wf.health.progress.get((item["topic"], item["partition"]))
        item["lag_seconds"] = (
            0.0
            if prog is None or prog.behind_since is None
            else round(now - max(prog.behind_since, prog.last_moved), 1)
        )
    return {
        "uptime_seconds": round(now - _STARTED, 1),
        "test_stall_after": wf.settings.test_stall_after,
        "test_poison_prefix": wf.settings.test_poison_prefix,
        "ready": ready,
        "stages": stages,
        "produced": {k[0]: v for k, v in _counter_values(m.produced).items()},
        "dedup": {k[0]: v for k, v in _counter_values(m.dedup_verdicts).items()},
        "routes": {k[0]: v for k, v in _counter_values(m.routed).items()},
        "unrouted": sum(_counter_values(m.unrouted).values()),
        "rules": wf.route_updates.describe(),
        "recent_dlq": list(reversed(wf.recent_dlq)),
        "lag": lag,
        "ok": ok,
    }


def render(snap: dict[str, Any]) -> str:
    e = html.escape

    def table(headers: list[str], rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>—</td></tr>'}</tbody></table>"

    ready = snap["ready"]
    badge = "ok" if ready["ready"] else "bad"
    stage_rows = [
        [s, int(v["in"]), int(v["out"]), int(v["errors"]), v["rate_per_s"]] for s, v in snap["stages"].items()
    ]
    route_rows = [[r, int(n)] for r, n in sorted(snap["routes"].items())] + [
        ["(unrouted)", int(snap["unrouted"])]
    ]
    dlq_rows = [
        [d["at"], d["reason"], d["stage"], d["topic"], d["partition"], d["offset"], d["detail"]]
        for d in snap["recent_dlq"]
    ]
    lag_rows = [
        [
            x["topic"],
            x["partition"],
            x["lag"],
            x["lag_seconds"],
            "-" if x["committed"] is None else x["committed"],
        ]
        for x in snap["lag"]
    ]
    rules = snap["rules"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wirefeed worker status</title>
<meta http-equiv="refresh" content="5">
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}} h1{{font-size:1.4rem}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}
td,th{{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}}
th{{background:#f3f3f3}} .ok{{color:#fff;background:#2a7d2a;padding:.1rem .5rem;border-radius:3px}}
.bad{{color:#fff;background:#b22;padding:.1rem .5rem;border-radius:3px}}
</style></head><body>
<h1>wirefeed worker <span class="{badge}">{"ready" if ready["ready"] else "NOT READY"}</span></h1>
<p>Up {snap["uptime_seconds"]} s · broker reachable: {ready["broker_reachable"]} ·
stalled partitions: {len(ready["stalled_partitions"])} · page refreshes every 5 s ·
<a href="/metrics">/metrics</a> · <a href="/status.json">JSON</a></p>
<h2>Stages</h2>{table(["stage", "in", "out", "errors", "items/s (since last view)"], stage_rows)}
<h2>Outputs</h2>{table(["output", "messages"], [[k, int(v)] for k, v in sorted(snap["produced"].items())])}
<h2>Dedup verdicts</h2>{table(["verdict", "items"], [[k, int(v)] for k, v in sorted(snap["dedup"].items())])}
<h2>Routes</h2><p>Rule set {e(str(rules["version"]))} from {e(str(rules["origin"]))}
{("· last rejected update: " + e(rules["last_error"])) if rules["last_error"] else ""}</p>
{table(["route", "items"], route_rows)}
<h2>Consumer lag</h2>{
        table(["topic", "partition", "lag (messages)", "behind (s)", "committed offset"], lag_rows)
    }
<h2>Recent DLQ records</h2>{
        table(["at", "reason", "stage", "topic", "partition", "offset", "detail"], dlq_rows)
    }
</body></html>"""


def register_pages(wf: Wirefeed) -> None:
    app = wf.app

    @app.page("/healthz")
    async def healthz(self: web.View, request: web.Request) -> web.Response:
        return self.json({"alive": True})

    @app.page("/readyz")
    async def readyz(self: web.View, request: web.Request) -> web.Response:
        ok, body = wf.health.ready()
        return self.json(body, status=200 if ok else 503)

    @app.page("/status")
    async def status(self: web.View, request: web.Request) -> web.Response:
        return self.html(render(snapshot(wf)))

    @app.page("/status.json")
    async def status_json(self: web.View, request: web.Request) -> web.Response:
        return self.json(snapshot(wf))

    @app.page("/furniture")
    class Furniture(web.View):
        async def get(self, request: web.Request) -> web.Response:
            return self.json(furniture.describe(wf.furniture_view()))

        async def post(self, request: web.Request) -> web.Response:
            # Faust tables may only be written from inside a stream; the reset is
            # queued and applied by the prepare agent's housekeeping.
            source = request.query.get("source")
            partitions = wf.queue_furniture_reset(source)
            return self.json({"queued_reset": source or "all sources", "partitions": partitions})
