"""Behaviour of the strip stage on the seed story and on hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.pipeline.rules import load_rules
from streams.pipeline.strip import strip
from streams.pipeline.types import Rejected

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds" / "000_483bb8dd12a1da44.txt"
RULES = load_rules()


def test_seed_story_comes_out_clean() -> None:
    if not SEED.exists():
        pytest.skip("shared seed not available")
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    cut = lines.index("--IANS/EFE")
    story = [ln.rstrip() for ln in lines[:cut] if ln.strip()]
    res = strip("Kerry says Russia proposed military talks", text, RULES)
    assert res.body.split("\n") == story
    removed = [r.text for r in res.stripped]
    assert removed[:2] == ["--IANS/EFE", "ml/"]
    assert all(ln.strip() in removed for ln in lines[cut:] if ln.strip())
    assert res.credit == ["IANS", "EFE"]
    assert res.dateline == "Washington, Sep 17 (IANS/EFE)"
    assert {r.rule for r in res.stripped} <= set(RULES.names)


def test_story_lines_are_byte_identical_and_trailing_space_normalised() -> None:
    body = "  Indented first line of the story, with a leading space kept.   \n\nSecond paragraph.\t\n-- AFP"
    res = strip("h", body, RULES)
    assert res.body == "  Indented first line of the story, with a leading space kept.\nSecond paragraph."
    assert res.credit == ["AFP"]


@pytest.mark.parametrize(
    "trap",
    [
        "Subscribers to the service will be able to log in with their phone numbers from next month.",
        "Read more about the proposal on the ministry's website, the spokesperson told reporters.",
        "Monthly passes will cost $4.99 per month for students, the transit authority said.",
        "Copyright infringement claims against the firm were dismissed by the court in March.",
        "Users can download the app from Monday, the ministry said.",
        "Updated figures released on Monday showed the death toll had risen to 41.",
        "\"We will not back down,\" she said.",
        "Follow-up talks are planned for October.",
    ],
)
def test_story_sentences_that_look_like_furniture_stay(trap: str) -> None:
    body = f"LONDON (Reuters) - The talks ended without agreement on Tuesday.\n{trap}\n(Reuters)"
    res = strip("h", body, RULES)
    assert trap in res.body.split("\n")
    assert res.stripped and res.stripped[-1].text == "(Reuters)"


def test_paywall_block_only_when_nothing_story_like_follows() -> None:
    story_after = (
        "The government said the measure would take effect in January and apply to all importers, "
        "including small traders who had previously been exempt."
    )
    first = "First paragraph of the story, long enough to be prose for sure."
    body = f"{first}\nSubscribe to continue reading\n{story_after}"
    res = strip("h", body, RULES)
    assert story_after in res.body
    assert [r.text for r in res.stripped] == ["Subscribe to continue reading"]


def test_block_takes_unmatched_plan_lines_with_it() -> None:
    body = (
        "Story sentence one, which is long enough.\nThis article is for subscribers only\n"
        "Gold Circle\n₹499\nBest journalism"
    )
    res = strip("h", body, RULES)
    assert res.body == "Story sentence one, which is long enough."
    assert [r.rule for r in res.stripped][1] == "paywall.subscribers_only"


def test_tail_only_rules_do_not_touch_mid_story_lines() -> None:
    body = "Prices at a glance:\n₹900\nis what the ticket cost, organisers said on Friday.\nPTI"
    res = strip("h", body, RULES)
    assert "₹900" in res.body.split("\n")
    assert res.credit == ["PTI"]


def test_reuters_reporting_credit_is_removed_and_credited() -> None:
    body = "NEW DELHI (Reuters) - India's exports rose in August.\n(Reporting by A. Writer; Editing by B. Ed)"
    res = strip("h", body, RULES)
    assert res.body == "NEW DELHI (Reuters) - India's exports rose in August."
    assert res.credit == ["Reuters"]
    assert res.dateline == "NEW DELHI (Reuters)"


def test_learned_lines_are_removed_with_rule_learned() -> None:
    body = "Story line that is plainly prose, with a full stop.\nListen to the Daily Wire Hour every Friday"
    res = strip("h", body, RULES, learned=frozenset({"listen to the daily wire hour every friday"}))
    assert res.stripped[-1].rule == "learned"
    assert "Listen" not in res.body


def test_html_body_is_used_when_text_body_is_empty() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>T</h1>"
        "<p>BERLIN (dpa) - The first paragraph of the story is here and it is long enough to be kept.</p>"
        "<p>Also Read: Five things to know before the vote</p>"
        "<p>The second paragraph of the story follows, and it is also long enough to count.</p>"
        "</article><footer>© 2024 Example Media</footer></body></html>"
    )
    res = strip("T", "", RULES, body_html=page)
    assert res.body.split("\n") == [
        "BERLIN (dpa) - The first paragraph of the story is here and it is long enough to be kept.",
        "The second paragraph of the story follows, and it is also long enough to count.",
    ]
    assert res.credit == ["dpa"]


def test_too_large_is_rejected() -> None:
    with pytest.raises(Rejected) as exc:
        strip("h", "x" * 11, RULES, body_html="y" * 10, max_chars=20)
    assert exc.value.reason == "body_too_large" and exc.value.stage == "strip"


def test_no_furniture_story_is_unchanged() -> None:
    body = "TOKYO, Sept. 17 Kyodo - Japan's exports rose.\nImports fell.\n\"It is over,\" he added."
    res = strip("h", body, RULES)
    assert res.body == body and res.stripped == []
    assert res.credit == ["Kyodo"]


def _dateline_reference(first_line: str) -> tuple[str | None, list[str]]:
    """find_dateline without its cheap pre-checks: the three patterns tried in order."""
    from streams.pipeline import strip as s

    head = first_line[:160]
    for pattern in (s._DATELINE_AGENCY, s._DATELINE_BARE):
        m = pattern.match(head)
        if m:
            agencies = RULES.agencies_in(m.group("ag"))
            if agencies:
                return m.group("dl"), agencies
    m = s._DATELINE_CAPS.match(head)
    if m and sum(c.isupper() for c in m.group("dl")) >= 3:
        return m.group("dl").strip(), []
    return None, []


def test_dateline_pre_checks_never_change_the_answer() -> None:
    """The pre-checks (capital first, "(" by index 106, a dash by index 128) only skip hopeless lines."""
    import random

    from streams.pipeline.strip import find_dateline

    rng = random.Random(9)
    places = ["Washington", "NEW DELHI", "Sao Paulo, Brazil", "KYIV, Ukraine", "St. John's", "x", "A" * 40,
              "Port-au-Prince", "BEIJING, Sept. 17", "Madrid, Dec 8", "TOKYO, Sep. 26", "O'Hare [Chicago]"]
    agencies = ["(Reuters)", "(IANS/EFE)", "(AP)", "Kyodo", "(dpa)", "(AFP)", "(Xinhua)", "(Somebody)", ""]
    dashes = [" - ", " -- ", " — ", " – ", " ", ": ", ".- ", "-"]
    fill = ["", "word ", "Capital Letters ", ", more, ", "a-b ", "(aside) ", "x" * 30 + " "]
    checked = 0
    for _ in range(6000):
        head = rng.choice(places) + rng.choice(["", ", ", " "]) + rng.choice(fill) * rng.randint(0, 4)
        line = head + rng.choice(agencies) + rng.choice(dashes) + "The story goes on from here."
        if rng.random() < 0.3:  # move the "(" or the dash across the index limits
            cut = rng.choice([59, 60, 61, 105, 106, 107, 127, 128, 129])
            line = (line[:cut] + " " * cut)[:cut] + rng.choice(["(Reuters) - ", " - ", "(", "—"]) + line[cut:]
        if rng.random() < 0.2:
            line = line.lower() if rng.random() < 0.5 else line.upper()
        assert find_dateline(line, RULES) == _dateline_reference(line), line
        checked += 1
    # the longest places the patterns allow (1 + 40, then two ", " + 30), so the "(" and the dash sit at
    # and around the indices the pre-checks stop looking at
    hits = 0
    for a in range(36, 41):
        for b in range(26, 31):
            for c in (0, 28, 29, 30):
                place = "W" + "a" * a + ", " + "B" * b + (", " + "c" * c if c else "")
                for tail in (" (Reuters) - Story.", "(AFP) - Story.", " Reuters - Story.", " Kyodo — Story."):
                    line = place + tail
                    found = find_dateline(line, RULES)
                    assert found == _dateline_reference(line), line
                    hits += found[0] is not None
    assert hits > 100
    assert checked == 6000
