"""What a story page says: the most representative headline, three extractive summary bullets, the key
numbers with how many sources report each, the main entities and the representative event record.

All drawn from the articles' stored features (no model, no network), recomputed when the story changes.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from store import terms
from store.features import Features, number_key
from store.idf import TermStats
from store.models import Article, Story
from store.similarity import cosine, weighted

SUMMARY_BULLETS = 3
KEY_NUMBERS = 5
MAIN_ENTITIES = 8
DUPLICATE_SENTENCE = 0.5  # term Jaccard above which a sentence repeats one already chosen
NUMBER_BONUS = 0.25  # a sentence carrying a key number is what a reader wants first
LEAD_BONUS = 0.1
UNIFORM = TermStats()  # content compares within one story, where corpus IDF adds little


@dataclass(frozen=True)
class ContentRow:
    article_id: str
    source_id: str
    title: str | None
    features: Features
    entities: list[dict]
    events: list[dict]
    is_copy: bool
    time: datetime


@dataclass(frozen=True)
class Content:
    title: str | None
    summary: list[str]
    key_numbers: list[dict]
    entities: list[dict]
    event: dict | None


def story_vector(centroid: dict, *fields: str) -> dict[str, float]:
    summed: dict[str, float] = {}
    for name in fields:
        for term, value in centroid.get(name, {}).items():
            summed[term] = summed.get(term, 0.0) + value
    return weighted(summed, UNIFORM)


def representative_title(rows: list[ContentRow], centroid: dict) -> str | None:
    """The headline closest to the story's centroid; ties go to the earliest article."""
    target = story_vector(centroid, "title", "body")
    titled = [row for row in rows if row.title and not row.is_copy] or [row for row in rows if row.title]
    if not titled:
        return None
    best = max(titled, key=lambda r: (cosine(weighted(terms.term_counts(r.title), UNIFORM), target),
                                      -r.time.timestamp(), _desc(r.article_id)))
    return best.title


def _desc(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def key_numbers(rows: list[ContentRow]) -> list[dict]:
    """Figures by how many distinct sources report them, written as most of them write it."""
    sources: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, Counter] = defaultdict(Counter)
    counted: dict[str, Counter] = defaultdict(Counter)
    values: dict[str, float] = {}
    for row in rows:
        for number in row.features.numbers:
            key = number_key(number["value"])
            values[key] = number["value"]
            sources[key].add(row.source_id)
            texts[key][number.get("text") or key] += 1
            if number.get("counted"):
                counted[key][number["counted"]] += 1
    ranked = sorted(values, key=lambda k: (-len(sources[k]), -sum(texts[k].values()), values[k]))
    return [
        {"value": values[k], "text": _most_common(texts[k]), "counted": _most_common(counted[k]),
         "sources": len(sources[k])}
        for k in ranked[:KEY_NUMBERS]
    ]


def _most_common(counter: Counter) -> str:
    if not counter:
        return ""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def summary(rows: list[ContentRow], centroid: dict, numbers: list[dict]) -> list[str]:
    """Three sentences from different articles, most central first, none repeating another."""
    target = story_vector(centroid, "body", "title")
    wanted = {n["text"] for n in numbers[:3] if n["text"]}
    candidates = []
    for row in rows:
        if row.is_copy:
            continue
        for position, sentence in enumerate(row.features.sentences):
            vector = weighted(terms.term_counts(sentence), UNIFORM)
            value = cosine(vector, target)
            if any(text in sentence for text in wanted):
                value += NUMBER_BONUS
            if position == 0:
                value += LEAD_BONUS
            candidates.append((value, row.article_id, position, sentence, set(vector)))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[str, set[str]]] = []
    used_articles: set[str] = set()
    for _value, article_id, _position, sentence, words in candidates:
        if article_id in used_articles or any(_jaccard(words, other) > DUPLICATE_SENTENCE for _, other in chosen):
            continue
        chosen.append((sentence, words))
        used_articles.add(article_id)
        if len(chosen) == SUMMARY_BULLETS:
            break
    return [sentence for sentence, _ in chosen]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def main_entities(rows: list[ContentRow]) -> list[dict]:
    """Entities by the number of articles naming them (the extractor's, else none)."""
    articles: Counter = Counter()
    kinds: dict[str, str] = {}
    for row in rows:
        for name, kind in {(e["name"], e["kind"]) for e in row.entities}:
            articles[name] += 1
            kinds.setdefault(name, kind)
    ranked = sorted(articles.items(), key=lambda item: (-item[1], item[0]))[:MAIN_ENTITIES]
    return [{"name": name, "kind": kinds[name], "articles": n} for name, n in ranked]


def representative_event(rows: list[ContentRow]) -> dict | None:
    """The most confident record of the event most articles report (same actor, action and place)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        for event in row.events:
            key = ((event.get("actor1") or {}).get("name"), event.get("cameo_root"),
                   (event.get("place") or {}).get("name"))
            groups[key].append(event)
    if not groups:
        return None
    _, events = min(groups.items(), key=lambda item: (-len(item[1]), str(item[0])))
    return max(events, key=lambda e: (e.get("confidence", 0.0), e.get("sentence", "")))


def compute_content(rows: list[ContentRow], centroid: dict) -> Content:
    numbers = key_numbers(rows)
    return Content(
        title=representative_title(rows, centroid),
        summary=summary(rows, centroid, numbers),
        key_numbers=numbers,
        entities=main_entities(rows),
        event=representative_event(rows),
    )


def refresh_content(session: Session, stories: list[Story]) -> None:
    rows = session.exec(
        select(Article.story_id, Article.id, Article.source_id, Article.title, Article.features, Article.entities,
               Article.events, Article.is_copy, Article.published_at, Article.fetched_at)
        .where(col(Article.story_id).in_(sorted(story.id for story in stories)))
    ).all()
    grouped: dict[str, list[ContentRow]] = defaultdict(list)
    for story_id, article_id, source_id, title, features, entities, events, is_copy, published, fetched in rows:
        grouped[story_id].append(ContentRow(article_id, source_id, title, Features.from_json(features or {}),
                                            entities or [], events or [], is_copy, published or fetched))
    for story in stories:
        content = compute_content(sorted(grouped[story.id], key=lambda r: (r.time, r.article_id)), story.centroid)
        story.title = content.title or story.title
        story.summary = content.summary
        story.key_numbers = content.key_numbers
        story.entities = content.entities
        story.event = content.event
        title_terms = sorted(story.centroid.get("title", {}).items(), key=lambda tv: (-tv[1], tv[0]))
        story.key_terms = " ".join(term for term, _ in title_terms[:20])
