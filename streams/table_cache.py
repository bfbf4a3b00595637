"""Write-behind views of Faust tables, one per input partition.

A Faust table write costs a JSON encode, a RocksDB put and a changelog record.
The dedup stage writes ~6 keys per item, some of them (the arrival log's head,
hot anchors) item after item; the furniture learner rewrites one value per
source per item. Through a plain table view that made state, not text
processing, the worker's main cost.

``PartitionState`` holds the decoded values a partition's stages touch and
writes only the keys that changed, once per batch (``flush_records``), while the batch's
last event is Faust's current event — so every write lands in that partition's
store and changelog, as Faust requires. Flushing happens before the batch's
transaction commits, so state is never behind published outputs.

Reads go to the cache, then to the table (which reads the current event's
partition). Misses are cached too: dedup looks up every sentence hash of every
item, most of them new, and a Faust table miss costs a RocksDB read plus Faust's
mapping machinery. That is sound because this view is the only writer of its
partition while it exists (the worker drops it on revocation, before another
owner or a recovery can write). The cache is bounded: clean entries (and
remembered misses) beyond ``max_entries`` are dropped, oldest first; values are
still in RocksDB.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from functools import partial
from itertools import islice
from typing import Any

import orjson
from faust.stores.base import SerializedStore
from faust.streams import current_event

from streams.key_filter import new_filter

_DELETED = object()  # deleted in this batch, not yet flushed (dirty)
_ABSENT = object()  # known not to be in the table (clean)
FILTER_SCAN_KEYS = 50_000  # keys of the store added to a key filter being built, per flush (~20 ms)


class _NotOpen(Exception):
    """The partition's database is closed and may not be reopened from here."""


