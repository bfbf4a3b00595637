"""Session fixtures: a real single-node KRaft Kafka broker (never a mock)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.support import KAFKA_SH, port_open


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """$KAFKA_BOOTSTRAP when it answers; otherwise a broker of our own on a free port."""
    given = os.environ.get("KAFKA_BOOTSTRAP")
    if given and port_open(given):
        yield given
        return
    d = tmp_path_factory.mktemp("kafka")
    out = subprocess.run(
        [str(KAFKA_SH), "start", "--port", "0", "--dir", str(d)], capture_output=True, text=True, timeout=180
    )
    if out.returncode != 0:
        pytest.fail(f"could not start the local Kafka broker:\n{out.stderr}")
    bootstrap = out.stdout.strip().splitlines()[-1]
    try:
        yield bootstrap
    finally:
        subprocess.run([str(KAFKA_SH), "stop", "--dir", str(d)], capture_output=True, timeout=60)
