"""NewsML-G2 mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.ingest.newsml import NewsMLError, newsml_to_items, parse_newsml

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


def test_news_message_items() -> None:
    items, problems = parse_newsml((DATA / "newsml_message.xml").read_bytes())
    reuters, afp, kyodo = items
    assert reuters["id"] == "urn:newsml:reuters.example.com:20150917:nL5N11N0AB" and reuters["version"] == 2
    assert reuters["source"] == "Reuters" and reuters["language"] == "en"
    assert reuters["published"] == "2015-09-17T05:40:00Z"  # versionCreated 06:40+01:00
    assert reuters["dateline"] == "WASHINGTON, Sept 16" and reuters["located"] == "Washington"
    assert reuters["url"].startswith("https://reuters.example.com/article/")
    html = reuters["body_html"]
    assert html.startswith("<p>WASHINGTON, Sept 16 (Reuters)") and "<em>studying</em>" in html
    assert "xmlns" not in html and "<title>" not in html and "body" not in reuters
    assert afp["source"] == "AFP" and afp["language"] == "fr" and afp["published"] == "2015-09-17T05:15:00Z"
    assert afp["body"].split("\n")[-1] == "-- AFP" and len(afp["body"].split("\n")) == 3
    assert kyodo["pubstatus"] == "canceled" and kyodo["version"] == 3 and kyodo["body"] == ""
    assert [(p.index, p.reason) for p in problems] == [(4, "not_news_item"), (5, "missing_guid")]


def test_single_news_item_with_correction_signal() -> None:
    (item,) = newsml_to_items((DATA / "newsml_item_dpa.xml").read_bytes())
    assert item["version"] == 4 and item["language"] == "de" and item.get("correction") is True
    assert item["published"] == "2015-09-17T09:32:00Z" and item["source"] == "dpa"


def test_default_source_and_missing_provider() -> None:
    xml = (
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">'
        b"<contentMeta><headline>Quake hits off Chile</headline></contentMeta>"
        b'<contentSet><inlineData contenttype="text/plain">SANTIAGO (EFE) - A strong quake hit.</inlineData>'
        b"</contentSet></newsItem>"
    )
    items, problems = parse_newsml(xml)
    assert not items and problems[0].reason == "missing_source"
    (item,) = newsml_to_items(xml, default_source="EFE")
    assert item["source"] == "EFE" and item["pubstatus"] == "usable" and "published" not in item


@pytest.mark.parametrize(
    "xml",
    [b"<newsItem><unclosed></newsItem>", b"<rss version='2.0'/>", b""],
)
def test_not_newsml_raises(xml: bytes) -> None:
    with pytest.raises(NewsMLError):
        parse_newsml(xml)


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:2">'
        '<itemMeta><provider literal="AP"/></itemMeta>'
        "<contentMeta><headline>H &x;</headline></contentMeta></newsItem>"
    ).encode()
    items, _ = parse_newsml(xml)
    assert "TOP-SECRET" not in str(items)
