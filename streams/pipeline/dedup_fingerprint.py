"""Sentence fingerprints: the features dedup compares.

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
work is done with ``bytes.translate``/``split``, one literal ``re.sub`` and
C-level ``map`` calls only — no pattern that could backtrack. The compiled
``wirefeed_native.Fingerprinter`` (native/src/text.rs, built from the tables
below) does the same in one walk over the bytes, several times faster;
``fingerprint_python`` stays the specification and the fallback.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any
from zlib import crc32

from streams.pipeline.native_ext import has, slot_fields, switched_off, wirefeed_native

MIN_SHAPE_BYTES = 12  # shorter sentence shapes ("it fell") are too generic to compare
MIN_FIGURE_SHAPE_BYTES = 3  # ...unless they carry figures, which must never be lost


def _table(mapping: dict[int, int]) -> bytes:
    t = bytearray(range(256))
    for k, v in mapping.items():
        t[k] = v
    return bytes(t)


# Pass 1: unify sentence ends on ". ", turn line breaks into sentence breaks,
# and drop quotes, brackets and every non-ASCII byte (curly quotes, dashes,
# accents) so that they cannot hide a sentence end or change a shape. A line
# break becomes the \x00 separator at once: the same as turning it into ". "
# and that into \x00 (its "." cannot pair with a neighbour: the byte before it
# would need to be "." followed by " ", and its own " " is consumed with it).
_ENDS = _table(
    {ord("!"): ord("."), ord("?"): ord("."), ord(";"): ord("."), ord("\t"): ord(" "), ord("\n"): 0}
)
_ENDS_DELETE = b"\"'()[]\r" + bytes(range(0x80, 0x100))
# ". " -> \x00. A literal pattern (linear, nothing to backtrack): ``re`` finds it in about
# half the time ``bytes.replace`` takes, whose search skips on the last byte, here a space.
_SENTENCE_END = re.compile(rb"\. ")
# Pass 2a (shapes): keep ASCII letters (lower-cased) and the \x00 separator.
_LOWER = _table({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
_SHAPE_DELETE = bytes(c for c in range(256) if c != 0 and chr(c) not in string.ascii_letters)
# Pass 2b (figures): keep digits and the separator.
_FIGURE_DELETE = bytes(c for c in range(256) if c != 0 and chr(c) not in string.digits)


@dataclass(slots=True, frozen=True)
class Fingerprint:
    """What dedup stores and compares for one story.

    ``chunks`` are the distinct sentence-shape hashes, sorted, so that the first
    k are the story's MinHash bottom-k anchors; ``facts[i]`` is the figures hash
    of ``chunks[i]`` (0 = no figures). ``exact`` (64 bits: CRC32 of the shapes,
    then of the figures chained on it) hashes the whole normalised text including
    figures; ``length`` is its size in bytes.
    """

    exact: str
    chunks: tuple[int, ...]
    facts: tuple[int, ...]
    length: int

    def to_json(self) -> dict[str, Any]:
        return {"x": self.exact, "c": list(self.chunks), "f": list(self.facts), "n": self.length}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Fingerprint:
        chunks = tuple(int(c) for c in d["c"])
        facts = tuple(int(f) for f in d["f"])
        if len(chunks) != len(facts):
            raise ValueError("fingerprint: 'c' and 'f' must have the same length")
        return cls(exact=str(d["x"]), chunks=chunks, facts=facts, length=int(d["n"]))

    def anchors(self, k: int) -> tuple[int, ...]:
        """Bottom-k sentence hashes: the few keys a story is indexed under."""
        return self.chunks[:k]


def sentences(text: str) -> tuple[list[bytes], list[bytes]]:
    """Shape and figure strings of each sentence (parallel lists)."""
    b = _SENTENCE_END.sub(b"\x00", text.encode("utf-8").translate(_ENDS, _ENDS_DELETE))
    return b.translate(_LOWER, _SHAPE_DELETE).split(b"\x00"), b.translate(None, _FIGURE_DELETE).split(b"\x00")


def fingerprint(headline: str, body: str) -> Fingerprint:
    """Fingerprint the cleaned text; the headline is used only when there is no body.

    Outlets rewrite headlines freely, so including them would only push true
    copies apart. Runs the native fingerprinter when it is on (``use_native``),
    else ``fingerprint_python``; both give the same ``Fingerprint``.
    """
    if _native is not None and (fp := _native.fingerprint(headline, body)) is not None:
        return fp
    return fingerprint_python(headline, body)


def fingerprint_python(headline: str, body: str) -> Fingerprint:
    """The Python implementation of :func:`fingerprint`: the specification of the native one."""
    text = body if body.strip() else headline
    shapes, figures = sentences(text)
    kept = [
        (s, f)
        for s, f in zip(shapes, figures, strict=True)  # both split the same bytes on \x00
        if len(s) >= MIN_SHAPE_BYTES or (f and len(s) >= MIN_FIGURE_SHAPE_BYTES)
    ]
    if not kept and any(shapes):
        # A one-line flash of a few words: the whole of it is the only sentence.
        # (also what the exact hash and the length below are taken over)
        shapes, figures = [b"".join(shapes)], [b"".join(figures)]
        kept = [(shapes[0], figures[0])]
    # crc32(b"") is 0: a sentence without figures gets the 0 the format wants
    by_chunk = {crc32(s): crc32(f) for s, f in kept}
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


# ---- the native fast path --------------------------------------------------------------------
# byte classes of native/src/text.rs, derived from the tables above
_DELETED, _DOT, _SPACE, _SEPARATOR, _LETTER, _DIGIT, _OTHER = range(7)


def _classes() -> bytes:
    """Each input byte's role: deleted by pass 1, a sentence-end dot or a space once pass 1 has
    mapped it, a separator, kept in the shape, kept in the figures, or none of these."""
    assert _SENTENCE_END.pattern == rb"\. ", "native/src/text.rs pairs a '.' with a ' '"
    out = bytearray(256)
    for b in range(256):
        m = _ENDS[b]
        in_shape, in_figures = m not in _SHAPE_DELETE, m not in _FIGURE_DELETE
        if b in _ENDS_DELETE:
            out[b] = _DELETED
        elif m == 0:
            out[b] = _SEPARATOR
        elif m in b". ":
            assert not (in_shape or in_figures)
            out[b] = _DOT if m == ord(".") else _SPACE
        elif in_shape:
            assert not in_figures and _LOWER[m] not in b"\x00. "
            out[b] = _LETTER
        else:
            out[b] = _DIGIT if in_figures else _OTHER
    return bytes(out)


def _lower() -> bytes:
    """The shape byte of each input byte (where its class is a letter)."""
    return bytes(_LOWER[_ENDS[b]] for b in range(256))


_native: Any = None  # wirefeed_native.Fingerprinter while the native path is on


def use_native(on: bool | None = None) -> bool:
    """Switch the native fingerprinter on (when built) or off; None reads WIREFEED_NATIVE.

    Called at import and by ``load_knowledge`` with ``Settings.native``; never per story.
    Returns whether it is on.
    """
    global _native
    on = not switched_off() if on is None else on
    _native = _fingerprinter() if on and has("Fingerprinter") else None
    return _native is not None


def _fingerprinter(*, simd: bool = True) -> Any:
    """A native fingerprinter; ``simd=False`` keeps it to its byte-by-byte walk (for the tests)."""
    return wirefeed_native.Fingerprinter(
        Fingerprint,
        slot_fields(Fingerprint, ("exact", "chunks", "facts", "length")),
        _classes(),
        _lower(),
        MIN_SHAPE_BYTES,
        MIN_FIGURE_SHAPE_BYTES,
        simd=simd,
    )


use_native()
