"""A Bloom filter over the keys of a partition's store: a "no" is certain, so a read is skipped.

Dedup looks up every sentence hash of every item (``a:<hash>``), its id and its exact hash, and
most of those keys are new: on RocksDB each such miss costs 1-3 µs, more than the rest of the
lookup. ``table_cache.PartitionState`` builds one of these from the partition's keys and adds
every key it writes, so a key the filter has not seen is not in the store.

Two probes from Python's (per-process) string hash, at least 16 bits per key: about 1.4% of absent
keys still reach the store when the filter holds ``capacity`` keys; more keys raise that rate, never
the answer's correctness. ``wirefeed_native.KeyFilter`` (native/src/key_filter.rs) is the same
filter without a Python frame per check; :func:`new_filter` takes it when the extension is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from streams.pipeline.native_ext import has, switched_off, wirefeed_native

MIN_BITS = 1 << 23  # 1 MB
BITS_PER_KEY = 16


class KeyFilter:
    """Set-like membership over ``str`` keys with false positives but no false negatives."""

    __slots__ = ("_bits", "_mask", "capacity", "count")

    def __init__(self, capacity: int, min_bits: int = MIN_BITS) -> None:
        n = max(min_bits, 1 << (max(1, capacity) * BITS_PER_KEY - 1).bit_length())
        self._bits = bytearray(n >> 3)
        self._mask = n - 1
        self.capacity = n // BITS_PER_KEY  # keys it holds at the designed false-positive rate
        self.count = 0  # keys added that it did not already (seem to) hold

    def add(self, key: str) -> None:
        h = hash(key)
        i, j = h & self._mask, (h >> 32) & self._mask
        b = self._bits
        bi, bj = 1 << (i & 7), 1 << (j & 7)
        if not (b[i >> 3] & bi and b[j >> 3] & bj):
            self.count += 1
            b[i >> 3] |= bi
            b[j >> 3] |= bj

    def update(self, keys: Iterable[str]) -> None:
        mask, b, new = self._mask, self._bits, 0
        for key in keys:
            h = hash(key)
            i, j = h & mask, (h >> 32) & mask
            bi, bj = 1 << (i & 7), 1 << (j & 7)
            if not (b[i >> 3] & bi and b[j >> 3] & bj):
                new += 1
                b[i >> 3] |= bi
                b[j >> 3] |= bj
        self.count += new

    def __contains__(self, key: str) -> bool:
        h = hash(key)
        i, j = h & self._mask, (h >> 32) & self._mask
        b = self._bits
        return bool(b[i >> 3] & (1 << (i & 7)) and b[j >> 3] & (1 << (j & 7)))

    @property
    def full(self) -> bool:
        return self.count > self.capacity


def new_filter(capacity: int, *, native: bool | None = None) -> Any:
    """A filter for ``capacity`` keys: the compiled one when built and not switched off."""
    use = (not switched_off()) if native is None else native
    return wirefeed_native.KeyFilter(capacity) if use and has("KeyFilter") else KeyFilter(capacity)
