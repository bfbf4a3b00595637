"""A worker against a broker that only lets in SCRAM-SHA-512 over TLS; endpoints leak no story text."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.support import KAFKA_SH, SAMPLE, Worker, free_port, namespace_env

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def scram_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    d = tmp_path_factory.mktemp("kafka-scram")
    out = subprocess.run(
        [str(KAFKA_SH), "start", "--port", "0", "--dir", str(d), "--scram-tls"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if out.returncode != 0:
        pytest.fail(f"could not start the SCRAM/TLS broker:\n{out.stderr}")
    try:
        yield {
            "KAFKA_BOOTSTRAP": (d / "scram_bootstrap").read_text().strip(),
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "wirefeed",
            "KAFKA_SASL_PASSWORD": (d / "tls" / "password").read_text().strip(),
            "KAFKA_SSL_CAFILE": str(d / "tls" / "ca.pem"),
        }
    finally:
        subprocess.run([str(KAFKA_SH), "stop", "--dir", str(d)], capture_output=True, timeout=60)


def _settings(env: dict[str, str]):
    from streams.settings import load_settings

    return load_settings(env)


def test_worker_runs_over_scram_tls_and_endpoints_show_no_story_text(
    scram_broker: dict[str, str], tmp_path: Path
) -> None:
    import asyncio

    from streams import kafka_io

    env = namespace_env(scram_broker["KAFKA_BOOTSTRAP"], tmp=tmp_path, web_port=free_port())
    env.update(scram_broker)
    s = _settings(env)

    # the wrong password is refused: the listener really authenticates
    with pytest.raises(TimeoutError):
        asyncio.run(kafka_io.wait_for_broker(s.with_overrides(kafka_sasl_password="not-it"), timeout=4))

    w = Worker(env, tmp_path / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=4)
        lines = [x for x in SAMPLE.read_bytes().splitlines() if x.strip()][:6]

        async def go() -> dict[str, list[dict]]:
            async with kafka_io.producer(s) as p:
                for line in lines:
                    await p.send_and_wait(s.topic_raw, line, key=orjson.loads(line)["id"].encode())
            out: dict[str, list[dict]] = {}
            for _ in range(60):
                out = {}
                async for rec in kafka_io.read_topics(
                    s, [s.topic_enriched, s.topic_duplicates], idle_timeout=1
                ):
                    out.setdefault(rec.topic, []).append(orjson.loads(rec.value))
                if sum(len(v) for v in out.values()) >= len(lines):
                    break
                await asyncio.sleep(1)
            return out

        out = asyncio.run(go())
        ids = {r["id"] for recs in out.values() for r in recs}
        assert ids == {orjson.loads(x)["id"] for x in lines}, w.tail_log()

        # no story text on metrics, health or status endpoints
        sentences = [orjson.loads(x)["body"].split("\n")[1][:60] for x in lines]
        headlines = [orjson.loads(x)["headline"] for x in lines]
        for path in ("/metrics", "/healthz", "/readyz", "/status", "/status.json", "/furniture"):
            status, body = w.get(path)
            assert status in (200, 503), path
            text = body.decode("utf-8", "replace")
            for needle in sentences + headlines:
                assert needle not in text, f"{path} exposes story text: {needle!r}"
    finally:
        w.stop()


def test_web_endpoints_bind_only_to_the_configured_address(kafka_bootstrap: str, tmp_path: Path) -> None:
    others = [
        a
        for a in subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
        if a and not a.startswith("127.") and ":" not in a
    ]
    if not others:
        pytest.skip("this machine has no non-loopback IPv4 address to probe")
    env = namespace_env(kafka_bootstrap, tmp=tmp_path, web_port=free_port(), WIREFEED_WEB_HOST="127.0.0.1")
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        w.wait_assigned(min_partitions=1)
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((others[0], w.port)) != 0, "web port answered on a non-loopback address"
        assert w.get("/healthz")[0] == 200
    finally:
        w.stop()
