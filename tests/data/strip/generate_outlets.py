"""Build pages_outlets.jsonl: labelled HTML pages in 22 outlet page styles (8 pages each).

Deterministic (fixed seed); run: .venv/bin/python tests/data/strip/generate_outlets.py
Same schema as pages.jsonl (``id, style, html, story, furniture``), scored by score.py. Leaves
pages.jsonl and items.txt alone (generate.py writes those).

Labels. ``story``: every paragraph of the article as the outlet published it in the page (including the
paywalled part when it is in the HTML, trap sentences, short quotes, live-update entries). ``furniture``:
navigation, cookie/consent banners, paywall and subscription prompts, newsletter and app promos, share
rows, "Also read"/related links and teasers, bylines, timestamps, reading times, photo captions and
credits, video-player chrome, ad labels, tags, author boxes, reader comments, footers. Left unscored
(neither): headline, standfirst, subheadings, table cells, embedded tweets, corrections notes.
"""

# ruff: noqa: E501  (page furniture is long literal lines)

from __future__ import annotations

import html
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import HEADLINES, NAMES, agency_parts  # noqa: E402
from outlet_stories import (  # noqa: E402
    FOREIGN,
    FOREIGN_QUOTES,
    FOREIGN_TRAPS,
    LIVE,
    MORE_TRAPS,
    ONE_LINERS,
    TWEETS,
    VIDEO_TITLES,
)
from stories import SHORT_QUOTES, STORIES, TRAPS  # noqa: E402

PAGES_PER_STYLE = 8
SEED = 20250117
esc = html.escape


