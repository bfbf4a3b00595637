# ruff: noqa: E501  (hand-written wire prose: one sentence per line reads best)
"""Hand-written base wire stories for the dedup labelled set (original text).

Each story: (agency, dateline, headline, [paragraphs]). Figures matter: the
generator changes them for corrections. Stories marked with the same ``event``
in EVENT_PAIRS are different stories on the same event (hard negatives).
"""

from __future__ import annotations

STORIES: list[tuple[str, str, str, list[str]]] = [
    ("IANS/EFE", "Washington, Sep 17", "Russia proposes military talks with US over Syria: Kerry", [
        "US Secretary of State John Kerry said on Wednesday that the Russian government had proposed holding military-to-military talks with Washington on the Syrian conflict.",
        "Kerry said Foreign Minister Sergei Lavrov made the proposal in a telephone call on Tuesday and that the White House and the defence and state departments were studying it.",
        "He told reporters the US would welcome a constructive role by Moscow in the fight against the Islamic State, but added there was no military solution to the war.",
        "Since March 2011 some 220,000 people have been killed in Syria and 7.6 million have been internally displaced, according to UN figures.",
    ]),
    ("Reuters", "MUMBAI, March 4", "Tata Motors quarterly profit jumps 48 pct on SUV demand", [
        "Tata Motors Ltd reported a 48% jump in third-quarter profit on Monday, helped by strong demand for its sport utility vehicles and lower raw material costs.",
        "Consolidated net profit rose to 71.25 billion rupees in the three months to Dec. 31 from 48.12 billion rupees a year earlier, the company said in an exchange filing.",
        "Revenue from operations climbed 25% to 1.1 trillion rupees, while its luxury unit Jaguar Land Rover posted record quarterly sales of 101,043 vehicles.",
        "Shares of the company closed 2.1% higher ahead of the results.",
    ]),
    ("AP", "NAIROBI, Kenya", "Floods kill dozens in Kenya as rains pound the east", [
        "Flooding caused by days of torrential rain has killed at least 38 people in eastern Kenya and forced thousands from their homes, the country's Red Cross said Friday.",
        "Rescue teams used boats to reach villages cut off in Garissa and Tana River counties, where the Tana River burst its banks overnight.",
        "The Kenya Meteorological Department warned that heavy rain would continue through next week across much of the east and the coast.",
        "Aid agencies said more than 15,000 households had been displaced and that the risk of cholera was rising as water sources were contaminated.",
    ]),
    ("AFP", "Paris", "France unveils 10-billion-euro savings plan", [
        "The French government on Wednesday unveiled a plan to cut 10 billion euros from this year's budget after growth came in weaker than expected.",
        "Finance Minister Bruno Le Maire told TF1 television the cuts would fall on ministries' operating costs and development aid, not on pensions or salaries.",
        "The government now expects the economy to grow 1.0 percent this year, down from a previous forecast of 1.4 percent, he said.",
        "Opposition parties accused the government of hiding the true state of public finances before European elections in June.",
    ]),
    ("PTI", "New Delhi, Jan 12", "India's retail inflation eases to 5.69 pc in December", [
        "India's retail inflation eased to 5.69 per cent in December from 5.55 per cent in the previous month, government data showed on Friday.",
        "Food inflation, which accounts for nearly half of the consumer price basket, rose to 9.53 per cent from 8.70 per cent in November, the National Statistical Office said.",
        "The Reserve Bank of India has kept its key repo rate unchanged at 6.5 per cent since February and aims to bring inflation down to 4 per cent.",
        "Economists said vegetable prices were likely to soften in January as winter arrivals picked up.",
    ]),
    ("dpa", "Berlin", "German police arrest three over suspected bomb plot", [
        "German police have arrested three men suspected of planning a bomb attack on a Christmas market in the western city of Duisburg, prosecutors said on Thursday.",
        "The suspects, aged 19, 22 and 25, were detained in raids on six apartments in North Rhine-Westphalia early on Wednesday.",
        "Investigators seized chemicals and electronic components that could be used to build an explosive device, a spokesman for the federal prosecutor's office said.",
        "Interior Minister Nancy Faeser thanked the security services and said the threat from Islamist extremists remained high.",
    ]),
    ("EFE", "Madrid", "Spain's unemployment falls below 12 percent for first time since 2008", [
        "Spain's unemployment rate fell to 11.6 percent in the second quarter, the first time it has dropped below 12 percent since 2008, the National Statistics Institute said Friday.",
        "The number of people out of work fell by 216,300 to 2.76 million between April and June, helped by hiring in tourism ahead of the summer season.",
        "Labour Minister Yolanda Diaz said the figures showed the labour reform approved two years ago was working.",
        "Youth unemployment remained the highest in the European Union at 26.5 percent.",
    ]),
    ("Xinhua", "BEIJING, Oct. 8", "China's railways handle record passenger trips during holiday", [
        "China's railways handled a record 195 million passenger trips during the eight-day National Day and Mid-Autumn Festival holiday, the national railway operator said Sunday.",
        "The daily average of 24.4 million trips was up 45 percent from the same period in 2019, according to China State Railway Group Co., Ltd.",
        "More than 1,800 extra trains were added on busy routes, including lines linking Beijing, Shanghai and Guangzhou, the company said.",
    ]),
    ("Kyodo", "TOKYO", "Japan's cabinet approves record defense budget request", [
        "Japan's Cabinet on Friday approved a record 7.95 trillion yen defense budget for the next fiscal year, as the country accelerates a military buildup in response to China's growing assertiveness.",
        "The budget includes 734 billion yen for long-range missiles capable of striking enemy bases and 45 billion yen for the development of a next-generation fighter jet with Britain and Italy.",
        "Prime Minister Fumio Kishida has pledged to raise defense spending to 2 percent of gross domestic product by fiscal 2027.",
        "The spending plan must still be approved by parliament early next year.",
    ]),
    ("Anadolu", "ANKARA", "Turkey's annual inflation slows to 61.8% in November", [
        "Turkey's annual consumer inflation slowed to 61.8% in November from 61.4% in October, the Turkish Statistical Institute said on Monday.",
        "Monthly consumer prices rose 3.28% in November, while the domestic producer price index climbed 2.81% on a monthly basis.",
        "The central bank raised its policy rate by 500 basis points to 40% last month and signalled that tightening would continue.",
    ]),
    ("Reuters", "LONDON", "Oil falls more than 2% as U.S. crude stocks rise", [
        "Oil prices fell more than 2% on Tuesday after industry data showed a bigger-than-expected build in U.S. crude inventories, adding to concerns about demand.",
        "Brent crude futures settled down $1.87, or 2.2%, at $82.06 a barrel, while West Texas Intermediate crude fell $1.95, or 2.4%, to $78.42.",
        "Crude stocks rose by 5.5 million barrels in the week ended Oct. 20, according to market sources citing American Petroleum Institute figures.",
        "Analysts polled by Reuters had expected a draw of about 200,000 barrels.",
    ]),
    ("AP", "WASHINGTON", "Senate passes stopgap bill to avert government shutdown", [
        "The Senate passed a stopgap spending bill late Thursday that would keep the federal government funded into March, sending the measure to President Joe Biden hours before a shutdown deadline.",
        "The vote was 77-18, with a majority of Republicans joining Democrats in support of the temporary measure.",
        "The House approved the bill earlier in the day by a vote of 314-108 after Speaker Mike Johnson relied on Democratic votes to overcome opposition from hardliners in his party.",
        "Lawmakers now have until March 1 and March 8 to pass the 12 annual spending bills.",
    ]),
    ("AFP", "Kabul", "Earthquake kills more than 1,000 in western Afghanistan", [
        "A powerful earthquake and strong aftershocks killed more than 1,000 people in western Afghanistan, Taliban authorities said Sunday, making it one of the deadliest quakes to hit the country in two decades.",
        "The 6.3-magnitude quake struck about 40 kilometres northwest of the city of Herat on Saturday, according to the United States Geological Survey.",
        "Rescuers dug through the rubble of flattened villages with their bare hands, while hospitals in Herat struggled to cope with hundreds of injured.",
        "The United Nations said it was sending ambulances and medical teams to the area.",
    ]),
    ("PTI", "Bengaluru, Aug 23", "Chandrayaan-3 lands on Moon, India first to reach south pole region", [
        "India's Chandrayaan-3 lander touched down near the Moon's south pole on Wednesday evening, making the country the first to reach the unexplored region.",
        "The lander, carrying a rover, landed at 6.04 pm, the Indian Space Research Organisation said, prompting celebrations at its control centre in Bengaluru.",
        "Prime Minister Narendra Modi, who watched the landing virtually from Johannesburg, said the success belonged to all of humanity.",
        "The mission cost about Rs 615 crore and was launched on July 14 from Sriharikota.",
    ]),
    ("IANS", "New Delhi, Nov 3", "Delhi air quality turns severe, primary schools shut for two days", [
        "Air quality in the national capital turned severe on Friday with the overall AQI touching 468, prompting the Delhi government to shut all primary schools for two days.",
        "Chief Minister Arvind Kejriwal said government and private primary schools would remain closed on Friday and Saturday.",
        "The Commission for Air Quality Management invoked stage III of the Graded Response Action Plan, banning non-essential construction and some diesel vehicles.",
        "Stubble burning accounted for 25 per cent of the city's PM2.5 pollution on Thursday, according to the SAFAR forecasting system.",
    ]),
    ("dpa", "Vienna", "Austria's far-right Freedom Party wins election", [
        "Austria's far-right Freedom Party won a national election for the first time on Sunday, taking 28.8 percent of the vote according to preliminary official results.",
        "The conservative People's Party of Chancellor Karl Nehammer came second with 26.3 percent, while the Social Democrats took 21.1 percent.",
        "Freedom Party leader Herbert Kickl said voters had chosen change, but other parties have ruled out forming a coalition with him.",
    ]),
    ("EFE", "Buenos Aires", "Argentina's monthly inflation slows to 4.2% in May", [
        "Argentina's monthly inflation slowed to 4.2% in May, the lowest rate in more than two years, the INDEC statistics agency said Wednesday.",
        "Year-on-year inflation stood at 276.4%, down from 289.4% in April, according to the official figures.",
        "President Javier Milei hailed the data as proof that his austerity programme was working, while unions warned that wages continued to lose purchasing power.",
    ]),
    ("Xinhua", "NAIROBI, May 20", "Kenya launches campaign to plant 15 billion trees", [
        "Kenya on Saturday launched a nationwide campaign to plant 15 billion trees by 2032 in a bid to restore degraded land and fight climate change.",
        "President William Ruto said each Kenyan would be encouraged to plant at least 300 trees over the next decade.",
        "Forest cover in the East African country currently stands at 8.8 percent of its land area, according to the Ministry of Environment.",
    ]),
    ("Kyodo", "OSAKA", "Osaka expo site hit by methane gas explosion during construction", [
        "A methane gas explosion damaged a toilet building at the construction site of the 2025 World Expo in Osaka on Thursday, the organizing association said.",
        "No one was injured in the blast, which broke the floor and ceiling of the facility in an area built on reclaimed land.",
        "The association said gas concentration checks would be strengthened at the site, where construction of some national pavilions has been delayed.",
    ]),
    ("Anadolu", "ISTANBUL", "Turkish drone maker Baykar signs deal to buy Italy's Piaggio Aerospace", [
        "Turkish drone maker Baykar has signed an agreement to acquire Italian aircraft manufacturer Piaggio Aerospace, the company said on Friday.",
        "Baykar said the deal covered all of Piaggio's assets, including its plant in Villanova d'Albenga and its engine maintenance operations, and that all 1,000 employees would be kept.",
        "The Italian government must still approve the acquisition under its foreign investment screening rules.",
    ]),
    ("Reuters", "FRANKFURT", "ECB raises rates to record high, signals possible peak", [
        "The European Central Bank raised its key interest rate to a record high of 4% on Thursday, its tenth consecutive increase, but signalled that this was likely to be its last move.",
        "The ECB also cut its growth forecasts, projecting the euro zone economy would expand by 0.7% this year and 1.0% in 2024.",
        "ECB President Christine Lagarde said rates at the current level, if held for long enough, would make a substantial contribution to bringing inflation back to 2%.",
        "The euro fell 0.8% against the dollar after the decision.",
    ]),
    ("AP", "TOKYO", "Shohei Ohtani signs record $700 million deal with Dodgers", [
        "Shohei Ohtani agreed to a record $700 million, 10-year contract with the Los Angeles Dodgers, the largest deal in baseball history.",
        "The two-way Japanese star announced the decision on Instagram, saying he wanted to thank the Los Angeles Angels and their fans for the past six seasons.",
        "Ohtani, who had elbow surgery in September, will not pitch next season but is expected to hit as a designated hitter.",
    ]),
    ("AFP", "Dakar", "Senegal's Faye sworn in as Africa's youngest elected president", [
        "Bassirou Diomaye Faye was sworn in as Senegal's president on Tuesday, becoming at 44 the youngest elected head of state in Africa.",
        "Faye, who was released from prison just 10 days before the March 24 election, won 54.3 percent of the vote in the first round.",
        "He has promised to fight corruption and renegotiate oil and gas contracts, pledging a break with the political establishment.",
    ]),
    ("PTI", "Mumbai, Feb 8", "RBI keeps repo rate unchanged at 6.5 pc for sixth time", [
        "The Reserve Bank of India on Thursday kept the benchmark repo rate unchanged at 6.5 per cent for the sixth consecutive time, citing uncertainty over food prices.",
        "The Monetary Policy Committee voted 5-1 to keep the rate on hold, Governor Shaktikanta Das said in his policy statement.",
        "The central bank retained its GDP growth forecast for the current fiscal at 7.3 per cent and projected inflation at 5.4 per cent.",
        "It projected growth of 7 per cent for the next fiscal year.",
    ]),
    ("IANS", "Chennai, Dec 5", "Cyclone Michaung: Chennai records 40 cm rain, 12 dead", [
        "At least 12 people have died in rain-related incidents in Chennai as Cyclone Michaung brought more than 40 cm of rain to the city in 36 hours, officials said on Tuesday.",
        "The Chennai airport was closed for flights for over 24 hours after the runway was flooded, and suburban train services were suspended.",
        "Chief Minister M.K. Stalin said more than 11,000 people had been moved to relief camps and that the Army had been called in to help.",
        "The cyclone made landfall near Bapatla in Andhra Pradesh on Tuesday afternoon with wind speeds of up to 110 kmph.",
    ]),
    ("dpa", "Munich", "Bayern Munich sack coach Thomas Tuchel at end of season", [
        "Bayern Munich and coach Thomas Tuchel will part ways at the end of the season, a year earlier than planned, the German champions announced on Wednesday.",
        "The decision follows three consecutive defeats, including a 3-2 loss at Bochum on Sunday that left Bayern eight points behind leaders Bayer Leverkusen.",
        "Tuchel took over from Julian Nagelsmann in March 2023 and led the club to the Bundesliga title on the final day of last season.",
    ]),
    ("EFE", "Lima", "Peru's Congress removes President Castillo after self-coup attempt", [
        "Peru's Congress on Wednesday voted to remove President Pedro Castillo from office hours after he announced he would dissolve the legislature and rule by decree.",
        "The motion was approved by 101 votes in favour, six against and 10 abstentions in the 130-member chamber.",
        "Vice President Dina Boluarte was sworn in as the country's first woman president later in the day.",
        "Castillo was detained by police in Lima while apparently heading to the Mexican embassy, according to local media.",
    ]),
    ("Xinhua", "SHANGHAI", "China's first domestically built large cruise ship makes maiden voyage", [
        "China's first domestically built large cruise ship, the Adora Magic City, set off on its maiden commercial voyage from Shanghai on Monday.",
        "The 135,500-tonne vessel, which is 323.6 metres long, can carry up to 5,246 passengers and has 2,125 guest rooms.",
        "The ship will sail to South Korea and Japan on a six-day trip, according to its operator Adora Cruises.",
    ]),
    ("Kyodo", "SEOUL", "South Korea's Yoon declares martial law, then lifts it hours later", [
        "South Korean President Yoon Suk Yeol declared emergency martial law on Tuesday night, accusing the opposition of anti-state activities, but lifted it about six hours later after parliament voted it down.",
        "All 190 lawmakers present in the 300-seat National Assembly voted to demand that the decree be lifted.",
        "Troops who had entered the parliament building withdrew after the vote, and protesters gathered outside calling for Yoon's resignation.",
    ]),
    ("Anadolu", "GAZA CITY", "Israeli strike on Gaza school sheltering displaced kills 30", [
        "At least 30 Palestinians were killed in an Israeli airstrike on a school sheltering displaced families in central Gaza, the Gaza civil defence agency said on Thursday.",
        "The school in Deir al-Balah was run by the UN agency for Palestinian refugees and housed about 6,000 people, the agency said.",
        "The Israeli military said it had targeted Hamas fighters operating from inside the compound.",
    ]),
    ("Reuters", "SINGAPORE", "Singapore Airlines posts record annual profit as travel rebounds", [
        "Singapore Airlines reported a record annual net profit of S$2.67 billion on Wednesday as strong travel demand boosted passenger numbers.",
        "The carrier's profit for the year ended March 31 was up 24% from a year earlier, while revenue rose 6% to S$19 billion.",
        "The airline said it would pay a final dividend of 38 Singapore cents per share and warned that competition was increasing as foreign carriers restored capacity.",
    ]),
    ("AP", "MEXICO CITY", "Hurricane Otis slams Acapulco as Category 5 storm", [
        "Hurricane Otis slammed into Mexico's Pacific resort of Acapulco early Wednesday as a Category 5 storm, tearing roofs off hotels and cutting communications.",
        "The storm made landfall with maximum sustained winds of 165 mph, according to the U.S. National Hurricane Center, after intensifying by 115 mph in 24 hours.",
        "President Andres Manuel Lopez Obrador said he was travelling to the area by road because landslides had blocked the highway.",
    ]),
    ("AFP", "Brussels", "EU agrees landmark rules on artificial intelligence", [
        "The European Union agreed on Friday the world's first comprehensive rules on artificial intelligence after marathon talks between member states and lawmakers.",
        "The AI Act will impose transparency obligations on general-purpose systems and ban some uses such as social scoring and untargeted scraping of facial images.",
        "Companies that break the rules face fines of up to 35 million euros or seven percent of global turnover.",
        "The law is expected to take effect in 2026 after formal approval by parliament and the member states.",
    ]),
    ("PTI", "Ahmedabad, Nov 19", "Australia beat India by six wickets to win sixth World Cup", [
        "Australia won the ICC Cricket World Cup for a record sixth time, beating India by six wickets in the final at the Narendra Modi Stadium on Sunday.",
        "Travis Head scored 137 off 120 balls as Australia chased down the target of 241 with 42 balls to spare.",
        "Earlier, India were bowled out for 240 with K L Rahul top-scoring with 66 and Virat Kohli making 54.",
        "Mitchell Starc took three wickets for 55 runs for Australia.",
    ]),
    ("IANS", "Kolkata, Jan 18", "Fire at Kolkata market guts over 200 shops", [
        "A major fire broke out at a market in north Kolkata on Thursday morning, gutting more than 200 shops, fire officials said.",
        "Twenty fire tenders were pressed into service and it took over five hours to bring the blaze under control, a fire department official said.",
        "No casualties were reported, but traders said goods worth crores of rupees were destroyed.",
    ]),
    ("dpa", "Athens", "Greek wildfire forces evacuation of villages near Athens", [
        "A wildfire fanned by strong winds forced the evacuation of several villages north-east of Athens on Sunday, the Greek fire service said.",
        "More than 400 firefighters, 150 fire engines and 30 aircraft were battling the blaze, which had spread along a 25-kilometre front.",
        "Civil protection authorities sent text messages urging residents of Varnavas and nearby areas to leave for the coast.",
    ]),
    ("EFE", "Caracas", "Venezuela's electoral council declares Maduro winner of disputed vote", [
        "Venezuela's National Electoral Council declared President Nicolas Maduro the winner of Sunday's presidential election with 51.2 percent of the vote.",
        "Opposition candidate Edmundo Gonzalez received 44.2 percent with 80 percent of ballots counted, the council said early on Monday.",
        "The opposition rejected the result, saying its own tally of polling station records showed Gonzalez had won by a wide margin.",
    ]),
    ("Xinhua", "HANOI, Sept. 8", "Typhoon Yagi leaves dozens dead in northern Vietnam", [
        "Typhoon Yagi, the strongest storm to hit Vietnam in decades, has left at least 59 people dead and 247 injured in northern provinces, authorities said on Sunday.",
        "The storm made landfall on Saturday afternoon with winds of up to 149 km per hour, uprooting trees and cutting power to millions of people.",
        "Flights at four airports including Hanoi's Noi Bai were suspended, and schools in 12 provinces were closed.",
    ]),
    ("Kyodo", "TOKYO", "Japan's Nikkei closes above 40,000 for first time", [
        "Japan's benchmark Nikkei stock average closed above 40,000 for the first time on Monday, extending its record run on strong corporate earnings and foreign buying.",
        "The 225-issue index ended up 198.41 points, or 0.50 percent, at 40,109.23, while the broader Topix index rose 20.53 points to 2,729.99.",
        "Chip-related shares led the gains after U.S. semiconductor stocks rallied on Friday.",
    ]),
    ("Anadolu", "BAKU", "COP29 agrees $300 billion climate finance goal", [
        "Countries at the COP29 climate summit in Baku agreed early on Sunday to a new goal of mobilising $300 billion a year by 2035 to help developing nations cope with climate change.",
        "The deal, reached after two extra days of talks, replaces an earlier target of $100 billion a year set in 2009.",
        "Several developing countries criticised the figure as far too low, with India's delegate calling it a paltry sum.",
    ]),
    ("Reuters", "SAO PAULO", "Brazil's central bank cuts Selic rate by 50 basis points", [
        "Brazil's central bank cut its benchmark Selic interest rate by 50 basis points to 11.75% on Wednesday, its fourth consecutive reduction of that size.",
        "The bank's rate-setting committee, known as Copom, voted unanimously and said it expected further cuts of the same magnitude at its next meetings.",
        "Annual inflation in Brazil slowed to 4.68% in November, within the central bank's tolerance range.",
    ]),
    ("AP", "LONDON", "UK inflation falls to 3.9%, lowest in two years", [
        "Britain's inflation rate fell to 3.9% in November, its lowest level in more than two years, official figures showed Wednesday.",
        "The Office for National Statistics said falling fuel prices made the largest downward contribution, while food inflation eased to 9.2%.",
        "The Bank of England, which kept its key rate at 5.25% last week, has said rates will need to stay high for an extended period.",
    ]),
]

