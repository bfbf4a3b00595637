"""Feed polling against a real local HTTP server (127.0.0.1, free port) serving fixture feeds."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from streams.ingest.feeds import (
    FeedConfig,
    FeedConfigError,
    backoff_delay,
    entry_key,
    entry_to_item,
    feeds_from_urls,
    load_feeds,
    poll_forever,
)
from streams.ingest.metrics import IngestMetrics
from streams.ingest.sink import ListSink
from streams.ingest.state import SeenStore

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"


# ----------------------------------------------------------------- server
@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml"
    etag: str | None = None
    last_modified: str | None = None
    fail_first: int = 0  # answer 500 this many times first
    delay_s: float = 0.0
    status: int = 200
    hits: int = 0
    conditional_hits: list[dict[str, str]] = field(default_factory=list)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._runner: web.AppRunner | None = None
        self.base = ""

    def add(self, path: str, fixture: str | bytes, **kw: Any) -> str:
        body = fixture if isinstance(fixture, bytes) else (DATA / fixture).read_bytes()
        self.routes[path] = Route(body=body, **kw)
        return self.base + path

    async def _handle(self, request: web.Request) -> web.Response:
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        route.hits += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if route.delay_s:
                await asyncio.sleep(route.delay_s)
            if route.fail_first > 0:
                route.fail_first -= 1
                return web.Response(status=500, text="internal error")
            cond = {k: v for k, v in request.headers.items() if k in ("If-None-Match", "If-Modified-Since")}
            if cond:
                route.conditional_hits.append(cond)
            if (route.etag and cond.get("If-None-Match") == route.etag) or (
                route.last_modified and cond.get("If-Modified-Since") == route.last_modified
            ):
                return web.Response(status=304)
            headers = {}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            return web.Response(
                status=route.status, body=route.body, headers=headers, content_type=route.content_type
            )
        finally:
            self.in_flight -= 1

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


def run(coro_fn: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(coro_fn(), timeout=20))


def feed(url: str, source: str = "IANS", language: str = "en", **kw: Any) -> FeedConfig:
    kw.setdefault("backoff_base_s", 0.01)
    kw.setdefault("max_backoff_s", 0.05)
    kw.setdefault("timeout_s", 5.0)
    return FeedConfig(url=url, source=source, language=language, **kw)


def metrics() -> IngestMetrics:
    return IngestMetrics(CollectorRegistry())


# ------------------------------------------------------------- mapping
def test_rss_entries_become_plain_items_oldest_first() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ians.rss", "rss_ians.xml")
            sink, m = ListSink(), metrics()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url)], sink, state, once=True, metrics=m)
            items = sink.items()
            assert [i["id"] for i in items] == [
                "IANS:ians-20150917-0371",
                "IANS:ians-20150917-0398",
                "IANS:ians-efe-20150917-0412",
            ]
            assert sink.keys() == [i["id"] for i in items]  # key = item id
            kerry = items[-1]
            assert kerry["headline"] == "Kerry says Russia proposed military-to-military talks on Syria"
            assert kerry["published"] == "2015-09-17T03:55:00Z"  # 09:25 +0530
            assert kerry["source"] == "IANS" and kerry["language"] == "en" and kerry["version"] == 1
            assert kerry["url"].endswith("kerry-russia-military-talks-syria-20150917")
            assert "body_html" not in kerry
            paras = kerry["body"].split("\n")
            assert len(paras) == 2 and paras[0].startswith("Washington, Sep 17 (IANS/EFE)")
            assert m.value("wirefeed_ingest_items_total", feed="IANS") == 3
            assert m.value("wirefeed_ingest_fetches_total", feed="IANS", result="ok") == 1
            assert m.value("wirefeed_ingest_last_success_timestamp_seconds", feed="IANS") > time.time() - 60

    run(main)


def test_atom_html_xhtml_and_entry_language() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/efe.atom", "atom_efe.xml", content_type="application/atom+xml")
            sink = ListSink()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url, source="EFE", language="es")], sink, state, once=True)
            by_id = {i["id"]: i for i in sink.items()}
            assert len(by_id) == 3
            kerry = by_id["tag:efe.example.com,2015:internacional/20150917-2401"]  # tag: ids kept as-is
            assert kerry["body_html"].startswith("<p>Washington, 16 sep (EFE)")
            assert "body" not in kerry and kerry["language"] == "es"
            guate = by_id["tag:efe.example.com,2015:internacional/20150917-2377"]
            assert guate["headline"] == "Guatemala: el exvicepresidente Baldetti, a juicio"  # tags stripped
            assert "<strong>La Línea</strong>" in guate["body_html"]
            assert guate["published"] == "2015-09-17T07:20:00Z"  # from <updated>, -05:00
            chile = by_id["tag:efe.example.com,2015:international-en/20150917-0090"]
            assert chile["language"] == "en"  # the entry's xml:lang beats the configured language
            assert chile["body"].startswith("Santiago, Sep 17 (EFE)")

    run(main)


def test_rss_html_content_goes_to_body_html() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ledger.rss", "rss_html_content.xml")
            sink = ListSink()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url, source="Deccan Ledger")], sink, state, once=True)
            kerry, sensex = sink.items()
            # content:encoded (full text, HTML) wins over the plain teaser in <description>
            assert kerry["body_html"].count("<p>") == 4 and 'class="paywall"' in kerry["body_html"]
            assert kerry["id"] == kerry["url"]  # permalink guid is a URL: kept as id
            assert sensex["body_html"].startswith(
                "Mumbai, Sep 17 (PTI) The BSE Sensex rose <b>250.6 points</b>"
            )

    run(main)


def test_seed_story_paragraphs_survive_mapping() -> None:
    if not SEED.exists():
        pytest.skip("shared seed not present")
    text = SEED.read_text(encoding="utf-8")
    story = text.split("\n--IANS/EFE")[0]
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        "<title>Kerry: Russia proposed military talks</title><guid>seed-1</guid>"
        f"<description><![CDATA[{story}]]></description></item></channel></rss>"
    )
    entry = feedparser.parse(rss.encode()).entries[0]
    item = entry_to_item(entry, feed("http://127.0.0.1/x"), now="2015-09-17T04:00:00Z")
    assert item["body"].split("\n") == [p.strip() for p in story.split("\n") if p.strip()]
    assert item["published"] == "2015-09-17T04:00:00Z"  # undated entry: fetch time


def test_entry_without_guid_or_link_gets_stable_hash_key() -> None:
    entry = {"title": "Rupee gains 12 paise", "summary": "Mumbai, Sep 17 (PTI) The rupee rose."}
    k1, k2 = entry_key(entry), entry_key(dict(entry))
    assert k1 == k2 and k1.startswith("sha256:")
    assert entry_key({**entry, "summary": "Mumbai, Sep 17 (PTI) The rupee fell."}) != k1
    assert entry_key({**entry, "link": "https://x.example/a"}) == "https://x.example/a"
    assert entry_to_item(entry, feed("http://127.0.0.1/x", source="PTI"))["id"] == f"PTI:{k1}"
    assert "published" not in entry_to_item(entry, feed("http://127.0.0.1/x"))  # no date, no `now`


# ---------------------------------------------------------- behaviours
def test_conditional_get_etag_and_last_modified_304() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            u1 = srv.add("/etag.rss", "rss_ians.xml", etag='"v1-ians"')
            u2 = srv.add("/lm.rss", "rss_dup_guids.xml", last_modified="Thu, 17 Sep 2015 06:00:00 GMT")
            feeds = [feed(u1, source="IANS"), feed(u2, source="PTI")]
            sink, m = ListSink(), metrics()
            with SeenStore(":memory:") as state:
                await poll_forever(feeds, sink, state, once=True, metrics=m)
                first = len(sink.messages)
                await poll_forever(feeds, sink, state, once=True, metrics=m)
            assert first == 6 and len(sink.messages) == 6
            assert srv.routes["/etag.rss"].conditional_hits == [{"If-None-Match": '"v1-ians"'}]
            assert srv.routes["/lm.rss"].conditional_hits == [
                {"If-Modified-Since": "Thu, 17 Sep 2015 06:00:00 GMT"}
            ]
            for name in ("IANS", "PTI"):
                assert m.value("wirefeed_ingest_fetches_total", feed=name, result="ok") == 1
                assert m.value("wirefeed_ingest_fetches_total", feed=name, result="not_modified") == 1

    run(main)


def test_error_then_recovery_with_backoff() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/flaky.rss", "rss_ians.xml", fail_first=2)
            sink, m, stop = ListSink(), metrics(), asyncio.Event()

            async def until_done() -> None:
                while len(sink.messages) < 3:
                    await asyncio.sleep(0.01)
                stop.set()

            with SeenStore(":memory:") as state:
                cfg = feed(url, interval_s=60)
                await asyncio.gather(poll_forever([cfg], sink, state, stop=stop, metrics=m), until_done())
            assert srv.routes["/flaky.rss"].hits == 3
            assert m.value("wirefeed_ingest_fetches_total", feed="IANS", result="error") == 2
            assert m.value("wirefeed_ingest_errors_total", feed="IANS", kind="http") == 2
            assert m.value("wirefeed_ingest_fetches_total", feed="IANS", result="ok") == 1
            assert len(sink.messages) == 3

    run(main)


def test_malformed_feed_is_an_error_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            bad = srv.add("/broken", "malformed.html", content_type="text/html")
            good = srv.add("/ians.rss", "rss_ians.xml")
            sink, m = ListSink(), metrics()
            with SeenStore(":memory:") as state:
                await poll_forever(
                    [feed(bad, source="Broken"), feed(good)], sink, state, once=True, metrics=m
                )
                assert state.count(bad) == 0
            assert len(sink.messages) == 3
            assert m.value("wirefeed_ingest_errors_total", feed="Broken", kind="malformed") == 1
            assert m.value("wirefeed_ingest_last_success_timestamp_seconds", feed="Broken") == 0

    with caplog.at_level(logging.WARNING, logger="streams.ingest.feeds"):
        run(main)
    assert any(
        "not a parseable feed" in r.getMessage() and "text/html" in r.getMessage() for r in caplog.records
    )


def test_truncated_feed_sends_complete_entries_and_defers_cut_one() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ani.rss", "truncated_rss.xml", etag='"t1"')
            sink = ListSink()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url, source="ANI")], sink, state, once=True)
                assert [i["id"] for i in sink.items()] == ["ANI:ANI-20150917-1120"]
                assert "&" in sink.items()[0]["body"]
                assert not state.has(url, "ANI-20150917-1131")  # cut off: looked at again later
                assert state.validators(url).etag is None  # so the next fetch is a full one

    run(main)


def test_duplicate_guids_are_sent_once() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/pti.rss", "rss_dup_guids.xml")
            sink = ListSink()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url, source="PTI")], sink, state, once=True)
                await poll_forever([feed(url, source="PTI")], sink, state, once=True)  # no validators
            ids = sink.keys()
            assert len(ids) == 3 and len(set(ids)) == 3
            assert "PTI:PTI-DEL-20150917-0057" in ids
            assert "https://feeds.example-pti.in/national/delhi-dengue-cases-1800" in ids  # no guid: link
            assert sum(i.startswith("PTI:sha256:") for i in ids) == 1  # no guid, no link: content hash

    run(main)


def test_restart_does_not_resend(tmp_path: Path) -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ians.rss", "rss_ians.xml")
            sink = ListSink()
            with SeenStore.in_dir(tmp_path / "state") as state:
                await poll_forever([feed(url)], sink, state, once=True)
            assert len(sink.messages) == 3
            srv.add("/ians.rss", "rss_ians_update.xml")  # feed moved on: one new entry on top
            sink2 = ListSink()
            with SeenStore.in_dir(tmp_path / "state") as state:  # "restart": new process, same file
                await poll_forever([feed(url)], sink2, state, once=True)
            assert sink2.keys() == ["IANS:ians-efe-20150918-0033"]
            sink3 = ListSink()
            with SeenStore.in_dir(tmp_path / "other") as state:  # control: no memory resends everything
                await poll_forever([feed(url)], sink3, state, once=True)
            assert len(sink3.messages) == 3

    run(main)


def test_sink_failure_marks_nothing_and_next_poll_delivers() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ians.rss", "rss_ians.xml", etag='"e"')
            sink, m = ListSink(), metrics()
            sink.fail_next = 1
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url)], sink, state, once=True, metrics=m)
                assert state.count(url) == 0 and state.validators(url).etag is None
                await poll_forever([feed(url)], sink, state, once=True, metrics=m)
            assert len(sink.messages) == 3
            assert m.value("wirefeed_ingest_errors_total", feed="IANS", kind="sink") == 1

    run(main)


def test_timeout_and_bounded_concurrency() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            others = [srv.add(f"/f{i}.rss", "rss_ians.xml", delay_s=0.05) for i in range(5)]
            feeds = [feed(u, source=f"F{i}") for i, u in enumerate(others)]
            sink, m = ListSink(), metrics()
            with SeenStore(":memory:") as state:
                await poll_forever(feeds, sink, state, once=True, concurrency=2, metrics=m)
                assert len(sink.messages) == 15
                assert srv.max_in_flight == 2  # bounded, and actually concurrent
                # a server that does not answer in time is a timeout error, not a hang
                slow = srv.add("/slow.rss", "rss_ians.xml", delay_s=2.0)
                t0 = time.monotonic()
                await poll_forever(
                    [feed(slow, source="Slow", timeout_s=0.2)], sink, state, once=True, metrics=m
                )
                assert time.monotonic() - t0 < 1.5
            assert m.value("wirefeed_ingest_errors_total", feed="Slow", kind="timeout") == 1

    run(main)


def test_stop_event_ends_polling_promptly() -> None:
    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/ians.rss", "rss_ians.xml")
            stop = asyncio.Event()
            sink = ListSink()
            with SeenStore(":memory:") as state:
                task = asyncio.create_task(poll_forever([feed(url, interval_s=3600)], sink, state, stop=stop))
                while not sink.messages:
                    await asyncio.sleep(0.01)
                t0 = time.monotonic()
                stop.set()
                await asyncio.wait_for(task, 2)
                assert time.monotonic() - t0 < 1

    run(main)


def test_backoff_is_full_jitter_capped_and_honours_retry_after() -> None:
    cfg = feed("http://127.0.0.1/x", backoff_base_s=1.0, max_backoff_s=8.0)
    rng = random.Random(7)
    for failures, cap in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (200, 8.0)):
        delays = [backoff_delay(cfg, failures, rng) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8 and min(delays) < cap * 0.2  # spread over the whole range
    assert backoff_delay(cfg, 1, rng, retry_after=5) >= 5
    assert backoff_delay(cfg, 1, rng, retry_after=999) <= 8.0


# --------------------------------------------------------------- config
def test_load_feeds_example_file() -> None:
    feeds = load_feeds(DATA / "feeds.yaml")
    assert [f.source for f in feeds] == ["IANS", "EFE", "PTI"]
    assert feeds[0].interval_s == 120 and feeds[1].interval_s == 300 and feeds[1].timeout_s == 20
    assert feeds[2].label == "pti-national" and feeds[2].headers["Authorization"].startswith("Bearer")


@pytest.mark.parametrize(
    ("text", "index", "needle"),
    [
        ("- {url: http://a.example/rss, source: A}\n", 0, "missing required key 'language'"),
        ("- {url: ftp://a.example/rss, source: A, language: en}\n", 0, "http(s) URL"),
        ("- {url: http://a.example/rss, source: A, language: english}\n", 0, "ISO 639-1"),
        ("- {url: http://a.example/rss, source: A, language: en, intervall_s: 5}\n", 0, "unknown key"),
        ("- {url: http://a.example/rss, source: A, language: en, interval_s: 0}\n", 0, "positive number"),
        (
            "- {url: http://a.example/rss, source: A, language: en}\n"
            "- {url: http://a.example/rss, source: B, language: en}\n",
            1,
            "duplicate url",
        ),
        ("- just a string\n", 0, "expected a mapping"),
        ("feeds: [\n", None, "invalid YAML"),
        ("[]\n", None, "non-empty list"),
        ("feed: []\n", None, "unknown top-level key"),
    ],
)
def test_load_feeds_errors_name_file_and_entry(
    tmp_path: Path, text: str, index: int | None, needle: str
) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(FeedConfigError) as err:
        load_feeds(path)
    assert err.value.index == index and err.value.path == str(path)
    assert needle in str(err.value) and str(path) in str(err.value)


def test_feeds_from_urls_defaults() -> None:
    feeds = feeds_from_urls(["https://www.example-outlet.com/rss", "https://www.example-outlet.com/rss"])
    assert len(feeds) == 1 and feeds[0].source == "example-outlet.com" and feeds[0].language is None
    with pytest.raises(ValueError):
        feeds_from_urls(["file:///etc/passwd"])


def test_seen_store_expires_old_keys(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = SeenStore(tmp_path / "s.sqlite3", retention_days=1, clock=lambda: now[0])
    store.mark("http://f", ["a", "b"])
    now[0] += 3600
    store.mark("http://f", ["c"])
    assert store.unseen("http://f", ["a", "c", "d", "d"]) == ["d"]
    now[0] += 86400 - 1800  # a and b are now 24.5 h old, c 23.5 h
    assert store.expire() == 2
    assert store.unseen("http://f", ["a", "c"]) == ["a"]
    store.close()


def test_text_cleanup_is_linear_on_adversarial_input() -> None:
    cfg = feed("http://127.0.0.1/x")
    nasty = [
        "<a" * 50_000,  # tag openers that never close
        "<p" + " x" * 100_000,  # one long unterminated tag
        "\n" + " \t" * 100_000 + "x\n",  # whitespace runs between newlines
        "&amp;" * 50_000 + "<b>" * 20_000,
    ]
    t0 = time.monotonic()
    for text in nasty:
        entry = {
            "id": "g",
            "title": text[:500],
            "summary": text,
            "summary_detail": {"type": "text/html", "value": text},
        }
        entry_to_item(entry, cfg)
    assert time.monotonic() - t0 < 2.0  # a backtracking pattern would take minutes here


def test_entry_without_text_is_counted_once_not_sent() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Kyodo Flash</title>'
        b"<item><title>FLASH: Japan upper house passes security bills</title><guid>K-FL-1</guid>"
        b"<link>https://kyodo.example.jp/flash/1</link></item>"
        b"<item><title>Japan enacts security laws</title><guid>K-2</guid>"
        b"<description>TOKYO, Sept. 19 Kyodo - Japan's Diet enacted security laws.</description></item>"
        b"</channel></rss>"
    )

    async def main() -> None:
        async with FeedServer() as srv:
            url = srv.add("/kyodo.rss", rss)
            sink, m = ListSink(), metrics()
            with SeenStore(":memory:") as state:
                await poll_forever([feed(url, source="Kyodo")], sink, state, once=True, metrics=m)
                await poll_forever([feed(url, source="Kyodo")], sink, state, once=True, metrics=m)
                assert state.has(url, "K-FL-1")
            assert sink.keys() == ["Kyodo:K-2"]
            assert m.value("wirefeed_ingest_errors_total", feed="Kyodo", kind="entry") == 1

    run(main)
