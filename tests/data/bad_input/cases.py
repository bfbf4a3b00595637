"""Bad and odd input for wirefeed, one case per kind (docs/bad-input.md is the table).

Every case is built deterministically here; big ones (10 MB, HTML bombs) are built when
asked for, never stored. ``expect`` is ``"enriched"`` for input that is odd but valid news
(it must come out processed) or a DLQ reason; ``stage`` is where the DLQ record must say it
failed. ``key`` is the Kafka key to send with it (``None``: a message with no key);
``value`` of ``None`` is a tombstone, which the worker reads as an empty value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson

Build = Callable[[], bytes | None]


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    build: Build
    expect: str  # "enriched" or a DLQ reason (streams.pipeline.parse.REASONS)
    stage: str | None = "parse"  # DLQ stage; None for enriched
    key: bytes | None = b"k"
    big: bool = False  # megabytes: kept out of the interleaved Kafka run
    contains: tuple[str, ...] = ()  # text that must survive into the enriched body
    bug: str | None = None  # a known bug in a stage this corpus does not own (tests xfail on it)

    def value(self) -> bytes | None:
        return self.build()

    @property
    def item_id(self) -> str:
        return f"bad-{self.name}"


def _item(name: str, **fields: object) -> dict[str, object]:
    words = name.replace("_", " ")
    obj: dict[str, object] = {
        "id": f"bad-{name}",
        "source": "Corpus Wire",
        "language": "en",
        "published": "2026-03-05T10:00:00Z",
        "headline": f"Harbour authority reopens berth {len(name)} after {words} inspection",
        "body": (
            f"MARSEILLE, March 5 (AFP) - Port officials reopened a cargo berth on Thursday after a "
            f"{words} inspection that lasted {len(name) * 3} hours, the harbour authority said.\n"
            f"Dockworkers said the {words} check had delayed {len(name) + 7} container ships."
        ),
    }
    obj.update(fields)
    return obj


def _j(name: str, **fields: object) -> Build:
    return lambda: orjson.dumps(_item(name, **fields))


def _raw(data: bytes) -> Build:
    return lambda: data


def _without(name: str, *keys: str) -> Build:
    def build() -> bytes:
        obj = _item(name)
        for k in keys:
            obj.pop(k, None)
        return orjson.dumps(obj)

    return build


def _kill() -> bytes:
    obj = _item("kill_without_body", pubstatus="canceled")
    obj.pop("body")
    return orjson.dumps(obj)


def _html_attrs() -> bytes:
    attrs = " ".join(f"data-a{i}" for i in range(20_000))
    page = f"<html><body><article><p {attrs}>Quake hits the coast, officials say.</p></article></body></html>"
    return orjson.dumps(_item("html_attribute_bomb", body="", body_html=page))


def _html_elements() -> bytes:
    page = "<p>" * 100_000 + "Officials said the dam held."
    return orjson.dumps(_item("html_element_bomb", body="", body_html=page))


_FERRY = (
    "<p>ISTANBUL (Anadolu) - Ferry services across the Bosphorus resumed on Friday after fog that had "
    "halted crossings for most of the morning lifted, the city's transport authority said.</p>"
    "<p>Commuters queued at Kadikoy and Besiktas piers as the first boats left shortly before noon.</p>"
)


def _html_deep(name: str, depth: int) -> Build:
    page = "<html><body>" + "<div>" * depth + _FERRY + "</div>" * depth + "</body></html>"
    return lambda: orjson.dumps(_item(name, body="", body_html=page))


def _ten_mb() -> bytes:
    para = "Officials said the count would continue through the night in every district.\n"
    body = para * (10_000_000 // len(para) + 1)
    return orjson.dumps(_item("body_10mb", body=body[:10_000_000]))


def _over_limit() -> bytes:
    return orjson.dumps(_item("message_over_limit", body="x" * 12_100_000))


def _backtrack() -> bytes:
    # Shapes aimed at the dateline, sentence and furniture patterns: long runs that almost match.
    body = "\n".join(
        [
            "Washington, " + "Sep 17, " * 4_000 + "(IANS",
            "WASHINGTON" + " -" * 20_000,
            "A" + " (" * 20_000 + "x",
            ("Mr. " * 20_000).strip(),
            "Also read: " * 5_000,
            "Aa... " * 20_000,
            "-" * 50_000,
            "Officials in Geneva said talks would resume on Monday.",
        ]
    )
    return orjson.dumps(_item("regex_backtracking_bait", headline="A" * 20_000 + "!", body=body))


def _deep_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def _deep_inside_item() -> bytes:
    data = orjson.dumps(_item("deep_json_inside_item"))
    return data[:-1] + b',"extra":' + b"[" * 2_000 + b"]" * 2_000 + b"}"


def _duplicate_key() -> bytes:
    return b'{"id":"bad-duplicate_key","id":"bad-duplicate_key-2",' + orjson.dumps(_item("x"))[1:].replace(
        b'"id":"bad-x",', b""
    )


def _duplicate_key_escaped() -> bytes:
    rest = orjson.dumps(_item("duplicate_key_escaped"))
    return b'{"\\u0069d":"bad-other",' + rest[1:]


def _nested_duplicate_key() -> bytes:
    rest = orjson.dumps(_item("nested_duplicate_key"))
    return rest[:-1] + b',"meta":{"desk":"world","desk":"europe"}}'


def _python_escaped() -> bytes:
    # Python producers (json.dumps with ensure_ascii) escape every non-ASCII character
    return json.dumps(
        _item(
            "ascii_escaped_unicode",
            body="S\u00c3O PAULO, March 5 (Reuters) - Brazil's central bank held its benchmark rate at "
            "10.75% on Wednesday, as economists polled by Reuters had expected.\n"
            "The bank's committee said inflation expectations in S\u00e3o Paulo and Bras\u00edlia had eased.",
        )
    ).encode()


def _utf16() -> bytes:
    return orjson.dumps(_item("utf16_encoded")).decode().encode("utf-16")


EMOJI_BODY = (
    "LONDON, March 5 (Reuters) - \U0001f1ec\U0001f1e7 Britain's finance minister Rachel Reeves said on "
    "Thursday the budget would \U0001f4c8 lift growth, as traders \U0001f602 shrugged.\n"
    "Family emoji \U0001f468\u200d\U0001f469\u200d\U0001f467 and flags \U0001f1fa\U0001f1f8 "
    "\U0001f1f7\U0001f1fa appeared in replies to Keir Starmer on social media."
)
RTL_BODY = (
    "القاهرة، 5 مارس (رويترز) - قال مسؤولون مصريون يوم الخميس إن حركة الملاحة في قناة السويس "
    "عادت إلى طبيعتها بعد توقف قصير.\n"
    "وأضاف المسؤولون أن 42 سفينة عبرت القناة خلال اليوم."
)
MIXED_BODY = (
    "JERUSALEM, March 5 (AP) - Israeli Prime Minister Benjamin Netanyahu met Egyptian officials in Cairo "
    "(القاهرة) on Thursday, a statement in Hebrew (ירושלים) said.\n"
    "Indian Prime Minister Narendra Modi (नरेन्द्र मोदी) and Japan's officials in Tokyo (東京) welcomed "
    "the talks, while Russia's Vladimir Putin (Владимир Путин) made no comment.\n"
    "\u202eThis line starts with a right-to-left override\u202c and ends normally in Beijing."
)
CONTROL_BODY = (
    "NAIROBI, March 5 (Xinhua) -- Kenya's\u0000 parliament\u0007 passed\u001b the finance bill on "
    "Thursday\u200b after\ufeff a night\u000b session, the speaker said.\r\n"
    "Lawmakers voted 184 to 95 in Nairobi.\r\n"
)
NFD_BODY = (
    "ZU\u0308RICH, March 5 (dpa) - Swiss voters in Zu\u0308rich and Gene\u0300ve backed the pension "
    "reform on Sunday, official results showed.\n"
    "Turnout was 51 percent, the federal chancellery said."
)
SURROGATE_PAIR_JSON = (
    b'{"id":"bad-escaped_surrogate_pair","source":"Corpus Wire","headline":"Stadium reopens \\ud83c\\udfdf",'
    b'"body":"MADRID, March 5 (EFE) - The Bernabeu stadium reopened on Thursday \\ud83d\\ude00 after a '
    b'renovation, Real Madrid said.\\nFans queued for hours outside the ground."}'
)


CASES: tuple[Case, ...] = (
    # --- framing and encoding -------------------------------------------------------------------
    Case("empty_value", "zero-byte message value", _raw(b""), "empty"),
    Case("tombstone", "Kafka tombstone (null value); parse sees b''", lambda: None, "empty"),
    Case("whitespace_only", "spaces and newlines only", _raw(b"  \n\t \r\n"), "empty"),
    Case("nul_bytes_only", "a run of NUL bytes", _raw(b"\x00" * 64), "invalid_json"),
    Case(
        "invalid_utf8_latin1",
        "Latin-1 byte inside a JSON string",
        _raw(b'{"id":"a","body":"caf\xe9"}'),
        "invalid_utf8",
    ),
    Case(
        "invalid_utf8_overlong",
        "overlong UTF-8 encoding of '/'",
        _raw(b'{"id":"a","body":"\xc0\xaf"}'),
        "invalid_utf8",
    ),
    Case(
        "utf8_encoded_surrogate",
        "CESU-style surrogate bytes ED A0 80",
        _raw(b'{"id":"a","body":"x\xed\xa0\x80y"}'),
        "invalid_utf8",
    ),
    Case("utf16_with_bom", "the whole message in UTF-16 with its BOM", _utf16, "invalid_utf8"),
    Case(
        "utf8_bom",
        "UTF-8 BOM before the JSON: stripped",
        lambda: b"\xef\xbb\xbf" + _j("utf8_bom")(),
        "enriched",
        None,
    ),
    # --- JSON syntax ----------------------------------------------------------------------------
    Case(
        "truncated_json",
        "message cut off mid-string",
        lambda: orjson.dumps(_item("truncated_json"))[:120],
        "invalid_json",
    ),
    Case(
        "trailing_garbage",
        "a valid object followed by more bytes",
        lambda: _j("trailing_garbage")() + b" }x",
        "invalid_json",
    ),
    Case("two_objects", "two JSON objects in one message", lambda: _j("two_objects")() * 2, "invalid_json"),
    Case(
        "single_quotes",
        "Python repr instead of JSON",
        lambda: repr(_item("single_quotes")).encode(),
        "invalid_json",
    ),
    Case(
        "trailing_comma",
        "trailing comma in the object",
        lambda: _j("trailing_comma")()[:-1] + b",}",
        "invalid_json",
    ),
    Case(
        "nan_literal", "NaN is not JSON", lambda: _j("nan_literal")()[:-1] + b',"score":NaN}', "invalid_json"
    ),
    Case(
        "number_overflow",
        "1e400 overflows a double",
        lambda: _j("number_overflow")()[:-1] + b',"n":1e400}',
        "invalid_json",
    ),
    Case(
        "raw_nul_in_string",
        "an unescaped NUL byte inside a string",
        _raw(b'{"id":"a","body":"before\x00after"}'),
        "invalid_json",
    ),
    Case(
        "unpaired_surrogate_escaped",
        "\\ud800 with no low surrogate (cannot become UTF-8)",
        _raw(b'{"id":"a","body":"lonely \\ud800 surrogate"}'),
        "invalid_json",
    ),
    Case("deeply_nested_json", "100,000 nested arrays", _deep_json, "invalid_json"),
    Case(
        "deep_json_inside_item",
        "a valid item with a 2,000-deep extra field",
        _deep_inside_item,
        "invalid_json",
    ),
    Case(
        "top_level_array",
        "a JSON array of items",
        lambda: orjson.dumps([_item("top_level_array")]),
        "not_an_object",
    ),
    Case("top_level_string", "a JSON string", _raw(b'"just a headline"'), "not_an_object"),
    Case("top_level_null", "JSON null", _raw(b"null"), "not_an_object"),
    # --- keys and types -------------------------------------------------------------------------
    Case("duplicate_key", "the id key twice with different values", _duplicate_key, "duplicate_key"),
    Case(
        "duplicate_key_escaped",
        "the id key twice, once spelled \\u0069d",
        _duplicate_key_escaped,
        "duplicate_key",
    ),
    Case(
        "nested_duplicate_key",
        "a duplicate key inside an unused nested object: last wins",
        _nested_duplicate_key,
        "enriched",
        None,
    ),
    Case("missing_id", "no id and no uri", _without("missing_id", "id"), "missing_id"),
    Case("empty_id", "id is an empty string", _j("x", id=""), "missing_id"),
    Case("id_wrong_type", "id is a list", _j("x", id=["a", "b"]), "wrong_type"),
    Case("id_bool", "id is true", _j("x", id=True), "wrong_type"),
    Case("id_control_chars", "id holds a newline and a NUL", _j("x", id="bad\n\u0000id"), "bad_value"),
    Case("id_too_long", "a 600-character id", _j("x", id="i" * 600), "bad_value"),
    Case("int_id", "integer id (accepted, becomes a string)", _j("int_id", id=4242), "enriched", None),
    Case("body_wrong_type", "body is a number", _j("x", body=12345), "wrong_type"),
    Case("headline_object", "headline is an object", _j("x", headline={"text": "Quake"}), "wrong_type"),
    Case(
        "ninjs2_bodies_not_list",
        "ninjs 2 bodies is a string",
        _raw(b'{"uri":"urn:x:1","bodies":"text","headlines":[]}'),
        "wrong_type",
    ),
    Case(
        "missing_body",
        "a usable item without body or body_html",
        _without("missing_body", "body"),
        "missing_body",
    ),
    Case(
        "huge_integer_version",
        "version 10**30",
        lambda: _j("x")()[:-1] + b',"version":' + b"1" + b"0" * 30 + b"}",
        "bad_value",
    ),
    Case("negative_version", "version -1", _j("x", version=-1), "bad_value"),
    Case("huge_integer_timestamp", "published 10**18 seconds", _j("x", published=10**18), "bad_timestamp"),
    Case("bad_timestamp", "published is prose", _j("x", published="yesterday around noon"), "bad_timestamp"),
    Case("bad_pubstatus", "pubstatus not in the closed set", _j("x", pubstatus="embargoed-ish"), "bad_value"),
    Case(
        "string_version",
        "version '3' as a string (accepted)",
        _j("string_version", version="3"),
        "enriched",
        None,
    ),
    Case(
        "unknown_fields",
        "extra fields of every type are ignored",
        _j("unknown_fields", extra={"a": [1, 2.5, None, True]}, tags=["x"], n=10**15),
        "enriched",
        None,
    ),
    Case("kill_without_body", "a kill notice with no body (pubstatus canceled)", _kill, "enriched", None),
    # --- text content ---------------------------------------------------------------------------
    Case(
        "emoji",
        "emoji, flags and ZWJ sequences in the story",
        _j("emoji", body=EMOJI_BODY),
        "enriched",
        None,
        contains=("Rachel Reeves", "\U0001f4c8"),
    ),
    Case(
        "rtl_arabic",
        "a story entirely in Arabic",
        _j("rtl_arabic", language="ar", body=RTL_BODY),
        "enriched",
        None,
        contains=("قناة السويس",),
    ),
    Case(
        "mixed_scripts",
        "Latin, Arabic, Hebrew, Devanagari, CJK, Cyrillic and a bidi override",
        _j("mixed_scripts", body=MIXED_BODY),
        "enriched",
        None,
        contains=("नरेन्द्र मोदी", "東京"),
    ),
    Case(
        "control_characters",
        "NUL (escaped), BEL, ESC, VT, ZWSP, BOM and CRLF inside the text",
        _j("control_characters", body=CONTROL_BODY),
        "enriched",
        None,
        contains=("Kenya's parliament passed the finance bill",),
    ),
    Case(
        "nfd_combining",
        "decomposed accents (NFD) become NFC",
        _j("nfd_combining", body=NFD_BODY),
        "enriched",
        None,
        contains=("Z\u00fcrich", "Gen\u00e8ve"),
    ),
    Case(
        "escaped_surrogate_pair",
        "a properly paired \\ud83d\\ude00 escape",
        _raw(SURROGATE_PAIR_JSON),
        "enriched",
        None,
        contains=("\U0001f600",),
    ),
    Case(
        "ascii_escaped_unicode",
        "every non-ASCII character \\u-escaped",
        _python_escaped,
        "enriched",
        None,
        contains=("S\u00e3o Paulo",),
    ),
    Case(
        "regex_backtracking_bait",
        "long near-matches for dateline, sentence and furniture patterns",
        _backtrack,
        "enriched",
        None,
        contains=("Officials in Geneva said talks would resume on Monday.",),
    ),
    Case(
        "dateline_not_in_text",
        "a dateline field naming a place the story never mentions",
        _j(
            "dateline_not_in_text",
            dateline="Kerry",
            body="Harbour officials said the berth had reopened after a two-day safety inspection.",
        ),
        "enriched",
        None,
    ),
    Case("no_key", "a good item sent without a Kafka key", _j("no_key"), "enriched", None, key=None),
    # --- size and HTML --------------------------------------------------------------------------
    Case(
        "html_attribute_bomb",
        "one tag with 20,000 attributes (quadratic in lxml)",
        _html_attrs,
        "html_too_complex",
    ),
    Case("html_element_bomb", "100,000 unclosed <p> tags", _html_elements, "html_too_complex"),
    Case(
        "html_deep_within_limits",
        "200 nested <div>s around a real story",
        _html_deep("html_deep_within_limits", 200),
        "enriched",
        None,
        contains=("Ferry services across the Bosphorus resumed",),
    ),
    Case(
        "html_too_deep",
        "5,000 nested <div>s: lxml stops at depth 256 and the story is lost",
        _html_deep("html_too_deep", 5_000),
        "missing_body",
        "strip",
    ),
    Case(
        "html_without_text",
        "body_html holding only a script and an empty div",
        _j("html_without_text", body="", body_html="<script>var story = 1;</script><div></div>"),
        "missing_body",
        "strip",
    ),
    Case("body_10mb", "a 10 MB body (over max_body_chars)", _ten_mb, "body_too_large", "strip", big=True),
    Case(
        "message_over_limit", "a 12.1 MB message (over max_message_bytes)", _over_limit, "too_large", big=True
    ),
)


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


# Good items sent around the bad ones: distinct stories (no two are copies, so dedup keeps all unique).
GOOD_STORIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Reuters",
        "Oil steadies as OPEC+ weighs output plan",
        "LONDON, March 5 (Reuters) - Oil prices steadied on Thursday as traders waited for OPEC+ to decide "
        "whether to raise output from April, with Brent crude trading near $71 a barrel.",
        "Analysts at two banks said a delay to the planned increase was more likely than not.",
    ),
    (
        "AP",
        "Storm knocks out power to thousands in Texas",
        "HOUSTON (AP) - A line of severe thunderstorms swept across southeast Texas overnight, knocking out "
        "power to more than 200,000 homes and businesses, utility officials said Thursday.",
        "Crews expected to restore most service by the weekend, CenterPoint Energy said.",
    ),
    (
        "Kyodo",
        "Japan's cabinet approves extra budget for quake recovery",
        "TOKYO, March 5 Kyodo - Japan's cabinet on Thursday approved a supplementary budget to fund "
        "reconstruction on the Noto Peninsula, where roads and water lines remain damaged.",
        "The package still needs approval from the Diet, government officials said.",
    ),
    (
        "PTI",
        "Monsoon forecast raises hopes for Indian farm output",
        "NEW DELHI, March 5 (PTI) - India's weather office said on Thursday it expects an above-normal "
        "monsoon this year, lifting hopes for rice and pulses output across the northern plains.",
        "Farm groups in Punjab welcomed the forecast but warned about delayed sowing credit.",
    ),
    (
        "dpa",
        "German train drivers announce new strike",
        "BERLIN, March 5 (dpa) - Germany's train drivers' union called a 24-hour strike from Monday, "
        "the latest escalation in a long dispute with Deutsche Bahn over working hours.",
        "Regional and long-distance services will be heavily disrupted, the railway operator warned.",
    ),
    (
        "Xinhua",
        "China launches new weather satellite",
        "JIUQUAN, March 5 (Xinhua) -- China successfully launched a new meteorological satellite from the "
        "Jiuquan Satellite Launch Center on Thursday, according to the China National Space Administration.",
        "The satellite will improve forecasts of typhoons and heavy rain, officials said.",
    ),
    (
        "Anadolu",
        "Turkish central bank holds rates steady",
        "ANKARA (AA) - Turkey's central bank kept its policy rate unchanged on Thursday, citing a slower "
        "decline in services inflation than it had projected in January.",
        "Economists surveyed before the decision had been split between a hold and a small cut.",
    ),
    (
        "EFE",
        "Spain's parliament approves housing law",
        "MADRID, March 5 (EFE) - Spain's lower house approved a housing law on Thursday that caps rent "
        "increases in high-demand areas and expands public rental stock over ten years.",
        "The bill now goes to the Senate, where the opposition holds a majority.",
    ),
)


def good_items() -> list[dict[str, object]]:
    return [
        {
            "id": f"good-{i}",
            "version": 1,
            "source": agency,
            "language": "en",
            "published": f"2026-03-05T{8 + i:02d}:00:00Z",
            "headline": headline,
            "body": f"{lead}\n{second}",
        }
        for i, (agency, headline, lead, second) in enumerate(GOOD_STORIES)
    ]