# Index pairs: (story index, second story on the same event by another agency).
# Written independently; they share names, places and some facts but not sentences.
SAME_EVENT: list[tuple[int, tuple[str, str, str, list[str]]]] = [
    (2, ("Xinhua", "NAIROBI, Nov. 10", "Kenya appeals for aid as floods displace thousands", [
        "The Kenyan government on Friday appealed for humanitarian assistance as floods continued to ravage the eastern part of the country.",
        "Interior Cabinet Secretary Kithure Kindiki said the government had released funds to buy food and tents for displaced families in Garissa.",
        "He urged residents living along the Tana River to move to higher ground as water levels kept rising.",
    ])),
    (12, ("Anadolu", "HERAT", "Turkish rescue teams arrive in quake-hit Herat", [
        "A team of Turkish search and rescue workers arrived in the western Afghan province of Herat on Monday to help survivors of the weekend earthquake.",
        "The team of 35 people from Turkey's disaster agency AFAD brought tents, blankets and medical supplies, the agency said.",
        "Villagers in Zinda Jan district told Anadolu they had been sleeping in the open since their homes collapsed.",
    ])),
    (20, ("AFP", "Frankfurt", "Lagarde says ECB not discussing rate cuts", [
        "European Central Bank chief Christine Lagarde said Thursday that policymakers had not discussed cutting interest rates at all, pushing back against market bets.",
        "Speaking at a news conference, she said it was premature to declare victory over inflation even as price growth in the eurozone slows.",
        "Markets had priced in a first cut as early as April next year.",
    ])),
    (33, ("AFP", "Ahmedabad", "Head hundred breaks Indian hearts in World Cup final", [
        "Travis Head produced the innings of his life to silence a crowd of more than 90,000 and hand India a crushing defeat in the World Cup final.",
        "Coming in with his side wobbling early in the chase, the left-hander attacked the Indian spinners and put on a match-winning partnership with Marnus Labuschagne.",
        "India captain Rohit Sharma said his team had not batted well enough and that the dew had made bowling difficult under lights.",
    ])),
    (28, ("AP", "SEOUL", "South Korean opposition moves to impeach Yoon over martial law", [
        "South Korea's main opposition Democratic Party said Wednesday it would submit a motion to impeach President Yoon Suk Yeol after his brief imposition of martial law.",
        "Party leader Lee Jae-myung called the decree an illegal act of rebellion and said the president must step down.",
        "Several senior aides to Yoon offered to resign as the political crisis deepened.",
    ])),
    (31, ("Reuters", "ACAPULCO, Mexico", "Acapulco residents loot stores after hurricane", [
        "Residents of Acapulco carried food, water and appliances out of damaged supermarkets on Thursday as the resort city struggled to recover from Hurricane Otis.",
        "Soldiers stood by as people waded through flooded streets, and many said they had received no government help.",
        "Officials said power had been restored to only a small part of the city.",
    ])),
]

