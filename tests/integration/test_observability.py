"""A real Prometheus server scraping a real worker through a real Kafka broker.

Prometheus (Debian's package, /usr/bin/prometheus) runs on a free port with the
repository's deploy/prometheus/prometheus.yml and alerts.yml, changed only
where a test cannot wait: 1 s scrape/evaluation intervals, the worker's
address as the target, and the stall alert's 5-minute threshold shortened to
the worker's WIREFEED_STALL_SECONDS. The queries are the repository's own
expressions.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.support import REPO, SAMPLE, Worker, free_port, namespace_env, produce

pytestmark = pytest.mark.kafka

PROM_DIR = REPO / "deploy" / "prometheus"
STALL_SECONDS = 3
ITEMS = 20  # processed normally; the stall knob stops the prepare agent after these
STALL_ALERT = "WirefeedWorkerStalled"


def _items() -> list[tuple[bytes | None, bytes]]:
    """The bundled sample feed, topped up to ITEMS with re-identified copies of its valid items."""
    lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    valid = []
    for line in lines:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict) and obj.get("id") and obj.get("body"):
            valid.append(obj)
    out: list[tuple[bytes | None, bytes]] = [(None, line) for line in lines[:ITEMS]]
    i = 0
    while len(out) < ITEMS:
        copy = dict(valid[i % len(valid)], id=f"{valid[i % len(valid)]['id']}-obs{i}")
        out.append((copy["id"].encode(), orjson.dumps(copy)))
        i += 1
    return out


def _stall_rules(seconds: int) -> dict[str, Any]:
    """alerts.yml with the stall alert's 5 minutes shortened to ``seconds`` and no `for`."""
    doc = yaml.safe_load((PROM_DIR / "alerts.yml").read_text(encoding="utf-8"))
    (rule,) = [r for g in doc["groups"] for r in g["rules"] if r.get("alert") == STALL_ALERT]
    expr = rule["expr"]
    assert expr.count("< 300") == 1 and expr.count("offset 5m") == 1, expr
    rule["expr"] = expr.replace("< 300", f"< {seconds}").replace("offset 5m", f"offset {seconds}s")
    rule["for"] = "0s"
    return doc


