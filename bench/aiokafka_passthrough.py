"""The ceiling: raw aiokafka consume -> produce, batched, no processing.

    .venv/bin/python -m bench.aiokafka_passthrough --bootstrap HOST:PORT --src T --dst T2 --group G

Consumes ``--src`` in a consumer group (so it starts where a worker would), forwards
every record's key and value to ``--dst`` and commits after each batch: the same
at-least-once shape as the worker, minus Faust and minus the stages. Runs on uvloop,
like the worker. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def run(args: argparse.Namespace) -> None:
    consumer = AIOKafkaConsumer(
        args.src,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4_194_304,
        fetch_max_bytes=52_428_800,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=args.bootstrap, linger_ms=5, max_batch_size=1_048_576, max_request_size=16_000_000
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await consumer.start()
    await producer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=int(args.wait_s * 1000), max_records=args.batch)
            futures = []
            for records in batches.values():
                for rec in records:
                    futures.append(await producer.send(args.dst, rec.value, key=rec.key))
            if futures:
                await asyncio.gather(*futures)
                await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="raw aiokafka consume -> produce passthrough")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--batch", type=int, default=500, help="records per getmany (the worker's batch size)")
    ap.add_argument("--wait-s", type=float, default=0.02, help="getmany wait (the worker's batch wait)")
    uvloop.run(run(ap.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