class Page:
    """Collects the labels while the markup is written: s() story, f() furniture, n() unscored."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.story: list[str] = []
        self.furniture: list[str] = []

    def s(self, text: str) -> str:
        self.story.append(text)
        return esc(text)

    def f(self, text: str) -> str:
        self.furniture.append(text)
        return esc(text)

    @staticmethod
    def n(text: str) -> str:
        return esc(text)

    def para(self, text: str, tag: str = "p", attrs: str = "") -> str:
        """A story paragraph, sometimes with an inline link or emphasis (the text stays the same)."""
        self.story.append(text)
        words = text.split(" ")
        r = self.rng.random()
        if len(words) > 8 and r < 0.35:
            i = self.rng.randrange(1, len(words) - 3)
            inner = " ".join(words[i:i + 3])
            wrap = (f"<a href='/topic/{self.rng.randint(100, 999)}'>{esc(inner)}</a>" if r < 0.25
                    else f"<strong>{esc(inner)}</strong>")
            body = f"{esc(' '.join(words[:i]))} {wrap} {esc(' '.join(words[i + 3:]))}"
        else:
            body = esc(text)
        return f"<{tag}{attrs}>{body}</{tag}>"


# ---- shared page chrome ---------------------------------------------------------------------------
SECTIONS = {
    "en": ["World", "Politics", "Business", "Markets", "Tech", "Science", "Health", "Sport", "Culture",
           "Opinion", "Travel", "Weather", "Video", "Podcasts", "Newsletters"],
    "es": ["Internacional", "España", "Economía", "Sociedad", "Ciencia", "Cultura", "Deportes", "Opinión",
           "Tecnología", "Vídeos", "Podcasts"],
    "fr": ["International", "Politique", "Économie", "Société", "Planète", "Sciences", "Culture", "Sport",
           "Idées", "Vidéos", "Podcasts"],
    "de": ["Politik", "Ausland", "Wirtschaft", "Panorama", "Sport", "Kultur", "Wissenschaft", "Netzwelt",
           "Reise", "Gesundheit", "Podcasts"],
    "pt": ["Mundo", "Política", "Mercado", "Cotidiano", "Esporte", "Ilustrada", "Ciência", "Saúde",
           "Tecnologia", "Opinião", "Podcasts"],
}
SUB = ["Latest", "Explained", "Live", "Analysis", "In pictures", "Interviews", "Data", "Fact check"]
OUTLETS = ["The Metro Courier", "Daily Ledger", "Valley Gazette", "Harbour Times", "The Northern Post",
           "Evening Dispatch", "Capital Observer", "The Coastal Herald"]
FOREIGN_OUTLETS = {"es": "El Diario del Sur", "fr": "Le Quotidien du Centre", "de": "Allgemeine Rundschau",
                   "pt": "Jornal do Planalto"}


def head(title: str, outlet: str, rng: random.Random, amp: bool = False) -> str:
    """<head> as outlets ship it: meta tags, JSON-LD, a stylesheet block, analytics and ad config."""
    sel = [".site-header", ".nav__item", ".article-body p", ".c-byline", ".share-row a", ".promo-box",
           ".related-list li", ".footer__links", ".cookie-layer", ".ad-slot", ".live-post", ".caption"]
    css = "".join(f"{s}{{margin:{rng.randint(0, 24)}px 0;padding:0 {rng.randint(0, 16)}px;color:#{rng.randint(0, 0xffffff):06x};"
                  f"font:{rng.randint(12, 22)}px/1.{rng.randint(2, 6)} Georgia,serif}}"
                  for s in sel * rng.randint(4, 9))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T10:{rng.randint(10, 59)}:00Z",
                     "publisher": {"@type": "Organization", "name": outlet},
                     "author": [{"@type": "Person", "name": rng.choice(NAMES)}]})
    ads = json.dumps({"slots": [{"id": f"div-gpt-ad-{i}", "sizes": [[300, 250], [728, 90]], "pos": i}
                              for i in range(rng.randint(4, 12))], "targeting": {"section": "news"}})
    style = "<style amp-custom>" if amp else "<style>"
    return (f"<head><meta charset='utf-8'><title>{esc(title)} | {esc(outlet)}</title>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<meta property='og:title' content='{esc(title)}'><meta name='description' content='{esc(title)}'>"
            f"<link rel='canonical' href='https://www.example-news.test/{rng.randint(10**6, 10**7)}'>"
            f"<link rel='preload' as='font' href='/fonts/serif.woff2' crossorigin>"
            f"{style}{css}</style>"
            f"<script type='application/ld+json'>{ld}</script>"
            f"<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}"
            f"gtag('js',new Date());gtag('config','G-{rng.randint(10**6, 10**7)}');var adConfig={ads};</script>"
            f"<script async src='/static/js/main.{rng.randint(10**5, 10**6):x}.js'></script></head>")


def nav(pg: Page, lang: str = "en", tag: str = "nav", cls: str = "site-nav") -> str:
    rng = pg.rng
    items = []
    for sec in SECTIONS[lang]:
        subs = "".join(f"<li><a href='/{sec.lower()}/{x.lower()}'>{pg.f(x)}</a></li>"
                       for x in rng.sample(SUB, rng.randint(0, 3))) if lang == "en" else ""
        items.append(f"<li class='nav__item'><a href='/{esc(sec.lower())}'>{pg.f(sec)}</a>"
                     + (f"<ul class='nav__sub'>{subs}</ul>" if subs else "") + "</li>")
    return f"<{tag} class='{cls}'><ul>{''.join(items)}</ul></{tag}>"


def footer(pg: Page, outlet: str, lang: str = "en", tag: str = "footer") -> str:
    links = {"en": ["About us", "Contact", "Careers", "Advertise with us", "Terms of use", "Privacy policy",
                    "Cookie settings", "Accessibility", "Sitemap", "RSS feeds"],
             "es": ["Quiénes somos", "Contacto", "Aviso legal", "Política de privacidad", "Política de cookies",
                    "Publicidad", "Mapa del sitio"],
             "fr": ["Qui sommes-nous ?", "Contact", "Mentions légales", "Conditions générales", "Gestion des cookies",
                    "Publicité", "Plan du site"],
             "de": ["Impressum", "Datenschutz", "Kontakt", "AGB", "Mediadaten", "Cookie-Einstellungen", "Jobs"],
             "pt": ["Sobre", "Fale conosco", "Termos de uso", "Política de privacidade", "Anuncie", "Trabalhe conosco"]}[lang]
    rights = {"en": f"© 2024 {outlet}. All rights reserved.", "es": f"© {outlet}. Todos los derechos reservados.",
              "fr": f"© {outlet} - Tous droits réservés.", "de": f"© {outlet} 2024. Alle Rechte vorbehalten.",
              "pt": f"Copyright {outlet}. Todos os direitos reservados."}[lang]
    ul = "".join(f"<li><a href='/p/{i}'>{pg.f(x)}</a></li>" for i, x in enumerate(links))
    body = f"<div class='footer__links'><ul>{ul}</ul></div><p class='copyright'>{pg.f(rights)}</p>"
    if tag == "footer":
        return f"<footer class='site-footer'>{body}</footer>"
    return f"<div class='{tag}'>{body}</div>"


def cookie(pg: Page, lang: str = "en") -> str:
    """A consent layer as the common consent platforms write it (ids and classes of their own)."""
    rng = pg.rng
    text = {
        "en": rng.choice(["We and our partners use cookies and similar technologies to personalise content and ads, to provide social media features and to analyse our traffic.",
                          "We and our 842 partners store and/or access information on a device, such as unique IDs in cookies, to process personal data. You may accept or manage your choices at any time."]),
        "es": "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad relacionada con sus preferencias.",
        "fr": "Nous et nos partenaires utilisons des cookies pour mesurer l'audience, personnaliser les contenus et vous proposer des publicités adaptées.",
        "de": "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und Ihnen das bestmögliche Nutzererlebnis zu bieten.",
        "pt": "Usamos cookies e tecnologias semelhantes para melhorar a sua experiência e recomendar conteúdo de seu interesse.",
    }[lang]
    ok = {"en": "Accept all cookies", "es": "Aceptar y continuar", "fr": "Accepter et fermer",
          "de": "Alle akzeptieren", "pt": "Aceitar"}[lang]
    more = {"en": "Manage preferences", "es": "Configurar", "fr": "Continuer sans accepter",
            "de": "Einstellungen", "pt": "Configurações"}[lang]
    kind = rng.randrange(6)
    inner = f"<p>{pg.f(text)}</p><button>{pg.f(ok)}</button><a href='#prefs'>{pg.f(more)}</a>"
    if kind == 0:
        return f"<div id='onetrust-consent-sdk'><div id='onetrust-banner-sdk' class='otFlat'><div class='ot-sdk-container'>{inner}</div></div></div>"
    if kind == 1:
        return f"<div id='CybotCookiebotDialog' class='CybotEdge'><div class='CybotCookiebotDialogContentWrapper'>{inner}</div></div>"
    if kind == 2:
        return f"<div class='qc-cmp2-container'><div class='qc-cmp2-summary-info'>{inner}</div></div>"
    if kind == 3:
        return f"<div id='sp_message_container_{rng.randint(100000, 999999)}'><div class='message-row'>{inner}</div></div>"
    if kind == 4:
        return f"<div id='didomi-host'><div class='didomi-popup-container'>{inner}</div></div>"
    return f"<div class='cookie-notice' role='dialog'>{inner}</div>"


def share_row(pg: Page, lang: str = "en", cls: str = "share-row") -> str:
    words = {"en": ["Facebook", "X", "WhatsApp", "LinkedIn", "Email", "Copy link"],
             "es": ["Compartir en Facebook", "Compartir en X", "Compartir en WhatsApp", "Copiar enlace"],
             "fr": ["Partager sur Facebook", "Partager sur X", "Partager par e-mail", "Copier le lien"],
             "de": ["Auf Facebook teilen", "Auf X teilen", "Per E-Mail teilen", "Link kopieren"],
             "pt": ["Compartilhar no Facebook", "Compartilhar no X", "Compartilhar no WhatsApp", "Copiar link"]}[lang]
    label = {"en": "Share", "es": "Compartir", "fr": "Partager", "de": "Teilen", "pt": "Compartilhe"}[lang]
    items = "".join(f"<li><a href='#' aria-label='{esc(w)}'><svg viewBox='0 0 24 24'><path d='M0 0h24v24H0z'/></svg><span>{pg.f(w)}</span></a></li>"
                    for w in pg.rng.sample(words, pg.rng.randint(2, len(words))))
    return f"<div class='{cls}'><span class='label'>{pg.f(label)}</span><ul>{items}</ul></div>"


def related(pg: Page, title: str, n: int, cls: str = "related-list", teasers: bool = False) -> str:
    items = []
    for i, h in enumerate(pg.rng.sample(HEADLINES, n)):
        t = (f"<p class='teaser'>{pg.f(pg.rng.choice(TEASERS))}</p>" if teasers else "")
        items.append(f"<li><a href='/story/{i}'><img src='/t/{i}.jpg' alt=''><h3>{pg.f(h)}</h3></a>{t}</li>")
    return f"<section class='{cls}'><h2>{pg.f(title)}</h2><ul>{''.join(items)}</ul></section>"


TEASERS = [
    "Officials say the measures will take effect from next month, but critics warn that the timetable leaves little room for consultation.",
    "The decision follows weeks of speculation and comes as the government faces mounting pressure over rising living costs.",
    "Analysts expect the figures to show a modest recovery after a difficult first half for manufacturers and exporters.",
    "Residents describe a night of chaos as emergency crews worked to bring the situation under control.",
    "Here is what we know so far about the plan, who it affects and what happens next.",
]


def english_story(pg: Page, k: int, traps: float = 0.5) -> list[str]:
    """A wire story with its agency dateline, sometimes with trap sentences and a short last quote."""
    rng = pg.rng
    key, place, paras = STORIES[k % len(STORIES)]
    dl, _, _ = agency_parts(key, place, rng)
    story = [dl + paras[0], *paras[1:]]
    if rng.random() < traps:
        for t in rng.sample(TRAPS + MORE_TRAPS, rng.randint(1, 2)):
            story.insert(rng.randint(1, len(story)), t)
    if rng.random() < 0.3:
        story.append(rng.choice(SHORT_QUOTES))
    return story


def byline(pg: Page, lang: str = "en") -> str:
    rng = pg.rng
    name = rng.choice(NAMES)
    by = {"en": f"By {name}", "es": f"Por {name}", "fr": f"Par {name}", "de": f"Von {name}", "pt": f"Por {name}"}[lang]
    d, h, m = rng.randint(1, 28), rng.randint(7, 22), rng.randint(10, 59)
    when = {"en": rng.choice([f"Published {d} September 2024, {h}:{m} BST", f"September {d}, 2024 at {h}:{m} p.m. EDT",
                              f"Updated: Sep {d}, 2024, {h}:{m} IST"]),
            "es": f"Madrid - {d} sept 2024 - {h}:{m} CEST",
            "fr": f"Publié le {d} septembre 2024 à {h}h{m}",
            "de": f"{d:02d}.09.2024, {h}.{m} Uhr",
            "pt": f"{d}.set.2024 às {h}h{m}"}[lang]
    return (f"<div class='c-byline'><span class='author'><a href='/authors/{name.split()[0].lower()}'>{pg.f(by)}</a></span>"
            f"<time datetime='2024-09-{d:02d}T{h:02d}:{m}:00Z'>{pg.f(when)}</time></div>")


def ad(pg: Page, label: str = "Advertisement") -> str:
    i = pg.rng.randint(1, 20)
    return f"<div class='ad-slot' id='div-gpt-ad-{i}'><span class='ad-label'>{pg.f(label)}</span></div>"


def page_html(title: str, outlet: str, body: str, rng: random.Random, lang: str = "en", amp: bool = False) -> str:
    attr = " amp" if amp else ""
    return f"<!doctype html><html{attr} lang='{lang}'>{head(title, outlet, rng, amp)}<body>{body}</body></html>"


# ---- English page styles --------------------------------------------------------------------------
def news_portal(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 5 + 1)
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p) for p in story]
    ps.insert(rng.randint(1, len(ps)), ad(pg))
    ps.insert(rng.randint(2, len(ps)), f"<p><strong>{pg.f('Also Read:')}</strong> <a href='/x'>{pg.f(rng.choice(HEADLINES))}</a></p>")
    ticker = "".join(f"<li>{pg.f(h)}</li>" for h in rng.sample(HEADLINES, 3))
    return (f"<div class='top-bar'><span>{pg.f('Breaking News')}</span><ul class='ticker'>{ticker}</ul></div>"
            f"<header class='site-header'>{nav(pg)}</header>{cookie(pg)}"
            f"<div class='breadcrumb'><a href='/'>{pg.f('Home')}</a> &gt; <a href='/india'>{pg.f('India News')}</a></div>"
            f"<div class='container'><div class='main-col'><article class='story'><h1>{pg.n(hl)}</h1>{byline(pg)}"
            f"{share_row(pg)}<div class='story__content'>{''.join(ps)}</div>"
            f"<div class='tags'><span>{pg.f('Tags:')}</span> <a>{pg.f('Economy')}</a> <a>{pg.f('Markets')}</a></div>"
            f"<div class='follow-box'><p>{pg.f('Follow us on WhatsApp and Google News for the latest updates')}</p></div>"
            f"</article></div><div class='right-col'>{related(pg, 'Trending', 5, 'trending-widget')}</div></div>"
            f"{related(pg, 'Top Stories', 4, 'top-stories', teasers=True)}{footer(pg, OUTLETS[n % 8])}")


def paywall_metered(pg: Page, n: int) -> str:
    """Full article in the page; the meter notice and the overlay are injected around it."""
    rng = pg.rng
    story = english_story(pg, n * 3 + 2)
    hl = rng.choice(HEADLINES)
    left = rng.randint(1, 4)
    meter = f"<div class='{rng.choice(['meter-banner', 'article-meter', 'pw-counter'])}'><p>{pg.f(f'You have {left} free articles left this month.')}</p><a>{pg.f('Subscribe for unlimited access')}</a></div>"
    overlay = rng.choice([
        f"<div class='tp-modal'><div class='tp-backdrop'></div><div class='tp-iframe-wrapper'><h2>{pg.f('You have reached your free article limit')}</h2>"
        f"<p>{pg.f('Get unlimited digital access for just $1 a week. Cancel anytime.')}</p><button>{pg.f('Subscribe now')}</button>"
        f"<p>{pg.f('Already a subscriber?')} <a>{pg.f('Sign in')}</a></p></div></div>",
        f"<div id='regwall' class='fixed-bottom'><h3>{pg.f('Keep reading for free')}</h3><p>{pg.f('Create a free account to read 5 more articles this month.')}</p>"
        f"<a class='btn'>{pg.f('Register')}</a><a>{pg.f('Log in')}</a></div>",
    ])
    ps = "".join(pg.para(p) for p in story)
    return (f"<header>{nav(pg)}</header><main id='content'>{meter if rng.random() < 0.6 else ''}<article>"
            f"<h1>{pg.n(hl)}</h1>{byline(pg)}<section class='article-content'>{ps}</section></article>"
            f"{related(pg, 'More from ' + OUTLETS[n % 8], 3)}</main>{footer(pg, OUTLETS[n % 8])}{overlay}")


def paywall_inline(pg: Page, n: int) -> str:
    """Subscribe-to-continue inside the article: only the first paragraphs are in the page."""
    rng = pg.rng
    story = english_story(pg, n * 7 + 3, traps=0.3)
    shown = story[:rng.randint(1, 3)]
    hl = rng.choice(HEADLINES)
    cls = rng.choice(["article-paywall", "subscription-prompt", "c-regwall", "inline-gate", "premium-cta"])
    price = rng.choice(["$1 a week", "£2 for 3 months", "₹99 a month", "AED 19/month"])
    box = (f"<div class='{cls}'><h3>{pg.f('Subscribe to continue reading')}</h3>"
           f"<p>{pg.f('This article is for subscribers only. Subscribe now for just ' + price + '.')}</p>"
           f"<ul><li>{pg.f('Unlimited access to all articles')}</li><li>{pg.f('Ad-free reading on all devices')}</li>"
           f"<li>{pg.f('The daily e-paper')}</li></ul><a class='btn'>{pg.f('Subscribe')}</a>"
           f"<p>{pg.f('Already subscribed?')} <a>{pg.f('Log in')}</a></p></div>")
    ps = "".join(pg.para(p) for p in shown)
    return (f"{nav(pg, tag='div', cls='menu')}{cookie(pg)}<div class='page'><article><h1>{pg.n(hl)}</h1>"
            f"<p class='standfirst'>{pg.n(rng.choice(TEASERS))}</p>{byline(pg)}<div class='article-text'>{ps}{box}</div>"
            f"</article>{related(pg, 'Read next', 4, teasers=True)}</div>{footer(pg, OUTLETS[n % 8])}")


def paywall_schema(pg: Page, n: int) -> str:
    """The whole story in the page, the subscribers' part in the section structured data points at
    (Google's paywalled-content markup: class="paywall", isAccessibleForFree false)."""
    rng = pg.rng
    story = english_story(pg, n * 11 + 4)
    cut = rng.randint(1, max(1, len(story) - 1))
    hl = rng.choice(HEADLINES)
    free = "".join(pg.para(p) for p in story[:cut])
    locked = "".join(pg.para(p) for p in story[cut:])
    ld = json.dumps({"@type": "NewsArticle", "isAccessibleForFree": "False",
                     "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paywall"}})
    prompt = (f"<div class='subscribe-overlay'><p>{pg.f('Subscribe to keep reading')}</p>"
              f"<p>{pg.f('Unlock this article and all of our journalism for $4.99/month.')}</p></div>")
    return (f"<script type='application/ld+json'>{ld}</script><header>{nav(pg)}</header>"
            f"<article class='article'><h1>{pg.n(hl)}</h1>{byline(pg)}<div class='article-body'>{free}"
            f"<div class='paywall'>{locked}</div></div>{prompt}</article>{footer(pg, OUTLETS[n % 8])}")


