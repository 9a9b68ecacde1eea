"""People, organisations, places and groups: spaCy's NER spans, merged, counted over the whole text.

NER runs on the title and the text's first words (the budget); every surface form it found is then
searched for in the whole text, so mention counts and offsets cover all of it. A person's later
mentions by surname ("Kim Jong Un" … "Kim") count for them. Places, and groups named after a
country ("North Korean"), are resolved with the gazetteer.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractor.gazetteer import Gazetteer, fold
from newsflow_shared.contracts.enrichment import Entity, EntityKind, Place

KINDS = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANISATION,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
    "FAC": EntityKind.PLACE,
    "NORP": EntityKind.GROUP,
}
MAX_OFFSETS = 20
# "Kursk region", "Sichuan Province": spaCy often tags the name alone, as something else
_REGION = re.compile(
    r"\b(?:[A-Z][\w-]+\s){1,3}(?:[Rr]egion|[Oo]blast|[Pp]rovince|[Gg]overnorate|[Pp]refecture|[Kk]rai)\b"
)
_LEADING_THE = re.compile(r"^the\s+", re.I)
_TRAILING_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass
class _Found:
    kind: EntityKind
    forms: set[str] = field(default_factory=set)
    place: Place | None = None


@dataclass(frozen=True)
class Entities:
    entities: list[Entity]
    people: list[tuple[str, int]]  # (person's name, offset in text) per mention, in text order
    spans: list[tuple[int, int, Entity]]  # every span NER or the region pattern found, in the NER string


def find_entities(doc: Doc, *, text: str, text_start: int, gazetteer: Gazetteer) -> Entities:
    """`doc` covers title + text prefix; `text` starts at `text_start` of that string."""
    found: dict[tuple[EntityKind, str], _Found] = {}
    spans: list[tuple[int, int, tuple[EntityKind, str]]] = []
    doc_text = doc.text  # spaCy rebuilds Doc.text from every token on each access: read it once
    for start, end, label in _candidate_spans(doc, doc_text):
        kind = KINDS[label] if label in KINDS else EntityKind.PLACE
        surface = _clean(doc_text[start:end])
        if not surface or not any(c.isalpha() for c in surface):
            continue
        place = gazetteer.resolve(surface) if kind in (EntityKind.PLACE, EntityKind.GROUP) else None
        if kind is EntityKind.GROUP and place is not None and place.feature != "country":
            place = None
        key = (kind, f"{place.name}|{place.country_code}" if place else fold(surface))
        entry = found.setdefault(key, _Found(kind, place=place))
        entry.forms.add(surface)
        spans.append((start, end, key))
    _merge_surnames(found)
    entities, people = _count(found, text=text, title=doc_text[:text_start])
    by_key = {key: entity for key, entity in zip(found, entities, strict=True)}
    return Entities(
        entities=entities,
        people=people,
        spans=[(s, e, by_key[k]) for s, e, k in spans if k in by_key],
    )


def _candidate_spans(doc: Doc, doc_text: str) -> list[tuple[int, int, str]]:
    regions = [(m.start(), m.end(), "REGION") for m in _REGION.finditer(doc_text)]
    ents = [
        (e.start_char, e.end_char, e.label_)
        for e in doc.ents
        if e.label_ in KINDS and not any(s < e.end_char and e.start_char < t for s, t, _ in regions)
    ]
    # a region pattern that overlaps NER's span of the same place replaces it ("Kursk" PRODUCT → "Kursk region")
    return sorted(ents + regions)


def _clean(surface: str) -> str:
    return _TRAILING_POSSESSIVE.sub("", _LEADING_THE.sub("", " ".join(surface.split()))).strip(" ,.;:-")


def _merge_surnames(found: dict[tuple[EntityKind, str], _Found]) -> None:
    """'Kim' alone joins 'Kim Jong Un' when exactly one person has that surname or given name."""
    people = {k: v for k, v in found.items() if k[0] is EntityKind.PERSON}
    for key, entry in list(people.items()):
        if len(entry.forms) != 1 or len(next(iter(entry.forms)).split()) != 1:
            continue
        single = next(iter(entry.forms))
        owners = [k for k, v in people.items() if k != key and any(single in f.split() for f in v.forms)]
        if len(owners) == 1:
            found[owners[0]].forms.add(single)
            del found[key]


def _count(found: dict[tuple[EntityKind, str], _Found], *, text: str, title: str) -> tuple[list[Entity], list[tuple[str, int]]]:
    form_owner = {}
    for key, entry in found.items():
        for form in entry.forms:
            form_owner.setdefault(form, key)
    offsets: dict[tuple[EntityKind, str], list[tuple[int, int]]] = defaultdict(list)
    in_title: dict[tuple[EntityKind, str], int] = defaultdict(int)
    people = []
    if form_owner:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(f) for f in sorted(form_owner, key=len, reverse=True)) + r")(?!\w)"
        )
        for match in pattern.finditer(text):
            key = form_owner[match.group()]
            offsets[key].append(match.span())
            if key[0] is EntityKind.PERSON:
                people.append((_name(found[key]), match.start()))
        for match in pattern.finditer(title):
            in_title[form_owner[match.group()]] += 1
    entities = []
    for key, entry in found.items():
        mentions = len(offsets[key]) + in_title[key]
        entities.append(
            Entity(
                name=_name(entry), kind=entry.kind, mentions=mentions,
                offsets=offsets[key][:MAX_OFFSETS], place=entry.place,
            ) if mentions else _placeholder(entry)
        )
    return entities, people


def _placeholder(entry: _Found) -> Entity:
    # NER saw it but the exact string never recurs (tokenisation across a line break): one mention
    return Entity(name=_name(entry), kind=entry.kind, mentions=1, place=entry.place)


def _name(entry: _Found) -> str:
    return max(entry.forms, key=lambda f: (len(f), f))
