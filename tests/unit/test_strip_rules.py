"""Rule-pack loading, validation, overrides and the linear-time guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.pipeline.rules import RuleError, load_rules


def _pack(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_load_with_bounded_names_and_version() -> None:
    rs = load_rules()
    packs = {n.split(".")[0] for n in rs.names}
    assert {"paywall", "subscription", "login", "promo", "social", "credits", "signoff", "initials",
            "navigation", "learned"} <= packs
    assert len(rs.names) == len(set(rs.names)) < 200
    assert len(rs.version) == 16


def test_user_pack_adds_overrides_and_disables(tmp_path: Path) -> None:
    p = _pack(tmp_path, """
pack: promo
rules:
  - name: read_more_bare
    disabled: true
  - name: house_promo
    kind: prefix
    pattern: "Catch the Evening Wire"
    scope: anywhere
""")
    rs = load_rules([p])
    assert "promo.house_promo" in rs.names and "promo.read_more_bare" not in rs.names
    assert rs.match("Catch the Evening Wire at 7pm").name == "promo.house_promo"
    assert rs.version != load_rules().version


def test_replace_defaults(tmp_path: Path) -> None:
    p = _pack(tmp_path, "pack: tiny\nrules:\n  - {name: ad, kind: exact, pattern: Advertisement}\n")
    rs = load_rules([tmp_path], replace_defaults=True)
    assert rs.names == ["tiny.ad", "learned"]
    assert rs.match("advertisement").name == "tiny.ad" and rs.match("Read more") is None
    assert p.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("pack: x\nrules:\n  - {name: bad, pattern: '(a+)+$'}\n", "nested quantifiers"),
        ("pack: x\nrules:\n  - {name: bad, pattern: '(\\w+\\s?)*x'}\n", "nested quantifiers"),
        ("pack: x\nrules:\n  - {name: bad, pattern: '(a)\\1'}\n", "backreferences"),
        ("pack: x\nrules:\n  - {name: bad, pattern: '(?=a)a'}\n", "lookarounds"),
        ("pack: x\nrules:\n  - {name: bad, pattern: '[unclosed'}\n", "invalid regex"),
        ("pack: x\nrules:\n  - {name: bad, kind: fuzzy, pattern: a}\n", "kind must be"),
        ("pack: x\nrules:\n  - {name: bad, scope: middle, pattern: a}\n", "scope must be"),
        ("pack: x\nrules:\n  - {name: bad, pattern: a, max_len: 5000}\n", "max_len"),
        ("pack: x\nrules:\n  - {name: bad, pattern: a, colour: red}\n", "unknown keys"),
        ("pack: x\nrules:\n  - {name: bad, pattern: '<<NOPE>>'}\n", "unknown macro"),
        ("pack: X Y\nrules: []\n", "'pack' must be"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_bad_packs_name_file_rule_and_problem(tmp_path: Path, body: str, fragment: str) -> None:
    p = _pack(tmp_path, body)
    with pytest.raises(RuleError) as exc:
        load_rules([p])
    msg = str(exc.value)
    assert str(p) in msg and fragment in msg
    if "name: bad" in body:
        assert "x.bad" in msg


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError):
        load_rules([tmp_path / "nope.yaml"])


def test_literal_prefilter_agrees_with_running_every_rule() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "strip"))
    import score

    rs = load_rules()
    lines = {t.strip() for it in score.load_items() for _, t in it.lines if t.strip()}
    lines |= {"ADVERTISEMENT", "© 2024 X", "₹1,299/year", "Log in", "ml/", "x" * 130, "Tags: a, b"}
    for line in lines:
        assert rs._match(line, len(line)) is rs.match_all(line) or (
            rs._match(line, len(line)).name == rs.match_all(line).name
        ), line