def agency_wire(pg: Page, n: int) -> str:
    rng = pg.rng
    key, place, paras = STORIES[(n * 13 + 5) % len(STORIES)]
    dl, signoff, _ = agency_parts(key, place, rng)
    story = [dl + paras[0], *paras[1:]]
    if rng.random() < 0.4:
        story.insert(rng.randint(1, len(story)), rng.choice(TRAPS))
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p, "div", f" data-testid='paragraph-{i}' class='text__text'") for i, p in enumerate(story)]
    if n % 2 == 0:
        ps.insert(rng.randint(1, len(ps)), f"<div class='text__text'>{pg.f('The Morning Bid newsletter brings you the day’s key market moves. Sign up here.')}</div>")
        tail = "".join(f"<p class='sign-off'>{pg.f(s)}</p>" for s in signoff)
        tail += f"<p class='trust'>{pg.f('Our Standards: The Wire Trust Principles.')}</p>"
    else:
        ps.insert(rng.randint(1, len(ps)), ad(pg, "ADVERTISEMENT"))
        tail = "".join(f"<p>{pg.f(s)}</p>" for s in signoff)
    img = (f"<div class='media'><img src='/i.jpg' alt=''><p class='media__caption'>{pg.f('A view of the city centre on Tuesday. REUTERS/' + rng.choice(NAMES))}</p>"
           f"<a class='licensing'>{pg.f('Purchase Licensing Rights, opens new tab')}</a></div>")
    read = rng.choice(["3 minute read", "4 min read", "2-min read"])
    return (f"<header>{nav(pg)}</header><main><article><div class='article-header'><h1>{pg.n(hl)}</h1>"
            f"{byline(pg)}<span class='read-time'>{pg.f(read)}</span></div>{img}"
            f"<div class='article-body__content'>{''.join(ps)}{tail}</div>"
            f"{share_row(pg)}</article>{related(pg, 'Read Next', 3)}</main>{footer(pg, 'Wire Service Online')}")


