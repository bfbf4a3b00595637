"""Shared test helpers: paths, a real local Kafka broker, worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_483bb8dd12a1da44.txt"
KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
SCHEMAS = REPO / "schemas"
SAMPLE = REPO / "streams" / "data" / "samples" / "wire-sample.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(hostport: str) -> bool:
    host, _, port = hostport.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except OSError:
        return False


def seed_story() -> tuple[str, list[str]]:
    """The seed file's text and its story lines (everything before the sign-off)."""
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("--IANS"))
    return text, [line for line in lines[:end] if line.strip()]


def seed_item(item_id: str = "ians-efe-20150917-kerry-lavrov", **extra: Any) -> dict[str, Any]:
    text, _ = seed_story()
    item = {
        "id": item_id,
        "version": 1,
        "source": "Business Standard",
        "language": "en",
        "published": "2015-09-17T03:30:00Z",
        "headline": "Russia proposes military talks with US on Syria: Kerry",
        "body": text,
    }
    item.update(extra)
    return item


def schema_validator(name: str) -> Any:
    import jsonschema

    schema = orjson.loads((SCHEMAS / name).read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def namespace_env(
    bootstrap: str, *, tmp: Path, web_port: int, prefix: str | None = None, **extra: str
) -> dict[str, str]:
    """Environment for a worker isolated in its own app id and topic names."""
    prefix = prefix or f"t{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREFEED_", "KAFKA_"))}
    env.update(
        {
            "KAFKA_BOOTSTRAP": bootstrap,
            "WIREFEED_APP_ID": f"wirefeed-{prefix}",
            "WIREFEED_TOPIC_RAW": f"{prefix}.wire.raw",
            "WIREFEED_TOPIC_DEDUP": f"{prefix}.wire.dedup",
            "WIREFEED_TOPIC_ENRICHED": f"{prefix}.wire.enriched",
            "WIREFEED_TOPIC_DUPLICATES": f"{prefix}.wire.duplicates",
            "WIREFEED_TOPIC_DLQ": f"{prefix}.wire.dlq",
            "WIREFEED_TOPIC_ROUTES": f"{prefix}.wire.routes",
            "WIREFEED_ROUTE_TOPIC_PREFIX": f"{prefix}.wire.route.",
            "WIREFEED_DATA_DIR": str(tmp / f"data-{web_port}"),
            "WIREFEED_WEB_PORT": str(web_port),
            "WIREFEED_PARTITIONS": "2",
            "WIREFEED_LOG_LEVEL": "info",
        }
    )
    env.update(extra)
    return env


class Worker:
    """A real ``wirefeed worker`` process."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = int(env["WIREFEED_WEB_PORT"])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Worker:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        return self

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def status(self) -> dict[str, Any]:
        return orjson.loads(self.get("/status.json")[1])

    def wait_assigned(self, timeout: float = 120.0, min_partitions: int = 1) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.tail_log()}")
            try:
                if self.status()["ready"]["assigned_partitions"] >= min_partitions:
                    return
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"worker not assigned within {timeout} s:\n{self.tail_log()}")

    def tail_log(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def produce(bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]]) -> int:
    from aiokafka import AIOKafkaProducer

    async def go() -> int:
        p = AIOKafkaProducer(
            bootstrap_servers=bootstrap, enable_idempotence=True, max_request_size=16_000_000
        )
        await p.start()
        n = 0
        try:
            for key, value in messages:
                await p.send_and_wait(topic, value, key=key)
                n += 1
        finally:
            await p.stop()
        return n

    return asyncio.run(go())


def consume(
    bootstrap: str, topics: list[str], *, expect: int, timeout: float = 60.0, settle: float = 2.0
) -> dict[str, list[tuple[bytes | None, dict[str, Any]]]]:
    """Read ``topics`` (read_committed) until ``expect`` records arrived, then ``settle`` seconds more."""
    from streams import kafka_io
    from streams.settings import Settings

    s = Settings(kafka_bootstrap=bootstrap)

    async def go() -> dict[str, list[tuple[bytes | None, dict[str, Any]]]]:
        deadline = time.time() + timeout
        out: dict[str, list[tuple[bytes | None, dict[str, Any]]]] = {}
        while True:
            out = {}
            async for rec in kafka_io.read_topics(s, topics, idle_timeout=1.0):
                out.setdefault(rec.topic, []).append((rec.key, orjson.loads(rec.value) if rec.value else {}))
            n = sum(len(v) for v in out.values())
            if n >= expect or time.time() > deadline:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(settle)
        out = {}
        async for rec in kafka_io.read_topics(s, topics, idle_timeout=1.0):
            out.setdefault(rec.topic, []).append((rec.key, orjson.loads(rec.value) if rec.value else {}))
        return out

    return asyncio.run(go())


async def create_topic(bootstrap: str, topic: str, partitions: int = 1) -> None:
    """Create ``topic`` on the test broker (replication 1)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
