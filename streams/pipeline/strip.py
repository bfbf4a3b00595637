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
from itertools import compress, repeat
from typing import Any

from streams.pipeline.furniture import MAX_CHARS as LEARN_MAX_CHARS
from streams.pipeline.furniture import normalise, normalise_short
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
_UNKNOWN = object()  # a line whose match has not been computed (yet)
_NOT_STRONG = object()  # its first match (if any) is not an anywhere/block-start rule; not computed


@lru_cache(maxsize=64)
def _normalised_set(learned: frozenset[str]) -> frozenset[str]:
    # learned_lines() returns normalised lines, which normalise() leaves as they are; through the memo a
    # new set (the source learned a line) costs a lookup per line
    return frozenset(normalise_short(x) if len(x) <= LEARN_MAX_CHARS else normalise(x) for x in learned)


def _learned_set(learned: Collection[str]) -> frozenset[str]:
    if not learned:
        return frozenset()
    if isinstance(learned, frozenset):
        return _normalised_set(learned)
    return frozenset(normalise(x) for x in learned)


def find_dateline(first_line: str, rules: RuleSet) -> tuple[str | None, list[str]]:
    """Dateline prefix of the first story line and the agencies it names (it stays in the text)."""
    head = first_line[:160]
    # Cheap necessary conditions first (story lines fail the patterns only after much backtracking):
    # every pattern starts with [A-Z]; a place is at most 105 characters and holds no "(", so the
    # bracketed agency opens by index 106; the two dash forms put their dash by index 128.
    if not "A" <= head[:1] <= "Z":
        return None, []
    if "(" in head[:107]:
        m = _DATELINE_AGENCY.match(head)
        if m:
            agencies = rules.agencies_in(m.group("ag"))
            if agencies:
                return m.group("dl"), agencies
    near = head[:129]
    if "-" not in near and "\u2014" not in near and "\u2013" not in near:
        return None, []
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
    if body_html and not body.strip():
        body = extract_text(body_html)

    lines = body.split("\n")
    keys = list(map(str.strip, lines))
    removed, matches = (_removals_native if rules.native is not None else _removals)(
        keys, rules, _learned_set(learned)
    )
    if removed:
        order = sorted(removed)
        keep = keys.copy()  # truthy where the line is kept: not blank, not removed
        for i in order:
            keep[i] = ""
        kept = list(map(str.rstrip, compress(lines, keep)))
        stripped = list(map(Removal, [keys[i] for i in order], [removed[i] for i in order]))
    else:
        order = []
        kept = list(map(str.rstrip, compress(lines, keys)))
        stripped = []

    dateline, credit = None, []
    for first in kept[:3]:  # a stray unremoved line (timestamp, kicker) may precede the dateline
        dateline, credit = find_dateline(first.lstrip(), rules)
        if dateline:
            break
    credit = list(credit)
    for i in order:
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


