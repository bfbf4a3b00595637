"""The routing rule language: YAML text -> validated, compiled ``RuleSet``.

Editors change routes without a redeploy, so a rule file is untrusted input: it is
composed with PyYAML's *safe* composer (no Python tags, no object construction),
walked node by node so every error can name the line and column, and compiled into
plain frozen dataclasses. Nothing is ever ``eval``'ed and there are no regexes:
keyword/phrase lists of the whole rule set become one Aho-Corasick automaton, so a
story is scanned once whatever the number of routes. The language is documented in
``docs/routing.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

DEFAULT_ROUTES = Path(__file__).resolve().parent.parent / "data" / "routes.yaml"

ROUTE_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
ENTITY_ID_RE = re.compile(r"Q[1-9][0-9]{0,11}|[a-z][a-z0-9_]{0,15}:[A-Za-z0-9_.:-]{1,100}")
TYPE_RE = re.compile(r"[a-z][a-z_-]{0,39}")
LANG_RE = re.compile(r"[a-z]{2,3}")
SOURCE_RE = re.compile(r"[a-z0-9][a-z0-9 ._&'-]{0,59}")
ZONES = ("headline", "lead", "body")
MAX_PHRASE_LEN = 120
MAX_DEPTH = 32

_ISO_ALPHA2_TEXT = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE "
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC "
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA "
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW "
)
ISO_ALPHA2 = frozenset(_ISO_ALPHA2_TEXT.split())

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class RouteSyntaxError(ValueError):
    """A rule set is invalid; ``str(e)`` is ``origin:line:col: what is wrong``."""

    def __init__(self, origin: str, line: int | None, col: int | None, message: str) -> None:
        where = origin if line is None else f"{origin}:{line}" + ("" if col is None else f":{col}")
        super().__init__(f"{where}: {message}")
        self.origin = origin
        self.line = line
        self.column = col
        self.message = message


# ----------------------------------------------------------------------------- AST
@dataclass(frozen=True, slots=True)
class Expr:
    """Base of all clauses. ``text`` is the canonical clause text used in reasons."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class All(Expr):
    children: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf(Expr):
    children: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AtLeast(Expr):
    n: int
    children: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    child: Expr


@dataclass(frozen=True, slots=True)
class EntityCond(Expr):
    ids: frozenset[str] | None
    types: frozenset[str] | None
    countries: frozenset[str] | None
    zones: frozenset[str] | None  # None: anywhere (uses Entity.count)
    min_count: int
    min_distinct: int
    share: float | None
    share_of: frozenset[str] | None  # denominator types; None: the types of the selected entities


@dataclass(frozen=True, slots=True)
class CountryCond(Expr):
    codes: frozenset[str]
    top: int | None


@dataclass(frozen=True, slots=True)
class PhraseCond(Expr):
    phrase_ids: frozenset[int]
    zones: frozenset[str] | None
    min_count: int


@dataclass(frozen=True, slots=True)
class SourceCond(Expr):
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class LanguageCond(Expr):
    codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class SameParagraph(Expr):
    children: tuple[EntityCond | PhraseCond, ...]
    min_paragraphs: int


@dataclass(frozen=True, slots=True)
class RouteRef(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    description: str
    match: Expr
    line: int

    @property
    def topic(self) -> str:
        return f"wire.route.{self.name}"


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """One automaton for every phrase of the rule set; values are ``(phrase_id, length, prefix)``."""

    automaton: Any  # ahocorasick.Automaton, or None when the rule set has no phrases
    phrases: tuple[str, ...]  # phrase_id -> phrase as written (lower-cased, "*" kept)


@dataclass(frozen=True)
class RuleSet:
    routes: tuple[Route, ...]
    version: str
    source_text: str
    origin: str = "<routes>"
    matcher: PhraseMatcher = field(default=PhraseMatcher(None, ()), repr=False, compare=False)
    # predicates, trigger index and phrase automaton compiled by ``route.compile_rules`` (built in
    # ``parse_routes``, else on first use); not an init argument, so ``dataclasses.replace`` drops it
    compiled: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.routes]

    def get(self, name: str) -> Route | None:
        for r in self.routes:
            if r.name == name:
                return r
        return None


