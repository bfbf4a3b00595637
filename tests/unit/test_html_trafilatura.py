"""html_trafilatura.extract must give exactly trafilatura.extract's text, and skip the comparison often."""

from __future__ import annotations

import random
import sys
from copy import copy
from pathlib import Path

import orjson
import pytest
import trafilatura
from lxml import etree, html
from trafilatura.external import compare_extraction
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

from bench.generate import generate
from streams.pipeline import html_trafilatura
from streams.pipeline.html_extract import _options, _tree

DATA = Path(__file__).resolve().parents[1] / "data" / "strip"
sys.path.insert(0, str(DATA))
import score  # noqa: E402


def _bench_pages(count: int = 3000) -> list[str]:
    out = []
    for raw in generate(count, 7):
        item = orjson.loads(raw)
        out += [b["value"] for b in item.get("bodies") or () if b.get("contenttype") == "text/html"]
    return out


def _mutated(pages: list[str]) -> list[str]:
    """Cut pages, paragraphs turned into divs, articles into plain divs: the guard's edge cases."""
    rng = random.Random(11)
    out = []
    for p in rng.sample(pages, 40):
        out.append(p[: rng.randrange(len(p))])
        out.append(p.replace("<p>", "<div>", rng.randint(1, 6)).replace("<p ", "<div ", rng.randint(0, 3)))
        out.append(p.replace("<article", "<div").replace("</article>", "</div>"))
    return out


def _small_pages(n: int = 400) -> list[str]:
    """Small pages of paragraphs, divs, lists, quotes, headings, tables, <br> runs and linked lines:
    short extractions (justext is consulted), list-only or table text (readability may win)."""
    from stories import STORIES, TRAPS

    paras = [p for _, _, ps in STORIES for p in ps] + TRAPS
    rng = random.Random(1)

    def block() -> str:
        t, k = rng.choice(paras), rng.randrange(8)
        return [f"<p>{t}</p>", f"<div>{t}</div>",
                "<ul>" + "".join(f"<li>{rng.choice(paras)}</li>" for _ in range(rng.randint(1, 4))) + "</ul>",
                f"<blockquote>{t}</blockquote>", f"<h2>{t[:60]}</h2>",
                f"<table><tr><td>{t}</td><td>{rng.choice(paras)}</td></tr></table>",
                f"{t}<br><br>{rng.choice(paras)}", f"<p><a href='/x'>{t[:50]}</a></p>"][k]

    out = []
    for _ in range(n):
        inner = "".join(block() for _ in range(rng.randint(1, 5)))
        wrap = rng.choice(["<article>{}</article>", "<div class='content'>{}</div>", "{}",
                           "<main><div>{}</div></main>"])
        tail = f"<div>{rng.choice(paras)}</div>" if rng.random() < 0.3 else ""
        out.append(f"<html><body>{wrap.format(inner)}{tail}</body></html>")
    return out


LABELLED = [p["html"] for f in ("pages.jsonl", "pages_outlets.jsonl") for p in score.load_pages(DATA / f)]
BENCH = _bench_pages()
PAGES = LABELLED + BENCH + _mutated(LABELLED + BENCH) + _small_pages() + [
    "<p>short text</p>", "<html><body><div class='sidebar'><p>x</p></div></body></html>",
    "<html><body><table><tr><td>" + "Cell text of a layout table that holds the story. " * 20
    + "</td></tr></table></body></html>",
]


def test_the_shortcut_applies_to_our_settings() -> None:
    """Fails when trafilatura is upgraded: the sequence must then be re-checked against the new version
    (until then every call goes to trafilatura.extract, which is correct but slower)."""
    assert html_trafilatura.supported(_options())


