"""Load every data file a worker needs, as the settings say."""

from __future__ import annotations

from streams.pipeline import dedup, dedup_fingerprint, parse, tag_native
from streams.pipeline.chain import Knowledge
from streams.pipeline.kb import load_kb
from streams.pipeline.route import compile_rules
from streams.pipeline.route_lang import load_routes
from streams.pipeline.rules import load_rules
from streams.settings import Settings


def load_knowledge(s: Settings) -> Knowledge:
    kb = load_kb(extra_paths=s.kb_extra)
    tag_native.tagger_for(kb, use_native=s.native)  # built (or not) now, as the settings say
    parse.use_native(s.native)
    dedup_fingerprint.use_native(s.native)
    routes = load_routes(s.routes_file)
    compile_rules(routes, native=s.native)
    return Knowledge(
        strip_rules=load_rules(s.rules_extra, replace_defaults=s.rules_replace_defaults, native=s.native),
        kb=kb,
        routes=routes,
        dedup=dedup.DedupConfig(horizon_s=s.dedup_horizon_s, native=s.native),
        max_message_bytes=s.max_message_bytes,
        max_body_chars=s.max_body_chars,
        furniture_window_s=s.furniture_window_s,
        furniture_min_items=s.furniture_min_items,
        test_poison=(
            (s.test_poison_prefix, frozenset(x.strip() for x in s.test_poison_stage.split(",") if x.strip()))
            if s.test_poison_prefix
            else None
        ),
    )
