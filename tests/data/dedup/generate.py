# ruff: noqa: E501  (prose templates of wire copy)
"""Write tests/data/dedup/labelled.jsonl from the hand-written stories (deterministic).

Run: .venv/bin/python tests/data/dedup/generate.py

Every line is one item in arrival order with the expected verdict:
``expect`` (unique|duplicate|update|redelivery), ``of`` (the id it duplicates
or updates) and ``kind`` (which transformation made it, for the report).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stories import QUOTE_STORIES, SAME_EVENT, STORIES  # noqa: E402

OUT = HERE / "labelled.jsonl"
T0 = datetime(2024, 3, 4, 6, 0, tzinfo=UTC)

OUTLETS = [
    "The Daily Ledger", "Metro Herald", "Business Desk Online", "Coastal Times", "NewsNow24",
    "The Morning Post", "Capital Chronicle", "Global Wire Today", "Asia Monitor", "Frontline Daily",
]
LEAD_LINES = [
    "Updated: {date} IST",
    "Last Updated: {date}",
    "Published on {date} by {outlet} Web Desk",
    "{outlet} | Agency report",
    "Listen to this article",
    "Also read: Markets open lower as investors await data",
]
TAIL_LINES = [
    "(Only the headline of this report may have been reworked by {outlet} staff; the rest of the content is auto-generated from a syndicated feed.)",
    "For more news, follow {outlet} on social media and subscribe to our newsletter.",
    "(With inputs from agencies)",
    "This story has been published from a wire agency feed without modifications to the text.",
    "Stay with {outlet} for the latest updates on this developing story.",
]
EDITS = [("per cent", "percent"), ("percent", "per cent"), (" said on ", " said "), ("defence", "defense"),
         ("programme", "program"), ("organizing", "organising"), (" told reporters", " told journalists"),
         ("more than", "over"), ("Monday", "Monday"), ("rose", "climbed")]


class Gen:
    def __init__(self) -> None:
        self.rng = random.Random(20240304)
        self.items: list[dict] = []
        self.n = 0

    def new_id(self, agency: str) -> str:
        self.n += 1
        prefix = agency.split("/")[0].lower()
        return f"{prefix}-{self.n:05d}"

    def emit(self, *, id: str, source: str, headline: str, paras: list[str], at: datetime, expect: str,
             of: str | None, kind: str, version: int = 1, pubstatus: str = "usable",
             correction: bool = False, sep: str = "\n") -> None:
        self.items.append({
            "id": id, "version": version, "source": source, "published": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "pubstatus": pubstatus, "correction": correction, "headline": headline,
            "body": sep.join(paras), "expect": expect, "of": of, "kind": kind,
        })

    # ---- syndicated-copy transformations -------------------------------------------------
    def restyle(self, paras: list[str]) -> list[str]:
        """Quote, dash, whitespace and paragraph-break differences of an outlet's CMS."""
        r = self.rng
        out = []
        for p in paras:
            if r.random() < 0.5:
                p = p.replace('"', "\u201c", 1).replace('"', "\u201d", 1)
            if r.random() < 0.3:
                p = p.replace(" - ", " \u2014 ").replace("-", "\u2013") if r.random() < 0.5 else p.replace("  ", " ")
            if r.random() < 0.3:
                p = p.replace(". ", ".  ")
            out.append(p)
        if len(out) > 2 and r.random() < 0.4:  # two paragraphs run together
            i = r.randrange(len(out) - 1)
            out[i : i + 2] = [out[i] + " " + out[i + 1]]
        return out

    def minor_edit(self, paras: list[str]) -> list[str]:
        r = self.rng
        out = list(paras)
        for _ in range(2):
            a, b = r.choice(EDITS)
            i = r.randrange(len(out))
            if a in out[i]:
                out[i] = out[i].replace(a, b, 1)
                break
        return out

    def copy(self, headline: str, paras: list[str], outlet: str, at: datetime) -> tuple[str, list[str], str]:
        r = self.rng
        kinds = []
        body = self.restyle(paras)
        if r.random() < 0.5:
            body = self.minor_edit(body)
            kinds.append("edit")
        if r.random() < 0.35 and len(body) > 3:
            body = body[:-1]
            kinds.append("no-tail")
        if r.random() < 0.4:
            body = [r.choice(LEAD_LINES).format(outlet=outlet, date=at.strftime("%d %b %Y, %I:%M %p")), *body]
            kinds.append("lead-line")
        if r.random() < 0.4:
            body = [*body, r.choice(TAIL_LINES).format(outlet=outlet)]
            kinds.append("tail-line")
        style = r.randrange(4)
        if style == 0:
            headline = headline.upper()
        elif style == 1:
            headline = f"{headline} | {outlet}"
        elif style == 2:
            words = headline.split()
            headline = " ".join(words[: max(4, len(words) - 3)]) + ": report"
        return headline, body, "copy:" + ("+".join(kinds) or "restyle")


