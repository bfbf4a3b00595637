"""64-bit SimHash over word 3-grams: the alternative dedup method, kept for measurement.

bench/bench_dedup.py compares it with the sentence-MinHash fingerprints that
the stage uses (docs/dedup.md has the numbers). Not used by ``decide``.
"""

from __future__ import annotations

from hashlib import blake2b

_BITS = 64


def simhash64(text: str) -> int:
    """Charikar SimHash of lower-cased word 3-grams (figures included)."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    weights = [0] * _BITS
    for s in shingles:
        h = int.from_bytes(blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(_BITS):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(_BITS) if weights[bit] > 0)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(h: int, n: int = 4) -> list[int]:
    """Split into n bands: two hashes within n-1 bits share at least one band."""
    width = _BITS // n
    mask = (1 << width) - 1
    return [(h >> (i * width)) & mask for i in range(n)]
