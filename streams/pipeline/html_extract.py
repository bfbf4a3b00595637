"""HTML article pages -> plain text with one paragraph per line.

trafilatura does the main-content extraction (it is maintained, benchmarked on real outlet pages
and already handles most navigation). Before handing the page over we drop elements whose tag,
class or id says they are page furniture (paywall, newsletter, related, share, cookie banners),
which trafilatura sometimes keeps when they sit inside the article container.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree, html

if TYPE_CHECKING:
    from trafilatura.settings import Extractor

_DROP_TAGS = ("nav", "aside", "footer", "header", "form", "script", "style", "noscript", "iframe",
              "button", "svg", "figure", "template", "h1")
_FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:paywall|piano|meter(?:ed)?|subscri(?:be|ption)|premium-?(?:wall|block|box)|"
    r"newsletter|signup|sign-up|related|recommend(?:ed|ations)?|read-?more|also-?read|more-?stories|"
    r"share|sharing|social|follow|cookie|consent|gdpr|banner|promo|advert|ad-?slot|ads|dfp|outbrain|"
    r"taboola|trending|most-?(?:read|popular)|breadcrumbs?|tags?|byline-?share|comments?|app-?download|"
    r"whatsapp|telegram|footer|sidebar|modal|popup|overlay|toolbar|login|register)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_ROLES = ("navigation", "complementary", "banner", "contentinfo")
_PARA_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt"}
_MAX_ATTR = 300
_ATTRIBUTED = etree.XPath("descendant-or-self::*[@class or @id or @role]")
_CSS_SELECTOR = re.compile(r'"cssSelector"\s*:\s*("[^"]{1,200}"|\[[^\]]{1,1000}\])')  # a string or a list
_JSON_STRING = re.compile(r'"([^"]*)"')
_SIMPLE_SELECTOR = re.compile(r"[.#][A-Za-z_][\w-]{0,80}")
_Keep = tuple[frozenset[str], frozenset[str]]  # classes, ids that pruning leaves alone
_KEEP_NONE: _Keep = (frozenset(), frozenset())


def _paywalled_parts(tree: html.HtmlElement) -> _Keep:
    """Classes and ids that the page's schema.org markup names as its paywalled *content*
    (``"isAccessibleForFree": false`` with ``"cssSelector": ".paywall"``, Google's documented form).
    Such a section holds the rest of the story, so its "paywall" class must not prune it."""
    classes: set[str] = set()
    ids: set[str] = set()
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        text = script.text or ""
        if "cssSelector" not in text:
            continue
        for value in _CSS_SELECTOR.findall(text):
            for part in ",".join(_JSON_STRING.findall(value)).split(","):
                part = part.strip()
                if _SIMPLE_SELECTOR.fullmatch(part):
                    (classes if part[0] == "." else ids).add(part[1:])
    return frozenset(classes), frozenset(ids)


def _prune(tree: html.HtmlElement, keep: _Keep = _KEEP_NONE) -> None:
    keep_classes, keep_ids = keep
    for el in list(tree.iter(*_DROP_TAGS)):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    # Only elements with a class, id or role can be furniture here: XPath selects them in C, in document
    # order, as a snapshot (like list(tree.iter()) did).
    for el in _ATTRIBUTED(tree):
        if el.tag in ("html", "body", "article", "main"):
            continue
        attrs = (el.get("class") or "")[:_MAX_ATTR] + " " + (el.get("id") or "")[:_MAX_ATTR]
        role = el.get("role") or ""
        furniture = _FURNITURE_ATTR.search(attrs) or role in _FURNITURE_ROLES
        if furniture and el.getparent() is not None and not _holds_story(el):
            if (keep_classes or keep_ids) and _kept(el, keep_classes, keep_ids):
                continue
            el.drop_tree()


def _kept(el: html.HtmlElement, classes: frozenset[str], ids: frozenset[str]) -> bool:
    return el.get("id") in ids or not classes.isdisjoint((el.get("class") or "").split())


def _holds_story(el: html.HtmlElement) -> bool:
    """A wrapper like <div class="content has-sidebar"> must not take the article down with it."""
    long_paras = 0
    for p in el.iter("p"):
        if len(p.text_content()) >= 80:
            long_paras += 1
            if long_paras >= 2:
                return True
    return False


def _fallback(tree: html.HtmlElement) -> str:
    """Paragraph-level text when trafilatura finds nothing (tiny pages, fragments)."""
    out = []
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _PARA_TAGS:
            text = " ".join(el.text_content().split())
            if text:
                out.append(text)
    if not out:
        out = [" ".join(t.split()) for t in tree.itertext() if t.strip()]
    return "\n".join(out)


def _tree(page: str, prune: bool) -> html.HtmlElement:
    tree = html.fromstring(page)
    keep = _paywalled_parts(tree) if prune and "cssSelector" in page else _KEEP_NONE
    # code and styling are never text, pruned or not
    etree.strip_elements(tree, "script", "style", "noscript", "template", with_tail=False)
    if prune:
        _prune(tree, keep)  # in place
    return tree


def extract_text(page: str, *, prune: bool = True) -> str:
    """Article text of ``page``, one paragraph per line ("" when the page has no text)."""
    if not page or not page.strip():
        return ""
    try:
        tree = _tree(page, prune)
    except (etree.ParserError, ValueError):
        return ""
    text = _extract(tree, page, prune)
    if text or not prune:
        return text
    # pruning removed everything: better some furniture than no story (parsed fine a moment ago)
    return _extract(_tree(page, False), page, False)


_OPTIONS: list[Extractor] = []  # the trafilatura Extractor for our settings, built on first use


def _options() -> Extractor:
    """One ``trafilatura.settings.Extractor`` for every page: what ``extract`` would otherwise build
    (reading its config) on each call, from the same settings. trafilatura copies it before changing
    anything, so it can be shared."""
    if not _OPTIONS:
        from trafilatura.settings import Extractor

        _OPTIONS.append(Extractor(
            output_format="txt", fast=False, precision=True, recall=False, comments=False,
            formatting=None, links=False, images=False, tables=False, dedup=False,
        ))
    return _OPTIONS[0]


def _extract(tree: html.HtmlElement, page: str, prune: bool) -> str:
    """trafilatura's text of ``tree`` (which it changes), else ``_fallback`` on the tree rebuilt as it was."""
    text = None
    try:
        from streams.pipeline import html_trafilatura  # imported lazily: heavy, and only HTML bodies need it

        text = html_trafilatura.extract(tree, _options())
    except ImportError:  # pragma: no cover - dependency problem; still return something useful
        text = None
    if not text:
        text = _fallback(_tree(page, prune))  # rare: tiny pages and fragments
    return "\n".join(ln.rstrip() for ln in text.splitlines() if ln.strip())


def extract_text_plain(page: str) -> str:
    """trafilatura alone, with the same settings: the baseline the quality report compares against."""
    import trafilatura

    text = trafilatura.extract(
        page, include_comments=False, include_tables=False, include_images=False,
        include_links=False, favor_precision=True, deduplicate=False, output_format="txt",
    )
    return "\n".join(ln.rstrip() for ln in (text or "").splitlines() if ln.strip())
