"""Live route changes, `wirefeed routes/tail/ingest` against a running worker and a real broker."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support import REPO, Worker, consume, free_port, namespace_env, produce

pytestmark = pytest.mark.kafka

COFFEE_ROUTES = """\
version: test-coffee-1
routes:
  coffee:
    description: Coffee crops and prices
    match:
      phrase: {any: [coffee, arabica, robusta], min_count: 2}
  syria:
    match:
      country: {code: SY, top: 1}
"""

BROKEN_ROUTES = """\
routes:
  coffee:
    match:
      anyy: [{phrase: [coffee]}]
"""


def coffee_item(n: int) -> dict[str, Any]:
    return {
        "id": f"efe-coffee-{n}",
        "source": "EFE",
        "language": "en",
        "published": "2026-03-05T13:20:00Z",
        "headline": f"Brazil coffee harvest forecast revised ({n})",
        "body": f"Sao Paulo, Mar 5 (EFE).- Brazil's supply agency Conab revised its forecast for the coffee "
        f"harvest for the {n}th time on Thursday, citing drought in Minas Gerais.\n"
        f"Arabica coffee futures in New York rose {n} percent on the news, traders said.",
    }


def wirefeed(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def env(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return namespace_env(kafka_bootstrap, tmp=tmp_path_factory.mktemp("live"), web_port=free_port())


@pytest.fixture(scope="module")
def worker(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(env, tmp_path_factory.mktemp("live-logs") / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=4)
        yield w
    finally:
        w.stop()


def _route_ids(env: dict[str, str], route: str, expect: int, timeout: float = 30) -> list[str]:
    topic = env["WIREFEED_ROUTE_TOPIC_PREFIX"] + route
    out = consume(env["KAFKA_BOOTSTRAP"], [topic], expect=expect, timeout=timeout, settle=0.5)
    return [r["id"] for _, r in out.get(topic, [])]


def test_pushed_rule_set_takes_effect_live_and_a_broken_one_is_rejected(
    worker: Worker, env: dict[str, str], tmp_path: Path
) -> None:
    raw = env["WIREFEED_TOPIC_RAW"]
    # before: no coffee route exists; the item is enriched but unrouted
    produce(env["KAFKA_BOOTSTRAP"], raw, [(b"efe-coffee-1", orjson.dumps(coffee_item(1)))])
    out = consume(env["KAFKA_BOOTSTRAP"], [env["WIREFEED_TOPIC_ENRICHED"]], expect=1, timeout=60, settle=0.5)
    assert [(r["id"], r["routes"]) for _, r in out[env["WIREFEED_TOPIC_ENRICHED"]]] == [("efe-coffee-1", [])]

    # push a rule set with a new route while the worker runs
    routes_file = tmp_path / "routes.yaml"
    routes_file.write_text(COFFEE_ROUTES)
    pushed = wirefeed(env, "routes", "push", str(routes_file))
    assert pushed.returncode == 0, pushed.stderr
    assert "test-coffee-1" in pushed.stdout
    t0 = time.time()
    deadline = t0 + 30
    while time.time() < deadline and worker.status()["rules"]["version"] != "test-coffee-1":
        time.sleep(0.2)
    took = time.time() - t0
    assert worker.status()["rules"]["version"] == "test-coffee-1", "rule set not applied within 30 s"
    assert took < 15, f"rule set took {took:.1f} s to apply"

    produce(env["KAFKA_BOOTSTRAP"], raw, [(b"efe-coffee-2", orjson.dumps(coffee_item(2)))])
    assert _route_ids(env, "coffee", expect=1) == ["efe-coffee-2"]

    # a broken rule set: the CLI refuses to push it, pointing at the line ...
    routes_file.write_text(BROKEN_ROUTES)
    refused = wirefeed(env, "routes", "push", str(routes_file))
    assert refused.returncode == 2
    assert ":4" in refused.stderr and "anyy" in refused.stderr
    # ... and a worker that receives one anyway keeps the rules in force
    from streams.route_updates import RULESET_KEY, encode_ruleset

    produce(
        env["KAFKA_BOOTSTRAP"],
        env["WIREFEED_TOPIC_ROUTES"],
        [(RULESET_KEY, encode_ruleset(BROKEN_ROUTES, "hand-made.yaml"))],
    )
    deadline = time.time() + 30
    while time.time() < deadline and not worker.status()["rules"]["last_error"]:
        time.sleep(0.2)
    rules = worker.status()["rules"]
    assert rules["last_error"] and "anyy" in rules["last_error"]
    assert rules["version"] == "test-coffee-1"
    produce(env["KAFKA_BOOTSTRAP"], raw, [(b"efe-coffee-3", orjson.dumps(coffee_item(3)))])
    assert sorted(_route_ids(env, "coffee", expect=2)) == ["efe-coffee-2", "efe-coffee-3"]

    listed = wirefeed(env, "routes", "list")
    assert listed.returncode == 0 and "coffee" in listed.stdout

    tail = wirefeed(env, "tail", "coffee", "--from-beginning", "--max", "2")
    assert tail.returncode == 0, tail.stderr
    lines = [line for line in tail.stdout.splitlines() if line.strip() and not line.startswith("    ")]
    assert len(lines) == 2 and all("[EFE] Brazil coffee harvest forecast revised (" in x for x in lines)
    assert tail.stdout.count("    because phrase") == 2, tail.stdout
    tail_json = wirefeed(env, "tail", "coffee", "--from-beginning", "--max", "1", "--json")
    assert orjson.loads(tail_json.stdout.splitlines()[0])["id"] in {"efe-coffee-2", "efe-coffee-3"}


def test_ingest_file_backfill_flows_through_the_pipeline(
    worker: Worker, env: dict[str, str], tmp_path: Path
) -> None:
    backfill = tmp_path / "archive.jsonl"
    items = [coffee_item(n) | {"id": f"archive-{n}"} for n in range(10, 14)]
    backfill.write_text("\n".join(orjson.dumps(i).decode() for i in items) + "\n{not json}\n")
    res = wirefeed(env, "ingest", "file", str(backfill), "--no-progress", "--json")
    assert res.returncode == 1, "a rejected line makes the exit status non-zero"
    summary = orjson.loads(res.stdout.strip().splitlines()[-1])
    assert summary["items"] == 4 and sum(summary["rejected"].values()) == 1
    topic = env["WIREFEED_TOPIC_ENRICHED"]
    out = consume(env["KAFKA_BOOTSTRAP"], [topic], expect=7, timeout=60, settle=0.5)
    ids = {r["id"] for _, r in out[topic]}
    assert {f"archive-{n}" for n in range(10, 14)} <= ids


def test_rss_feed_flows_into_the_pipeline_exactly_once_per_entry(
    worker: Worker, env: dict[str, str], tmp_path: Path
) -> None:
    import functools
    import http.server
    import threading

    feed_dir = REPO / "tests" / "data" / "ingest"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(feed_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/rss_ians.xml"
    state = tmp_path / "ingest-state"
    try:
        for _ in range(2):  # the second poll finds nothing new: nothing is sent twice
            res = wirefeed(
                env,
                "ingest",
                "rss",
                url,
                "--source",
                "IANS",
                "--language",
                "en",
                "--once",
                "--state-dir",
                str(state),
            )
            assert res.returncode == 0, res.stderr
    finally:
        server.shutdown()
    raw = consume(env["KAFKA_BOOTSTRAP"], [env["WIREFEED_TOPIC_RAW"]], expect=0, timeout=5, settle=0.5)
    from_feed = [r for _, r in raw.get(env["WIREFEED_TOPIC_RAW"], []) if r.get("source") == "IANS"]
    assert len(from_feed) == 3, [x.get("id") for x in from_feed]
    ids = {x["id"] for x in from_feed}
    topic = env["WIREFEED_TOPIC_ENRICHED"]
    deadline = time.time() + 60
    got: set[str] = set()
    while time.time() < deadline and not ids <= got:
        out = consume(env["KAFKA_BOOTSTRAP"], [topic], expect=0, timeout=5, settle=0.2)
        got = {r["id"] for _, r in out.get(topic, [])}
    assert ids <= got
