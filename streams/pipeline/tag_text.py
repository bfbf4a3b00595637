"""Text helpers for the tagger that sit on the hot path: normalisation and word look-around.

They return exactly what the plain versions (``kb.normalise``, a character loop) return, but use C
string methods where the plain versions loop in Python or run a regular expression.
"""

from __future__ import annotations

from streams.pipeline.kb import normalise

# Lower case for word characters (str.isalnum() or "_", what re's \w means), space for the rest.
_LATIN1 = bytes(ord(chr(c).lower()) if (chr(c).isalnum() or c == 0x5F) else 0x20 for c in range(256))
# Punctuation and spaces outside Latin-1 that wire copy uses; all are non-word characters, so the
# normalised text has a space there whatever they are.
_WIDE_PUNCT = "’‘“”—–―‐‑…«»•·\u2009\u200a\u200b\u202f\u2002\u2003\u2032\u2033"
assert not any(c.isalnum() or c == "_" for c in _WIDE_PUNCT)


def fast_normalise(text: str) -> str:
    """Same result as :func:`streams.pipeline.kb.normalise`, through one byte-table translation."""
    if not text.isascii():
        for ch in _WIDE_PUNCT:
            if ch in text:
                text = text.replace(ch, " ")
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:  # letters outside Latin-1 (Erdoğan, Łukasz, Cyrillic): plain path
        return normalise(text)
    return raw.translate(_LATIN1).decode("latin-1")


def prev_word(text: str, start: int) -> str:
    """The whitespace-delimited word before ``start`` when exactly one space separates them."""
    i = start - 1
    if i < 1 or text[i] != " ":
        return ""
    k = text.rfind(" ", 0, i)
    k = max(k, text.rfind("\n", k + 1, i))
    word = text[k + 1 : i]
    if word.isprintable():  # every whitespace character but " " is unprintable
        return word
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def next_word(text: str, end: int) -> str:
    """The whitespace-delimited word after ``end`` when exactly one space separates them."""
    if end >= len(text) or text[end] != " ":
        return ""
    j = end + 1
    k = j
    n = len(text)
    while k < n and not text[k].isspace():
        k += 1
    return text[j:k]
