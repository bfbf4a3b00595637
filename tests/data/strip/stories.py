"""Hand-written wire stories used by generate.py (original text; events are illustrative).

Each story: agency convention key, dateline place, and paragraphs without the dateline.
"""

# ruff: noqa: E501  (wire copy is long literal lines)

STORIES: list[tuple[str, str, list[str]]] = [
    ("ians", "New Delhi", [
        "The Reserve Bank of India on Tuesday kept its key lending rate unchanged at 6.5 per cent, saying inflation risks from food prices had not yet eased enough to allow a cut.",
        "Governor Shaktikanta Das told reporters that the monetary policy committee had voted five to one to hold the repo rate, with one member favouring a reduction of 25 basis points.",
        "The central bank raised its growth forecast for the current fiscal year to 7.2 per cent, citing stronger rural demand and a recovery in private investment.",
        "\"We remain watchful,\" Das said.",
    ]),
    ("ians_efe", "Madrid", [
        "Spain's Prime Minister said on Monday that his government would present a new housing bill to parliament before the end of the month, aimed at capping rent increases in high-demand areas.",
        "The bill would allow regional governments to declare stressed housing zones where annual rent rises could not exceed the consumer price index, according to a draft seen by reporters.",
        "Opposition parties criticised the proposal, arguing that rent controls had reduced the supply of rental homes in other European cities.",
        "Tenant associations welcomed the plan but said it did not go far enough to protect families facing eviction.",
    ]),
    ("reuters", "LONDON", [
        "British inflation fell more than expected in August to its lowest level in two years, official data showed on Wednesday, strengthening bets that the Bank of England will cut interest rates before the end of the year.",
        "Consumer prices rose 2.2 percent in the 12 months to August, down from 2.9 percent in July, the Office for National Statistics said. Economists polled by Reuters had expected a reading of 2.5 percent.",
        "Sterling fell by around half a cent against the dollar immediately after the data was released, while British government bond yields dropped sharply.",
        "Services inflation, which the central bank watches closely as a measure of domestic price pressures, eased to 4.8 percent from 5.3 percent.",
    ]),
    ("ap", "WASHINGTON", [
        "The Senate on Thursday approved a bipartisan bill to expand health care for veterans exposed to toxic burn pits, sending the measure to the president, who has said he will sign it.",
        "The legislation passed 86-11 after weeks of delay, as veterans and their families camped outside the Capitol to press lawmakers to act.",
        "Supporters say as many as 3.5 million veterans may have been exposed to toxic smoke from open-air pits used to burn waste at military bases in Iraq and Afghanistan.",
        "\"This is long overdue,\" said one veteran who had kept a vigil on the Capitol steps.",
    ]),
    ("afp", "PARIS", [
        "French farmers blocked several motorways around Paris on Monday with tractors and bales of hay, stepping up protests over falling incomes, rising costs and what they call excessive environmental regulation.",
        "Police said around 1,200 tractors had converged on the capital by midday, and the interior ministry deployed armoured vehicles to protect the Rungis wholesale food market south of the city.",
        "The government has promised emergency aid and a pause on a plan to cut pesticide use, but farm unions said the concessions fell short of their demands.",
        "Similar protests have erupted in Germany, Belgium and Poland in recent weeks.",
    ]),
    ("dpa", "Berlin", [
        "Germany's cabinet on Wednesday approved a draft budget for next year that keeps new borrowing within the limits of the constitutional debt brake despite higher spending on defence.",
        "Finance Minister Christian Lindner said the budget provided for total spending of 481 billion euros, with the military receiving an additional 1.2 billion euros compared with this year.",
        "The Greens and the Social Democrats in the governing coalition had pushed for exemptions from the debt brake to fund investment in railways and climate protection.",
        "The draft now goes to the Bundestag, which is expected to vote on it in December.",
    ]),
    ("pti", "Mumbai", [
        "The Sensex rose 612 points on Friday to close at a record high, led by gains in banking and information technology shares after strong quarterly earnings from two of the country's largest lenders.",
        "The broader Nifty index gained 1.1 per cent, with 38 of its 50 constituents ending in the green, according to provisional exchange data.",
        "Foreign institutional investors bought shares worth Rs 2,340 crore on Thursday, reversing a week of net selling, data from the stock exchanges showed.",
        "The rupee settled 9 paise higher at 83.12 against the US dollar.",
    ]),
    ("ani", "Srinagar", [
        "Security forces on Sunday killed two militants in an encounter in the Kulgam district of south Kashmir, police said.",
        "The operation was launched early in the morning after specific intelligence about the presence of militants in an orchard near the village, a police spokesperson said in a statement.",
        "Arms and ammunition, including two rifles and several magazines, were recovered from the site of the encounter, the statement added.",
        "Mobile internet services were suspended in the area as a precaution.",
    ]),
    ("xinhua", "BEIJING", [
        "China's industrial output grew 5.4 percent year on year in August, slightly faster than in July, the National Bureau of Statistics said on Friday.",
        "Retail sales, a key gauge of consumer spending, rose 3.1 percent, while fixed-asset investment increased 3.4 percent in the first eight months of the year.",
        "A spokesperson for the bureau said the economy continued to recover steadily, but noted that external uncertainties remained and domestic demand was still insufficient.",
        "The surveyed urban unemployment rate stood at 5.2 percent in August.",
    ]),
    ("anadolu", "ANKARA", [
        "Turkey's central bank raised its policy rate by 250 basis points to 30 percent on Thursday, extending a tightening cycle aimed at bringing down annual inflation from above 60 percent.",
        "The bank said in a statement that monetary tightening would be strengthened as much as needed in a timely and gradual manner until a significant improvement in the inflation outlook was achieved.",
        "The decision was in line with the expectations of most economists surveyed before the meeting.",
        "The Turkish lira was little changed after the announcement.",
    ]),
    ("kyodo", "TOKYO", [
        "Japan's core consumer prices rose 2.8 percent in August from a year earlier, the government said Friday, staying above the Bank of Japan's 2 percent target for the 17th straight month.",
        "Energy prices climbed as government subsidies for electricity and gas bills were scaled back, while the increase in food prices excluding fresh items slowed.",
        "The data comes as the central bank weighs the timing of a further interest rate increase after ending its negative interest rate policy earlier this year.",
        "Economists expect inflation to moderate gradually in the coming months.",
    ]),
    ("uni", "Kolkata", [
        "Heavy rain lashed Kolkata and several districts of south Bengal on Wednesday, waterlogging low-lying areas and disrupting suburban train services during the morning rush hour.",
        "The regional meteorological centre said a low-pressure area over the Bay of Bengal was likely to intensify into a depression over the next 24 hours.",
        "Fishermen have been advised not to venture into the sea until Saturday, officials said.",
        "Schools in parts of the city remained closed.",
    ]),
    ("wam", "ABU DHABI", [
        "The UAE and India on Tuesday signed agreements to expand cooperation in energy, infrastructure and digital payments during a visit by the Indian prime minister to Abu Dhabi.",
        "The agreements include a framework for an India-Middle East-Europe economic corridor and a memorandum of understanding on linking the two countries' instant payment platforms.",
        "Bilateral trade between the two countries exceeded 85 billion dollars last year, according to official figures.",
        "Both sides agreed to hold the next round of the joint commission in New Delhi early next year.",
    ]),
    ("efe", "Bogota", [
        "Colombia's government and the country's largest remaining guerrilla group on Thursday agreed to extend a bilateral ceasefire by six months, negotiators said at the end of a round of talks in Caracas.",
        "The agreement also sets up a mechanism to monitor compliance involving the United Nations and the Catholic Church, according to a joint statement read by the delegations.",
        "Previous attempts to negotiate with the group collapsed after attacks on security forces.",
        "The next round of talks is scheduled to begin in October in Mexico.",
    ]),
    ("reuters", "SINGAPORE", [
        "Oil prices rose on Monday after Saudi Arabia and Russia said they would extend voluntary supply cuts until the end of the year, tightening markets already strained by low inventories.",
        "Brent crude futures were up 68 cents, or 0.8 percent, at $89.11 a barrel by 0330 GMT, while U.S. West Texas Intermediate crude rose 71 cents to $86.26.",
        "Both benchmarks have gained more than 20 percent since late June, when the cuts were first announced.",
        "Analysts said the rally could stall if Chinese demand disappoints.",
    ]),
    ("ap", "KYIV, Ukraine", [
        "Russian drones and missiles struck energy facilities in several Ukrainian regions overnight, knocking out power to hundreds of thousands of homes, officials said Saturday.",
        "Ukraine's air force said it shot down 38 of the 45 drones and 10 of the 12 missiles launched in the attack, which targeted the Kharkiv, Dnipropetrovsk and Lviv regions.",
        "Repair crews restored electricity to most customers by the afternoon, the national grid operator said, but scheduled outages would continue in some areas.",
        "\"They want us to freeze,\" a resident of Kharkiv said as she queued for water.",
    ]),
    ("afp", "NAIROBI", [
        "Kenya's President William Ruto on Friday withdrew a contested finance bill that had sparked deadly protests, saying he had listened to the people after days of unrest.",
        "At least 23 people were killed when police opened fire on demonstrators who stormed parliament on Tuesday, according to a national rights body.",
        "The bill included tax increases on bread, vehicles and mobile money transfers that critics said would hurt poor Kenyans.",
        "Protest leaders said they would continue to march until their other demands were met.",
    ]),
    ("ians", "Bengaluru", [
        "Indian startups raised 2.1 billion dollars in funding in the third quarter, a decline of 12 per cent from the previous quarter, according to a report released on Thursday.",
        "Fintech and software-as-a-service companies accounted for more than half of the capital raised, while late-stage deals continued to slow amid cautious investor sentiment.",
        "Bengaluru remained the top destination for investment, followed by Mumbai and the National Capital Region.",
        "The report said the number of new unicorns this year had fallen to three.",
    ]),
    ("dpa", "Vienna", [
        "Austria's far-right Freedom Party won the most votes in Sunday's parliamentary election for the first time in the country's post-war history, according to preliminary results.",
        "The party received about 29 per cent of the vote, ahead of the conservative People's Party of Chancellor Karl Nehammer with 26 per cent, the interior ministry said.",
        "Nehammer has ruled out forming a coalition with the far-right leader, making the formation of a new government likely to take weeks.",
        "Turnout was estimated at 78 per cent.",
    ]),
    ("pti", "Chennai", [
        "The Madras High Court on Monday directed the state government to file a detailed report on measures taken to prevent the sale of spurious liquor, after more than 50 deaths in Kallakurichi district last month.",
        "A division bench said the government must explain how methanol had reached illicit brewers despite repeated warnings from the police and the excise department.",
        "The court posted the matter for further hearing after two weeks.",
        "Opposition parties have demanded an investigation by the Central Bureau of Investigation.",
    ]),
    ("xinhua", "NAIROBI", [
        "Chinese and Kenyan officials on Wednesday launched a training programme for railway technicians in Nairobi, aimed at equipping local staff to operate and maintain the standard gauge railway.",
        "The programme will train 300 technicians over two years in signalling, locomotive maintenance and track engineering, the operator said.",
        "Kenya's transport minister said the railway had carried more than 11 million passengers since it opened in 2017.",
        "The first group of trainees is expected to graduate next summer.",
    ]),
    ("anadolu", "ISTANBUL", [
        "Istanbul's main airport handled a record 7.2 million passengers in August, making it one of the busiest in Europe during the summer season, the operator said on Tuesday.",
        "International traffic accounted for about three quarters of the total, with the largest numbers of travellers arriving from Germany, Britain and Russia.",
        "The airport is building a fourth runway, due to open next year.",
        "Officials expect annual traffic to exceed 80 million passengers.",
    ]),
    ("kyodo", "SEOUL", [
        "South Korea and Japan agreed on Friday to resume a currency swap arrangement worth 10 billion dollars, restoring a financial safety net that lapsed in 2015 amid diplomatic tensions.",
        "The finance ministers of the two countries announced the deal after their first bilateral meeting in seven years, held in Seoul.",
        "The two sides also agreed to cooperate on supply chains for semiconductors and critical minerals.",
        "The agreement will take effect in December.",
    ]),
    ("ani", "New Delhi", [
        "Union Home Minister Amit Shah on Saturday chaired a high-level meeting to review the security situation in Manipur, officials said.",
        "The meeting was attended by the state's chief minister, the army chief and senior officials of the central armed police forces, according to an official statement.",
        "Shah directed the security forces to act firmly against those trying to disrupt peace and to ensure the safe movement of essential supplies along national highways.",
        "More companies of central forces will be deployed in sensitive areas.",
    ]),
    ("uni", "Bhopal", [
        "The Madhya Pradesh government on Thursday announced a compensation of Rs 4 lakh each for the families of the 11 people killed when a bus fell into a gorge in Sidhi district.",
        "Chief Minister Mohan Yadav ordered an inquiry into the accident and directed officials to provide free treatment to the injured at government hospitals.",
        "Police said the driver lost control while trying to overtake a truck on a hilly stretch.",
        "Twenty-two passengers were injured.",
    ]),
    ("wam", "DUBAI", [
        "Dubai Municipality on Monday launched a project to plant 2,000 ghaf trees along major roads in the emirate as part of efforts to increase green cover and reduce urban heat.",
        "The ghaf, the national tree of the UAE, is known for its ability to survive in harsh desert conditions with very little water, the municipality said in a statement.",
        "The project will be completed in three phases over the next 18 months.",
        "Residents will be able to volunteer for planting events through the municipality's app.",
    ]),
    ("efe", "Mexico City", [
        "Mexico's Senate on Wednesday approved a constitutional reform that will see all federal judges elected by popular vote, despite protests by judicial workers who stormed the chamber.",
        "The reform was passed by 86 votes to 41 in a session that was moved to a former Senate building after demonstrators forced their way into the main chamber.",
        "Critics, including business groups and the United States ambassador, have warned that the change could undermine judicial independence.",
        "The first judicial elections are planned for June next year.",
    ]),
    ("ians_efe", "Lima", [
        "Peru declared a state of emergency in three Amazon regions on Monday as wildfires fanned by drought and strong winds destroyed thousands of hectares of forest and farmland.",
        "At least 15 people have died and 98 have been injured in the fires since July, according to the national civil defence institute.",
        "Firefighters, soldiers and volunteers are working to contain more than 200 active fires, officials said.",
        "Rain is not expected in the affected areas before November.",
    ]),
    ("reuters", "FRANKFURT", [
        "The European Central Bank cut interest rates for the second time this year on Thursday, as inflation in the euro zone edged closer to its 2 percent target and economic growth remained weak.",
        "The ECB lowered the deposit rate, which it uses to steer monetary policy, by 25 basis points to 3.50 percent, as expected by economists in a Reuters poll.",
        "ECB President Christine Lagarde told a news conference that the bank was not pre-committing to a particular rate path and would decide meeting by meeting.",
        "The euro was slightly weaker after the decision.",
    ]),
    ("afp", "BRASILIA", [
        "Brazil's supreme court on Friday upheld a ban on the social media platform X after the company failed to appoint a legal representative in the country, as required by law.",
        "A panel of five justices voted unanimously to confirm the decision, which had been ordered by one of the court's judges earlier in the week.",
        "The platform has more than 20 million users in Brazil, according to market research estimates.",
        "The company's owner called the ruling an attack on free speech.",
    ]),
]

