"""deploy/prometheus and deploy/grafana against the metrics a worker really exports.

promtool (Debian's prometheus package, installed by deploy/system-deps.sh)
checks the config and the rules and runs the rules' unit tests. Every PromQL
expression in the alert rules and the dashboard is tokenised; each metric name
must be a series the worker exports (built from the real ``Metrics`` catalogue
and Faust's ``FaustMetrics`` on a registry) and each label name used in a
selector, a ``by``/``on`` clause or a legend must exist on those series.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from faust.sensors.prometheus import FaustMetrics
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from streams.metrics import Metrics

REPO = Path(__file__).resolve().parents[2]
PROM = REPO / "deploy" / "prometheus"
GRAFANA = REPO / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "wirefeed.json"
DOC = REPO / "docs" / "observability.md"

# Labels Prometheus attaches to every scraped series (scrape job and target).
TARGET_LABELS = frozenset({"job", "instance"})
# Series Prometheus itself creates for every target; `up` is the only one we use.
PROMETHEUS_SERIES = {"up": frozenset()}

ALERTS = ("WirefeedWorkerStalled", "WirefeedLagGrowing", "WirefeedDLQRate", "WirefeedNoInput",
          "WirefeedStageErrors", "WirefeedEndToEndLatencySLO", "WirefeedNotReady", "WirefeedDown",
          "WirefeedInputDeleted")


# ---------------------------------------------------------------- exported series
def _metric_objects(*holders: Any) -> list[MetricWrapperBase]:
    out = []
    for h in holders:
        values = h._asdict().values() if hasattr(h, "_asdict") else vars(h).values()
        out.extend(v for v in values if isinstance(v, MetricWrapperBase))
    return out


def exported_series() -> dict[str, frozenset[str]]:
    """Sample name -> label names, for every series a worker's /metrics can carry."""
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    metrics.stage("parse", 0.001, True)  # a custom collector's families carry labels once used
    objs = _metric_objects(metrics, FaustMetrics.create(registry, "faust"))
    custom = list(metrics.stages.collect())  # StageStats: plain lists exported at scrape time
    # the objects we walked must be exactly what the registry exports
    families = {(f.name, f.type) for f in registry.collect()}
    walked = {(m._name, m._type) for m in objs} | {(f.name, f.type) for f in custom}  # type: ignore[attr-defined]
    assert walked == families
    series: dict[str, frozenset[str]] = dict(PROMETHEUS_SERIES)
    for f in custom:
        labels = frozenset(k for sample in f.samples for k in sample.labels if k != "le")
        if f.type == "counter":
            series[f"{f.name}_total"] = labels
        else:
            series[f"{f.name}_bucket"] = labels | {"le"}
            series[f"{f.name}_sum"] = series[f"{f.name}_count"] = labels
    for m in objs:
        name, typ = m._name, m._type  # type: ignore[attr-defined]
        labels = frozenset(m._labelnames)  # type: ignore[attr-defined]
        if typ == "counter":
            series[f"{name}_total"] = labels
            series[f"{name}_created"] = labels
        elif typ == "gauge":
            series[name] = labels
        elif typ == "histogram":
            series[f"{name}_bucket"] = labels | {"le"}
            for suffix in ("_sum", "_count", "_created"):
                series[name + suffix] = labels
        elif typ == "summary":
            series[name] = labels | {"quantile"}
            for suffix in ("_sum", "_count", "_created"):
                series[name + suffix] = labels
        else:  # pragma: no cover - a new metric type needs a rule here
            raise AssertionError(f"unhandled metric type {typ} for {name}")
    return {k: v | TARGET_LABELS for k, v in series.items()}


# ---------------------------------------------------------------- PromQL tokens
FUNCTIONS = frozenset({
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
    "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_sum", "holt_winters", "hour",
    "idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10", "minute", "month",
    "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time",
    "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
    "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
    "present_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh",
    "tan", "tanh", "deg", "rad", "pi", "start", "end",
})
AGGREGATORS = frozenset({
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile",
})
LABEL_LIST_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", *LABEL_LIST_KEYWORDS})

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
  | (?P<var>\$\{[^}\n]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[A-Za-z0-9_:.]+\]\])
  | (?P<duration>(?:[0-9]+(?:ms|[smhdwy]))+)
  | (?P<number>0x[0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=@])
  | (?P<punct>[(){}\[\],:])
""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str
    text: str


