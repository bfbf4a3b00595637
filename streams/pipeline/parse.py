"""Parse and normalise one raw message into a ``RawItem``.

Accepts three shapes (detected from the keys): the plain wirefeed form, IPTC
ninjs 1.x and ninjs 2.x. Anything else is ``Rejected`` with a machine-readable
reason so the shell can dead-letter it; nothing here raises anything else.

Two guards exist for what later stages cannot defend against cheaply
(docs/bad-input.md): duplicate top-level keys are rejected, because parsers
disagree on which copy wins (orjson keeps the last, others the first), so the
same bytes could mean a different item id or body elsewhere; and ``body_html``
with more elements or attributes than any real article page is rejected before
lxml/trafilatura see it, because their cost grows with element count (and
quadratically with the attributes of one tag).

The compiled extension answers the common cases (``use_native``): the duplicate-key
scan, "clean_text has nothing to do", "the timestamp is already canonical" and the
whole plain item (``PlainReader``); each declines to the Python here when unsure.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn

import orjson

from streams.pipeline.native_ext import has, slot_fields, switched_off, wirefeed_native
from streams.pipeline.types import RawItem, Rejected

# Reasons are a closed set: they are metric labels and DLQ fields.
REASONS = (
    "too_large",
    "empty",
    "invalid_utf8",
    "invalid_json",
    "not_an_object",
    "missing_id",
    "missing_body",
    "wrong_type",
    "bad_value",
    "bad_timestamp",
    "body_too_large",
    "duplicate_key",
    "html_too_complex",
    "stage_error",
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff\ufffe]")
# the ASCII part of _CONTROL, as bytes to delete everything else with
_NOT_CONTROL_BYTES = bytes(
    c for c in range(256) if not (c <= 0x08 or c in (0x0B, 0x0C) or 0x0E <= c <= 0x1F or c == 0x7F)
)
_CORRECTION_PREFIX = re.compile(r"^\s*(?:CORRECTED|CORRECTION|UPDATE\s+\d+\s*-\s*CORRECTED)\b[\s:-]*", re.I)
_ID_MAX = 512
# HTML bounds: generous for real pages (a heavy outlet page has ~5,000 elements), and low enough
# that extraction stays well under a second or two per message.
MAX_HTML_ELEMENTS = 30_000
MAX_HTML_ATTRIBUTES = 256  # in one tag
_HTML_START_TAG = re.compile(r"<[A-Za-z]")
# A start tag of 1,000+ characters (no '<' or '>' inside, so the scan is linear): only those
# can hold enough attributes to matter, so only those are counted exactly.
_HTML_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{1000,}")
_HTML_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_PUBSTATUS = {"usable": "usable", "canceled": "canceled", "cancelled": "canceled", "withheld": "withheld"}


def parse(data: bytes, *, max_bytes: int = 12_000_000) -> RawItem:
    """Decode, validate and normalise one message value."""
    if len(data) > max_bytes:
        raise Rejected("too_large", f"message is {len(data)} bytes; the limit is {max_bytes}")
    if not data.strip():
        raise Rejected("empty", "message value is empty")
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM is harmless framing, not content
        data = data[3:]
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        # orjson accepts valid UTF-8 only, so only a refused message needs decoding to tell
        # bad UTF-8 (reported first, as ever) from bad JSON
        _check_utf8(data)
        raise Rejected("invalid_json", _short(str(exc))) from None
    if not isinstance(obj, dict):
        raise Rejected("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    _check_duplicate_keys(data)
    return normalise(obj)


def _check_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected("invalid_utf8", f"not valid UTF-8 at byte {exc.start}") from None


def _check_duplicate_keys(data: bytes) -> None:
    """Reject an object that names a top-level key twice.

    The native scanner (``wirefeed_native.top_level_keys``) reads the top-level keys,
    escapes decoded, and skips the values; where it declines (nesting deeper than 64,
    or anything the standard library could refuse) and without the extension, the
    reference runs: the standard library's C scanner, keeping every (key, value) pair.
    Both answer the same on every document orjson accepts (tests/unit/test_text_native.py).
    """
    if _top_level_keys is not None:
        try:
            span = _top_level_keys(data)
        except ValueError:
            pass  # declined: the reference decides
        else:
            if span is not None:
                # the key as the reference reads it (the same string decoder)
                _duplicate(json.loads(data[span[0] : span[1]].decode("utf-8")))
            return
    try:
        pairs = _PAIRS.decode(data.decode("utf-8"))
    except (ValueError, RecursionError):  # orjson accepted it; the stricter limits here are not ours
        return
    if len(dict(pairs)) == len(pairs):
        return
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            _duplicate(key)
        seen.add(key)


def _duplicate(key: str) -> NoReturn:
    raise Rejected("duplicate_key", f"key {_short(key, 60)!r} appears more than once")


def _pairs(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return pairs


# every object as its list of pairs: the document's value is the top-level object's pairs
_PAIRS = json.JSONDecoder(object_pairs_hook=_pairs)


def normalise(obj: dict[str, Any]) -> RawItem:
    if _plain is not None and (item := _plain.read(obj)) is not None:
        return item  # the common plain item, read natively: what _from_plain returns
    if "headlines" in obj or "bodies" in obj:
        return _from_ninjs2(obj)
    if "uri" in obj and "id" not in obj:
        return _from_ninjs1(obj)
    return _from_plain(obj)


def _from_plain(o: dict[str, Any]) -> RawItem:
    item_id = _id(o.get("id"), "id")
    body = _text(o, "body")
    body_html = _text(o, "body_html")
    return _finish(
        o,
        item_id=item_id,
        headline=_text(o, "headline"),
        body=body,
        body_html=body_html,
        published=o.get("published"),
        fmt="plain",
    )


def _from_ninjs1(o: dict[str, Any]) -> RawItem:
    return _finish(
        o,
        item_id=_id(o.get("uri"), "uri"),
        headline=_text(o, "headline"),
        body=_text(o, "body_text"),
        body_html=_text(o, "body_html"),
        published=o.get("versioncreated", o.get("firstcreated")),
        fmt="ninjs1",
    )


def _from_ninjs2(o: dict[str, Any]) -> RawItem:
    headlines = _list_of_objects(o, "headlines")
    bodies = _list_of_objects(o, "bodies")
    headline = ""
    for h in headlines:
        if h.get("role") in (None, "main", "headline"):
            headline = _text(h, "value", where="headlines[].value")
            break
    body = body_html = ""
    for b in bodies:
        ctype = str(b.get("contenttype", "text/plain")).lower()
        value = _text(b, "value", where="bodies[].value")
        if "html" in ctype and not body_html:
            body_html = value
        elif "html" not in ctype and not body:
            body = value
    return _finish(
        o,
        item_id=_id(o.get("uri"), "uri"),
        headline=headline,
        body=body,
        body_html=body_html,
        published=o.get("versioncreated", o.get("firstcreated")),
        fmt="ninjs2",
    )


def _finish(
    o: dict[str, Any],
    *,
    item_id: str,
    headline: str,
    body: str,
    body_html: str,
    published: Any,
    fmt: str,
) -> RawItem:
    pubstatus = _PUBSTATUS.get(str(o.get("pubstatus", "usable")).lower().removeprefix("stat:"))
    if pubstatus is None:
        raise Rejected("bad_value", f"pubstatus {o.get('pubstatus')!r} is not usable/canceled/withheld")
    if pubstatus == "usable" and not body.strip() and not body_html.strip():
        # kills and withheld notices often carry no text; a usable story must
        raise Rejected("missing_body", f"item {item_id!r} has no body text")
    if body_html:
        _check_html(body_html)
    headline = clean_text(headline).strip()
    correction = _correction(o, headline)
    return RawItem(
        id=item_id,
        version=_version(o.get("version", 1)),
        source=_source(o),
        headline=headline,
        body=clean_text(body),
        body_html=body_html or None,
        language=_opt_str(o, "language", lower=True),
        published=_timestamp(published),
        url=_opt_str(o, "url") or _opt_str(o, "link"),
        dateline=_opt_str(o, "dateline"),
        byline=_byline(o),
        located=_opt_str(o, "located"),
        pubstatus=pubstatus,  # type: ignore[arg-type]
        correction=correction,
        fmt=fmt,
    )


def clean_text(text: str) -> str:
    """Line endings to \\n, control characters out, NFC; cheap when nothing needs doing.

    The native check (``wirefeed_native.text_is_clean``) answers "nothing to do" in one pass
    over the text; when it cannot say so, the steps below run.
    """
    if _text_is_clean is not None and _text_is_clean(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _has_control(text):
        text = _CONTROL.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def _has_control(text: str) -> bool:
    """Whether ``_CONTROL`` matches anywhere in ``text``: the same set, tested without the regex.

    A character-class search costs ~5 ns a character; deleting every other byte with
    ``bytes.translate`` costs a fraction of that. The ASCII controls are single bytes in
    UTF-8 (never part of a longer sequence); the three others are looked up as characters.
    """
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _NOT_CONTROL_BYTES))
    if "\u200b" in text or "\ufeff" in text or "\ufffe" in text:
        return True
    return bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL_BYTES))


def _check_html(page: str) -> None:
    """Bound what HTML extraction will be asked to parse (linear scans only)."""
    elements = sum(1 for _ in _HTML_START_TAG.finditer(page))
    if elements > MAX_HTML_ELEMENTS:
        raise Rejected(
            "html_too_complex", f"body_html has {elements} elements; the limit is {MAX_HTML_ELEMENTS}"
        )
    for m in _HTML_LONG_TAG.finditer(page):
        attrs = len(_HTML_QUOTED.sub(" ", m.group()).split()) - 1
        if attrs > MAX_HTML_ATTRIBUTES:
            raise Rejected(
                "html_too_complex",
                f"a tag in body_html has {attrs} attributes; the limit is {MAX_HTML_ATTRIBUTES}",
            )


def _id(value: Any, name: str) -> str:
    if value is None or value == "":
        raise Rejected("missing_id", f"the item has no {name}")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Rejected("wrong_type", f"{name} must be a string, got {type(value).__name__}")
    s = str(value).strip()
    if not s or len(s) > _ID_MAX or _CONTROL.search(s):
        raise Rejected("bad_value", f"{name} must be 1..{_ID_MAX} printable characters")
    return s


def _text(o: dict[str, Any], key: str, *, where: str | None = None) -> str:
    value = o.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected("wrong_type", f"{where or key} must be a string, got {type(value).__name__}")
    return value


def _opt_str(o: dict[str, Any], key: str, *, lower: bool = False) -> str | None:
    value = o.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Rejected("wrong_type", f"{key} must be a string, got {type(value).__name__}")
    value = clean_text(value).strip()[:1000]
    return value.lower() if lower else value


def _list_of_objects(o: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = o.get(key) or []
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise Rejected("wrong_type", f"{key} must be a list of objects")
    return value


def _version(value: Any) -> int:
    if isinstance(value, bool):
        raise Rejected("wrong_type", "version must be an integer")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():  # orjson reads integers past 2**64 as floats
        value = int(value)
    if not isinstance(value, int):
        raise Rejected("wrong_type", f"version must be an integer, got {type(value).__name__}")
    if not 0 <= value < 2**31:
        raise Rejected("bad_value", f"version {value} is out of range")
    return value


def _source(o: dict[str, Any]) -> str:
    for key in ("source", "provider", "copyrightholder"):
        value = o.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return clean_text(value).strip()[:200]
        if value is not None and not isinstance(value, str | dict):
            raise Rejected("wrong_type", f"{key} must be a string")
    infosources = o.get("infosources")
    if isinstance(infosources, list) and infosources and isinstance(infosources[0], dict):
        name = infosources[0].get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()[:200]
    return "unknown"


def _byline(o: dict[str, Any]) -> str | None:
    if isinstance(o.get("bylines"), list):
        names = [b.get("byline") or b.get("name") for b in o["bylines"] if isinstance(b, dict)]
        joined = ", ".join(n for n in names if isinstance(n, str))
        return joined or None
    return _opt_str(o, "byline")


def _correction(o: dict[str, Any], headline: str) -> bool:
    flag = o.get("correction")
    if isinstance(flag, bool) and flag:
        return True
    signals = o.get("signals", o.get("signal"))
    if isinstance(signals, str):
        signals = [signals]
    if isinstance(signals, list):
        for s in signals:
            text = s.get("uri", s.get("name", "")) if isinstance(s, dict) else s
            if isinstance(text, str) and "correct" in text.lower():
                return True
    return bool(_CORRECTION_PREFIX.match(headline))


def _timestamp(value: Any) -> str | None:
    """ISO-8601, RFC 2822 or epoch seconds -> ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    if value is None or value == "":
        return None
    if value.__class__ is str and _iso_utc_second is not None and _iso_utc_second(value):
        return value  # the test below, answered natively
    if value.__class__ is str and len(value) == 20 and value[19] == "Z" and value[0] != "0":
        # Already in the output form (most wire items): valid and printed back the same way
        # if ``isoformat`` prints what was read (years from 1000: strftime does not pad %Y).
        try:
            if datetime.fromisoformat(value[:19]).isoformat() == value[:19]:
                return value
        except ValueError:
            pass
    dt: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value < 1e11:
            raise Rejected("bad_timestamp", f"epoch timestamp {value} is out of range")
        dt = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str):
        s = value.strip()
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00")) if s[:4].isdigit() else None
        except ValueError:
            dt = None
        if dt is None:
            try:
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                dt = None
        if dt is None:
            raise Rejected("bad_timestamp", f"cannot read timestamp {_short(s)!r}")
    else:
        raise Rejected("wrong_type", f"timestamp must be a string or number, got {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(s: str, n: int = 160) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# the native checks (native/src/text.rs) while they are on
_top_level_keys: Any = None
_text_is_clean: Any = None
_iso_utc_second: Any = None
_plain: Any = None  # wirefeed_native.PlainReader


def use_native(on: bool | None = None) -> bool:
    """Switch the native paths (top-level keys, clean text, canonical timestamps, the plain
    item reader) on (when built) or off; None reads WIREFEED_NATIVE. Called at import and by
    ``load_knowledge`` with ``Settings.native``. Returns whether they are on."""
    global _top_level_keys, _text_is_clean, _iso_utc_second, _plain
    names = ("top_level_keys", "text_is_clean", "iso_utc_second", "PlainReader")
    on = (not switched_off() if on is None else on) and all(map(has, names))
    _top_level_keys, _text_is_clean, _iso_utc_second = (
        (getattr(wirefeed_native, n) for n in names[:3]) if on else (None, None, None)
    )
    _plain = wirefeed_native.PlainReader(RawItem, slot_fields(RawItem, _RAW_ITEM_FIELDS)) if on else None
    return on


_RAW_ITEM_FIELDS = (
    "id", "version", "source", "headline", "body", "body_html", "language", "published", "url",
    "dateline", "byline", "located", "pubstatus", "correction", "fmt",
)


use_native()