# ----------------------------------------------------------------------------- parser
OPERATORS = (
    "all", "any", "not", "at_least", "entity", "country", "phrase", "keyword",
    "source", "language", "same_paragraph", "route",
)
_ENTITY_KEYS = ("id", "type", "country", "in", "min_count", "min_distinct", "share", "share_of")
_PHRASE_KEYS = ("any", "in", "min_count")
_COUNTRY_KEYS = ("code", "top")
_ROUTE_KEYS = ("description", "match")
_TOP_KEYS = ("version", "routes")


def _expected(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"(expected one of: {', '.join(options)}){hint}"


class _Parser:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.route = ""
        self.phrases: dict[str, int] = {}
        self.seen: set[int] = set()
        self.ref_nodes: dict[int, Node] = {}  # id(RouteRef) -> YAML node, for error positions

    # -- helpers
    def err(self, node: Node | None, msg: str) -> RouteSyntaxError:
        if self.route:
            head, sep, tail = msg.partition(" (expected")
            msg = f"{head} in route '{self.route}'{sep}{tail}"
        if node is None:
            return RouteSyntaxError(self.origin, None, None, msg)
        return RouteSyntaxError(self.origin, node.start_mark.line + 1, node.start_mark.column + 1, msg)

    def check_tags(self, node: Node, depth: int = 0) -> None:
        """Reject aliases (billion-laughs) and any tag beyond plain YAML data."""
        if depth > MAX_DEPTH * 2:
            raise self.err(node, "document is nested too deeply")
        if id(node) in self.seen:
            raise self.err(node, "YAML anchors/aliases are not allowed")
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag == "tag:yaml.org,2002:merge":
                raise self.err(node, "YAML merge keys are not allowed")
            if node.tag not in _SCALAR_TAGS:
                raise self.err(node, f"YAML tag {node.tag!r} is not allowed (plain data only)")
        elif isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise self.err(node, f"YAML tag {node.tag!r} is not allowed (plain data only)")
            for child in node.value:
                self.check_tags(child, depth + 1)
        elif isinstance(node, MappingNode):
            if node.tag != _MAP:
                raise self.err(node, f"YAML tag {node.tag!r} is not allowed (plain data only)")
            for k, v in node.value:
                self.check_tags(k, depth + 1)
                self.check_tags(v, depth + 1)

    def items(self, node: Node, what: str) -> Iterator[tuple[str, ScalarNode, Node]]:
        if not isinstance(node, MappingNode):
            raise self.err(node, f"{what} must be a mapping")
        seen: set[str] = set()
        for k, v in node.value:
            if not isinstance(k, ScalarNode) or k.tag != _STR:
                raise self.err(k, f"keys of {what} must be plain strings")
            if k.value == "<<":
                raise self.err(k, "YAML merge keys are not allowed")
            if k.value in seen:
                raise self.err(k, f"duplicate key '{k.value}' in {what}")
            seen.add(k.value)
            yield k.value, k, v

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.err(node, f"{what} must be a single value, not a {_kind(node)}")
        tag, v = node.tag, node.value
        if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
            return v
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return v.lower() in ("true", "yes", "on")
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(v.replace("_", ""), 0)
            except ValueError:
                return int(v.replace("_", ""))
        return float(v)

    def string(self, node: Node, what: str) -> str:
        v = self.scalar(node, what)
        if not isinstance(v, str) or (node.tag != _STR and node.tag != "tag:yaml.org,2002:timestamp"):
            raise self.err(node, f"{what} must be a string, got {v!r}")
        return v

    def strings(self, node: Node, what: str) -> list[tuple[str, Node]]:
        """A string or a non-empty list of strings (numbers are accepted as text)."""
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        if not nodes:
            raise self.err(node, f"{what} must not be an empty list")
        out = []
        for n in nodes:
            v = self.scalar(n, f"each {what}")
            if isinstance(v, bool) or v is None:
                raise self.err(n, f"{what} must be a string, got {n.value!r}")
            out.append((str(v) if not isinstance(v, str) else v, n))
        return out

    def integer(self, node: Node, what: str, lo: int, hi: int) -> int:
        v = self.scalar(node, what)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.err(node, f"{what} must be an integer in {lo}..{hi}, got {node.value!r}")
        return v

    def zones(self, node: Node) -> frozenset[str]:
        out = set()
        for z, n in self.strings(node, "'in' zone"):
            if z not in ZONES:
                raise self.err(n, f"unknown zone '{z}' {_expected(z, ZONES)}")
            out.add(z)
        return frozenset(out)

    # -- document
    def document(self, text: str) -> tuple[list[Route], str | None]:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            col = mark.column + 1 if mark else None
            raise RouteSyntaxError(self.origin, line, col, f"invalid YAML: {exc.problem or exc}") from None
        except yaml.YAMLError as exc:
            raise RouteSyntaxError(self.origin, None, None, f"invalid YAML: {exc}") from None
        if root is None:
            raise RouteSyntaxError(self.origin, 1, None, "empty rule set: expected a mapping with 'routes'")
        self.check_tags(root)
        version: str | None = None
        routes_node: Node | None = None
        for key, knode, v in self.items(root, "the rule set"):
            if key == "version":
                ver = self.scalar(v, "version")
                if ver is None or isinstance(ver, bool) or not str(ver).strip():
                    raise self.err(v, "version must be a non-empty string")
                version = str(ver) if not isinstance(ver, str) else ver
            elif key == "routes":
                routes_node = v
            else:
                raise self.err(knode, f"unknown top-level key '{key}' {_expected(key, _TOP_KEYS)}")
        if routes_node is None:
            raise self.err(root, "missing 'routes' mapping")
        if isinstance(routes_node, ScalarNode) and routes_node.tag == "tag:yaml.org,2002:null":
            return [], version
        routes = []
        for name, knode, v in self.items(routes_node, "'routes'"):
            if not ROUTE_NAME_RE.fullmatch(name):
                raise self.err(
                    knode,
                    f"invalid route name '{name}': use lower-case letters, digits and '-', starting with a "
                    "letter or digit, at most 100 characters (it becomes the topic wire.route.<name>)",
                )
            self.route = name
            routes.append(self.route_def(name, knode, v))
            self.route = ""
        return routes, version

    def route_def(self, name: str, knode: Node, node: Node) -> Route:
        description = ""
        match: Expr | None = None
        for key, kn, v in self.items(node, "a route"):
            if key == "description":
                description = self.string(v, "description")
            elif key == "match":
                match = self.expr(v, 0)
            else:
                raise self.err(kn, f"unknown route key '{key}' {_expected(key, _ROUTE_KEYS)}")
        if match is None:
            raise self.err(knode, "missing 'match'")
        return Route(name, description.strip(), match, knode.start_mark.line + 1)

    # -- expressions
    def expr(self, node: Node, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise self.err(node, f"expression nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, SequenceNode):
            raise self.err(node, "a list is not an expression here; wrap it in 'all:' or 'any:'")
        if not isinstance(node, MappingNode):
            raise self.err(node, f"expected an expression (a mapping like 'any: [...]'), got {node.value!r}")
        parts = [self.operator(key, kn, v, depth) for key, kn, v in self.items(node, "an expression")]
        if not parts:
            raise self.err(node, "empty expression")
        if len(parts) == 1:
            return parts[0]
        line = node.start_mark.line + 1
        return All(line, "all(" + ", ".join(p.text for p in parts) + ")", tuple(parts))

    def expr_list(self, node: Node, depth: int, what: str) -> tuple[Expr, ...]:
        if not isinstance(node, SequenceNode):
            raise self.err(node, f"'{what}' takes a list of expressions")
        if not node.value:
            raise self.err(node, f"'{what}' must not be empty")
        return tuple(self.expr(n, depth + 1) for n in node.value)

    def operator(self, op: str, kn: Node, v: Node, depth: int) -> Expr:
        line = kn.start_mark.line + 1
        if op in ("all", "any"):
            kids = self.expr_list(v, depth, op)
            text = f"{op}(" + ", ".join(k.text for k in kids) + ")"
            return All(line, text, kids) if op == "all" else AnyOf(line, text, kids)
        if op == "not":
            if isinstance(v, SequenceNode):
                kids = self.expr_list(v, depth, op)
                child: Expr = kids[0] if len(kids) == 1 else AnyOf(line, "any(" + ", ".join(
                    k.text for k in kids) + ")", kids)
            else:
                child = self.expr(v, depth + 1)
            return Not(line, f"not {child.text}", child)
        if op == "at_least":
            n_node = of_node = None
            for key, kn2, v2 in self.items(v, "'at_least'"):
                if key == "n":
                    n_node = v2
                elif key == "of":
                    of_node = v2
                else:
                    raise self.err(kn2, f"unknown key '{key}' in at_least {_expected(key, ('n', 'of'))}")
            if n_node is None or of_node is None:
                raise self.err(v, "'at_least' needs 'n' and 'of'")
            kids = self.expr_list(of_node, depth, "at_least.of")
            n = self.integer(n_node, "at_least.n", 1, len(kids))
            return AtLeast(line, f"at_least {n} of(" + ", ".join(k.text for k in kids) + ")", n, kids)
        if op == "entity":
            return self.entity(v, line)
        if op == "country":
            return self.country(v, line)
        if op in ("phrase", "keyword"):
            return self.phrase(v, line, op)
        if op == "source":
            names = []
            for s, n in self.strings(v, "source"):
                s = s.strip().lower()
                if not SOURCE_RE.fullmatch(s):
                    raise self.err(n, f"invalid source name {s!r}")
                names.append(s)
            return SourceCond(line, f"source in [{', '.join(names)}]", frozenset(names))
        if op == "language":
            codes = []
            for s, n in self.strings(v, "language"):
                s = s.strip().lower()
                if not LANG_RE.fullmatch(s):
                    raise self.err(n, f"invalid language code {s!r} (expected ISO 639-1 like 'en')")
                codes.append(s)
            return LanguageCond(line, f"language in [{', '.join(codes)}]", frozenset(codes))
        if op == "same_paragraph":
            return self.same_paragraph(v, line, depth)
        if op == "route":
            name = self.string(v, "route")
            if not ROUTE_NAME_RE.fullmatch(name):
                raise self.err(v, f"invalid route name '{name}'")
            ref = RouteRef(line, f"route {name}", name)
            self.ref_nodes[id(ref)] = v
            return ref
        raise self.err(kn, f"unknown operator '{op}' {_expected(op, OPERATORS)}")

    def codes(self, node: Node) -> list[str]:
        out = []
        for c, n in self.strings(node, "country code"):
            if c not in ISO_ALPHA2:
                hint = " (codes are upper-case)" if c.upper() in ISO_ALPHA2 else ""
                raise self.err(n, f"unknown ISO 3166-1 alpha-2 country code {c!r}{hint}")
            out.append(c)
        return out

    def entity(self, node: Node, line: int) -> EntityCond:
        ids = types = countries = zones = share_of = None
        min_count = min_distinct = 1
        share: float | None = None
        shown: list[str] = []
        for key, kn, v in self.items(node, "'entity'"):
            if key == "id":
                vals = self.strings(v, "entity id")
                for s, n in vals:
                    if not ENTITY_ID_RE.fullmatch(s):
                        raise self.err(n, f"invalid entity id {s!r} (expected a Wikidata QID like Q858 "
                                          "or a namespaced id like 'kb:foo')")
                ids = frozenset(s for s, _ in vals)
                shown.append(f"id: {_fmt([s for s, _ in vals])}")
            elif key == "type":
                vals = self.strings(v, "entity type")
                for s, n in vals:
                    if not TYPE_RE.fullmatch(s):
                        raise self.err(n, f"invalid entity type {s!r} (lower-case word like 'person')")
                types = frozenset(s for s, _ in vals)
                shown.append(f"type: {_fmt([s for s, _ in vals])}")
            elif key == "country":
                cs = self.codes(v)
                countries = frozenset(cs)
                shown.append(f"country: {_fmt(cs)}")
            elif key == "in":
                zones = self.zones(v)
                shown.append(f"in: {_fmt([z for z in ZONES if z in zones])}")
            elif key == "min_count":
                min_count = self.integer(v, "min_count", 1, 10_000)
                shown.append(f"min_count: {min_count}")
            elif key == "min_distinct":
                min_distinct = self.integer(v, "min_distinct", 1, 1000)
                shown.append(f"min_distinct: {min_distinct}")
            elif key == "share":
                s = self.scalar(v, "share")
                if isinstance(s, bool) or not isinstance(s, int | float) or not 0 < s <= 1:
                    raise self.err(v, f"share must be a number in (0, 1], got {v.value!r}")
                share = float(s)
                shown.append(f"share: {share:g}")
            elif key == "share_of":
                vals = self.strings(v, "share_of type")
                for s, n in vals:
                    if not TYPE_RE.fullmatch(s):
                        raise self.err(n, f"invalid entity type {s!r}")
                share_of = frozenset(s for s, _ in vals)
                shown.append(f"share_of: {_fmt([s for s, _ in vals])}")
            else:
                raise self.err(kn, f"unknown key '{key}' in entity {_expected(key, _ENTITY_KEYS)}")
        if ids is None and types is None and countries is None:
            raise self.err(node, "'entity' needs at least one of 'id', 'type' or 'country'")
        if share_of is not None and share is None:
            raise self.err(node, "'share_of' needs 'share'")
        text = "entity {" + ", ".join(shown) + "}"
        return EntityCond(line, text, ids, types, countries, zones, min_count, min_distinct, share, share_of)

    def country(self, node: Node, line: int) -> CountryCond:
        top: int | None = None
        if isinstance(node, MappingNode):
            code_node = None
            for key, kn, v in self.items(node, "'country'"):
                if key == "code":
                    code_node = v
                elif key == "top":
                    top = self.integer(v, "top", 1, 300)
                else:
                    raise self.err(kn, f"unknown key '{key}' in country {_expected(key, _COUNTRY_KEYS)}")
            if code_node is None:
                raise self.err(node, "'country' needs 'code'")
            cs = self.codes(code_node)
        else:
            cs = self.codes(node)
        text = f"country {{code: {_fmt(cs)}" + (f", top: {top}" if top else "") + "}"
        return CountryCond(line, text, frozenset(cs), top)

    def phrase(self, node: Node, line: int, op: str) -> PhraseCond:
        zones: frozenset[str] | None = None
        min_count = 1
        list_node: Node | None = node
        if isinstance(node, MappingNode):
            list_node = None
            for key, kn, v in self.items(node, f"'{op}'"):
                if key == "any":
                    list_node = v
                elif key == "in":
                    zones = self.zones(v)
                elif key == "min_count":
                    min_count = self.integer(v, "min_count", 1, 10_000)
                else:
                    raise self.err(kn, f"unknown key '{key}' in {op} {_expected(key, _PHRASE_KEYS)}")
            if list_node is None:
                raise self.err(node, f"'{op}' needs 'any: [phrases]'")
        assert list_node is not None
        ids = []
        words = []
        for p, n in self.strings(list_node, op):
            norm = " ".join(p.lower().split())
            core = norm[:-1] if norm.endswith("*") else norm
            if not core or len(norm) > MAX_PHRASE_LEN or not any(ch.isalnum() for ch in core):
                raise self.err(n, f"invalid {op} {p!r}: must contain letters or digits, at most "
                                  f"{MAX_PHRASE_LEN} characters")
            if "*" in core:
                raise self.err(n, f"invalid {op} {p!r}: '*' is only allowed at the end (word prefix)")
            if norm.endswith("*") and len(core) < 3:
                raise self.err(n, f"invalid {op} {p!r}: a prefix needs at least 3 characters before '*'")
            if norm not in self.phrases:
                self.phrases[norm] = len(self.phrases)
            ids.append(self.phrases[norm])
            words.append(norm)
        extra = ""
        if zones is not None:
            extra += f", in: {_fmt([z for z in ZONES if z in zones])}"
        if min_count != 1:
            extra += f", min_count: {min_count}"
        text = f"{op} {_fmt(words, limit=8)}{extra}"
        return PhraseCond(line, text, frozenset(ids), zones, min_count)

    def same_paragraph(self, node: Node, line: int, depth: int) -> SameParagraph:
        min_p = 1
        list_node: Node | None = node
        if isinstance(node, MappingNode):
            list_node = None
            for key, kn, v in self.items(node, "'same_paragraph'"):
                if key == "all":
                    list_node = v
                elif key == "min":
                    min_p = self.integer(v, "same_paragraph.min", 1, 1000)
                else:
                    hint = _expected(key, ("all", "min"))
                    raise self.err(kn, f"unknown key '{key}' in same_paragraph {hint}")
            if list_node is None:
                raise self.err(node, "'same_paragraph' needs 'all: [entity/phrase clauses]'")
        kids = self.expr_list(list_node, depth, "same_paragraph")
        for k, n in zip(kids, list_node.value, strict=True):  # type: ignore[union-attr]
            if not isinstance(k, EntityCond | PhraseCond):
                raise self.err(n, "same_paragraph only takes 'entity' and 'phrase'/'keyword' clauses")
            if isinstance(k, EntityCond) and (k.share is not None or k.min_distinct > 1):
                raise self.err(n, "'share' and 'min_distinct' are not supported inside same_paragraph")
        text = "same_paragraph(" + ", ".join(k.text for k in kids) + ")" + (f" x{min_p}" if min_p > 1 else "")
        return SameParagraph(line, text, kids, min_p)  # type: ignore[arg-type]


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    return "mapping" if isinstance(node, MappingNode) else "value"


def _fmt(values: list[str], limit: int = 0) -> str:
    if len(values) == 1:
        return values[0]
    if limit and len(values) > limit:
        return "[" + ", ".join(values[:limit]) + f", ... +{len(values) - limit}]"
    return "[" + ", ".join(values) + "]"


def _refs(e: Expr) -> Iterator[RouteRef]:
    if isinstance(e, RouteRef):
        yield e
    elif isinstance(e, All | AnyOf | AtLeast | SameParagraph):
        for c in e.children:
            yield from _refs(c)
    elif isinstance(e, Not):
        yield from _refs(e.child)


def _check_refs(routes: list[Route], p: _Parser) -> None:
    by_name = {r.name: r for r in routes}
    for r in routes:
        p.route = r.name
        for ref in _refs(r.match):
            if ref.name not in by_name:
                raise p.err(p.ref_nodes.get(id(ref)), f"unknown route '{ref.name}' referenced")
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path[path.index(name):], name])
            p.route = name
            first = next(iter(_refs(by_name[name].match)))
            raise p.err(p.ref_nodes.get(id(first)), f"route references form a cycle: {cycle}")
        state[name] = 1
        for ref in _refs(by_name[name].match):
            visit(ref.name, [*path, name])
        state[name] = 2

    for r in routes:
        visit(r.name, [])
    p.route = ""


def _build_matcher(phrases: dict[str, int]) -> PhraseMatcher:
    if not phrases:
        return PhraseMatcher(None, ())
    auto = ahocorasick.Automaton()
    ordered = sorted(phrases, key=phrases.__getitem__)
    for norm, pid in phrases.items():
        prefix = norm.endswith("*")
        key = norm[:-1] if prefix else norm
        existing = auto.get(key, None)
        entry = (pid, len(key), prefix)
        auto.add_word(key, (*existing, entry) if existing else (entry,))
    auto.make_automaton()
    return PhraseMatcher(auto, tuple(ordered))


def parse_routes(text: str, *, origin: str = "<routes>") -> RuleSet:
    """Validate and compile a rule set; raises ``RouteSyntaxError`` naming ``origin:line:col``."""
    if not isinstance(text, str):
        raise RouteSyntaxError(origin, None, None, "rule set must be text")
    p = _Parser(origin)
    routes, version = p.document(text)
    _check_refs(routes, p)
    if version is None:
        version = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    rules = RuleSet(tuple(routes), version, text, origin, _build_matcher(p.phrases))
    from streams.pipeline.route import compile_rules  # here: route.py imports this module

    compile_rules(rules)
    return rules


def load_routes(path: Path | None = None) -> RuleSet:
    """Load a rule file (default: the packaged ``streams/data/routes.yaml``)."""
    path = Path(path) if path is not None else DEFAULT_ROUTES
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RouteSyntaxError(str(path), None, None, f"cannot read rule file: {exc}") from None
    return parse_routes(text, origin=str(path) if path != DEFAULT_ROUTES else "routes.yaml")