def change_figure(paras: list[str], rng: random.Random) -> list[str] | None:
    """Change one number in one paragraph (a correction of a figure)."""
    spots = [(i, j) for i, p in enumerate(paras) for j, ch in enumerate(p) if ch.isdigit()
             and (j + 1 == len(p) or not p[j + 1].isdigit())]
    if not spots:
        return None
    i, j = rng.choice(spots)
    p = paras[i]
    digit = int(p[j])
    new = str((digit + rng.randint(1, 8)) % 10)
    out = list(paras)
    out[i] = p[:j] + new + p[j + 1 :]
    return out


def build() -> list[dict]:
    g = Gen()
    r = g.rng
    for idx, (agency, dateline, headline, paras) in enumerate(STORIES):
        at = T0 + timedelta(hours=5 * idx)
        body = [f"{dateline} ({agency}) {paras[0]}", *paras[1:]]
        oid = g.new_id(agency)
        g.emit(id=oid, source=agency, headline=headline, paras=body, at=at, expect="unique", of=None,
               kind="original")
        t = at
        for n in range(r.randint(2, 5)):
            t += timedelta(minutes=r.randint(3, 50))
            outlet = OUTLETS[(idx + n) % len(OUTLETS)]
            h, b, kind = g.copy(headline, body, outlet, t)
            g.emit(id=f"{outlet.split()[-1].lower()}-{idx}-{n}", source=outlet, headline=h, paras=b, at=t,
                   expect="duplicate", of=oid, kind=kind, sep=r.choice(["\n", "\n\n", "\n \n"]))
        roll = idx % 8
        t += timedelta(minutes=20)
        if roll == 0:  # Kafka redelivery of the original
            g.emit(id=oid, source=agency, headline=headline, paras=body, at=t, expect="redelivery", of=oid,
                   kind="redelivery")
        elif roll == 1:  # re-sent verbatim under a new id
            g.emit(id=g.new_id(agency), source=agency, headline=headline, paras=body, at=t, expect="duplicate",
                   of=oid, kind="resend-exact")
        elif roll == 2:  # correction under a new id with a changed figure
            fixed = change_figure(body, r)
            if fixed:
                g.emit(id=g.new_id(agency), source=agency, headline=f"CORRECTED-{headline}", paras=fixed, at=t,
                       expect="update", of=oid, kind="correction-new-id", correction=True)
        elif roll == 3:  # corrected as a new version of the same id
            fixed = change_figure(body, r)
            if fixed:
                g.emit(id=oid, version=2, source=agency, headline=headline, paras=fixed, at=t, expect="update",
                       of=oid, kind="correction-version", correction=True)
        elif roll == 4:  # updated version with a new paragraph, then an outlet copy of the update
            extra = [*body, "More details were expected later in the day, officials said."]
            g.emit(id=oid, version=2, source=agency, headline=f"UPDATE 1-{headline}", paras=extra, at=t,
                   expect="update", of=oid, kind="version")
            t += timedelta(minutes=15)
            h, b, kind = g.copy(headline, extra, OUTLETS[idx % len(OUTLETS)], t)
            g.emit(id=f"late-{idx}", source="outlet", headline=h, paras=b, at=t, expect="duplicate", of=oid,
                   kind=kind + "+of-update")
        elif roll == 5:  # kill, a redelivered kill, then a late outlet copy of the killed story
            g.emit(id=oid, version=2, source=agency, headline=f"KILL - {headline}",
                   paras=["Editors: the story has been withdrawn. Please do not use it."], at=t,
                   expect="update", of=oid, kind="kill", pubstatus="canceled")
            g.emit(id=oid, version=2, source=agency, headline=f"KILL - {headline}",
                   paras=["Editors: the story has been withdrawn. Please do not use it."],
                   at=t + timedelta(minutes=1), expect="redelivery", of=oid, kind="kill-redelivery",
                   pubstatus="canceled")
            h, b, kind = g.copy(headline, body, OUTLETS[(idx + 5) % len(OUTLETS)], t + timedelta(minutes=9))
            g.emit(id=f"late-{idx}", source="outlet", headline=h, paras=b, at=t + timedelta(minutes=9),
                   expect="duplicate", of=oid, kind=kind + "+after-kill")
        elif roll == 6:  # re-sent with changed figures and no correction flag, same day
            fixed = change_figure(body, r)
            if fixed:
                g.emit(id=g.new_id(agency), source=agency, headline=f"REFILE-{headline}", paras=fixed, at=t,
                       expect="update", of=oid, kind="refile-figures")
        else:  # re-sent minutes later with a typo fixed (original had the typo)
            typo = [body[0].replace(" the ", " teh ", 1), *body[1:]]
            g.emit(id=g.new_id(agency), source=agency, headline=headline, paras=typo, at=t,
                   expect="duplicate", of=oid, kind="resend-typo")

    for idx, (agency, dateline, headline, paras) in SAME_EVENT:
        at = T0 + timedelta(hours=5 * idx, minutes=90)
        g.emit(id=g.new_id(agency), source=agency, headline=headline,
               paras=[f"{dateline} ({agency}) {paras[0]}", *paras[1:]], at=at, expect="unique", of=None,
               kind="same-event")
    for n, (agency, dateline, headline, paras) in enumerate(QUOTE_STORIES):
        at = T0 + timedelta(hours=7 + 24 * n)
        g.emit(id=g.new_id(agency), source=agency, headline=headline,
               paras=[f"{dateline} ({agency}) {paras[0]}", *paras[1:]], at=at, expect="unique", of=None,
               kind="shared-quote")
    templated(g)
    g.items.sort(key=lambda it: it["published"])
    return g.items


