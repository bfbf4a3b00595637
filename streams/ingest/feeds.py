"""Continuous RSS 2.0 / Atom polling onto ``wire.raw``.

Each feed is polled on its own interval with conditional GET; errors back off
exponentially with full jitter; a semaphore bounds how many fetches run at
once. Entries are sent oldest first, flushed, and only then recorded in the
``SeenStore`` together with the new ETag/Last-Modified, so a crash can at
worst re-send the last batch (downstream dedup calls that a redelivery) and
never loses one.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import hashlib
import html
import logging
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
import feedparser
import orjson
import yaml

from streams.ingest.metrics import IngestMetrics
from streams.ingest.sink import Sink
from streams.ingest.state import SeenStore, Validators

log = logging.getLogger("streams.ingest.feeds")

USER_AGENT = "wirefeed-ingest/0.1 (+https://github.com/wirefeed)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_PARSE_IN_THREAD_BYTES = 1_000_000  # feedparser is sync; big bodies go to a thread


# --------------------------------------------------------------------- config
@dataclass(slots=True)
class FeedConfig:
    url: str
    source: str
    language: str | None = None  # ISO 639-1; None = take it from the feed itself
    interval_s: float = 300.0
    timeout_s: float = 20.0
    max_backoff_s: float = 3600.0
    backoff_base_s: float = 30.0  # first retry waits up to this long (full jitter)
    max_bytes: int = 10_000_000
    name: str | None = None  # metrics label; defaults to source
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.source


class FeedConfigError(ValueError):
    """A feeds file problem, located by file and entry index (``None`` = whole file)."""

    def __init__(self, path: str | Path, index: int | None, message: str) -> None:
        where = f"{path}" if index is None else f"{path}: feeds[{index}]"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.index = index
        self.message = message


_REQUIRED = ("url", "source", "language")
_FLOAT_FIELDS = ("interval_s", "timeout_s", "max_backoff_s", "backoff_base_s")
_KNOWN = {f.name for f in fields(FeedConfig)}
_LANG_RE = re.compile(r"[a-z]{2}")


def _check_feed(raw: Any, defaults: Mapping[str, Any], path: Path, index: int) -> FeedConfig:
    if not isinstance(raw, Mapping):
        raise FeedConfigError(
            path, index, f"expected a mapping with url/source/language, got {type(raw).__name__}"
        )
    merged = {**defaults, **raw}
    unknown = sorted(set(merged) - _KNOWN)
    if unknown:
        raise FeedConfigError(path, index, f"unknown key(s) {unknown}; allowed: {sorted(_KNOWN)}")
    for key in _REQUIRED:
        if key not in merged or merged[key] in (None, ""):
            raise FeedConfigError(path, index, f"missing required key {key!r}")
    for key in ("url", "source", "language", "name"):
        if key in merged and merged[key] is not None and not isinstance(merged[key], str):
            raise FeedConfigError(path, index, f"{key!r} must be a string, got {merged[key]!r}")
    url = merged["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedConfigError(path, index, f"url must be an http(s) URL, got {url!r}")
    language = merged["language"].strip().lower()
    if not _LANG_RE.fullmatch(language):
        raise FeedConfigError(path, index, f"language must be an ISO 639-1 code like 'en', got {language!r}")
    for key in _FLOAT_FIELDS:
        if key in merged:
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise FeedConfigError(
                    path, index, f"{key!r} must be a positive number of seconds, got {value!r}"
                )
            merged[key] = float(value)
    if "max_bytes" in merged and (
        isinstance(merged["max_bytes"], bool)
        or not isinstance(merged["max_bytes"], int)
        or merged["max_bytes"] <= 0
    ):
        raise FeedConfigError(
            path, index, f"'max_bytes' must be a positive integer, got {merged['max_bytes']!r}"
        )
    headers = merged.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise FeedConfigError(path, index, "'headers' must map header names to string values")
    merged.update(url=url, language=language, source=merged["source"].strip(), headers=dict(headers))
    return FeedConfig(**merged)


def load_feeds(path: Path) -> list[FeedConfig]:
    """Read and validate a feeds YAML file (a list of feeds, or ``{defaults:, feeds:}``)."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedConfigError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise FeedConfigError(path, None, f"invalid YAML: {exc}") from exc
    defaults: Mapping[str, Any] = {}
    if isinstance(doc, Mapping):
        extra = sorted(set(doc) - {"defaults", "feeds"})
        if extra:
            raise FeedConfigError(
                path, None, f"unknown top-level key(s) {extra}; expected 'defaults' and 'feeds'"
            )
        defaults = doc.get("defaults") or {}
        if not isinstance(defaults, Mapping):
            raise FeedConfigError(path, None, "'defaults' must be a mapping")
        doc = doc.get("feeds")
    if not isinstance(doc, list) or not doc:
        raise FeedConfigError(path, None, "expected a non-empty list of feeds (or a mapping with 'feeds:')")
    feeds = [_check_feed(raw, defaults, path, i) for i, raw in enumerate(doc)]
    seen: dict[str, int] = {}
    for i, feed in enumerate(feeds):
        if feed.url in seen:
            raise FeedConfigError(path, i, f"duplicate url {feed.url!r} (also feeds[{seen[feed.url]}])")
        seen[feed.url] = i
    return feeds


