# ruff: noqa: E501  (wire copy and KB tables: long string literals are data)
"""Turn inline-annotated wire text into tagged items (what the tagger would hand to routing).

Markup: ``[[surface|key]]`` where ``key`` is in ``KB`` below, or ``[[surface|ID|type|CC]]``
inline (CC may be empty). Mentions get exact character spans in the *clean* text; ``count``
is the number of mentions; story ``countries`` are ranked by how much each country's entities
are mentioned (headline mentions weigh double), a stand-in for the tagger's own ranking.
"""

from __future__ import annotations

import re
from typing import Any

MARK = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]]+?)\]\]")

# key -> (id, name, type, country). Real Wikidata QIDs where known; "kb:" ids are local placeholders.
KB: dict[str, tuple[str, str, str, str | None]] = {
    # countries (a country entity carries its own code)
    "SY": ("Q858", "Syria", "place", "SY"), "RU": ("Q159", "Russia", "place", "RU"),
    "US": ("Q30", "United States", "place", "US"), "UA": ("Q212", "Ukraine", "place", "UA"),
    "DE": ("Q183", "Germany", "place", "DE"), "CN": ("Q148", "China", "place", "CN"),
    "IR": ("Q794", "Iran", "place", "IR"), "IL": ("Q801", "Israel", "place", "IL"),
    "IQ": ("Q796", "Iraq", "place", "IQ"), "TR": ("Q43", "Turkey", "place", "TR"),
    "FR": ("Q142", "France", "place", "FR"), "GB": ("Q145", "United Kingdom", "place", "GB"),
    "JP": ("Q17", "Japan", "place", "JP"), "IN": ("Q668", "India", "place", "IN"),
    "LB": ("Q822", "Lebanon", "place", "LB"), "JO": ("Q810", "Jordan", "place", "JO"),
    "SA": ("Q851", "Saudi Arabia", "place", "SA"), "YE": ("Q805", "Yemen", "place", "YE"),
    "AF": ("Q889", "Afghanistan", "place", "AF"), "MM": ("Q836", "Myanmar", "place", "MM"),
    "SS": ("Q958", "South Sudan", "place", "SS"), "SO": ("Q1045", "Somalia", "place", "SO"),
    "LY": ("Q1016", "Libya", "place", "LY"), "VE": ("Q717", "Venezuela", "place", "VE"),
    "ER": ("Q986", "Eritrea", "place", "ER"), "PK": ("Q843", "Pakistan", "place", "PK"),
    "NG": ("Q1033", "Nigeria", "place", "NG"), "EG": ("Q79", "Egypt", "place", "EG"),
    "AT": ("Q40", "Austria", "place", "AT"), "HU": ("Q28", "Hungary", "place", "HU"),
    "SE": ("Q34", "Sweden", "place", "SE"), "GR": ("Q41", "Greece", "place", "GR"),
    "BR": ("Q155", "Brazil", "place", "BR"), "KP": ("Q423", "North Korea", "place", "KP"),
    "PS": ("kb:palestine", "Palestinian territories", "place", "PS"), "QA": ("Q846", "Qatar", "place", "QA"),
    "CH": ("Q39", "Switzerland", "place", "CH"), "KR": ("Q884", "South Korea", "place", "KR"),
    # cities and places
    "damascus": ("Q3766", "Damascus", "place", "SY"), "aleppo": ("kb:aleppo", "Aleppo", "place", "SY"),
    "homs": ("kb:homs", "Homs", "place", "SY"), "idlib": ("kb:idlib", "Idlib", "place", "SY"),
    "raqqa": ("kb:raqqa", "Raqqa", "place", "SY"), "latakia": ("kb:latakia", "Latakia", "place", "SY"),
    "palmyra": ("kb:palmyra", "Palmyra", "place", "SY"), "deir": ("kb:deir-ez-zor", "Deir ez-Zor", "place", "SY"),
    "moscow": ("Q649", "Moscow", "place", "RU"), "washington": ("Q61", "Washington, D.C.", "place", "US"),
    "newyork": ("kb:new-york", "New York", "place", "US"), "geneva": ("kb:geneva", "Geneva", "place", "CH"),
    "kyiv": ("Q1899", "Kyiv", "place", "UA"), "donetsk": ("kb:donetsk", "Donetsk", "place", "UA"),
    "kharkiv": ("kb:kharkiv", "Kharkiv", "place", "UA"), "berlin": ("Q64", "Berlin", "place", "DE"),
    "munich": ("kb:munich", "Munich", "place", "DE"), "beijing": ("Q956", "Beijing", "place", "CN"),
    "tehran": ("kb:tehran", "Tehran", "place", "IR"), "jerusalem": ("kb:jerusalem", "Jerusalem", "place", "IL"),
    "gaza": ("kb:gaza", "Gaza", "place", "PS"), "baghdad": ("kb:baghdad", "Baghdad", "place", "IQ"),
    "mosul": ("kb:mosul", "Mosul", "place", "IQ"), "ankara": ("kb:ankara", "Ankara", "place", "TR"),
    "beirut": ("kb:beirut", "Beirut", "place", "LB"), "tokyo": ("Q1490", "Tokyo", "place", "JP"),
    "london": ("Q84", "London", "place", "GB"), "mumbai": ("kb:mumbai", "Mumbai", "place", "IN"),
    "newdelhi": ("kb:new-delhi", "New Delhi", "place", "IN"), "vienna": ("kb:vienna", "Vienna", "place", "AT"),
    "stpetersburg": ("kb:st-petersburg", "St Petersburg", "place", "RU"), "iowa": ("kb:iowa", "Iowa", "place", "US"),
    "houston": ("kb:houston", "Houston", "place", "US"), "crimea": ("kb:crimea", "Crimea", "place", "UA"),
    "riyadh": ("kb:riyadh", "Riyadh", "place", "SA"), "amman": ("kb:amman", "Amman", "place", "JO"),
    "hamburg": ("kb:hamburg", "Hamburg", "place", "DE"), "paris": ("Q90", "Paris", "place", "FR"),
    "shanghai": ("kb:shanghai", "Shanghai", "place", "CN"), "vladivostok": ("kb:vladivostok", "Vladivostok",
                                                                           "place", "RU"),
    # people
    "kerry": ("Q22316", "John Kerry", "person", "US"), "lavrov": ("kb:sergei-lavrov", "Sergei Lavrov", "person", "RU"),
    "putin": ("Q7747", "Vladimir Putin", "person", "RU"), "assad": ("Q44329", "Bashar al-Assad", "person", "SY"),
    "obama": ("kb:barack-obama", "Barack Obama", "person", "US"), "carter": ("kb:ash-carter", "Ash Carter",
                                                                            "person", "US"),
    "shoigu": ("kb:sergei-shoigu", "Sergei Shoigu", "person", "RU"), "peskov": ("kb:dmitry-peskov",
                                                                              "Dmitry Peskov", "person", "RU"),
    "ryabkov": ("kb:sergei-ryabkov", "Sergei Ryabkov", "person", "RU"), "medvedev": ("kb:dmitry-medvedev",
                                                                                   "Dmitry Medvedev", "person", "RU"),
    "xi": ("kb:xi-jinping", "Xi Jinping", "person", "CN"), "poroshenko": ("kb:petro-poroshenko",
                                                                        "Petro Poroshenko", "person", "UA"),
    "merkel": ("kb:angela-merkel", "Angela Merkel", "person", "DE"), "demaiziere": ("kb:thomas-de-maiziere",
                                                                                  "Thomas de Maiziere", "person", "DE"),
    "netanyahu": ("kb:benjamin-netanyahu", "Benjamin Netanyahu", "person", "IL"),
    "rouhani": ("kb:hassan-rouhani", "Hassan Rouhani", "person", "IR"), "zarif": ("kb:javad-zarif",
                                                                                 "Mohammad Javad Zarif", "person", "IR"),
    "erdogan": ("kb:recep-erdogan", "Recep Tayyip Erdogan", "person", "TR"),
    "demistura": ("kb:staffan-de-mistura", "Staffan de Mistura", "person", None),
    "muallem": ("kb:walid-muallem", "Walid al-Muallem", "person", "SY"),
    "boehner": ("kb:john-boehner", "John Boehner", "person", "US"), "mcconnell": ("kb:mitch-mcconnell",
                                                                                "Mitch McConnell", "person", "US"),
    "clinton": ("kb:hillary-clinton", "Hillary Clinton", "person", "US"), "trump": ("kb:donald-trump",
                                                                                    "Donald Trump", "person", "US"),
    "sanders": ("kb:bernie-sanders", "Bernie Sanders", "person", "US"), "bush": ("kb:jeb-bush", "Jeb Bush",
                                                                               "person", "US"),
    "yellen": ("kb:janet-yellen", "Janet Yellen", "person", "US"), "lew": ("kb:jack-lew", "Jack Lew", "person", "US"),
    "novak": ("kb:alexander-novak", "Alexander Novak", "person", "RU"), "miller": ("kb:alexei-miller",
                                                                                 "Alexei Miller", "person", "RU"),
    "sechin": ("kb:igor-sechin", "Igor Sechin", "person", "RU"), "tillerson": ("kb:rex-tillerson",
                                                                             "Rex Tillerson", "person", "US"),
    "naimi": ("kb:ali-al-naimi", "Ali al-Naimi", "person", "SA"), "abe": ("kb:shinzo-abe", "Shinzo Abe",
                                                                         "person", "JP"),
    "modi": ("kb:narendra-modi", "Narendra Modi", "person", "IN"), "abbas": ("kb:mahmoud-abbas",
                                                                           "Mahmoud Abbas", "person", "PS"),
    "nasrallah": ("kb:hassan-nasrallah", "Hassan Nasrallah", "person", "LB"),
    "banki": ("kb:ban-ki-moon", "Ban Ki-moon", "person", None), "yatsenyuk": ("kb:arseniy-yatsenyuk",
                                                                            "Arseniy Yatsenyuk", "person", "UA"),
    "lukashevich": ("kb:alexander-lukashevich", "Alexander Lukashevich", "person", "RU"),
    "kislyak": ("kb:sergei-kislyak", "Sergei Kislyak", "person", "RU"), "tefft": ("kb:john-tefft",
                                                                                "John Tefft", "person", "US"),
    "gottemoeller": ("kb:rose-gottemoeller", "Rose Gottemoeller", "person", "US"),
    "trutnev": ("kb:yuri-trutnev", "Yuri Trutnev", "person", "RU"), "sobyanin": ("kb:sergei-sobyanin",
                                                                               "Sergei Sobyanin", "person", "RU"),
    "ovechkin": ("kb:alexander-ovechkin", "Alexander Ovechkin", "person", "RU"),
    "sharapova": ("kb:maria-sharapova", "Maria Sharapova", "person", "RU"),
    "lavrentiev": ("kb:oleg-lavrentiev", "Oleg Lavrentiev", "person", "RU"),
    # organizations
    "whitehouse": ("Q35525", "White House", "organization", "US"), "kremlin": ("kb:kremlin", "Kremlin",
                                                                              "organization", "RU"),
    "pentagon": ("kb:pentagon", "Pentagon", "organization", "US"), "statedept": ("kb:us-state-department",
                                                                               "US State Department",
                                                                               "organization", "US"),
    "treasury": ("kb:us-treasury", "US Treasury", "organization", "US"),
    "rumfa": ("kb:russian-foreign-ministry", "Russian Foreign Ministry", "organization", "RU"),
    "rumod": ("kb:russian-defence-ministry", "Russian Defence Ministry", "organization", "RU"),
    "is": ("Q2429253", "Islamic State", "organization", None), "un": ("Q1065", "United Nations", "organization", None),
    "unhcr": ("kb:unhcr", "UNHCR", "organization", None), "nato": ("kb:nato", "NATO", "organization", None),
    "fsa": ("kb:free-syrian-army", "Free Syrian Army", "organization", "SY"),
    "sdf": ("kb:syrian-democratic-forces", "Syrian Democratic Forces", "organization", "SY"),
    "sohr": ("kb:sohr", "Syrian Observatory for Human Rights", "organization", "SY"),
    "sana": ("kb:sana", "SANA", "organization", "SY"), "nusra": ("kb:nusra-front", "Nusra Front",
                                                                "organization", "SY"),
    "hezbollah": ("kb:hezbollah", "Hezbollah", "organization", "LB"), "congress": ("kb:us-congress",
                                                                                 "US Congress", "organization", "US"),
    "senate": ("kb:us-senate", "US Senate", "organization", "US"), "gop": ("kb:republican-party",
                                                                          "Republican Party", "organization", "US"),
    "dems": ("kb:democratic-party", "Democratic Party", "organization", "US"),
    "fed": ("kb:federal-reserve", "Federal Reserve", "organization", "US"),
    "gazprom": ("kb:gazprom", "Gazprom", "organization", "RU"), "rosneft": ("kb:rosneft", "Rosneft",
                                                                          "organization", "RU"),
    "lukoil": ("kb:lukoil", "Lukoil", "organization", "RU"), "exxon": ("kb:exxonmobil", "ExxonMobil",
                                                                      "organization", "US"),
    "chevron": ("kb:chevron", "Chevron", "organization", "US"), "boeing": ("kb:boeing", "Boeing",
                                                                          "organization", "US"),
    "aeroflot": ("kb:aeroflot", "Aeroflot", "organization", "RU"), "apple": ("kb:apple", "Apple Inc",
                                                                           "organization", "US"),
    "yandex": ("kb:yandex", "Yandex", "organization", "RU"), "opec": ("kb:opec", "OPEC", "organization", None),
    "aramco": ("kb:saudi-aramco", "Saudi Aramco", "organization", "SA"), "eu": ("kb:eu", "European Union",
                                                                              "organization", None),
    "bamf": ("kb:bamf", "Federal Office for Migration and Refugees", "organization", "DE"),
    "ukrmil": ("kb:ukrainian-army", "Ukrainian army", "organization", "UA"),
    "idf": ("kb:idf", "Israeli army", "organization", "IL"), "hamas": ("kb:hamas", "Hamas", "organization", "PS"),
    "irgc": ("kb:irgc", "Revolutionary Guards", "organization", "IR"), "iaea": ("kb:iaea", "IAEA",
                                                                               "organization", None),
    "boj": ("kb:bank-of-japan", "Bank of Japan", "organization", "JP"), "ecb": ("kb:ecb", "European Central Bank",
                                                                               "organization", None),
    "wto": ("kb:wto", "World Trade Organization", "organization", None),
    "worldbank": ("kb:world-bank", "World Bank", "organization", None),
    "unhrc": ("kb:unhrc", "UN Human Rights Council", "organization", None),
    "wfp": ("kb:wfp", "World Food Programme", "organization", None),
    "nhl": ("kb:nhl", "NHL", "organization", "US"), "capitals": ("kb:washington-capitals", "Washington Capitals",
                                                                "organization", "US"),
    "cnpc": ("kb:cnpc", "CNPC", "organization", "CN"), "fbi": ("kb:fbi", "FBI", "organization", "US"),
    "scotus": ("kb:us-supreme-court", "US Supreme Court", "organization", "US"),
    "rbi": ("kb:rbi", "Reserve Bank of India", "organization", "IN"),
}


