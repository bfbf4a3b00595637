"""Throughput of the strip stage on one core: ~2 KB text items/s and HTML pages/s.

Run: .venv/bin/python bench/bench_strip.py [--profile]   (writes bench/results/strip.json)
Items come from the labelled set in tests/data/strip, padded/trimmed to about 2 KB.
Rates are items per second of this process's CPU time (``time.process_time``), so that other jobs on
the shared machine do not count against the stage; the wall-clock rate of the main run is printed too.
The main text rate is the steady state of a running worker: a freshly loaded RuleSet first strips 10,800
items (reported as the cold-start rate), then 10,800 more whose story lines are all new are timed.

The "worker mix" figures run the stage as ``chain.prepare`` does (``furniture.learned_lines``, ``strip``,
``furniture.observe`` with per-source state) on the end-to-end benchmark's items (``bench/generate.py``,
seed 7: 0.3-10 KB bodies, ~5 % scraped HTML pages): the first half warms the state, the second half is
timed, in CPU microseconds per item. ``--profile`` adds cProfile shares (self time by function) of the
steady-state text run and of the worker mix.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "strip"))

import score  # noqa: E402

from bench.generate import generate  # noqa: E402
from streams.pipeline import furniture, parse  # noqa: E402
from streams.pipeline.html_extract import extract_text_plain  # noqa: E402
from streams.pipeline.rules import RuleSet, load_rules  # noqa: E402
from streams.pipeline.strip import strip  # noqa: E402

MIX_ITEMS = 6000
WINDOW_S, MIN_ITEMS = 7 * 24 * 3600.0, 5  # the worker's defaults (chain.Knowledge)


def _two_kb(items: list[score.Item]) -> list[str]:
    """About 2 KB each: an item's own lines, topped up with story paragraphs from other items
    (inserted before its furniture) so that bodies stay realistic rather than repeating furniture."""
    pool = [t for it in items for lab, t in it.lines if lab == "S"]
    out = []
    for k, it in enumerate(items):
        lines = [t for _, t in it.lines]
        first_f = next((i for i, (lab, _) in enumerate(it.lines) if lab == "F" and i > 0), len(lines))
        j = k * 7
        while sum(len(x) + 1 for x in lines) < 1900:
            lines.insert(first_f, pool[j % len(pool)])
            j += 1
        body = "\n".join(lines)
        out.append(body[:2200].rsplit("\n", 1)[0] if len(body) > 2200 else body)
    return out


def _variants(items: list[score.Item], copies: int) -> list[str]:
    """``copies`` versions of each 2 KB body in which every story line is unique (a serial is
    appended), while furniture lines repeat as they do in a real stream from the same outlets."""
    base = _two_kb(items)
    furniture = {t for it in items for lab, t in it.lines if lab == "F"}
    out = []
    for c in range(copies):
        for b in base:
            lines = b.split("\n")
            out.append("\n".join(ln if (not ln or ln in furniture) else f"{ln} [{c}]" for ln in lines))
    return out


def _rate(fn, inputs: list[str], min_s: float = 3.0) -> tuple[float, int]:
    n, t0 = 0, time.process_time()
    while True:
        for x in inputs:
            fn(x)
        n += len(inputs)
        dt = time.process_time() - t0
        if dt >= min_s:
            return n / dt, n


def _worker_mix(rules: RuleSet, items: list, timed: bool = True) -> dict[str, float]:
    """CPU us/item of learned_lines + strip + observe, as chain.prepare runs them, on the second half."""
    state: dict = {}
    spent = {"all": 0.0, "text": 0.0, "html": 0.0}
    count = {"all": 0, "text": 0, "html": 0}
    half = len(items) // 2
    for j, it in enumerate(items):
        now = 1.7e9 + 2.0 * j
        t0 = time.process_time()
        lines = it.body.split("\n")
        learned = furniture.learned_lines(state, it.source, min_items=MIN_ITEMS, now=now, window_s=WINDOW_S,
                                          item_id=it.id, lines=lines, offset=j)
        strip(it.headline, it.body, rules, body_html=it.body_html, learned=learned)
        furniture.observe(state, it.source, it.id, lines, now, window_s=WINDOW_S, min_items=MIN_ITEMS,
                          offset=j)
        if j >= half and timed:
            dt = time.process_time() - t0
            kind = "html" if it.body_html and not it.body.strip() else "text"
            for k in ("all", kind):
                spent[k] += dt
                count[k] += 1
    return {k: spent[k] / count[k] * 1e6 if count[k] else 0.0 for k in spent} | {
        f"n_{k}": float(v) for k, v in count.items()
    }


def _profile(fn, label: str, top: int = 14) -> None:
    """Self-time shares by function under cProfile (its overhead inflates many small calls)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())  # type: ignore[attr-defined]
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    print(f"\n{label}: self time by function (cProfile, {total:.2f} s)")
    for (path, line, name), v in rows:
        where = f"{Path(path).name}:{line}({name})" if line else name
        print(f"  {v[2] / total * 100:5.1f}%  {where}")


