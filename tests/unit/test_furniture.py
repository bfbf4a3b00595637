"""Learning recurring lines per source."""

from __future__ import annotations

import json

from streams.pipeline import furniture as fu

PROMO = "Listen to the Daily Wire Hour every Friday"
W = 3600.0


def _story(i: int) -> list[str]:
    lead = f"Story number {i} has its own lead paragraph " + "with enough words to be prose " * 6 + f"{i}."
    return [lead, f"Second paragraph of story {i}.", PROMO, "Follow us for more"]


def test_line_recurring_across_distinct_items_is_learned_and_json_serialisable() -> None:
    state: dict = {}
    for i in range(3):
        fu.observe(state, "outlet-a", f"id{i}", _story(i), 1000.0 + i, window_s=W, min_items=3)
    learned = fu.learned_lines(state, "outlet-a", min_items=3, now=1003.0, window_s=W)
    assert fu.normalise(PROMO) in learned
    assert not any("story number" in ln for ln in learned)
    json.dumps(state)


def test_line_seen_in_one_item_is_never_learned() -> None:
    state: dict = {}
    for _ in range(5):  # redelivery of the same item
        fu.observe(state, "s", "same-id", _story(1), 1000.0, window_s=W, min_items=1)
    assert fu.learned_lines(state, "s", min_items=1, now=1000.0, window_s=W) == frozenset()


def test_copies_of_one_story_under_new_ids_do_not_teach_its_lines() -> None:
    state: dict = {}
    for i in range(5):
        fu.observe(state, "s", f"copy{i}", _story(7), 1000.0 + i, window_s=W, min_items=3)
    assert fu.learned_lines(state, "s", min_items=3, now=1005.0, window_s=W) == frozenset()


def test_sources_are_separate_and_window_expires() -> None:
    state: dict = {}
    for i in range(3):
        fu.observe(state, "a", f"id{i}", _story(i), 1000.0, window_s=W, min_items=3)
    assert fu.learned_lines(state, "b", min_items=3, now=1000.0, window_s=W) == frozenset()
    assert fu.learned_lines(state, "a", min_items=3, now=1000.0 + 2 * W, window_s=W) == frozenset()


def test_describe_and_reset() -> None:
    state: dict = {}
    for i in range(4):
        fu.observe(state, "a", f"id{i}", _story(i), 1000.0 + i, window_s=W, min_items=2)
        fu.observe(state, "b", f"id{i}", _story(i), 1000.0 + i, window_s=W, min_items=2)
    rows = fu.describe(fu.view(state))["a"]
    assert {"line", "items", "first_seen", "last_seen"} <= set(rows[0])
    assert any(r["line"] == PROMO and r["items"] == 4 for r in rows)
    assert fu.reset(state, "a") > 0 and "a" not in state and "b" in state
    assert fu.reset(state) > 0 and state == {}


def test_memory_is_bounded() -> None:
    state: dict = {}
    for i in range(40):
        lines = [f"unique short line {i}-{j} xyz" for j in range(100)]
        fu.observe(state, "a", f"id{i}", lines, 1000.0 + i, window_s=W, min_items=2)
    lines = fu.view(state)["a"]["lines"]
    assert 0 < len(lines) <= fu.MAX_TRACKED
    assert len(state) == len(lines) + 1  # the head and one key per tracked line: evicted lines are gone
    entry = next(iter(lines.values()))
    assert len(entry["s"]) <= 4


def test_normalise_matches_its_definition_on_any_text() -> None:
    """Digits masked by replace() (not str.translate) still mean: ASCII digits only, after case-folding."""
    import random

    table = str.maketrans("0123456789", "0000000000")
    rng = random.Random(4)
    alphabet = "aZ09 \t\u00a0\u2009ßİıſﬁ٣５²½-:É" + "".join(map(chr, range(0x20, 0x7f)))
    samples = ["Updated: 17 Sep 2024", "  MIXED   case\tLine 99 ", "ÉTÉ ٣ ５ ² ½ 2024",
               "ﬁnal ßtraße İstanbul"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in samples:
        assert fu.normalise(text) == " ".join(text.casefold().translate(table).split()), text
        assert fu.normalise(fu.normalise(text)) == fu.normalise(text)  # strip() relies on this
        assert fu.normalise_short(text) == fu.normalise(text)


def test_candidate_memo_does_not_change_what_is_learned() -> None:
    """observe() memoises each line's normalised form and key; the state must be the same without it."""
    import random

    rng = random.Random(8)
    furniture = [PROMO, "Follow us for more", "Updated: 1 Jan 2024 10:0{}", "Also read: {}", "---", "ok"]
    items = []
    for i in range(60):
        lines = _story(i)[:2] + [f.format(rng.randint(0, 9)) for f in rng.sample(furniture, 3)]
        items.append((f"id{i}", lines))
    states = []
    for clear in (False, True):
        fu._CANDIDATES.clear()
        state: dict = {}
        for n, (item_id, lines) in enumerate(items):
            if clear:
                fu._CANDIDATES.clear()
            fu.observe(state, "src", item_id, lines, 1000.0 + n, window_s=W, min_items=3, offset=n)
        states.append(json.dumps(state, sort_keys=True))
    assert states[0] == states[1]
    assert fu.learned_lines(json.loads(states[0]), "src", min_items=3, now=1060.0, window_s=W)