def regional_paper(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 17 + 6)
    hl = rng.choice(HEADLINES)
    cut = rng.randint(1, len(story))
    preview = "".join(pg.para(p) for p in story[:cut])
    rest = "".join(pg.para(p) for p in story[cut:])
    support = (f"<div class='support-box'><h4>{pg.f('Support local journalism')}</h4>"
               f"<p>{pg.f('Your subscription makes our reporting possible. Subscribe today for 99¢ for the first month.')}</p></div>")
    weather = f"<div class='weather-widget'><span>{pg.f('72°F')}</span> <span>{pg.f('Partly cloudy')}</span></div>"
    obits = "".join(f"<li><a>{pg.f(nm)}</a></li>" for nm in rng.sample(["Margaret Ellen Hayes", "Robert J. Keller", "Dorothy Ann Price", "William Lee Carter"], 3))
    return (f"<div id='site-top'>{weather}<a class='eedition'>{pg.f('e-Edition')}</a></div>{nav(pg, tag='div', cls='main-nav')}"
            f"<div id='main-page-container'><div class='asset-content'><h1>{pg.n(hl)}</h1>{byline(pg)}"
            f"<div id='article-body' itemprop='articleBody'><div class='subscriber-preview'>{preview}</div>"
            f"{support if rng.random() < 0.7 else ''}<div class='subscriber-only'>{rest}</div></div>"
            f"</div><div id='sidebar-right'><h3>{pg.f('Latest Obituaries')}</h3><ul>{obits}</ul>"
            f"{related(pg, 'Most Popular', 4)}</div></div>{footer(pg, OUTLETS[n % 8])}")


IN_NEWS = 'In "News"'


def blog(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 19 + 7)
    title = rng.choice(HEADLINES)
    ps = "".join(pg.para(p) for p in story)
    share = (f"<div class='sharedaddy sd-sharing-enabled'><h3 class='sd-title'>{pg.f('Share this:')}</h3>"
             f"<ul><li><a>{pg.f('Facebook')}</a></li><li><a>{pg.f('X')}</a></li><li><a>{pg.f('Email')}</a></li></ul></div>"
             f"<div class='sharedaddy sd-block sd-like'><h3>{pg.f('Like this:')}</h3><span>{pg.f('Loading...')}</span></div>")
    jrel = "".join(f"<div class='jp-relatedposts-post'><h4><a>{pg.f(h)}</a></h4><p>{pg.f(IN_NEWS)}</p></div>"
                   for h in rng.sample(HEADLINES, 2))
    meta = (f"<footer class='entry-meta'>{pg.f('Posted in Politics, Economy')} | {pg.f('Tagged budget, housing, inflation')}</footer>")
    comments = "".join(
        f"<li class='comment'><div class='comment-author'>{pg.f(nm)} {pg.f('says:')}</div><p>{pg.f(c)}</p><a class='comment-reply-link'>{pg.f('Reply')}</a></li>"
        for nm, c in rng.sample([("Priya", "Thanks for posting this, I had not seen the full statement anywhere else."),
                                 ("Tom H.", "The numbers in the third paragraph do not match what the ministry said last week."),
                                 ("Anon", "Great summary. Looking forward to your analysis of the budget next month.")], rng.randint(1, 3)))
    form = (f"<div id='respond'><h3>{pg.f('Leave a Reply')}</h3><p>{pg.f('Your email address will not be published. Required fields are marked *')}</p>"
            f"<form><textarea></textarea><button>{pg.f('Post Comment')}</button></form></div>")
    widgets = f"<div id='secondary' class='widget-area'><h2>{pg.f('Recent Posts')}</h2><ul>" + "".join(f"<li><a>{pg.f(h)}</a></li>" for h in rng.sample(HEADLINES, 3)) + "</ul></div>"
    return (f"<div id='page' class='site'><header id='masthead'><p class='site-title'>{pg.f('Notes from the Newsroom')}</p>{nav(pg)}</header>"
            f"<div id='content'><main id='main'><article class='post type-post'><header class='entry-header'><h1 class='entry-title'>{pg.n(title)}</h1>"
            f"<div class='entry-meta'><span class='posted-on'>{pg.f('Posted on September 17, 2024')}</span> <span class='byline'>{pg.f('by admin')}</span></div></header>"
            f"<div class='entry-content'>{ps}{share}<div id='jp-relatedposts'><h3>{pg.f('Related')}</h3>{jrel}</div></div>{meta}</article>"
            f"<div id='comments'><h2>{pg.f(f'{rng.randint(2, 9)} thoughts on “{title}”')}</h2><ol>{comments}</ol>{form}</div></main>{widgets}</div>"
            f"<footer id='colophon'><p>{pg.f('Proudly powered by WordPress')}</p></footer></div>")


