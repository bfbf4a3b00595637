"""``make run``: a worker on the bundled sample feed, and what came out.

Each run uses a fresh namespace (app id and topic names) so the result is the
same every time, whatever earlier runs left on the broker. The worker is left
running in the background (pid in var/worker.pid) for the user to explore.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson

from streams import kafka_io
from streams.cli import cmd_report
from streams.settings import Settings, load_settings

SAMPLE = Path(__file__).parent / "data" / "samples" / "wire-sample.jsonl"


def namespace_env(base: dict[str, str], prefix: str, data_dir: Path) -> dict[str, str]:
    env = dict(base)
    env.update(
        {
            "WIREFEED_APP_ID": f"wirefeed-{prefix}",
            "WIREFEED_TOPIC_RAW": f"{prefix}.wire.raw",
            "WIREFEED_TOPIC_DEDUP": f"{prefix}.wire.dedup",
            "WIREFEED_TOPIC_ENRICHED": f"{prefix}.wire.enriched",
            "WIREFEED_TOPIC_DUPLICATES": f"{prefix}.wire.duplicates",
            "WIREFEED_TOPIC_DLQ": f"{prefix}.wire.dlq",
            "WIREFEED_TOPIC_ROUTES": f"{prefix}.wire.routes",
            "WIREFEED_ROUTE_TOPIC_PREFIX": f"{prefix}.wire.route.",
            "WIREFEED_DATA_DIR": str(data_dir),
        }
    )
    return env


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with code {proc.returncode}; see var/worker.log")
        try:
            with urllib.request.urlopen(url + "/status.json", timeout=2) as r:
                snap = orjson.loads(r.read())
            if snap["ready"]["assigned_partitions"] > 0:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("worker did not get its partitions within 120 s; see var/worker.log")


async def produce_sample(s: Settings) -> int:
    n = 0
    async with kafka_io.producer(s) as p:
        for line in SAMPLE.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
                key = str(obj.get("id") or obj.get("uri")).encode()
            except orjson.JSONDecodeError:
                key = None  # the deliberately malformed message
            await p.send_and_wait(s.topic_raw, line, key=key)
            n += 1
    return n


async def wait_outputs(s: Settings, expected: int, timeout: float = 60.0) -> int:
    deadline = time.time() + timeout
    got = 0
    while time.time() < deadline:
        got = 0
        async for _ in kafka_io.read_topics(
            s, [s.topic_enriched, s.topic_duplicates, s.topic_dlq], idle_timeout=1.0
        ):
            got += 1
        if got >= expected:
            return got
        await asyncio.sleep(1.0)
    return got


def main() -> int:
    prefix = f"demo{int(time.time())}"
    Path("var").mkdir(exist_ok=True)
    env = namespace_env(dict(os.environ), prefix, Path("var") / prefix)
    s = load_settings(env)
    log = open("var/worker.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    Path("var/worker.pid").write_text(str(proc.pid))
    url = f"http://{s.web_host}:{s.web_port}"
    print(f"worker pid {proc.pid} starting (namespace {prefix}, logs in var/worker.log) …")
    wait_ready(url, proc)
    n = asyncio.run(produce_sample(s))
    # one line of the sample is a redelivery of the first item: it yields no output at all
    expected = n - 1
    print(f"produced {n} sample messages to {s.topic_raw}; waiting for {expected} outputs …")
    got = asyncio.run(wait_outputs(s, expected))
    if got < expected:
        print(f"only {got} of {expected} outputs arrived; see var/worker.log", file=sys.stderr)
    import argparse

    cmd_report(argparse.Namespace(idle=1.5), s)
    print(
        f"\nTry: WIREFEED_ROUTE_TOPIC_PREFIX={prefix}.wire.route. "
        ".venv/bin/wirefeed tail syria --from-beginning"
    )
    return 0 if got >= expected else 1


if __name__ == "__main__":
    sys.exit(main())
