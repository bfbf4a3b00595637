"""Build the labelled boilerplate set: items.txt (text bodies) and pages.jsonl (HTML pages).

Deterministic (fixed seed). Run: .venv/bin/python tests/data/strip/generate.py
Every line of items.txt is "S <text>" (story), "F <text>" (furniture) or "." (blank line);
items start with "### id=... outlet=... agency=... credit=A,B".
"""

# ruff: noqa: E501  (wire copy and page furniture are long literal lines)

from __future__ import annotations

import html
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from stories import SHORT_QUOTES, STORIES, TRAPS  # noqa: E402

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
NAMES = ["Aditi Shah", "David Milliken", "Sarah Young", "Lisa Shumaker", "Tomasz Janowski", "Kevin Liffey",
         "Mark Potter", "Alex Richardson", "Rania El Gamal", "Nidhi Verma", "Elaine Hardcastle", "Jan Strupczewski"]
HEADLINES = [
    "Monsoon deficit narrows to 4 per cent as rains revive in central India",
    "Markets close higher on banking gains; rupee steady",
    "Why the new data protection rules matter for your phone",
    "Five things to know before the Fed decision",
    "Opposition walks out of parliament over price rise",
    "Court reserves verdict in spectrum allocation case",
    "Heatwave grips northern Europe as temperatures top 35C",
    "Gold prices hit record as investors seek safety",
    "Ceasefire talks resume in Doha amid pressure from mediators",
    "Explained: what the new tax regime means for salaried employees",
]


def agency_parts(key: str, place: str, rng: random.Random) -> tuple[str, list[str], list[str]]:
    """(dateline prefix for the first paragraph, sign-off lines, expected credit)."""
    mon, day = rng.choice(MONTHS), rng.randint(1, 28)
    up = place.upper() if place.isupper() or "," in place else place
    initials = rng.choice(["ksk/vd", "pd/sb", "ml/", "ksk/jt", "vm/arm", "sn/dpb", "rs/"])
    if key == "ians":
        return f"{place}, {mon} {day} (IANS) ", ["--IANS", initials], ["IANS"]
    if key == "ians_efe":
        return f"{place}, {mon} {day} (IANS/EFE) ", ["--IANS/EFE", rng.choice(["ml/", "ksk/", "sd/"])], ["IANS", "EFE"]
    if key == "reuters":
        a, b, c = rng.sample(NAMES, 3)
        tail = [f"(Reporting by {a}; Additional reporting by {b}; Editing by {c})"]
        if rng.random() < 0.3:
            tail = [f"(Reporting by {a}; Editing by {c})"]
        return f"{up} (Reuters) - ", tail, ["Reuters"]
    if key == "ap":
        a = rng.choice(NAMES)
        tail = [f"Associated Press writer {a} in New York contributed to this report."]
        if rng.random() < 0.5:
            tail.append("Copyright 2024 The Associated Press. All rights reserved. This material may not be "
                        "published, broadcast, rewritten or redistributed without permission.")
        return f"{up} (AP) — ", tail, ["AP"]
    if key == "afp":
        return f"{up} (AFP) - ", [rng.choice(["bur-sst/fox", "pmh/dl", "AFP", "ach-jm/sst", "lb/jj"])], ["AFP"]
    if key == "dpa":
        return f"{place} (dpa) - ", [rng.choice(["dpa", "dpa ml xx", "-- dpa"])], ["dpa"]
    if key == "pti":
        return f"{place}, {mon} {day} (PTI) ", [rng.choice(["PTI KR RT", "PTI SM NSK", "PTI"])], ["PTI"]
    if key == "ani":
        return f"{place} [India], {LONG_MONTHS[day % 12]} {day} (ANI): ", ["(ANI)"], ["ANI"]
    if key == "xinhua":
        return f"{up}, {mon}. {day} (Xinhua) -- ", [rng.choice(["Enditem", "--Xinhua"])], ["Xinhua"]
    if key == "anadolu":
        return f"{up} (AA) - ", [rng.choice(["(Anadolu Agency)", "AA"])], ["Anadolu"]
    if key == "kyodo":
        return f"{up}, {mon}. {day} Kyodo - ", ["==Kyodo"], ["Kyodo"]
    if key == "uni":
        return f"{place}, {mon} {day} (UNI) ", [rng.choice(["UNI XR SB 1502", "UNI AK RJ 1847"])], ["UNI"]
    if key == "wam":
        return f"{up}, {day}th {LONG_MONTHS[day % 12]}, 2024 (WAM) -- ", ["WAM/Rasha Abubaker"], ["WAM"]
    if key == "efe":
        return f"{place}, {mon} {day} (EFE).- ", ["EFE", rng.choice(["ja/sb", "mmr/jt", "ie/"])], ["EFE"]
    raise KeyError(key)


