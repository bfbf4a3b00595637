"""NewsML-G2 news items -> plain raw items (lxml, no network, no entity expansion).

Handles a bare ``newsItem`` or a ``newsMessage`` carrying several; package,
concept and knowledge items are not stories and are reported, not mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_N = {"n": NAR, "h": XHTML}

# Hardened parser: NewsML arrives from third parties.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

_STATUS = {"usable": "usable", "canceled": "canceled", "cancelled": "canceled", "withheld": "withheld"}


_PROBLEMS = {
    "missing_guid": "no guid attribute",
    "bad_version": "version attribute is not an integer",
    "missing_source": "no provider (and no default source)",
    "missing_body": "usable item without inlineXML/inlineData content",
}


class NewsMLError(ValueError):
    """The document is not NewsML-G2 XML at all."""


@dataclass(slots=True, frozen=True)
class NewsMLProblem:
    index: int  # 1-based position of the item in the document
    reason: str  # bounded code
    detail: str


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _qcode_tail(qcode: str | None) -> str:
    return (qcode or "").rsplit(":", 1)[-1]


def _utc(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lang(code: str | None) -> str | None:
    if not code:
        return None
    primary = code.strip().lower().split("-", 1)[0]
    return primary if len(primary) == 2 and primary.isalpha() else None


def _provider(item: Any) -> str:
    prov = item.find("n:itemMeta/n:provider", _N)
    if prov is None:
        return ""
    return _text(prov.find("n:name", _N)) or prov.get("literal", "") or _qcode_tail(prov.get("qcode"))


def _xhtml_body(inline: Any) -> str | None:
    body = inline.find(".//h:body", _N)
    root = body if body is not None else inline
    parts: list[str] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        clone = etree.fromstring(etree.tostring(child))
        for el in clone.iter():
            if isinstance(el.tag, str) and "}" in el.tag:
                el.tag = el.tag.split("}", 1)[1]
        etree.cleanup_namespaces(clone)
        parts.append(etree.tostring(clone, encoding="unicode", method="html").strip())
    html = "\n".join(p for p in parts if p)
    return html or None


def _content(item: Any) -> tuple[str, str] | None:
    """("body_html"|"body", value) from the contentSet, XHTML preferred over plain text."""
    cset = item.find("n:contentSet", _N)
    if cset is None:
        return None
    for inline in cset.findall("n:inlineXML", _N):
        html = _xhtml_body(inline)
        if html:
            return "body_html", html
    for inline in cset.findall("n:inlineData", _N):
        data = inline.text or ""
        ctype = (inline.get("contenttype") or "text/plain").lower()
        if not data.strip():
            continue
        if "html" in ctype:
            return "body_html", data.strip()
        paras = [" ".join(p.split()) for p in data.replace("\r\n", "\n").split("\n")]
        return "body", "\n".join(p for p in paras if p)
    return None


def _news_item(item: Any, default_source: str | None) -> dict[str, Any]:
    guid = (item.get("guid") or "").strip()
    if not guid:
        raise ValueError("missing_guid")
    out: dict[str, Any] = {"id": guid}
    version = item.get("version")
    try:
        out["version"] = int(version) if version else 1
    except ValueError:
        raise ValueError("bad_version") from None
    meta = item.find("n:contentMeta", _N)
    out["headline"] = _text(meta.find("n:headline", _N)) if meta is not None else ""
    content = _content(item)
    if content:
        out[content[0]] = content[1]
    else:
        out["body"] = ""  # the plain form needs a body field; a kill notice has none
    out["source"] = _provider(item) or (default_source or "")
    published = _utc(_text(item.find("n:itemMeta/n:versionCreated", _N)))
    if not published:
        published = _utc(_text(item.find("n:itemMeta/n:firstCreated", _N)))
    if published:
        out["published"] = published
    lang_el = meta.find("n:language", _N) if meta is not None else None
    language = _lang(lang_el.get("tag") if lang_el is not None else None) or _lang(item.get(XML_LANG))
    if language:
        out["language"] = language
    if meta is not None:
        if dateline := _text(meta.find("n:dateline", _N)):
            out["dateline"] = dateline
        if located := _text(meta.find("n:located/n:name", _N)):
            out["located"] = located
        if byline := _text(meta.find("n:by", _N)):
            out["byline"] = byline
    status_el = item.find("n:itemMeta/n:pubStatus", _N)
    status = _qcode_tail(status_el.get("qcode")) if status_el is not None else "usable"
    out["pubstatus"] = _STATUS.get(status.lower(), "usable")
    for signal in item.findall("n:itemMeta/n:signal", _N):
        if _qcode_tail(signal.get("qcode")).lower() == "correction":
            out["correction"] = True
    for link in item.findall("n:itemMeta/n:link", _N):
        href = link.get("href") or ""
        if _qcode_tail(link.get("rel")) in ("seeAlso", "canonical") and href.startswith(
            ("http://", "https://")
        ):
            out["url"] = href
            break
    if not out["source"]:
        raise ValueError("missing_source")
    if not content and out["pubstatus"] == "usable":
        raise ValueError("missing_body")
    return out


def parse_newsml(
    xml_bytes: bytes, *, default_source: str | None = None
) -> tuple[list[dict[str, Any]], list[NewsMLProblem]]:
    """Items plus the problems met on the way (items that could not be mapped, skipped kinds)."""
    try:
        root = etree.fromstring(xml_bytes, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NewsMLError(f"not well-formed XML: {exc}") from exc
    tag = etree.QName(root)
    if tag.namespace != NAR:
        raise NewsMLError(f"root element {tag.localname!r} is not in the NewsML-G2 namespace")
    if tag.localname == "newsItem":
        candidates = [root]
    elif tag.localname == "newsMessage":
        candidates = [el for el in root.iterfind("n:itemSet/*", _N) if isinstance(el.tag, str)]
    else:
        raise NewsMLError(f"root element {tag.localname!r} is neither newsItem nor newsMessage")
    if not default_source and tag.localname == "newsMessage":
        default_source = _text(root.find("n:header/n:sender", _N)) or None
    items: list[dict[str, Any]] = []
    problems: list[NewsMLProblem] = []
    for index, el in enumerate(candidates, start=1):
        kind = etree.QName(el).localname
        if kind != "newsItem":
            problems.append(NewsMLProblem(index, "not_news_item", f"{kind} {el.get('guid', '')} skipped"))
            continue
        try:
            items.append(_news_item(el, default_source))
        except ValueError as exc:
            reason = str(exc)
            what = f"newsItem {el.get('guid')!r}" if el.get("guid") else "newsItem"
            problems.append(NewsMLProblem(index, reason, f"{what}: {_PROBLEMS.get(reason, reason)}"))
    return items, problems


def newsml_to_items(xml_bytes: bytes, *, default_source: str | None = None) -> list[dict[str, Any]]:
    """The mappable news items of a NewsML-G2 document (see ``parse_newsml`` for the problems)."""
    return parse_newsml(xml_bytes, default_source=default_source)[0]
