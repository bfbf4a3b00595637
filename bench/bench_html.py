"""HTML extraction options side by side: CPU ms per page, story loss and furniture recall, outputs changed.

Run: .venv/bin/python bench/bench_html.py [--rounds 7]   (writes bench/results/html.json)
     .venv/bin/python bench/bench_html.py --paired before,skip --rounds 5   (chunked A/B ratio only)

Page sets: the bench mix's HTML bodies (``bench/generate.py``, seed 7, 10,000 items: ~515 scraped copies),
the 16 labelled pages (tests/data/strip/pages.jsonl) and the 176 labelled outlet pages
(pages_outlets.jsonl). Every option runs the whole of ``extract_text`` (parse, our pruning, trafilatura,
fallbacks); they differ only in the trafilatura step (and, for ``article``, what it is given):

- ``plain``    trafilatura alone on the page string (``extract_text_plain``, the quality baseline);
- ``before``   our pruning + ``trafilatura.extract`` with our settings: the code before html_trafilatura
  (and before the schema.org paywalled-section rule in the pruning);
- ``fast``     ``before`` with ``fast=True`` (no readability/justext comparison; also keeps teasers);
- ``balanced`` ``before`` with ``favor_precision=False``;
- ``skip_tuple`` our pruning (with the paywalled-section rule) + ``html_trafilatura.extract``:
  ``trafilatura.extract``'s exact result, the comparison skipped when it cannot change it, justext's
  stop list left as trafilatura's tuple;
- ``skip``     the same with the stop list as a frozenset (what ``extract_text`` does);
- ``article``  ``skip`` given only the first <article>/<main>/articleBody element after pruning.

Every option but ``skip`` and ``article`` runs with trafilatura's stop list as the tuple it builds.

Times are per page of this process's CPU time (``time.process_time``), the median of ``--rounds``
rounds in which the options run in rotating order, after one warm-up pass (the first justext call
builds its stop list, ~0.2 s, once per process). Loss and recall are scored as score.py does, on the
text ``strip`` keeps.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "strip"))

import score  # noqa: E402

from bench.generate import generate  # noqa: E402
from streams.pipeline import html_extract, html_trafilatura  # noqa: E402
from streams.pipeline.rules import load_rules  # noqa: E402
from streams.pipeline.strip import strip  # noqa: E402

OPTIONS = ("plain", "before", "fast", "balanced", "skip_tuple", "skip", "article")


def bench_mix_pages(count: int = 10_000, seed: int = 7) -> list[str]:
    """The HTML bodies among the bench mix's items (what parse hands to strip as ``body_html``)."""
    pages = []
    for raw in generate(count, seed):
        item = orjson.loads(raw)
        pages += [b["value"] for b in item.get("bodies") or () if b.get("contenttype") == "text/html"]
    return pages


def _extractor(**changes: object) -> object:
    from trafilatura.settings import Extractor

    base = {"output_format": "txt", "fast": False, "precision": True, "recall": False, "comments": False,
            "formatting": None, "links": False, "images": False, "tables": False, "dedup": False}
    return Extractor(**(base | changes))


def _article_only(tree: object) -> None:
    """Keep only the first article container under <body> (``article`` option)."""
    found = tree.xpath("//article|//main|//*[@itemprop='articleBody']")  # type: ignore[attr-defined]
    body = tree.find("body")  # type: ignore[attr-defined]
    if not found or body is None or found[0] is body:
        return
    art = found[0]
    if art.tag == "main" and len(inner := art.findall(".//article")) == 1:
        art = inner[0]
    for child in list(body):
        body.remove(child)
    body.append(art)


def _stoplists() -> tuple[tuple[str, ...], frozenset[str]]:
    from trafilatura import external

    words = external.JT_STOPLIST or external.jt_stoplist_init()
    return tuple(words), frozenset(words)


STOPLISTS = _stoplists()


