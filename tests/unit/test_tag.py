"""Behaviour of the tagging stage: seed story, traps, discovery, countries, regex safety."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from streams.pipeline.kb import load_kb
from streams.pipeline.tag import _NAME_RUN, dateline_place, tag
from streams.pipeline.types import TagResult

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _by_id(r: TagResult) -> dict[str, object]:
    return {e.id: e for e in r.entities}


def _surfaces(r: TagResult, headline: str, body: str, ent_id: str) -> list[str]:
    text = {"headline": headline, "body": body}
    e = _by_id(r)[ent_id]
    return [text[m.field][m.start : m.end] for m in e.mentions]


def test_seed_story(kb) -> None:
    if not SEED.exists():
        pytest.skip("shared seed not present")
    body = SEED.read_text(encoding="utf-8").split("\n--IANS/EFE")[0]
    headline = "Russia proposes military talks with US on Syria: Kerry"
    discovered: dict[str, object] = {}
    r = tag(headline, body, kb, dateline="Washington, Sep 17 (IANS/EFE)", discovered=discovered)
    ents = _by_id(r)
    expect = {
        "Q22316": ("person", "US"),  # John Kerry
        "Q7747": ("person", "RU"),  # Vladimir Putin
        "Q44329": ("person", "SY"),  # Bashar al-Assad
        "wf:person/sergei-lavrov": ("person", "RU"),
        "Q159": ("place", "RU"),
        "Q30": ("place", "US"),
        "Q858": ("place", "SY"),
        "Q258": ("place", "ZA"),
        "Q649": ("place", "RU"),  # Moscow
        "Q3766": ("place", "SY"),  # Damascus
        "Q61": ("place", "US"),  # Washington, D.C.
        "Q2429253": ("organization", None),  # Islamic State
        "Q1065": ("organization", None),  # UN
        "Q35525": ("organization", "US"),  # White House
        "wf:org/ians": ("organization", "IN"),
        "wf:org/efe": ("organization", "ES"),
    }
    for ent_id, (typ, country) in expect.items():
        assert ent_id in ents, ent_id
        assert (ents[ent_id].type, ents[ent_id].country) == (typ, country), ent_id
    nk = ents["wf:person/maite-nkoana-mashabane"]
    assert (nk.type, nk.country, nk.name) == ("person", "ZA", "Maite Nkoana-Mashabane")
    assert "maite nkoana-mashabane" in discovered
    json.dumps(discovered)  # must be JSON-serialisable for the Faust table
    assert {"US", "RU", "SY"} <= set(r.countries)
    assert r.countries[0] in {"US", "RU", "SY"}
    kerry = _surfaces(r, headline, body, "Q22316")
    assert "John Kerry" in kerry and kerry.count("Kerry") >= 4
    assert "IS" in _surfaces(r, headline, body, "Q2429253")
    for e in r.entities:  # offsets point at the cleaned text
        for m in e.mentions:
            assert (headline if m.field == "headline" else body)[m.start : m.end]
    counts = [e.count for e in r.entities]
    assert counts == sorted(counts, reverse=True)


def test_is_us_case_rules(kb) -> None:
    body = "The US said it is ready. Let us wait, said IS fighters in a video released by the US."
    r = tag("", body, kb)
    us = [body[m.start : m.end] for m in _by_id(r)["Q30"].mentions]
    assert us == ["US", "US"]
    assert [body[m.start : m.end] for m in _by_id(r)["Q2429253"].mentions] == ["IS"]
    r = tag("WHAT IS NEXT FOR US ECONOMY", "", kb)
    assert "Q2429253" not in _by_id(r)


def test_georgia_by_context(kb) -> None:
    state = tag(
        "Georgia governor signs bill",
        "ATLANTA (AP) - The Republican governor of Georgia signed the bill in Atlanta on Thursday.",
        kb,
    )
    assert "wf:place/georgia-us" in _by_id(state) and "Q230" not in _by_id(state)
    country = tag(
        "Georgia protests",
        "TBILISI (Reuters) - Thousands marched in Georgia's capital "
        "Tbilisi against a law modelled on Russia's.",
        kb,
    )
    assert "Q230" in _by_id(country) and "wf:place/georgia-us" not in _by_id(country)


def test_may_month_vs_person(kb) -> None:
    body = (
        "Prime Minister Theresa May said on Monday the vote would be held in May. "
        "May told lawmakers the deal was good, and a second vote may follow on May 20."
    )
    r = tag("", body, kb)
    got = [body[m.start : m.end] for m in _by_id(r)["Q264766"].mentions]
    assert got == ["Theresa May", "May"]


def test_jordan_and_chad_as_names(kb) -> None:
    body = "Basketball great Michael Jordan sold his stake. Jordan said he was proud. Chad Smith agreed."
    r = tag("", body, kb)
    assert "Q810" not in _by_id(r) and "Q657" not in _by_id(r)
    r = tag("", "Jordan closed its border with Syria, while Chad sent troops to Niger.", kb)
    assert {"Q810", "Q657"} <= set(_by_id(r))


def test_turkey_bird_vs_country(kb) -> None:
    r = tag("", "Turkey prices rose before Thanksgiving as farmers sold fewer turkeys to roast.", kb)
    assert "Q43" not in _by_id(r)
    r = tag("", "Turkey's parliament met in Ankara.", kb)
    assert "Q43" in _by_id(r)


def test_kerry_person_vs_county(kb) -> None:
    r = tag(
        "",
        "Flooding hit towns across Kerry and Cork, Irish officials said, closing roads near Killarney.",
        kb,
    )
    assert "wf:place/county-kerry" in _by_id(r) and "Q22316" not in _by_id(r)
    r = tag("", "Secretary of State John Kerry met officials. Kerry said talks went well.", kb)
    assert _by_id(r)["Q22316"].count == 2


def test_discovery_across_stories(kb) -> None:
    table: dict[str, object] = {}
    tag("", "Brazilian Foreign Minister Joana Vasconcelos-Prado met her counterparts.", kb, discovered=table)
    rec = table["joana vasconcelos-prado"]
    assert rec["country"] == "BR" and rec["id"] == "wf:person/joana-vasconcelos-prado"
    body = "Joana Vasconcelos-Prado arrived in Lisbon. Vasconcelos-Prado said she was hopeful."
    r = tag("", body, kb, discovered=table)
    ent = _by_id(r)["wf:person/joana-vasconcelos-prado"]
    assert [body[m.start : m.end] for m in ent.mentions] == ["Joana Vasconcelos-Prado", "Vasconcelos-Prado"]
    r = tag("", "Tomasz Wielgosz, the chief executive of Gazprom, said exports fell.", kb)
    assert _by_id(r)["wf:person/tomasz-wielgosz"].country == "RU"


def test_dateline_only_country(kb) -> None:
    assert dateline_place("WASHINGTON, Sept 17 (Reuters) -", kb).id == "Q61"
    assert dateline_place("NEW DELHI (PTI)", kb).country == "IN"
    r = tag(
        "Markets rally",
        "Stocks rose for a third day as investors bet on lower rates.",
        kb,
        dateline="MUMBAI, Oct 3 (Reuters) -",
    )
    assert r.countries == ["IN"]
    assert any(e.country == "IN" and e.count == 0 and not e.mentions for e in r.entities)


def test_long_country_list_is_not_salient(kb) -> None:
    names = (
        "Chile, Peru, Mexico, Canada, Japan, Vietnam, Malaysia, Singapore, Brunei, Australia, "
        "New Zealand, Thailand, Indonesia, Laos, Cambodia, Myanmar, the Philippines, China, "
        "South Korea and India"
    )
    r = tag(
        "Ministers sign trade pact",
        f"BRUSSELS (AFP) - Ministers signed the pact. Signatories are {names}.",
        kb,
    )
    assert r.countries == ["BE"]


def test_demonym_counts_for_country(kb) -> None:
    r = tag("", "Russian officials and Syrian troops met.", kb)
    assert {"Q159", "Q858"} <= set(_by_id(r))


def test_name_regex_is_linear() -> None:
    for evil in ("A" * 50_000, "Aa " * 20_000, "Aa al-" * 10_000, ("X" + "'" * 30 + " ") * 3000):
        t = time.perf_counter()
        list(_NAME_RUN.finditer(evil))
        assert time.perf_counter() - t < 1.0


def test_adversarial_input_is_fast(kb) -> None:
    body = ("US IS UN " * 3000) + ("Georgia " * 2000) + ("Minister Aaa Bbb, the chief of Ccc. " * 500)
    t = time.perf_counter()
    tag("H" * 5000, body, kb, discovered={})
    assert time.perf_counter() - t < 5.0


def test_empty_input(kb) -> None:
    r = tag("", "", kb)
    assert r.entities == [] and r.countries == []
