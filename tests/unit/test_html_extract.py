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
