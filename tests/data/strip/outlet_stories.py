"""Text for generate_outlets.py: stories in Spanish, French, German and Portuguese, live-blog entries,
one-line stories, more trap paragraphs. Original text written for this set; events are illustrative.

English page stories come from stories.py (STORIES, TRAPS, SHORT_QUOTES).
"""

# ruff: noqa: E501  (story text is long literal lines)

# language -> [(dateline, [paragraphs])]; the dateline is prefixed to the first paragraph.
FOREIGN: dict[str, list[tuple[str, list[str]]]] = {
    "es": [
        ("Madrid, 17 sep (EFE).-", [
            "El Gobierno aprobó este martes un plan de 1.200 millones de euros para modernizar los regadíos del sureste peninsular, una de las zonas más afectadas por la sequía de los dos últimos años.",
            "La ministra de Agricultura explicó en la rueda de prensa posterior al Consejo de Ministros que las obras comenzarán en primavera y se prolongarán hasta 2027.",
            "Las organizaciones agrarias celebraron el anuncio, aunque advirtieron de que el dinero llega tarde para muchas explotaciones que ya han abandonado el cultivo.",
            "Según los datos del ministerio, los embalses de la cuenca del Segura se encuentran al 18 % de su capacidad, frente al 34 % de media en la última década.",
            "«No podemos esperar otro verano así», dijo el presidente de una cooperativa de Murcia.",
        ]),
        ("Buenos Aires, 3 oct (EFE).-", [
            "La inflación mensual en Argentina se desaceleró en septiembre por quinto mes consecutivo y se situó en el 3,5 %, informó este jueves el instituto oficial de estadística.",
            "En los últimos doce meses los precios acumulan una subida del 209 %, la tasa interanual más baja desde comienzos de año.",
            "El ministro de Economía atribuyó la mejora a la reducción del gasto público y a la estabilidad del tipo de cambio oficial.",
            "Los sindicatos, sin embargo, convocaron una nueva marcha para la semana próxima en protesta por la caída de los salarios reales.",
        ]),
        ("Ciudad de México, 22 ago (EFE).-", [
            "Un sismo de magnitud 5,9 sacudió este jueves el sur de México sin que se reportaran daños graves ni víctimas, según el Servicio Sismológico Nacional.",
            "El epicentro se localizó a 12 kilómetros al sureste de Pinotepa Nacional, en el estado de Oaxaca, a una profundidad de 16 kilómetros.",
            "La alerta sísmica sonó en la capital del país alrededor de las 10.40 hora local y miles de personas salieron a la calle.",
            "Protección Civil pidió a la población revisar sus viviendas y reportar cualquier grieta en muros o columnas.",
        ]),
        ("Bogotá, 9 nov (EFE).-", [
            "El Congreso de Colombia aprobó en último debate la reforma que amplía la licencia de paternidad de dos a cinco semanas a partir de 2026.",
            "La ley, impulsada por una coalición de partidos de distintos signos, fue aprobada con 92 votos a favor y 11 en contra en la Cámara de Representantes.",
            "Las asociaciones empresariales pidieron un periodo de transición más largo para las pequeñas empresas.",
            "La norma pasará ahora a sanción presidencial.",
        ]),
    ],
    "fr": [
        ("Paris, 17 sept 2024 (AFP) -", [
            "Le gouvernement a présenté mardi un projet de loi visant à accélérer la construction de logements sociaux dans les communes qui ne respectent pas le quota de 25 % fixé par la loi.",
            "Le texte prévoit de transférer aux préfets le pouvoir de délivrer les permis de construire dans les villes qui n'atteignent pas leurs objectifs pendant deux périodes consécutives.",
            "Les associations d'élus locaux ont dénoncé une « mise sous tutelle » des maires, tandis que les associations de locataires jugent la mesure insuffisante.",
            "Selon le ministère, près de 2,6 millions de ménages étaient en attente d'un logement social à la fin de l'année dernière.",
            "« C'est une question de dignité », a déclaré la ministre.",
        ]),
        ("Bruxelles, 4 oct 2024 (AFP) -", [
            "Les Vingt-Sept se sont mis d'accord vendredi sur un mécanisme commun de stockage de gaz pour l'hiver, après des semaines de négociations entre les pays du Nord et ceux du Sud.",
            "L'accord fixe un objectif de remplissage des réserves de 90 % au 1er novembre, avec des dérogations pour les États disposant de peu de capacités de stockage.",
            "La Commission européenne estime que les stocks atteignent déjà 93 % en moyenne, un niveau jugé rassurant par les opérateurs.",
            "Plusieurs diplomates ont toutefois souligné que les prix restaient deux fois plus élevés qu'avant la crise.",
        ]),
        ("Dakar, 12 juin 2024 (AFP) -", [
            "Le Sénégal a commencé mercredi à exporter son premier pétrole brut extrait du champ offshore de Sangomar, a annoncé le ministère du Pétrole.",
            "Un premier cargo d'environ un million de barils a quitté la plateforme flottante en direction de l'Europe, selon un communiqué.",
            "Le gouvernement espère que la production atteindra 100 000 barils par jour d'ici la fin de l'année.",
            "Des organisations de la société civile réclament davantage de transparence sur la répartition des recettes.",
        ]),
        ("Montréal, 28 août 2024 (AFP) -", [
            "Des pluies torrentielles ont inondé des dizaines de rues de Montréal mardi soir, provoquant des coupures de courant chez plus de 80 000 abonnés d'Hydro-Québec.",
            "Les services météorologiques ont relevé plus de 100 millimètres de pluie en moins de six heures dans certains quartiers de l'île.",
            "La mairie a ouvert trois centres d'hébergement d'urgence pour les habitants dont les sous-sols ont été envahis par l'eau.",
            "Aucun blessé grave n'a été signalé.",
        ]),
    ],
    "de": [
        ("Berlin (dpa) -", [
            "Die Bundesregierung will die Förderung für den Austausch alter Heizungen im kommenden Jahr um 500 Millionen Euro aufstocken, wie aus dem Entwurf des Haushalts hervorgeht.",
            "Das Wirtschaftsministerium begründete den Schritt mit der hohen Nachfrage: Seit Jahresbeginn seien mehr als 150 000 Anträge eingegangen.",
            "Verbraucherschützer begrüßten die Pläne, forderten aber eine einfachere Antragstellung für ältere Menschen.",
            "Die Opposition kritisierte, das Geld fehle an anderer Stelle, etwa beim Ausbau der Schiene.",
            "„Wir halten Kurs“, sagte der Minister.",
        ]),
        ("Wien (APA/dpa) -", [
            "Nach tagelangen Regenfällen hat die Donau in Wien am Montag einen der höchsten Pegelstände seit zwei Jahrzehnten erreicht.",
            "Die Stadt sperrte mehrere Uferwege und die Donauinsel für Fußgänger und Radfahrer, Schiffe durften nicht mehr fahren.",
            "In Niederösterreich mussten nach Angaben der Landesregierung mehr als 1800 Häuser evakuiert werden.",
            "Meteorologen erwarten erst ab Mittwoch eine Entspannung der Lage.",
        ]),
        ("Zürich (sda/dpa) -", [
            "Die Schweizerische Nationalbank hat ihren Leitzins überraschend deutlich um einen halben Prozentpunkt auf 0,5 Prozent gesenkt.",
            "Die Notenbank begründete die Entscheidung mit der nachlassenden Inflation und dem starken Franken, der die Exportwirtschaft belaste.",
            "Ökonomen hatten mehrheitlich nur mit einer Senkung um einen Viertelpunkt gerechnet.",
            "Der Franken gab nach der Bekanntgabe gegenüber dem Euro leicht nach.",
        ]),
        ("Hamburg (dpa) -", [
            "Der Hamburger Hafen hat im ersten Halbjahr wieder mehr Container umgeschlagen als im Vorjahreszeitraum.",
            "Insgesamt wurden 3,9 Millionen Standardcontainer bewegt, ein Plus von 0,9 Prozent, wie die Hafenmarketinggesellschaft mitteilte.",
            "Vor allem der Verkehr mit Asien habe zugelegt, während die Mengen im Handel mit Nordamerika zurückgingen.",
            "Die Branche rechnet für das Gesamtjahr mit einem leichten Wachstum.",
        ]),
    ],
    "pt": [
        ("Brasília, 17 set (Agência Brasil) -", [
            "O governo federal anunciou nesta terça-feira um pacote de R$ 4,5 bilhões para combater os incêndios florestais que atingem a Amazônia e o Pantanal desde agosto.",
            "Segundo o Ministério do Meio Ambiente, os recursos serão usados na contratação de 2 mil brigadistas e na compra de aeronaves de combate ao fogo.",
            "Dados do Instituto Nacional de Pesquisas Espaciais mostram que o número de focos de calor no Pantanal é o maior para o período desde 1998.",
            "Governadores da região pediram que parte do dinheiro seja repassada diretamente aos estados.",
            "“Não vamos desistir”, afirmou a ministra.",
        ]),
        ("Lisboa, 3 out (Lusa) -", [
            "O Parlamento português aprovou na generalidade a proposta de Orçamento do Estado para o próximo ano, com os votos a favor do partido do Governo e a abstenção do maior partido da oposição.",
            "O documento prevê um excedente orçamental de 0,3 % do produto interno bruto e uma redução do imposto sobre o rendimento para os jovens até aos 35 anos.",
            "Os partidos de esquerda votaram contra, alegando que o orçamento não responde à crise da habitação.",
            "A votação final global está marcada para o fim de novembro.",
        ]),
        ("São Paulo, 21 mai (Reuters) -", [
            "O Banco Central do Brasil manteve a taxa básica de juros em 10,5 % ao ano, interrompendo um ciclo de cortes que durava desde agosto do ano passado.",
            "Em comunicado, o comitê de política monetária citou a incerteza sobre a trajetória das contas públicas e a alta recente do dólar.",
            "A decisão foi unânime, ao contrário da reunião anterior, quando os diretores se dividiram sobre o tamanho do corte.",
            "Analistas esperam que os juros permaneçam nesse nível até o fim do ano.",
        ]),
        ("Maputo, 9 jul (Lusa) -", [
            "As autoridades moçambicanas anunciaram a reabertura da principal estrada entre Maputo e a fronteira com a África do Sul, encerrada há três dias devido a protestos.",
            "Os manifestantes contestavam o aumento das tarifas de portagem, que o Governo aceitou suspender até ao fim do ano.",
            "Centenas de camiões de mercadorias ficaram retidos dos dois lados da fronteira durante o bloqueio.",
            "A polícia disse que não houve feridos.",
        ]),
    ],
}

