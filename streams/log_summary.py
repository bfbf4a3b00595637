"""Repeated warnings of the Kafka client, summarised instead of logged one by one.

aiokafka logs a warning for every produce it retries. On Kafka 4 a transactional produce that
follows the previous transaction of its producer is often refused once with NOT_ENOUGH_REPLICAS
(KIP-890's partition verification answering aiokafka's produce version) and succeeds on the retry:
~20 warnings a second at 1,000 items/s, which would bury everything else an operator reads. A real
replication problem gives the same warning, so it is not dropped: per error, the first in each
interval is logged, the next one logged carries how many were held back, and every retry is counted
in ``wirefeed_produce_retries_total``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

PRODUCE_LOGGER = "aiokafka.producer.sender"
INTERVAL_S = 60.0


def produce_retry_kind(record: logging.LogRecord) -> str | None:
    """The error name of an aiokafka produce-retry warning; None for any other record."""
    if record.name != PRODUCE_LOGGER or not isinstance(record.msg, str):
        return None
    if not record.msg.startswith("Got error produce response") or not record.args:
        return None
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    error = args[-1]
    return error.__name__ if isinstance(error, type) else type(error).__name__


class RepeatedWarnings(logging.Filter):
    """Per kind: the first record of each interval passes, later ones are counted, not logged."""

    def __init__(
        self,
        kind_of: Callable[[logging.LogRecord], str | None],
        *,
        interval_s: float = INTERVAL_S,
        on_seen: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.kind_of, self.interval_s, self.on_seen, self.clock = kind_of, interval_s, on_seen, clock
        self._since: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = self.kind_of(record)
        if kind is None:
            return True
        if self.on_seen is not None:
            self.on_seen(kind)
        now = self.clock()
        since = self._since.get(kind)
        if since is not None and now - since < self.interval_s:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        held = self._held.pop(kind, 0)
        self._since[kind] = now
        if held:
            note = f" [{held} more like it in the last {self.interval_s:.0f} s were not logged]"
            record.msg = f"{record.msg}{note}"
        return True


def summarise_produce_retries(on_seen: Callable[[str], None] | None = None) -> RepeatedWarnings:
    """Install the summary on aiokafka's producer logger (replacing one installed before)."""
    logger = logging.getLogger(PRODUCE_LOGGER)
    for f in list(logger.filters):
        if isinstance(f, RepeatedWarnings):
            logger.removeFilter(f)
    summary = RepeatedWarnings(produce_retry_kind, on_seen=on_seen)
    logger.addFilter(summary)
    return summary
