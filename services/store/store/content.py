"""What a story page says: the most representative headline, three extractive summary bullets, the key
numbers with how many sources report each, the main entities and the representative event record.

All drawn from the articles' stored features (no model, no network). A story keeps what its content is
made of (`story.content_state`: figures by source, entities and event records by article, and a pool of the
best candidate headlines and sentences), so an article joining adds its own rows to that state instead of
the story's articles being read again. Removals (an edited article, a merge, a re-cluster) rebuild it from
the rows; while a story has few articles its pools hold every candidate and the result is exact.
"""

import json
import math
from collections.abc import Iterable, KeysView
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from store import terms
from store.features import Features, number_key
from store.filters import one_of
from store.models import Article, Story

SUMMARY_BULLETS = 3
KEY_NUMBERS = 5
MAIN_ENTITIES = 8
DUPLICATE_SENTENCE = 0.5  # term Jaccard above which a sentence repeats one already chosen
NUMBER_BONUS = 0.25  # a sentence carrying a key number is what a reader wants first
LEAD_BONUS = 0.1
TITLE_POOL = 10  # headlines kept as candidates
NUMBER_POOL = 30  # figures kept: a figure outside the most reported 30 rarely climbs to the top 5
ENTITY_POOL = 64  # names kept: without a bound a big story's state grows with every article's stray names
SENTENCE_POOL = 24  # summary candidates kept: every sentence of a story's first three articles


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
    return uniform(summed)


def uniform(counts: dict[str, float]) -> dict[str, float]:
    """Sub-linear term frequencies alone: content compares within one story, where corpus IDF adds little
    (what `weighted` gives with no document counted, without its per-term IDF)."""
    log = math.log
    return {t: 1.0 + log(tf) for t, tf in counts.items() if tf > 0}


@dataclass(frozen=True)
class Target:
    """The story's centroid as one weighted vector, its norm computed once for every candidate compared."""

    vector: dict[str, float]
    norm: float

    @classmethod
    def of(cls, centroid: dict) -> "Target":
        vector = story_vector(centroid, "title", "body")
        return cls(vector, math.sqrt(math.fsum([w * w for w in vector.values()])))

    def closeness(self, weights: dict[str, float], norm: float) -> float:
        """Cosine of a candidate text (its `text_vector`) with the story. Only shared terms count; fsum: the
        same value whatever the order of the keys (a state stored as JSONB, before migration 0004, comes back
        with its weights reordered)."""
        shared = weights.keys() & self.vector.keys()
        if not shared:
            return 0.0
        vector = self.vector
        dot = math.fsum([weights[t] * vector[t] for t in shared])
        return dot / (norm * self.norm) if dot else 0.0  # a centroid's weights can be 0 (a term count of 1/e)


def text_vector(text: str) -> list:
    """A candidate headline's or sentence's [weights, norm]: its term counts weighed as `uniform` weighs them,
    computed once when it joins a story, not each time the pools are ranked against a new centroid."""
    return vector_of(terms.term_counts(text))


def vector_of(counts: dict[str, float]) -> list:
    weights = uniform(counts)
    return [weights, math.sqrt(math.fsum([w * w for w in weights.values()]))]


