"""Backfill ingest from JSONL / JSON arrays / NewsML-G2 files and stdin."""

from __future__ import annotations

import asyncio
import gzip
import io
from pathlib import Path

import orjson
import pytest

from streams.ingest.files import IngestSummary, check_record, ingest_file
from streams.ingest.sink import KafkaSink, ListSink

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def ingest(path: str, **kw: object) -> tuple[IngestSummary, ListSink, str]:
    sink = ListSink()
    out = kw.pop("out", None) or io.StringIO()
    summary = asyncio.run(ingest_file(path, sink, out=out, **kw))  # type: ignore[arg-type]
    return summary, sink, out.getvalue()


def test_jsonl_plain_and_ninjs_pass_through() -> None:
    summary, sink, text = ingest(str(DATA / "backfill.jsonl"))
    assert summary.items == 7 and summary.ok and summary.blank_lines == 1
    assert summary.bytes == (DATA / "backfill.jsonl").stat().st_size
    assert sink.flushes == 1
    items = sink.items()
    assert sink.keys()[0] == "urn:wire:ap:2015-09-17:n0917x0044"
    ninjs1 = items[2]
    assert ninjs1["uri"] == "urn:ninj:xinhua:20150917:c_134633288" and "id" not in ninjs1  # as-is
    assert sink.keys()[2] == ninjs1["uri"]
    assert items[3]["headlines"][0]["value"].startswith("Kerry: Rusia")  # ninjs 2.x as-is
    uni = items[4]
    assert uni["id"] == uni["guid"] == "UNI-20150917-0221"  # guid-only record gets an id
    assert items[5]["pubstatus"] == "canceled"  # a kill needs no text
    assert "backfill.jsonl: 7 item(s) sent" in text and "0 rejected" in text


def test_bad_lines_are_reported_with_line_and_reason() -> None:
    summary, sink, text = ingest(str(DATA / "backfill_bad.jsonl"))
    assert summary.items == 2
    assert sink.keys() == ["urn:wire:ani:20150917-1120", "urn:wire:ians:0917-0412"]
    assert dict(summary.rejected) == {
        "invalid_json": 1,
        "not_object": 1,
        "missing_id": 1,
        "bad_id": 1,
        "missing_body": 1,
    }
    assert [(r.location, r.reason) for r in summary.examples] == [
        (2, "invalid_json"),
        (3, "not_object"),
        (4, "missing_id"),
        (5, "bad_id"),
        (6, "missing_body"),
    ]
    assert not summary.ok
    assert "line 2: invalid_json" in text and "rejected missing_id: 1" in text
    assert summary.to_dict()["examples"][0]["line"] == 2


def test_stdin_jsonl() -> None:
    data = (DATA / "backfill.jsonl").read_bytes()
    summary, _sink, _ = ingest("-", stdin=io.BytesIO(data))
    assert summary.source == "-" and summary.items == 7 and summary.bytes == len(data)


def test_stdin_sniffs_newsml_and_json_array() -> None:
    summary, sink, _ = ingest("-", stdin=io.BytesIO((DATA / "newsml_item_dpa.xml").read_bytes()))
    assert summary.items == 1 and sink.items()[0]["source"] == "dpa"
    summary, sink, _ = ingest("-", stdin=io.BytesIO(b"\n\n" + (DATA / "ninjs2_array.json").read_bytes()))
    assert summary.items == 2 and summary.unit == "item"


def test_ninjs2_json_array_file() -> None:
    summary, sink, text = ingest(str(DATA / "ninjs2_array.json"))
    assert summary.items == 2
    assert sink.keys() == ["urn:ninj:anadolu:20150917:470140", "urn:ninj:kyodo:20150917:K0917B009"]
    assert [(r.location, r.reason) for r in summary.examples] == [(3, "missing_body")]
    assert "item 3: missing_body" in text


def test_newsml_file_items_and_problems() -> None:
    summary, sink, text = ingest(str(DATA / "newsml_message.xml"))
    assert summary.items == 3
    assert sink.keys() == [
        "urn:newsml:reuters.example.com:20150917:nL5N11N0AB",
        "urn:newsml:afp.example.com:20150917:TX-PAR-GHK41",
        "urn:newsml:kyodo.example.jp:20150917:K0917A112",
    ]
    assert dict(summary.rejected) == {"not_news_item": 1, "missing_guid": 1}
    assert "item 5: missing_guid" in text


def test_not_newsml_xml_is_one_reject(tmp_path: Path) -> None:
    path = tmp_path / "page.xml"
    path.write_bytes((DATA / "rss_ians.xml").read_bytes())
    summary, _sink, _ = ingest(str(path))
    assert summary.items == 0 and dict(summary.rejected) == {"newsml_invalid": 1}
    assert "not in the NewsML-G2 namespace" in summary.examples[0].detail


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "backfill.jsonl.gz"
    path.write_bytes(gzip.compress((DATA / "backfill.jsonl").read_bytes()))
    summary, _, _ = ingest(str(path))
    assert summary.items == 7 and summary.ok


def test_empty_input() -> None:
    summary, sink, text = ingest("-", stdin=io.BytesIO(b""))
    assert summary.items == 0 and summary.ok and not sink.messages and "0 item(s)" in text


def test_progress_bar_only_on_tty() -> None:
    tty = FakeTTY()
    ingest(str(DATA / "backfill.jsonl"), out=tty)
    shown = tty.getvalue()
    assert "\r[" in shown and "100%" in shown and "7 items" in shown
    _, _, plain = ingest(str(DATA / "backfill.jsonl"), out=io.StringIO())
    assert "\r" not in plain
    _, _, off = ingest(str(DATA / "backfill.jsonl"), out=FakeTTY(), progress=False)
    assert "\r" not in off


def test_check_record_values_are_reencoded_compact() -> None:
    key, obj = check_record(orjson.loads(b'{"id": "a", "body": "B"}'))
    assert key == "a" and orjson.dumps(obj) == b'{"id":"a","body":"B"}'
    with pytest.raises(Exception, match="non-empty"):
        check_record({"id": "  ", "body": "x"})
    with pytest.raises(Exception, match="no body"):  # a headline alone is not enough
        check_record({"id": "b", "headline": "H", "headlines": [{"value": "H"}]})
    assert check_record({"uri": "c", "pubstatus": "canceled"})[0] == "c"  # a kill needs no body


def test_kafka_sink_refuses_send_before_start() -> None:
    sink = KafkaSink("127.0.0.1:9", "wire.raw")
    with pytest.raises(RuntimeError):
        asyncio.run(sink.send(b"k", b"v"))
    asyncio.run(sink.flush())  # not started: nothing to flush, no error
