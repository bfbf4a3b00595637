"""Backfill ingest from files or stdin: JSONL (plain/ninjs), a JSON array, or NewsML-G2 XML.

Every input record either becomes one message on the sink or one counted
reject with a reason and its line (JSONL) or item (array, XML) number: nothing
is skipped silently. Records are passed through as JSON objects (ninjs stays
ninjs: the pipeline's parser knows it); only a ``guid``-only record gets an
``id`` copied from it.
"""

from __future__ import annotations

import gzip
import io
import itertools
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

import orjson

from streams.ingest.newsml import NewsMLError, parse_newsml
from streams.ingest.sink import Sink

MAX_EXAMPLES = 20
_BODY_FIELDS = ("body", "body_text", "body_html")  # plain, ninjs 1.x
_ID_FIELDS = ("id", "uri", "guid")


@dataclass(slots=True, frozen=True)
class Reject:
    location: int  # line number (JSONL) or 1-based item number (JSON array, XML)
    reason: str  # bounded code
    detail: str


@dataclass(slots=True)
class IngestSummary:
    source: str
    unit: str = "line"  # what ``Reject.location`` counts: "line" or "item"
    items: int = 0
    bytes: int = 0  # input bytes read
    sent_bytes: int = 0
    blank_lines: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[Reject] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def ok(self) -> bool:
        return self.rejected_total == 0

    def reject(self, location: int, reason: str, detail: str) -> None:
        self.rejected[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(Reject(location, reason, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "items": self.items,
            "bytes": self.bytes,
            "sent_bytes": self.sent_bytes,
            "rejected": dict(self.rejected),
            "examples": [
                {self.unit: r.location, "reason": r.reason, "detail": r.detail} for r in self.examples
            ],
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def format(self) -> str:
        rate = self.items / self.elapsed_s if self.elapsed_s > 0 else 0.0
        lines = [
            f"{self.source}: {self.items} item(s) sent, {_human(self.bytes)} read, "
            f"{self.rejected_total} rejected, {self.elapsed_s:.1f}s ({rate:,.0f} items/s)"
        ]
        for reason, n in sorted(self.rejected.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  rejected {reason}: {n}")
        for r in self.examples:
            lines.append(f"    {self.unit} {r.location}: {r.reason}: {r.detail}")
        if self.rejected_total > len(self.examples):
            lines.append(f"    ... {self.rejected_total - len(self.examples)} more not shown")
        return "\n".join(lines)


class _Invalid(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _has_body(obj: dict[str, Any]) -> bool:
    for key in _BODY_FIELDS:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return True
    bodies = obj.get("bodies")  # ninjs 2.x
    for part in bodies if isinstance(bodies, list) else []:
        if isinstance(part, dict) and isinstance(part.get("value"), str) and part["value"].strip():
            return True
    return False


def check_record(obj: Any) -> tuple[str, dict[str, Any]]:
    """(key, record) for a sendable raw item, else raises ``_Invalid`` with a reason code."""
    if not isinstance(obj, dict):
        raise _Invalid("not_object", f"expected a JSON object, got {type(obj).__name__}")
    field_name = next((k for k in _ID_FIELDS if k in obj), None)
    if field_name is None:
        raise _Invalid("missing_id", "no 'id', 'uri' or 'guid'")
    key = obj[field_name]
    if not isinstance(key, str) or not key.strip():
        raise _Invalid("bad_id", f"{field_name!r} must be a non-empty string, got {key!r}")
    if not _has_body(obj) and obj.get("pubstatus") not in ("canceled", "cancelled", "stat:canceled"):
        # Same rule as the pipeline's parser (reason missing_body), caught here with a line number.
        raise _Invalid("missing_body", f"{key!r}: no body text")
    if field_name == "guid":
        obj = {"id": key, **obj}
    return key.strip(), obj


class _Progress:
    """A one-line progress display on a TTY, redrawn at most 10 times a second."""

    def __init__(self, out: TextIO, total: int | None, enabled: bool) -> None:
        self.out = out
        self.total = total
        self.enabled = enabled
        self._last = 0.0

    def update(self, summary: IngestSummary, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        counts = f"{summary.items:,} items  {summary.rejected_total:,} rejected  {_human(summary.bytes)}"
        if self.total:
            frac = min(1.0, summary.bytes / self.total)
            bar = "#" * int(frac * 30)
            line = f"\r[{bar:<30}] {frac:4.0%}  {counts}"
        else:
            line = f"\r{counts}"
        self.out.write(line + "\x1b[K")
        self.out.flush()

    def close(self, summary: IngestSummary) -> None:
        if self.enabled:
            self.update(summary, force=True)
            self.out.write("\n")
            self.out.flush()


def _open(path: str, stdin: BinaryIO | None) -> tuple[IO[bytes], int | None, str]:
    if path == "-":
        return (stdin or sys.stdin.buffer), None, "-"
    p = Path(path)
    size = p.stat().st_size
    if p.suffix == ".gz":
        return gzip.open(p, "rb"), None, p.name  # size of the compressed file says little
    return p.open("rb"), size, p.name


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(".xml"):
        return "xml"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lowered.endswith(".json"):
        return "json"
    return None  # sniff the content


def _first_char(line: bytes) -> bytes:
    stripped = line.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1]


async def _emit(sink: Sink, summary: IngestSummary, key: str, obj: dict[str, Any]) -> None:
    value = orjson.dumps(obj)
    await sink.send(key.encode("utf-8"), value)
    summary.items += 1
    summary.sent_bytes += len(value)


async def _jsonl(
    lines: Iterable[tuple[int, bytes]], sink: Sink, summary: IngestSummary, bar: _Progress
) -> None:
    for lineno, raw in lines:
        summary.bytes += len(raw)
        if not raw.strip():
            summary.blank_lines += 1
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            summary.reject(lineno, "invalid_json", str(exc))
            continue
        try:
            key, obj = check_record(obj)
        except _Invalid as exc:
            summary.reject(lineno, exc.reason, exc.detail)
            continue
        await _emit(sink, summary, key, obj)
        bar.update(summary)


async def _array(doc: Any, sink: Sink, summary: IngestSummary, bar: _Progress) -> None:
    summary.unit = "item"
    records = doc if isinstance(doc, list) else [doc]
    for index, obj in enumerate(records, start=1):
        try:
            key, obj = check_record(obj)
        except _Invalid as exc:
            summary.reject(index, exc.reason, exc.detail)
            continue
        await _emit(sink, summary, key, obj)
        bar.update(summary)


async def _xml(data: bytes, sink: Sink, summary: IngestSummary, bar: _Progress) -> None:
    summary.unit = "item"
    try:
        items, problems = parse_newsml(data)
    except NewsMLError as exc:
        summary.reject(0, "newsml_invalid", str(exc))
        return
    for problem in problems:
        summary.reject(problem.index, problem.reason, problem.detail)
    for item in items:
        await _emit(sink, summary, item["id"], item)
        bar.update(summary)


def _numbered(head: list[bytes], rest: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    yield from enumerate(itertools.chain(head, rest), start=1)


async def _json_or_lines(
    fh: IO[bytes], kind: str | None, sink: Sink, summary: IngestSummary, bar: _Progress
) -> None:
    """Sniff the first non-blank line: ``<`` is XML, ``[`` (or a .json name) one JSON document, else JSONL."""
    lines = iter(fh)
    head: list[bytes] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    start = _first_char(head[-1]) if head else b""
    if kind is None and start == b"<":
        data = b"".join(head) + b"".join(lines)
        summary.bytes = len(data)
        await _xml(data, sink, summary, bar)
        return
    if kind == "json" or (kind is None and start == b"["):
        data = b"".join(head) + b"".join(lines)
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            # Not one JSON document: read it as JSON lines so each bad line is reported.
            await _jsonl(_numbered([], io.BytesIO(data)), sink, summary, bar)
            return
        summary.bytes = len(data)
        await _array(doc, sink, summary, bar)
        return
    await _jsonl(_numbered(head, lines), sink, summary, bar)


async def ingest_file(
    path: str,
    sink: Sink,
    *,
    progress: bool = True,
    out: TextIO = sys.stderr,
    stdin: BinaryIO | None = None,
) -> IngestSummary:
    """Send every valid record of ``path`` ("-" = stdin) to ``sink``; print and return the summary.

    The progress line is drawn only when ``progress`` and ``out`` is a TTY; the
    closing summary is always written to ``out``.
    """
    started = time.monotonic()
    fh, total, name = _open(path, stdin)
    summary = IngestSummary(source=name)
    bar = _Progress(out, total, enabled=progress and _isatty(out))
    try:
        kind = _kind_from_name(name)
        if kind == "xml":
            data = fh.read()
            summary.bytes = len(data)
            await _xml(data, sink, summary, bar)
        else:
            await _json_or_lines(fh, kind, sink, summary, bar)
        await sink.flush()
    finally:
        if path != "-":
            fh.close()
        summary.elapsed_s = time.monotonic() - started
        bar.close(summary)
    out.write(summary.format() + "\n")
    out.flush()
    return summary


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