def aggregator(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 23 + 8)
    hl = rng.choice(HEADLINES)
    src = rng.choice(["IANS", "PTI", "Reuters", "AFP"])
    ps = "".join(pg.para(p) for p in story)
    cards = "".join(f"<div class='news-card'><a><img src='/c{i}.jpg'><h3>{pg.f(h)}</h3></a><p>{pg.f(rng.choice(TEASERS))}</p>"
                    f"<span class='src'>{pg.f(rng.choice(['IANS', 'PTI', 'ANI']) + ' | ' + str(rng.randint(2, 50)) + ' mins ago')}</span></div>"
                    for i, h in enumerate(rng.sample(HEADLINES, 4)))
    return (f"{nav(pg, tag='div', cls='topnav')}<div class='wrapper'><div class='news-detail'><h1>{pg.n(hl)}</h1>"
            f"<div class='meta'><span>{pg.f('Source: ' + src)}</span> <span>{pg.f('Last Updated: 17 Sep 2024 10:42 AM')}</span></div>"
            f"<div class='detail-body'>{ps}</div>"
            f"<p class='disclaimer'>{pg.f('Disclaimer: This story is auto-generated from a syndicated feed and has not been edited by our staff.')}</p>"
            f"</div><div class='more-news'><h2>{pg.f('More News')}</h2>{cards}</div></div>{footer(pg, 'NewsHub Aggregator')}")


def amp_page(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 29 + 9)
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p) for p in story]
    ps.insert(rng.randint(1, len(ps)), f"<amp-ad width='300' height='250' type='doubleclick' data-slot='/123/news'><div fallback>{pg.f('Advertisement')}</div></amp-ad>")
    img = (f"<amp-img src='/a.jpg' width='1200' height='675' layout='responsive' alt=''></amp-img>"
           f"<p class='img-caption'>{pg.f('Rescue workers at the site on Monday. (Photo: ' + rng.choice(['AFP', 'AP', 'PTI']) + ')')}</p>")
    side = "".join(f"<li><a>{pg.f(s)}</a></li>" for s in SECTIONS["en"][:8])
    return (f"<amp-sidebar id='sidebar' layout='nodisplay' side='left'><ul>{side}</ul></amp-sidebar>"
            f"<amp-consent id='consent' layout='nodisplay'><div class='consent-ui'><p>{pg.f('We use cookies to give you the best experience. By using this site you agree to our use of cookies.')}</p>"
            f"<button on='tap:consent.accept'>{pg.f('OK')}</button></div></amp-consent>"
            f"<div class='amp-header'><button on='tap:sidebar.toggle'>{pg.f('Menu')}</button></div>"
            f"<article><h1>{pg.n(hl)}</h1>{byline(pg)}<div class='amp-share'><amp-social-share type='facebook'></amp-social-share>"
            f"<amp-social-share type='whatsapp'></amp-social-share></div>{img}<div class='article-body'>{''.join(ps)}</div></article>"
            f"<amp-list src='/api/related' layout='fixed-height' height='400'><div placeholder>{pg.f('Loading related stories...')}</div></amp-list>"
            f"<div class='amp-footer'><a>{pg.f('View Full Site')}</a><p>{pg.f('© 2024 ' + OUTLETS[n % 8])}</p></div>")


def also_read(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 31 + 10)
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p) for p in story]
    forms = [
        lambda h: f"<p><strong>{pg.f('Also Read:')}</strong> <a>{pg.f(h)}</a></p>",
        lambda h: f"<div class='also-read'><span>{pg.f('ALSO READ')}</span><a>{pg.f(h)}</a></div>",
        lambda h: f"<p>{pg.f('READ | ' + h)}</p>",
        lambda h: f"<p><b>{pg.f('Related News')}</b></p><ul><li><a>{pg.f(h)}</a></li></ul>",
        lambda h: f"<p><em>{pg.f('Read more: ' + h)}</em></p>",
    ]
    for h in rng.sample(HEADLINES, rng.randint(2, 3)):
        ps.insert(rng.randint(1, len(ps)), rng.choice(forms)(h))
    return (f"<header>{nav(pg)}</header><div class='article-wrap'><h1>{pg.n(hl)}</h1>{byline(pg)}"
            f"<div class='article-content'>{''.join(ps)}</div>"
            f"<p class='inputs'>{pg.f('(With inputs from agencies)')}</p>{related(pg, 'Latest News', 5)}</div>{footer(pg, OUTLETS[n % 8])}")


def captions(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 37 + 11)
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p) for p in story]
    who = rng.choice(NAMES)
    cap_forms = [
        lambda: f"<figure class='image'><img src='/p.jpg' alt=''><figcaption>{pg.f('Police at the scene on Tuesday morning.')} <span class='credit'>{pg.f('Photo: ' + who + '/AFP')}</span></figcaption></figure>",
        lambda: f"<div class='image-wrapper'><img src='/p.jpg' alt=''><p class='caption'>{pg.f('Protesters gather outside the ministry on Monday. (Photo: Reuters)')}</p></div>",
        lambda: f"<div class='inline-image'><img src='/p.jpg' alt=''><span class='img-caption'>{pg.f('The damaged bridge seen from the riverbank.')}</span><span class='img-credit'>{pg.f('Image: ' + who)}</span></div>",
        lambda: f"<div class='gallery'><span class='count'>{pg.f('1 of 12')}</span><img src='/g.jpg' alt=''><p class='gallery-caption'>{pg.f('Firefighters work through the night. Photograph: ' + who + '/EPA')}</p><button>{pg.f('toggle caption')}</button></div>",
    ]
    for _ in range(rng.randint(1, 3)):
        ps.insert(rng.randint(1, len(ps)), rng.choice(cap_forms)())
    lead = cap_forms[rng.randrange(len(cap_forms))]()
    return (f"<header>{nav(pg)}</header><main><article><h1>{pg.n(hl)}</h1>{byline(pg)}{lead}"
            f"<div class='story-body'>{''.join(ps)}</div></article>{related(pg, 'More stories', 3)}</main>{footer(pg, OUTLETS[n % 8])}")


