"""Who an event's actor is: a name, a country (ISO alpha-3, as GDELT) and a type from keywords.

"North Korea" → PRK government; "Russia's defence ministry" → RUS military; "Pyongyang" (a capital)
→ PRK government; "NATO" → international, no country.
"""

import re

from spacy.tokens import Span, Token

from extractor.demonyms import SEATS_OF_GOVERNMENT
from extractor.gazetteer import Gazetteer, fold
from newsflow_shared.contracts.enrichment import Actor, ActorType, Place

# First match wins: "defence ministry" is military before "ministry" is government.
TYPE_KEYWORDS: list[tuple[ActorType, tuple[str, ...]]] = [
    (ActorType.INTERNATIONAL, ("united nations", "european union", "world bank", "african union", "red cross")),
    (ActorType.MILITARY, ("defence ministry", "defense ministry", "ministry of defence", "ministry of defense",
                          "army", "military", "troops", "soldiers", "forces", "navy", "air force", "pentagon",
                          "marines", "armed", "commander", "battalion", "brigade", "general staff")),
    (ActorType.POLICE, ("police", "sheriff", "gendarmerie", "gendarmes", "riot police")),
    (ActorType.REBEL, ("rebels", "rebel", "insurgents", "militants", "militia", "separatists", "guerrillas",
                       "jihadists", "terrorists", "gunmen")),
    (ActorType.OPPOSITION, ("opposition",)),
    (ActorType.GOVERNMENT, ("government", "ministry", "minister", "president", "parliament", "cabinet",
                            "official", "officials", "authorities", "administration", "senate", "congress",
                            "mayor", "governor", "embassy", "diplomat", "diplomats", "state department",
                            "leader", "kremlin", "white house", "spokesman", "spokeswoman", "spokesperson",
                            "prime minister", "chancellor", "regime", "junta")),
    (ActorType.MEDIA, ("newspaper", "news agency", "broadcaster", "media", "journalist", "journalists",
                       "reporter", "reporters", "television")),
    (ActorType.BUSINESS, ("company", "firm", "corp", "inc", "bank", "industry", "business", "investors",
                          "ltd", "manufacturer", "retailer")),
    (ActorType.CIVILIAN, ("residents", "civilians", "citizens", "protesters", "villagers", "refugees",
                          "students", "workers", "voters", "people")),
]
# Acronyms are matched as written: "UN" is the United Nations, "Kim Jong Un" is not.
INTERNATIONAL_ACRONYMS = {"UN", "NATO", "EU", "IMF", "WHO", "IAEA", "ASEAN", "OPEC", "ICC", "WTO", "OSCE", "UNHCR"}
COUNT_WORDS = {"dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
               "some", "many", "most", "all", "one", "none", "several", "scores", "group"}
NAMED = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
_MODIFIERS = {"compound", "amod", "poss", "nmod", "case", "det", "flat", "nummod"}


def phrase_tokens(head: Token) -> list[Token]:
    """The head noun with its left modifiers ("Russia 's defence ministry"), or its whole entity."""
    if head.ent_type_:
        entity = entity_of(head)
        tokens = list(entity)
        for child in entity.root.lefts:  # "North Korean leader Kim Jong Un", "Russia's Gazprom"
            if child.dep_ in {"poss", "compound", "amod"} and child.i < entity.start:
                tokens = [*child.subtree, *tokens]
        return sorted(set(tokens), key=lambda t: t.i)
    tokens = [head]
    for child in head.lefts:
        if child.dep_ in _MODIFIERS:
            tokens = [*child.subtree, *tokens] if child.dep_ in {"poss", "compound", "amod"} else tokens
    return sorted(set(tokens), key=lambda t: t.i)


