"""The key filter: no false negatives, few false positives, and the dedup view built on one reads
RocksDB only for keys that may be there — while the filter is built a slice per flush, after it is
complete, and when it is rebuilt. Also: flushed values are the bytes Faust's codec would write."""

from __future__ import annotations

import random
import weakref
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from streams import key_filter, table_cache
from streams.key_filter import KeyFilter, new_filter
from streams.pipeline import native_ext
from streams.table_cache import PartitionState

KINDS = ["python"] + (["native"] if native_ext.has("KeyFilter") else [])


def make(kind: str, capacity: int, min_bits: int = key_filter.MIN_BITS) -> Any:
    cls = KeyFilter if kind == "python" else native_ext.wirefeed_native.KeyFilter
    return cls(capacity, min_bits)


@pytest.mark.parametrize("kind", KINDS)
def test_no_false_negatives_and_few_false_positives(kind: str) -> None:
    rng = random.Random(3)
    keys = [f"a:{rng.getrandbits(32)}" for _ in range(200_000)]
    f = make(kind, 100_000)
    for k in keys[:50_000]:
        f.add(k)
    f.update(keys[50_000:100_000])
    assert all(k in f for k in keys[:100_000])
    wrong = sum(k in f for k in keys[100_000:]) / 100_000
    assert wrong < 0.03, wrong  # ~1.4% designed at capacity
    assert not f.full and 99_000 < f.count <= 100_000 and f.capacity >= 100_000
    f.update(f"i:{n}" for n in range(f.capacity))
    assert f.full


def test_the_compiled_filter_is_taken_when_built() -> None:
    native = "native" in KINDS and not native_ext.switched_off()
    assert type(new_filter(10)).__module__ == ("wirefeed_native" if native else "streams.key_filter")
    assert isinstance(new_filter(10, native=False), KeyFilter)


class Event:  # Faust keeps the current event by weak reference
    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(topic="wire.dedup", partition=partition, offset=1)


@pytest.fixture
def table(tmp_path: Any) -> Any:
    import faust
    from faust.streams import _current_event

    app = faust.App(
        "wf-key-filter-test", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path)
    )
    t = app.Table("dedup", default=None, partitions=2, key_type=bytes)
    event = Event(1)
    _current_event.set(weakref.ref(event))
    yield t
    _current_event.set(None)


def counting(view: PartitionState) -> list[bytes]:
    reads: list[bytes] = []
    read = view._read

    def counted(key: bytes) -> Any:
        reads.append(key)
        return read(key)

    view._read = counted
    return reads


