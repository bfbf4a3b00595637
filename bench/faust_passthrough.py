"""A bare Faust passthrough: one agent, wire bytes in, the same bytes out.

    BENCH_BOOTSTRAP=HOST:PORT BENCH_SRC=T BENCH_DST=T2 BENCH_APP=G BENCH_WEB_PORT=6070 \\
        .venv/bin/python -m bench.faust_passthrough

Same app options and batching as the wirefeed worker (raw serializers, memory store,
``take_events(batch_size, within=batch_wait_s)``, commit every 500 / 1 s, uvloop), but
no stages and no tables: what Faust itself costs per message.
"""

from __future__ import annotations

import os
import sys

import faust


def build_app() -> tuple[faust.App, faust.TopicT, faust.TopicT]:
    env = os.environ
    partitions = int(env.get("BENCH_PARTITIONS", "4"))
    app = faust.App(
        env["BENCH_APP"],
        broker=[f"kafka://{env['BENCH_BOOTSTRAP']}"],
        store="memory://",
        datadir=env.get("BENCH_DATA_DIR", "/tmp/wirefeed-bench-faust"),
        processing_guarantee="at_least_once",
        topic_partitions=partitions,
        web_port=int(env.get("BENCH_WEB_PORT", "6070")),
        web_host="127.0.0.1",
        web_bind="127.0.0.1",
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        producer_max_request_size=16_000_000,
        consumer_max_fetch_size=4_194_304,
        stream_wait_empty=False,
        broker_commit_every=500,
        broker_commit_interval=1.0,
        logging_config=None,
        loghandlers=[],
    )
    src = app.topic(env["BENCH_SRC"], key_type=bytes, value_type=bytes, partitions=partitions)
    dst = app.topic(env["BENCH_DST"], key_type=bytes, value_type=bytes, partitions=partitions)
    return app, src, dst


app, src_topic, dst_topic = build_app()
_BATCH = int(os.environ.get("BENCH_BATCH_SIZE", "500"))
_WAIT = float(os.environ.get("BENCH_BATCH_WAIT_S", "0.02"))


@app.agent(src_topic, name="bench.passthrough")
async def passthrough(stream: faust.StreamT) -> None:
    async for events in stream.take_events(_BATCH, within=_WAIT):
        for event in events:
            msg = event.message
            await dst_topic.send(key=msg.key, value=msg.value)


def main() -> int:
    import asyncio

    import uvloop
    from faust.worker import Worker

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = Worker(app, loglevel="warning", quiet=True, redirect_stdouts=False, override_logging=False)
    worker.execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
