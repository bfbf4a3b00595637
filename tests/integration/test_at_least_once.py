"""``WIREFEED_PROCESSING_GUARANTEE=at_least_once`` through a real broker and worker.

The outputs equal the offline chain's, and the state tables' changelogs carry what the
worker learned: a worker started on an empty data directory rebuilds its dedup state
from them and drops a re-send of an item the first worker published.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import orjson
import pytest

from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.settings import load_settings
from tests.support import SAMPLE, Worker, consume, free_port, namespace_env, produce

pytestmark = pytest.mark.kafka


def _offline(lines: list[bytes]) -> list[chain.Outcome]:
    k, state = load_knowledge(load_settings({})), chain.State()
    return [chain.run(line, k, state, origin=chain.Origin("t", 0, n)) for n, line in enumerate(lines)]


def test_outputs_and_state_under_at_least_once(kafka_bootstrap: str, tmp_path: Path) -> None:
    env = namespace_env(
        kafka_bootstrap, tmp=tmp_path, web_port=free_port(), WIREFEED_PROCESSING_GUARANTEE="at_least_once"
    )
    topics = {
        "enriched": env["WIREFEED_TOPIC_ENRICHED"],
        "duplicate": env["WIREFEED_TOPIC_DUPLICATES"],
        "dlq": env["WIREFEED_TOPIC_DLQ"],
    }
    lines = [x for x in SAMPLE.read_bytes().splitlines() if x.strip()]
    # a redelivery (the same id and version again) is published offline with its verdict, by a
    # worker nowhere
    want = Counter(o.kind for o in _offline(lines) if o.kind != "redelivery")
    assert want["enriched"] and want["duplicate"] and want["dlq"]

    worker = Worker(env, tmp_path / "worker1.log").start()
    try:
        worker.wait_assigned(min_partitions=4)
        produce(kafka_bootstrap, env["WIREFEED_TOPIC_RAW"], [(b"one-partition", x) for x in lines])
        got = consume(kafka_bootstrap, list(topics.values()), expect=sum(want.values()), timeout=90)
    finally:
        worker.stop()
    assert {kind: len(got.get(t, [])) for kind, t in topics.items()} == dict(want), worker.tail_log()
    offline_ids = sorted(o.record["id"] for o in _offline(lines) if o.kind == "enriched")
    assert sorted(r["id"] for _, r in got[topics["enriched"]]) == offline_ids

    changelog = f"{env['WIREFEED_APP_ID']}-dedup-changelog"
    assert consume(kafka_bootstrap, [changelog], expect=1, timeout=30, settle=0.5).get(changelog)

    # A new worker with no local state: dedup state comes back from the changelog, so a copy
    # of a story the first worker published (new id, same text) is dropped as a duplicate.
    shutil.rmtree(env["WIREFEED_DATA_DIR"])
    first = orjson.loads(lines[0])
    copy = orjson.dumps({**first, "id": "copy-of-" + first["id"], "source": "Copycat Daily"})
    worker = Worker(env, tmp_path / "worker2.log").start()
    try:
        worker.wait_assigned(min_partitions=4)
        produce(kafka_bootstrap, env["WIREFEED_TOPIC_RAW"], [(b"one-partition", copy)])
        after = consume(kafka_bootstrap, [topics["duplicate"]], expect=want["duplicate"] + 1, timeout=90)
    finally:
        worker.stop()
    dupes = [r for _, r in after.get(topics["duplicate"], [])]
    assert len(dupes) == want["duplicate"] + 1, worker.tail_log()
    assert dupes[-1]["id"] == "copy-of-" + first["id"] and dupes[-1]["dedup"]["of"] == first["id"]