def embeds(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 41 + 12)
    hl = rng.choice(HEADLINES)
    ps = [pg.para(p) for p in story]
    text, who = TWEETS[n % len(TWEETS)]
    tweet = (f"<blockquote class='twitter-tweet'><p lang='en' dir='ltr'>{pg.n(text)} <a href='https://t.co/x'>pic.twitter.com/Ab12Cd</a></p>"
             f"&mdash; {pg.n(who)} <a href='https://twitter.com/x/status/1'>September 17, 2024</a></blockquote>"
             f"<script async src='https://platform.twitter.com/widgets.js' charset='utf-8'></script>")
    video = (f"<div class='video-player'><div class='vp-title'>{pg.f(rng.choice(VIDEO_TITLES))}</div><span class='vp-duration'>{pg.f('02:' + str(rng.randint(10, 59)))}</span>"
             f"<div class='vp-placeholder'>{pg.f('Video player loading')}</div></div>")
    yt = "<div class='embed-responsive'><iframe src='https://www.youtube.com/embed/abc' allowfullscreen></iframe></div>"
    insta = (f"<blockquote class='instagram-media'><a href='https://instagram.com/p/x'>{pg.f('View this post on Instagram')}</a>"
             f"<p>{pg.f('A post shared by City Council (@citycouncil)')}</p></blockquote>")
    for e in rng.sample([tweet, video, yt, insta], rng.randint(2, 4)):
        ps.insert(rng.randint(1, len(ps)), e)
    return (f"<header>{nav(pg)}</header><article><h1>{pg.n(hl)}</h1>{byline(pg)}<div class='article-body'>{''.join(ps)}</div>"
            f"</article>{related(pg, 'Watch more', 3)}{footer(pg, OUTLETS[n % 8])}")


def table_page(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 43 + 13)
    hl = rng.choice(HEADLINES)
    rows = "".join(f"<tr><td>{pg.n(x)}</td><td>{rng.randint(10, 900)}</td><td>{rng.randint(1, 60)}.{rng.randint(0, 9)}%</td></tr>"
                   for x in rng.sample(["North", "South", "East", "West", "Central", "Coastal", "Highlands"], 5))
    table = (f"<table class='data-table'><caption>{pg.n('Results by region')}</caption><thead><tr><th>Region</th><th>Seats</th>"
             f"<th>Share</th></tr></thead><tbody>{rows}</tbody></table>"
             f"<p class='table-source'>{pg.f('Source: Electoral commission. Table: ' + OUTLETS[n % 8])}</p>")
    ps = [pg.para(p) for p in story]
    ps.insert(rng.randint(1, len(ps)), table)
    return (f"<header>{nav(pg)}</header><main><article><h1>{pg.n(hl)}</h1>{byline(pg)}<div class='body-copy'>{''.join(ps)}</div>"
            f"</article></main>{footer(pg, OUTLETS[n % 8])}")


def byline_share(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 47 + 14)
    hl = rng.choice(HEADLINES)
    name = rng.choice(NAMES)
    tools = (f"<div class='article-tools'><button class='listen'>{pg.f('Listen to this article')}</button>"
             f"<span class='duration'>{pg.f(str(rng.randint(2, 9)) + ' min')}</span><a class='gift'>{pg.f('Gift this article')}</a>"
             f"<a class='comments-count'>{pg.f('Comments (' + str(rng.randint(2, 80)) + ')')}</a>"
             f"<button class='save'>{pg.f('Save')}</button></div>")
    bio = (f"<div class='author-card'><img src='/a.jpg' alt=''><p><strong>{pg.f(name)}</strong></p>"
           f"<p>{pg.f(name + ' is a senior correspondent covering economics and trade policy.')}</p></div>")
    ps = "".join(pg.para(p) for p in story)
    return (f"<header>{nav(pg)}</header>{cookie(pg)}<main><article><h1>{pg.n(hl)}</h1>"
            f"<div class='article-meta'>{byline(pg)}{pg.f('Updated 2 hours ago') if rng.random() < 0.5 else ''}</div>"
            f"{share_row(pg)}{tools}<div class='article__body'>{ps}</div>{share_row(pg, cls='share-bottom')}{bio}</article></main>"
            f"{footer(pg, OUTLETS[n % 8])}")


def cookie_cmp(pg: Page, n: int) -> str:
    rng = pg.rng
    story = english_story(pg, n * 53 + 15)
    hl = rng.choice(HEADLINES)
    ps = "".join(pg.para(p) for p in story)
    layers = cookie(pg) + (cookie(pg) if rng.random() < 0.4 else "")
    top = layers if n % 2 else ""
    bottom = "" if n % 2 else layers
    return (f"{top}<header>{nav(pg)}</header><div id='main'><div class='article'><h1>{pg.n(hl)}</h1>{byline(pg)}"
            f"<div class='content-body'>{ps}</div></div>{related(pg, 'Popular now', 4)}</div>{footer(pg, OUTLETS[n % 8])}{bottom}")


def live_page(pg: Page, n: int) -> str:
    rng = pg.rng
    title, entries = LIVE[n % len(LIVE)]
    use = entries[: rng.randint(3, len(entries))]
    posts = []
    for i, (t, h, paras) in enumerate(use):
        head_ = f"<h3>{pg.n(h)}</h3>" if h else ""
        pin = f"<span class='pinned'>{pg.f('Pinned')}</span>" if i == 0 and rng.random() < 0.5 else ""
        body = "".join(pg.para(p) for p in paras)
        posts.append(f"<div class='live-post' id='post-{1000 + i}'>{pin}<time>{pg.f(t)}</time>{head_}{body}"
                     f"<div class='live-post__share'><a>{pg.f('Share')}</a></div></div>")
    keys = "".join(f"<li><a href='#post-{1000 + i}'>{pg.f(t + ' ' + h)}</a></li>" for i, (t, h, _) in enumerate(use) if h)
    return (f"<header>{nav(pg)}</header><main><div class='live-header'><span class='badge'>{pg.f('LIVE')}</span><h1>{pg.n(title)}</h1>"
            f"<p class='updated'>{pg.f('Updated ' + str(rng.randint(1, 9)) + ' minutes ago')}</p></div>"
            f"<aside class='key-events'><h2>{pg.f('Key events')}</h2><ul>{keys}</ul></aside>"
            f"<div class='live-feed'><button class='new-posts'>{pg.f('Show ' + str(rng.randint(2, 6)) + ' new updates')}</button>{''.join(posts)}"
            f"<button class='load-more'>{pg.f('Load more updates')}</button></div></main>{footer(pg, OUTLETS[n % 8])}")


