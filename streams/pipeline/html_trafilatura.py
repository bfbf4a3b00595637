"""``trafilatura.extract(tree, options=...)`` for our one configuration, without the work that cannot
change its result.

With ``fast=False`` trafilatura runs its own extractor, then readability (on a copy of the page) and
compares the two, then maybe justext. On pages our pruning has already cleaned, that comparison is
about 40 % of the time and never changes the answer: readability replaces trafilatura's text only
when it is more than twice as long (or trafilatura's has no paragraph text, or is tables), and
readability's text is part of the page's text. So when the whole remaining page holds at most twice
what trafilatura found, its text has paragraphs, is not short (< ``min_extracted_size``, which would
call justext) and holds none of the elements that call justext, the comparison is skipped; otherwise it
runs exactly as trafilatura runs it. The input tree is not copied first (trafilatura copies it; callers
here discard it).

This follows trafilatura 2.3.1's ``bare_extraction``/``trafilatura_sequence`` step by step for
precision mode without comments, metadata, language or dedup; any other version or configuration (or a
forum page) goes to ``trafilatura.extract`` unchanged. tests/unit/test_html_trafilatura.py checks the
two give identical text on every labelled and benchmark page.
"""

from __future__ import annotations

from copy import copy

import trafilatura
from lxml.etree import Element, _Element
from lxml.html import HtmlElement
from trafilatura import core, external
from trafilatura.external import SANITIZED_XPATH, compare_extraction
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import Document
from trafilatura.settings import Extractor
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

FOLLOWS_VERSION = "2.3.1"
COUNTS = {"skipped": 0, "compared": 0, "delegated": 0}  # comparison skipped / run / whole call delegated


def supported(options: Extractor) -> bool:
    """The configuration (and trafilatura version) whose sequence ``extract`` reproduces."""
    return (trafilatura.__version__ == FOLLOWS_VERSION and options.focus == "precision" and not options.fast
            and not options.comments and options.format == "txt" and not options.with_metadata
            and not options.lang and not options.dedup and not options.max_tree_size)


def extract(tree: HtmlElement, options: Extractor) -> str | None:
    """What ``trafilatura.extract(tree, options=options)`` returns; ``tree`` is changed in place."""
    if not supported(options) or core._forum_thread_page(tree):
        COUNTS["delegated"] += 1
        return trafilatura.extract(tree, options=options)
    try:
        # trafilatura_sequence, precision focus, comments off, not a forum
        tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
        cleaned = tree_cleaning(copy(tree), options)
        cleaned = prune_unwanted_nodes(convert_tags(cleaned, options, None), REMOVE_COMMENTS_XPATH)
        body, text = extract_content(cleaned, options)
        if _comparison_can_change(tree, body, len(text), options):
            COUNTS["compared"] += 1
            # trafilatura keeps a copy of the cleaned tree from before convert_tags for justext; tree
            # is unchanged since, so cleaning it again gives that copy (cheaper than copying each page)
            backup = tree_cleaning(copy(tree), options)
            _hashable_justext_stoplist()
            body, text = compare_extraction(backup, copy(tree), body, text, options)
        else:
            COUNTS["skipped"] += 1
    except (TypeError, ValueError):  # bare_extraction's "discarding data"
        return None
    if len(text) < options.min_output_size:  # no comments, so their size never passes the check
        return None
    doc = Document()
    doc.raw_text, doc.commentsbody, doc.body = text, Element("body"), body
    return core.determine_returnstring(doc, options)


def _hashable_justext_stoplist() -> None:
    """justext's ``classify_paragraphs`` finds its stop list through an ``lru_cache`` on every call, and
    trafilatura hands it a tuple of 154,484 words (all languages), hashed anew each time: ~5 ms per
    justext call, most of the cost of a short page. The same words as a frozenset hash once, and the
    lower-cased set justext builds from them is the same. Set once, in trafilatura's own cache variable."""
    if not isinstance(external.JT_STOPLIST, frozenset):
        external.JT_STOPLIST = frozenset(external.JT_STOPLIST or external.jt_stoplist_init())


def _comparison_can_change(tree: HtmlElement, body: _Element, len_text: int, options: Extractor) -> bool:
    """False only when ``compare_extraction`` provably returns (body, text) unchanged (precision focus):
    justext is not consulted (text not short, no SANITIZED_XPATH element) and readability is not
    preferred (its text, at most the page's whitespace-collapsed text, is not over twice ours, and ours
    has paragraph text and no more tables than paragraphs)."""
    if len_text < options.min_extracted_size or body.xpath(SANITIZED_XPATH):
        return True
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return True
    page_len = len(" ".join(tree.text_content().split()))
    return page_len > 2 * len_text
