"""Load every data file a worker needs, as the settings say."""

from __future__ import annotations

from streams.pipeline import dedup
from streams.pipeline.chain import Knowledge
from streams.pipeline.kb import load_kb
from streams.pipeline.route_lang import load_routes
from streams.pipeline.rules import load_rules
from streams.settings import Settings


def load_knowledge(s: Settings) -> Knowledge:
    return Knowledge(
        strip_rules=load_rules(s.rules_extra, replace_defaults=s.rules_replace_defaults),
        kb=load_kb(extra_paths=s.kb_extra),
        routes=load_routes(s.routes_file),
        dedup=dedup.DedupConfig(horizon_s=s.dedup_horizon_s),
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
