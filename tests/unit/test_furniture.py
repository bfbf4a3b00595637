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


BACKGROUND = "The truce, brokered by Russia and the United States, has been broken repeatedly since it began."
APP_PROMO = "Download the Wire app for breaking news alerts"
DESK_NOTE = "(This report was produced by our syndication desk and edited for length.)"


def _wire_story(i: int) -> list[str]:
    lead = f"BEIRUT, March {i} (Reuters) - Story {i} opens with its own lead " + "and more words " * 8 + "."
    return [lead, f"Officials gave figure {i} on Tuesday.", BACKGROUND, APP_PROMO, DESK_NOTE]


def test_recurring_story_sentences_are_not_learned_but_furniture_is() -> None:
    from streams.pipeline.rules import load_rules
    from streams.pipeline.strip import strip

    state: dict = {}
    for i in range(6):
        fu.observe(state, "Reuters", f"r{i}", _wire_story(i), 1000.0 + i, window_s=W, min_items=3)
    learned = fu.learned_lines(state, "Reuters", min_items=3, now=1006.0, window_s=W)
    assert fu.normalise(APP_PROMO) in learned and fu.normalise(DESK_NOTE) in learned
    assert fu.normalise(BACKGROUND) not in learned
    body = strip("", "\n".join(_wire_story(9)), load_rules(), learned=learned).body
    assert BACKGROUND in body.split("\n") and APP_PROMO not in body and DESK_NOTE not in body
    # prose is not even tracked: no state is written for it
    assert all(e["t"] != BACKGROUND for e in fu.view(state)["Reuters"]["lines"].values())


def test_prose_learned_by_an_earlier_version_is_no_longer_applied() -> None:
    state: dict = {}
    for i in range(6):
        fu.observe(state, "Reuters", f"r{i}", _wire_story(i), 1000.0 + i, window_s=W, min_items=3)
    head = state["Reuters"]
    k = "0123456789abcdef"  # a line an earlier version tracked and counted as learned
    state[f"\x00{k}\x00Reuters"] = {
        "t": BACKGROUND,
        "n": fu.normalise(BACKGROUND),
        "s": [[f"sig{i}", 1000.0 + i, None] for i in range(6)],
        "f": 1000.0,
        "l": 1005.0,
    }
    head["ix"].append(k)
    head["L"][k] = 1
    head["v"] = head.get("v", 0) + 1
    for offset in (None, 0):  # the memoised path and the exact one (a replay)
        learned = fu.learned_lines(state, "Reuters", min_items=3, now=1006.0, window_s=W, offset=offset)
        assert fu.normalise(APP_PROMO) in learned and fu.normalise(BACKGROUND) not in learned
    assert BACKGROUND not in [r["line"] for r in fu.describe(fu.view(state), min_items=3)["Reuters"]]


def test_prose_is_a_sentence_of_a_story_in_any_language() -> None:
    story = [
        BACKGROUND,
        "A spokesperson for NATO said the organisation was monitoring the situation closely.",
        "« Nous n'accepterons pas un accord qui affaiblit le pays », a affirmé la présidente.",
        "Die Regierung kündigte am Dienstag weitere Gespräche mit den Nachbarländern an.",
        "El ministro dijo que las negociaciones continuarán la próxima semana en Ginebra.",
    ]
    furniture = [
        APP_PROMO,
        DESK_NOTE,
        "Subscribe to our newsletter for the top stories every morning.",
        "Share this article: WhatsApp | Facebook | X | LinkedIn | Email",
        "Copyright 2026 The Associated Press. All rights reserved.",
        "Suivez-nous sur les réseaux sociaux pour ne rien manquer de l'actualité.",
        "Suscríbete a nuestro boletín para recibir las noticias más importantes del día.",
        "Short line.",
        "For more news visit www.example.com every day of the week.",
    ]
    assert [fu.prose(fu.normalise(x)) for x in story] == [True] * len(story)
    assert [fu.prose(fu.normalise(x)) for x in furniture] == [False] * len(furniture)
