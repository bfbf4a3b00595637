"""Settings that change how the worker runs reach Faust, and bad values are refused."""

from __future__ import annotations

import pytest

from streams.settings import SettingsError, load_settings


def test_standby_replicas_default_to_none_and_are_read_from_the_environment() -> None:
    assert load_settings({}).standby_replicas == 0
    assert load_settings({"WIREFEED_STANDBY_REPLICAS": "1"}).standby_replicas == 1
    with pytest.raises(SettingsError, match="STANDBY_REPLICAS"):
        load_settings({"WIREFEED_STANDBY_REPLICAS": "-1"})
    with pytest.raises(SettingsError, match="WIREFEED_STANDBY_REPLICAS"):
        load_settings({"WIREFEED_STANDBY_REPLICAS": "two"})


@pytest.mark.parametrize("n", [0, 1])
def test_the_worker_gives_faust_the_standby_count(tmp_path, n: int) -> None:
    from streams.app import Wirefeed

    s = load_settings({"WIREFEED_STANDBY_REPLICAS": str(n), "WIREFEED_DATA_DIR": str(tmp_path)})
    wf = Wirefeed(s)
    assert wf.app.conf.table_standby_replicas == n