def one_line(pg: Page, n: int) -> str:
    rng = pg.rng
    text = ONE_LINERS[n % len(ONE_LINERS)]
    hl = rng.choice(HEADLINES)
    body = pg.para(text)
    note = f"<p class='developing'>{pg.f('This is a developing story. Check back for updates.')}</p>" if rng.random() < 0.6 else ""
    return (f"<header>{nav(pg)}</header><main><article><span class='flash'>{pg.f('BREAKING')}</span><h1>{pg.n(hl)}</h1>{byline(pg)}"
            f"<div class='article-body'>{body}{note}</div>{share_row(pg)}</article>"
            f"{related(pg, 'Latest', 5, teasers=True)}</main>{footer(pg, OUTLETS[n % 8])}")


def legacy_br(pg: Page, n: int) -> str:
    """Older CMS pages: paragraphs separated by <br><br>, sometimes inside a layout table."""
    rng = pg.rng
    story = english_story(pg, n * 59 + 16)
    hl = rng.choice(HEADLINES)
    text = "<br><br>".join(pg.s(p) for p in story)
    inner = (f"<font face='Verdana' size='2'><b>{pg.n(hl)}</b><br><span class='date'>{pg.f('Tuesday, September 17, 2024')}</span><br><br>"
             f"<div class='newstext'>{text}</div></font>")
    left = "".join(f"<a href='/c{i}'>{pg.f(s)}</a><br>" for i, s in enumerate(SECTIONS["en"][:10]))
    if n % 2:
        body = (f"<table width='980' cellpadding='0' cellspacing='0'><tr><td colspan='2'><img src='/logo.gif'></td></tr>"
                f"<tr><td width='180' valign='top' class='leftnav'>{left}</td><td valign='top'>{inner}</td></tr>"
                f"<tr><td colspan='2' class='foot'>{pg.f('Copyright © 2024 Valley Gazette Online. All rights reserved.')}</td></tr></table>")
    else:
        body = (f"<div id='left'>{left}</div><div id='center'>{inner}<p><a href='/print'>{pg.f('Print this story')}</a> | "
                f"<a href='/mail'>{pg.f('Email to a friend')}</a></p></div><div id='bottom'>{pg.f('Copyright © 2024 Valley Gazette Online. All rights reserved.')}</div>")
    return body


# ---- Spanish, French, German, Portuguese outlets -------------------------------------------------
def foreign_story(pg: Page, lang: str, n: int) -> list[str]:
    rng = pg.rng
    dl, paras = FOREIGN[lang][n % len(FOREIGN[lang])]
    story = [f"{dl} {paras[0]}", *paras[1:]]
    if rng.random() < 0.6:
        story.insert(rng.randint(1, len(story)), rng.choice(FOREIGN_TRAPS[lang]))
    if rng.random() < 0.3:
        story.append(rng.choice(FOREIGN_QUOTES[lang]))
    return story


FOREIGN_HL = {"es": "El Gobierno anuncia nuevas medidas", "fr": "Le gouvernement présente son projet",
              "de": "Regierung legt Pläne vor", "pt": "Governo anuncia novo pacote"}


def spanish(pg: Page, n: int) -> str:
    rng = pg.rng
    story = foreign_story(pg, "es", n)
    walled = n % 2 == 0  # subscribe-to-continue inside the article, the rest not in the page
    ps = [pg.para(p) for p in (story[:rng.randint(1, 3)] if walled else story)]
    ps.insert(rng.randint(1, len(ps)), f"<p class='more'>{pg.f('Lee también: ' + rng.choice(['Los embalses, en mínimos', 'Qué cambia con la nueva ley', 'Las claves del acuerdo']))}</p>")
    if walled:
        ps.append(f"<div class='a_pw'><p>{pg.f('Suscríbete para seguir leyendo')}</p><p>{pg.f('Lee sin límites')}</p>"
                  f"<a>{pg.f('Suscríbete')}</a> <a>{pg.f('Ya soy suscriptor')}</a></div>")
    else:
        ps.insert(rng.randint(1, len(ps)), ad(pg, "Publicidad"))
    info = "".join(f"<li><a>{pg.f(h)}</a></li>" for h in rng.sample(["Las claves del acuerdo", "El Gobierno aprueba el plan", "Qué dicen los expertos"], 2))
    return (f"<header>{nav(pg, 'es')}<a class='login'>{pg.f('Iniciar sesión')}</a></header>{cookie(pg, 'es')}"
            f"<main><article><header class='a_e'><h1>{pg.n(FOREIGN_HL['es'])}</h1><h2 class='a_st'>{pg.n('Las medidas entrarán en vigor el próximo año')}</h2>"
            f"{byline(pg, 'es')}</header>{share_row(pg, 'es')}<div class='a_c clearfix' data-dtm-region='articulo_cuerpo'>{''.join(ps)}</div>"
            f"<div class='a_md'><h3>{pg.f('Más información')}</h3><ul>{info}</ul></div>"
            f"<div class='a_k'><span>{pg.f('Archivado En')}</span> <a>{pg.f('Economía')}</a> <a>{pg.f('Agricultura')}</a></div>"
            f"<div class='nl'><p>{pg.f('Recibe cada mañana el boletín con las noticias más importantes del día.')}</p></div></article></main>"
            f"{footer(pg, FOREIGN_OUTLETS['es'], 'es')}")


def french(pg: Page, n: int) -> str:
    rng = pg.rng
    story = foreign_story(pg, "fr", n)
    walled = n % 2 == 0
    ps = [pg.para(p, attrs=" class='article__paragraph'") for p in (story[:rng.randint(1, 3)] if walled else story)]
    ps.insert(rng.randint(1, len(ps)), f"<section class='catcher'><span>{pg.f('Lire aussi')}</span> <a>{pg.f(rng.choice(['Logement : ce que prévoit le texte', 'Le gaz, casse-tête de l’hiver', 'Les maires vent debout']))}</a></section>")
    if walled:
        pct = f"{rng.randint(40, 85)},{rng.randint(0, 9)}"
        ps.append(f"<div class='paywall-message'><p>{pg.f(f'Il vous reste {pct} % de cet article à lire. La suite est réservée aux abonnés.')}</p>"
                  f"<p>{pg.f('Déjà abonné ?')} <a>{pg.f('Se connecter')}</a></p></div>")
        flag = f"<span class='article__status'>{pg.f('Article réservé aux abonnés')}</span>"
    else:
        ps.insert(rng.randint(1, len(ps)), ad(pg, "Publicité"))
        flag = ""
    return (f"<header>{nav(pg, 'fr')}</header>{cookie(pg, 'fr')}<main><article class='article'>{flag}<h1>{pg.n(FOREIGN_HL['fr'])}</h1>"
            f"<p class='article__desc'>{pg.n('Le texte doit être examiné au Parlement à l’automne.')}</p>"
            f"<p class='meta__author'>{pg.f(FOREIGN_OUTLETS['fr'] + ' avec AFP')}</p>{byline(pg, 'fr')}<span class='meta__reading-time'>{pg.f('Temps de Lecture 3 min.')}</span>"
            f"<a class='meta__gift'>{pg.f('Offrir cet article')}</a>{share_row(pg, 'fr')}<div class='article__content'>{''.join(ps)}</div>"
            f"<div class='nl-inline'><p>{pg.f('Newsletter « La Matinale » : chaque matin, l’essentiel de l’actualité.')}</p></div></article></main>"
            f"{footer(pg, FOREIGN_OUTLETS['fr'], 'fr')}")


