"""aiokafka's produce-retry warnings: the first per error and minute is logged, the rest counted."""

from __future__ import annotations

import logging

from aiokafka.errors import KafkaConnectionError, NotEnoughReplicasError
from aiokafka.structs import TopicPartition

from streams.log_summary import (
    PRODUCE_LOGGER,
    RepeatedWarnings,
    produce_retry_kind,
    summarise_produce_retries,
)

# the two warnings aiokafka's sender logs on a retry, with their arguments
PER_PARTITION = "Got error produce response on topic-partition %s, retrying. Error: %s"
WHOLE_REQUEST = "Got error produce response: %s"


def _record(msg: str, *args: object, name: str = PRODUCE_LOGGER) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)


def _retry(error: object = NotEnoughReplicasError) -> logging.LogRecord:
    return _record(PER_PARTITION, TopicPartition("wire.enriched", 2), error)


def test_the_kind_is_the_error_name_and_other_records_have_none() -> None:
    assert produce_retry_kind(_retry()) == "NotEnoughReplicasError"
    assert produce_retry_kind(_record(WHOLE_REQUEST, KafkaConnectionError("gone"))) == "KafkaConnectionError"
    assert produce_retry_kind(_record("Unexpected error in sender routine")) is None
    assert produce_retry_kind(_record(PER_PARTITION, "tp", "e", name="aiokafka.consumer")) is None


def test_one_per_interval_and_error_is_logged_with_the_count_of_the_rest() -> None:
    now = [100.0]
    seen: list[str] = []
    f = RepeatedWarnings(produce_retry_kind, interval_s=60.0, on_seen=seen.append, clock=lambda: now[0])
    assert f.filter(_retry())  # the first one
    assert [f.filter(_retry()) for _ in range(4)] == [False] * 4  # held back
    assert f.filter(_retry(KafkaConnectionError))  # another error has its own interval
    now[0] += 59.0
    assert not f.filter(_retry())
    now[0] += 1.0
    r = _retry()
    assert f.filter(r)
    assert r.getMessage().endswith("[5 more like it in the last 60 s were not logged]")
    assert "NotEnoughReplicasError" in r.getMessage()
    assert f.filter(_record("Unexpected error in sender routine"))  # anything else passes untouched
    assert seen.count("NotEnoughReplicasError") == 7 and seen.count("KafkaConnectionError") == 1


def test_installed_on_the_producer_logger_once(caplog) -> None:  # type: ignore[no-untyped-def]
    counted: list[str] = []
    logger = logging.getLogger(PRODUCE_LOGGER)
    try:
        summarise_produce_retries(lambda e: None)
        summarise_produce_retries(counted.append)  # a second worker in the process replaces the first
        assert sum(isinstance(f, RepeatedWarnings) for f in logger.filters) == 1
        with caplog.at_level(logging.WARNING, logger=PRODUCE_LOGGER):
            for _ in range(3):
                logger.warning(PER_PARTITION, TopicPartition("wire.dedup", 0), NotEnoughReplicasError)
        assert len([r for r in caplog.records if r.name == PRODUCE_LOGGER]) == 1
        assert counted == ["NotEnoughReplicasError"] * 3
    finally:
        for f in list(logger.filters):
            logger.removeFilter(f)
