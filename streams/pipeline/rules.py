"""Boilerplate rule packs: load, validate and compile YAML data into a ``RuleSet``.

Rules are data (``streams/data/rules/*.yaml``) so newsrooms can extend or override
them without code changes. Every pattern is checked for constructs that can
backtrack catastrophically and every rule has a line-length cap, so matching a
body costs time linear in its length. See ``docs/strip.md`` for the schema.
"""

from __future__ import annotations

import hashlib
import re
import re._constants as sre_c
import re._parser as sre_parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from streams.pipeline import rules_native
from streams.pipeline.strip_prefilter import FOLD_RISK, HEAD_LEN, for_key, indexed_branches

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"

KINDS = ("exact", "prefix", "contains", "regex", "words")
SCOPES = ("anywhere", "edge", "tail", "block-start")
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,40}")
MAX_LEN_LIMIT = 400  # no rule may look at lines longer than this: story paragraphs are longer
LEARNED = "learned"
LONG_LINE = 120  # lines longer than this are checked only against rules allowed to see them
MEMO_MAX_CHARS = 160
MEMO_SIZE = 50_000
CANDIDATES_SIZE = 50_000  # line start -> candidate rules, per RuleSet and view
_MISS = object()
_ANYWHERE_SCOPES = frozenset({"anywhere", "block-start"})
_OPEN = "\uffff"  # marks a cache key that is only the ASCII start of a longer line


def _first(item: tuple[int, Any]) -> int:
    return item[0]

_PACK_KEYS = {"pack", "description", "priority", "defaults", "rules", "agencies", "macros"}
_MACRO_RE = re.compile(r"<<([A-Z_]{1,30})>>")
_RULE_KEYS = {
    "name", "kind", "pattern", "patterns", "scope", "max_len", "credit", "case", "disabled", "note",
}
_NESTED_BUDGET = 100_000  # worst-case ways a bounded nested repeat can split a line
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_FORBIDDEN = {sre_c.GROUPREF, sre_c.GROUPREF_EXISTS, sre_c.ASSERT, sre_c.ASSERT_NOT}


