"""Boilerplate stripping: give subscribers the story and only the story.

Only whole lines are removed, and a line is removed only when a rule matches the *whole* line and
its position agrees with the rule's scope:

* ``anywhere``  - unmistakable furniture ("Also read: ...", "Share on WhatsApp") wherever it sits;
* ``edge``      - furniture in the leading or trailing run of furniture lines;
* ``tail``      - only in the trailing run (prices, plan names, "AFP", editor initials);
* ``block-start`` - a paywall/subscription notice; when nothing story-like follows it, it and
  every following line go (plans, prices, benefit lists), otherwise only the line itself.

Removing a story sentence is worse than leaving a promo line in, so every rule is capped to short
lines and an unmatched line ends the trailing run.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from streams.pipeline.furniture import MAX_CHARS as LEARN_MAX_CHARS
from streams.pipeline.furniture import normalise
from streams.pipeline.html_extract import extract_text
from streams.pipeline.rules import LEARNED, Rule, RuleSet
from streams.pipeline.types import Rejected, Removal, StripResult

# "Washington, Sep 17 (IANS/EFE)", "NEW DELHI (Reuters)", "BEIJING, Sept. 17 (Xinhua) --"
_PLACE = r"[A-Z][A-Za-z.'’ \[\]-]{1,40}(?:, [A-Za-z0-9.'’ -]{1,30}){0,2}"
_DATELINE_AGENCY = re.compile(rf"(?P<dl>{_PLACE} ?\((?P<ag>[A-Za-z][A-Za-z/ .,&+-]{{1,40}})\))")
# "TOKYO, Sept. 17 Kyodo -" (agency named without brackets, then a dash)
_DATELINE_BARE = re.compile(rf"(?P<dl>{_PLACE} (?P<ag>[A-Z][A-Za-z]{{1,20}})) ?[—–-]{{1,2}} ")
# "WASHINGTON —", "KYIV, Ukraine -" (all-caps place, then a dash)
_DATELINE_CAPS = re.compile(r"(?P<dl>[A-Z][A-Z.'’ -]{1,30}(?:, [A-Z][A-Za-z. ]{1,25})?) ?[—–-]{1,2} ")
_SENTENCE_END = frozenset(".!?\"”’)'")
_EDGE_SCOPES = frozenset({"edge", "anywhere", "block-start"})
_TAIL_SCOPES = frozenset({"edge", "tail", "anywhere", "block-start"})
_ANYWHERE_SCOPES = frozenset({"anywhere", "block-start"})
# Lines learned for a source (furniture.learned_lines) behave like an "anywhere" rule named "learned".
_LEARNED_RULE = Rule(LEARNED, LEARNED, "exact", "anywhere", LEARN_MAX_CHARS, "", False, None)


def _story_like(line: str) -> bool:
    """Prose that a paywall block would not contain: long, or a full sentence of 8+ words."""
    return len(line) >= 200 or (len(line) >= 60 and line[-1] in _SENTENCE_END and line.count(" ") >= 7)


@lru_cache(maxsize=64)
def _normalised_set(learned: frozenset[str]) -> frozenset[str]:
    return frozenset(normalise(x) for x in learned)


def _learned_set(learned: Collection[str]) -> frozenset[str]:
    if not learned:
        return frozenset()
    if isinstance(learned, frozenset):
        return _normalised_set(learned)
    return frozenset(normalise(x) for x in learned)


def find_dateline(first_line: str, rules: RuleSet) -> tuple[str | None, list[str]]:
    """Dateline prefix of the first story line and the agencies it names (it stays in the text)."""
    head = first_line[:160]
    m = _DATELINE_AGENCY.match(head)
    if m:
        agencies = rules.agencies_in(m.group("ag"))
        if agencies:
            return m.group("dl"), agencies
    m = _DATELINE_BARE.match(head)
    if m:
        agencies = rules.agencies_in(m.group("ag"))
        if agencies:
            return m.group("dl"), agencies
    m = _DATELINE_CAPS.match(head)
    if m and sum(c.isupper() for c in m.group("dl")) >= 3:
        return m.group("dl").strip(), []
    return None, []


def strip(
    headline: str,
    body: str,
    rules: RuleSet,
    *,
    body_html: str | None = None,
    learned: Collection[str] = (),
    max_chars: int = 2_000_000,
) -> StripResult:
    """Remove outlet and agency furniture from ``body``; see the module docstring for the rules."""
    size = len(body) + len(body_html or "")
    if size > max_chars:
        raise Rejected("body_too_large", f"body is {size} chars, limit {max_chars}", stage="strip")
    if not body.strip() and body_html:
        body = extract_text(body_html)

    lines = body.split("\n")
    keys = [ln.strip() for ln in lines]
    match = rules.match
    matches: list[Rule | None] = [match(k) if k else None for k in keys]
    learned_norm = _learned_set(learned)
    if learned_norm:
        for i, k in enumerate(keys):
            if k and matches[i] is None and len(k) <= LEARN_MAX_CHARS and normalise(k) in learned_norm:
                matches[i] = _LEARNED_RULE
    removed = _removals(keys, matches) if any(matches) else {}
    kept = [lines[i].rstrip() for i, k in enumerate(keys) if k and i not in removed]
    stripped = [Removal(keys[i], removed[i]) for i in sorted(removed)]

    dateline, credit = None, []
    for first in kept[:3]:  # a stray unremoved line (timestamp, kicker) may precede the dateline
        dateline, credit = find_dateline(first.lstrip(), rules)
        if dateline:
            break
    credit = list(credit)
    for i in sorted(removed):
        m = matches[i]
        if m is not None and m.credit is not None:
            credit.extend(m.credit or rules.agencies_in(keys[i]))
    return StripResult(
        headline=headline.strip(),
        body="\n".join(kept),
        stripped=stripped,
        credit=_unique(credit),
        dateline=dateline,
    )


def _removals(keys: list[str], matches: list[Rule | None]) -> dict[int, str]:
    """Line index -> rule name for every line to remove, following the scopes."""
    removed: dict[int, str] = {}
    n = len(keys)
    # 1. Paywall/subscription block: the first strong starter after the last story-like line.
    last_story = -1
    for i in range(n - 1, -1, -1):
        if keys[i] and matches[i] is None and _story_like(keys[i]):
            last_story = i
            break
    for i in range(last_story + 1, n):
        m = matches[i]
        if m is not None and m.scope == "block-start":
            for j in range(i, n):
                if keys[j]:
                    mj = matches[j]
                    removed[j] = mj.name if mj is not None else m.name
            break
    # 2. Trailing run of furniture (sign-offs, initials, prices, navigation).
    for i in range(n - 1, -1, -1):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is None or m.scope not in _TAIL_SCOPES:
            break
        removed[i] = m.name
    # 3. Leading run of furniture (breadcrumbs, timestamps, share rows).
    for i in range(n):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is None or m.scope not in _EDGE_SCOPES:
            break
        removed[i] = m.name
    # 4. Unmistakable furniture anywhere (strong starters that did not open a block count too).
    for i, m in enumerate(matches):
        if m is not None and i not in removed and m.scope in _ANYWHERE_SCOPES:
            removed[i] = m.name
    return removed


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
