"""The compiled text paths (native/src/text.rs) give exactly what the Python functions give.

* ``Fingerprinter.fingerprint`` = ``dedup_fingerprint.fingerprint_python``;
* ``top_level_keys`` answers what the standard library's decoder answers about repeated top-level
  keys, on every document orjson accepts (or declines, and the reference decides);
* ``text_is_clean(s)`` only when ``parse.clean_text(s)`` is ``s``;
* ``iso_utc_second(s)`` exactly when ``parse._timestamp`` takes its first shortcut.

The native functions are called directly, so that a silent fallback to Python cannot hide a
difference. Without the extension the module is skipped, unless WIREFEED_REQUIRE_NATIVE=1 (set by
``make test``), which makes it fail.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.pipeline import dedup_fingerprint, parse
from streams.pipeline.native_ext import has
from streams.pipeline.types import Rejected
from tests.data.bad_input.cases import CASES
from tests.unit.test_chain_equivalence import bench_mix, fuzzed, labelled

if not (has("Fingerprinter") and has("top_level_keys")):
    if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
        pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
    pytest.skip("wirefeed_native is not built: pip install ./native", allow_module_level=True)

import wirefeed_native  # after the skip

_SETTINGS = settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module", params=["vector", "scalar"])
def native_fp(request: pytest.FixtureRequest) -> Any:
    """The fingerprinter ``use_native`` builds, and one kept to the byte-by-byte walk."""
    assert dedup_fingerprint.use_native(True)
    if request.param == "vector":
        return dedup_fingerprint._native.fingerprint
    fp = dedup_fingerprint._fingerprinter(simd=False)
    assert not fp.simd
    return fp.fingerprint


def test_the_vector_walk_is_used_where_it_can_be() -> None:
    assert dedup_fingerprint.use_native(True)
    if platform.machine() in ("x86_64", "AMD64") and "ssse3" in _cpu_flags():
        assert dedup_fingerprint._native.simd


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def texts_of(values: list[bytes]) -> Iterator[tuple[str, str]]:
    """(headline, body) of every readable item, raw and as parse cleans it."""
    for v in values:
        try:
            obj = orjson.loads(v)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        listed = obj.get("bodies")
        bodies = [b.get("value") for b in listed if isinstance(b, dict)] if isinstance(listed, list) else []
        for h, b in ((obj.get("headline"), obj.get("body")), (None, bodies[0] if bodies else None)):
            if isinstance(h, str) or isinstance(b, str):
                yield (h if isinstance(h, str) else "", b if isinstance(b, str) else "")
        try:
            item = parse.parse(v)
        except Rejected:
            continue
        yield item.headline, item.body


# ---- fingerprint ---------------------------------------------------------------------------------
def same_fingerprint(native_fp: Any, headline: str, body: str) -> None:
    got = native_fp(headline, body)
    assert got is not None, (headline[:80], body[:200])
    assert got == dedup_fingerprint.fingerprint_python(headline, body), (headline[:80], body[:200])
    assert type(got) is dedup_fingerprint.Fingerprint


def test_fingerprints_of_the_bench_mix_and_labelled_data(native_fp: Any) -> None:
    n = 0
    for headline, body in texts_of(bench_mix(600) + labelled()):
        same_fingerprint(native_fp, headline, body)
        same_fingerprint(native_fp, headline, "")  # the headline alone (a body-less flash)
        n += 1
    assert n > 1500


def test_fingerprints_of_bad_input(native_fp: Any) -> None:
    n = 0
    for c in CASES:
        if not c.big and (v := c.value()) is not None:
            for headline, body in texts_of([v]):
                same_fingerprint(native_fp, headline, body)
                n += 1
    assert n > 40


_PIECES = [
    "a", "Bc", "word ", "1", "22", ".", ". ", "\n", " ", "!", "?", ";", "\t", '"', "'", "(", ")", "[",
    "]", "\r", "\x00", "é", "—", "’", "\u200b", "\u00a0", "\u2028", "\x1c", "Sentence long enough here",
    "\n\n", ".\n", "\n.", '." ', ".) ", "3.5", "12,000", "ŞEHİR", "日本", "\U0001f600", ",", "-",
]


@_SETTINGS
@given(st.lists(st.sampled_from(_PIECES), max_size=60), st.lists(st.sampled_from(_PIECES), max_size=8))
def test_fingerprints_of_punctuated_text(native_fp: Any, body: list[str], headline: list[str]) -> None:
    same_fingerprint(native_fp, "".join(headline), "".join(body))


@_SETTINGS
@given(st.text(max_size=400), st.text(max_size=40))
def test_fingerprints_of_any_text(native_fp: Any, body: str, headline: str) -> None:
    body = body.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates (they raise)
    headline = headline.encode("utf-8", "replace").decode("utf-8")
    same_fingerprint(native_fp, headline, body)


def test_fingerprint_minimum_lengths_and_repeats(native_fp: Any) -> None:
    rng = random.Random(5)
    for _ in range(3000):
        words = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randrange(1, 15)))
                 for _ in range(rng.randrange(1, 5))]
        sentence = " ".join(words) + rng.choice(["", " 7", " 12 and 3"])
        body = rng.choice([". ", "\n", "! "]).join(rng.choice([sentence, sentence.upper(), "x 1"])
                                                   for _ in range(rng.randrange(1, 6)))
        same_fingerprint(native_fp, "", body)


def test_fingerprints_at_every_alignment(native_fp: Any) -> None:
    """Sentence ends, deleted bytes and digits at every offset of the vector walk's 16-byte blocks."""
    patterns = [". ", '." ', ".) ", '.""  ', ".\n", ". .", "..  ", "!\t", "\n", ".", '."', ".é ", "é. ", "; ",
                "? ", ".\r\n", "\x00", "(a). ", "7. 8", ".7 ", " . "]
    for pattern in patterns:
        for offset in range(40):
            for tail in ("b", " Next sentence here", '"x', "9"):
                body = "Ab" * (offset // 2) + "c" * (offset % 2) + pattern + tail + " long enough words"
                same_fingerprint(native_fp, "", body)
                same_fingerprint(native_fp, "", body * 3)


def test_blank_bodies_are_those_python_strips_to_nothing(native_fp: Any) -> None:
    """Every code point, alone as the body: blank ones (``str.isspace``) make the headline count."""
    headline = "Markets rally as inflation cools sharply"
    with_headline = dedup_fingerprint.fingerprint_python(headline, " ")
    wide = dedup_fingerprint.fingerprint_python(headline, "\u00e9")  # any non-ASCII, non-space char
    assert with_headline != wide
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        if cp < 0x80:
            assert native_fp(headline, c) == dedup_fingerprint.fingerprint_python(headline, c), cp
        else:
            assert native_fp(headline, c) == (with_headline if c.isspace() else wide), hex(cp)


def test_lone_surrogates_fall_back_and_raise_as_python_does(native_fp: Any) -> None:
    assert native_fp("h", "bad \ud800 text") is None
    assert native_fp("bad \udc00", " ") is None
    assert native_fp("bad \udc00", "fine body text here") is not None  # the headline is not read
    for h, b in (("h", "bad \ud800 text"), ("bad \udc00", " ")):
        with pytest.raises(UnicodeEncodeError) as native_err:
            dedup_fingerprint.fingerprint(h, b)
        with pytest.raises(UnicodeEncodeError) as python_err:
            dedup_fingerprint.fingerprint_python(h, b)
        assert str(native_err.value) == str(python_err.value)


def test_fingerprint_switch() -> None:
    try:
        assert not dedup_fingerprint.use_native(False)
        assert dedup_fingerprint._native is None
        text = "One sentence that is long enough. And 2 more."
        assert dedup_fingerprint.fingerprint("h", text) == dedup_fingerprint.fingerprint_python("h", text)
    finally:
        assert dedup_fingerprint.use_native(True)


# ---- parse: duplicate top-level keys -------------------------------------------------------------
def reference_repeat(data: bytes) -> str | None:
    """The reference answer: the first top-level key (as the standard library reads it) that
    repeats an earlier one. Raises where the standard library refuses the document."""
    pairs = json.JSONDecoder(object_pairs_hook=lambda p: p).decode(data.decode("utf-8"))
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return None


def native_repeat(data: bytes) -> str | None:
    span = wirefeed_native.top_level_keys(data)
    return None if span is None else json.loads(data[span[0] : span[1]].decode("utf-8"))


def same_keys(data: bytes) -> bool:
    """Native and reference agree on a document orjson accepts; False if orjson refuses it."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(obj, dict):
        return False
    assert native_repeat(data) == reference_repeat(data), data[:300]
    return True


def test_keys_of_the_bench_mix_labelled_data_and_bad_input() -> None:
    values = bench_mix(300) + labelled()
    values += [v for c in CASES if not c.big and (v := c.value()) is not None]
    assert sum(same_keys(v) for v in values) > 1000
    assert any(native_repeat(v) for v in values if same_keys(v))  # the bad-input duplicate cases


def test_keys_of_mutated_input() -> None:
    base = bench_mix(100) + labelled()
    assert sum(same_keys(v) for v in fuzzed(base, 3000, seed=17)) > 1500


_SHORT = {c: json.dumps(c)[1:-1] for c in '"\\\b\f\n\r\t'} | {"/": "\\/"}


def _escape(s: str, rng: random.Random) -> str:
    """A JSON string literal for ``s``, each character written raw or escaped in a way JSON allows."""
    out = []
    for ch in s:
        cp = ord(ch)
        ways = [] if ch in '"\\' or cp < 0x20 else [ch]
        if ch in _SHORT:
            ways.append(_SHORT[ch])
        if cp > 0xFFFF:
            hi, lo = 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF)
            ways.append(f"\\u{hi:04x}\\u{lo:04X}")
        else:
            ways += [f"\\u{cp:04x}", f"\\u{cp:04X}"]
        out.append(rng.choice(ways))
    return '"' + "".join(out) + '"'


_KEY = st.sampled_from(["id", "body", "headline", "a", "", "é", "e\u0301", "日本", "\U0001f600", "x\"y",
                        "back\\slash", "/", "tab\t", "nul\x00", "\u2028"]) | st.text(max_size=5)
_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_KEY, kids, max_size=4),
    max_leaves=12,
)


@settings(_SETTINGS, max_examples=200)
@given(
    st.lists(st.tuples(_KEY, _VALUE), max_size=12),
    st.integers(0, 2**32),
    st.sampled_from(["", " ", "\n\t ", "\r\n"]),
)
def test_keys_of_random_documents(pairs: list[tuple[str, Any]], seed: int, ws: str) -> None:
    rng = random.Random(seed)
    if pairs and rng.random() < 0.5:  # repeat a key (maybe under another spelling)
        pairs.insert(rng.randrange(len(pairs) + 1), (rng.choice(pairs)[0], 1))
    body = ("," + ws).join(f"{ws}{_escape(k, rng)}{ws}:{ws}{json.dumps(v)}" for k, v in pairs)
    data = f"{ws}{{{body}{ws}}}{ws}".encode()
    assert same_keys(data), data


def test_keys_inside_values_do_not_count() -> None:
    for doc in (b'{"a":{"a":1,"a":2},"b":[{"b":1},{"b":2}]}', b'{"a":"\\"a\\":1","b":"a"}',
                b'{"a":[[[{"a":1}]]], "c":{"d":{"a":2}}}'):
        assert native_repeat(doc) is None and reference_repeat(doc) is None
    assert native_repeat(b'{"\\u0069d":1,"id":2}') == "id"
    assert native_repeat(b'{"\\ud83d\\ude00":1,"\xf0\x9f\x98\x80":2}') == "\U0001f600"
    assert native_repeat(b'{"a\\/b":1,"a/b":2,"a":3,"a":4}') == "a/b"


def test_deep_or_odd_documents_are_left_to_the_reference() -> None:
    deep = b'{"a":1,"a":' + b"[" * 65 + b"]" * 65 + b"}"
    with pytest.raises(ValueError):
        wirefeed_native.top_level_keys(deep)
    with pytest.raises(ValueError):
        wirefeed_native.top_level_keys(bytearray(b'{"a":1}'))
    with pytest.raises(ValueError):
        wirefeed_native.top_level_keys(b'{"a":' + b"1" * 700 + b"}")
    assert native_repeat(b'{"a":' + b"[" * 63 + b"]" * 63 + b',"a":1}') == "a"  # depth 64: read here
    # through parse: the same verdicts as the reference check, however deep
    for depth in (63, 64, 65, 500, 990, 1023):
        doc = b'{"id":"x","body":"b","n":' + b"[" * depth + b"]" * depth + b',"id":"y"}'
        same_parse_both_ways(doc)


def test_what_the_standard_library_reads_but_orjson_refuses() -> None:
    """Lone surrogates, NaN, Infinity and numbers past a double never reach the scanner; were one
    to, the scanner declines (surrogates, NaN) or reads on as the reference does (1e400)."""
    for doc in (b'{"\\ud800":1,"\\ud800":2}', b'{"a":"\\udc00"}', b'{"\\ud83d\\u0041":1}', b'{"a":NaN}',
                b'{"a":Infinity}', b'{"a":-Infinity}', b'{"a":1e400}', b'{"a":' + b"9" * 400 + b"}"):
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(doc)
        reference_repeat(doc)  # the standard library reads them all
    for doc in (b'{"\\ud800":1}', b'{"\\udc00":1}', b'{"\\ud83d\\u0041":1}'):
        with pytest.raises(ValueError):
            wirefeed_native.top_level_keys(doc)
    with pytest.raises(ValueError):
        wirefeed_native.top_level_keys(b'{"a":NaN,"a":1}')
    assert native_repeat(b'{"a":1e400,"a":-1e400}') == reference_repeat(b'{"a":1e400,"a":-1e400}') == "a"


def test_orjson_accepts_only_valid_utf8() -> None:
    """parse decodes a message only when orjson refuses it: orjson must refuse all bad UTF-8."""
    bad = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf",
           b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xff", b"\xfe", b"\xc3",
           b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3\x28", b"\xe2\x28\xa1"]
    for seq in bad:
        docs = (b'{"a":"' + seq + b'"}', b'{"' + seq + b'":1}', b'{"a":1}' + seq, b'{"a":"x' + seq + b'y"}')
        for doc in docs:
            with pytest.raises(orjson.JSONDecodeError):
                orjson.loads(doc)
    rng = random.Random(3)
    base = bench_mix(50)
    for _ in range(20000):
        v = bytearray(rng.choice(base))
        for _ in range(rng.randrange(1, 4)):
            v[rng.randrange(len(v))] = rng.randrange(0x80, 0x100)
        try:
            orjson.loads(bytes(v))
        except orjson.JSONDecodeError:
            continue
        bytes(v).decode("utf-8")  # accepted: must be valid UTF-8


def parse_outcome(data: bytes) -> Any:
    try:
        return parse.parse(data)
    except Rejected as exc:
        return (exc.reason, exc.detail, exc.stage)


def same_parse_both_ways(data: bytes) -> None:
    assert parse.use_native(True)
    try:
        native = parse_outcome(data)
        parse.use_native(False)
        python = parse_outcome(data)
    finally:
        assert parse.use_native(True)
    assert native == python, data[:300]


def test_parse_with_and_without_the_native_checks() -> None:
    base = bench_mix(200) + labelled()
    for v in base + fuzzed(base, 3000, seed=23):
        same_parse_both_ways(v)
    for c in CASES:
        if (v := c.value()) is not None and len(v) < 2_000_000:
            same_parse_both_ways(v)


def test_load_knowledge_applies_the_switch() -> None:
    from streams.knowledge import load_knowledge
    from streams.settings import load_settings

    try:
        load_knowledge(load_settings({"WIREFEED_NATIVE": "0"}))
        assert dedup_fingerprint._native is None and parse._top_level_keys is None
    finally:
        load_knowledge(load_settings({}))
    assert dedup_fingerprint._native is not None and parse._top_level_keys is not None


# ---- parse: the plain item reader ----------------------------------------------------------------
def normalise_python(obj: dict[str, Any]) -> Any:
    saved = parse._plain
    parse._plain = None
    try:
        return parse.normalise(obj)
    except Rejected as exc:
        return (exc.reason, exc.detail)
    finally:
        parse._plain = saved


def same_item(obj: dict[str, Any]) -> bool:
    """The native reader gives what ``normalise`` gives, or declines; whether it read the item."""
    item = parse._plain.read(obj)
    if item is not None:
        assert item == normalise_python(obj), obj
    return item is not None


def test_plain_items_of_the_bench_mix_labelled_data_and_bad_input() -> None:
    assert parse.use_native(True)
    objs = [o for v in bench_mix(600) if isinstance(o := orjson.loads(v), dict)]
    assert sum(map(same_item, objs)) > 0.85 * len(objs)  # the fast path is taken
    values = labelled() + [v for c in CASES if not c.big and (v := c.value()) is not None]
    values += fuzzed(bench_mix(100) + labelled(), 3000, seed=29)
    for v in values:
        try:
            obj = orjson.loads(v)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            same_item(obj)


_WS = ["", " ", "\t", "\n", "\x1c", "\u00a0", "\u3000", "\u2028"]
_TEXT = st.builds(
    lambda a, b, c: a + b + c,
    st.sampled_from(_WS),
    st.text(alphabet=st.sampled_from(list("aZ 9-:.éİKſ日")), max_size=12)
    | st.text(alphabet=st.sampled_from(list("aZ 9é\u0301\r\x00\x0b\u200b\ufeff\x7f")), max_size=6)
    | st.sampled_from(["Correction: x", "UPDATE 2 - CORRECTED y", "update z", "Corrected", "correcT",
                       "CORRECTION", "Update", "2026-03-02T06:00:00Z", "2024-02-30T06:00:00Z", "EN", "Fr",
                       "x" * 199, "y" * 201, "z" * 513, "é" * 1001, "w" * 999 + " "]),
    st.sampled_from(_WS),
)
_FIELD_VALUE = (
    st.none() | _TEXT | st.integers(-3, 2**32) | st.booleans() | st.just(1.0) | st.just([]) | st.just({})
)
_PLAIN_KEYS = ["id", "body", "headline", "version", "source", "language", "published", "url", "link",
               "dateline", "byline", "located", "other", "pubstatus", "bylines", "provider"]


_BASE = {"id": "a-1", "body": "Some text.", "headline": "A headline", "version": 2, "source": "AP",
         "language": "en", "published": "2026-03-02T06:00:00Z", "url": "https://x.example/1"}


_OVER = st.builds(
    lambda texts, other: texts | other,
    st.dictionaries(st.sampled_from(_PLAIN_KEYS[:12]), _TEXT, max_size=3),
    st.dictionaries(st.sampled_from(_PLAIN_KEYS), _FIELD_VALUE, max_size=1),
)


@settings(_SETTINGS, max_examples=1500)
@given(_OVER, st.lists(st.sampled_from(sorted(_BASE)), max_size=2))
def test_plain_items_of_any_shape(over: dict[str, Any], drop: list[str]) -> None:
    """A readable item with a few fields changed, dropped or added."""
    same_item({k: v for k, v in _BASE.items() if k not in drop} | over)


def test_the_shapes_above_are_often_read() -> None:
    """So that the test above compares something (the reader declines where it must)."""
    read = []

    @settings(_SETTINGS, max_examples=500)
    @given(_OVER)
    def run(over: dict[str, Any]) -> None:
        read.append(parse._plain.read(_BASE | over) is not None)

    run()
    assert sum(read) > 0.15 * len(read)


def test_no_wide_character_matches_a_letter_of_the_correction_prefixes() -> None:
    """What PlainReader's cheap correction test relies on (the prefixes start "correc"/"update")."""
    letters = re.compile("[corupdate]", re.IGNORECASE)
    assert not [hex(cp) for cp in range(0x80, 0x110000) if letters.match(chr(cp))]
    for head in ("Correction: rates", "UPDATE 3 - CORRECTED rates", "corrected-x"):
        assert parse._plain.read({"id": "a", "body": "b", "headline": head}) is None


# ---- parse: clean text ---------------------------------------------------------------------------
def clean_python(text: str) -> str:
    saved = parse._text_is_clean
    parse._text_is_clean = None
    try:
        return parse.clean_text(text)
    finally:
        parse._text_is_clean = saved


def check_clean(s: str) -> bool:
    ok = wirefeed_native.text_is_clean(s)
    if ok:
        assert clean_python(s) == s, ascii(s)
    return ok


def test_clean_text_on_every_character() -> None:
    """A character alone, after a letter with a combining mark after it, and after a mark."""
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000:
            assert not wirefeed_native.text_is_clean(c)
            continue
        check_clean(c)
        check_clean("e" + c + "\u0323")
        check_clean("\u0301" + c)


@_SETTINGS
@given(st.text(max_size=200))
def test_clean_text_on_any_text(s: str) -> None:
    check_clean(s)
    assert parse.clean_text(s) == clean_python(s)


def test_clean_text_says_yes_where_it_should() -> None:
    yes = ["plain ascii text\nwith lines\tand tabs", "café déjà vu", "‘quotes’ — and “dashes” …", "日本語",
           "Ελληνικά", "\U0001f600", ""]
    no = ["cafe\u0301", "a\rb", "a\x00b", "a\x0bb", "a\x7fb", "a\u200bb", "\ufeffa", "a\ufffe", "\u212b",
          "a\u0323\u0301" [::-1], "\ud800"]
    assert all(check_clean(s) for s in yes)
    assert not any(check_clean(s) for s in no)
    bodies = [b for _, b in texts_of(bench_mix(300))]
    assert sum(map(wirefeed_native.text_is_clean, bodies)) > 0.9 * len(bodies)


# ---- parse: timestamps ---------------------------------------------------------------------------
def python_shortcut(v: str) -> bool:
    """``parse._timestamp``'s first test."""
    if not (v.__class__ is str and len(v) == 20 and v[19] == "Z" and v[0] != "0"):
        return False
    try:
        return datetime.fromisoformat(v[:19]).isoformat() == v[:19]
    except ValueError:
        return False


@_SETTINGS
@given(
    st.integers(0, 10999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
    st.integers(0, 61), st.sampled_from(["-", "-", "/", "٣"]), st.sampled_from(["T", "T", " ", "t"]),
    st.sampled_from(["Z", "Z", "z", "+"]),
)
def test_canonical_timestamps(
    y: int, mo: int, d: int, h: int, mi: int, s: int, dash: str, t: str, z: str
) -> None:
    for v in (f"{y:04d}{dash}{mo:02d}-{d:02d}{t}{h:02d}:{mi:02d}:{s:02d}{z}",
              f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z"):
        assert wirefeed_native.iso_utc_second(v) == python_shortcut(v), v


@_SETTINGS
@given(st.text(alphabet="0123456789-T:Z .٣+", min_size=18, max_size=22))
def test_timestamp_like_strings(v: str) -> None:
    assert wirefeed_native.iso_utc_second(v) == python_shortcut(v), v


def test_timestamps_of_the_bench_mix() -> None:
    stamps = [o.get("published") or o.get("versioncreated") for o in map(orjson.loads, bench_mix(300))]
    assert all(wirefeed_native.iso_utc_second(v) == python_shortcut(v) for v in stamps if isinstance(v, str))
    assert sum(wirefeed_native.iso_utc_second(v) for v in stamps if isinstance(v, str)) > 250
    for v in ("2024-02-29T23:59:59Z", "1900-02-28T00:00:00Z", "2000-02-29T12:00:00Z", "1000-01-01T00:00:00Z"):
        assert wirefeed_native.iso_utc_second(v) and python_shortcut(v)
    for v in ("2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "0999-01-01T00:00:00Z",
              "2026-04-31T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T06:00:60Z",
              "2026-03-02T06:00:00z", "2026-03-0２T06:00:00Z"):
        assert not wirefeed_native.iso_utc_second(v) and not python_shortcut(v)
