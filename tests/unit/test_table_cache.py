"""PartitionState: write-behind over a table gives the same verdicts and the same stored state."""

from __future__ import annotations

from typing import Any

import orjson

from streams.knowledge import load_knowledge
from streams.pipeline import chain
from streams.settings import load_settings
from streams.table_cache import PartitionState
from tests.support import REPO


class FakeTable(dict):
    """The slice of Faust's Table API PartitionState uses: bytes keys, values as decoded copies."""

    def get(self, key: bytes, default: Any = None) -> Any:  # type: ignore[override]
        raw = super().get(key)
        return default if raw is None else orjson.loads(raw)

    def __setitem__(self, key: bytes, value: Any) -> None:
        super().__setitem__(key, orjson.dumps(value))

    @property
    def data(self) -> FakeTable:  # the store, written directly by flush_records
        return self

    class changelog_topic:
        @staticmethod
        def get_topic_name() -> str:
            return "fake-changelog"


def test_write_behind_state_matches_a_plain_dict_item_by_item() -> None:
    k = load_knowledge(load_settings({}))
    rows = [orjson.loads(x) for x in (REPO / "tests/data/dedup/labelled.jsonl").read_bytes().splitlines()]
    plain = chain.State()
    table = FakeTable()
    cached = chain.State(dedup=PartitionState(table, max_entries=50), furniture={}, discovered={})
    for n, r in enumerate(rows):
        data = orjson.dumps(
            {
                key: r[key]
                for key in (
                    "id",
                    "version",
                    "source",
                    "published",
                    "pubstatus",
                    "correction",
                    "headline",
                    "body",
                )
            }
        )
        origin = chain.Origin("wire.dedup", 0, n)
        a = chain.run(data, k, plain, origin=origin, now=1_000.0 + n)
        b = chain.run(data, k, cached, origin=origin, now=1_000.0 + n)
        assert (a.kind, a.record.get("dedup"), a.routes) == (b.kind, b.record.get("dedup"), b.routes), r["id"]
        if n % 7 == 0:  # a batch boundary
            cached.dedup.flush_records(0)  # type: ignore[union-attr]
    cached.dedup.flush_records(0)  # type: ignore[union-attr]
    stored = {key.decode(): orjson.loads(v) for key, v in dict.items(table)}
    assert stored == plain.dedup
    # a fresh view (after a restart: nothing cached) reads the same state back
    fresh = PartitionState(table)
    assert all(fresh[key] == value for key, value in plain.dedup.items())


def test_deletes_and_the_bound_on_cached_entries() -> None:
    table = FakeTable()
    st = PartitionState(table, max_entries=3)
    for i in range(10):
        st[f"k{i}"] = {"n": i}
    assert st.pending == 10
    assert len(st.flush_records(0)) == 10 and st.pending == 0
    assert len(st._cache) <= 3  # clean entries beyond the bound are dropped...
    assert st["k0"] == {"n": 0}  # ...and read back from the table
    del st["k1"]
    assert "k1" not in st and st.get("k1") is None
    st.flush_records(0)
    assert b"k1" not in table and sorted(st) == sorted(f"k{i}" for i in range(10) if i != 1)


class CountingTable(FakeTable):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key: bytes, default: Any = None) -> Any:  # type: ignore[override]
        self.reads += 1
        return super().get(key, default)


def test_misses_are_remembered_until_the_key_is_written() -> None:
    table = CountingTable()
    st = PartitionState(table)
    assert st.get("a:1") is None and "a:1" not in st and st.get("a:1", 7) == 7
    assert table.reads == 1  # one table read for three lookups of an absent key
    st["a:1"] = [1]
    assert st["a:1"] == [1] and "a:1" in st
    st.flush_records(0)
    del st["a:1"]
    assert st.get("a:1") is None
    st.flush_records(0)
    assert b"a:1" not in table and st.get("a:1") is None and "a:1" not in list(st)
    # a fresh view (what a new owner of the partition starts with) reads the table again
    assert PartitionState(table).get("a:1") is None