def feeds_from_urls(
    urls: Sequence[str],
    *,
    source: str | None = None,
    language: str | None = None,
    interval_s: float = 300.0,
    timeout_s: float = 20.0,
) -> list[FeedConfig]:
    """Ad-hoc feeds for ``wirefeed ingest rss URL...``; source defaults to the host name."""
    out: list[FeedConfig] = []
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        if language is not None and not _LANG_RE.fullmatch(language):
            raise ValueError(f"language must be an ISO 639-1 code like 'en', got {language!r}")
        host = parts.hostname or parts.netloc
        out.append(
            FeedConfig(
                url=url,
                source=source or host.removeprefix("www."),
                language=language,
                interval_s=interval_s,
                timeout_s=timeout_s,
            )
        )
    return out


# ------------------------------------------------------------ entry mapping
_TAG_RE = re.compile(r"<[A-Za-z/!?][^<>]*>")  # linear: [^<>] stops at the next bracket
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n")
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _plain(value: str, is_html: bool) -> str:
    """Plain text with one paragraph per line."""
    if is_html:
        value = _TAG_RE.sub(" ", value)
        value = html.unescape(value)
    value = value.replace("\r\n", "\n")
    if _BLANK_LINE_RE.search(value):
        paras = [" ".join(p.split()) for p in _BLANK_LINE_RE.split(value)]
    else:
        paras = [_SPACES_RE.sub(" ", line).strip() for line in value.split("\n")]
    return "\n".join(p for p in paras if p)


def _iso(struct: time.struct_time | None) -> str | None:
    if not struct:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(struct)))


