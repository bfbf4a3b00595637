"""Outputs sent as record batches land where ``send()`` would have put them, in order."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner

from streams.transactions import destinations


class _Cluster:
    def __init__(self, partitions: dict[str, int]) -> None:
        self.partitions = partitions

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions[topic]))

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions[topic]))


def test_keyed_records_go_where_the_default_partitioner_sends_them() -> None:
    rng = random.Random(5)
    cluster = _Cluster({"wire.enriched": 4, "wire.route.syria": 12, "wire.dlq": 1, "wire.dedup": 7})
    outputs = []
    for i in range(2_000):
        key = f"{rng.choice(['afp', 'reuters', 'efe', 'ians'])}-{rng.getrandbits(40):x}-{i % 37}".encode()
        for topic in rng.sample(list(cluster.partitions), rng.randint(1, 3)):
            outputs.append((topic, key, f"v{i}".encode(), None))
    got = destinations(outputs, cluster)
    partitioner = DefaultPartitioner()
    expected: dict[tuple[str, int], list[tuple[bytes, bytes]]] = {}
    for topic, key, value, _ in outputs:
        every = sorted(cluster.partitions_for_topic(topic))
        part = partitioner(key, every, every)
        expected.setdefault((topic, part), []).append((key, value))
    assert got == expected  # same partitions, same order within each


def test_explicit_partitions_and_tombstones_are_kept() -> None:
    cluster = _Cluster({"wirefeed-dedup-changelog": 4})
    outputs = [
        ("wirefeed-dedup-changelog", b"k1", b"v", 2),
        ("wirefeed-dedup-changelog", b"k2", None, 2),
        ("wirefeed-dedup-changelog", b"k3", b"w", 0),
    ]
    assert destinations(outputs, cluster) == {
        ("wirefeed-dedup-changelog", 2): [(b"k1", b"v"), (b"k2", None)],
        ("wirefeed-dedup-changelog", 0): [(b"k3", b"w")],
    }


def test_unkeyed_records_go_to_some_partition_of_their_topic() -> None:
    cluster = _Cluster({"wire.dlq": 3})
    got = destinations([("wire.dlq", None, b"x", None)] * 50, cluster)
    assert {part for _, part in got} <= {0, 1, 2}
    assert sum(len(v) for v in got.values()) == 50
