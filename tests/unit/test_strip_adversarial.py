"""Inputs built to make regexes backtrack: assert on behaviour; timeouts are only a guard."""

from __future__ import annotations

import pytest

from streams.pipeline.rules import load_rules
from streams.pipeline.strip import strip
from streams.pipeline.types import Rejected

RULES = load_rules()
STORY = "PARIS (AFP) - A story line that must survive, ending with a full stop."


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "evil",
    ["a" * 100_000, "(" * 50_000, "-- " * 50_000, "[" * 30_000 + "]", "{{" * 40_000, "₹1," * 30_000,
     "a/" * 40_000, "Also read: " * 10_000, " " * 100_000 + "x", "\u00a0" * 50_000],
)
def test_pathological_lines_finish_and_are_kept(evil: str) -> None:
    res = strip("h", f"{STORY}\n{evil}\n-- AFP", RULES)
    assert res.body.split("\n")[0] == STORY
    assert res.credit == ["AFP"]


@pytest.mark.timeout(20)
def test_every_rule_survives_near_max_length_repetitions() -> None:
    pieces = ["a", " ", "a ", "-", "/", "a/", "(", "1", "1,", ": ", "₹", "@", "—", "{{a}}", "x.", "AP ", "m/"]
    for rule in RULES.rules:
        for piece in pieces:
            line = (piece * (rule.max_len // len(piece) + 1))[: rule.max_len] + "!"
            RULES.match(line[: rule.max_len])  # must simply return
    assert True


@pytest.mark.timeout(20)
def test_ten_megabyte_body_is_rejected_by_default() -> None:
    body = ("x" * 99 + "\n") * 100_000
    with pytest.raises(Rejected) as exc:
        strip("h", body, RULES)
    assert exc.value.reason == "body_too_large"


@pytest.mark.timeout(20)
def test_ten_megabyte_body_is_processed_when_allowed() -> None:
    para = "The ministry said the talks would continue next week, and officials expect a deal by Friday.\n"
    filler = "Advertisement\n"
    body = (para + filler) * (10_000_000 // (len(para) + len(filler)))
    res = strip("h", body, RULES, max_chars=20_000_000)
    assert res.body.count("\n") + 1 == body.count(para)
    assert all(r.rule == "promo.advertisement" for r in res.stripped)
