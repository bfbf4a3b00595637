"""Persisted memory of what was already put on ``wire.raw``.

A small SQLite file (stdlib ``sqlite3``) so the ingester survives restarts
without re-sending: the set of sent entry keys per feed, plus each feed's
HTTP validators (ETag / Last-Modified) for conditional GET. Keys older than
``retention_days`` are expired so the file stays bounded; an entry that
reappears in a feed after that long would be sent again (feeds do not keep
entries that long in practice).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

STATE_FILENAME = "ingest-state.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen REAL NOT NULL,
    PRIMARY KEY (feed, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_first_seen ON seen (first_seen);
CREATE TABLE IF NOT EXISTS feed_state (
    feed TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_success REAL
);
"""


@dataclass(slots=True, frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


class SeenStore:
    """Set of (feed url, entry key) already delivered, plus per-feed validators.

    ``path`` may be ``":memory:"`` for tests. ``clock`` is injectable so
    expiry can be tested without waiting.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        retention_days: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if retention_days <= 0:
            raise ValueError("retention_days must be > 0")
        self.path = str(path)
        self.retention_s = retention_days * 86400.0
        self._clock = clock
        self._last_expire = 0.0
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self.expire()

    @classmethod
    def in_dir(cls, state_dir: str | Path, *, retention_days: float = 30.0) -> SeenStore:
        """Open (creating if needed) the store file inside ``state_dir``."""
        return cls(Path(state_dir) / STATE_FILENAME, retention_days=retention_days)

    # -- seen keys -------------------------------------------------------
    def has(self, feed: str, key: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE feed = ? AND key = ?", (feed, key)).fetchone()
        return row is not None

    def unseen(self, feed: str, keys: Iterable[str]) -> list[str]:
        """The keys not yet recorded for ``feed``, order kept, duplicates dropped."""
        out: list[str] = []
        picked: set[str] = set()
        for key in keys:
            if key in picked or self.has(feed, key):
                continue
            picked.add(key)
            out.append(key)
        return out

    def mark(self, feed: str, keys: Iterable[str], *, now: float | None = None) -> None:
        """Record keys as delivered (one transaction: all or nothing)."""
        ts = self._clock() if now is None else now
        with self._tx():
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (feed, key, first_seen) VALUES (?, ?, ?)",
                [(feed, k, ts) for k in keys],
            )

    def count(self, feed: str | None = None) -> int:
        if feed is None:
            return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM seen WHERE feed = ?", (feed,)).fetchone()[0])

    def expire(self, *, now: float | None = None) -> int:
        """Drop keys older than the retention window; returns how many."""
        cutoff = (self._clock() if now is None else now) - self.retention_s
        self._last_expire = cutoff + self.retention_s
        cur = self._db.execute("DELETE FROM seen WHERE first_seen < ?", (cutoff,))
        return cur.rowcount

    def maybe_expire(self, *, every_s: float = 3600.0) -> int:
        """Expire at most once per ``every_s`` (called from the long-running poll loop)."""
        now = self._clock()
        if now - self._last_expire < every_s:
            return 0
        return self.expire(now=now)

    # -- per-feed HTTP validators -----------------------------------------
    def validators(self, feed: str) -> Validators:
        row = self._db.execute(
            "SELECT etag, last_modified FROM feed_state WHERE feed = ?", (feed,)
        ).fetchone()
        return Validators(*row) if row else Validators()

    def set_validators(self, feed: str, validators: Validators, *, now: float | None = None) -> None:
        ts = self._clock() if now is None else now
        self._db.execute(
            "INSERT INTO feed_state (feed, etag, last_modified, last_success) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(feed) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, last_success = excluded.last_success",
            (feed, validators.etag, validators.last_modified, ts),
        )

    def commit_batch(
        self, feed: str, keys: Iterable[str], validators: Validators, *, now: float | None = None
    ) -> None:
        """Mark keys and store validators atomically, after the sink flushed."""
        ts = self._clock() if now is None else now
        with self._tx():
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (feed, key, first_seen) VALUES (?, ?, ?)",
                [(feed, k, ts) for k in keys],
            )
            self.set_validators(feed, validators, now=ts)

    # -- lifecycle --------------------------------------------------------
    def _tx(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SeenStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Transaction:
    """Explicit BEGIN/COMMIT (the connection runs in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