# Story sentences that contain words furniture rules look for. They must survive stripping.
TRAPS: list[str] = [
    "Subscribers to the service, which has 40 million users in the country, will be able to log in with their phone numbers from next month, the company said.",
    "Read more about the proposal on the ministry's website, the spokesperson told reporters, adding that a consultation would open next week.",
    "Monthly passes will cost $4.99 per month for students and $9.99 for other riders, the transit authority said in a statement on Tuesday.",
    "Copyright disputes between the two publishers have dragged on since 2009, and a ruling is expected before the end of the year, court filings show.",
    "Copyright infringement claims against the firm were dismissed by the court in March.",
    "The newspaper group said it would subscribe to the new press code and urged its rivals to do the same.",
    "Customers who sign in to the bank's app after midnight have reported errors, a spokesman confirmed.",
    "Also, officials said the new rules would apply to all operators from January.",
    "Related measures, including a tax on sugary drinks, were rejected by parliament last year.",
    "Tickets for the final, priced at ₹900 and above, sold out within an hour, organisers said.",
    "Follow-up talks are planned for October.",
    "Photographs released by the army showed damaged buildings near the border.",
    "Share prices of the company fell 4 per cent after the announcement.",
    "Updated figures released on Monday showed the death toll had risen to 41.",
    "Tags on the seized containers indicated they had been shipped from a port in the Gulf.",
    "Premium petrol prices rose by 3 per cent, the regulator said.",
    "Download speeds averaged 48 megabits per second, the telecom regulator said in its quarterly report.",
    "Click-through rates on the government's health app rose sharply after the campaign, officials said.",
    "Next week, the committee will hear evidence from the former finance minister.",
    "Log in data seized from the suspects' computers helped investigators trace the payments, police said.",
    "Watch manufacturers in Switzerland reported a 7 per cent fall in exports in August.",
    "Exclusive interviews with survivors were published by the commission on Wednesday.",
]

SHORT_QUOTES: list[str] = [
    "\"We will not back down,\" she said.",
    "\"It is over,\" he added.",
    "\"We are ready,\" the minister said.",
    "\"This is not the end,\" he told reporters.",
    "\"Enough is enough,\" one protester said.",
]