class RuleError(ValueError):
    """A rule pack is malformed; the message names the file, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # "<pack>.<rule>", used in Removal.rule and as a metric label
    pack: str
    kind: str
    scope: str
    max_len: int
    regex: str  # full-line pattern (fullmatch semantics)
    case_sensitive: bool
    credit: tuple[str, ...] | None  # None: no credit; (): extract agencies from the line; else fixed


@dataclass(frozen=True, slots=True)
class _Bucket:
    max_len: int
    compiled: re.Pattern[str]
    rules: tuple[Rule, ...]  # indexed by group name "r<i>"
    order: tuple[int, ...]  # position of each rule in the whole set (pack order decides ties)


@dataclass(frozen=True, eq=False)  # identity equality/hash: one loaded set is one version
class RuleSet:
    """Immutable, compiled rules. ``names`` is bounded (metric labels); ``version`` hashes the sources."""

    rules: tuple[Rule, ...]
    agencies: dict[str, str]  # lower-cased alias -> canonical short name
    version: str
    buckets: tuple[_Bucket, ...] = field(repr=False)
    agency_re: re.Pattern[str] = field(repr=False)
    max_len: int = 0
    compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False)
    # (Aho-Corasick automaton: literal -> indices of rules that need it, rules without a literal);
    # automaton_long only holds rules that may look at lines longer than LONG_LINE.
    automaton: Any = field(default=None, repr=False)
    automaton_long: Any = field(default=None, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    agency_memo: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    # Fast path (strip_prefilter): per-rule branch filters, the literals of the Aho-Corasick gate and,
    # per view (all rules / anywhere+block-start), line start -> candidates (2 and HEAD_LEN characters).
    branches: tuple[tuple[Any, ...] | None, ...] = field(default=(), repr=False)
    gate: tuple[tuple[str, ...] | None, ...] = field(default=(), repr=False)
    candidates: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)
    candidates2: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)
    # Per view, indexed by line length: the first needed literals of every branch that has needed
    # literals and may see lines that long (see ``_quick``).
    quick: tuple[tuple[tuple[str, ...], ...], ...] = field(default=(), repr=False, compare=False)
    # The compiled matcher (rules_native, native/src/rules.rs), or None: the Python matcher only.
    native: Any = field(default=None, repr=False, compare=False)
    by_index: tuple[Rule | None, ...] = field(default=(None,), repr=False, compare=False)  # rules, then None

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.rules] + [LEARNED]

    def match_lines(self, lines: list[str]) -> list[Rule | None]:
        """``match`` of every stripped line, in one call to the native matcher (requires ``native``).

        The native side answers a line by its index (-1: no rule); -2 sends it to ``match`` (a line with
        a character whose case folding only Python's matcher gets right, see ``rules_native``).
        """
        found = self.native.first_matches(lines)
        out: list[Rule | None] = list(map(self.by_index.__getitem__, found))
        if -2 in found:
            for i, f in enumerate(found):
                if f == -2:
                    out[i] = self.match(lines[i])
        return out

    def match(self, line: str) -> Rule | None:
        """First rule (in pack order) whose pattern matches the whole stripped line.

        Short lines are memoised: outlet furniture recurs item after item, story lines do not.
        """
        n = len(line)
        if n > self.max_len or n == 0:
            return None
        if n <= MEMO_MAX_CHARS:
            memo = self.memo
            hit = memo.get(line, _MISS)
            if hit is not _MISS:
                return hit  # type: ignore[return-value]
            found = self._match(line, n)
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[line] = found
            return found
        return self._match(line, n)

    def _match(self, line: str, n: int) -> Rule | None:
        """Same answer as ``_match_gated``, but only runs rules that the prefilter cannot rule out.

        The first candidate that fullmatches is the first rule in pack order that fullmatches (the
        filters are sound); it is also the gated answer when it passes the literal gate, which is
        re-checked so that the two paths can never disagree.
        """
        if not self.branches or self.automaton is None or (not line.isascii() and FOLD_RISK.search(line)):
            return self._match_gated(line, n)
        lower = line.lower()
        i = self._first_fullmatch(line, lower, n, 0)
        if i is None:
            return None
        gate = self.gate[i]
        if gate is None or any(lit in lower for lit in gate):
            return self.rules[i]
        return self._match_gated(line, n)  # pragma: no cover - only if a gate literal is wrong

    def may_match_anywhere(self, line: str) -> bool:
        """False when no ``anywhere``/``block-start`` rule can match the stripped line (cheap: the
        other rules are not run). True does not mean one is the first match: call ``match``."""
        n = len(line)
        if n > self.max_len or n == 0:
            return False
        if not self.branches or self.automaton is None or (not line.isascii() and FOLD_RISK.search(line)):
            return True
        lower = line.lower()
        # Most story lines: a start seen before and too long for its anchored candidates. Then the quick
        # literal test of _first_fullmatch decides, without entering it.
        cands = self.candidates[1].get(line[:HEAD_LEN])  # None: a new or non-ASCII start, the long way
        if cands is not None and n > cands[2]:
            for lit in self.quick[1][n]:
                if lit in lower:
                    break
            else:
                return False
        return self._first_fullmatch(line, lower, n, 1) is not None

    def _first_fullmatch(self, line: str, lower: str, n: int, view: int) -> int | None:
        """Index of the first rule of ``view`` (0: all, 1: anywhere/block-start) that fullmatches."""
        key = line[:HEAD_LEN]
        cache = self.candidates[view]
        cands = cache.get(key)
        if cands is None:
            if key.isascii():
                cands = self._specialise(key, view)
            else:
                ascii_prefix = key[: next(j for j, c in enumerate(key) if not c.isascii())]
                if len(ascii_prefix) < 2:  # the two-character lists assume an ASCII second character
                    return self._first_gated(line, n, view)
                # the line goes on with a character the heads do not cover
                cands = cache.get(ascii_prefix + _OPEN) or self._specialise(ascii_prefix + _OPEN, view)
                if len(cache) >= CANDIDATES_SIZE:
                    cache.clear()
                cache[key] = cands  # the same candidates under the line's own start, found directly next time
        fixed, by_literal, fixed_max = cands
        if n > fixed_max:
            # Too long for every anchored candidate: only a branch with needed literals may take the
            # line, and it needs one of its first literals (story lines usually hold none of them).
            for lit in self.quick[view][n]:
                if lit in lower:
                    break
            else:
                return None
            fixed = ()
        found: list[tuple[int, Any]] | None = None
        for i, max_len, needs, fullmatch in fixed:
            if n > max_len:
                continue
            if needs:
                for need in needs:
                    for lit in need:
                        if lit in lower:
                            break
                    else:
                        break
                else:
                    found = [*(found or ()), (i, fullmatch)]
            else:
                found = [*(found or ()), (i, fullmatch)]
        for i, max_len, first, more, fullmatch in by_literal:
            if n > max_len:
                continue
            for lit in first:
                if lit in lower:
                    break
            else:
                continue
            if more:
                for need in more:
                    for lit in need:
                        if lit in lower:
                            break
                    else:
                        break
                else:
                    found = [*(found or ()), (i, fullmatch)]
            else:
                found = [*(found or ()), (i, fullmatch)]
        if found is None:
            return None
        if len(found) > 1:
            found.sort(key=_first)
        for i, fullmatch in found:
            if fullmatch(line) is not None:
                return i
        return None

    def _first_gated(self, line: str, n: int, view: int) -> int | None:
        """``_first_fullmatch`` for lines that start with a non-ASCII character (no head filter)."""
        r = self._match_gated(line, n)
        if r is None:
            return None
        return 0 if view else self.rules.index(r)  # view 1 only asks whether the full match is needed

    def _specialise(self, key: str, view: int) -> tuple[Any, ...]:
        """Candidates for a line whose first HEAD_LEN characters are ``key`` (or whose ASCII start is
        ``key`` before _OPEN): anchored branches are decided here, once, from the two-character lists."""
        open_end = key.endswith(_OPEN)
        start = key[:-1] if open_end else key
        always, anchored, by_literal = self._candidates(start[:2], view)
        rules = self.rules
        fixed: list[tuple[int, int, Any, Any]] = [(i, rules[i].max_len, None, fm) for i, fm in always]
        seen = {i for i, _ in always}
        for i, heads, cs, needs, fullmatch in anchored:
            if i in seen:
                continue
            k = start if cs else start.lower()
            if any(k.startswith(h) or (open_end and h.startswith(k)) for h in heads):
                fixed.append((i, rules[i].max_len, needs, fullmatch))
                if not needs:
                    seen.add(i)
        fixed.sort(key=_first)
        found = (tuple(fixed), by_literal, max((f[1] for f in fixed), default=0))
        cache = self.candidates[view]
        if len(cache) >= CANDIDATES_SIZE:
            cache.clear()
        cache[key] = found
        return found

    def _candidates(self, key: str, view: int) -> tuple[Any, ...]:
        """What may match a line starting with ``key`` (two characters): rules that always run,
        anchored branches (heads, then needed literals) and unanchored branches (needed literals)."""
        hit = self.candidates2[view].get(key)
        if hit is not None:
            return hit
        always: list[tuple[int, Any]] = []
        anchored: list[tuple[int, tuple[str, ...], bool, Any, Any]] = []
        by_literal: list[tuple[int, int, tuple[str, ...], Any, Any]] = []
        for i, r in enumerate(self.rules):
            if view == 1 and r.scope not in _ANYWHERE_SCOPES:
                continue
            b = for_key(self.branches[i], key)
            if b is False:
                continue
            fullmatch = self.compiled[i].fullmatch
            if b is None or any(h is None and not needs for h, needs, _ in b):
                always.append((i, fullmatch))
                continue
            for heads, needs, cs in b:
                if heads is not None:
                    anchored.append((i, heads, cs, needs, fullmatch))
                else:
                    by_literal.append((i, r.max_len, needs[0], needs[1:], fullmatch))
        found = (tuple(always), tuple(anchored), tuple(by_literal))
        cache = self.candidates2[view]
        if len(cache) >= CANDIDATES_SIZE:
            cache.clear()
        cache[key] = found
        return found

    def _match_gated(self, line: str, n: int) -> Rule | None:
        """Reference fast matcher: rules whose Aho-Corasick literals occur in the line, in order."""
        if self.automaton is None:
            return self.match_all(line)
        auto, always = self.automaton if n <= LONG_LINE else self.automaton_long
        cands = {i for _, idx in auto.iter(line.lower()) for i in idx} if auto is not None else set()
        if always:
            cands.update(always)
        if not cands:
            return None
        rules, compiled = self.rules, self.compiled
        for i in sorted(cands):
            r = rules[i]
            if n <= r.max_len and compiled[i].fullmatch(line) is not None:
                return r
        return None

    def match_all(self, line: str) -> Rule | None:
        """Reference matcher without the literal prefilter (tests compare the two)."""
        n = len(line)
        if n > self.max_len or n == 0:
            return None
        best: Rule | None = None
        best_i = len(self.rules)
        for b in self.buckets:
            if n > b.max_len:
                continue
            m = b.compiled.fullmatch(line)
            if m is not None:
                k = int(m.lastgroup[1:])  # type: ignore[index]
                if b.order[k] < best_i:
                    best, best_i = b.rules[k], b.order[k]
        return best

    def agencies_in(self, text: str) -> list[str]:
        """Canonical agency names mentioned in ``text``, in order of appearance."""
        hit = self.agency_memo.get(text)
        if hit is None:
            found = (" ".join(m.group(0).lower().split()) for m in self.agency_re.finditer(text))
            hit = tuple(self.agencies[a] for a in found if a in self.agencies)
            if len(text) <= MAX_LEN_LIMIT:  # sign-offs, credit lines and dateline credits recur
                if len(self.agency_memo) >= MEMO_SIZE:
                    self.agency_memo.clear()
                self.agency_memo[text] = hit
        return list(hit)


def _check_linear(pattern: str, where: str) -> None:
    """Reject backreferences, lookarounds and nested quantifiers (the usual ReDoS shapes)."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: invalid regex {pattern!r}: {exc}") from exc

    def walk(items: Iterable[Any], outer: int) -> None:
        # ``outer``: upper bound of the nearest enclosing repeat that can run more than once (0: none).
        for op, av in items:
            if op in _FORBIDDEN:
                raise RuleError(f"{where}: backreferences and lookarounds are not allowed: {pattern!r}")
            if op in _REPEATS:
                _lo, hi, sub = av
                if hi > 1 and outer:
                    unbounded = hi == sre_c.MAXREPEAT or outer == sre_c.MAXREPEAT
                    if unbounded or hi**outer > _NESTED_BUDGET:
                        raise RuleError(
                            f"{where}: nested quantifiers can backtrack catastrophically "
                            f"(bound both and keep them small): {pattern!r}"
                        )
                walk(sub, hi if hi > 1 else outer)
            elif op == sre_c.SUBPATTERN:
                walk(av[-1], outer)
            elif op == sre_c.BRANCH:
                for alt in av[1]:
                    walk(alt, outer)

    walk(parsed, 0)