@contextmanager
def option(name: str) -> Iterator[Callable[[str], str]]:
    """``extract_text`` as the option runs it (module functions swapped for the duration)."""
    from trafilatura import external

    saved = (html_trafilatura.extract, html_extract._tree, html_trafilatura._hashable_justext_stoplist,
             external.JT_STOPLIST, html_extract._paywalled_parts)
    skip = html_trafilatura.extract
    external.JT_STOPLIST = STOPLISTS[1] if name in ("skip", "article") else STOPLISTS[0]
    if name not in ("skip", "article"):
        html_trafilatura._hashable_justext_stoplist = lambda: None  # type: ignore[assignment]
    if name in ("before", "fast", "balanced"):  # pruning as before the schema.org paywall rule
        html_extract._paywalled_parts = lambda tree: html_extract._KEEP_NONE  # type: ignore[assignment]
    try:
        if name == "plain":
            yield html_extract.extract_text_plain
            return
        if name in ("before", "fast", "balanced"):
            import trafilatura

            opts = {"before": html_extract._options(), "fast": _extractor(fast=True),
                    "balanced": _extractor(precision=False)}[name]
            html_trafilatura.extract = lambda tree, _o: trafilatura.extract(tree, options=opts)  # type: ignore[assignment]
        elif name == "article":
            tree_fn = html_extract._tree

            def _tree(page: str, prune: bool) -> object:
                tree = tree_fn(page, prune)
                if prune:
                    _article_only(tree)
                return tree

            html_extract._tree = _tree  # type: ignore[assignment]
        else:
            html_trafilatura.extract = skip
        yield html_extract.extract_text
    finally:
        (html_trafilatura.extract, html_extract._tree, html_trafilatura._hashable_justext_stoplist,
         external.JT_STOPLIST, html_extract._paywalled_parts) = saved  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--options", default=",".join(OPTIONS))
    ap.add_argument("--paired", metavar="A,B", help="only compare A and B chunk by chunk (see paired())")
    args = ap.parse_args(argv)
    if args.paired:
        a, b = args.paired.split(",")
        return paired(a, b, args.rounds)
    names = args.options.split(",")
    rules = load_rules()
    labelled = {"pages": score.load_pages(), "outlets": score.load_pages(score.HERE / "pages_outlets.jsonl")}
    sets = {"bench_mix": bench_mix_pages(), **{k: [p["html"] for p in v] for k, v in labelled.items()}}
    results: dict[str, dict[str, dict[str, float]]] = {n: {} for n in names}
    outputs: dict[str, dict[str, list[str]]] = {n: {} for n in names}
    for n in names:  # warm-up pass, outputs and quality
        with option(n) as run:
            for s, pages in sets.items():
                outputs[n][s] = [run(p) for p in pages]
                if s in labelled:
                    sc = score.score_pages(labelled[s], lambda h, run=run: strip("", run(h), rules).body)
                    results[n][s] = {"lost": sc.story_lost, "story": sc.story, "loss": round(sc.loss, 4),
                                     "kept": sc.furniture - sc.furniture_removed, "furniture": sc.furniture,
                                     "recall": round(sc.recall, 4)}
    times: dict[str, dict[str, list[float]]] = {n: {s: [] for s in sets} for n in names}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for s, pages in sets.items():
            for n in order:
                with option(n) as run:
                    t0 = time.process_time()
                    for p in pages:
                        run(p)
                    times[n][s].append((time.process_time() - t0) / len(pages) * 1000)
    html_trafilatura.COUNTS.update(skipped=0, compared=0, delegated=0)
    with option("skip") as run:
        skip_counts = {s: _counts(run, pages) for s, pages in sets.items()}
    ref = "before" if "before" in names else names[0]
    print(f"{'option':9s} " + " ".join(f"{s + ' ms/page':>17s}" for s in sets)
          + f"   quality (lost/story, kept/furniture), pages changed vs {ref}")
    for n in names:
        for s in sets:
            results[n].setdefault(s, {})
            results[n][s]["ms_per_page"] = round(statistics.median(times[n][s]), 3)
            pairs = zip(outputs[n][s], outputs[ref][s], strict=True)
            results[n][s]["changed_vs_" + ref] = sum(a != b for a, b in pairs)
        cells = " ".join(f"{results[n][s]['ms_per_page']:17.3f}" for s in sets)
        q = results[n]
        qual = "; ".join(f"{s} {q[s]['lost']}/{q[s]['story']}, {q[s]['kept']}/{q[s]['furniture']}"
                         for s in labelled)
        changed = ", ".join(f"{results[n][s]['changed_vs_' + ref]}" for s in sets)
        print(f"{n:9s} {cells}   {qual}; changed {changed}")
    print("skip: comparison skipped/run/delegated per set:", skip_counts)
    out = {"pages": {s: len(p) for s, p in sets.items()}, "rounds": args.rounds, "results": results,
           "skip_counts": skip_counts}
    path = ROOT / "bench" / "results" / "html.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


def paired(a: str, b: str, rounds: int, chunk: int = 25) -> int:
    """A and B alternate on chunks of ``chunk`` pages (order swapped every chunk), ``rounds`` times over
    each set; prints the median of the per-chunk CPU ratios B/A, which other jobs on the machine
    disturb much less than whole-set timings."""
    sets = {"bench_mix": bench_mix_pages(), "pages": [p["html"] for p in score.load_pages()],
            "outlets": [p["html"] for p in score.load_pages(score.HERE / "pages_outlets.jsonl")]}
    for name in (a, b):  # warm-up
        with option(name) as run:
            for pages in sets.values():
                for p in pages:
                    run(p)
    for s, pages in sets.items():
        ratios, ta, tb = [], [], []
        for r in range(rounds):
            for i in range(0, len(pages), chunk):
                part = pages[i:i + chunk]
                spent = {}
                for name in ((a, b) if (i // chunk + r) % 2 == 0 else (b, a)):
                    with option(name) as run:
                        t0 = time.process_time()
                        for p in part:
                            run(p)
                        spent[name] = time.process_time() - t0
                ratios.append(spent[b] / spent[a])
                ta.append(spent[a] / len(part) * 1000)
                tb.append(spent[b] / len(part) * 1000)
        print(f"{s:10s} {a} {statistics.median(ta):.3f} ms/page, {b} {statistics.median(tb):.3f} ms/page "
              f"(chunk medians); median ratio {b}/{a} {statistics.median(ratios):.3f}, {len(ratios)} chunks")
    return 0


def _counts(run: Callable[[str], str], pages: list[str]) -> dict[str, int]:
    before = dict(html_trafilatura.COUNTS)
    for p in pages:
        run(p)
    return {k: html_trafilatura.COUNTS[k] - before[k] for k in before}


if __name__ == "__main__":
    raise SystemExit(main())
