"""The offsets recorded after a commit are those of the last records written (against the broker).

Table recovery starts reading a changelog partition after the recorded offset: one too
high loses state, so ``last_offsets`` is checked against what a reader finds, with
batches that fill up (several record batches per partition in one transaction).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.transactions import last_offsets, send_batched
from tests.support import create_topic

pytestmark = pytest.mark.kafka


def testlast_offsets_match_what_a_reader_finds(kafka_bootstrap: str) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}-dedup-changelog"

    async def run() -> None:
        await create_topic(kafka_bootstrap, topic, 3)
        p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic}-tx")
        await p.start()
        try:
            recorded: dict[tuple[str, int], int] = {}
            for round_ in range(2):  # the second transaction's offsets start after the first's marker
                # ~1.3 MB to partition 0 (several 512 KiB record batches), a few records to 1, none to 2
                outputs = [(topic, f"k{i}".encode(), b"x" * 1000, 0) for i in range(1300)]
                outputs += [(topic, f"j{i}".encode(), b"y" * 10, 1) for i in range(3 + round_)]
                await p.begin_transaction()
                futures = await send_batched(p, outputs)
                sent = await asyncio.gather(*(f for f, _ in futures))
                await p.commit_transaction()
                assert len(futures) > 3, "partition 0 needed several record batches"
                recorded = last_offsets(sent, [n for _, n in futures])
        finally:
            await p.stop()

        c = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, isolation_level="read_committed")
        await c.start()
        last: dict[tuple[str, int], int] = defaultdict(lambda: -1)
        try:
            tps = [TopicPartition(topic, i) for i in range(3)]
            c.assign(tps)
            await c.seek_to_beginning(*tps)
            ends = await c.end_offsets(tps)
            for _ in range(200):
                for tp, records in (await c.getmany(timeout_ms=200)).items():
                    for r in records:
                        last[(tp.topic, tp.partition)] = max(last[(tp.topic, tp.partition)], r.offset)
                positions = [await c.position(tp) for tp in tps]
                if all(pos >= ends[tp] for pos, tp in zip(positions, tps, strict=True)):
                    break
        finally:
            await c.stop()
        assert recorded == {(topic, 0): last[(topic, 0)], (topic, 1): last[(topic, 1)]}
        assert last[(topic, 0)] == 2 * 1300  # 0..1299, the commit marker at 1300, 1301..2600
        assert (topic, 2) not in recorded

    asyncio.run(run())