class PartitionState(MutableMapping[str, Any]):
    """``MutableMapping[str, Any]`` over a Faust table with ``bytes`` keys."""

    def __init__(
        self,
        table: Any,
        *,
        max_entries: int = 200_000,
        partition: int | None = None,
        key_filter: bool = False,
    ) -> None:
        self._t = table
        self._partition = partition
        # RocksDB: read the partition's store directly (one ``get``), not through Faust's
        # table mapping (membership test, then a second ``get``, then a sensor call per read)
        store = getattr(table, "data", None)
        self._store = store if isinstance(store, SerializedStore) else None
        self._read: Any = None
        if self._store is not None:
            self._read = self._store._get
            if partition is not None and hasattr(self._store, "_db_for_partition"):
                # Faust's ``_get`` reads the current event's partition, and any partition that has
                # the key when there is no current event (a web request): cached here, another
                # partition's value would then be taken for this one's, and written back to it.
                self._read = self._read_own
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._dirty: set[str] = set()
        self._max = max_entries
        self.writes = 0  # keys written by flush_records (metrics, tests)
        # Which keys the partition's RocksDB holds (a Bloom filter): a key it has not seen is
        # not read. Built from the store a slice per flush, plus every key flushed meanwhile.
        self._filter: Any = None  # a key_filter.new_filter, complete, in use
        self._building: Any = None  # being built (made when the partition's database is open)
        self._build_keys: int | None = None  # a build is wanted, for at least this many keys
        self._scan_from: bytes | None = None
        if key_filter and self._read == self._read_own and getattr(self._store, "use_rocksdict", False):
            self._start_filter(0)
            self._scan_step()

    # -- mapping -----------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        value = self._cache.get(key)
        if value is None:
            if self._read is not None:
                if self._filter is not None and key not in self._filter:
                    return default  # certainly not stored; not cached either (the filter answers again)
                try:
                    raw = self._read(key.encode())
                except _NotOpen:
                    return default  # not known here now: nothing cached
                value = None if raw is None else orjson.loads(raw)
            else:
                value = self._t.get(key.encode())
            self._remember(key, _ABSENT if value is None else value)
            return default if value is None else value
        if value is _DELETED or value is _ABSENT:
            return default
        return value

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __setitem__(self, key: str, value: Any) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        self._dirty.add(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._cache[key] = _DELETED
        self._dirty.add(key)

    def pop(self, key: str, *default: Any) -> Any:
        try:
            value = self[key]
        except KeyError:
            if default:
                return default[0]
            raise
        del self[key]
        return value

    def __iter__(self) -> Iterator[str]:
        """Keys of this worker's store merged with unflushed changes (for describe/reset)."""
        seen: set[str] = set()
        for k, v in self._cache.items():
            seen.add(k)
            if v is not _DELETED and v is not _ABSENT:
                yield k
        for raw in self._stored_keys():
            k = raw.decode() if isinstance(raw, bytes) else str(raw)
            if k not in seen:
                yield k

    def _read_own(self, key: bytes) -> bytes | None:
        store: Any = self._store
        db = store._dbs.get(self._partition)
        if db is None:
            # Faust drops a partition's handle when a rebalance starts. While an event is being
            # processed, read as Faust's own ``_get`` does (opening it again); outside processing
            # (a timer, a web request) never reopen a partition this worker may no longer own.
            if current_event() is None:
                raise _NotOpen
            db = store._db_for_partition(self._partition)
        return db.get(key)  # type: ignore[no-any-return]

    def _stored_keys(self) -> list[Any]:
        """Keys in this partition's store (every active partition's when the partition is not known)."""
        if self._read == self._read_own:
            db = self._store._dbs.get(self._partition)  # type: ignore[union-attr]
            return [] if db is None else list(self._store._visible_keys(db))  # type: ignore[union-attr]
        return list(self._t.keys())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # -- write-behind ------------------------------------------------------
    def _remember(self, key: str, value: Any) -> None:
        self._cache[key] = value
        if len(self._cache) > self._max:
            self._evict()

    def _evict(self) -> None:
        """Drop the oldest clean entries, down to 90% of the bound.

        The slack makes eviction amortised O(1) per read: a full cache would
        otherwise evict on every miss, and each eviction walks the cache's head.
        """
        excess = len(self._cache) - self._max * 9 // 10
        if excess <= 0:
            return
        dirty = self._dirty
        victims = list(islice((k for k in self._cache if k not in dirty), excess))
        for k in victims:
            del self._cache[k]

    def flush_records(self, partition: int) -> list[tuple[str, bytes, bytes | None, int]]:
        """Write changed keys to the local store only; return their changelog records.

        The caller publishes the records with the batch's outputs: under exactly-once in
        the same Kafka transaction as the outputs and offsets, so state, outputs and
        progress commit (or abort) together; under at-least-once delivered before the
        batch is acked. A crash can leave the local store ahead of the changelog; the
        worker therefore rebuilds local state from the changelog after an unclean stop
        under exactly-once (streams/cli.py).

        Faust's own path (a table write per key) sends each changelog record
        through its producer buffer, one awaited send at a time, and makes the agent
        wait whenever more than 100 are pending: at ~8 changed keys per item that held
        an at-least-once worker to 90-270 items/s.
        """
        topic = self._t.changelog_topic.get_topic_name()
        store = self._t.data  # the store, without Faust's own (non-transactional) changelog send
        # RocksDB takes the changelog record's bytes as they are (the value is encoded once, as
        # Faust's json codec would: orjson, non-str keys allowed), all of the batch's keys in one
        # WriteBatch on the partition's own database — as Faust's changelog recovery writes.
        batch = _write_batch(store)
        cache = self._cache
        records: list[tuple[str, bytes, bytes | None, int]] = []
        record = records.append
        dumps, option = orjson.dumps, orjson.OPT_NON_STR_KEYS
        if batch is not None:
            put, delete = batch.put, batch.delete
        else:  # no RocksDB: one store write per key
            put, delete = store.__setitem__, partial(_delete, store)
        for key in self._dirty:
            value = cache.get(key, _DELETED)
            raw = key.encode()
            if value is _DELETED or value is _ABSENT:
                delete(raw)
                cache[key] = _ABSENT
                record((topic, raw, None, partition))
            else:
                try:  # str keys only (every value dedup writes): the same bytes, ~8% faster
                    data = dumps(value)
                except TypeError:
                    data = dumps(value, option=option)
                put(raw, data if batch is not None else value)
                record((topic, raw, data, partition))
        if batch is not None and records:
            store._db_for_partition(partition).write(batch)
        self._note_stored(self._dirty)
        self._dirty.clear()
        self.writes += len(records)
        if len(cache) > self._max:
            self._evict()
        if self._build_keys is not None:
            self._scan_step()
        return records

    # -- key filter --------------------------------------------------------
    def _start_filter(self, keys: int) -> None:
        self._filter = self._building = None  # reads go to the store until the new one is complete
        self._build_keys, self._scan_from = keys, None

    def _note_stored(self, keys: Iterable[str]) -> None:
        """Add the flushed keys to the filters (deleted ones too: simpler, and only a false positive)."""
        for f in (self._filter, self._building):
            if f is not None:
                f.update(keys)
        if self._filter is not None and self._filter.full:
            self._start_filter(2 * self._filter.count)

    def _scan_step(self) -> None:
        """Add the next ``FILTER_SCAN_KEYS`` keys of the partition's store to the filter being built.

        Each step opens its own iterator from the last key seen (holding one across batches would
        keep a database Faust may drop and reopen on a rebalance). Keys written between steps are
        added by the flush that writes them, so the filter is complete when the scan reaches the end.
        """
        db = self._store._dbs.get(self._partition)  # type: ignore[union-attr]
        if self._build_keys is None or db is None:
            return  # not open here now: try again at the next flush
        if self._building is None:  # keys flushed before now are in the store: the scan sees them
            self._building = new_filter(max(self._build_keys, 2 * _estimated_keys(db)))
        building = self._building
        add, budget = building.add, FILTER_SCAN_KEYS
        for n, raw in enumerate(db.keys(from_key=self._scan_from), 1):
            add(raw.decode(errors="replace"))
            if n >= budget:
                self._scan_from = raw  # inclusive: the next step adds it again, harmlessly
                return
        self._filter, self._building, self._build_keys, self._scan_from = building, None, None, None

    @property
    def pending(self) -> int:
        return len(self._dirty)


def persist_changelog_offsets(tables: Iterable[Any], last: Mapping[tuple[str, int], int]) -> int:
    """Record in each table's store how far its changelog partitions are written (after a commit).

    Faust does this itself when it sends a changelog record; ours go out in the batch's
    transaction instead. Without it the stored offset never moves, and every rebalance
    made table recovery re-read each changelog partition from its start — a stall that
    grows with uptime (8,318 dedup records after 20 s of the fault suite's scale-out
    scenario). Only partitions whose database is open here are touched: a partition
    revoked meanwhile is not reopened. Returns how many offsets were recorded.
    """
    from faust.types import TP

    n = 0
    for table in tables:
        store = getattr(table, "data", None)
        dbs = getattr(store, "_dbs", None)
        if dbs is None:
            continue
        topic = table.changelog_topic.get_topic_name()
        for (t, partition), offset in last.items():
            if t == topic and partition in dbs:
                store.set_persisted_offset(TP(topic, partition), offset)
                n += 1
    return n


def _estimated_keys(db: Any) -> int:
    with contextlib.suppress(Exception):
        return int(db.property_int_value("rocksdb.estimate-num-keys") or 0)
    return 0


def _delete(store: Any, raw: bytes) -> None:
    with contextlib.suppress(KeyError):
        del store[raw]


def _write_batch(store: Any) -> Any:
    """An empty RocksDB WriteBatch for ``store`` (Faust's RocksDB store), else None.

    Faust's per-key ``_set`` also keeps a key -> partition index (an LRU cache behind a
    lock) for reads made without a current event; such reads fall back to asking each
    partition's database, so leaving it out changes no result.
    """
    if not isinstance(store, SerializedStore) or not hasattr(store, "_db_for_partition"):
        return None
    if getattr(store, "use_rocksdict", False):
        import rocksdict

        return rocksdict.WriteBatch(raw_mode=True)
    try:
        import rocksdb  # python-rocksdb, Faust's other RocksDB driver
    except ImportError:
        return None
    return rocksdb.WriteBatch()