def _plans(rng: random.Random, cur: str) -> list[str]:
    names = rng.sample(["Smart Quarterly", "Smart Essential", "Super Saver", "Digital Plus", "Premium Annual",
                        "Basic Monthly", "All Access", "Starter Pack", "Print + Digital"], 3)
    out = []
    for name, (months, price) in zip(names, [(3, 900), (12, 2700), (24, 3900)], strict=True):
        term = f"{months} Months" if months < 12 else f"{months // 12} Year" + ("s" if months > 12 else "")
        out += [name, f"{cur}{price:,}", term, f"{cur}{price // months}/Month"]
    return out


def outlet_furniture(outlet: str, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """(head lines, lines that may be inserted between paragraphs, tail lines) for one outlet style."""
    hl = rng.choice(HEADLINES)
    d, mon, yr = rng.randint(1, 28), rng.randrange(12), 2024
    if outlet == "india_paywall":
        tail = []
        if rng.random() < 0.6:
            tail.append("(Only the headline and picture of this report may have been reworked by the Business "
                        "Standard staff; the rest of the content is auto-generated from a syndicated feed.)")
        tail += [rng.choice(["You’ve reached your limit of {{free_limit}} free articles this month.",
                             "You have reached your limit of 5 free articles this month."]),
                 "Subscribe now for unlimited access.", "Already subscribed? Log in",
                 "Subscribe to read the full story →", *_plans(rng, "₹"),
                 "Renews automatically, cancel anytime",
                 "Here’s what’s included in our digital subscription plans",
                 "Exclusive premium stories online", "Over 30 premium stories daily, handpicked by our editors",
                 "Ad-free Reading", "Uninterrupted reading experience with no advertisements",
                 "Seamless Access Across All Devices"]
        head = [f"First Published: {MONTHS[mon]} {d} {yr} | {rng.randint(1, 12)}:{rng.randint(10, 59)} PM IST"]
        return head, [], tail
    if outlet == "india_portal":
        mid = [f"Also Read: {hl}", "Advertisement", f"READ MORE | {rng.choice(HEADLINES)}"]
        tail = ["(Except for the headline, this story has not been edited by NDTV staff and is published from "
                "a syndicated feed.)",
                "Track Latest News Live on NDTV.com and get news updates from India and around the world",
                "Follow us on WhatsApp, Telegram and Google News for the latest updates"]
        return [], mid, tail
    if outlet == "us_paper":
        head = [f"Updated {LONG_MONTHS[mon]} {d}, {yr}, {rng.randint(1, 12)}:{rng.randint(10, 59)} p.m. ET"]
        mid = ["Advertisement", "Story continues below advertisement", "SKIP ADVERTISEMENT"]
        tail = ["Sign up for The Morning newsletter from our newsroom, delivered to your inbox every weekday.",
                f"Read more: {hl}", "Share full article", "Give this article", "Copyright 2024 The Daily Courier"]
        return head, mid, tail
    if outlet == "uk_paper":
        head = [f"Published {d} {LONG_MONTHS[mon]} {yr}", "Share", "Save"]
        mid = [f"Related: {hl}", "Image caption, Police at the scene on Tuesday morning"]
        tail = ["Topics: World news, Europe, Economics", "Share on Facebook", "Share on X", "Share via Email",
                "Sign up to First Edition, our free daily newsletter – every weekday morning at 7am BST",
                "Most viewed", "Reuse this content"]
        return head, mid, tail
    if outlet == "euro_site":
        head = ["Home > News > Europe", f"Updated: {d:02d}/{mon + 1:02d}/{yr} - 14:{rng.randint(10, 59)}"]
        mid = ["Photo: EPA-EFE/Filip Singer", "Read more: Europe's energy crunch explained",
               "ADVERTISEMENT"]
        tail = ["Share this article", "Comments", "Sign up for our weekly Europe Today newsletter",
                "© Copyright 2024 Euronetz Media. All rights reserved."]
        return head, mid, tail
    if outlet == "gulf_site":
        mid = [f"Also read: {hl}", "(Image: WAM)"]
        tail = ["Stay up to date with the latest news. Follow us on Google News",
                "Join our WhatsApp channel to receive the latest updates",
                "Tags: UAE, India, Trade", "Get the latest news delivered to your inbox every morning",
                "Subscribe now and get unlimited access for AED 19/month", "AED 190/year", "Cancel anytime"]
        return [], mid, tail
    if outlet == "asia_site":
        head = [f"PUBLISHED: {d} {MONTHS[mon]} {yr}, {rng.randint(1, 12)}:{rng.randint(10, 59)} PM"]
        mid = ["Get the latest news at your fingertips: Download our app", "(Photo: Reuters)"]
        tail = ["Join our Telegram channel and get the latest breaking news delivered to you.",
                "This article is for subscribers only", "Subscribe to read the full story",
                "S$9.90/month", "Digital Plus", "S$29.90/month", "First month free", "Cancel anytime",
                "Already a subscriber? Log in"]
        return head, mid, tail
    if outlet == "agency_page":
        tail = ["Tags: economy, markets, politics", "Share", "Facebook Twitter Email Print",
                f"Next story: {hl}", "Back to top", "© 2024 Wire Service Online. All rights reserved."]
        return [], ["Related stories"], tail
    if outlet == "aggregator":
        mid = [f"READ MORE | {hl}", "Recommended Stories"]
        tail = ["(With inputs from agencies)", f"Published By: {rng.choice(NAMES)}",
                f"Published On: {MONTHS[mon]} {d}, {yr}", "Also Watch", "Trending"]
        return [], mid, tail
    if outlet == "none":
        return [], [], []
    raise KeyError(outlet)


OUTLETS = ["india_paywall", "india_portal", "us_paper", "uk_paper", "euro_site", "gulf_site", "asia_site",
           "agency_page", "aggregator", "none"]


def make_item(n: int, rng: random.Random) -> tuple[str, list[tuple[str, str]], list[str]]:
    key, place, paras = STORIES[n % len(STORIES)]
    outlet = OUTLETS[(n * 7 + n // len(STORIES)) % len(OUTLETS)]
    dl, signoff, credit = agency_parts(key, place, rng)
    story = list(paras)
    if rng.random() < 0.45:  # traps: story sentences that look like furniture
        for trap in rng.sample(TRAPS, rng.randint(1, 2)):
            story.insert(rng.randint(1, len(story)), trap)
    if rng.random() < 0.25:
        story.append(rng.choice(SHORT_QUOTES))
    own_line = rng.random() < 0.12  # the dateline on a line of its own
    lines = [("S", dl.strip(" -—:")), ("S", story[0])] if own_line else [("S", dl + story[0])]
    lines += [("S", p) for p in story[1:]]
    head, mid, tail = outlet_furniture(outlet, rng)
    k = rng.randint(0, len(mid))
    for extra in rng.sample(mid, k):
        lines.insert(rng.randint(2, len(lines) - 1) if len(lines) > 2 else 1, ("F", extra))
    body = [("F", h) for h in head if rng.random() < 0.8] + lines
    if rng.random() < 0.9:
        body += [("F", s) for s in signoff]
    body += [("F", t) for t in tail]
    if rng.random() < 0.35:  # scraped copies often separate paragraphs with blank lines
        spaced: list[tuple[str, str]] = []
        for lab, text in body:
            spaced += [(lab, text), (".", "")]
        body = spaced[:-1]
    return outlet, body, credit


PAGE_STYLES = ["semantic", "divsoup", "inline_furniture", "paywall_page"]


def make_page(n: int, rng: random.Random) -> dict[str, object]:
    key, place, paras = STORIES[(n * 3 + 1) % len(STORIES)]
    dl, _, _ = agency_parts(key, place, rng)
    story = [dl + paras[0], *paras[1:]]
    if n % 3 == 0:
        story.insert(2, rng.choice(TRAPS))
    style = PAGE_STYLES[n % len(PAGE_STYLES)]
    hl = rng.choice(HEADLINES)
    e = html.escape
    furn: list[str] = []

    def f(text: str) -> str:
        furn.append(text)
        return e(text)

    nav = "".join(f"<li><a href='/{w.lower()}'>{f(w)}</a></li>" for w in ["World", "Business", "Opinion", "Sport"])
    cookie = f("We use cookies to improve your experience. By continuing you accept our cookie policy.")
    others = [h for h in HEADLINES if h != hl]
    related = "".join(f"<li><a href='/r{i}'>{f(h)}</a></li>" for i, h in enumerate(rng.sample(others, 3)))
    foot = f("© 2024 Metro Herald Media Ltd. All rights reserved.")
    ps = [f"<p>{e(p)}</p>" for p in story]
    if style == "semantic":
        body = (f"<header><nav><ul>{nav}</ul></nav></header><div class='cookie-banner'>{cookie}</div>"
                f"<main><article><h1>{e(hl)}</h1><div class='article-body'>{''.join(ps)}</div></article>"
                f"<aside class='related'><h2>{f('Related stories')}</h2><ul>{related}</ul></aside></main>"
                f"<footer><p>{foot}</p></footer>")
    elif style == "divsoup":
        ps.insert(2, f"<div class='share-bar'><span>{f('Share on Facebook')}</span> <span>{f('Share on X')}</span></div>")
        body = (f"<div id='top'><ul class='menu'>{nav}</ul></div><div class='container'><div class='col-8'>"
                f"<h1>{e(hl)}</h1><div class='txt'>{''.join(ps)}</div>"
                f"<div class='nl-box'><p>{f('Sign up for our free morning newsletter and never miss a story.')}</p></div>"
                f"</div><div class='col-4'><h3>{f('Most read')}</h3><ul>{related}</ul></div></div>"
                f"<div class='bottom'><p>{foot}</p></div><div class='consent'>{cookie}</div>")
    elif style == "inline_furniture":
        ps.insert(1, f"<p><strong>{f('Also Read: ' + rng.choice(others))}</strong></p>")
        ps.insert(3, f"<p>{f('Advertisement')}</p>")
        ps.append(f"<p>{f('(With inputs from agencies)')}</p>")
        ps.append(f"<p>{f('Follow us on Facebook, X and Instagram for the latest updates.')}</p>")
        body = (f"<nav>{nav}</nav><article><h1>{e(hl)}</h1>{''.join(ps)}</article>"
                f"<section class='more'><h2>{f('More from World')}</h2><ul>{related}</ul></section><footer>{foot}</footer>")
    else:
        wall = "".join(f"<p>{f(t)}</p>" for t in [
            "You’ve reached your limit of {{free_limit}} free articles this month.",
            "Subscribe now for unlimited access.", "₹900", "3 Months", "₹2,700", "1 Year",
            "Already subscribed? Log in"])
        body = (f"<nav>{nav}</nav><article><h1>{e(hl)}</h1><div class='story'>{''.join(ps)}"
                f"<div class='piano-paywall'>{wall}</div></div></article><div class='cookie'>{cookie}</div>"
                f"<footer>{foot}</footer>")
    page = f"<!doctype html><html><head><title>{e(hl)}</title></head><body>{body}</body></html>"
    return {"id": f"page-{n:03d}", "style": style, "html": page, "story": story, "furniture": furn}


def main() -> None:
    rng = random.Random(20240917)
    out = []
    for n in range(180):
        outlet, body, credit = make_item(n, rng)
        agency = STORIES[n % len(STORIES)][0]
        out.append(f"### id=item-{n:03d} outlet={outlet} agency={agency} credit={','.join(credit)}")
        out += [f"{lab} {text}".rstrip() if lab != "." else "." for lab, text in body]
    (HERE / "items.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    pages = [make_page(n, rng) for n in range(16)]
    with (HERE / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for p in pages:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} lines of items.txt and {len(pages)} pages")


if __name__ == "__main__":
    main()
