"""The compiled tagger (native/, module wirefeed_native) gives exactly the Python tagger's output.

Compared field by field (entities, order, mentions, countries) and on the ``discovered`` table: same
records, and the same sequence of get/set calls on a logging MutableMapping. Without the extension
the module is skipped, unless WIREFEED_REQUIRE_NATIVE=1 (set by ``make test``), which makes it fail.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_tag_fast_paths import corpus
from test_tag_labelled_set import load_items

from streams.pipeline import tag_native
from streams.pipeline.kb import KnowledgeBase, load_kb
from streams.pipeline.tag import tag, tag_python
from streams.pipeline.tag_rules import NAME_PARTICLES, ROLE_WORDS, TITLE_WORDS
from streams.pipeline.tag_text import _WIDE_PUNCT

if not tag_native.available():
    if os.environ.get("WIREFEED_REQUIRE_NATIVE") == "1":
        pytest.fail("wirefeed_native is not built (pip install ./native) and WIREFEED_REQUIRE_NATIVE=1")
    pytest.skip("wirefeed_native is not built: pip install ./native", allow_module_level=True)

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture(scope="module")
def nt(kb: KnowledgeBase) -> Any:
    return tag_native.build(kb)


class LogMap(MutableMapping[str, Any]):
    """A discovered table that records every access, like the worker's table wrapper would see them."""

    def __init__(self, init: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = dict(init or {})
        self.log: list[tuple[Any, ...]] = []

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.log.append(("get", key))
        return self.data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.log.append(("getitem", key))
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append(("set", key, dict(value)))
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def _same(
    nt: Any,
    kb: KnowledgeBase,
    items: list[tuple[str, str, str | None]],
    init: dict[str, Any] | None = None,
) -> int:
    """Tag every item with both implementations (one discovered table each, carried across items);
    assert equal results and table traffic. Returns how many items the native path covered."""
    d_py, d_nat = LogMap(init), LogMap(init)
    covered = 0
    for i, (h, b, dl) in enumerate(items):
        ref = tag_python(h, b, kb, dateline=dl, discovered=d_py)
        got = nt.tag(h, b, dl, d_nat)
        assert (got is not None) == _covered_text(h, b, dl), (i, h)  # the documented scope
        if got is None:  # not covered: the caller runs Python, with the native side's table
            got = tag_python(h, b, kb, dateline=dl, discovered=d_nat)
        else:
            covered += 1
        assert got == ref, (i, h, dl)
        assert d_nat.log == d_py.log, (i, h)
        assert d_nat.data == d_py.data
    return covered


_TABLE = {chr(c) for c in range(256)} | set(_WIDE_PUNCT)


def _covered_text(*texts: str | None) -> bool:
    return all(set(t) <= _TABLE for t in texts if t is not None)


def test_labelled_set(nt: Any, kb: KnowledgeBase) -> None:
    items = [(it.headline, it.body, None) for it in load_items(kb)]
    covered = _same(nt, kb, items)
    assert covered >= 0.9 * len(items)


def test_fast_paths_corpus(nt: Any, kb: KnowledgeBase) -> None:
    items = corpus(kb)
    covered = _same(nt, kb, items)
    assert covered >= 0.9 * len(items)


def test_fast_paths_corpus_with_prefilled_table(nt: Any, kb: KnowledgeBase) -> None:
    """Names already in the table are found without a role, and carry the stored record."""
    init: dict[str, Any] = {}
    tag_python("", "\n".join(h + ". " + b for h, b, _ in corpus(kb, n_gen=0)), kb, discovered=init)
    assert init
    init["maria lopez"] = {"id": "wf:person/maria-lopez", "name": "Maria Lopez", "country": "MX"}
    init["anna nowak"] = {"id": "Q30", "name": "Anna Nowak", "country": None}  # a KB entity's id
    items = corpus(kb, n_gen=150, seed=11)
    items += [
        ("Maria Lopez wins", "Maria Lopez said on Monday that Lopez would stay. Anna Nowak agreed.", None)
    ]
    _same(nt, kb, items, init)


def test_seed_story(nt: Any, kb: KnowledgeBase) -> None:
    if not SEED.exists():
        pytest.skip("shared seed not present")
    body = SEED.read_text(encoding="utf-8").split("\n--IANS/EFE")[0]
    headline = "Russia proposes military talks with US on Syria: Kerry"
    items = [
        (headline, body, "Washington, Sep 17 (IANS/EFE)"),
        (headline, body, None),
        (headline.upper(), body, "MOSCOW (Reuters) -"),
    ]
    assert _same(nt, kb, items) == 3


def test_fallback_outside_latin1(nt: Any, kb: KnowledgeBase) -> None:
    body = "Recep Tayyip Erdoğan met Vladimir Putin in Москва on Monday, the Kremlin said."
    assert nt.tag("Talks", body, None, None) is None
    assert nt.tag("Talks", "Putin spoke.", "İstanbul (Reuters)", None) is None
    assert tag("Talks", body, kb) == tag_python("Talks", body, kb)
    # wide punctuation is covered
    assert nt.tag("“Putin” — talks", "Putin’s aide said… «no»", None, None) is not None


def test_dispatch_and_switch(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [
        {"id": "Q1", "name": "Ruritania", "type": "place", "kind": "country", "country": "RU"},
        {"id": "Q2", "name": "Anna Example", "type": "person", "kind": "person", "country": "RU"},
    ]
    body = "Ruritania's president Anna Example said Example would visit Ruritania, aide Jan Kowal said."
    small = KnowledgeBase(records, "t")
    assert tag_native.tagger_for(small) is not None
    assert tag("Ruritania", body, small) == tag_python("Ruritania", body, small)
    monkeypatch.setenv("WIREFEED_NATIVE", "0")
    off = KnowledgeBase(records, "t")
    assert tag_native.tagger_for(off) is None  # read once, when the KB's tagger is first asked for
    assert tag("Ruritania", body, off) == tag_python("Ruritania", body, off)
    monkeypatch.delenv("WIREFEED_NATIVE")
    assert tag_native.tagger_for(off) is None  # not re-read per story
    assert tag_native.tagger_for(small) is not None


def test_build_is_fast(kb: KnowledgeBase) -> None:
    """Build cost is measured by bench/bench_tag.py; here only that it builds from the default KB."""
    built = tag_native.build(kb)
    assert built.n_patterns > 0.9 * len(kb.match_info)


# ---------------------------------------------------------------- generated texts


def _parts(kb: KnowledgeBase) -> list[str]:
    rnd = random.Random(3)
    aliases = sorted({c.alias for mi in kb.match_info for c in mi.cands})
    picks = rnd.sample(aliases, 400)
    out = picks + [a.upper() for a in picks[:40]] + [a.lower() for a in picks[40:80]]
    roles = sorted(ROLE_WORDS | TITLE_WORDS)
    out += roles + [r.capitalize() for r in roles] + sorted(NAME_PARTICLES)
    out += ["Maria", "Lopez", "José", "Müller", "O'Neill", "Jean-Luc", "Ana", "Smith", "Xu", "Zoë"]
    out += ["said", "the", "a", "of", "on", "in", "and", "his", "her", "their", "Monday", "May", "March"]
    out += [".", ",", ";", ":", "-", "—", "’s", "'s", "(", ")", "\n", '"', "“", "”", "…", "+", "2024", "17"]
    return out


_SEPS = [" ", " ", " ", ", ", ". ", "\n", "-", "", "  ", " (", ") ", "’s ", "'s ", "\u00a0", ", and ", " — "]


def _text(parts: list[str]) -> st.SearchStrategy[str]:
    word = st.sampled_from(parts)
    sep = st.sampled_from(_SEPS)
    return st.lists(st.tuples(word, sep), max_size=40).map(lambda xs: "".join(w + s for w, s in xs))


_DATELINES = [None, "", "WASHINGTON, Sept 17 (Reuters) -", "Moscow/Kyiv (AP) —", "Paris (AFP)", "Georgia (X)"]


@pytest.fixture(scope="module")
def parts(kb: KnowledgeBase) -> list[str]:
    return _parts(kb)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_texts(nt: Any, kb: KnowledgeBase, parts: list[str], data: st.DataObject) -> None:
    head = data.draw(_text(parts[:200] + parts[-40:]))
    body = data.draw(_text(parts))
    dl = data.draw(st.sampled_from(_DATELINES))
    names = data.draw(st.lists(st.sampled_from(["Maria Lopez", "Ana Smith", "José Müller", "Jean-Luc Xu"])))
    init = {
        n.lower().replace("é", "e").replace("ü", "u"): {"id": f"wf:person/{i}", "name": n, "country": "ES"}
        for i, n in enumerate(names)
    }
    _same(nt, kb, [(head, body, dl), (body[:60], head + " " + body, None)], init)


def test_random_stories_with_roles(nt: Any, kb: KnowledgeBase, parts: list[str]) -> None:
    """Seeded random stories built around role phrases, so discovery, surnames and appositions run."""
    rnd = random.Random(5)
    first = ["Maria", "Ana", "José", "Jean-Luc", "Omar", "Li", "Kwame", "Zoë", "Sean", "Ida"]
    last = ["Lopez", "Müller", "O'Neill", "al-Rashid", "bin Salman", "Xu", "Mensah", "de la Cruz", "Smith"]
    roles = sorted(ROLE_WORDS)
    templates = [
        "{Role} {F} {L} said on Monday that {L} would visit {A}.",
        "{A}'s {role} {F} {L} met {F2} {L2}, the {role2} of {A2}, in {A3}.",
        "{F} {L}, {A}'s {role}, told reporters. {L} declined to comment.",
        "{F} {L}, a {role}, and {F2} {L2} spoke. {A} and {A2} agreed",
        "{F} {L} arrived in {A}; {F2} {L2}, his {role}, did not.",
    ]
    aliases = [p for p in parts if p[:1].isupper()]
    items = []
    for _ in range(300):
        story = " ".join(
            rnd.choice(templates).format(
                Role=rnd.choice(roles).capitalize(),
                role=rnd.choice(roles),
                role2=rnd.choice(roles),
                F=rnd.choice(first),
                L=rnd.choice(last),
                F2=rnd.choice(first),
                L2=rnd.choice(last),
                A=rnd.choice(aliases),
                A2=rnd.choice(aliases),
                A3=rnd.choice(aliases),
            )
            for _ in range(rnd.randint(1, 6))
        )
        head = story[: rnd.randint(20, 80)]
        items.append((head, story, rnd.choice(_DATELINES)))
    d = LogMap()
    for h, b, dl in items[:50]:
        tag_python(h, b, kb, dateline=dl, discovered=d)
    assert sum(1 for e in d.log if e[0] == "set") >= 10  # the stories do exercise discovery
    _same(nt, kb, items)
