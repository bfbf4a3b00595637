"""Two worker processes, four wire.raw partitions: copies are caught across partitions.

Originals go to every raw partition (so both workers prepare them); then the
copies, updates and re-sends go to one partition that is not always the
original's. The verdicts published must equal those of the offline chain run
over the same sequence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.settings import load_settings
from tests.support import REPO, Worker, consume, free_port, namespace_env

pytestmark = pytest.mark.kafka
LABELLED = REPO / "tests" / "data" / "dedup" / "labelled.jsonl"


def _items() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = [orjson.loads(x) for x in LABELLED.read_bytes().splitlines()][:160]
    originals = [r for r in rows if r["expect"] == "unique" and r.get("kind") == "original"]
    ids = {r["id"] for r in originals}
    rest = [r for r in rows if r["id"] not in ids or r["version"] > 1]
    return originals, rest


def _raw(r: dict[str, Any]) -> bytes:
    keep = ("id", "version", "source", "published", "pubstatus", "correction", "headline", "body")
    return orjson.dumps({k: r[k] for k in keep if k in r})


@pytest.fixture(scope="module")
def workers(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Worker, Worker]]:
    tmp = tmp_path_factory.mktemp("two")
    env1 = namespace_env(kafka_bootstrap, tmp=tmp, web_port=free_port(), WIREFEED_PARTITIONS="4")
    env2 = dict(env1, WIREFEED_WEB_PORT=str(free_port()))
    env2["WIREFEED_DATA_DIR"] = str(Path(env1["WIREFEED_DATA_DIR"]) / "w2")
    w1 = Worker(env1, tmp / "w1.log").start()
    w2 = None
    try:
        w1.wait_assigned(min_partitions=8)
        w2 = Worker(env2, tmp / "w2.log").start()
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                a1 = w1.status()["ready"]["assigned_partitions"]
                a2 = w2.status()["ready"]["assigned_partitions"]
            except (OSError, ValueError):
                a1 = a2 = 0
            if a1 > 0 and a2 > 0 and a1 + a2 == 8:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"partitions not shared between workers:\n{w1.tail_log()}\n{w2.tail_log()}")
        yield w1, w2
    finally:
        w1.stop()
        if w2:
            w2.stop()


def _produce_to(bootstrap: str, topic: str, msgs: list[tuple[bytes, bytes, int]]) -> None:
    from aiokafka import AIOKafkaProducer

    async def go() -> None:
        p = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
        await p.start()
        try:
            for key, value, partition in msgs:
                await p.send_and_wait(topic, value, key=key, partition=partition)
        finally:
            await p.stop()

    asyncio.run(go())


def test_copies_on_other_partitions_are_caught_with_two_workers(workers: tuple[Worker, Worker]) -> None:
    w1, _w2 = workers
    env = w1.env
    originals, rest = _items()

    # the verdicts the offline chain gives for this exact sequence
    k = load_knowledge(load_settings({}))
    state = chain.State()
    expected: dict[tuple[str, int], tuple[str, str | None]] = {}
    for n, r in enumerate(originals + rest):
        out = chain.run(_raw(r), k, state, origin=chain.Origin("offline", 0, n))
        if out.kind != "redelivery":
            expected[(r["id"], r["version"])] = (out.record["dedup"]["status"], out.record["dedup"]["of"])
    n_dups = sum(1 for s, _ in expected.values() if s == "duplicate")
    assert n_dups >= 20

    raw = env["WIREFEED_TOPIC_RAW"]
    _produce_to(
        env["KAFKA_BOOTSTRAP"], raw, [(r["id"].encode(), _raw(r), i % 4) for i, r in enumerate(originals)]
    )
    topics = [env["WIREFEED_TOPIC_ENRICHED"], env["WIREFEED_TOPIC_DUPLICATES"], env["WIREFEED_TOPIC_DLQ"]]
    consume(env["KAFKA_BOOTSTRAP"], topics, expect=len(originals), timeout=90, settle=0.5)
    # every follow-up on partition 3: most of their originals live on partitions 0-2
    _produce_to(env["KAFKA_BOOTSTRAP"], raw, [(r["id"].encode(), _raw(r), 3) for r in rest])
    out = consume(env["KAFKA_BOOTSTRAP"], topics, expect=len(expected), timeout=120, settle=2.0)

    got: dict[tuple[str, int], tuple[str, str | None]] = {}
    for topic in topics[:2]:
        for _, rec in out.get(topic, []):
            key = (rec["id"], rec["version"])
            assert key not in got, f"{key} published twice"
            got[key] = (rec["dedup"]["status"], rec["dedup"]["of"])
    assert not out.get(env["WIREFEED_TOPIC_DLQ"])
    assert got == expected
    # both workers did part of the work
    for w in workers:
        assert w.status()["stages"]["parse"]["in"] > 0
