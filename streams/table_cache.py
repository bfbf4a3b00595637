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
from itertools import islice
from typing import Any

import orjson
from faust.stores.base import SerializedStore
from faust.streams import current_event

_DELETED = object()  # deleted in this batch, not yet flushed (dirty)
_ABSENT = object()  # known not to be in the table (clean)


class _NotOpen(Exception):
    """The partition's database is closed and may not be reopened from here."""


class PartitionState(MutableMapping[str, Any]):
    """``MutableMapping[str, Any]`` over a Faust table with ``bytes`` keys."""

    def __init__(self, table: Any, *, max_entries: int = 200_000, partition: int | None = None) -> None:
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

    # -- mapping -----------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        value = self._cache.get(key, None)
        if value is None:
            if self._read is not None:
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
        records: list[tuple[str, bytes, bytes | None, int]] = []
        for key in self._dirty:
            value = self._cache.get(key, _DELETED)
            raw = key.encode()
            if value is _DELETED or value is _ABSENT:
                if batch is not None:
                    batch.delete(raw)
                else:
                    with contextlib.suppress(KeyError):
                        del store[raw]
                self._cache[key] = _ABSENT
                records.append((topic, raw, None, partition))
            else:
                data = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
                if batch is not None:
                    batch.put(raw, data)
                else:
                    store[raw] = value
                records.append((topic, raw, data, partition))
        if batch is not None and records:
            store._db_for_partition(partition).write(batch)
        self._dirty.clear()
        self.writes += len(records)
        if len(self._cache) > self._max:
            self._evict()
        return records

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