def _required(items: Any, icase: bool) -> frozenset[str] | None:
    """Literals of which at least one must occur in any match (lower-cased), or None if unknown.

    A cheap Aho-Corasick pass over the line then decides which rules are worth running at all.
    """
    best: frozenset[str] | None = None

    def better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
        if a is None:
            return b
        if b is None:
            return a
        return a if min(map(len, a)) >= min(map(len, b)) else b

    run = ""
    for op, av in [*list(items), (None, None)]:
        if op == sre_c.LITERAL:
            run += chr(av)
            continue
        if _usable(run):
            best = better(best, frozenset({run.lower()}))
        run = ""
        sub: frozenset[str] | None = None
        if op == sre_c.SUBPATTERN:
            sub = _required(av[-1], icase)
        elif op == sre_c.BRANCH:
            alts = [_required(a, icase) for a in av[1]]
            if all(a is not None for a in alts):
                sub = frozenset().union(*alts)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            sub = _required(av[2], icase)
        if sub and all(_usable(s) for s in sub):
            best = better(best, sub)
    return best


def _usable(lit: str) -> bool:
    """Two or more characters, or one rare symbol such as ₹ © £ €."""
    return len(lit) >= 2 or (len(lit) == 1 and not lit.isascii())


def _rule_regex(kind: str, patterns: list[str], where: str) -> str:
    if kind == "regex":
        for p in patterns:
            _check_linear(p, where)
        return "|".join(f"(?:{p})" for p in patterns)
    esc = [re.escape(p).replace("\\ ", r"\s+") for p in patterns]
    alt = "|".join(esc)
    if kind == "exact":
        return f"(?:{alt})[\\s.:!]*"
    if kind == "prefix":
        return f"(?:{alt}).*"
    if kind == "words":
        # Built here, not user-written: separators and words never overlap, so this cannot backtrack.
        return f"[\\W_]*(?:{alt})(?:[\\W_]+(?:{alt}))*[\\W_]*"
    return f".*?(?:{alt}).*"  # contains


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise RuleError(f"{where}: unknown macro <<{m.group(1)}>>")
        return f"(?:{macros[m.group(1)]})"

    return _MACRO_RE.sub(sub, pattern)


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read rule pack: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a rule pack must be a mapping with 'pack' and 'rules'")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise RuleError(f"{path}: unknown pack keys {sorted(unknown)}")
    pack = data.get("pack")
    if not isinstance(pack, str) or not NAME_RE.fullmatch(pack):
        raise RuleError(f"{path}: 'pack' must be a lower-case name like 'paywall', got {pack!r}")
    if not isinstance(data.get("rules", []), list):
        raise RuleError(f"{path}: 'rules' must be a list")
    return data