def actor_for(head: Token, gazetteer: Gazetteer) -> Actor | None:
    """None when the phrase names no one: no entity, no country, no institution keyword."""
    if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
        head = head.head.head  # "Shoigu, who met …": the relative pronoun stands for its noun
    if head.ent_type_ in {"CARDINAL", "QUANTITY"} or head.lemma_.lower() in COUNT_WORDS:
        # "Dozens of protesters", "thousands of troops": the actor is what is counted
        counted = next((c for p in head.children if p.dep_ == "prep" and p.lower_ == "of" for c in p.children if c.dep_ == "pobj"), None)
        head = counted if counted is not None else head
    tokens = phrase_tokens(head)
    phrase = " ".join(t.text for t in tokens if t.dep_ != "det").replace(" 's", "'s").replace(" ’s", "’s")
    lower = f" {fold(phrase)} "
    entities = _entities_in(tokens)
    country, is_seat = _country(entities, lower, gazetteer)
    if any(t.text in INTERNATIONAL_ACRONYMS for t in tokens):
        actor_type = ActorType.INTERNATIONAL
    else:
        actor_type = next((t for t, words in TYPE_KEYWORDS if any(f" {w} " in lower for w in words)), None)
    if country is None and actor_type is not None:
        placed = located_at(head, gazetteer, {"in", "from"})  # "police in Paris" are French police
        country = placed.country_code if placed else None
    if country is None and actor_type is None and not entities:
        return None
    if actor_type is None:
        actor_type = ActorType.GOVERNMENT if is_seat else ActorType.OTHER
    if actor_type is ActorType.INTERNATIONAL:
        country = None
    person_or_org = [e for e in entities if e.label_ in {"PERSON", "ORG"} and e.root == head]
    name = person_or_org[0].text if person_or_org else phrase
    return Actor(name=_tidy(name), country_code=gazetteer.alpha3.get(country) if country else None, type=actor_type)


def entity_of(token: Token) -> Span:
    """The entity span `token` is part of, from the IOB tags (doc.ents rebuilds every span on each call)."""
    doc, start, end = token.doc, token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=doc[start].ent_type_)


def _entities_in(tokens: list[Token]) -> list[Span]:
    spans, indices = [], {t.i for t in tokens}
    for token in tokens:
        if token.ent_type_ in NAMED and token.ent_iob_ == "B":
            entity = entity_of(token)
            if entity.end - 1 in indices:
                spans.append(entity)
    return spans


def _country(entities: list[Span], lower: str, gazetteer: Gazetteer) -> tuple[str | None, bool]:
    """(alpha-2 country, whether the phrase *is* that country or its seat of government)."""
    for seat, code in SEATS_OF_GOVERNMENT.items():
        if f" {seat} " in lower or f" the {seat} " in lower:
            return code, lower.strip() in {seat, f"the {seat}"}
    for entity in entities:
        if entity.label_ not in {"GPE", "NORP", "LOC", "ORG", "FAC"}:
            continue  # NER sometimes calls a city an ORG ("attacked Kharkiv"): the gazetteer decides
        place = gazetteer.resolve(entity.text, primary_names_only=entity.label_ == "ORG")
        if place is None or place.country_code is None:
            continue
        whole = fold(entity.text) == lower.strip() or fold(re.sub(r"^the ", "", entity.text, flags=re.I)) == lower.strip()
        is_capital = place.feature == "city" and fold(gazetteer.countries.get(place.country_code, {}).get("capital", "")) == fold(place.name)
        # a demonym ("Palestinians") names people of the country, not its government
        return place.country_code, whole and entity.label_ != "NORP" and (place.feature == "country" or is_capital)
    return None, False


def located_at(head: Token, gazetteer: Gazetteer, prepositions: set[str]) -> Place | None:
    """Where a noun phrase's own prepositional phrase puts it: "police in Paris" → Paris."""
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lemma_.lower() in prepositions:
            for token in prep.children:
                # PROPN: NER misses some place names; the gazetteer decides
                if token.dep_ == "pobj" and (token.ent_type_ in {"GPE", "LOC", "FAC"} or token.pos_ == "PROPN"):
                    place = gazetteer.resolve(entity_of(token).text if token.ent_type_ else token.text)
                    if place is not None:
                        return place
    return None


def _tidy(name: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.I)