def german(pg: Page, n: int) -> str:
    rng = pg.rng
    story = foreign_story(pg, "de", n)
    walled = n % 3 == 0
    ps = [pg.para(p) for p in (story[:rng.randint(1, 2)] if walled else story)]
    if not walled:
        ps.insert(rng.randint(1, len(ps)), ad(pg, "Anzeige"))
    ps.insert(rng.randint(1, len(ps)), f"<div class='lesen-sie-auch'><span>{pg.f('Lesen Sie auch')}</span><a>{pg.f(rng.choice(['Was die Reform für Mieter bedeutet', 'Hochwasser: Die Lage am Morgen', 'Zinsen: Wie es weitergeht']))}</a></div>")
    plus = ""
    if walled:
        plus = (f"<div class='z-plus-box'><p>{pg.f('Dieser Artikel gehört zum Angebot von R+. Sie können ihn nur mit einem Abo lesen.')}</p>"
                f"<a>{pg.f('Jetzt abonnieren')}</a> <a>{pg.f('Bereits Abonnent? Hier anmelden')}</a></div>")
    img = f"<figure><img src='/b.jpg'><figcaption>{pg.f('Ein Blick auf die Baustelle am Montag.')} {pg.f('Foto: dpa')}</figcaption></figure>"
    mehr = "".join(f"<li><a>{pg.f(h)}</a></li>" for h in rng.sample(["Heizungsgesetz: Die wichtigsten Fragen", "Wie teuer wird das Heizen?", "Streit in der Koalition"], 2))
    return (f"<header>{nav(pg, 'de')}</header>{cookie(pg, 'de')}<main><article><h1>{pg.n(FOREIGN_HL['de'])}</h1>{byline(pg, 'de')}"
            f"<span class='lesezeit'>{pg.f('Lesezeit: 3 Min.')}</span>{img}<div class='RichText'>{''.join(ps)}{plus}</div>"
            f"<div class='mehr-zum-thema'><h3>{pg.f('Mehr zum Thema')}</h3><ul>{mehr}</ul></div>{share_row(pg, 'de')}"
            f"<a class='back'>{pg.f('Zur Startseite')}</a></article></main>{footer(pg, FOREIGN_OUTLETS['de'], 'de')}")


def portuguese(pg: Page, n: int) -> str:
    rng = pg.rng
    story = foreign_story(pg, "pt", n)
    ps = [pg.para(p) for p in story]
    ps.insert(rng.randint(1, len(ps)), f"<p class='leia'><strong>{pg.f('Leia também:')}</strong> <a>{pg.f(rng.choice(['Queimadas batem recorde no Pantanal', 'O que muda com o novo orçamento', 'Juros: o que esperar']))}</a></p>")
    ps.insert(rng.randint(1, len(ps)), ad(pg, "Publicidade"))
    wall = ""
    if n % 2 == 1:
        wall = (f"<div class='c-paywall'><p>{pg.f('Assine por R$ 1,90 no primeiro mês e tenha acesso ilimitado.')}</p>"
                f"<a>{pg.f('Assine')}</a> <p>{pg.f('Já é assinante?')} <a>{pg.f('Faça login')}</a></p></div>")
    whatsapp = f"<div class='c-whatsapp'><p>{pg.f('Receba as notícias mais importantes do dia no seu WhatsApp')}</p></div>"
    return (f"<header>{nav(pg, 'pt')}</header>{cookie(pg, 'pt')}<main><article><h1>{pg.n(FOREIGN_HL['pt'])}</h1>{byline(pg, 'pt')}"
            f"{share_row(pg, 'pt')}<div class='c-news__body'>{''.join(ps)}</div>{whatsapp}{wall}"
            f"<div class='c-topics'><span>{pg.f('Tópicos:')}</span> <a>{pg.f('Meio ambiente')}</a> <a>{pg.f('Economia')}</a></div>"
            f"</article></main>{footer(pg, FOREIGN_OUTLETS['pt'], 'pt')}")


STYLES: dict[str, tuple[str, Callable[[Page, int], str]]] = {
    "news_portal": ("en", news_portal), "paywall_metered": ("en", paywall_metered),
    "paywall_inline": ("en", paywall_inline), "paywall_schema": ("en", paywall_schema),
    "agency_wire": ("en", agency_wire), "regional_paper": ("en", regional_paper), "blog": ("en", blog),
    "aggregator": ("en", aggregator), "amp": ("en", amp_page), "also_read": ("en", also_read),
    "captions": ("en", captions), "embeds": ("en", embeds), "table": ("en", table_page),
    "byline_share": ("en", byline_share), "cookie_cmp": ("en", cookie_cmp), "live": ("en", live_page),
    "one_line": ("en", one_line), "legacy_br": ("en", legacy_br), "es_outlet": ("es", spanish),
    "fr_outlet": ("fr", french), "de_outlet": ("de", german), "pt_outlet": ("pt", portuguese),
}


def make_pages() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    pages = []
    for s_ix, (style, (lang, build)) in enumerate(STYLES.items()):
        for n in range(PAGES_PER_STYLE):
            pg = Page(rng)
            body = build(pg, n)
            outlet = FOREIGN_OUTLETS.get(lang, OUTLETS[(n + s_ix) % len(OUTLETS)])
            title = FOREIGN_HL.get(lang) or rng.choice(HEADLINES)
            pages.append({"id": f"outlet-{s_ix:02d}-{n}", "style": style,
                          "html": page_html(title, outlet, body, rng, lang, amp=style == "amp"),
                          "story": pg.story, "furniture": pg.furniture})
    return pages


def main() -> None:
    pages = make_pages()
    with (HERE / "pages_outlets.jsonl").open("w", encoding="utf-8") as fh:
        for p in pages:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    kb = sum(len(p["html"]) for p in pages) / len(pages) / 1024
    print(f"wrote {len(pages)} pages in {len(STYLES)} styles (mean {kb:.1f} KB)")


if __name__ == "__main__":
    main()