def annotate(text: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Strip markup; return clean text and (key-or-inline-spec, start, end) spans."""
    out: list[str] = []
    spans: list[tuple[str, int, int]] = []
    pos = 0
    length = 0
    for m in MARK.finditer(text):
        chunk = text[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        surface, spec = m.group(1), m.group(2)
        spans.append((spec, length, length + len(surface)))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(text[pos:])
    clean = "".join(out)
    if "[[" in clean or "]]" in clean:
        raise ValueError(f"unbalanced markup in: {text[:80]!r}")
    return clean, spans


def _entity_info(spec: str) -> tuple[str, str, str, str | None]:
    if spec in KB:
        return KB[spec]
    parts = spec.split("|")
    if len(parts) == 3 and parts[0].startswith(("Q", "kb:")):
        return parts[0], parts[0], parts[1], parts[2] or None
    raise KeyError(f"unknown entity key {spec!r}: add it to KB or write [[surface|ID|type|CC]]")


def tag_item(headline_src: str, body_src: str) -> dict[str, Any]:
    """Clean text plus the entity list and ranked story countries."""
    headline, h_spans = annotate(headline_src)
    body, b_spans = annotate(body_src)
    ents: dict[str, dict[str, Any]] = {}
    weight: dict[str, int] = {}
    for field, spans in (("headline", h_spans), ("body", b_spans)):
        for spec, start, end in spans:
            eid, name, etype, country = _entity_info(spec)
            e = ents.setdefault(eid, {"id": eid, "name": name, "type": etype, "country": country,
                                      "count": 0, "mentions": []})
            e["count"] += 1
            e["mentions"].append({"field": field, "start": start, "end": end})
            if country:
                weight[country] = weight.get(country, 0) + (2 if field == "headline" else 1)
    countries = sorted(weight, key=lambda c: (-weight[c], c))
    return {"headline": headline, "body": body, "entities": list(ents.values()), "countries": countries}