def _removals(
    keys: list[str], rules: RuleSet, learned: frozenset[str]
) -> tuple[dict[int, str], list[Any]]:
    """Line index -> rule name for every line to remove, following the scopes; and the matches used.

    Matches are computed lazily. The full match (every rule) runs only where its answer decides: the
    story-like lines scanned from the end, the trailing and leading runs, and lines that an
    ``anywhere``/``block-start`` rule may take. Elsewhere (most story lines) only those rules are tried,
    through ``RuleSet.may_match_anywhere``; the full match runs when one fits, since a rule earlier in
    pack order may then be the first match and decide.
    """
    n = len(keys)
    memo = rules.memo
    match = rules.match
    # Furniture recurs item after item: most of its lines are answered by the memo in one C-level pass.
    memo.setdefault("", None)  # blank lines
    matches: list[Any] = list(map(memo.get, keys, repeat(_UNKNOWN, n)))
    if learned:  # a memoised "no rule" is the full answer once the learned lines are checked
        for i in [i for i, m in enumerate(matches) if m is None]:
            k = keys[i]
            if k and len(k) <= LEARN_MAX_CHARS and normalise_short(k) in learned:
                matches[i] = _LEARNED_RULE

    def full(i: int) -> Rule | None:
        k = keys[i]
        m = match(k) if k else None
        if m is None and learned and k and len(k) <= LEARN_MAX_CHARS and normalise_short(k) in learned:
            m = _LEARNED_RULE
        matches[i] = m
        return m

    may_match = rules.may_match_anywhere

    def strong(i: int) -> Any:
        """The full match when it may be an anywhere/block-start one, else _NOT_STRONG (cheaper)."""
        k = keys[i]
        if k and (
            may_match(k) or (learned and len(k) <= LEARN_MAX_CHARS and normalise_short(k) in learned)
        ):
            return full(i)
        matches[i] = _NOT_STRONG
        return _NOT_STRONG

    # The trailing run needs every rule's answer: get it first, from the end up to the first line that
    # no rule takes; the last story-like line (for the paywall block) cannot lie after that line.
    top = n - 1
    while top >= 0:
        if keys[top]:
            m = matches[top]
            if m is _UNKNOWN:
                m = full(top)
            if m is None:
                break
        top -= 1

    removed: dict[int, str] = {}
    # 1. Paywall/subscription block: the first strong starter after the last story-like line (prose a
    #    paywall block would not contain: 200+ chars, or a sentence of 8+ words ending like one).
    last_story = -1
    for i in range(top, -1, -1):
        k = keys[i]
        if k:
            size = len(k)
            if size >= 200 or (size >= 60 and k[-1] in _SENTENCE_END and k.count(" ") >= 7):
                m = matches[i]
                if (full(i) if m is _UNKNOWN else m) is None:
                    last_story = i
                    break
    for i in range(last_story + 1, n):
        m = matches[i]
        if m is _UNKNOWN:
            m = strong(i)
        if m is not None and m is not _NOT_STRONG and m.scope == "block-start":
            for j in range(i, n):
                if keys[j]:
                    mj = matches[j]
                    if mj is _UNKNOWN or mj is _NOT_STRONG:
                        mj = full(j)
                    removed[j] = mj.name if mj is not None else m.name
            break
    # 2. Trailing run of furniture (sign-offs, initials, prices, navigation).
    for i in range(n - 1, -1, -1):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is _UNKNOWN or m is _NOT_STRONG:
            m = full(i)
        if m is None or m.scope not in _TAIL_SCOPES:
            break
        removed[i] = m.name
    # 3. Leading run of furniture (breadcrumbs, timestamps, share rows).
    for i in range(n):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is _UNKNOWN or m is _NOT_STRONG:
            m = full(i)
        if m is None or m.scope not in _EDGE_SCOPES:
            break
        removed[i] = m.name
    # 4. Unmistakable furniture anywhere (strong starters that did not open a block count too). Most
    #    story lines get here unanswered: ``strong`` is inlined for them (may_match is False).
    for i in range(n):
        m = matches[i]
        if m is _UNKNOWN:
            k = keys[i]
            if may_match(k) or (learned and len(k) <= LEARN_MAX_CHARS and normalise_short(k) in learned):
                m = full(i)
            else:
                matches[i] = _NOT_STRONG
                continue
        if m is None or m is _NOT_STRONG or i in removed:
            continue
        if m.scope in _ANYWHERE_SCOPES:
            removed[i] = m.name
    return removed, matches


def _removals_native(
    keys: list[str], rules: RuleSet, learned: frozenset[str]
) -> tuple[dict[int, str], list[Any]]:
    """``_removals`` on every line's first match, computed at once by the native matcher.

    The same scope walk with nothing left to compute lazily: ``_removals`` asks for the full match of
    a line exactly where its answer decides (it treats a line no anywhere/block-start rule may take as
    not removed by those scopes, which the full match says too), so the removals are the same.
    """
    n = len(keys)
    matches: list[Any] = rules.match_lines(keys)
    if learned:
        for i in [i for i, m in enumerate(matches) if m is None]:
            k = keys[i]
            if k and len(k) <= LEARN_MAX_CHARS and normalise_short(k) in learned:
                matches[i] = _LEARNED_RULE
    top = n - 1  # the last line of the body that no rule takes
    while top >= 0 and (not keys[top] or matches[top] is not None):
        top -= 1
    removed: dict[int, str] = {}
    last_story = -1
    for i in range(top, -1, -1):
        k = keys[i]
        if k and matches[i] is None:
            size = len(k)
            if size >= 200 or (size >= 60 and k[-1] in _SENTENCE_END and k.count(" ") >= 7):
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
    for i in range(n - 1, -1, -1):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is None or m.scope not in _TAIL_SCOPES:
            break
        removed[i] = m.name
    for i in range(n):
        if not keys[i] or i in removed:
            continue
        m = matches[i]
        if m is None or m.scope not in _EDGE_SCOPES:
            break
        removed[i] = m.name
    for i, m in enumerate(matches):
        if m is not None and m.scope in _ANYWHERE_SCOPES and i not in removed:
            removed[i] = m.name
    return removed, matches


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