def _compile_rule(
    raw: Any, pack: str, defaults: dict[str, Any], macros: dict[str, str], path: Path, pos: int
) -> Rule | None:
    where = f"{path}: rule #{pos}"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: must be a mapping")
    spec = {**defaults, **raw}
    name = spec.get("name")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise RuleError(f"{where}: 'name' must be a lower-case identifier, got {name!r}")
    where = f"{path}: rule {pack}.{name}"
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    if spec.get("disabled"):
        return None
    kind = spec.get("kind", "regex")
    if kind not in KINDS:
        raise RuleError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    scope = spec.get("scope", "edge")
    if scope not in SCOPES:
        raise RuleError(f"{where}: scope must be one of {SCOPES}, got {scope!r}")
    pats = spec.get("patterns", [spec["pattern"]] if "pattern" in spec else None)
    if not pats or not all(isinstance(p, str) and p for p in pats):
        raise RuleError(f"{where}: needs a non-empty 'pattern' or 'patterns' list of strings")
    max_len = spec.get("max_len", 120)
    if not isinstance(max_len, int) or not 1 <= max_len <= MAX_LEN_LIMIT:
        raise RuleError(f"{where}: max_len must be an integer in 1..{MAX_LEN_LIMIT}")
    credit_raw = spec.get("credit")
    credit: tuple[str, ...] | None
    if credit_raw is None or credit_raw is False:
        credit = None
    elif credit_raw == "extract" or credit_raw is True:
        credit = ()
    elif isinstance(credit_raw, list) and all(isinstance(c, str) for c in credit_raw):
        credit = tuple(credit_raw)
    else:
        raise RuleError(f"{where}: credit must be 'extract' or a list of agency names")
    case = spec.get("case", "insensitive")
    if case not in ("insensitive", "sensitive"):
        raise RuleError(f"{where}: case must be 'insensitive' or 'sensitive'")
    if kind == "regex":
        pats = [_expand(p, macros, where) for p in pats]
    regex = _rule_regex(kind, list(pats), where)
    try:
        re.compile(regex, 0 if case == "sensitive" else re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{where}: invalid pattern: {exc}") from exc
    return Rule(f"{pack}.{name}", pack, kind, scope, max_len, regex, case == "sensitive", credit)


def _pack_files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")))
        elif p.is_file():
            out.append(p)
        else:
            raise RuleError(f"{p}: rule pack path does not exist")
    return out


def load_rules(
    extra_paths: Sequence[Path] = (), *, replace_defaults: bool = False, native: bool | None = None
) -> RuleSet:
    """Load the shipped packs, then user packs (files or directories) on top.

    A user rule with the same ``<pack>.<name>`` replaces the shipped one (``disabled: true``
    turns it off); new packs and rules are appended. ``replace_defaults`` skips the shipped packs.
    ``native``: build the compiled matcher when the extension is built (None: unless WIREFEED_NATIVE=0).
    """
    files = ([] if replace_defaults else _pack_files([DEFAULT_DIR])) + _pack_files(list(extra_paths))
    rules: dict[str, Rule | None] = {}
    agencies: dict[str, str] = {}
    all_aliases: list[str] = []
    digest = hashlib.sha256()
    loaded = [(path, _load_yaml(path)) for path in files]
    if not replace_defaults:  # shipped packs in priority order; user files keep their given order after them
        n_default = len(_pack_files([DEFAULT_DIR]))
        loaded[:n_default] = sorted(loaded[:n_default], key=lambda pd: (_priority(pd), pd[0].name))
    for path, data in loaded:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        pack = data["pack"]
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise RuleError(f"{path}: 'defaults' must be a mapping")
        for alias_owner, aliases in (data.get("agencies") or {}).items():
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise RuleError(f"{path}: agencies.{alias_owner} must be a list of aliases")
            for alias in [alias_owner, *aliases]:
                agencies[alias.lower()] = alias_owner
                all_aliases.append(alias)
        macros = data.get("macros") or {}
        if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
            raise RuleError(f"{path}: 'macros' must map NAME to a regex fragment")
        for pos, raw in enumerate(data.get("rules") or [], 1):
            rule = _compile_rule(raw, pack, defaults, macros, path, pos)
            key = f"{pack}.{raw['name']}"
            rules[key] = rule  # later files override earlier ones; None means disabled
    active = tuple(r for r in rules.values() if r is not None)
    return _build(active, agencies, all_aliases, digest.hexdigest()[:16], native)


def _priority(item: tuple[Path, dict[str, Any]]) -> int:
    path, data = item
    prio = data.get("priority", 100)
    if not isinstance(prio, int):
        raise RuleError(f"{path}: 'priority' must be an integer")
    return prio


def _build(
    rules: tuple[Rule, ...],
    agencies: dict[str, str],
    aliases: list[str],
    version: str,
    native: bool | None = None,
) -> RuleSet:
    """Group rules by (max_len, case) so one C-level fullmatch per group tests many rules."""
    groups: dict[tuple[int, bool], list[tuple[int, Rule]]] = {}
    for pos, r in enumerate(rules):
        groups.setdefault((r.max_len, r.case_sensitive), []).append((pos, r))
    buckets = []
    for (max_len, cs), items in sorted(groups.items()):
        alt = "|".join(f"(?P<r{i}>{r.regex})" for i, (_, r) in enumerate(items))
        compiled = re.compile(alt, 0 if cs else re.IGNORECASE)
        buckets.append(_Bucket(max_len, compiled, tuple(r for _, r in items), tuple(p for p, _ in items)))
    max_len = max((r.max_len for r in rules), default=0)
    compiled = tuple(re.compile(r.regex, 0 if r.case_sensitive else re.IGNORECASE) for r in rules)
    short, long_ = _prefilter(rules, 0), _prefilter(rules, LONG_LINE)
    gate = tuple(_gate_literals(r) for r in rules)
    branches = _fast_branches(rules)
    quick = (_quick(rules, branches, max_len, False), _quick(rules, branches, max_len, True))
    return RuleSet(rules, agencies, version, tuple(buckets), _agency_regex(aliases), max_len,
                   compiled, short, long_, branches=branches, gate=gate,
                   candidates=({}, {}), candidates2=({}, {}), quick=quick,
                   native=rules_native.matcher_for(rules, gate, native), by_index=(*rules, None))


def _quick(
    rules: tuple[Rule, ...], branches: tuple[Any, ...], max_len: int, strong: bool
) -> tuple[tuple[str, ...], ...]:
    """Per line length 0..max_len: the first needed literal set of every branch (of the view's rules)
    that has needed literals and may see a line that long, merged (a literal containing another one
    is left out: the shorter one finds it too).

    Whatever branch ends up among a line's literal candidates (``_candidates``) has needed literals,
    and ``_first_fullmatch`` keeps it only if the lower-cased line holds one of its first set; so a line
    holding none of these literals has no literal candidate left. A superset test, hence sound.
    """
    lits: list[tuple[int, tuple[str, ...]]] = []
    for r, spec in zip(rules, branches, strict=True):
        if spec is None or (strong and r.scope not in _ANYWHERE_SCOPES):
            continue
        lits += [(r.max_len, needs[0]) for _heads, needs, _cs in spec if needs]
    out: list[tuple[str, ...]] = []
    done: dict[frozenset[str], tuple[str, ...]] = {}  # only a few distinct sets (one per cap)
    for n in range(max_len + 1):
        want = frozenset(_probe(lit) for cap, first in lits if cap >= n for lit in first)
        if want not in done:
            # a shorter literal inside a longer one finds every line the longer one does
            minimal = [x for x in want if not any(y != x and y in x for y in want)]
            done[want] = tuple(sorted(minimal, key=lambda s: (len(s), s)))
        out.append(done[want])
    return tuple(out)


def _fast_branches(rules: tuple[Rule, ...]) -> tuple[Any, ...]:
    """Branch filters, with each needed literal set as a tuple (longest literals first)."""
    out: list[Any] = []
    for r in rules:
        spec = indexed_branches(r.regex, r.case_sensitive)
        if spec is None:
            out.append(None)
            continue
        out.append(tuple(
            (heads, tuple(tuple(sorted(x, key=lambda s: (-len(s), s))) for x in needs) if needs else None, cs)
            for heads, needs, cs in spec
        ))
    return tuple(out)


def _gate_literals(rule: Rule) -> tuple[str, ...] | None:
    """The literals ``_prefilter`` files this rule under (None: it always runs)."""
    lits = _required(sre_parse.parse(rule.regex, 0 if rule.case_sensitive else re.IGNORECASE), True)
    return tuple(sorted(lits)) if lits else None


def _prefilter(rules: tuple[Rule, ...], min_len: int) -> tuple[Any, tuple[int, ...]] | None:
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - falls back to running every rule
        return None
    need: dict[str, list[int]] = {}
    always = []
    for i, r in enumerate(rules):
        if r.max_len <= min_len:
            continue
        lits = _required(sre_parse.parse(r.regex, 0 if r.case_sensitive else re.IGNORECASE), True)
        if not lits:
            always.append(i)
            continue
        for lit in lits:
            need.setdefault(lit, []).append(i)
    if not need:  # an automaton without words cannot be searched
        return None, tuple(always)
    auto = ahocorasick.Automaton()
    for lit, idx in need.items():
        auto.add_word(lit, tuple(idx))
    auto.make_automaton()
    return auto, tuple(always)


def _probe(lit: str) -> str:
    """What ``_quick`` looks for instead of ``lit``: a two-character literal holding a symbol ("${", "%%")
    is replaced by its last symbol, which it contains (a one-character search is a C memchr, while a
    two-character needle gets little skipping); other literals stay."""
    if len(lit) == 2:
        symbols = [c for c in lit if not c.isalnum() and not c.isspace()]
        if symbols:
            return symbols[-1]
    return lit


def _agency_regex(aliases: list[str]) -> re.Pattern[str]:
    """Short aliases (AP, AA, dpa) match only as written so ordinary words never count as credits."""
    parts = []
    for alias in sorted(set(aliases), key=len, reverse=True):
        esc = re.escape(alias).replace("\\ ", r"\s+")
        parts.append(esc if len(alias) <= 4 else f"(?i:{esc})")
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(parts) + r")(?![A-Za-z])")