def _most_common(counter: dict[str, int]) -> str:
    if not counter:
        return ""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def _jaccard(a: KeysView[str], b: KeysView[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _event_key(event: dict) -> str:
    return json.dumps([(event.get("actor1") or {}).get("name"), event.get("cameo_root"),
                       (event.get("place") or {}).get("name")])


@dataclass
class ContentState:
    """What a story's content is computed from, kept on the story and added to article by article.

    Times are POSIX seconds; `at` is the (time, article id) of the row a value was taken from.
    """

    articles: int = 0
    titles: list[list] = field(default_factory=list)  # [title, time, article id, weights, norm] of originals
    copy_titles: list[list] = field(default_factory=list)  # the same for copies: used when no original has one
    sentences: list[list] = field(default_factory=list)  # [article id, position, sentence, weights, norm]
    numbers: dict[str, dict] = field(default_factory=dict)
    entities: dict[str, dict] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"articles": self.articles, "titles": self.titles, "copy_titles": self.copy_titles,
                "sentences": self.sentences, "numbers": self.numbers, "entities": self.entities,
                "events": self.events}

    @classmethod
    def from_json(cls, data: dict | None) -> "ContentState":
        """A state to add to; `data` itself is never changed (it may be a cached version's)."""
        if not data:
            return cls()
        return cls(data["articles"], _weighed(data["titles"]), _weighed(data["copy_titles"]),
                   _weighed(data["sentences"]), dict(data["numbers"]), dict(data["entities"]), dict(data["events"]))

    def add(self, row: ContentRow) -> None:
        at = [row.time.timestamp(), row.article_id]
        self.articles += 1
        if row.title:
            (self.copy_titles if row.is_copy else self.titles).append([row.title, *at, *text_vector(row.title)])
        if not row.is_copy:
            self.sentences = self.sentences + [[row.article_id, position, sentence, *text_vector(sentence)]
                               for position, sentence in enumerate(row.features.sentences)]
        for number in row.features.numbers:
            key = number_key(number["value"])
            entry = self.numbers.get(key) or {"value": number["value"], "at": at, "sources": [], "texts": {},
                                              "counted": {}}
            entry = self.numbers[key] = {**entry, "sources": list(entry["sources"]), "texts": dict(entry["texts"]),
                                         "counted": dict(entry["counted"])}  # copied: see from_json
            if at >= entry["at"]:  # as read from the story's latest report of it
                entry["value"], entry["at"] = number["value"], at
            if row.source_id not in entry["sources"]:
                entry["sources"].append(row.source_id)
            text = number.get("text") or key
            entry["texts"][text] = entry["texts"].get(text, 0) + 1
            if number.get("counted"):
                entry["counted"][number["counted"]] = entry["counted"].get(number["counted"], 0) + 1
        for name, kind in sorted({(e["name"], e["kind"]) for e in row.entities}):
            entry = self.entities[name] = dict(self.entities.get(name) or {"kind": kind, "at": at, "articles": 0})
            entry["articles"] += 1
            if at < entry["at"]:  # named as the story's first report of it named it
                entry["kind"], entry["at"] = kind, at
        for event in row.events:
            key = _event_key(event)
            entry = self.events[key] = dict(self.events.get(key) or {"count": 0, "best": event})
            entry["count"] += 1
            if _event_rank(event) > _event_rank(entry["best"]):
                entry["best"] = event

    def add_all(self, rows: Iterable[ContentRow]) -> None:
        """Rows in the order the story received them: by time, then article id."""
        for row in sorted(rows, key=lambda r: (r.time, r.article_id)):
            self.add(row)

    def content(self, centroid: dict) -> Content:
        """The story's content against its current centroid; the candidate pools keep their best."""
        numbers = self.key_numbers()
        target = Target.of(centroid)
        return Content(title=self.title(target), summary=self.summary(target, numbers), key_numbers=numbers,
                       entities=self.main_entities(), event=self.event())

    def key_numbers(self) -> list[dict]:
        """Figures by how many distinct sources report them, written as most of them write it."""
        ranked = sorted(self.numbers.items(),
                        key=lambda item: (-len(item[1]["sources"]), -sum(item[1]["texts"].values()), item[1]["value"]))
        self.numbers = dict(ranked[:NUMBER_POOL])
        return [{"value": e["value"], "text": _most_common(e["texts"]), "counted": _most_common(e["counted"]),
                 "sources": len(e["sources"])} for _, e in ranked[:KEY_NUMBERS]]

    def title(self, target: Target) -> str | None:
        """The headline closest to the story's centroid (`target`); ties go to the earliest article."""
        ranked = sorted(self.titles or self.copy_titles,
                        key=lambda t: (-target.closeness(t[3], t[4]), t[1], t[2]))
        if self.titles:
            self.titles = ranked[:TITLE_POOL]
        else:
            self.copy_titles = ranked[:1]
        return ranked[0][0] if ranked else None

    def summary(self, target: Target, numbers: list[dict]) -> list[str]:
        """Three sentences from different articles, most central (to `target`) first, none repeating another."""
        wanted = {n["text"] for n in numbers[:3] if n["text"]}
        scored = []
        for candidate in self.sentences:
            article_id, position, sentence, weights, norm = candidate
            value = target.closeness(weights, norm)
            if any(text in sentence for text in wanted):
                value += NUMBER_BONUS
            if position == 0:
                value += LEAD_BONUS
            scored.append((value, article_id, position, candidate, weights.keys()))
        scored.sort(key=lambda c: (-c[0], c[1], c[2]))
        self.sentences = [c[3] for c in scored[:SENTENCE_POOL]]
        chosen: list[tuple[str, KeysView[str]]] = []
        used_articles: set[str] = set()
        for _value, article_id, _position, candidate, words in scored:
            if article_id in used_articles or any(_jaccard(words, other) > DUPLICATE_SENTENCE for _, other in chosen):
                continue
            chosen.append((candidate[2], words))
            used_articles.add(article_id)
            if len(chosen) == SUMMARY_BULLETS:
                break
        return [sentence for sentence, _ in chosen]

    def main_entities(self) -> list[dict]:
        """Entities by the number of articles naming them (the extractor's, else none)."""
        ranked = sorted(self.entities.items(), key=lambda item: (-item[1]["articles"], item[0]))
        self.entities = dict(ranked[:ENTITY_POOL])
        return [{"name": name, "kind": e["kind"], "articles": e["articles"]} for name, e in ranked[:MAIN_ENTITIES]]

    def event(self) -> dict | None:
        """The most confident record of the event most articles report (same actor, action and place)."""
        if not self.events:
            return None
        _, entry = min(self.events.items(), key=lambda item: (-item[1]["count"], str(tuple(json.loads(item[0])))))
        return entry["best"]


def _weighed(candidates: list[list]) -> list[list]:
    """Candidates as `ContentState` keeps them; a state stored before 2026-12-07 kept term counts instead of
    [weights, norm], and is converted (the same closeness, to the last bit)."""
    return [c if len(c) == 5 else [*c[:3], *vector_of(c[3])] for c in candidates]


def _event_rank(event: dict) -> tuple:
    return (event.get("confidence", 0.0), event.get("sentence", ""))


def build_state(rows: list[ContentRow]) -> ContentState:
    state = ContentState()
    state.add_all(rows)
    return state


def key_numbers(rows: list[ContentRow]) -> list[dict]:
    return build_state(rows).key_numbers()


def summary(rows: list[ContentRow], centroid: dict, numbers: list[dict]) -> list[str]:
    return build_state(rows).summary(Target.of(centroid), numbers)


def compute_content(rows: list[ContentRow], centroid: dict) -> Content:
    return build_state(rows).content(centroid)


def content_row(article: Article, features: Features) -> ContentRow:
    return ContentRow(article.id, article.source_id, article.title, features, article.entities or [],
                      article.events or [], article.is_copy, article.published_at or article.fetched_at)


def content_rows(session: Session, story_ids: list[str]) -> dict[str, list[ContentRow]]:
    """Every row of each story (an empty list for a story with none)."""
    grouped: dict[str, list[ContentRow]] = {story_id: [] for story_id in story_ids}
    if not story_ids:
        return grouped
    rows = session.exec(
        select(Article.story_id, Article.id, Article.source_id, Article.title, Article.features, Article.entities,
               Article.events, Article.is_copy, Article.published_at, Article.fetched_at)
        .where(one_of(session, col(Article.story_id), sorted(story_ids)))
    ).all()
    for story_id, article_id, source_id, title, features, entities, events, is_copy, published, fetched in rows:
        grouped[story_id].append(ContentRow(article_id, source_id, title, Features.from_json(features or {}),
                                            entities or [], events or [], is_copy, published or fetched))
    return grouped


def untrusted(stories: list[Story], added: dict[str, list[ContentRow]], rebuild: set[str],
              articles: dict[str, int]) -> list[str]:
    """Stories whose content must be rebuilt from all their rows (`articles`: how many each has now): an
    article was removed or edited, a merge, or a state older than the story's articles."""
    return [story.id for story in stories
            if story.id in rebuild
            or (story.content_state or {}).get("articles", 0) + len(added.get(story.id, ())) != articles[story.id]]


@dataclass(frozen=True)
class Early:
    """A story's content computed before its row was locked, from `basis`, the content state cached for the
    version read; it stands if the locked row's state is that same state (store.ingest.finish)."""

    basis: dict
    state: dict
    content: Content


def updated_content(content_state: dict | None, added: Iterable[ContentRow], centroid: dict) -> tuple[dict, Content]:
    """A story's content state with `added` (rows not in it yet) added, and the content against `centroid`."""
    state = ContentState.from_json(content_state)
    state.add_all(added)
    content = state.content(centroid)  # trims the pools: the state is read after
    return state.as_json(), content


def early_content(stories: Iterable[tuple[str, dict, dict]], added: dict[str, list[ContentRow]]) -> dict[str, Early]:
    """`updated_content` of each (story id, content state, centroid)."""
    return {story_id: Early(basis, *updated_content(basis, added.get(story_id, ()), centroid))
            for story_id, basis, centroid in stories}


def refresh_content(stories: list[Story], added: dict[str, list[ContentRow]],
                    rebuilt: dict[str, list[ContentRow]], early: dict[str, Early] | None = None) -> None:
    """Bring the stories' content up to date: from their stored state plus `added` (the rows this
    transaction added to them), or from `rebuilt`, all the rows of those `untrusted` named. A story's
    `early` content is taken as it is when it was computed from the state the story has."""
    early = early or {}
    for story in stories:
        if story.id in rebuilt:
            story.content_state, content = updated_content(None, rebuilt[story.id], story.centroid)
        elif story.id in early and early[story.id].basis is story.content_state:
            story.content_state, content = early[story.id].state, early[story.id].content
        else:
            story.content_state, content = updated_content(story.content_state, added.get(story.id, ()),
                                                           story.centroid)
        story.title = content.title or story.title
        story.summary = content.summary
        story.key_numbers = content.key_numbers
        story.entities = content.entities
        story.event = content.event
        title_terms = sorted(story.centroid.get("title", {}).items(), key=lambda tv: (-tv[1], tv[0]))
        story.key_terms = " ".join(term for term, _ in title_terms[:20])