# Story paragraphs that read like furniture, per language. They must survive.
FOREIGN_TRAPS: dict[str, list[str]] = {
    "es": [
        "Los suscriptores del servicio de agua potable recibirán una bonificación en la factura de octubre, anunció el ayuntamiento.",
        "La empresa pidió a sus clientes que no compartan sus contraseñas en redes sociales ni por correo electrónico.",
        "Más información sobre las ayudas estará disponible en las oficinas municipales a partir del lunes, según el consistorio.",
    ],
    "fr": [
        "Les abonnés de la ligne TER Lyon-Grenoble pourront se faire rembourser leur abonnement de septembre, a annoncé la région.",
        "Lire aussi les conclusions du rapport, a insisté le député, qui réclame une commission d'enquête.",
        "Partager les données de santé entre hôpitaux reste interdit sans l'accord explicite du patient, rappelle la CNIL.",
    ],
    "de": [
        "Abonnenten des Deutschlandtickets müssen ab Januar 58 Euro im Monat zahlen, teilte das Verkehrsministerium mit.",
        "Mehr zum Thema Heizungsförderung wollen die Fraktionen in der nächsten Sitzungswoche beraten.",
        "Cookies und andere Backwaren aus dem betroffenen Werk wurden vorsorglich aus den Regalen genommen.",
    ],
    "pt": [
        "Assinantes do serviço de TV a cabo terão direito a reembolso proporcional, decidiu a agência reguladora.",
        "Leia também o parecer técnico, recomendou o relator aos colegas antes da votação.",
        "O newsletter do sindicato, enviado a 300 mil associados, convocou uma greve para a próxima semana.",
    ],
}

