"""The tagger's speed-ups change nothing: fast helpers agree with plain versions, and the tagger's
output on the labelled set and on generated variants of it is the one recorded before the speed work.

If you change the rules or the KB on purpose, the recorded digest changes too: check the quality
numbers (tests/unit/test_tag_quality.py), then re-record with
``.venv/bin/python tests/unit/test_tag_fast_paths.py`` and paste the printed digest below.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_tag_labelled_set import load_items

from streams.pipeline.kb import CAP, CASE_CAP, CASE_EXACT, COMMON, EXACT, load_kb, normalise
from streams.pipeline.tag import _LIST_GLUE, _NAME_RUN, tag
from streams.pipeline.tag_rules import NAME_PARTICLES
from streams.pipeline.tag_text import fast_normalise, next_word, prev_word

# sha256 of the tagger's output on corpus() with tag(), recorded from the implementation before the
# speed work (the one measured at ~900 items/s), so the fast one is checked against it.
RECORDED_DIGEST = "8887106ee666f4ebb491e8e2e023daf63b8901e2171ab3354c4edc81bb4af784"

_TEXTY = st.text(alphabet=st.sampled_from(list("aAzZ .,-'’\n\t\u00a0éÉßİı—“”0_ÿµ")), max_size=40)


@given(_TEXTY)
@settings(max_examples=400, deadline=None)
def test_fast_normalise_is_normalise(text: str) -> None:
    assert fast_normalise(text) == normalise(text)


def test_fast_normalise_every_bmp_prefix_char() -> None:
    for c in range(0x3000):
        s = f"Ab{chr(c)}Cd"
        assert fast_normalise(s) == normalise(s), hex(c)


def _plain_prev(text: str, start: int) -> str:
    i = start - 1
    if i < 0 or text[i] != " ":
        return ""
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def _plain_next(text: str, end: int) -> str:
    if end >= len(text) or text[end] != " ":
        return ""
    k = end + 1
    while k < len(text) and not text[k].isspace():
        k += 1
    return text[end + 1 : k]


@given(_TEXTY)
@settings(max_examples=300, deadline=None)
def test_word_lookaround_matches_plain_loops(text: str) -> None:
    for pos in range(len(text) + 1):
        assert prev_word(text, pos) == _plain_prev(text, pos)
        assert next_word(text, pos) == _plain_next(text, pos)


_OLD_PARTICLES = "|".join(sorted(NAME_PARTICLES, key=len, reverse=True))
_OLD_NAME_RUN = re.compile(rf"[A-Z][\w'’.-]*(?: (?:(?:{_OLD_PARTICLES})[ -])?[A-Z][\w'’-]*){{0,6}}")


_RUN_PARTS = [
    "Al",
    "al",
    "al-",
    "de",
    "Da",
    "Bint",
    "bint",
    "x",
    "Xy",
    "’s",
    "'s",
    ".",
    "-",
    " ",
    "  ",
    "Q",
    "ter",
    "della",
    "van",
    "\n",
    "A B",
    "Mc",
    "O'",
]


@given(st.lists(st.sampled_from(_RUN_PARTS), max_size=30))
@settings(max_examples=500, deadline=None)
def test_name_run_regex_finds_the_same_multi_token_runs(parts: list[str]) -> None:
    """The new pattern reports exactly the runs of two or more tokens of the original one."""
    text = "".join(parts)
    old = [(m.start(), m.group()) for m in _OLD_NAME_RUN.finditer(text) if " " in m.group()]
    new = [(m.start(1), m.group(1)) for m in _NAME_RUN.finditer(text) if m.group(1)]
    assert new == old


@pytest.mark.parametrize(
    "evil",
    [
        "A" * 50_000,
        "Aa" * 25_000,
        ("A" + "a" * 9) * 5_000,
        "Aa " * 20_000,
        "Aa al-" * 10_000,
        ("X" + "'" * 30 + " ") * 3_000,
        "A de " * 10_000,
        "a" * 100_000,
        "A B " * 20_000,
    ],
)
def test_name_run_regex_is_linear(evil: str) -> None:
    t = time.perf_counter()
    list(_NAME_RUN.finditer(evil))
    assert time.perf_counter() - t < 0.5


_GLUE_PARTS = [" ", ",", "and", "or", "x", "\n", "\t", ", and", "an", "\u00a0", " ,"]


@given(st.lists(st.sampled_from(_GLUE_PARTS), max_size=6))
@settings(max_examples=400, deadline=None)
def test_list_glue_regex_is_the_stripped_set(parts: list[str]) -> None:
    gap = "".join(parts)
    assert bool(_LIST_GLUE.fullmatch(gap)) == (gap.strip() in {",", "and", ", and", "or", ", or"})


def test_match_info_case_rules_agree_with_flags() -> None:
    kb = load_kb()
    assert len(kb.match_info) == len(kb._keys)
    for mi, (length, cands) in zip(kb.match_info, kb._keys, strict=True):
        assert mi.length == length and mi.cands is cands
        if mi.case == CASE_CAP:
            assert all(c.flags & CAP and not c.flags & EXACT for c in cands)
        if mi.case == CASE_EXACT:
            assert all(c.flags & EXACT and not c.flags & COMMON and c.head == mi.head for c in cands)


# ---------------------------------------------------------------- recorded output


def corpus(kb: Any, n_gen: int = 400, seed: int = 7) -> list[tuple[str, str, str | None]]:
    """Labelled items, 2 KB concatenations (as in the benchmark), and generated variants: shuffled
    sentences, case changes, word swaps, odd spacing and stray Unicode."""
    items = load_items(kb)
    out: list[tuple[str, str, str | None]] = [(it.headline, it.body, None) for it in items]
    buf: list[str] = []
    for it in items * 2:
        buf.append(it.body)
        text = "\n".join(buf)
        if len(text) >= 2048:
            out.append((it.headline, text[:2048], None))
            buf = []
    rnd = random.Random(seed)
    sents = [s for it in items for s in it.body.replace("\n", " ").split(". ") if s]
    heads = [it.headline for it in items]
    words = " ".join(sents).split()
    datelines = [
        "WASHINGTON, Sept 17 (Reuters) -",
        "Moscow/Kyiv (AP) —",
        "NEW DELHI, March 3 (IANS)",
        "Paris (AFP)",
        "Atlanta, Ga. (AP) -",
        None,
        None,
        "Georgia (Reuters)",
        "Nowhere, (X)",
    ]
    for _ in range(n_gen):
        body = ". ".join(rnd.choice(sents) for _ in range(rnd.randint(1, 14))) + "."
        head = rnd.choice(heads)
        mode = rnd.random()
        if mode < 0.1:
            head = head.upper()
        elif mode < 0.15:
            body = body.upper()
        elif mode < 0.2:
            body = body.lower()
        elif mode < 0.35:
            ws = body.split(" ")
            for _ in range(rnd.randint(1, 8)):
                ws[rnd.randrange(len(ws))] = rnd.choice(words)
            body = " ".join(ws)
        elif mode < 0.4:
            body = body.replace(" ", "\n", rnd.randint(1, 5)).replace(",", " ,")
        elif mode < 0.45:
            odd = "İıßﬁ’'\"-—.:;()é\u0301\t "
            body = "".join(c if rnd.random() > 0.02 else rnd.choice(odd) for c in body)
        elif mode < 0.5:
            body = body.replace("Minister", "minister").replace("the ", "The ")
        out.append((head, body, rnd.choice(datelines)))
    return out


def output_digest(tag_fn: Callable[..., Any], kb: Any) -> str:
    h = hashlib.sha256()
    docs = corpus(kb)
    for shared in (True, False):
        table: dict[str, Any] | None = {} if shared else None
        for head, body, dl in docs:
            r = tag_fn(head, body, kb, dateline=dl, discovered=table)
            ents = [
                [e.id, e.name, e.type, e.country, e.count, [[m.field, m.start, m.end] for m in e.mentions]]
                for e in r.entities
            ]
            h.update(json.dumps([ents, r.countries], ensure_ascii=False).encode())
        if table is not None:
            h.update(json.dumps(sorted(table.items()), ensure_ascii=False).encode())
    return h.hexdigest()


def test_output_is_the_recorded_one() -> None:
    got = output_digest(tag, load_kb())
    assert got == RECORDED_DIGEST, f"tagger output changed (digest {got}); see the module docstring"


if __name__ == "__main__":
    print(output_digest(tag, load_kb()))