def test_eviction_keeps_unflushed_writes_and_leaves_slack() -> None:
    table = CountingTable()
    st = PartitionState(table, max_entries=100)
    st["dirty"] = {"n": 0}
    for i in range(500):
        st.get(f"miss{i}")
        assert len(st._cache) <= 100
    assert st["dirty"] == {"n": 0} and st.pending == 1  # never evicted before its flush
    st.flush_records(0)
    assert table.get(b"dirty") == {"n": 0}
    # evicting down to 90% means one eviction per ten reads at the bound, not one per read
    before = len(st._cache)
    st.get("one-more")
    assert len(st._cache) in (before + 1, 90)


def test_a_batch_goes_to_its_partitions_rocksdb_in_one_write(tmp_path: Any) -> None:
    """Against Faust's real RocksDB store: records out, values in the partition's own database."""
    import weakref
    from types import SimpleNamespace

    import faust
    from faust.streams import _current_event

    app = faust.App(
        "wf-table-cache-test", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path)
    )
    table = app.Table("dedup", default=None, partitions=4, key_type=bytes)

    class Event:  # Faust keeps the current event by weak reference
        def __init__(self, partition: int) -> None:
            self.message = SimpleNamespace(topic="wire.dedup", partition=partition, offset=1)

    on2, on3 = Event(2), Event(3)
    _current_event.set(weakref.ref(on2))
    state = PartitionState(table)
    state["a"], state["b"] = {"x": 1}, [1, 2]
    records = state.flush_records(2)
    changelog = table.changelog_topic.get_topic_name()
    assert sorted(records) == [(changelog, b"a", b'{"x":1}', 2), (changelog, b"b", b"[1,2]", 2)]
    assert list(table.data._dbs) == [2]  # only partition 2's database was opened and written
    fresh = PartitionState(table)  # nothing cached: reads RocksDB
    assert (fresh.get("a"), fresh.get("b"), fresh.get("c")) == ({"x": 1}, [1, 2], None)
    del fresh["a"]
    assert fresh.flush_records(2) == [(changelog, b"a", None, 2)]
    assert PartitionState(table).get("a") is None and PartitionState(table).get("b") == [1, 2]
    _current_event.set(weakref.ref(on3))  # another partition's view does not see partition 2's keys
    assert PartitionState(table).get("b") is None
    other = PartitionState(table)
    other["c"] = 3
    other.flush_records(3)
    # the worker's table-size gauge: RocksDB's key estimate over the partitions held ("b", "c")
    from streams.app import _local_len

    assert _local_len(table) == 2

    # With its partition given (as the worker builds them), a view reads and lists only that
    # partition, also with no current event (a web request): never another partition's value.
    _current_event.set(None)
    assert PartitionState(table).get("b") == [1, 2]  # Faust's fallback: whichever partition has it
    own2, own3 = PartitionState(table, partition=2), PartitionState(table, partition=3)
    assert (own2.get("b"), own3.get("b"), own3.get("c")) == ([1, 2], None, 3)
    assert (list(own2), list(own3), list(PartitionState(table, partition=1))) == (["b"], ["c"], [])
    own3["b"] = "three's own"
    own3.flush_records(3)
    assert (own2.get("b"), PartitionState(table, partition=3).get("b")) == ([1, 2], "three's own")

    # After a commit the worker records how far each changelog partition is written, in that
    # partition's own database, where Faust's table recovery starts reading; partitions not open
    # here (revoked meanwhile) are left alone, and other tables' topics are not this table's.
    from faust.types import TP

    from streams.table_cache import persist_changelog_offsets

    assert persist_changelog_offsets([table], {(changelog, 3): 17, (changelog, 1): 5, ("other", 2): 9}) == 1
    assert table.data.persisted_offset(TP(changelog, 3)) == 17
    assert 1 not in table.data._dbs and table.data.persisted_offset(TP(changelog, 2)) is None

    # A rebalance starts: Faust drops the partition's handle. A timer or web request reading the
    # view then gets nothing (and caches nothing) instead of reopening a partition this worker may
    # be losing; the batch still being processed (its event current) reads as Faust's _get would.
    view = PartitionState(table, partition=2)
    table.data._dbs.pop(2)
    assert view.get("b") is None and 2 not in table.data._dbs
    _current_event.set(weakref.ref(on2))
    assert view.get("b") == [1, 2] and 2 in table.data._dbs  # not cached as absent by the first read
    _current_event.set(None)
