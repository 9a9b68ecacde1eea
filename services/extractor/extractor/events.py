"""Event records from the lead: who did what to whom, read from spaCy's dependency parse.

For each sentence of the lead (title, first sentences), verbs in the CAMEO lexicon are candidates.
A reporting verb ("said") gives way to the event in the clause it reports; a verb the lexicon
does not know ("plans to deploy", "decided to send") passes its subject on to its xcomp. Actor 1
is the subject (the `by` agent in the passive), actor 2 the named object, else the actor-like
object of to/against/with/on ("to Russia's Kursk region" → Russia); the location is the first
prepositional object the gazetteer resolves (the verb's own, then its object's, then its head verb's).
"""

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from extractor import cameo
from extractor.actors import actor_for, located_at, phrase_tokens
from extractor.gazetteer import Gazetteer, REGION_WORDS
from newsflow_shared.contracts.enrichment import Actor, DateMention, Event, Place, Quantity

TARGET_PREPOSITIONS = {"to", "against", "with", "on", "toward", "towards", "into", "at", "for"}
PLACE_PREPOSITIONS = {"in", "to", "at", "near", "into", "across", "inside", "outside", "from", "on", "over"}
SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
COMPASS_WORDS = {"northern", "southern", "eastern", "western", "central", "north", "south", "east", "west",
                 "northeastern", "northwestern", "southeastern", "southwestern"}


@dataclass(frozen=True)
class LeadContext:
    """What the rest of the analysis found, in the coordinates of the NER string."""

    quantities: list[tuple[int, Quantity]]  # (offset in NER string, quantity)
    dates: list[tuple[int, DateMention]]
    published: date | None
    gazetteer: Gazetteer


def find_events(leads: list[tuple[int, Doc]], context: LeadContext) -> list[Event]:
    best: dict[tuple, Event] = {}
    for part, (start, doc) in enumerate(leads):
        for sentence_index, sentence in enumerate(doc.sents):
            first = part == 0 or (part == 1 and sentence_index == 0)
            for verb in _event_verbs(sentence):
                event = _event(verb, sentence, start, first=first, context=context)
                if event is None:
                    continue
                key = (event.actor1.name if event.actor1 else None, event.cameo_root, event.actor2.name if event.actor2 else None)
                if key not in best or best[key].confidence < event.confidence:
                    best[key] = event
    return sorted(best.values(), key=lambda e: -e.confidence)


def _prepositions(verb: Token) -> set[str]:
    return {c.lemma_.lower() for c in verb.children if c.dep_ in {"prep", "prt", "dobj", "dative"}}


def _root(verb: Token) -> cameo.RootClass | None:
    if verb.pos_ != "VERB":
        return None
    return cameo.root_for(verb.lemma_.lower(), _prepositions(verb))


def _event_verbs(sentence: Span) -> list[Token]:
    candidates = [t for t in sentence if _root(t) is not None]
    chosen = []
    for verb in candidates:
        root = _root(verb)
        embedded = [c for c in candidates if c is not verb and verb in c.ancestors]
        if root.code == "01" and any(_root(c).code != "01" for c in embedded):
            continue  # "Pyongyang said North Korea plans to deploy …": the event is the deploying
        governing = [a for a in verb.ancestors if a in candidates and verb.dep_ == "xcomp" and a is verb.head]
        if governing and _root(governing[0]).code != "01":
            continue  # "threatened to attack" is a threat: the governing verb codes the event
        chosen.append(verb)
    return chosen


def _subject(verb: Token) -> Token | None:
    current = verb
    while True:
        subject = next((c for c in current.children if c.dep_ in SUBJECTS), None)
        if subject is not None:
            return subject
        if current.dep_ in {"xcomp", "conj", "advcl"} and current.head is not current:
            current = current.head  # "plans to deploy": deploy's subject is plan's
            continue
        return None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _objects(verb: Token) -> list[tuple[str, Token]]:
    found = []
    for child in verb.children:
        if child.dep_ in {"dobj", "dative", "attr"}:
            found.append(("", child))
        elif child.dep_ == "prep":
            found.extend((child.lemma_.lower(), c) for c in child.children if c.dep_ == "pobj")
    return found


def _attached_to_objects(objects: list[tuple[str, Token]]) -> list[tuple[str, Token]]:
    """Prepositional objects hanging off the direct objects: the parser often attaches the PP there."""
    return [(c.lemma_.lower(), o) for p, t in objects if not p for c in t.children if c.dep_ == "prep"
            for o in c.children if o.dep_ == "pobj"]


def _target(verb: Token, gazetteer: Gazetteer) -> Actor | None:
    objects = _objects(verb)
    for preposition, token in objects:  # a named direct object: "attacked Kyiv", "told Reuters"
        if not preposition and token.ent_type_:
            return actor_for(token, gazetteer)
    for preposition, token in [*objects, *_attached_to_objects(objects)]:  # "imposed sanctions on Iran"
        if preposition in TARGET_PREPOSITIONS:
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            actor = actor_for(owner, gazetteer) if owner is not None else None
            actor = actor or actor_for(token, gazetteer)
            if actor is not None:
                return actor
    for preposition, token in objects:
        if not preposition:
            return actor_for(token, gazetteer)
    return None


def _place_candidates(verb: Token) -> list[tuple[str, Token]]:
    """The verb's prepositional objects, then those hanging off its direct objects ("met Xi in Beijing"
    attaches "in Beijing" to Xi), then, for a participle clause ("…, killing three"), its head verb's."""
    objects = _objects(verb)
    found = [*objects, *_attached_to_objects(objects)]
    if verb.dep_ in {"advcl", "conj", "xcomp"} and verb.head.pos_ in {"VERB", "AUX"} and verb.head != verb:
        found.extend(_place_candidates(verb.head))
    return found