# Long quote shared verbatim by two otherwise different stories (hard negatives).
SHARED_QUOTE = (
    "\"We will not accept any solution that is imposed on us from outside, and we will continue to defend the "
    "rights of our people by every peaceful and legal means available to us, whatever the cost,\" the minister said."
)
QUOTE_STORIES: list[tuple[str, str, str, list[str]]] = [
    ("AFP", "Ramallah", "Palestinian foreign minister rejects US plan", [
        "The Palestinian foreign minister on Monday rejected a new US proposal for the West Bank, saying it ignored international law.",
        SHARED_QUOTE,
        "The proposal was presented to regional leaders last week by a senior White House envoy.",
    ]),
    ("Anadolu", "Ramallah", "Palestinian minister addresses students at Birzeit University", [
        "Addressing students at Birzeit University on Tuesday, the Palestinian foreign minister repeated his opposition to the US plan.",
        SHARED_QUOTE,
        "He also announced 500 new scholarships for students from Gaza and urged universities abroad to admit them.",
    ]),
    ("EFE", "Ramallah", "Palestinian minister meets Spanish counterpart", [
        "Spain's foreign minister held talks with his Palestinian counterpart in Ramallah on Wednesday on humanitarian aid and recognition of a Palestinian state.",
        SHARED_QUOTE,
        "Madrid announced an additional 20 million euros for the UN agency for Palestinian refugees.",
    ]),
]
