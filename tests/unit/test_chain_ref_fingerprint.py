"""Frozen copy of streams/pipeline/dedup_fingerprint.py at commit 2bdd539: the reference behaviour.

tests/unit/test_chain_equivalence.py runs this and the current code on the same input and
requires equal output. Do not edit (no tests here).

Sentence fingerprints: the features dedup compares.

The cleaned text is cut into sentences. Each sentence yields two CRC32s:

* a *shape* hash of its ASCII letters only, lower-cased — digits, spaces,
  punctuation, quotes, dashes and non-ASCII bytes removed. Syndicated copies
  share most shapes even when an outlet re-breaks paragraphs, swaps quote or
  dash styles, retypes ``220,000`` as ``220000`` or adds a lead/tail paragraph;
* a *figures* hash of the digits of that sentence, in order (0 when it has
  none). Two sentences with the same shape but other figures are the same
  sentence with changed numbers: a correction, an update or a templated daily
  story — never a duplicate.

Speed: the stage must fingerprint tens of thousands of stories per second per
core in CPython, where any per-character or per-token Python work (and even a
single ``re`` pass over a 2 kB story) costs more than the whole budget. So the
work is done with ``bytes.translate``/``split``/``replace`` and C-level
``map`` calls only — no regular expressions at all, so there is nothing that
could backtrack.
"""

from __future__ import annotations

import string
from zlib import crc32

from streams.pipeline.dedup_fingerprint import Fingerprint

MIN_SHAPE_BYTES = 12  # shorter sentence shapes ("it fell") are too generic to compare
MIN_FIGURE_SHAPE_BYTES = 3  # ...unless they carry figures, which must never be lost


def _table(mapping: dict[int, int]) -> bytes:
    t = bytearray(range(256))
    for k, v in mapping.items():
        t[k] = v
    return bytes(t)


# Pass 1: unify sentence ends on ". ", turn line breaks into sentence breaks,
# and drop quotes, brackets and every non-ASCII byte (curly quotes, dashes,
# accents) so that they cannot hide a sentence end or change a shape.
_ENDS = _table({ord("!"): ord("."), ord("?"): ord("."), ord(";"): ord("."), ord("\t"): ord(" ")})
_ENDS_DELETE = b"\"'()[]\r" + bytes(range(0x80, 0x100))
# Pass 2a (shapes): keep ASCII letters (lower-cased) and the \x00 separator.
_LOWER = _table({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
_SHAPE_DELETE = bytes(c for c in range(256) if c != 0 and chr(c) not in string.ascii_letters)
# Pass 2b (figures): keep digits and the separator.
_FIGURE_DELETE = bytes(c for c in range(256) if c != 0 and chr(c) not in string.digits)


def sentences(text: str) -> tuple[list[bytes], list[bytes]]:
    """Shape and figure strings of each sentence (parallel lists)."""
    b = text.encode("utf-8").translate(_ENDS, _ENDS_DELETE)
    b = b.replace(b"\n", b". ").replace(b". ", b"\x00")
    return b.translate(_LOWER, _SHAPE_DELETE).split(b"\x00"), b.translate(None, _FIGURE_DELETE).split(b"\x00")


def fingerprint(headline: str, body: str) -> Fingerprint:
    """Fingerprint the cleaned text; the headline is used only when there is no body.

    Outlets rewrite headlines freely, so including them would only push true
    copies apart.
    """
    text = body if body.strip() else headline
    shapes, figures = sentences(text)
    keep = [
        i
        for i, s in enumerate(shapes)
        if len(s) >= MIN_SHAPE_BYTES or (figures[i] and len(s) >= MIN_FIGURE_SHAPE_BYTES)
    ]
    if not keep and any(shapes):
        # A one-line flash of a few words: the whole of it is the only sentence.
        shapes, figures, keep = [b"".join(shapes)], [b"".join(figures)], [0]
    by_chunk = dict(
        zip(
            map(crc32, [shapes[i] for i in keep]),
            [crc32(figures[i]) if figures[i] else 0 for i in keep],
            strict=True,
        )
    )
    chunks = tuple(sorted(by_chunk))
    # Empty segments come from blank lines and stray punctuation: layout, not content.
    all_shapes = b"\x00".join(filter(None, shapes))
    shapes_crc = crc32(all_shapes)
    exact = f"{shapes_crc:08x}{crc32(b'|'.join(filter(None, figures)), shapes_crc):08x}"
    return Fingerprint(
        exact=exact,
        chunks=chunks,
        facts=tuple(map(by_chunk.__getitem__, chunks)),
        length=len(all_shapes),
    )