class Prometheus:
    def __init__(self, workdir: Path, target: str) -> None:
        self.port = free_port()
        self.dir = workdir
        cfg = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text(encoding="utf-8"))
        cfg["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
        (job,) = [j for j in cfg["scrape_configs"] if j["job_name"] == "wirefeed"]
        (workdir / "targets").mkdir()
        (workdir / "targets" / "test.yml").write_text(yaml.safe_dump([{"targets": [target]}]))
        (workdir / "alerts.yml").write_text(yaml.safe_dump(_stall_rules(STALL_SECONDS), sort_keys=False))
        assert job["file_sd_configs"][0]["files"] == ["targets/*.yml"]
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        self.log = open(workdir / "prometheus.log", "ab")  # noqa: SIM115
        exe = shutil.which("prometheus")
        assert exe
        self.proc = subprocess.Popen(
            [exe, f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)

    def api(self, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.loads(r.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("/api/v1/query", query=expr)["result"]

    def value(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited:\n{self.tail_log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"prometheus not ready:\n{self.tail_log()}")

    def tail_log(self) -> str:
        return "\n".join((self.dir / "prometheus.log").read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()


def _wait_for(what: str, check: Any, timeout: float, diag: Any = None) -> Any:
    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}\n{diag() if diag else ''}")


@pytest.fixture(scope="module")
def env(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("obs")
    return namespace_env(kafka_bootstrap, tmp=tmp, web_port=free_port(),
                         WIREFEED_STALL_SECONDS=str(STALL_SECONDS), WIREFEED_TEST_STALL_AFTER=str(ITEMS))


@pytest.fixture(scope="module")
def worker(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(env, tmp_path_factory.mktemp("obs-logs") / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=4)
        yield w
    finally:
        w.stop()


@pytest.fixture(scope="module")
def prometheus(worker: Worker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    if shutil.which("prometheus") is None:
        pytest.skip("prometheus server not installed (Debian package prometheus; run deploy/system-deps.sh)")
    p = Prometheus(tmp_path_factory.mktemp("prometheus"), f"127.0.0.1:{worker.port}")
    try:
        p.wait_ready()
        yield p
    finally:
        p.stop()


def test_scraped_series_show_the_items_processed(worker: Worker, prometheus: Prometheus,
                                                 env: dict[str, str]) -> None:
    p = prometheus
    _wait_for("the worker target to be up",
              lambda: p.value('up{job="wirefeed"}') == 1.0, 20, prometheus.tail_log)
    raw = env["WIREFEED_TOPIC_RAW"]
    assert produce(env["KAFKA_BOOTSTRAP"], raw, _items()) == ITEMS

    consumed = f'wirefeed_messages_consumed_total{{job="wirefeed", topic="{raw}"}}'
    _wait_for(f"{ITEMS} raw messages counted in Prometheus", lambda: p.value(consumed) == ITEMS, 30,
              worker.tail_log)
    assert p.value('wirefeed_stage_items_in_total{stage="parse"}') == ITEMS

    # every parsed item went on through each later stage or was dead-lettered: the scraped
    # per-stage counters equal what the worker itself reports, and outputs add up to the input
    def settled() -> bool:
        st = worker.status()
        scraped = {r["metric"]["stage"]: float(r["value"][1])
                   for r in p.query('wirefeed_stage_items_in_total{job="wirefeed"}')}
        mine = {s: v["in"] for s, v in st["stages"].items()}
        produced = {r["metric"]["output"]: float(r["value"][1])
                    for r in p.query("wirefeed_messages_produced_total")}
        redelivered = p.value('wirefeed_dedup_verdicts_total{verdict="redelivery"}') or 0.0
        outs = produced.get("enriched", 0) + produced.get("duplicates", 0) + produced.get("dlq", 0)
        return scraped == mine and outs + redelivered == ITEMS and st["produced"] == produced

    _wait_for("scraped stage counters to match the worker and the outputs to add up", settled, 30,
              lambda: json.dumps(worker.status(), indent=1))
    stages = {r["metric"]["stage"] for r in p.query("wirefeed_stage_items_in_total")}
    assert {"parse", "strip", "tag", "fingerprint", "dedup", "route"} <= stages
    assert p.value('sum(wirefeed_dlq_records_total{reason="invalid_json"})') == 1.0
    assert p.value('sum(wirefeed_stage_duration_seconds_count{stage="parse"})') == ITEMS
    assert (p.value("sum(wirefeed_routed_items_total)") or 0) >= 1
    assert (p.value("histogram_quantile(0.99, sum by (le) (wirefeed_end_to_end_latency_seconds_bucket))")
            or 0) > 0
    # Faust's own sensors come from the same endpoint
    assert (p.value('faust_messages_received_total{job="wirefeed"}') or 0) >= ITEMS
    assert p.value("wirefeed_ready") == 1.0
    # idle and caught up: the stall alert's (shortened) expression must stay false
    stall_expr = _stall_rules(STALL_SECONDS)
    (rule,) = [r for g in stall_expr["groups"] for r in g["rules"] if r.get("alert") == STALL_ALERT]
    time.sleep(STALL_SECONDS + 2)
    assert p.query(rule["expr"]) == [], "a caught-up worker must not look stalled"
    status, _ = worker.get("/readyz")
    assert status == 200


def _produce_to_partitions(bootstrap: str, topic: str, per_partition: int, partitions: int) -> None:
    from aiokafka import AIOKafkaProducer

    async def go() -> None:
        prod = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await prod.start()
        try:
            lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
            for part in range(partitions):
                for i in range(per_partition):
                    await prod.send_and_wait(topic, lines[i % len(lines)], partition=part)
        finally:
            await prod.stop()

    asyncio.run(go())


def test_a_stalled_worker_fails_readyz_and_fires_the_stall_alert(
        worker: Worker, prometheus: Prometheus, env: dict[str, str]) -> None:
    # depends on the first test having fed exactly ITEMS messages
    if worker.status().get("test_stall_after") != ITEMS:
        pytest.skip("the worker has no test stall knob yet: WIREFEED_TEST_STALL_AFTER must make the prepare "
                    "agent stop taking messages after N and /status.json report it as 'test_stall_after'")
    p = prometheus
    consumed = f'wirefeed_messages_consumed_total{{topic="{env["WIREFEED_TOPIC_RAW"]}"}}'
    # a scrape that times out on a busy machine marks the series stale for a moment: wait, then assert
    _wait_for(f"{ITEMS} raw messages counted in Prometheus", lambda: p.value(consumed) == ITEMS, 30)
    # 3 more messages on each raw partition: the prepare agent no longer takes any of them
    raw = env["WIREFEED_TOPIC_RAW"]
    _produce_to_partitions(env["KAFKA_BOOTSTRAP"], raw, 3, int(env["WIREFEED_PARTITIONS"]))

    def not_ready() -> bytes | None:
        status, body = worker.get("/readyz")
        return body if status == 503 else None

    body = _wait_for("/readyz to answer 503", not_ready, 30, worker.tail_log)
    ready = orjson.loads(body)
    assert ready["ready"] is False and ready["broker_reachable"] is True
    stalled = {(s["topic"], s["partition"]) for s in ready["stalled_partitions"]}
    assert {t for t, _ in stalled} == {raw}, ready

    doc = _stall_rules(STALL_SECONDS)
    (rule,) = [r for g in doc["groups"] for r in g["rules"] if r.get("alert") == STALL_ALERT]
    result = _wait_for("the stall expression to be true in Prometheus", lambda: p.query(rule["expr"]), 20)
    assert {(r["metric"]["topic"], int(r["metric"]["partition"])) for r in result} >= stalled
    assert all(float(r["value"][1]) > 0 for r in result)

    def firing() -> list[dict[str, Any]]:
        return [a for a in p.api("/api/v1/alerts")["alerts"]
                if a["labels"]["alertname"] == STALL_ALERT and a["state"] == "firing"]

    alerts = _wait_for(f"{STALL_ALERT} to fire", firing, 20)
    assert {a["labels"]["topic"] for a in alerts} == {raw}
    assert _wait_for("wirefeed_ready to drop to 0 in Prometheus",
                     lambda: p.value("wirefeed_ready") == 0.0, 20)