# English trap paragraphs beyond stories.TRAPS: cookies, newsletters, sharing, subscriptions.
MORE_TRAPS: list[str] = [
    "The bakery's cookies, sold in more than 40 countries, were recalled after inspectors found traces of undeclared peanuts.",
    "The party's newsletter, sent to two million members on Sunday, urged them to turn out for the runoff.",
    "Share of renewables in the power mix rose to 41 per cent in the first half, the grid operator said.",
    "Subscribe-and-save schemes run by online retailers will face new disclosure rules, the regulator said.",
    "Sign-up for the vaccination drive opens on Monday at all district hospitals, the health department said.",
    "Cookie consent banners must offer a reject button as prominent as the accept button, the data protection authority ruled.",
    "Follow the money, the prosecutor told the jury, and the scheme becomes clear.",
    "Advertisement spending by the ruling party tripled in the final week of the campaign, filings show.",
]

# Live-update pages: (title, [(time, entry heading or "", [paragraphs])]).
LIVE: list[tuple[str, list[tuple[str, str, list[str]]]]] = [
    ("Storm Helga makes landfall: live updates", [
        ("18:05", "Evacuation centres near capacity", [
            "Officials in the coastal district said the three evacuation centres opened on Monday were close to capacity, with about 4,200 people registered by early evening.",
            "A fourth centre will open at the municipal sports hall, the district council said.",
        ]),
        ("17:40", "", [
            "Wind gusts of 148 km/h were recorded at the harbour station shortly after 5pm, the strongest reading so far, the weather service said.",
        ]),
        ("17:12", "Rail services suspended", [
            "The national rail operator has suspended all services on the coastal line until at least Wednesday morning.",
            "\"Safety comes first,\" a spokeswoman said.",
        ]),
        ("16:50", "", [
            "Power has been cut to around 61,000 homes, the grid operator said, adding that repair crews would not go out until the wind drops below 90 km/h.",
        ]),
        ("16:21", "Landfall confirmed", [
            "The weather service confirmed that the centre of the storm crossed the coast near the fishing town of Vessby at 4.10pm local time.",
            "It had weakened slightly over the last hours of its approach but remains a dangerous storm, forecasters said.",
        ]),
        ("15:58", "", [
            "Schools in four districts will stay closed on Tuesday, the education ministry said.",
        ]),
    ]),
    ("Election night: results as they come in", [
        ("23:48", "Turnout highest since 1998", [
            "Turnout reached 71.4 per cent, the electoral commission said, the highest for a general election since 1998.",
        ]),
        ("23:30", "", [
            "With 82 per cent of polling stations counted, the governing alliance has 38.2 per cent of the vote and the main opposition party 31.9 per cent.",
            "The far-right party is on course for its best result, at just under 14 per cent.",
        ]),
        ("23:02", "Opposition leader speaks", [
            "The opposition leader told supporters in the capital that it was \"too early to concede anything\" and that postal votes could still change the picture.",
            "\"The night is long,\" he said.",
        ]),
        ("22:41", "", [
            "Markets in Asia opened slightly lower, with the currency down 0.4 per cent against the dollar in early trading.",
        ]),
        ("22:15", "First results", [
            "The first official results from rural constituencies in the north show the governing alliance ahead, as expected in its traditional strongholds.",
        ]),
    ]),
]

