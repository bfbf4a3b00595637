"""HTML -> text with paragraph breaks."""

from __future__ import annotations

from streams.pipeline.html_extract import extract_text

P1 = "The first paragraph of the article is long enough that any extractor will keep it as content."
P2 = "A second paragraph follows with more detail about the decision and what officials said about it."


def test_paragraphs_become_lines_and_furniture_is_pruned() -> None:
    page = (
        "<html><body><header><nav><a href='/'>Home</a><a href='/w'>World</a></nav></header>"
        "<div class='cookie-consent'>We use cookies to improve your experience on this site.</div>"
        f"<article><h1>Title</h1><div class='body'><p>{P1}</p>"
        "<div class='newsletter-signup'><p>Sign up for our free morning newsletter today.</p></div>"
        f"<p>{P2}</p></div></article><aside><p>Most read stories of the week here</p></aside>"
        "<footer>© 2024 Example Media Ltd</footer></body></html>"
    )
    out = extract_text(page).split("\n")
    assert P1 in out and P2 in out
    assert out.index(P2) > out.index(P1)
    joined = "\n".join(out)
    for junk in ("cookies", "newsletter", "Most read", "© 2024"):
        assert junk not in joined


def test_wrapper_with_furniture_like_class_keeps_the_story() -> None:
    page = f"<html><body><div class='content has-sidebar'><p>{P1}</p><p>{P2}</p></div></body></html>"
    out = extract_text(page).split("\n")
    assert P1 in out and P2 in out


def test_fragments_and_empty_input() -> None:
    assert extract_text("") == ""
    assert extract_text("   ") == ""
    assert "short text" in extract_text("<p>short text</p>")


def test_page_that_pruning_empties_falls_back_to_the_whole_page() -> None:
    """The page is pruned in place; when nothing is left it is parsed again and extracted unpruned."""
    page = f"<html><body><div class='sidebar'><p>{P1}</p></div><script>var x = 1;</script></body></html>"
    out = extract_text(page)
    assert P1 in out.split("\n")
    assert out == extract_text(page, prune=False)
    assert "var x" not in out


def test_shared_trafilatura_options_give_the_same_text_as_per_call_settings() -> None:
    import trafilatura
    from lxml import html

    from streams.pipeline.html_extract import _extract

    page = f"<html><body><article><p>{P1}</p><p>{P2}</p></article></body></html>"
    direct = trafilatura.extract(
        html.fromstring(page), include_comments=False, include_tables=False, include_images=False,
        include_links=False, favor_precision=True, deduplicate=False, output_format="txt",
    )
    expected = "\n".join(ln.rstrip() for ln in direct.splitlines() if ln.strip())
    assert expected and _extract(html.fromstring(page)) == expected
