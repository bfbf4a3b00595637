"""Word lists for the tagger's rules, loaded from streams/data/kb/tag_words.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

from streams.pipeline.kb import KBError

_PATH = Path(__file__).resolve().parents[1] / "data" / "kb" / "tag_words.yaml"
_KEYS = (
    "titles",
    "roles",
    "modifiers",
    "function_caps",
    "days_months",
    "month_preps",
    "name_particles",
    "non_name_words",
)


def _load(path: Path = _PATH) -> dict[str, frozenset[str]]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise KBError(f"{path}: expected a mapping")
    out: dict[str, frozenset[str]] = {}
    for key in _KEYS:
        words = data.get(key)
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise KBError(f"{path}: '{key}' must be a list of non-empty strings")
        out[key] = frozenset(w.lower() for w in words)
    return out


_W = _load()
TITLE_WORDS = _W["titles"]
ROLE_WORDS = _W["roles"]
MODIFIER_WORDS = _W["modifiers"]
FUNCTION_CAPS = _W["function_caps"]
DAYS_MONTHS = _W["days_months"]
MONTH_PREPS = _W["month_preps"]
NAME_PARTICLES = _W["name_particles"]
NON_NAME_WORDS = _W["non_name_words"]
