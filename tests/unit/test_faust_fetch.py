"""The worker's Kafka consumer is built with the fetch wait the settings give, not Faust's 1,500 ms."""

from __future__ import annotations

import asyncio
from pathlib import Path

from streams.settings import load_settings


def _worker_consumer(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    from streams.app import Wirefeed

    s = load_settings({"KAFKA_BOOTSTRAP": "127.0.0.1:1", "WIREFEED_DATA_DIR": str(tmp_path), **env})

    async def build() -> tuple[int, str]:
        w = Wirefeed(s)
        thread = w.app.consumer._thread  # Faust's consumer thread; nothing connects before start()
        consumer = thread._create_worker_consumer(w.app.transport)
        return int(consumer._fetch_max_wait_ms), str(consumer._isolation_level)

    return asyncio.run(build())


def test_default_fetch_wait_is_short_and_isolation_stays_read_committed(tmp_path: Path) -> None:
    assert _worker_consumer(tmp_path, {}) == (50, "read_committed")


def test_fetch_wait_follows_the_setting_under_both_guarantees(tmp_path: Path) -> None:
    assert _worker_consumer(tmp_path / "a", {"WIREFEED_FETCH_MAX_WAIT_MS": "250"})[0] == 250
    got = _worker_consumer(
        tmp_path / "b",
        {"WIREFEED_FETCH_MAX_WAIT_MS": "20", "WIREFEED_PROCESSING_GUARANTEE": "at_least_once"},
    )
    assert got[0] == 20


def test_fetch_wait_out_of_range_is_refused() -> None:
    import pytest

    from streams.settings import SettingsError

    with pytest.raises(SettingsError, match="WIREFEED_FETCH_MAX_WAIT_MS"):
        load_settings({"WIREFEED_FETCH_MAX_WAIT_MS": "0"})
