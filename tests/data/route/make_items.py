# ruff: noqa: E501  (wire copy and KB tables: long string literals are data)
"""Generate tests/data/route/items.jsonl: labelled, entity-annotated wire items for routing.

Each story family below is written as wire copy with inline entity markup (see annotate.py),
a few headline and lead variants and a pool of body paragraphs; a seeded RNG assembles
distinct items (different agency, dateline style, paragraph selection and order, figures).
Labels are per family (plus per lead variant where the lead changes the subject, e.g. a
Putin-Xi story whose lead is a gas deal also belongs on ``energy``) and were decided by reading the family, not by running the router:
``routes`` lists every default route the story belongs to. Hard negatives are families
of their own (Syria in a list, Syrian refugees' lives in Germany, Russian and US companies
side by side, Russia-China, a US domestic story quoting one Russian, ...).

Run: .venv/bin/python tests/data/route/make_items.py  (rewrites items.jsonl deterministically)
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from annotate import tag_item

OUT = Path(__file__).resolve().parent / "items.jsonl"
MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
AGENCY = {
    "reuters": "Reuters", "ap": "AP", "afp": "AFP", "ians": "IANS", "efe": "EFE", "dpa": "dpa", "pti": "PTI",
    "ani": "ANI", "xinhua": "Xinhua", "anadolu": "AA", "kyodo": "Kyodo", "uni": "UNI",
}


def dateline(surface: str, key: str, src: str, rng: random.Random) -> str:
    """Agency-specific dateline; the city is an entity mention like any other."""
    d = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    up = src in ("reuters", "ap", "afp", "anadolu")
    city = surface.upper() if up else surface
    if key:
        city = f"[[{city}|{key}]]"
    tag = AGENCY[src]
    return {"reuters": f"{city}, {d} (Reuters) - ", "ap": f"{city} (AP) — ",
            "afp": f"{city}, {d}, 2015 (AFP) - ", "xinhua": f"{city}, {d} (Xinhua) -- ",
            "anadolu": f"{city} (AA) - ", "dpa": f"{city} (dpa) - "}.get(src, f"{city}, {d} ({tag}) ")


FAMILIES: list[dict] = [
    # ---------------------------------------------------------------- syria positives
    dict(name="syria-war", n=22, routes=["syria", "middle-east"], city=["Beirut|beirut", "Damascus|damascus",
         "Amman|amman"], src=["reuters", "afp", "ap", "anadolu", "xinhua", "dpa"],
         head=["[[Syrian|SY]] army pushes into rebel-held districts of [[Aleppo|aleppo]]",
               "Air strikes kill {n} in [[Syria|SY]]'s [[Idlib|idlib]] province, monitor says",
               "[[Syrian|SY]] government forces retake hills near [[Homs|homs]]",
               "Heavy fighting in [[Syria|SY]] as [[Assad|assad]]'s troops advance on [[Palmyra|palmyra]]"],
         lead=["[[Syrian|SY]] government troops backed by militia fighters advanced on {n} villages near "
               "[[Aleppo|aleppo]] on {day}, the [[Syrian Observatory for Human Rights|sohr]] said, in one of the "
               "fiercest offensives of the four-year war.",
               "At least {n} people were killed when warplanes struck a market in [[Syria|SY]]'s northwestern "
               "[[Idlib|idlib]] province on {day}, rescue workers and a monitoring group said.",
               "The [[Syrian|SY]] army said on {day} it had recaptured a string of hilltops overlooking the "
               "highway between [[Damascus|damascus]] and [[Homs|homs]], cutting a rebel supply line."],
         body=["State news agency [[SANA|sana]] said army units had \"restored security and stability\" to the "
               "area and were clearing mines left by \"terrorist groups\", the term [[Damascus|damascus]] uses "
               "for all armed opponents of President [[Bashar al-Assad|assad]].",
               "The [[Britain-based Observatory|sohr]], which relies on a network of sources on the ground, said "
               "{n2} fighters from both sides had died since the offensive began.",
               "Rebels from the [[Free Syrian Army|fsa]] said they had repelled several assaults and destroyed "
               "two tanks with guided missiles.",
               "The [[Nusra Front|nusra]], [[al Qaeda|kb:al-qaeda|organization|]]'s Syrian branch, is among the "
               "groups fighting in the area, alongside more moderate factions.",
               "More than 250,000 people have been killed in [[Syria|SY]]'s civil war, which began with "
               "protests against [[Assad|assad]]'s rule in 2011.",
               "Residents said families were fleeing towards the Turkish border as shelling intensified.",
               "[[Islamic State|is]] militants still hold large parts of the east, including the city of "
               "[[Raqqa|raqqa]] and much of [[Deir ez-Zor|deir]] province.",
               "A doctor at a field hospital said the wounded included {n3} children."]),
    dict(name="syria-is", n=10, routes=["syria", "middle-east"], city=["Beirut|beirut", "Damascus|damascus"],
         src=["reuters", "ap", "afp", "efe"],
         head=["Kurdish-led forces close in on [[Islamic State|is]] stronghold [[Raqqa|raqqa]]",
               "[[Islamic State|is]] blows up ancient temple in [[Palmyra|palmyra]]"],
         lead=["The US-backed [[Syrian Democratic Forces|sdf]] said on {day} they had captured {n} villages "
               "north of [[Raqqa|raqqa]], the de facto capital of [[Islamic State|is]] in [[Syria|SY]].",
               "[[Islamic State|is]] militants have destroyed a 2,000-year-old temple in the [[Syrian|SY]] city "
               "of [[Palmyra|palmyra]], the head of [[Syria|SY]]'s antiquities department said on {day}."],
         body=["The [[SDF|sdf]], an alliance dominated by the Kurdish YPG militia, has been advancing with the "
               "help of coalition air strikes.",
               "[[Islamic State|is]] has lost ground in northern [[Syria|SY]] this year but still controls the "
               "Euphrates valley down to the Iraqi border.",
               "The [[Syrian Observatory|sohr]] said {n2} militants had been killed in three days of clashes.",
               "Antiquities officials in [[Damascus|damascus]] said hundreds of statues had been moved to safety "
               "before the city fell.",
               "Residents reached by telephone said the militants had set up checkpoints on all roads out of "
               "the city."]),
    dict(name="syria-diplomacy", n=12, routes=["syria", "middle-east"], city=["Geneva|geneva", "New York|newyork",
         "Damascus|damascus"], src=["reuters", "afp", "efe", "xinhua", "ap"],
         head=["UN envoy [[de Mistura|demistura]] to hold separate talks with [[Syrian|SY]] sides",
               "[[Syrian|SY]] opposition sets conditions for [[Geneva|geneva]] peace talks",
               "[[Syria|SY]]'s [[Muallem|muallem]] says government ready for ceasefire talks"],
         lead=["[[United Nations|un]] envoy [[Staffan de Mistura|demistura]] will meet [[Syrian|SY]] government and "
               "opposition delegates separately next week in a bid to revive peace talks, his office said on {day}.",
               "[[Syrian|SY]] Foreign Minister [[Walid al-Muallem|muallem]] said on {day} that [[Damascus|damascus]] "
               "was ready to take part in new talks but would not discuss the future of President "
               "[[Bashar al-Assad|assad]]."],
         body=["Previous rounds in [[Geneva|geneva]] collapsed in 2014 without progress on a transitional "
               "government.",
               "The opposition says any settlement must end with [[Assad|assad]] leaving power, a demand "
               "[[Damascus|damascus]] rejects.",
               "[[de Mistura|demistura]] has proposed working groups on security, political issues, "
               "reconstruction and humanitarian access inside [[Syria|SY]].",
               "Aid agencies say {n} million [[Syrians|SY]] inside the country need humanitarian help.",
               "The [[Syrian|SY]] government's delegation will be led by its ambassador to the [[UN|un]].",
               "Diplomats said the envoy was also pressing for local truces around besieged towns near "
               "[[Damascus|damascus]]."]),
    dict(name="syria-turkey-us", n=8, routes=["syria", "middle-east"], lead_routes={1: ["migration"]}, city=["Ankara|ankara"],
         src=["anadolu", "reuters", "afp"],
         head=["[[Turkey|TR]], [[US|US]] discuss safe zone in northern [[Syria|SY]]",
               "[[Erdogan|erdogan]] says [[Syrian|SY]] border zone must be cleared of militants"],
         lead=["[[Turkish|TR]] and [[US|US]] officials met in [[Ankara|ankara]] on {day} to discuss clearing "
               "[[Islamic State|is]] from a strip of northern [[Syria|SY]] along the border, officials said.",
               "President [[Tayyip Erdogan|erdogan]] said on {day} that a zone inside [[Syria|SY]] must be cleared "
               "of militants so that [[Syrian|SY]] refugees can return."],
         body=["[[Turkey|TR]] hosts nearly two million [[Syrian|SY]] refugees and has long called for a "
               "no-fly zone in northern [[Syria|SY]].",
               "The plan would see moderate [[Syrian|SY]] rebels hold the area, backed by coalition aircraft "
               "flying from the Incirlik base.",
               "[[Washington|washington]] has been reluctant to commit to a formal no-fly zone.",
               "The area between the towns of Azaz and Jarablus is held mostly by [[Islamic State|is]], "
               "according to the [[Syrian Observatory|sohr]]."]),
    # ---------------------------------------------------------------- russia-us positives (with Syria)
    dict(name="ru-us-syria", n=14, routes=["syria", "russia-us", "middle-east"], city=["Washington|washington",
         "Moscow|moscow"], src=["ians", "efe", "reuters", "ap", "afp", "pti"],
         head=["[[Kerry|kerry]], [[Lavrov|lavrov]] discuss [[Syria|SY]] as [[Moscow|moscow]] sends arms to "
               "[[Assad|assad]]",
               "[[Russia|RU]] proposes military talks with [[US|US]] on [[Syria|SY]]",
               "[[Pentagon|pentagon]] chief, [[Russian|RU]] counterpart agree to talks on [[Syria|SY]] air safety"],
         lead=["[[US|US]] Secretary of State [[John Kerry|kerry]] spoke by telephone with [[Russian|RU]] Foreign "
               "Minister [[Sergei Lavrov|lavrov]] on {day} about [[Russia|RU]]'s military build-up in "
               "[[Syria|SY]], the [[State Department|statedept]] said.",
               "[[US|US]] Defense Secretary [[Ash Carter|carter]] held his first talks with [[Russian|RU]] "
               "Defence Minister [[Sergei Shoigu|shoigu]] on {day}, agreeing to discuss ways to avoid incidents "
               "between their aircraft over [[Syria|SY]].",
               "[[Russia|RU]] has proposed military-to-military talks with the [[United States|US]] on the "
               "[[Syrian|SY]] conflict, [[US|US]] Secretary of State [[John Kerry|kerry]] said on {day}."],
         body=["[[Kerry|kerry]] said he told [[Lavrov|lavrov]] that [[Moscow|moscow]]'s support for President "
               "[[Bashar al-Assad|assad]] risked escalating the conflict and pushing more [[Syrians|SY]] to flee.",
               "[[Lavrov|lavrov]] said [[Russian|RU]] weapons deliveries to the [[Syrian|SY]] army were meant to "
               "help it fight [[Islamic State|is]] and complied with international law.",
               "The [[Pentagon|pentagon]] said the two militaries would discuss de-conflicting their operations "
               "in [[Syrian|SY]] airspace.",
               "[[Kremlin|kremlin]] spokesman [[Dmitry Peskov|peskov]] said [[Moscow|moscow]] was open to "
               "cooperation with [[Washington|washington]] against terrorism in [[Syria|SY]].",
               "[[Russian|RU]] transport aircraft have flown equipment to an air base near [[Latakia|latakia]], "
               "[[US|US]] officials said.",
               "The [[White House|whitehouse]] said the [[United States|US]] would welcome a constructive "
               "[[Russian|RU]] role against [[Islamic State|is]] but that [[Assad|assad]] could not be part of "
               "[[Syria|SY]]'s future.",
               "[[Putin|putin]] said [[Russia|RU]] would keep supplying [[Damascus|damascus]] with military "
               "and technical aid."]),
    # ---------------------------------------------------------------- russia-us positives (no Syria)
    dict(name="ru-us-arms", n=12, routes=["russia-us"], city=["Geneva|geneva", "Moscow|moscow",
         "Washington|washington"], src=["reuters", "ap", "afp", "xinhua", "kyodo"],
         head=["[[Russia|RU]], [[US|US]] hold arms control talks in [[Geneva|geneva]]",
               "[[Ryabkov|ryabkov]], [[Gottemoeller|gottemoeller]] meet on treaty compliance",
               "[[Moscow|moscow]] accuses [[Washington|washington]] of breaching missile treaty"],
         lead=["[[Russian|RU]] and [[US|US]] arms control negotiators met in [[Geneva|geneva]] on {day} to "
               "discuss the New START treaty and mutual accusations of violating the 1987 missile pact.",
               "[[Russian|RU]] Deputy Foreign Minister [[Sergei Ryabkov|ryabkov]] accused the "
               "[[United States|US]] on {day} of breaching the INF treaty by deploying missile defence launchers "
               "in Europe.",
               "Under Secretary of State [[Rose Gottemoeller|gottemoeller]] held talks with "
               "[[Russian|RU]] officials on {day} on strategic stability and nuclear arms reductions."],
         body=["[[Ryabkov|ryabkov]] said [[Moscow|moscow]] was ready to continue the dialogue but would respond "
               "to any new [[US|US]] deployments.",
               "The [[State Department|statedept]] said [[Washington|washington]] remained concerned about a "
               "[[Russian|RU]] cruise missile it says violates the treaty.",
               "Both sides have cut deployed strategic warheads to 1,550 under New START, signed in 2010.",
               "[[Kremlin|kremlin]] spokesman [[Dmitry Peskov|peskov]] said [[President Putin|putin]] had been "
               "briefed on the talks.",
               "[[Gottemoeller|gottemoeller]] told reporters the discussions were \"frank and useful\".",
               "Arms control experts said relations between the two nuclear powers were at their lowest point "
               "since the end of the Cold War."]),
    dict(name="ru-us-sanctions", n=12, routes=["russia-us"], city=["Washington|washington", "Moscow|moscow"],
         src=["reuters", "ap", "dpa", "efe", "uni"],
         head=["[[US|US]] widens sanctions on [[Russian|RU]] firms, [[Kremlin|kremlin]] vows response",
               "[[Moscow|moscow]] hits back at new [[US|US]] sanctions",
               "[[Treasury|treasury]] adds [[Russian|RU]] officials to blacklist"],
         lead=["The [[US|US]] [[Treasury|treasury]] on {day} added {n} [[Russian|RU]] individuals and companies "
               "to its sanctions list, and the [[Kremlin|kremlin]] said it would retaliate.",
               "[[Russia|RU]]'s [[Foreign Ministry|rumfa]] said on {day} it would respond to new "
               "[[US|US]] sanctions, calling them an unfriendly step that would damage relations with "
               "[[Washington|washington]]."],
         body=["[[Treasury|treasury]] Secretary [[Jack Lew|lew]] said the measures targeted those who had helped "
               "evade earlier sanctions.",
               "[[Kremlin|kremlin]] spokesman [[Dmitry Peskov|peskov]] said [[Moscow|moscow]] would act \"on the "
               "principle of reciprocity\".",
               "[[Foreign Ministry|rumfa]] spokesman [[Alexander Lukashevich|lukashevich]] said the "
               "[[US|US]] measures showed [[Washington|washington]] was not interested in improving ties.",
               "The sanctions freeze any assets the targets hold under [[US|US]] jurisdiction and bar "
               "[[Americans|US]] from doing business with them.",
               "[[Russian|RU]] [[Prime Minister Dmitry Medvedev|medvedev]] said the [[Russian|RU]] economy had "
               "adapted to sanctions.",
               "The [[State Department|statedept]] said the door to dialogue with [[Moscow|moscow]] remained "
               "open."]),
    dict(name="ru-us-summit", n=12, routes=["russia-us"], city=["New York|newyork", "Beijing|beijing",
         "Moscow|moscow"], src=["reuters", "ap", "afp", "kyodo", "ians", "pti"],
         head=["[[Putin|putin]], [[Obama|obama]] meet on sidelines of summit",
               "[[Obama|obama]] and [[Putin|putin]] hold first talks in months",
               "[[Lavrov|lavrov]] and [[Kerry|kerry]] agree to keep talking after tense meeting"],
         lead=["[[Russian|RU]] President [[Vladimir Putin|putin]] and [[US|US]] President [[Barack Obama|obama]] "
               "met for {n} minutes on {day} on the sidelines of the summit, the [[Kremlin|kremlin]] said.",
               "[[Sergei Lavrov|lavrov]] and [[John Kerry|kerry]] met for three hours on {day}, their first "
               "face-to-face talks since the two governments traded accusations over the downing of a plane."],
         body=["[[Putin|putin]]'s foreign policy aide said the conversation was \"constructive\" but that "
               "differences remained.",
               "A [[White House|whitehouse]] official said [[Obama|obama]] had pressed [[Putin|putin]] on "
               "implementation of the ceasefire agreement.",
               "[[Kerry|kerry]] told reporters that the [[United States|US]] and [[Russia|RU]] had agreed on the "
               "need to keep channels open.",
               "[[Lavrov|lavrov]] said [[Moscow|moscow]] wanted relations based on equality and mutual respect.",
               "The last formal bilateral meeting between the two presidents was more than a year ago.",
               "[[Peskov|peskov]] said no date had been set for a full summit."]),
    dict(name="ru-us-diplomats", n=10, routes=["russia-us"], city=["Moscow|moscow", "Washington|washington"],
         src=["reuters", "ap", "afp", "anadolu", "efe"],
         head=["[[Russia|RU]] expels [[US|US]] diplomat accused of spying",
               "[[Washington|washington]] summons [[Russian|RU]] envoy over harassment of embassy staff"],
         lead=["[[Russia|RU]]'s [[Foreign Ministry|rumfa]] ordered a [[US|US]] diplomat to leave the country on "
               "{day}, saying he had been caught trying to recruit a [[Russian|RU]] intelligence officer.",
               "The [[State Department|statedept]] summoned [[Russian|RU]] ambassador [[Sergei Kislyak|kislyak]] "
               "on {day} to protest what it called harassment of [[US|US]] diplomats in [[Moscow|moscow]]."],
         body=["[[US|US]] ambassador [[John Tefft|tefft]] was called in to the ministry and handed a note of "
               "protest.",
               "[[Kislyak|kislyak]] said the complaints were groundless and accused [[Washington|washington]] of "
               "trying to spoil relations.",
               "The [[Kremlin|kremlin]] said the expulsion would not affect [[Putin|putin]]'s plans.",
               "The [[State Department|statedept]] declined to comment on the spying allegation.",
               "Tit-for-tat expulsions were common during the Cold War but have become rarer since."]),
    dict(name="ru-us-ukraine", n=10, routes=["russia-us", "ukraine"], city=["Washington|washington",
         "Moscow|moscow", "Kiev|kyiv"], src=["reuters", "ap", "afp", "dpa"],
         head=["[[Kerry|kerry]] urges [[Lavrov|lavrov]] to press rebels in east [[Ukraine|UA]]",
               "[[US|US]], [[Russia|RU]] trade accusations over [[Ukraine|UA]] ceasefire"],
         lead=["[[US|US]] Secretary of State [[John Kerry|kerry]] urged [[Russian|RU]] Foreign Minister "
               "[[Sergei Lavrov|lavrov]] in a phone call on {day} to use [[Moscow|moscow]]'s influence over "
               "separatists in eastern [[Ukraine|UA]] to halt attacks, the [[State Department|statedept]] said.",
               "[[Russia|RU]] and the [[United States|US]] traded accusations on {day} over violations of the "
               "ceasefire in eastern [[Ukraine|UA]], where fighting flared around [[Donetsk|donetsk]]."],
         body=["[[Lavrov|lavrov]] told [[Kerry|kerry]] that [[Kiev|kyiv]] must carry out its commitments under "
               "the Minsk agreement, the [[Russian Foreign Ministry|rumfa]] said.",
               "The [[White House|whitehouse]] said further sanctions on [[Moscow|moscow]] were possible if "
               "the truce collapsed.",
               "[[Ukrainian|UA]] military spokesmen said {n} soldiers had been killed in the past 24 hours near "
               "[[Donetsk|donetsk]].",
               "[[Ukrainian|UA]] President [[Petro Poroshenko|poroshenko]] has asked [[Washington|washington]] for "
               "defensive weapons.",
               "The [[Kremlin|kremlin]] denies sending troops and weapons to [[Ukraine|UA]]'s east."]),
    # ---------------------------------------------------------------- other positives
    dict(name="ukraine-war", n=12, routes=["ukraine"], city=["Kiev|kyiv", "Donetsk|donetsk"],
         src=["reuters", "ap", "afp", "dpa", "efe"],
         head=["Shelling kills {n} civilians in east [[Ukraine|UA]]",
               "[[Ukraine|UA]] says rebels massing near [[Mariupol|kb:mariupol|place|UA]]",
               "[[Poroshenko|poroshenko]] visits front line in [[Donetsk|donetsk]] region"],
         lead=["At least {n} civilians were killed by shelling in eastern [[Ukraine|UA]] on {day}, local "
               "officials said, as fighting intensified around the rebel stronghold of [[Donetsk|donetsk]].",
               "[[Ukraine|UA]]'s military said on {day} that separatist forces were massing tanks and artillery "
               "near the port city of [[Mariupol|kb:mariupol|place|UA]]."],
         body=["[[Ukrainian|UA]] military spokesman [[Andriy Lysenko|kb:andriy-lysenko|person|UA]] said "
               "{n2} soldiers had been wounded.",
               "The [[OSCE|kb:osce|organization|]] monitoring mission reported heavy artillery fire overnight.",
               "President [[Petro Poroshenko|poroshenko]] said [[Kiev|kyiv]] remained committed to a peaceful "
               "settlement.",
               "More than 6,000 people have been killed since the conflict began in April 2014.",
               "Residents of [[Donetsk|donetsk]] said they spent the night in basements.",
               "[[Ukraine|UA]] and the West accuse [[Russia|RU]] of backing the rebels, which [[Moscow|moscow]] "
               "denies."]),
    dict(name="iran-israel", n=12, routes=["middle-east"], city=["Jerusalem|jerusalem", "Tehran|tehran",
         "Vienna|vienna"], src=["reuters", "ap", "afp", "xinhua", "anadolu"],
         head=["[[Netanyahu|netanyahu]] warns [[Iran|IR]] deal will not stop bomb",
               "[[Iran|IR]]'s [[Zarif|zarif]] says [[Israel|IL]] isolated over nuclear deal",
               "[[IAEA|iaea]] chief visits [[Tehran|tehran]] to discuss inspections"],
         lead=["[[Israeli|IL]] Prime Minister [[Benjamin Netanyahu|netanyahu]] said on {day} that the nuclear "
               "deal with [[Iran|IR]] would give [[Tehran|tehran]] a path to a bomb and billions of dollars to fund "
               "militant groups.",
               "[[Iranian|IR]] Foreign Minister [[Mohammad Javad Zarif|zarif]] said on {day} that [[Israel|IL]] was "
               "alone in opposing the nuclear agreement."],
         body=["[[Netanyahu|netanyahu]] told his cabinet in [[Jerusalem|jerusalem]] that [[Israel|IL]] was not "
               "bound by the agreement.",
               "[[Iran|IR]] says its nuclear programme is for peaceful purposes only.",
               "Under the deal, [[Iran|IR]] will cut its stockpile of enriched uranium in return for the lifting "
               "of sanctions.",
               "President [[Hassan Rouhani|rouhani]] said the agreement opened a new chapter for [[Iran|IR]].",
               "[[IAEA|iaea]] inspectors are due to verify [[Iranian|IR]] compliance before sanctions are lifted.",
               "[[Iran|IR]]'s [[Revolutionary Guards|irgc]] said the deal would not affect their missile work."]),
    dict(name="iraq-is", n=8, routes=["middle-east"], city=["Baghdad|baghdad"], src=["reuters", "ap", "afp"],
         head=["[[Iraqi|IQ]] forces prepare assault on [[Islamic State|is]]-held [[Mosul|mosul]]",
               "Bombs kill {n} in [[Baghdad|baghdad]] markets"],
         lead=["[[Iraqi|IQ]] troops and Kurdish fighters moved closer to [[Mosul|mosul]] on {day}, preparing an "
               "offensive to retake [[Iraq|IQ]]'s second city from [[Islamic State|is]].",
               "Two car bombs exploded in crowded markets in [[Baghdad|baghdad]] on {day}, killing at least {n} "
               "people, [[Iraqi|IQ]] police said."],
         body=["[[Iraqi|IQ]] officials said the army had retaken several villages south of [[Mosul|mosul]].",
               "[[Islamic State|is]] claimed responsibility in a statement posted online.",
               "[[Iraq|IQ]]'s prime minister said the country would be free of the militants by the end of "
               "the year.",
               "The militants seized [[Mosul|mosul]] in June 2014 and declared a caliphate spanning parts of "
               "[[Iraq|IQ]] and [[Syria|SY]].",
               "Medical sources in [[Baghdad|baghdad]] said {n2} people were wounded."]),
    dict(name="oil-prices", n=14, routes=["energy", "markets"], city=["London|london", "Singapore|"
         "kb:singapore|place|SG", "New York|newyork"], src=["reuters", "ap", "xinhua", "pti", "kyodo"],
         head=["Oil falls below $45 as [[OPEC|opec]] output stays high",
               "Brent crude rises on [[US|US]] stockpile draw",
               "Oil prices slip as [[China|CN]] demand worries weigh"],
         lead=["Oil prices fell on {day}, with Brent crude dropping {n}.{n3} percent to $44.80 a barrel, as "
               "[[OPEC|opec]] members kept pumping near record levels.",
               "Brent crude futures rose 60 cents to $48.20 a barrel on {day} after data showed a larger than "
               "expected draw in [[US|US]] crude inventories."],
         body=["[[US|US]] West Texas Intermediate crude was down 70 cents at $42.10 a barrel.",
               "Traders said worries about slowing growth in [[China|CN]], the world's second-largest oil "
               "consumer, were weighing on prices.",
               "[[Saudi|SA]] oil minister [[Ali al-Naimi|naimi]] has said [[OPEC|opec]] will defend its market "
               "share rather than cut output.",
               "Gasoline futures also fell, while natural gas prices edged higher.",
               "Analysts said the oil market would stay oversupplied into next year.",
               "Investors were also watching the dollar, which rose against a basket of currencies, making "
               "oil more expensive for holders of other currencies."]),
    dict(name="markets", n=14, routes=["markets"], city=["Tokyo|tokyo", "Mumbai|mumbai", "New York|newyork",
         "London|london"], src=["reuters", "kyodo", "pti", "ap", "xinhua", "uni"],
         head=["Asian stocks slide as [[China|CN]] worries return",
               "Sensex falls {n} points on foreign fund outflows",
               "Wall Street ends higher as [[Fed|fed]] signals patience",
               "Nikkei hits four-week high as yen weakens"],
         lead=["Asian shares fell on {day} as fresh signs of weakness in [[China|CN]]'s economy hit investor "
               "confidence, with [[Tokyo|tokyo]]'s Nikkei index losing {n}.{n3} percent.",
               "The BSE Sensex fell {n} points on {day} as foreign investors sold [[Indian|IN]] equities ahead "
               "of the [[Federal Reserve|fed]]'s policy meeting.",
               "[[US|US]] stocks closed higher on {day}, with the S&P 500 up {n3}.2 percent, after "
               "[[Federal Reserve|fed]] Chair [[Janet Yellen|yellen]] said rate rises would be gradual."],
         body=["The dollar was steady against the yen, while the euro slipped.",
               "Benchmark 10-year Treasury yields rose to 2.21 percent.",
               "Shares of exporters gained as the yen weakened.",
               "Traders said volumes were thin ahead of a holiday.",
               "[[Bank of Japan|boj]] policymakers meet next week and some investors expect more stimulus.",
               "The rupee fell to 66.40 against the dollar.",
               "Index heavyweights led the decline, with banks and technology stocks among the biggest "
               "losers."]),
    dict(name="us-politics", n=14, routes=["us-politics"], city=["Washington|washington", "Des Moines|iowa"],
         src=["ap", "reuters", "afp", "ians", "efe"],
         head=["Senate Republicans unveil budget plan, Democrats object",
               "[[Clinton|clinton]], [[Sanders|sanders]] clash in Democratic debate",
               "[[Boehner|boehner]] says House will vote on spending bill to avert shutdown",
               "[[Trump|trump]] leads Republican field in new [[Iowa|iowa]] poll"],
         lead=["Republican leaders in the [[US Senate|senate]] unveiled a budget plan on {day} that would cut "
               "spending by $5 trillion over a decade, drawing immediate objections from Democrats.",
               "Democratic presidential candidates [[Hillary Clinton|clinton]] and [[Bernie Sanders|sanders]] "
               "clashed over gun control and Wall Street in a televised debate on {day}.",
               "House Speaker [[John Boehner|boehner]] said on {day} the chamber would vote on a stop-gap "
               "spending bill to keep the government open."],
         body=["Senate Majority Leader [[Mitch McConnell|mcconnell]] said he expected the measure to pass "
               "with Republican votes.",
               "The [[White House|whitehouse]] said President [[Barack Obama|obama]] would veto any bill that "
               "cut funding for his health care law.",
               "Polls show [[Donald Trump|trump]] leading the Republican field ahead of the [[Iowa|iowa]] "
               "caucuses.",
               "[[Jeb Bush|bush]] told supporters the campaign was a marathon, not a sprint.",
               "Democrats in [[Congress|congress]] said the plan would hurt middle-class families.",
               "The [[Supreme Court|scotus]] is expected to rule on the case before the election."]),
    dict(name="refugees-syria-border", n=6, routes=["syria", "middle-east", "migration"],
         city=["Beirut|beirut", "Amman|amman"], src=["reuters", "afp", "ap"],
         head=["Thousands flee fighting in [[Syria|SY]]'s [[Aleppo|aleppo]] province towards border",
               "[[Syrians|SY]] flee [[Idlib|idlib]] air strikes, refugee camps overwhelmed"],
         lead=["Tens of thousands of [[Syrians|SY]] have fled an army offensive in [[Aleppo|aleppo]] province "
               "towards the Turkish border, aid workers said on {day}.",
               "Families fleeing air strikes in [[Syria|SY]]'s [[Idlib|idlib]] province are crowding into camps "
               "near the border, the [[UNHCR|unhcr]] said on {day}."],
         body=["The [[Syrian|SY]] army, backed by [[Russian|RU]] air strikes, has advanced on several villages "
               "north of [[Aleppo|aleppo]].",
               "Aid workers said the displaced needed tents, blankets and food.",
               "The [[Syrian Observatory|sohr]] said {n} civilians had been killed in the offensive.",
               "Refugees said they had walked for two days to reach the border.",
               "The [[UN|un]] says more than 4 million refugees have left [[Syria|SY]] since 2011."]),
    # ---------------------------------------------------------------- hard negatives
    dict(name="neg-syria-in-list", n=14, routes=[], city=["Geneva|geneva", "New York|newyork",
         "Washington|washington"], src=["reuters", "afp", "xinhua", "efe", "ap", "pti"],
         head=["UN rights council opens session with long agenda",
               "Global hunger rises for first time in decade, UN agencies say",
               "World Bank cuts growth forecast for poorest countries",
               "Press freedom index: journalists killed in record numbers"],
         lead=["The [[UN Human Rights Council|unhrc]] opened its autumn session in [[Geneva|geneva]] on {day}, "
               "with reports due on [[Myanmar|MM]], [[Syria|SY]], [[Eritrea|ER]], [[South Sudan|SS]] and "
               "[[Venezuela|VE]] among more than 40 items.",
               "The number of hungry people rose to {n}0 million last year, driven by conflicts in "
               "[[Yemen|YE]], [[South Sudan|SS]], [[Syria|SY]], [[Afghanistan|AF]] and [[Nigeria|NG]], "
               "[[UN|un]] agencies said on {day}.",
               "The [[World Bank|worldbank]] on {day} cut its growth forecast for low-income countries, citing "
               "weak commodity prices and conflict in countries from [[Libya|LY]] and [[Syria|SY]] to "
               "[[Somalia|SO]]."],
         body=["The [[World Food Programme|wfp]] said funding had fallen short in {n} of its largest "
               "operations.",
               "Delegates from [[Pakistan|PK]], [[Brazil|BR]] and [[Egypt|EG]] called for more attention to "
               "economic rights.",
               "The report said remittances to [[India|IN]] and [[Pakistan|PK]] had held up well.",
               "[[Afghanistan|AF]] and [[Somalia|SO]] remained the most dangerous places for aid workers.",
               "The council will also debate a resolution on [[North Korea|KP]] later in the session.",
               "Officials said climate shocks had hit harvests in [[Nigeria|NG]] and [[Somalia|SO]].",
               "Donors pledged new money at a meeting in [[London|london]] last month, but disbursement has "
               "been slow."]),
    dict(name="neg-refugees-germany", n=10, routes=["migration"], city=["Berlin|berlin", "Munich|munich"],
         src=["dpa", "reuters", "afp", "ap", "efe"],
         head=["[[Germany|DE]] expects up to 800,000 asylum seekers this year",
               "[[Munich|munich]] volunteers welcome trainloads of refugees",
               "[[Merkel|merkel]] defends open-door refugee policy as states struggle"],
         lead=["[[Germany|DE]] expects up to 800,000 asylum seekers to arrive this year, four times last year's "
               "number, Interior Minister [[Thomas de Maiziere|demaiziere]] said in [[Berlin|berlin]] on {day}.",
               "Hundreds of volunteers gathered at [[Munich|munich]]'s main station on {day} to hand out food and "
               "clothes to refugees arriving from [[Hungary|HU]] and [[Austria|AT]].",
               "Chancellor [[Angela Merkel|merkel]] defended her decision to let in refugees on {day} as "
               "[[German|DE]] states complained they were running out of places to house them."],
         body=["Many of the new arrivals are [[Syrians|SY]] fleeing the civil war, along with people from "
               "[[Afghanistan|AF]], [[Iraq|IQ]] and the western Balkans.",
               "The [[Federal Office for Migration and Refugees|bamf]] said it was hiring 2,000 more staff to "
               "process asylum applications.",
               "[[Merkel|merkel]] said [[Germany|DE]] could cope but urged other [[EU|eu]] countries to take a "
               "fair share.",
               "Local officials in [[Bavaria|kb:bavaria|place|DE]] said gyms and tents were being used as "
               "temporary shelters.",
               "A refugee family said they had paid smugglers in [[Turkey|TR]] and walked through [[Greece|GR]] "
               "and the Balkans to reach [[Germany|DE]].",
               "Language courses and school places were being expanded in [[Hamburg|hamburg]] and "
               "[[Berlin|berlin]].",
               "[[Germany|DE]] also plans to speed up deportations of people whose asylum claims are rejected."]),
    dict(name="neg-ru-us-companies", n=10, routes=["energy"], city=["London|london", "Moscow|moscow",
         "Houston|houston"], src=["reuters", "pti", "xinhua", "uni"],
         head=["[[Gazprom|gazprom]] profit falls; [[ExxonMobil|exxon]] cuts spending",
               "Energy majors report weak quarter as oil slump bites",
               "[[Lukoil|lukoil]], [[Chevron|chevron]] cut investment plans"],
         lead=["[[Russia|RU]]'s [[Gazprom|gazprom]] reported a {n} percent fall in quarterly net profit on {day}, "
               "hit by lower gas export prices, while [[ExxonMobil|exxon]] said it would cut capital spending "
               "next year.",
               "Oil producers on both sides of the Atlantic reported weaker results on {day}, with "
               "[[Lukoil|lukoil]] and [[Chevron|chevron]] both trimming investment plans as crude prices slid."],
         body=["[[Gazprom|gazprom]] chief executive [[Alexei Miller|miller]] said exports to Europe would rise "
               "next year.",
               "[[ExxonMobil|exxon]] said output from its [[US|US]] shale fields had risen despite the downturn.",
               "[[Chevron|chevron]] said it would cut {n2}00 jobs at its [[Houston|houston]] headquarters.",
               "[[Lukoil|lukoil]] said production at its West Siberian fields was stable.",
               "Brent crude has fallen more than 50 percent in a year as oversupply persists.",
               "Analysts said the rouble's slide had cushioned [[Russian|RU]] producers' costs.",
               "Shares in both companies were little changed in early trading."]),
    dict(name="neg-russia-china", n=12, routes=[], lead_routes={0: ["energy"]}, city=["Beijing|beijing", "Moscow|moscow",
         "Vladivostok|vladivostok"], src=["xinhua", "reuters", "ap", "afp", "kyodo"],
         head=["[[Putin|putin]], [[Xi|xi]] sign gas and rail deals",
               "[[Russia|RU]] and [[China|CN]] hold joint naval drills",
               "[[Xi|xi]] hails 'best ever' ties with [[Moscow|moscow]]"],
         lead=["[[Russian|RU]] President [[Vladimir Putin|putin]] and [[Chinese|CN]] President "
               "[[Xi Jinping|xi]] signed agreements on gas supplies and a high-speed railway on {day}, deepening "
               "ties as both face friction with the West.",
               "[[Russia|RU]] and [[China|CN]] began joint naval exercises in the Sea of Japan on {day}, the "
               "[[Russian Defence Ministry|rumod]] said, involving {n} warships from both navies."],
         body=["[[Gazprom|gazprom]] and [[CNPC|cnpc]] agreed on the terms of a second pipeline route to "
               "[[China|CN]].",
               "[[Xi|xi]] said relations between [[Beijing|beijing]] and [[Moscow|moscow]] were at their best in "
               "history.",
               "[[Putin|putin]] said the two countries would increase trade in their own currencies.",
               "Some analysts said the partnership was a counterweight to the [[United States|US]].",
               "The drills include anti-submarine exercises and landings, [[Xinhua|kb:xinhua|organization|CN]] "
               "said.",
               "[[Russian|RU]] Deputy Prime Minister [[Yuri Trutnev|trutnev]] said [[Chinese|CN]] investment in "
               "the Far East was growing."]),
    dict(name="neg-us-quoting-russian", n=10, routes=["us-politics"], city=["Washington|washington"],
         src=["ap", "reuters", "afp", "ians"],
         head=["Senate panel grills officials over [[FBI|fbi]] surveillance program",
               "House passes cybersecurity bill after long debate",
               "[[Trump|trump]] rally draws protesters in [[Iowa|iowa]]"],
         lead=["Members of the [[US Senate|senate]] judiciary committee questioned [[FBI|fbi]] officials on "
               "{day} about a surveillance program, with Republicans and Democrats both raising privacy concerns.",
               "The [[House of Representatives|congress]] passed a bill on {day} encouraging companies to share "
               "information about cyber threats, sending it to the [[Senate|senate]].",
               "Hundreds of protesters gathered outside a [[Donald Trump|trump]] campaign rally in "
               "[[Iowa|iowa]] on {day}, as the Republican front-runner attacked his rivals."],
         body=["Senator [[Mitch McConnell|mcconnell]] said the bill struck the right balance.",
               "Civil liberties groups said the measure would let the government collect more data on "
               "[[Americans|US]].",
               "A [[Russian|RU]] security researcher quoted in the hearing documents, "
               "[[Oleg Lavrentiev|lavrentiev]], had warned that such programs were common worldwide.",
               "The [[White House|whitehouse]] said President [[Barack Obama|obama]] supported the bill.",
               "Democrats said they would push for amendments when the bill reaches a conference committee.",
               "Campaign aides said turnout in the [[Iowa|iowa]] caucuses would decide the race.",
               "[[Trump|trump]] told the crowd he would build a wall on the southern border."]),
    dict(name="neg-russia-domestic", n=8, routes=[], city=["Moscow|moscow", "St Petersburg|stpetersburg"],
         src=["reuters", "afp", "xinhua", "ap"],
         head=["[[Moscow|moscow]] mayor unveils plan to widen pavements",
               "[[Russian|RU]] central bank holds rates as rouble steadies"],
         lead=["[[Moscow|moscow]] Mayor [[Sergei Sobyanin|sobyanin]] on {day} unveiled a plan to widen "
               "pavements and plant trees along {n} of the capital's busiest streets.",
               "[[Russia|RU]]'s central bank kept its main interest rate at 11 percent on {day}, citing "
               "inflation risks as the rouble steadied."],
         body=["Critics said the works would worsen traffic in [[Moscow|moscow]] for months.",
               "[[Sobyanin|sobyanin]] said the city would spend 20 billion roubles on the project.",
               "Inflation in [[Russia|RU]] has slowed but remains above 15 percent.",
               "[[Prime Minister Dmitry Medvedev|medvedev]] said the government would support regional budgets.",
               "A similar programme is planned for [[St Petersburg|stpetersburg]] next year."]),
    dict(name="neg-sport-ru-us", n=8, routes=[], city=["Washington|washington", "New York|newyork"],
         src=["ap", "reuters", "afp"],
         head=["[[Ovechkin|ovechkin]] scores twice as [[Capitals|capitals]] beat Rangers",
               "[[Sharapova|sharapova]] reaches US Open quarter-finals"],
         lead=["[[Alex Ovechkin|ovechkin]] scored twice and the [[Washington Capitals|capitals]] beat the "
               "[[New York|newyork]] Rangers {n}-2 on {day}.",
               "[[Russia|RU]]'s [[Maria Sharapova|sharapova]] reached the US Open quarter-finals in "
               "[[New York|newyork]] on {day} with a straight-sets win."],
         body=["[[Ovechkin|ovechkin]], the [[Russian|RU]] captain of the [[Capitals|capitals]], now has {n2} goals "
               "this season.",
               "The [[NHL|nhl]] said the game drew a record crowd.",
               "[[Sharapova|sharapova]] said she felt relaxed after a long break.",
               "Coach Barry Trotz praised the power play.",
               "She will next face the winner of an all-[[American|US]] match."]),
    dict(name="neg-lebanon", n=6, routes=["middle-east"], city=["Beirut|beirut"], src=["reuters", "afp", "ap"],
         head=["[[Lebanon|LB]]'s parliament fails again to elect president",
               "[[Beirut|beirut]] protesters demand end to rubbish crisis"],
         lead=["[[Lebanon|LB]]'s parliament failed for the {n}th time on {day} to elect a president, leaving "
               "the post vacant for more than a year.",
               "Thousands of protesters rallied in central [[Beirut|beirut]] on {day} over a rubbish collection "
               "crisis that has left trash piling up in the streets."],
         body=["[[Hezbollah|hezbollah]] and its allies boycotted the session.",
               "[[Lebanon|LB]]'s politicians are divided over the war in neighbouring [[Syria|SY]].",
               "Organisers said the protests would continue until the government resigned.",
               "[[Lebanese|LB]] security forces used water cannon to push back demonstrators.",
               "[[Hezbollah|hezbollah]] leader [[Hassan Nasrallah|nasrallah]] called for dialogue.",
               "The environment minister said a new landfill site would open in [[Lebanon|LB]]'s north."]),
    dict(name="neg-india-us", n=6, routes=[], city=["New Delhi|newdelhi"], src=["pti", "ani", "ians", "uni"],
         head=["[[Modi|modi]] to visit [[US|US]], focus on trade and defence",
               "[[India|IN]], [[US|US]] agree to expand defence cooperation"],
         lead=["Prime Minister [[Narendra Modi|modi]] will visit the [[US|US]] next week for talks on trade, "
               "defence and clean energy, the [[External Affairs Ministry|kb:mea|organization|IN]] said on "
               "{day}.",
               "[[India|IN]] and the [[United States|US]] agreed on {day} to expand defence cooperation, "
               "including joint production of military equipment."],
         body=["[[Modi|modi]] is also expected to meet technology executives in California.",
               "Officials said a deal on civil nuclear cooperation was still under discussion.",
               "[[India|IN]] is one of the largest buyers of [[US|US]] military hardware.",
               "The [[Reserve Bank of India|rbi]] governor said [[US|US]] rate rises were a risk for emerging "
               "markets.",
               "[[India|IN]] has bought most of its weapons from [[Russia|RU]] in the past."]),
]


def make_items(seed: int = 20151117) -> list[dict]:
    rng = random.Random(seed)
    items: list[dict] = []
    seen: set[str] = set()
    for fam in FAMILIES:
        made = tries = 0
        while made < fam["n"] and tries < fam["n"] * 50:
            tries += 1
            src = rng.choice(fam["src"])
            surface, key = rng.choice(fam["city"]).split("|", 1)
            nums = {"n": rng.randint(3, 19), "n2": rng.randint(20, 90), "n3": rng.randint(2, 9),
                    "day": rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                       "Sunday"])}
            head = rng.choice(fam["head"]).format(**nums)
            k = rng.randint(2, min(4, len(fam["body"])))
            li = rng.randrange(len(fam["lead"]))
            paras = [fam["lead"][li], *rng.sample(fam["body"], k)]
            extra = fam.get("lead_routes", {}).get(li, [])
            paras = [p.format(**nums) for p in paras]
            paras[0] = dateline(surface, key, src, rng) + paras[0]
            body_src = "\n".join(paras)
            sig = head + body_src
            if sig in seen:
                continue
            seen.add(sig)
            tagged = tag_item(head, body_src)
            made += 1
            items.append({"id": f"{fam['name']}-{made:02d}", "family": fam["name"], "source": src,
                          "language": "en", **tagged, "routes": sorted({*fam["routes"], *extra})})
    return items


def main() -> None:
    items = make_items()
    with OUT.open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(items)} items to {OUT}")


if __name__ == "__main__":
    main()
