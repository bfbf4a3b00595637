"""Deterministic generator of realistic wire items for the end-to-end benchmark.

    .venv/bin/python -m bench.generate -n 10000 -o /tmp/items.jsonl [--seed 7]

The mix is what a newsroom ingest sees, so every stage does its real work:

* agency originals (Reuters, AP, AFP, dpa, EFE, IANS, PTI, ANI, Xinhua, Anadolu, Kyodo, UNI)
  with the agency's own dateline and sign-off, bodies 0.3-10 KB (log-uniform);
* ~20% syndicated copies of a recent original as an outlet published it: the outlet's
  headline, "Also read" teasers, a share bar, a paywall or newsletter block, an
  auto-generated-feed disclaimer; a quarter of them arrive as scraped HTML (ninjs 2);
* ~3% corrections (same id, next version, CORRECTED headline, one figure changed) and a
  few kills;
* English, French, Spanish, German and Portuguese copy (English dominant, as on the wires).

Text is assembled from templates written for this file; names are real public figures
and places so the tagger finds entities at a realistic density. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

# (agency, dateline format, sign-off); {city} {mon} {day} are filled per story.
AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("Reuters", "{CITY}, {mon} {day} (Reuters) - ", "(Reporting by {rep}; Editing by {ed})"),
    ("AP", "{CITY} (AP) — ", "Associated Press writer {rep} contributed to this report."),
    ("AFP", "{CITY} ({mon} {day}) AFP - ", "{ini}/{ini2}"),
    ("dpa", "{City} (dpa) - ", "dpa {ini} xx {ini2}"),
    ("EFE", "{City}, {mon} {day} (EFE).- ", "EFE {ini}/{ini2}"),
    ("IANS", "{City}, {mon} {day} (IANS) ", "--IANS\n{ini}/"),
    ("PTI", "{CITY}, {mon} {day} (PTI) ", "PTI {INI} {INI2}"),
    ("ANI", "{City} [India], {mon} {day} (ANI): ", "(ANI)"),
    ("Xinhua", "{CITY}, {mon} {day} (Xinhua) -- ", "Enditem"),
    ("Anadolu", "{CITY} ", "Anadolu Agency"),
    ("Kyodo", "{CITY}, {mon} {day} Kyodo - ", "==Kyodo"),
    ("UNI", "{City}, {mon} {day} (UNI) ", "UNI {INI} {INI2}"),
)

OUTLETS: tuple[tuple[str, str], ...] = (
    ("Business Standard", "business-standard.com"),
    ("The Hindu", "thehindu.com"),
    ("Gulf News", "gulfnews.com"),
    ("Daily Sabah", "dailysabah.com"),
    ("Devdiscourse", "devdiscourse.com"),
    ("Japan Today", "japantoday.com"),
    ("La Vanguardia", "lavanguardia.com"),
    ("Le Figaro", "lefigaro.fr"),
    ("Der Standard", "derstandard.at"),
    ("Folha", "folha.uol.com.br"),
    ("Khaleej Times", "khaleejtimes.com"),
    ("Yahoo News", "news.yahoo.com"),
)

PEOPLE = (
    "Antonio Guterres",
    "Emmanuel Macron",
    "Olaf Scholz",
    "Narendra Modi",
    "Xi Jinping",
    "Vladimir Putin",
    "Recep Tayyip Erdogan",
    "Luiz Inacio Lula da Silva",
    "Pedro Sanchez",
    "Fumio Kishida",
    "Volodymyr Zelenskiy",
    "Ursula von der Leyen",
    "Sergei Lavrov",
    "Antony Blinken",
    "Kristalina Georgieva",
    "Christine Lagarde",
    "Jerome Powell",
    "Cyril Ramaphosa",
    "Bola Tinubu",
    "Anthony Albanese",
    "Justin Trudeau",
    "Javier Milei",
)
PLACES = (
    ("Geneva", "Switzerland"),
    ("Brussels", "Belgium"),
    ("New Delhi", "India"),
    ("Beijing", "China"),
    ("Moscow", "Russia"),
    ("Ankara", "Turkey"),
    ("Brasilia", "Brazil"),
    ("Madrid", "Spain"),
    ("Tokyo", "Japan"),
    ("Kyiv", "Ukraine"),
    ("Paris", "France"),
    ("Berlin", "Germany"),
    ("Washington", "United States"),
    ("Nairobi", "Kenya"),
    ("Abuja", "Nigeria"),
    ("Cairo", "Egypt"),
    ("Jakarta", "Indonesia"),
    ("Islamabad", "Pakistan"),
    ("Tehran", "Iran"),
    ("Beirut", "Lebanon"),
    ("Buenos Aires", "Argentina"),
    ("Mexico City", "Mexico"),
    ("Canberra", "Australia"),
    ("Ottawa", "Canada"),
    ("Pretoria", "South Africa"),
    ("Seoul", "South Korea"),
)
ORGS = (
    "the United Nations",
    "the World Bank",
    "the International Monetary Fund",
    "NATO",
    "the European Union",
    "the World Health Organization",
    "OPEC",
    "the African Union",
    "the Red Cross",
    "the World Trade Organization",
    "UNICEF",
    "the Group of 20",
)
TOPICS_EN = (
    ("talks on a ceasefire", "ceasefire"),
    ("a new trade agreement", "trade"),
    ("emergency funding for flood victims", "floods"),
    ("a rise in interest rates", "rates"),
    ("an overhaul of the electricity grid", "energy"),
    ("vaccine deliveries", "health"),
    ("sanctions on oil exports", "sanctions"),
    ("a disputed election result", "election"),
    ("wheat shipments through the Black Sea", "grain"),
    ("a border security pact", "security"),
)
REPORTERS = (
    "Laila Bassam",
    "Tom Miles",
    "Aditi Shah",
    "Yuka Obayashi",
    "Orhan Coskun",
    "Maria Carolina Marcello",
    "Andreas Rinke",
    "Belen Carreno",
    "John Irish",
    "Sakshi Dayal",
)
INITIALS = ("ml", "sk", "rvt", "pd", "jm", "ak", "bt", "hs", "dv", "lr")
MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")

# Sentence templates per language. Slots: p person, c country, city, o org, t topic, n/m numbers.
SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "{p} said on {wd} that {c} would press ahead with {t} despite objections from {o}.",
        "Officials in {city} told reporters that at least {n} people had been affected and {m} more "
        "were waiting for help.",
        "The talks, hosted by {o}, are expected to last {k} days, according to a draft agenda seen by "
        "reporters.",
        '"We are not going to accept a deal that leaves {c} worse off," {p} told a news conference in '
        "{city}.",
        "{c}'s finance ministry said the package was worth {n} million dollars, up from {m} million "
        "announced in {mon}.",
        "Analysts said the move could add {k}.{d} percentage points to inflation over the next year.",
        "A spokesperson for {o} said the organisation was monitoring the situation closely.",
        "Talks between {c} and {c2} broke down last {mon} over the sequencing of {t}.",
        "{p} is due to travel to {city2} later this week to meet counterparts from {k} countries.",
        "Opposition lawmakers in {city} called the decision premature and demanded a vote.",
        "Markets in {city} rose {k}.{d} percent after the announcement, led by bank shares.",
        "The agreement still needs the approval of parliament in {c}, where the governing coalition "
        "holds {n} of the seats.",
    ),
    "fr": (
        "{p} a déclaré {wd} que {c} poursuivrait {t} malgré les objections de {o}.",
        "Selon les autorités de {city}, au moins {n} personnes ont été touchées et {m} autres attendent "
        "de l'aide.",
        "« Nous n'accepterons pas un accord qui affaiblit {c} », a affirmé {p} lors d'une conférence de "
        "presse à {city}.",
        "Le ministère des finances a chiffré le plan à {n} millions d'euros, contre {m} millions "
        "annoncés en {mon}.",
        "Un porte-parole de {o} a indiqué que l'organisation suivait la situation de près.",
        "Les discussions entre {c} et {c2} avaient échoué en {mon} sur le calendrier des négociations.",
        "La Bourse de {city} a gagné {k},{d} % après l'annonce, portée par les valeurs bancaires.",
    ),
    "es": (
        "{p} afirmó el {wd} que {c} seguirá adelante con {t} pese a las objeciones de {o}.",
        "Las autoridades de {city} informaron de que al menos {n} personas resultaron afectadas y otras "
        "{m} esperan ayuda.",
        '"No vamos a aceptar un acuerdo que perjudique a {c}", dijo {p} en rueda de prensa en {city}.',
        "El ministerio de Hacienda cifró el paquete en {n} millones de dólares, frente a los {m} "
        "millones anunciados en {mon}.",
        "Un portavoz de {o} indicó que la organización sigue de cerca la situación.",
        "Las conversaciones entre {c} y {c2} se rompieron en {mon} por el calendario de la negociación.",
        "La bolsa de {city} subió un {k},{d} % tras el anuncio, impulsada por los bancos.",
    ),
    "de": (
        "{p} sagte am {wd}, {c} werde trotz Einwänden von {o} an {t} festhalten.",
        "Nach Angaben der Behörden in {city} sind mindestens {n} Menschen betroffen, {m} weitere warten "
        "auf Hilfe.",
        '"Wir werden kein Abkommen akzeptieren, das {c} schwächt", sagte {p} in {city}.',
        "Das Finanzministerium bezifferte das Paket auf {n} Millionen Euro, nach {m} Millionen im {mon}.",
        "Ein Sprecher von {o} sagte, man beobachte die Lage genau.",
        "Die Börse in {city} legte nach der Ankündigung um {k},{d} Prozent zu.",
    ),
    "pt": (
        "{p} disse na {wd} que {c} vai avançar com {t} apesar das objeções de {o}.",
        "Segundo as autoridades de {city}, pelo menos {n} pessoas foram afetadas e outras {m} aguardam "
        "ajuda.",
        '"Não vamos aceitar um acordo que prejudique {c}", afirmou {p} em entrevista coletiva em {city}.',
        "O ministério da Fazenda estimou o pacote em {n} milhões de dólares, ante {m} milhões anunciados "
        "em {mon}.",
        "Um porta-voz de {o} disse que a organização acompanha a situação de perto.",
        "A bolsa de {city} subiu {k},{d}% após o anúncio, puxada pelos bancos.",
    ),
}
HEADLINES: dict[str, tuple[str, ...]] = {
    "en": (
        "{c} presses ahead with {tk} plan as {o} voices concern",
        "{p} says {c} will not back down on {tk}",
        "{c}, {c2} talks on {tk} stall in {city}",
        "{tk}: {n} affected as {c} seeks help from {o}",
    ),
    "fr": (
        "{c} maintient son projet malgré {o}",
        "{p} promet de ne pas céder",
        "Échec des pourparlers à {city}",
    ),
    "es": ("{c} sigue adelante pese a {o}", "{p} promete no ceder", "Se rompen las conversaciones en {city}"),
    "de": (
        "{c} hält trotz Kritik von {o} am Kurs fest",
        "{p} will nicht nachgeben",
        "Gespräche in {city} gescheitert",
    ),
    "pt": ("{c} avança apesar de {o}", "{p} promete não recuar", "Negociações fracassam em {city}"),
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"),
    "pt": ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira"),
}
LANG_WEIGHTS = (("en", 0.70), ("fr", 0.08), ("es", 0.10), ("de", 0.06), ("pt", 0.06))

# Outlet furniture: lines an outlet wraps around a syndicated story.
FURNITURE_TOP = (
    "Advertisement",
    "Listen to this article",
    "{mins} min read",
    "Updated: {mon} {day}, {hh}:{mm} IST",
    "Follow us on Google News",
)
FURNITURE_BOTTOM = (
    "(Only the headline and picture of this report may have been reworked by the {outlet} staff; the rest of "
    "the content is auto-generated from a syndicated feed.)",
    "Also Read: {teaser}",
    "Read more: {teaser}",
    "Share this article: WhatsApp | Facebook | X | LinkedIn | Email",
    "Subscribe to our newsletter for the top stories every morning.",
    "You have reached your limit of free articles this month.\nSubscribe now for unlimited access.\n"
    "Already a subscriber? Sign in",
    "Catch all the latest news and updates on {outlet}. Download the {outlet} app.",
    "Copyright {year} {outlet}. All rights reserved.",
    "First Published: {mon} {day} {year} | {hh}:{mm} IST",
)
TEASERS = (
    "Gold prices slip as dollar firms ahead of Fed minutes",
    "Monsoon to arrive early, weather office says",
    "Five things to watch in markets this week",
    "Cabinet reshuffle likely before budget session",
    "Tech stocks lead rebound on strong earnings",
    "Heatwave warning issued for northern districts",
)


@dataclass(slots=True)
class _Story:
    id: str
    agency: str
    language: str
    headline: str
    paragraphs: list[str]
    published: datetime
    version: int = 1


class Generator:
    """Yields wire items (dicts) one at a time; deterministic for a given seed."""

    def __init__(
        self,
        seed: int = 7,
        *,
        copy_share: float = 0.20,
        correction_share: float = 0.03,
        kill_share: float = 0.003,
        html_share_of_copies: float = 0.25,
        start: datetime = datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
    ) -> None:
        self.rng = random.Random(seed)
        self.copy_share = copy_share
        self.correction_share = correction_share
        self.kill_share = kill_share
        self.html_share = html_share_of_copies
        self.clock = start
        self.recent: list[_Story] = []
        self.n = 0

    # -- public -------------------------------------------------------------
    def items(self, count: int) -> Iterator[dict[str, Any]]:
        for _ in range(count):
            yield self.next()

    def next(self) -> dict[str, Any]:
        r = self.rng
        self.n += 1
        self.clock += timedelta(seconds=r.expovariate(1 / 4.0))
        roll = r.random()
        if self.recent and roll < self.copy_share:
            return self._copy(r.choice(self.recent[-200:]))
        roll -= self.copy_share
        if self.recent and roll < self.correction_share:
            return self._correction(r.choice(self.recent[-200:]))
        roll -= self.correction_share
        if self.recent and roll < self.kill_share:
            victim = r.choice(self.recent[-50:])
            return {
                "id": victim.id,
                "version": victim.version + 1,
                "source": victim.agency,
                "pubstatus": "canceled",
                "headline": f"KILL - {victim.headline}",
                "body": "",
                "published": _iso(self.clock),
            }
        story = self._story()
        self.recent.append(story)
        del self.recent[:-1000]
        return self._wire(story)

    # -- building blocks ----------------------------------------------------
    def _fill(self, template: str, lang: str, ctx: dict[str, str]) -> str:
        r = self.rng
        city, country = r.choice(PLACES)
        city2, country2 = r.choice(PLACES)
        values = {
            "p": r.choice(PEOPLE),
            "c": ctx.get("c", country),
            "c2": country2,
            "city": ctx.get("city", city),
            "city2": city2,
            "o": r.choice(ORGS),
            "t": ctx.get("t", r.choice(TOPICS_EN)[0]),
            "tk": ctx.get("tk", "trade"),
            "n": str(r.randint(12, 98_000)),
            "m": str(r.randint(3, 9_000)),
            "k": str(r.randint(1, 30)),
            "d": str(r.randint(0, 9)),
            "mon": r.choice(MONTHS),
            "wd": r.choice(WEEKDAYS[lang]),
        }
        return template.format(**values)

    def _story(self) -> _Story:
        r = self.rng
        lang = _weighted(r, LANG_WEIGHTS)
        agency, dateline, signoff = r.choice(AGENCIES)
        city, country = r.choice(PLACES)
        topic, tk = r.choice(TOPICS_EN)
        ctx = {"c": country, "city": city, "t": topic, "tk": tk}
        target = int(math.exp(r.uniform(math.log(300), math.log(10_000))))
        mon, day = r.choice(MONTHS), str(r.randint(1, 28))
        lead = dateline.format(CITY=city.upper(), City=city, mon=mon, day=day) + self._fill(
            r.choice(SENTENCES[lang]), lang, ctx
        )
        paragraphs = [lead]
        size = len(lead.encode())
        while size < target:
            para = " ".join(self._fill(r.choice(SENTENCES[lang]), lang, ctx) for _ in range(r.randint(1, 3)))
            paragraphs.append(para)
            size += len(para.encode()) + 1
        rep, ed = r.sample(REPORTERS, 2)
        ini, ini2 = r.sample(INITIALS, 2)
        paragraphs.append(
            signoff.format(rep=rep, ed=ed, ini=ini, ini2=ini2, INI=ini.upper(), INI2=ini2.upper())
        )
        sid = f"{agency.lower()}-{self.clock:%Y%m%d}-{self.n:08d}"
        headline = self._fill(r.choice(HEADLINES[lang]), lang, ctx)
        return _Story(sid, agency, lang, headline, paragraphs, self.clock)

    def _wire(self, s: _Story) -> dict[str, Any]:
        return {
            "id": s.id,
            "version": s.version,
            "source": s.agency,
            "language": s.language,
            "published": _iso(s.published),
            "headline": s.headline,
            "body": "\n".join(s.paragraphs),
        }

    def _copy(self, s: _Story) -> dict[str, Any]:
        r = self.rng
        outlet, host = r.choice(OUTLETS)
        f = {
            "outlet": outlet,
            "mon": r.choice(MONTHS),
            "day": str(r.randint(1, 28)),
            "year": str(self.clock.year),
            "hh": f"{r.randint(0, 23):02d}",
            "mm": f"{r.randint(0, 59):02d}",
            "mins": str(r.randint(2, 9)),
            "teaser": r.choice(TEASERS),
        }
        top = [t.format(**f) for t in r.sample(FURNITURE_TOP, r.randint(0, 2))]
        bottom = [t.format(**f) for t in r.sample(FURNITURE_BOTTOM, r.randint(2, 4))]
        headline = s.headline if r.random() < 0.5 else f"{s.headline} | {outlet}"
        slug = f"{self.n:08d}"
        item: dict[str, Any] = {
            "language": s.language,
            "published": _iso(self.clock),
            "url": f"https://www.{host}/world/story-{slug}",
        }
        if r.random() < self.html_share:
            paras = "".join(f"<p>{_esc(p)}</p>" for p in s.paragraphs)
            page = (
                f"<html><head><title>{_esc(headline)}</title></head><body>"
                f'<nav class="site-nav"><a href="/">{outlet}</a><a href="/world">World</a></nav>'
                f"<article><h1>{_esc(headline)}</h1>"
                + "".join(f'<div class="meta">{_esc(t)}</div>' for t in top)
                + paras
                + "".join(f'<div class="related">{_esc(t)}</div>' for t in bottom)
                + f"</article><footer>Copyright {f['year']} {outlet}</footer></body></html>"
            )
            item |= {
                "uri": f"{host}:{slug}",
                "headlines": [{"role": "main", "value": headline}],
                "bodies": [{"contenttype": "text/html", "value": page}],
                "copyrightholder": outlet,
                "versioncreated": item.pop("published"),
            }
            return item
        body = "\n".join([*top, *s.paragraphs, *bottom])
        return item | {
            "id": f"{host}-{slug}",
            "version": 1,
            "source": outlet,
            "headline": headline,
            "body": body,
        }

    def _correction(self, s: _Story) -> dict[str, Any]:
        r = self.rng
        s.version += 1
        i = r.randrange(len(s.paragraphs) - 1) if len(s.paragraphs) > 1 else 0
        old = s.paragraphs[i]
        digits = [j for j, ch in enumerate(old) if ch.isdigit()]
        if digits:
            j = r.choice(digits)
            old = old[:j] + str((int(old[j]) + 1) % 10) + old[j + 1 :]
        s.paragraphs[i] = old
        item = self._wire(s)
        item["headline"] = f"CORRECTED-{s.headline}"
        item["published"] = _iso(self.clock)
        return item


def _weighted(r: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    x = r.random() * sum(w for _, w in choices)
    for value, w in choices:
        x -= w
        if x <= 0:
            return value
    return choices[-1][0]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(count: int, seed: int = 7) -> list[bytes]:
    """``count`` encoded items (one JSON object each)."""
    g = Generator(seed)
    return [orjson.dumps(it) for it in g.items(count)]


def describe(values: list[bytes]) -> dict[str, Any]:
    """What the mix actually contains (reported next to every result)."""
    kinds = {"original": 0, "copy": 0, "copy_html": 0, "correction": 0, "kill": 0}
    langs: dict[str, int] = {}
    sizes = []
    for v in values:
        it = orjson.loads(v)
        if it.get("pubstatus") == "canceled":
            kinds["kill"] += 1
        elif "bodies" in it:
            kinds["copy_html"] += 1
        elif str(it.get("headline", "")).startswith("CORRECTED-"):
            kinds["correction"] += 1
        elif "url" in it:
            kinds["copy"] += 1
        else:
            kinds["original"] += 1
        langs[it.get("language") or "?"] = langs.get(it.get("language") or "?", 0) + 1
        sizes.append(len(v))
    sizes.sort()
    n = len(values) or 1
    return {
        "items": len(values),
        "bytes": sum(sizes),
        "mean_bytes": round(sum(sizes) / n),
        "p5_bytes": sizes[int(0.05 * (n - 1))] if sizes else 0,
        "p95_bytes": sizes[int(0.95 * (n - 1))] if sizes else 0,
        "kinds": kinds,
        "languages": dict(sorted(langs.items(), key=lambda kv: -kv[1])),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--count", type=int, default=10_000)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--describe", action="store_true", help="print the mix summary to stderr")
    args = ap.parse_args(argv)
    values = generate(args.count, args.seed)
    out = sys.stdout.buffer if args.output == "-" else Path(args.output).open("wb")  # noqa: SIM115
    try:
        for v in values:
            out.write(v + b"\n")
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    if args.describe:
        print(orjson.dumps(describe(values), option=orjson.OPT_INDENT_2).decode(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
