"""Where ingested items go: one small adapter so the feed/file code never touches Kafka.

``KafkaSink`` is the only place that knows about aiokafka; tests use ``ListSink``.
Callers ``send`` a batch, then ``flush``; only after ``flush`` returns may they
record the batch as delivered (that ordering is what makes restarts safe).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, runtime_checkable

import orjson


@runtime_checkable
class Sink(Protocol):
    async def send(self, key: bytes, value: bytes) -> None: ...

    async def flush(self) -> None: ...


class ListSink:
    """In-memory sink for tests and dry runs; ``fail_next`` simulates a broker outage."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, bytes]] = []
        self.flushes = 0
        self.fail_next = 0  # number of upcoming send() calls that raise

    async def send(self, key: bytes, value: bytes) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise ConnectionError("ListSink: simulated send failure")
        self.messages.append((key, value))

    async def flush(self) -> None:
        self.flushes += 1

    def items(self) -> list[dict[str, Any]]:
        """Decoded message values, in send order."""
        return [orjson.loads(v) for _, v in self.messages]

    def keys(self) -> list[str]:
        return [k.decode() for k, _ in self.messages]


class KafkaSink:
    """Idempotent aiokafka producer writing to one topic.

    ``send`` only enqueues (so a batch is pipelined); ``flush`` waits until the
    broker has acknowledged everything sent so far and raises the first
    delivery error, so a caller never marks undelivered items as sent.
    """

    def __init__(self, bootstrap: str, topic: str, **security: Any) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self._security = security
        self._producer: Any = None
        self._pending: list[Any] = []

    async def start(self) -> None:
        from aiokafka import AIOKafkaProducer  # imported lazily: unit tests never need a broker

        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            compression_type=None,
            **self._security,
        )
        try:
            await self._producer.start()
        except BaseException:
            await self._producer.stop()  # release the half-started client before re-raising
            self._producer = None
            raise

    async def stop(self) -> None:
        if self._producer is not None:
            try:
                await self.flush()
            finally:
                await self._producer.stop()
                self._producer = None

    async def __aenter__(self) -> KafkaSink:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def send(self, key: bytes, value: bytes) -> None:
        if self._producer is None:
            raise RuntimeError("KafkaSink.send() before start()")
        # producer.send() returns once the record is in the accumulator; the
        # returned future resolves on broker acknowledgement.
        self._pending.append(await self._producer.send(self.topic, value=value, key=key))

    async def flush(self) -> None:
        if self._producer is None:
            return
        await self._producer.flush()
        pending, self._pending = self._pending, []
        for fut in pending:
            await fut  # re-raises a delivery error, if any
