"""The fast matcher (heads + needed literals, strip_prefilter) must give exactly the reference answers.

Lines are sampled from every rule's own parsed pattern (so each rule is exercised on strings it matches,
in mixed case, with non-ASCII characters where its classes allow them), then mutated; the fast path must
agree with the Aho-Corasick-gated reference (``_match_gated``) on every one, and ``may_match_anywhere``
must never say False for a line whose first match is an anywhere/block-start rule.
"""

from __future__ import annotations

import random
import re
import re._compiler as sre_compile
import re._constants as sre_c
import re._parser as sre_parse
import sys
from pathlib import Path
from typing import Any

from streams.pipeline.rules import RuleSet, load_rules
from streams.pipeline.strip_prefilter import FOLD_RISK_CHARS, HEAD_LEN, for_key, indexed_branches

RULES = load_rules()
_ALPHABET = [chr(c) for c in range(32, 127)] + list("’‘“”—–•«»₹€£©®°éÉüßİıſK\u00a0\u2009")
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_ONE_CACHE: dict[tuple[str, int], list[str]] = {}


def _one_char_choices(item: Any, state: Any, flags: int) -> list[str]:
    key = (repr(item), flags)
    if key not in _ONE_CACHE:
        one = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
        _ONE_CACHE[key] = [c for c in _ALPHABET if one.fullmatch(c)]
    return _ONE_CACHE[key]


def _sample(items: Any, state: Any, flags: int, rng: random.Random, out: list[str]) -> None:
    for op, av in items:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY):
            choices = _one_char_choices((op, av), state, flags)
            if choices:
                out.append(rng.choice(choices))
        elif op == sre_c.SUBPATTERN:
            _g, add, drop, sub = av
            _sample(sub, state, (flags | add) & ~drop, rng, out)
        elif op == sre_c.BRANCH:
            _sample(rng.choice(av[1]), state, flags, rng, out)
        elif op in _REPEATS:
            lo, hi, sub = av
            for _ in range(rng.randint(lo, min(hi, lo + 3))):
                _sample(sub, state, flags, rng, out)
        elif op == sre_c.ATOMIC_GROUP:
            _sample(av, state, flags, rng, out)


def _samples(rs: RuleSet, per_rule: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for r, compiled in zip(rs.rules, rs.compiled, strict=True):
        parsed = sre_parse.parse(r.regex, 0 if r.case_sensitive else re.IGNORECASE)
        flags = parsed.state.flags | (0 if r.case_sensitive else re.IGNORECASE)
        for _ in range(per_rule):
            buf: list[str] = []
            _sample(parsed.data, parsed.state, flags, rng, buf)
            line = "".join(buf).strip()
            if line and compiled.fullmatch(line):
                out.append(line[: r.max_len])
    return out


def _mutations(line: str, rng: random.Random) -> list[str]:
    cut = rng.randrange(1, len(line) + 1)
    return [line.upper(), line.lower(), line.swapcase(), line[:cut], line[cut:].strip(), "“" + line,
            line[:2] + "’" + line[2:], "ſ" + line, line + " said the ministry.", "The " + line]


def _agree(rs: RuleSet, line: str) -> None:
    n = len(line)
    if not line or n > rs.max_len:
        return
    ref = rs._match_gated(line, n)
    # twice: the second call finds the line's start cached and may take the quick literal test
    assert rs._match(line, n) is ref, line
    assert rs._match(line, n) is ref, line
    strong = any(
        r.scope in ("anywhere", "block-start") and n <= r.max_len and c.fullmatch(line)
        for r, c in zip(rs.rules, rs.compiled, strict=True)
    )
    for _ in range(2):
        assert rs.may_match_anywhere(line) or not strong, line


def test_fast_matcher_agrees_on_lines_sampled_from_every_rule() -> None:
    rng = random.Random(7)
    lines = _samples(RULES, 25, 11)
    assert len(lines) > 1000  # every rule contributes
    assert {m.name for m in map(RULES.match_all, lines) if m} >= {r.name for r in RULES.rules} - {
        r.name for r in RULES.rules if r.max_len < 8
    }
    for line in lines:
        _agree(RULES, line)
        for variant in _mutations(line, rng):
            _agree(RULES, variant.strip())


def test_fast_matcher_agrees_on_labelled_lines_and_prose() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "strip"))
    import score

    rng = random.Random(3)
    lines = sorted({t.strip() for it in score.load_items() for _, t in it.lines if t.strip()})
    for line in lines:
        _agree(RULES, line)
        for variant in _mutations(line, rng)[:5]:
            _agree(RULES, variant.strip())


def test_quick_literal_test_around_the_length_caps() -> None:
    """Lines too long for their start's anchored rules are settled by the per-length literal test
    (``RuleSet.quick``); around every rule's cap it must agree with the reference."""
    rng = random.Random(5)
    furniture = _samples(RULES, 6, 17)
    prose = "the minister said on monday that talks would resume next week in the capital "
    caps = sorted({r.max_len for r in RULES.rules})
    checked = 0
    for cap in caps:
        for size in (cap - 1, cap, cap + 1):
            for _ in range(12):
                core = rng.choice(furniture)
                pad = (prose * 6)[: max(0, size - len(core) - 1)]
                for line in (f"{core} {pad}", f"{pad} {core}", f"{pad}: {core}"[:size], pad.upper()):
                    _agree(RULES, line.strip())
                    checked += 1
    assert checked > 1000


def test_user_packs_with_inline_flags_and_odd_starts(tmp_path: Path) -> None:
    (tmp_path / "odd.yaml").write_text(
        """
pack: odd
rules:
  - {name: inline_i, pattern: "(?i:Breaking)\\\\s+news.{0,20}", scope: anywhere, case: sensitive}
  - {name: nonascii_start, pattern: "«\\\\s?Lire aussi.{0,60}", scope: anywhere}
  - {name: kelvin, pattern: "k\\\\d{1,3}", scope: tail, max_len: 10}
  - {name: class_start, pattern: "[^a-z]{2}x.{0,10}", scope: edge, max_len: 20, case: sensitive}
""",
        encoding="utf-8",
    )
    rs = load_rules([tmp_path])
    for line in ["BREAKING news today", "Breaking  news", "« Lire aussi : la suite", "«Lire aussi x", "K12",
                 "k7", "\u212a12", "ABx yz", "aBx", "1.x", "ſ", "“Breaking news”", "breaking news"]:
        _agree(rs, line)
    for line in _samples(rs, 60, 5):
        _agree(rs, line)


def test_fold_risk_characters_are_complete() -> None:
    """Every non-ASCII character that case-folds to or from an ASCII letter is listed."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = "".join(
        c for c in map(chr, range(0x80, 0x110000))
        if letter.fullmatch(c)
        or any(x.isascii() and x.isalpha() for x in c.lower() + c.upper())
    )
    assert set(found) <= set(FOLD_RISK_CHARS)


def test_for_key_never_drops_a_rule_that_matches_a_line_with_that_start() -> None:
    """``for_key`` gets a line's first two characters; a rule that fullmatches the line must survive it."""
    checked = 0
    for line in _samples(RULES, 25, 13):
        if not line[:HEAD_LEN].isascii():
            continue
        for i, r in enumerate(RULES.rules):
            if RULES.compiled[i].fullmatch(line):
                checked += 1
                spec = indexed_branches(r.regex, r.case_sensitive)
                assert for_key(spec, line[:2]) is not False, (r.name, line)
    assert checked > 1000
