"""End to end through a real Kafka broker and a real ``wirefeed worker`` process.

The seed story (when ../shared is present), a syndicated copy of it, a malformed
message and the bundled sample feed go in on wire.raw; we read every output
topic with read_committed and check what arrived where.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.support import (
    SAMPLE,
    SEED,
    Worker,
    consume,
    free_port,
    namespace_env,
    produce,
    schema_validator,
    seed_item,
    seed_story,
)

pytestmark = pytest.mark.kafka

SYNDICATED_FURNITURE = [
    "(Only the headline and picture of this report may have been reworked by the Business Standard staff; "
    "the rest of the content is auto-generated from a syndicated feed.)",
]


@pytest.fixture(scope="module")
def env(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("e2e")
    return namespace_env(kafka_bootstrap, tmp=tmp, web_port=free_port())


@pytest.fixture(scope="module")
def worker(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(env, tmp_path_factory.mktemp("logs") / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=4)  # 2 raw + 2 dedup partitions
        yield w
    finally:
        w.stop()


def _outputs(env: dict[str, str], expect: int) -> dict[str, list[tuple[bytes | None, dict[str, Any]]]]:
    topics = [
        env["WIREFEED_TOPIC_ENRICHED"],
        env["WIREFEED_TOPIC_DUPLICATES"],
        env["WIREFEED_TOPIC_DLQ"],
        env["WIREFEED_ROUTE_TOPIC_PREFIX"] + "syria",
        env["WIREFEED_ROUTE_TOPIC_PREFIX"] + "russia-us",
    ]
    return consume(env["KAFKA_BOOTSTRAP"], topics, expect=expect, timeout=90)


@pytest.mark.skipif(not SEED.exists(), reason="the seed story (../shared/seeds) is not present")
def test_seed_story_routes_clean_with_entities_and_copy_and_bad_input(
    worker: Worker, env: dict[str, str]
) -> None:
    text, story_lines = seed_story()
    original = seed_item()
    lines = text.split("\n")
    story_end = next(i for i, line in enumerate(lines) if line.strip().startswith("--IANS"))
    copy_body = "\n".join(
        [
            lines[0].replace("Washington, Sep 17 (IANS/EFE) ", ""),
            *lines[1 : story_end - 1],
            *SYNDICATED_FURNITURE,
            "Also Read",
            "Share this article",
            "--IANS/EFE",
            "ksk/jt",
        ]
    )
    copy = {
        "id": "outlet2-kerry-russia-military-talks",
        "source": "Outlet Two",
        "language": "en",
        "published": "2015-09-17T05:10:00Z",
        "headline": "Kerry says Russia proposed military-to-military talks on Syria",
        "body": copy_body,
    }
    raw = env["WIREFEED_TOPIC_RAW"]
    produce(
        env["KAFKA_BOOTSTRAP"],
        raw,
        [
            (original["id"].encode(), orjson.dumps(original)),
            (copy["id"].encode(), orjson.dumps(copy)),
            (b"broken-1", b'{"id": "broken-1", "headline": "Truncated", "body": "This message was cut o'),
        ],
    )
    out = _outputs(env, expect=3 + 2)
    pfx = env["WIREFEED_ROUTE_TOPIC_PREFIX"]

    # routed to both routes, once each, with reasons
    for route in ("syria", "russia-us"):
        recs = [r for _, r in out.get(pfx + route, [])]
        assert [r["id"] for r in recs] == [original["id"]], f"{route}: {[r['id'] for r in recs]}"
        assert recs[0]["route_reasons"].get(route), f"no reasons for {route}"
    rec = next(r for _, r in out[env["WIREFEED_TOPIC_ENRICHED"]] if r["id"] == original["id"])
    schema_validator("enriched-item.schema.json").validate(rec)

    # clean body: every story line kept, every furniture line gone
    body_lines = rec["body"].split("\n")
    for line in story_lines:
        assert line.strip() in (b.strip() for b in body_lines), f"story line lost: {line[:70]}"
    for gone in (
        "--IANS/EFE",
        "ml/",
        "free articles",
        "Subscribe",
        "₹900",
        "Smart Quarterly",
        "Ad-free Reading",
        "Business Standard Epaper",
        "Renews automatically",
    ):
        assert gone not in rec["body"], f"furniture left in body: {gone}"
    assert "{{free_limit}}" not in rec["body"]
    assert rec["credit"] == ["IANS", "EFE"]
    assert {s["rule"] for s in rec["stripped"]}, "removals carry their rule"

    # entities with ids, offsets pointing at the cleaned text
    by_name = {e["name"]: e for e in rec["entities"]}
    ids = {e["id"] for e in rec["entities"]}
    for qid in ("Q22316", "Q7747", "Q44329", "Q159", "Q30", "Q858"):  # Kerry, Putin, Assad, RU, US, SY
        assert qid in ids, f"{qid} not tagged; got {sorted(by_name)}"
    assert any(re.search("Lavrov", e["name"]) and e["type"] == "person" for e in rec["entities"])
    for e in rec["entities"]:
        for m in e["mentions"]:
            field = rec["headline"] if m["field"] == "headline" else rec["body"]
            assert field[m["start"] : m["end"]].strip(), e
    assert {"US", "RU", "SY"} <= set(rec["countries"])
    assert rec["dedup"]["status"] == "unique"

    # the syndicated copy is a duplicate of the original, not routed
    dups = [r for _, r in out.get(env["WIREFEED_TOPIC_DUPLICATES"], [])]
    assert [(d["id"], d["dedup"]["status"], d["dedup"]["of"]) for d in dups] == [
        (copy["id"], "duplicate", original["id"])
    ]
    schema_validator("enriched-item.schema.json").validate(dups[0])

    # the malformed message is dead-lettered with its bytes and a reason
    dlq = [r for _, r in out.get(env["WIREFEED_TOPIC_DLQ"], [])]
    assert [d["reason"] for d in dlq] == ["invalid_json"]
    schema_validator("dlq-record.schema.json").validate(dlq[0])
    assert dlq[0]["topic"] == raw and dlq[0]["offset"] is not None

    # /metrics counts all three outcomes
    status, body = worker.get("/metrics")
    assert status == 200
    metrics = body.decode()
    assert _sample(metrics, "wirefeed_messages_produced_total", output="enriched") >= 1
    assert _sample(metrics, "wirefeed_messages_produced_total", output="duplicates") >= 1
    assert _sample(metrics, "wirefeed_dlq_records_total", reason="invalid_json", stage="parse") >= 1
    assert _sample(metrics, "wirefeed_routed_items_total", route="syria") >= 1
    assert _sample(metrics, "wirefeed_stage_duration_seconds_count", stage="strip") >= 2


def test_sample_feed_lands_on_the_right_topics(worker: Worker, env: dict[str, str]) -> None:
    lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    msgs = []
    sample_ids: set[str] = set()
    for line in lines:
        try:
            obj = orjson.loads(line)
            key = str(obj.get("id") or obj.get("uri")).encode()
            sample_ids.add(key.decode())
        except orjson.JSONDecodeError:
            key = None
        msgs.append((key, line))
    before = _outputs(env, expect=0)
    produce(env["KAFKA_BOOTSTRAP"], env["WIREFEED_TOPIC_RAW"], msgs)
    # one sample line is a redelivery (same id+version): no output anywhere
    expected_new = len(lines) - 1
    out = _outputs(env, expect=sum(len(v) for v in before.values()) + expected_new)
    raw_topic = env["WIREFEED_TOPIC_RAW"]

    def new(topic: str) -> list[dict[str, Any]]:
        """Records of this test's input (the module's worker also served the seed test)."""
        recs = [r for _, r in out.get(topic, [])]
        if topic == env["WIREFEED_TOPIC_DLQ"]:
            old = {(r["partition"], r["offset"]) for _, r in before.get(topic, [])}
            return [r for r in recs if r["topic"] == raw_topic and (r["partition"], r["offset"]) not in old]
        return [r for r in recs if r["id"] in sample_ids]

    enriched = new(env["WIREFEED_TOPIC_ENRICHED"])
    dups = new(env["WIREFEED_TOPIC_DUPLICATES"])
    dlq = new(env["WIREFEED_TOPIC_DLQ"])
    assert len(enriched) + len(dups) + len(dlq) == expected_new
    validator = schema_validator("enriched-item.schema.json")
    for rec in enriched + dups:
        validator.validate(rec)
    assert sorted(d["reason"] for d in dlq) == ["invalid_json", "missing_body"]
    # Items on different wire.raw partitions race to the dedup shard, so which copy
    # of a pair arrives first (and becomes the original) is not fixed: one of each
    # pair is published, the other is its duplicate.
    pairs = [
        ("reuters-20260303-syria-aleppo-truce", "gulfnews-2026-03-03-aleppo"),
        ("ap-7f3c2a9e1b", "thehindu-lavrov-blinken-geneva"),
    ]
    by_id = {r["id"]: r for r in enriched}
    dup_of = {d["id"]: d["dedup"]["of"] for d in dups}
    assert len(dups) == 2
    first = {}
    for a, b in pairs:
        assert (a in by_id and dup_of.get(b) == a) or (b in by_id and dup_of.get(a) == b), (a, b, dup_of)
        first[a] = a if a in by_id else b
    assert by_id["pti-mkt-0305-close"]["dedup"]["status"] == "update"
    syria = [r["id"] for r in new(env["WIREFEED_ROUTE_TOPIC_PREFIX"] + "syria")]
    ru_us = [r["id"] for r in new(env["WIREFEED_ROUTE_TOPIC_PREFIX"] + "russia-us")]
    assert syria == [first["reuters-20260303-syria-aleppo-truce"]]
    assert ru_us == [first["ap-7f3c2a9e1b"]]
    # the redelivered first item produced nothing new anywhere (it is the original or the
    # duplicate of its pair, whichever reached the dedup shard first: once either way)
    assert [r["id"] for r in enriched + dups].count("reuters-20260303-syria-aleppo-truce") == 1


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    return 0.0


def test_status_page_and_health(worker: Worker) -> None:
    status, body = worker.get("/healthz")
    assert status == 200 and orjson.loads(body)["alive"] is True
    status, body = worker.get("/readyz")
    assert status == 200, body
    status, page = worker.get("/status")
    assert status == 200 and b"wirefeed worker" in page and b"Stages" in page


def test_learned_furniture_is_listed_and_reset_through_the_endpoint(
    worker: Worker, env: dict[str, str]
) -> None:
    """Lines a source repeats across items show on GET /furniture; POST ?source= forgets them."""
    import time
    import urllib.request

    promo = "Get the Harbour Ledger app for breaking news alerts"
    source = "Harbour Ledger"

    def item(i: int, src: str) -> tuple[bytes, bytes]:
        verb, side = ["rose", "fell", "held", "doubled"][i % 4], ["east", "west", "south", "north"][i % 4]
        lead = (f"Port officials in the northern harbour said on day {i} that cargo volumes {verb} as "
                "shipping lines rerouted vessels around the strait, citing insurance costs and delays "
                f"at the {side} terminals that handle most container traffic.")
        body = "\n".join([lead, f"Officials gave no figures for item {i}.", promo])
        doc = {"id": f"ledger-furn-{src[:4]}-{i}", "version": 1, "source": src,
               "published": "2026-03-04T10:00:00Z", "headline": f"Harbour cargo update {i}", "body": body}
        return b"one-partition", orjson.dumps(doc)  # one key: all on one partition, as one outlet's feed is

    def tracked() -> dict[str, Any]:
        status, body = worker.get("/furniture")
        assert status == 200, body
        return {row["line"]: row for row in orjson.loads(body).get(source, [])}

    produce(env["KAFKA_BOOTSTRAP"], env["WIREFEED_TOPIC_RAW"], [item(i, source) for i in range(4)])
    deadline = time.time() + 60
    # the line shows once two items have repeated it; the count reaches 4 when all four are processed
    while tracked().get(promo, {}).get("items", 0) < 4 and time.time() < deadline:
        time.sleep(0.5)
    row = tracked()[promo]
    assert row["items"] == 4 and row["first_seen"] <= row["last_seen"]
    assert all(not line.startswith("Port officials") for line in tracked())  # story lines are not furniture

    url = f"{worker.url}/furniture?source={source.replace(' ', '%20')}"
    req = urllib.request.Request(url, method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert orjson.loads(resp.read())["queued_reset"] == source
    # the reset is applied by the partition's next batch
    produce(env["KAFKA_BOOTSTRAP"], env["WIREFEED_TOPIC_RAW"], [item(9, "Other Outlet")])
    deadline = time.time() + 60
    while tracked() and time.time() < deadline:
        time.sleep(0.5)
    assert tracked() == {}