@pytest.mark.parametrize("prune", [True, False])
def test_identical_to_trafilatura_extract(prune: bool) -> None:
    before = dict(html_trafilatura.COUNTS)
    for page in PAGES:
        try:
            want = trafilatura.extract(_tree(page, prune), options=_options())
        except (etree.ParserError, ValueError):
            continue
        assert html_trafilatura.extract(_tree(page, prune), _options()) == want, page[:200]
    skipped = html_trafilatura.COUNTS["skipped"] - before["skipped"]
    compared = html_trafilatura.COUNTS["compared"] - before["compared"]
    print(f"skipped {skipped}, compared {compared} of {len(PAGES)}")
    assert skipped > 350 and compared > 300  # both paths ran


def test_comparison_skipped_on_most_pruned_pages() -> None:
    """The speed-up: on the bench mix's pages (and most labelled ones) readability/justext never run."""
    before = dict(html_trafilatura.COUNTS)
    for page in BENCH:
        html_trafilatura.extract(_tree(page, True), _options())
    assert html_trafilatura.COUNTS["skipped"] - before["skipped"] == len(BENCH)
    before = dict(html_trafilatura.COUNTS)
    for page in LABELLED:
        html_trafilatura.extract(_tree(page, True), _options())
    assert html_trafilatura.COUNTS["skipped"] - before["skipped"] >= 0.7 * len(LABELLED)


def test_guard_only_skips_comparisons_that_change_nothing() -> None:
    """Where the guard says "cannot change", run compare_extraction anyway: same body text."""
    opts = _options()
    checked = 0
    for page in PAGES:
        try:
            tree = _tree(page, True)
        except (etree.ParserError, ValueError):
            continue
        tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
        cleaned = tree_cleaning(copy(tree), opts)
        backup = copy(cleaned)
        cleaned = prune_unwanted_nodes(convert_tags(cleaned, opts, None), REMOVE_COMMENTS_XPATH)
        body, text = extract_content(cleaned, opts)
        if html_trafilatura._comparison_can_change(tree, body, len(text), opts):
            continue
        _, text2 = compare_extraction(backup, copy(tree), copy(body), text, opts)
        assert text2 == text, page[:200]
        checked += 1
    print(f"checked {checked}")
    assert checked > 450


def test_other_settings_and_forum_pages_go_to_trafilatura() -> None:
    page = _tree(LABELLED[0], True)
    fast = Extractor(output_format="txt", fast=True, precision=True, comments=False, tables=False)
    before = html_trafilatura.COUNTS["delegated"]
    assert html_trafilatura.extract(copy(page), fast) == trafilatura.extract(copy(page), options=fast)
    ld = '{"@type": "DiscussionForumPosting"}'
    post = "A forum post about the budget that is long enough to keep. " * 8
    forum = html.fromstring(f"<html><head><script type='application/ld+json'>{ld}</script></head>"
                            f"<body><article><p>{post}</p></article></body></html>")
    want = trafilatura.extract(copy(forum), options=_options())
    assert want and html_trafilatura.extract(copy(forum), _options()) == want
    assert html_trafilatura.COUNTS["delegated"] == before + 2


def test_frozenset_stop_list_gives_the_same_justext_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura builds the stop list as a tuple; a frozenset of the same words classifies alike."""
    from justext.core import define_stoplist
    from justext.utils import get_stoplist, get_stoplists
    from trafilatura import external

    words = tuple({w for lang in get_stoplists() for w in get_stoplist(lang)})  # as jt_stoplist_init
    assert define_stoplist(words) == define_stoplist(frozenset(words))
    pages = _small_pages(150)  # short extractions: justext runs on most
    monkeypatch.setattr(external, "JT_STOPLIST", words)
    monkeypatch.setattr(html_trafilatura, "_hashable_justext_stoplist", lambda: None)
    with_tuple = [html_trafilatura.extract(_tree(p, True), _options()) for p in pages]
    assert isinstance(external.JT_STOPLIST, tuple)
    monkeypatch.undo()
    before = html_trafilatura.COUNTS["compared"]
    assert [html_trafilatura.extract(_tree(p, True), _options()) for p in pages] == with_tuple
    assert html_trafilatura.COUNTS["compared"] - before > 50
    assert isinstance(external.JT_STOPLIST, frozenset) and frozenset(words) == external.JT_STOPLIST
