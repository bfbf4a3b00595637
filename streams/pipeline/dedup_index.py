"""Dedup state with a compiled index of what the candidate search reads.

``decide`` looks up every sentence hash's ``a:<hash>`` list and scores up to 16 originals per
item by their sentence hashes (``i:<id>`` records). In the state's Python objects that is some
300 scattered cache lines per item, so the search was bound by memory, not by instructions.
``IndexedState`` wraps the state (a dict offline, ``table_cache.PartitionState`` in the worker):
reads go straight to it, and every write and delete goes to it and to a
``wirefeed_native.DedupIndex``, a write-through copy of those keys kept compactly (ids as
integers, each original's hashes as one sorted array). ``dedup._candidates`` asks the index,
which gives the same list the Python search gives (it declines values of shapes dedup does not
write; then the Python search runs).

Sound because every change dedup makes to a value is followed by setting its key (which the
worker's write-behind view needs too: it flushes only keys that were set). The wrapped mapping
must not be written behind the wrapper's back. Without the extension, or with WIREFEED_NATIVE=0,
:func:`indexed` returns the state itself.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from streams.pipeline.native_ext import has, switched_off, wirefeed_native

MAX_ENTRIES = 1_000_000  # index entries (anchors, records, ids) before it starts empty again


class IndexedState(MutableMapping[str, Any]):
    """``MutableMapping`` over ``inner`` that keeps a ``DedupIndex`` of it up to date."""

    def __init__(self, inner: MutableMapping[str, Any], *, max_entries: int = MAX_ENTRIES) -> None:
        self.inner = inner
        self.index = wirefeed_native.DedupIndex(max_entries)
        self.get = inner.get  # type: ignore[method-assign]  # reads pass straight through
        self._set, self._delete = self.index.set, self.index.delete

    def __getitem__(self, key: str) -> Any:
        return self.inner[key]

    def __contains__(self, key: object) -> bool:
        return key in self.inner

    def __setitem__(self, key: str, value: Any) -> None:
        self.inner[key] = value
        self._set(key, value)

    def __delitem__(self, key: str) -> None:
        del self.inner[key]
        self._delete(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)


def indexed(state: MutableMapping[str, Any], *, native: bool | None = None) -> MutableMapping[str, Any]:
    """``state`` with an index when the extension is built and not switched off, else ``state``.

    ``native`` is the worker's ``Settings.native``; None (library use) reads WIREFEED_NATIVE.
    """
    use = (not switched_off()) if native is None else native
    if use and has("DedupIndex") and not isinstance(state, IndexedState):
        return IndexedState(state)
    return state


def unwrap(state: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The mapping an ``IndexedState`` wraps (the worker flushes its ``PartitionState``)."""
    return state.inner if isinstance(state, IndexedState) else state