def test_reads_skip_what_the_filter_rules_out_while_built_and_after(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = PartitionState(table, partition=1)
    for n in range(2_500):
        first[f"k{n}"] = n
    first.flush_records(1)

    monkeypatch.setattr(table_cache, "FILTER_SCAN_KEYS", 1_000)  # a slice per flush
    view = PartitionState(table, partition=1, key_filter=True)
    reads = counting(view)
    assert view._filter is None and view._building is not None  # 1,000 of 2,500 keys seen
    assert view.get("k2400") == 2400 and view.get("gone") is None and len(reads) == 2  # not complete: read
    view["new"] = "written while the filter is built"
    view.flush_records(1)  # 2,000 seen
    assert view._filter is None
    view.flush_records(1)  # the end: complete, with the key written meanwhile
    assert view._filter is not None and view._building is None
    reads.clear()
    fresh = [f"absent{n}" for n in range(1_000)]
    assert all(view.get(k) is None for k in fresh)
    assert len(reads) < 40  # false positives only (~1.4%)
    assert view.get("k7") == 7 and view.get("k2499") == 2499
    view._cache.clear()  # evicted: still found, through the filter
    assert view.get("new") == "written while the filter is built"
    del view["k7"]
    view.flush_records(1)
    assert view.get("k7") is None and PartitionState(table, partition=1).get("k7") is None
    # the other partition's keys are not this filter's business (its database opens on a read)
    other = PartitionState(table, partition=0, key_filter=True)
    assert other._filter is None and other.get("k1") is None
    other.flush_records(0)
    assert other._filter is not None and other.get("k2") is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_full_filter_is_rebuilt_and_answers_stay_right(
    kind: str, table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_cache, "new_filter", lambda n: make(kind, n, 1 << 10))  # from 64 keys
    monkeypatch.setattr(table_cache, "FILTER_SCAN_KEYS", 50)
    view = PartitionState(table, partition=1, key_filter=True)
    assert view._filter is None and view.get("k0") is None  # its database opens on the first read...
    view.flush_records(1)
    assert view._filter is not None and view._filter.capacity == 64  # ...and the empty store is scanned
    for n in range(100):  # past capacity: a new, larger filter is built from the store
        view[f"k{n}"] = n
    view.flush_records(1)
    assert view._filter is None and view._building is not None
    assert all(view.get(f"k{n}") == n for n in range(100))
    view._cache.clear()
    assert all(view.get(f"k{n}") == n for n in range(100))  # from RocksDB while rebuilding
    view.flush_records(1)
    view.flush_records(1)
    assert view._filter is not None and view._filter.capacity >= 200
    view._cache.clear()
    assert all(view.get(f"k{n}") == n for n in range(100))


def test_a_dropped_database_pauses_the_build(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = PartitionState(table, partition=1)
    for n in range(300):
        first[f"k{n}"] = n
    first.flush_records(1)
    monkeypatch.setattr(table_cache, "FILTER_SCAN_KEYS", 100)
    view = PartitionState(table, partition=1, key_filter=True)
    table.data._dbs.pop(1)  # a rebalance starts: Faust drops the handle
    view._scan_step()
    assert 1 not in table.data._dbs and view._filter is None  # not reopened, not complete
    assert view.get("k299") == 299  # the batch being processed reads as Faust would (reopens)
    for _ in range(3):
        view.flush_records(1)
    assert view._filter is not None
    view._cache.clear()
    assert all(view.get(f"k{n}") == n for n in range(300))


def test_flushed_values_are_encoded_as_before(table: Any) -> None:
    values = [{"s": "u", "c": [1, 2]}, [1, "x"], "s", 3, 2.5, None, {1: "int key"}, {"n": {2: [3]}}, True]
    view = PartitionState(table, partition=1)
    for n, v in enumerate(values):
        view[f"v{n}"] = v
    got = {key: data for _, key, data, _ in view.flush_records(1)}
    want = {f"v{n}".encode(): orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS) for n, v in enumerate(values)}
    assert got == want
    view["bad"] = {"x": object()}
    with pytest.raises(TypeError):
        view.flush_records(1)


@pytest.mark.parametrize("native", ["1", "0"])
def test_the_workers_dedup_view_is_filtered_indexed_and_flushed(tmp_path: Any, native: str) -> None:
    from faust.streams import _current_event

    from streams.app import Wirefeed
    from streams.pipeline.dedup_index import IndexedState, unwrap
    from streams.settings import load_settings

    s = load_settings({"WIREFEED_DATA_DIR": str(tmp_path), "WIREFEED_NATIVE": native})
    wf = Wirefeed(s)
    tp = (s.topic_dedup, 0)
    event = Event(0)
    _current_event.set(weakref.ref(event))
    try:
        st = wf._state_for(tp)
        view = unwrap(st.dedup)
        assert isinstance(view, PartitionState) and view._build_keys is not None  # a filter is wanted
        indexed = native == "1" and native_ext.has("DedupIndex")
        assert isinstance(st.dedup, IndexedState) == indexed
        st.dedup["a:1"] = ["x"]
        assert view.pending == 1
        changelog = wf.dedup_state.changelog_topic.get_topic_name()
        assert wf._flush(st, tp) == [(changelog, b"a:1", b'["x"]', 0)]
        assert view._filter is not None and "a:1" in view._filter  # built at the flush
    finally:
        _current_event.set(None)