def main() -> None:
    rules = load_rules()
    bodies = _two_kb(score.load_items())
    avg = sum(len(b.encode()) for b in bodies) / len(bodies)
    variants = _variants(score.load_items(), 120)  # 2 x 10,800 bodies; every story line seen once
    warmup, unique = variants[: len(variants) // 2], variants[len(variants) // 2 :]
    # Cold start: a fresh RuleSet (empty line memo and candidate caches) on the first 10,800 items.
    t0 = time.process_time()
    for body in warmup:
        strip("", body, rules)
    first_rate = len(warmup) / (time.process_time() - t0)
    # Steady state, as in a running worker: 10,800 further items whose story lines are all new.
    t0, w0 = time.process_time(), time.perf_counter()
    for body in unique:
        strip("", body, rules)
    text_rate, text_n = len(unique) / (time.process_time() - t0), len(unique)
    wall_rate = len(unique) / (time.perf_counter() - w0)
    cold_rules = load_rules()

    def cold(body: str) -> None:
        cold_rules.memo.clear()  # no memo at all: every line matched from scratch
        strip("", body, cold_rules)

    cold_rate, _ = _rate(cold, bodies, 2.0)
    pages = [p["html"] for p in score.load_pages()]
    page_kb = sum(len(p.encode()) for p in pages) / len(pages) / 1024
    html_rate, html_n = _rate(lambda h: strip("", "", rules, body_html=h), pages)
    base_rate, _ = _rate(extract_text_plain, pages)
    def run(body: str) -> tuple[str, list[str]]:
        res = strip("", body, rules)
        return res.body, res.credit

    mix_items = [parse.parse(raw) for raw in generate(MIX_ITEMS, seed=7)]
    mix = _worker_mix(load_rules(), mix_items)
    t = score.score_text(score.load_items(), run)
    ours = score.score_pages(score.load_pages(), lambda h: strip("", "", rules, body_html=h).body)
    base = score.score_pages(score.load_pages(), extract_text_plain)
    rows = [
        (f"text items/s (avg {avg:.0f} B), unique story lines", f"{text_rate:,.0f}", f"n={text_n}"),
        ("  same, wall clock (shared machine)", f"{wall_rate:,.0f}", ""),
        ("  first items after loading the rules", f"{first_rate:,.0f}", f"n={len(warmup)}"),
        ("text items/s, line memo disabled", f"{cold_rate:,.0f}", ""),
        (f"html pages/s (avg {page_kb:.1f} KB), ours", f"{html_rate:,.0f}", f"n={html_n}"),
        ("html pages/s, trafilatura alone", f"{base_rate:,.0f}", ""),
        ("worker mix: CPU us/item, learned+strip+observe", f"{mix['all']:,.1f}", f"n={mix['n_all']:.0f}"),
        ("  text items / HTML pages", f"{mix['text']:,.1f} / {mix['html']:,.1f}",
         f"n={mix['n_text']:.0f}/{mix['n_html']:.0f}"),
        ("text story-line loss", f"{t.loss:.4f}", f"{t.story_lost}/{t.story}"),
        ("text furniture recall", f"{t.recall:.4f}", f"{t.furniture_removed}/{t.furniture}"),
        ("text credit exact", f"{t.credit_ok}/{t.items}", ""),
        ("html story loss / recall, ours", f"{ours.loss:.4f} / {ours.recall:.4f}", ""),
        ("html story loss / recall, trafilatura", f"{base.loss:.4f} / {base.recall:.4f}", ""),
    ]
    w = max(len(r[0]) for r in rows)
    for name, val, extra in rows:
        print(f"{name:<{w}}  {val:>16}  {extra}")
    result = {
        "stage": "strip", "python": platform.python_version(), "machine": platform.machine(),
        "rules_version": rules.version, "timing": "process CPU time", "text_items_per_s": round(text_rate),
        "text_items_per_s_wall": round(wall_rate), "text_items_per_s_cold_start": round(first_rate),
        "text_items_per_s_no_memo": round(cold_rate), "text_item_bytes": round(avg),
        "html_pages_per_s": round(html_rate, 1), "html_page_kb": round(page_kb, 1),
        "trafilatura_pages_per_s": round(base_rate, 1),
        "worker_mix_us_per_item": round(mix["all"], 1), "worker_mix_text_us_per_item": round(mix["text"], 1),
        "worker_mix_html_us_per_page": round(mix["html"], 1), "worker_mix_items": MIX_ITEMS,
        "text_loss": t.loss, "text_recall": t.recall, "credit_exact": t.credit_ok / t.items,
        "html_loss": ours.loss, "html_recall": ours.recall,
        "trafilatura_loss": base.loss, "trafilatura_recall": base.recall,
    }
    out = ROOT / "bench" / "results" / "strip.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    if "--profile" in sys.argv:
        prof_rules = load_rules()
        for body in warmup:
            strip("", body, prof_rules)
        _profile(lambda: [strip("", body, prof_rules) for body in unique], "steady-state text items")
        mix_rules = load_rules()
        _profile(lambda: _worker_mix(mix_rules, mix_items, timed=False), "worker mix (both halves)")


if __name__ == "__main__":
    main()