def templated(g: Gen) -> None:
    """Daily/periodic stories written from one template with other figures: each is new news."""
    r = g.rng
    for day in range(10):
        base = T0 + timedelta(days=day)
        sensex = 72000 + r.randint(-1500, 1500)
        move = r.randint(60, 700)
        up = r.random() < 0.5
        nifty = 21800 + r.randint(-400, 400)
        paras = [
            f"Mumbai, March {4 + day} (PTI) The BSE Sensex {'rose' if up else 'fell'} {move}.{r.randint(10, 99)} "
            f"points to close at {sensex:,}.{r.randint(10, 99)} on Monday, while the NSE Nifty ended "
            f"{r.randint(20, 200)}.{r.randint(10, 99)} points {'higher' if up else 'lower'} at {nifty:,}.{r.randint(10, 99)}.",
            f"Foreign institutional investors bought shares worth Rs {r.randint(200, 4000):,} crore on the "
            "previous day, according to exchange data.",
            f"Brent crude, the global oil benchmark, traded at {r.randint(78, 88)}.{r.randint(10, 99)} US dollars a barrel.",
        ]
        oid = g.new_id("PTI")
        g.emit(id=oid, source="PTI", headline=f"Sensex {'rises' if up else 'falls'} {move} points",
               paras=paras, at=base + timedelta(hours=4), expect="unique", of=None, kind="templated-market")
        if day % 3 == 0:  # an outlet copy of that day's report is still a duplicate
            h, b, kind = g.copy(f"Sensex {'rises' if up else 'falls'} {move} points", paras, "Business Desk Online",
                                base + timedelta(hours=4, minutes=20))
            g.emit(id=f"bdo-market-{day}", source="outlet", headline=h, paras=b,
                   at=base + timedelta(hours=4, minutes=20), expect="duplicate", of=oid, kind=kind + "+templated")

        for session, hour in (("opened", 1), ("settled", 7)):
            rate = 82.5 + r.randint(0, 90) / 100
            g.emit(id=g.new_id("PTI"), source="PTI", headline=f"Rupee {session} at {rate:.2f} against US dollar",
                   paras=[
                       f"Mumbai, March {4 + day} (PTI) The rupee {session} {r.randint(1, 15)} paise "
                       f"{'up' if r.random() < 0.5 else 'down'} at {rate:.2f} against the US dollar.",
                       f"At the interbank foreign exchange, the domestic unit {session} at {rate:.2f} after "
                       f"trading in a range of {rate - 0.08:.2f} to {rate + 0.07:.2f}, forex traders said.",
                       f"The dollar index, which gauges the greenback's strength against a basket of six "
                       f"currencies, was at {103 + r.randint(0, 150) / 100:.2f}.",
                   ], at=base + timedelta(hours=hour), expect="unique", of=None, kind="templated-forex")

        hi, lo = r.randint(28, 36), r.randint(12, 19)
        g.emit(id=g.new_id("IANS"), source="IANS", headline="Delhi weather: clear skies, maximum of "
               f"{hi} degrees", paras=[
                   f"New Delhi, March {4 + day} (IANS) The national capital is likely to see clear skies on "
                   f"the day with the maximum temperature expected at {hi} degrees Celsius and the minimum "
                   f"at {lo} degrees, the India Meteorological Department said.",
                   f"Relative humidity was recorded at {r.randint(40, 95)} per cent at 8.30 a.m.",
                   f"The air quality index stood at {r.randint(120, 380)} in the morning, according to the "
                   "Central Pollution Control Board.",
               ], at=base + timedelta(hours=2, minutes=30), expect="unique", of=None, kind="templated-weather")

        g.emit(id=g.new_id("IANS"), source="IANS", headline=f"Gold price today: 24-carat at Rs {62000 + day * 130}",
               paras=[
                   f"New Delhi, March {4 + day} (IANS) The price of 24-carat gold rose to Rs {62000 + day * 130:,} per "
                   f"10 grams on the day, while 22-carat gold was quoted at Rs {56800 + day * 120:,}.",
                   f"Silver was sold at Rs {74500 + r.randint(0, 3000):,} per kilogram, traders said.",
               ], at=base + timedelta(hours=3), expect="unique", of=None, kind="templated-gold")

    teams = [("Arsenal", "Chelsea"), ("Liverpool", "Everton"), ("Tottenham", "Fulham"), ("Newcastle", "Brighton"),
             ("Aston Villa", "Wolves"), ("Brentford", "Burnley")]
    for n, (home, away) in enumerate(teams):
        hg, ag = r.randint(0, 4), r.randint(0, 3)
        g.emit(id=g.new_id("dpa"), source="dpa", headline=f"{home} {hg}-{ag} {away}", paras=[
            f"London (dpa) {home} and {away} played out a {hg}-{ag} result in the Premier League on Saturday.",
            f"The result leaves {home} on {r.randint(20, 60)} points from {26 + n % 2} matches, with {away} "
            f"on {r.randint(15, 50)} points.",
            f"A crowd of {r.randint(25000, 60000):,} watched the match.",
        ], at=T0 + timedelta(days=5, hours=14, minutes=2 * n), expect="unique", of=None, kind="templated-results")

    firms = ["ONGC", "Oil India", "Cairn Oil and Gas", "Reliance Industries", "Vedanta"]
    for n, firm in enumerate(firms):
        g.emit(id=g.new_id("Reuters"), source="Reuters", headline=f"{firm} adds reserves in Assam block", paras=[
            f"NEW DELHI, March 6 (Reuters) - {firm} said on Wednesday it had added {r.randint(2, 40)}.{r.randint(1, 9)} "
            f"million tonnes of oil equivalent to its proven reserves after drilling {r.randint(2, 9)} wells in a "
            "block in the northeastern state of Assam.",
            f"The company said it expected to start production from the block within {r.randint(12, 36)} months "
            f"at an initial rate of {r.randint(500, 9000):,} barrels per day.",
            "India imports more than 85% of its crude oil needs and has been pushing companies to raise "
            "domestic output.",
        ], at=T0 + timedelta(days=2, hours=6, minutes=5 * n), expect="unique", of=None, kind="templated-reserves")


def main() -> None:
    items = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for it in items:
        kinds[it["expect"]] = kinds.get(it["expect"], 0) + 1
    print(f"wrote {len(items)} items to {OUT}: {kinds}")


if __name__ == "__main__":
    main()