@dataclass
class Usage:
    """What an expression refers to."""

    metrics: list[str] = field(default_factory=list)
    selector_labels: list[tuple[str, str]] = field(default_factory=list)  # (metric or "", label)
    clause_labels: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (label, metrics in scope)
    functions: list[str] = field(default_factory=list)


def tokenize(expr: str) -> list[Tok]:
    toks, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            raise ValueError(f"cannot tokenise at {expr[pos:pos + 20]!r} in {expr!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            toks.append(Tok(kind, m.group()))
    return toks


def _matching(toks: list[Tok], i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    opener, depth = toks[i].text, 0
    for j in range(i, len(toks)):
        if toks[j].text == opener and toks[j].kind == "punct":
            depth += 1
        elif toks[j].text == pairs[opener] and toks[j].kind == "punct":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f"unbalanced {opener!r}")


def analyse(expr: str) -> Usage:
    """Metric names, label names and functions an expression uses."""
    toks = tokenize(expr)
    u = Usage()
    metric_at: dict[int, str] = {}
    clauses: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind == "punct" and t.text == "[":
            i = _matching(toks, i) + 1  # range or subquery: durations and $__rate_interval only
            continue
        if t.kind == "punct" and t.text == "{":
            end = _matching(toks, i)
            owner = metric_at.get(i - 1, "")
            for j in range(i + 1, end):
                if toks[j].kind == "ident" and toks[j + 1].kind == "op":
                    u.selector_labels.append((owner, toks[j].text))
                    if toks[j].text == "__name__":
                        u.metrics.append(toks[j + 2].text.strip("\"'`"))
            i = end + 1
            continue
        if t.kind != "ident":
            i += 1
            continue
        opens = nxt is not None and nxt.text == "("
        if t.text in LABEL_LIST_KEYWORDS:
            if opens:
                end = _matching(toks, i + 1)
                labels = [x.text for x in toks[i + 2:end] if x.kind == "ident"]
                clauses.append((i, labels))
                i = end + 1
                continue
        elif t.text in KEYWORDS:
            pass
        elif opens or (t.text in AGGREGATORS and nxt is not None and nxt.text in ("by", "without")):
            u.functions.append(t.text)
        else:
            u.metrics.append(t.text)
            metric_at[i] = t.text
        i += 1

    all_metrics = frozenset(u.metrics)
    for i, labels in clauses:
        scope = all_metrics
        if toks[i].text in ("by", "without"):
            start = i + 1
            end = _matching(toks, start)
            if i > 0 and toks[i - 1].kind == "ident" and toks[i - 1].text in AGGREGATORS:
                arg_start = end + 1  # sum by (x) (expr)
            else:  # sum (expr) by (x): the group that closed just before `by`
                arg_end = i - 1
                depth, arg_start = 0, arg_end
                for j in range(arg_end, -1, -1):
                    depth += {")": 1, "(": -1}.get(toks[j].text, 0) if toks[j].kind == "punct" else 0
                    if depth == 0:
                        arg_start = j
                        break
            arg_end = _matching(toks, arg_start)
            scope = frozenset(metric_at[j] for j in metric_at if arg_start < j < arg_end)
        for label in labels:
            u.clause_labels.append((label, scope))
    return u


def problems(expr: str, series: dict[str, frozenset[str]], legend: str = "") -> list[str]:
    """Everything in ``expr`` (and its legend) that the worker does not export."""
    try:
        u = analyse(expr)
    except ValueError as exc:
        return [str(exc)]
    out = []
    for name in u.metrics:
        if name not in series:
            out.append(f"unknown metric {name!r}")
    for fn in u.functions:
        if fn not in FUNCTIONS and fn not in AGGREGATORS:
            out.append(f"unknown function {fn!r}")
    for metric, label in u.selector_labels:
        if label == "__name__":
            continue
        if metric and metric in series and label not in series[metric]:
            out.append(f"metric {metric!r} has no label {label!r}")
        if not metric and not any(label in series.get(m, ()) for m in u.metrics):
            out.append(f"no metric in the expression has label {label!r}")
    for label, scope in u.clause_labels:
        known = set(TARGET_LABELS)
        for m in scope:
            known |= series.get(m, frozenset())
        if label not in known:
            out.append(f"label {label!r} in a by/on clause exists on none of {sorted(scope)}")
    for label in re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", legend):
        if not any(label in series.get(m, ()) for m in u.metrics):
            out.append(f"legend label {label!r} exists on none of {sorted(set(u.metrics))}")
    return out


# ---------------------------------------------------------------- the files
def alert_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((PROM / "alerts.yml").read_text(encoding="utf-8"))
    return [r for g in doc["groups"] for r in g["rules"]]


def dashboard_queries() -> list[tuple[str, str, str]]:
    """(where, expr, legend) for every query of every panel and variable."""
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    out = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for p in panels:
            for t in p.get("targets", []):
                out.append((f"panel {p['title']!r} {t['refId']}", t["expr"], t.get("legendFormat", "")))
            walk(p.get("panels", []))

    walk(dash["panels"])
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.fullmatch(r"label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)", q.strip())
            assert m, f"variable {v['name']}: only label_values(selector, label) is supported: {q}"
            out.append((f"variable {v['name']}", m.group(1), "{{" + m.group(2) + "}}"))
    return out


@pytest.fixture(scope="module")
def series() -> dict[str, frozenset[str]]:
    return exported_series()


def _promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.skip("promtool not installed (Debian package prometheus; run deploy/system-deps.sh)")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


# ---------------------------------------------------------------- promtool
def test_promtool_check_config() -> None:
    r = _promtool("check", "config", "prometheus.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout + r.stderr


def test_promtool_check_rules() -> None:
    r = _promtool("check", "rules", "alerts.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{len(ALERTS)} rules found" in r.stdout


def test_promtool_unit_tests_of_the_rules() -> None:
    r = _promtool("test", "rules", "alerts_test.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def test_promtool_unit_tests_fail_on_a_wrong_expectation(tmp_path: Path) -> None:
    """The rule tests really compare: a changed expectation must fail."""
    shutil.copy(PROM / "alerts.yml", tmp_path / "alerts.yml")
    text = (PROM / "alerts_test.yml").read_text(encoding="utf-8")
    assert text.count('instance: "w1:6066", topic: wire.raw, partition: "0"') >= 1
    broken = text.replace('instance: "w1:6066", topic: wire.raw, partition: "0"',
                          'instance: "w1:6066", topic: wire.raw, partition: "7"')
    (tmp_path / "alerts_test.yml").write_text(broken, encoding="utf-8")
    r = _promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert r.returncode != 0 and "FAILED" in r.stdout + r.stderr


# ---------------------------------------------------------------- structure
def test_prometheus_scrapes_the_worker_metrics_endpoint() -> None:
    cfg = yaml.safe_load((PROM / "prometheus.yml").read_text(encoding="utf-8"))
    assert cfg["rule_files"] == ["alerts.yml"]
    (job,) = [j for j in cfg["scrape_configs"] if j["job_name"] == "wirefeed"]
    assert job["metrics_path"] == "/metrics"
    globs = [f for sd in job["file_sd_configs"] for f in sd["files"]]
    targets = [t for g in globs for f in sorted(PROM.glob(g))
               for group in yaml.safe_load(f.read_text(encoding="utf-8")) for t in group["targets"]]
    assert targets == ["worker:6066"]


def test_every_alert_exists_with_severity_and_runbook_section() -> None:
    rules = {r["alert"]: r for r in alert_rules()}
    assert set(rules) == set(ALERTS)
    doc = DOC.read_text(encoding="utf-8")
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == name.lower()
        assert re.search(rf"^#+ {name}\s*$", doc, re.MULTILINE), f"no section {name} in docs/observability.md"


def test_dashboard_has_the_required_panels() -> None:
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    titles = [p["title"] for p in dash["panels"]]
    for wanted in ("Throughput per stage", "Stage latency p50 / p95 / p99", "End-to-end latency",
                   "Dedup verdicts", "Routed items per route", "Duplicates and unrouted",
                   "DLQ records by reason",
                   "Lag per partition (messages)", "Lag per partition (seconds)", "Time since last commit",
                   "State table entries", "Readiness per worker", "Build info", "Rule sets in force"):
        assert wanted in titles, wanted
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    for p in dash["panels"]:
        if p["type"] == "row":
            continue
        assert p["targets"], p["title"]
        assert p["datasource"]["uid"] == "${datasource}", p["title"]
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "wirefeed.yml").read_text())
    assert provider["providers"][0]["type"] == "file"
    ds = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert ds["datasources"][0]["type"] == "prometheus"


def test_docs_catalogue_lists_every_wirefeed_metric(series: dict[str, frozenset[str]]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    registry = CollectorRegistry()
    for m in _metric_objects(Metrics(registry)):
        exported = {"counter": f"{m._name}_total"}.get(m._type, m._name)  # type: ignore[attr-defined]
        row = re.search(rf"^\| `{re.escape(exported)}` \|([^\n]*)$", doc, re.MULTILINE)
        assert row, f"{exported} is not in the metric table of docs/observability.md"
        for label in m._labelnames:  # type: ignore[attr-defined]
            assert f"`{label}`" in row.group(1), f"{exported}: label {label} not documented"


# ---------------------------------------------------------------- names
def test_alert_expressions_use_only_exported_series(series: dict[str, frozenset[str]]) -> None:
    bad = {r["alert"]: p for r in alert_rules() if (p := problems(r["expr"], series))}
    assert not bad, bad


def test_dashboard_queries_use_only_exported_series(series: dict[str, frozenset[str]]) -> None:
    queries = dashboard_queries()
    assert len(queries) > 30
    bad = {where: p for where, expr, legend in queries if (p := problems(expr, series, legend))}
    assert not bad, bad


def test_every_wirefeed_metric_is_on_the_dashboard(series: dict[str, frozenset[str]]) -> None:
    used = {m for _, expr, _ in dashboard_queries() for m in analyse(expr).metrics}
    families = {re.sub(r"_(total|bucket|sum|count)$", "", m) for m in used}
    missing = sorted({re.sub(r"_(total|bucket|sum|count|created)$", "", s) for s in series
                      if s.startswith("wirefeed_")} - families)
    assert not missing, f"exported but on no panel: {missing}"


@pytest.mark.parametrize(("expr", "expected"), [
    ('sum by (stage) (rate(wirefeed_stage_items_in_total{job="x", stage="parse"}[$__rate_interval]))', []),
    ("sum(rate(wirefeed_stage_items_total[5m]))", ["unknown metric 'wirefeed_stage_items_total'"]),
    ('wirefeed_routed_items_total{rule="x"}', ["metric 'wirefeed_routed_items_total' has no label 'rule'"]),
    ("sum by (route) (wirefeed_dlq_records_total)", [
        "label 'route' in a by/on clause exists on none of ['wirefeed_dlq_records_total']"]),
    ("sum(wirefeed_dlq_records_total) by (reason)", []),
    ("wirefeed_ready offset 5m == bool 0", []),
    ("histogram_quantile(0.99, sum by (le) (rate(wirefeed_end_to_end_latency_seconds_bucket[5m]))) > 1e-1",
     []),
    ("histogram_quantile(0.9, sum by (le) (rate(wirefeed_end_to_end_latency_seconds[5m])))",
     ["unknown metric 'wirefeed_end_to_end_latency_seconds'",
      "label 'le' in a by/on clause exists on none of ['wirefeed_end_to_end_latency_seconds']"]),
    ("a_metric_that_is_not_there and on (partition) wirefeed_consumer_lag_messages",
     ["unknown metric 'a_metric_that_is_not_there'"]),
    ("max_over_time(wirefeed_ready[10m:1m]) # trailing comment naming some_metric", []),
    ("rat(wirefeed_messages_consumed_total[5m])", ["unknown function 'rat'"]),
    ('{__name__="wirefeed_nope"}', ["unknown metric 'wirefeed_nope'"]),
])
def test_the_checker_itself(expr: str, expected: list[str], series: dict[str, frozenset[str]]) -> None:
    assert problems(expr, series) == expected


def test_the_checker_catches_wrong_legend_labels(series: dict[str, frozenset[str]]) -> None:
    assert problems("sum by (route) (rate(wirefeed_routed_items_total[5m]))", series, "{{route}}") == []
    assert problems("sum(rate(wirefeed_routed_items_total[5m]))", series, "{{stage}}") == [
        "legend label 'stage' exists on none of ['wirefeed_routed_items_total']"]


def test_count_each_counts_every_occurrence() -> None:
    m = Metrics(CollectorRegistry())
    m.count_each(m.entities, ["person", "place", "person"])
    m.count_each(m.entities, iter(["person"]))
    assert m.entities.labels("person")._value.get() == 3  # type: ignore[attr-defined]
    assert m.entities.labels("place")._value.get() == 1  # type: ignore[attr-defined]