# Urgent one-paragraph stories (agency flashes, briefs), with their datelines.
ONE_LINERS: list[str] = [
    "TOKYO, Sept. 17 Kyodo - A magnitude 5.8 earthquake struck off Fukushima Prefecture on Tuesday afternoon, the Japan Meteorological Agency said, adding there was no threat of a tsunami.",
    "WASHINGTON (AP) — The Federal Reserve cut its benchmark interest rate by a half-point on Wednesday, its first cut in four years.",
    "LONDON (Reuters) - Britain's FTSE 100 index closed at a record high on Friday.",
    "NAIROBI, Oct 3 (Xinhua) -- Kenya's parliament on Thursday approved a new cabinet secretary for the interior ministry.",
    "BERLIN (dpa) - Die Lokführergewerkschaft GDL hat für Donnerstag einen bundesweiten Streik angekündigt.",
    "PARIS (AFP) - Le Premier ministre a présenté la démission de son gouvernement lundi soir.",
    "Madrid, 5 nov (EFE).- El Congreso rechazó este martes la moción de censura presentada por la oposición.",
    "SEOUL, Nov. 12 (Yonhap) -- North Korea fired a ballistic missile into the East Sea on Tuesday, South Korea's military said.",
]

# Short quote paragraphs per language, used as last paragraphs.
FOREIGN_QUOTES: dict[str, list[str]] = {
    "es": ["«Es un día histórico», dijo.", "«No hay marcha atrás», aseguró la portavoz."],
    "fr": ["« Nous sommes prêts », a-t-il dit.", "« Ce n'est qu'un début », a-t-elle ajouté."],
    "de": ["„Das reicht nicht“, sagte sie.", "„Wir bleiben dran“, sagte er."],
    "pt": ["“É um passo importante”, disse.", "“Não há recuo”, afirmou o ministro."],
}

# Video and tweet embeds (the tweet text is left unscored: it is quoted matter, neither story nor furniture).
TWEETS: list[tuple[str, str]] = [
    ("Roads around the harbour are closed until further notice. Please avoid the area and follow instructions from officers on site.", "Harbour Police (@HarbourPolice)"),
    ("Polling stations close at 8pm. If you are in the queue by then, you will be able to vote.", "Electoral Commission (@ElectionsComm)"),
    ("Our crews are working through the night to restore power. Thank you for your patience.", "City Grid (@CityGridOps)"),
]
VIDEO_TITLES: list[str] = [
    "Watch: Firefighters battle the blaze from the air",
    "Video: Protesters gather outside parliament",
    "WATCH | Minister explains the new budget in 90 seconds",
    "Video: Aerial footage shows the flooded valley",
]