def _place(verb: Token, gazetteer: Gazetteer, exclude: set[int]) -> Place | None:
    candidates = _place_candidates(verb)
    for preposition, token in [*candidates, *_deeper_place_objects(verb, {t.i for _, t in candidates})]:
        if token.i in exclude:
            continue
        if not preposition:
            # a named direct object is the place when it is a city or region ("visited Baghdad",
            # "attacked Kharkiv"); a country object is the target, not the place
            place = _resolve_place(token, gazetteer) if token.ent_type_ in {"GPE", "LOC", "FAC"} else None
            if place is not None and place.feature != "country":
                return place
            continue
        if preposition not in PLACE_PREPOSITIONS:
            continue
        if token.ent_type_ or token.pos_ == "PROPN" or token.lemma_.lower() in REGION_WORDS:
            place = _resolve_place(token, gazetteer)  # PROPN: NER misses some cities ("over Kyiv")
            if place is not None:
                return place
    return None


def _resolve_place(token: Token, gazetteer: Gazetteer) -> Place | None:
    tokens = [t for t in phrase_tokens(token) if t.dep_ not in {"poss", "case"} and t.head.dep_ != "poss"
              and not (t.is_lower and t.lower_ in COMPASS_WORDS)]  # "northern Burkina Faso" → Burkina Faso
    name = " ".join(t.text for t in tokens)
    return gazetteer.resolve(name, primary_names_only=token.ent_type_ == "ORG")


def _deeper_place_objects(verb: Token, seen: set[int]) -> list[tuple[str, Token]]:
    """Prepositional objects deeper in the verb's own clause, nearest first; not inside another clause."""
    found = []
    for token in verb.subtree:
        if token.i in seen or token.i <= verb.i or token.dep_ != "pobj" or token.head.dep_ != "prep":
            continue
        clause = next((a for a in token.ancestors if a.pos_ in {"VERB", "AUX"}), None)
        if clause == verb:  # spaCy makes a new Token object on each access: compare by value
            found.append((token.head.lemma_.lower(), token))
    return found


def _event(verb: Token, sentence: Span, start: int, *, first: bool, context: LeadContext) -> Event | None:
    root = _root(verb)
    subject = _subject(verb)
    passive = subject is not None and subject.dep_ == "nsubjpass"
    gazetteer = context.gazetteer
    if passive:
        agent = _agent(verb)
        actor1 = actor_for(agent, gazetteer) if agent is not None else None
        actor2 = actor_for(subject, gazetteer)
    else:
        actor1 = actor_for(subject, gazetteer) if subject is not None else None
        actor2 = _target(verb, gazetteer)
        partner = next((c for c in subject.children if c.dep_ == "conj"), None) if subject is not None else None
        if actor2 is None and partner is not None:
            actor2 = actor_for(partner, gazetteer)  # "Saudi Arabia and Iran signed …": the two sides
    if actor1 is None and actor2 is None:
        return None
    if actor2 is not None and actor1 is not None and actor2.name == actor1.name:
        actor2 = None
    actor_tokens = {t.i for head in (subject,) if head is not None for t in head.subtree}
    # with no place in the rest of the clause, where the subject is: "Police in Paris arrested …"
    place = _place(verb, gazetteer, actor_tokens) or (
        located_at(subject, gazetteer, {"in", "at", "near"}) if subject is not None else None)
    span = (start + sentence.start_char, start + sentence.end_char)
    quantity = _quantity(verb, start, span, context)
    when = next((d.resolved for at, d in context.dates if span[0] <= at < span[1] and d.resolved and d.granularity == "day"), None)
    confidence = _confidence(actor1, actor2, place, verb, first=first, reporting=root.code == "01")
    return Event(
        actor1=actor1, actor2=actor2, cameo_root=root.code, action=root.action, verb=verb.lemma_.lower(),
        quad_class=root.quad_class, goldstein=root.goldstein, place=place,
        event_date=when or context.published, quantity=quantity, sentence=sentence.text.strip(),
        confidence=confidence,
    )


def _quantity(verb: Token, start: int, span: tuple[int, int], context: LeadContext) -> Quantity | None:
    in_sentence = [(at, q) for at, q in context.quantities if span[0] <= at < span[1]]
    objects = [t for _, t in _objects(verb)]
    for at, quantity in in_sentence:  # the object's own number ("deploy 6,000 … personnel")
        if any(start + o.left_edge.idx <= at < start + o.right_edge.idx + len(o.right_edge) for o in objects):
            return quantity
    return in_sentence[0][1] if in_sentence else None


def _confidence(actor1: Actor | None, actor2: Actor | None, place: Place | None, verb: Token, *, first: bool, reporting: bool) -> float:
    score = 0.3
    score += 0.2 if actor1 is not None and actor1.country_code else 0.1 if actor1 is not None else 0.0
    score += 0.15 if actor2 is not None else 0.0
    score += 0.1 if place is not None else 0.0
    score += 0.1 if verb.dep_ in {"ROOT", "xcomp", "ccomp"} else 0.0
    score -= 0.05 if verb.dep_ == "advcl" else 0.0  # "raided a camp, killing three": the raid leads
    score += 0.1 if first else 0.0
    score -= 0.15 if reporting else 0.0
    return round(min(max(score, 0.05), 0.95), 2)