def _lang(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if _LANG_RE.fullmatch(primary) else None


def entry_key(entry: Mapping[str, Any]) -> str:
    """The entry's identity in its feed: guid/id, else link, else a hash of title+summary."""
    for k in ("id", "link"):
        value = entry.get(k)
        if isinstance(value, str) and value.strip():
            return value.strip()
    text = f"{entry.get('title', '')}\x00{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _looks_global(key: str) -> bool:
    return "://" in key or key.startswith(("urn:", "tag:"))


def item_id(key: str, feed: FeedConfig) -> str:
    """URL/URN/tag ids are kept; bare agency guids are namespaced by source to avoid cross-feed clashes."""
    return key if _looks_global(key) else f"{feed.source}:{key}"


def _body(entry: Mapping[str, Any]) -> tuple[str, bool, bool]:
    """(value, typed_html, has_tags) from content (preferred: usually the full text) or summary."""
    for detail in [*(entry.get("content") or [])[:1], entry.get("summary_detail")]:
        if not detail:
            continue
        value = detail.get("value") or ""
        if value.strip():
            typed_html = detail.get("type") in _HTML_TYPES
            return value, typed_html, typed_html and bool(_TAG_RE.search(value))
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        has_tags = bool(_TAG_RE.search(summary))
        return summary, has_tags, has_tags
    return "", False, False


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    candidates = [d for d in (entry.get("content") or [])[:1]]
    candidates += [entry.get("title_detail"), entry.get("summary_detail")]
    for detail in candidates:
        if detail and (code := _lang(detail.get("language"))):
            return code
    return None


def entry_to_item(
    entry: Mapping[str, Any],
    feed: FeedConfig,
    *,
    feed_language: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """Map a feedparser entry to a plain raw item (pure).

    Language: the entry's own xml:lang, else the configured language, else the
    feed's declared language. ``now`` (ISO-8601) stands in for a missing date;
    without it, an undated entry has no ``published``.
    """
    title_detail = entry.get("title_detail") or {}
    title = entry.get("title") or ""
    headline = _plain(title, title_detail.get("type") in _HTML_TYPES).replace("\n", " ")
    value, typed_html, has_tags = _body(entry)
    item: dict[str, Any] = {"id": item_id(entry_key(entry), feed), "version": 1, "headline": headline}
    if has_tags:
        item["body_html"] = value.strip()
    else:
        item["body"] = _plain(value, is_html=typed_html)  # RSS text arrives typed html: unescape it
    item["source"] = feed.source
    published = _iso(entry.get("published_parsed")) or _iso(entry.get("updated_parsed")) or now
    if published:
        item["published"] = published
    link = entry.get("link")
    if isinstance(link, str) and link:
        item["url"] = link
    language = _entry_language(entry) or feed.language or _lang(feed_language)
    if language:
        item["language"] = language
    return item


def _has_text(item: Mapping[str, Any]) -> bool:
    return bool(item.get("body") or item.get("body_html"))


# ----------------------------------------------------------------- polling
@dataclass(slots=True)
class PollResult:
    status: Literal["ok", "not_modified", "error"]
    new_items: int = 0
    bad_entries: int = 0  # entries that could not be mapped (logged, counted as errors kind=entry)
    error_kind: str | None = None
    detail: str = ""
    retry_after: float | None = None


class _FeedError(Exception):
    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


async def _fetch(
    feed: FeedConfig, session: aiohttp.ClientSession, validators: Validators
) -> tuple[int, bytes, Mapping[str, str]]:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, **feed.headers}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    timeout = aiohttp.ClientTimeout(total=feed.timeout_s)
    try:
        async with session.get(feed.url, headers=headers, timeout=timeout) as resp:
            if resp.status == 304:
                return 304, b"", resp.headers
            if resp.status >= 400:
                raise _FeedError(
                    "http",
                    f"HTTP {resp.status} {resp.reason or ''}".strip(),
                    _retry_after(resp.headers.get("Retry-After")),
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(65536):
                size += len(chunk)
                if size > feed.max_bytes:
                    raise _FeedError("too_large", f"response larger than {feed.max_bytes} bytes")
                chunks.append(chunk)
            return resp.status, b"".join(chunks), resp.headers
    except TimeoutError as exc:
        raise _FeedError("timeout", f"no complete response within {feed.timeout_s:g}s") from exc
    except aiohttp.ClientError as exc:
        raise _FeedError("connection", f"{type(exc).__name__}: {exc}") from exc


async def _parse(body: bytes, headers: Mapping[str, str]) -> Any:
    ctype = headers.get("Content-Type")
    response_headers = {"content-type": ctype} if ctype else {}
    if len(body) > _PARSE_IN_THREAD_BYTES:
        return await asyncio.to_thread(feedparser.parse, body, response_headers=response_headers)
    return feedparser.parse(body, response_headers=response_headers)


def _oldest_first(entries: list[Any]) -> list[Any]:
    # Feeds list newest first; send oldest first so a story's versions keep their order.
    ordered = list(reversed(entries))
    if all(e.get("published_parsed") or e.get("updated_parsed") for e in ordered):
        ordered.sort(key=lambda e: calendar.timegm(e.get("published_parsed") or e.get("updated_parsed")))
    return ordered


async def poll_feed(
    feed: FeedConfig,
    sink: Sink,
    state: SeenStore,
    session: aiohttp.ClientSession,
    *,
    metrics: IngestMetrics | None = None,
) -> PollResult:
    """One conditional fetch of one feed; sends new entries and records them. Never raises (except cancel)."""
    label = feed.label
    try:
        validators = state.validators(feed.url)
        status, body, headers = await _fetch(feed, session, validators)
        if status == 304:
            state.set_validators(feed.url, validators)
            result = PollResult("not_modified")
        else:
            result = await _ingest_body(feed, sink, state, body, headers)
    except _FeedError as exc:
        result = PollResult("error", error_kind=exc.kind, detail=exc.detail, retry_after=exc.retry_after)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a bug or an unexpected library error must not kill the poller
        log.exception("feed %s (%s): unexpected error", label, feed.url)
        result = PollResult("error", error_kind="internal", detail=f"{type(exc).__name__}: {exc}")
    if metrics is not None:
        metrics.fetch(label, result.status)
        if result.status == "error":
            metrics.error(label, result.error_kind or "internal")
        else:
            metrics.success(label, time.time())
            if result.new_items:
                metrics.new_items(label, result.new_items)
            for _ in range(result.bad_entries):
                metrics.error(label, "entry")
    if result.status == "error":
        log.warning("feed %s (%s): %s error: %s", label, feed.url, result.error_kind, result.detail)
    else:
        log.info("feed %s: %s, %d new item(s)", label, result.status, result.new_items)
    return result


async def _ingest_body(
    feed: FeedConfig, sink: Sink, state: SeenStore, body: bytes, headers: Mapping[str, str]
) -> PollResult:
    parsed = await _parse(body, headers)
    entries = list(parsed.entries)
    if not entries and (parsed.bozo or not parsed.version):
        reason = parsed.get("bozo_exception") or "no RSS/Atom root element"
        ctype = headers.get("Content-Type", "?")
        raise _FeedError("malformed", f"not a parseable feed (content-type {ctype}): {reason}")
    if parsed.bozo:
        log.warning(
            "feed %s: feed is not well-formed (%s); using the %d entries recovered",
            feed.label,
            parsed.get("bozo_exception"),
            len(entries),
        )
    feed_language = parsed.feed.get("language")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    fresh = set(state.unseen(feed.url, (entry_key(e) for e in entries)))
    batch: list[tuple[str, dict[str, Any]]] = []
    bad: list[str] = []  # never sendable: recorded as seen so they are reported once
    deferred = 0  # possibly cut off by a broken document: looked at again next time
    for entry in _oldest_first(entries):
        key = entry_key(entry)
        if key not in fresh:
            continue  # already sent, or a duplicate guid earlier in this batch
        fresh.discard(key)
        try:
            item = entry_to_item(entry, feed, feed_language=feed_language, now=now)
        except Exception as exc:
            bad.append(key)
            log.warning("feed %s: cannot map entry %r: %s: %s", feed.label, key, type(exc).__name__, exc)
            continue
        if not _has_text(item):
            if parsed.bozo:
                # In a broken document a text-less entry is likely cut off: look again next time.
                deferred += 1
                log.warning(
                    "feed %s: entry %r has no text in a malformed feed; not sent yet", feed.label, key
                )
            else:
                # The pipeline rejects items without a body (missing_body); report it here, once.
                bad.append(key)
                log.warning("feed %s: entry %r has no description/content; not sent", feed.label, key)
            continue
        batch.append((key, item))
    try:
        for _, item in batch:
            await sink.send(item["id"].encode("utf-8"), orjson.dumps(item))
        await sink.flush()
    except Exception as exc:
        raise _FeedError(
            "sink", f"could not deliver batch of {len(batch)}: {type(exc).__name__}: {exc}"
        ) from exc
    new_validators = Validators(etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"))
    if deferred:
        # No validators: the deferred entries must be looked at again on the next fetch.
        new_validators = Validators()
    state.commit_batch(feed.url, [k for k, _ in batch] + bad, new_validators)
    return PollResult("ok", new_items=len(batch), bad_entries=len(bad))


def backoff_delay(
    feed: FeedConfig, failures: int, rng: random.Random, retry_after: float | None = None
) -> float:
    """Full-jitter exponential backoff, capped; a server's Retry-After is honoured up to the cap."""
    cap = min(feed.max_backoff_s, feed.backoff_base_s * (2 ** min(failures - 1, 30)))
    delay = rng.uniform(0.0, cap)
    if retry_after is not None:
        delay = max(delay, min(retry_after, feed.max_backoff_s))
    return delay


async def _wait(stop: asyncio.Event, delay: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=delay)


async def poll_forever(
    feeds: list[FeedConfig],
    sink: Sink,
    state: SeenStore,
    *,
    concurrency: int = 4,
    stop: asyncio.Event | None = None,
    once: bool = False,
    metrics: IngestMetrics | None = None,
    session: aiohttp.ClientSession | None = None,
    rng: random.Random | None = None,
) -> None:
    """Poll every feed on its interval until ``stop`` is set (or one pass with ``once``)."""
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    urls = [f.url for f in feeds]
    if len(set(urls)) != len(urls):
        raise ValueError("duplicate feed urls")
    stop = stop or asyncio.Event()
    rng = rng or random.Random()
    sem = asyncio.Semaphore(concurrency)
    own_session = session is None
    if session is None:
        session = aiohttp.ClientSession()

    async def run(feed: FeedConfig) -> None:
        failures = 0
        while not stop.is_set():
            async with sem:
                if stop.is_set():
                    return
                result = await poll_feed(feed, sink, state, session, metrics=metrics)
            if once:
                return
            if result.status == "error":
                failures += 1
                delay = backoff_delay(feed, failures, rng, result.retry_after)
                log.info("feed %s: retry %d in %.1fs", feed.label, failures, delay)
            else:
                failures = 0
                delay = feed.interval_s
                state.maybe_expire()
            await _wait(stop, delay)

    try:
        await asyncio.gather(*(run(f) for f in feeds))
    finally:
        if own_session:
            await session.close()
