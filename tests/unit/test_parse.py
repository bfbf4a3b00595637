"""parse: the three input shapes, normalisation, and every rejection reason."""

from __future__ import annotations

import orjson
import pytest

from streams.pipeline.parse import REASONS, parse
from streams.pipeline.types import Rejected
from tests.support import SAMPLE, schema_validator


def _p(obj: object) -> object:
    return parse(orjson.dumps(obj))


def test_plain_item_is_normalised() -> None:
    item = parse(
        b'\xef\xbb\xbf{"id": "a1", "version": "3", "headline": " Quake hits Turkey \\r\\n", '
        b'"body": "ANKARA (AP) \\u2014 A quake.\\r\\nSecond line\\u0000.", "source": "AP", '
        b'"published": "2026-03-05T10:00:00+02:00", "language": "EN-GB", "url": "https://x.example/1"}'
    )
    assert item.id == "a1" and item.version == 3
    assert item.headline == "Quake hits Turkey"
    assert item.body == "ANKARA (AP) \u2014 A quake.\nSecond line."
    assert item.published == "2026-03-05T08:00:00Z"
    assert item.language == "en-gb" and item.source == "AP" and item.fmt == "plain"


def test_ninjs1_item() -> None:
    item = _p(
        {
            "uri": "urn:newsml:ap.org:2026:abc",
            "headline": "H",
            "body_html": "<p>Text</p>",
            "versioncreated": "2026-03-05T10:00:00Z",
            "copyrightholder": "The Associated Press",
            "pubstatus": "canceled",
            "version": 2,
        }
    )
    assert item.id == "urn:newsml:ap.org:2026:abc" and item.fmt == "ninjs1"
    assert item.body == "" and item.body_html == "<p>Text</p>"
    assert item.source == "The Associated Press" and item.pubstatus == "canceled" and item.version == 2


def test_ninjs2_item() -> None:
    item = _p(
        {
            "uri": "urn:x:1",
            "headlines": [{"role": "main", "value": "Main"}, {"value": "Other"}],
            "bodies": [{"contenttype": "text/html", "value": "<p>x</p>"}, {"value": "plain text"}],
            "infosources": [{"name": "Kyodo"}],
            "versioncreated": "Thu, 05 Mar 2026 08:00:00 +0900",
        }
    )
    assert (item.headline, item.body, item.body_html, item.source) == (
        "Main",
        "plain text",
        "<p>x</p>",
        "Kyodo",
    )
    assert item.published == "2026-03-04T23:00:00Z" and item.fmt == "ninjs2"


def test_correction_markers() -> None:
    assert _p({"id": "1", "body": "x", "headline": "CORRECTED-Oil falls"}).correction
    assert _p({"id": "1", "body": "x", "correction": True}).correction
    assert _p({"id": "1", "body": "x", "signals": [{"uri": "sig:correction"}]}).correction
    assert not _p({"id": "1", "body": "x", "headline": "Correctional officers strike"}).correction


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"id": "x", "body": "caf\xe9"}', "invalid_utf8"),
        (b'{"id": "x", "body": "cut', "invalid_json"),
        (b'{"id": "x", "body": "a"} trailing', "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b'{"body": "no id"}', "missing_id"),
        (b'{"id": "", "body": "empty id"}', "missing_id"),
        (b'{"id": "x"}', "missing_body"),
        (b'{"id": "x", "body": "   "}', "missing_body"),
        (b'{"id": ["x"], "body": "b"}', "wrong_type"),
        (b'{"id": "x", "body": 42}', "wrong_type"),
        (b'{"id": "x", "body": "b", "version": "two"}', "wrong_type"),
        (b'{"id": "x", "body": "b", "version": -1}', "bad_value"),
        (b'{"id": "x", "body": "b", "pubstatus": "deleted"}', "bad_value"),
        (b'{"id": "x", "body": "b", "published": "yesterday-ish"}', "bad_timestamp"),
        (b'{"id": "x", "body": "b", "published": 1e300}', "bad_timestamp"),
        (b'{"id": "x", "body": "b", "version": 1' + b"0" * 40 + b"}", "bad_value"),
        (b"[" * 5000 + b"]" * 5000, "invalid_json"),
        (b'{"id": "x", "body": "\\ud800"}', "invalid_json"),
        (b'{"uri": "u", "bodies": "not a list"}', "wrong_type"),
    ],
)
def test_rejections_carry_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        parse(data)
    assert info.value.reason == reason
    assert info.value.reason in REASONS
    assert info.value.detail


def test_too_large() -> None:
    with pytest.raises(Rejected) as info:
        parse(b'{"id": "x", "body": "' + b"a" * 2000 + b'"}', max_bytes=1000)
    assert info.value.reason == "too_large"


def test_sample_feed_matches_raw_schema_except_the_deliberately_bad_lines() -> None:
    validator = schema_validator("raw-item.schema.json")
    good = bad = 0
    for line in SAMPLE.read_bytes().splitlines():
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        errors = list(validator.iter_errors(obj))
        try:
            parse(line)
            parsed = True
        except Rejected:
            parsed = False
        assert parsed == (not errors), (obj.get("id"), [e.message for e in errors])
        good += parsed
        bad += not parsed
    assert bad == 2 and good >= 10


def test_a_kill_needs_no_body_but_a_story_does() -> None:
    kill = _p({"id": "k1", "version": 2, "pubstatus": "canceled", "headline": "KILL: story withdrawn"})
    assert kill.pubstatus == "canceled" and kill.body == ""
    with pytest.raises(Rejected):
        _p({"id": "k1", "version": 2, "headline": "no body"})
