"""Which story an article belongs to: online, incremental clustering against an index of recent stories.

Copies join their original's story; otherwise the candidates sharing index keys are scored
(store.similarity) and the best one at or above `min_similarity` takes the article, or it founds a
story. An article matching two stories strongly (≥ `merge_similarity`) merges them. A neighbouring
story of one article gets a second chance against the story the article joins (`adopt_lone_neighbours`).
Every choice is ordered by score, then id, so the same articles in the same order always give the same
stories.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from newsflow_shared.contracts.base import stable_id
from sqlmodel import Session, col, select, update

from store import story_keys
from store.features import Features
from store.models import Article, Story, StoryMerge
from store.similarity import (CENTROID_FIELDS, ArticleVectors, CentroidView, Score, add_to_centroid, merge_centroids,
                              score_view)
from store.story_states import StoryRow, StoryState

if TYPE_CHECKING:
    from store.batch_index import BatchIndex

MAX_MERGE_HOPS = 20


@dataclass(frozen=True)
class Matching:
    """How alike an article and a recent story must be for the article to join (or merge) them."""

    window: timedelta = timedelta(hours=72)
    min_similarity: float = 0.18  # the labelled set groups perfectly from 0.15 to 0.2
    merge_similarity: float = 0.55
    max_candidates: int = 10
    adopt_lone_neighbours: bool = True  # see adopt_lone_neighbours


DEFAULT_MATCHING = Matching()


@dataclass
class Placement:
    story: StoryState
    score: float | None = None
    copy_of: str | None = None
    absorbed: list[StoryState] = field(default_factory=list)


def article_time(article: Article) -> datetime:
    return article.published_at or article.fetched_at


def story_title(article: Article) -> str:
    return article.title or article.description or article.canonical_url


def founded_id(article_id: str) -> str:
    """The id of the story an article founds: the same article always founds the same id."""
    return stable_id("story", article_id)


def rank(article: ArticleVectors, stories: list[StoryState], *, at: datetime) -> list[tuple[Score, StoryState]]:
    """Candidates by score, best first; equal scores go to the smaller id, never to row order."""
    scored = []
    for story in stories:
        latest = story.last_published_at or story.created_at
        gap = (at - latest).total_seconds() / 3600
        scored.append((score_view(article, story.view, gap_hours=gap), story))
    scored.sort(key=lambda pair: (-pair[0].value, pair[1].id))
    return scored


def place_article(
    session: Session, article: Article, vectors: ArticleVectors, *, lookup: dict[str, float], now: datetime,
    matching: Matching = DEFAULT_MATCHING, index: "BatchIndex",
) -> Placement:
    """Choose the article's story; a new story starts at version 0, unpublished. Candidates are looked up
    by `lookup` (story_keys.article_keys: the index keys and more)."""
    original = index.fingerprints.find_original(article)
    if original is not None:
        return Placement(index.stories.live(original.story_id), copy_of=original.id)
    at = article_time(article)
    ids = index.keys.candidates(lookup, since=at - matching.window, limit=matching.max_candidates)
    stories = [story for story in index.stories.many(ids) if story.merged_into is None]
    eligible = [(s, story) for s, story in rank(vectors, stories, at=at) if s.value >= matching.min_similarity]
    if not eligible:
        return Placement(create_story(session, article, now=now, index=index))
    best_score, best = eligible[0]
    placement = Placement(best, score=best_score.value)
    if best_score.value >= matching.merge_similarity:
        for other_score, other in eligible[1:]:
            if other_score.value >= matching.merge_similarity:
                merge_into_placement(session, placement, other.id, article_id=article.id,
                                     score=other_score.value, now=now, index=index)
    if matching.adopt_lone_neighbours:  # the other stories it matches (≥ min_similarity)
        adopt_lone_neighbours(session, placement, article, vectors, [story for _, story in eligible[1:]], at=at,
                              now=now, matching=matching, index=index)
    return placement


def adopt_lone_neighbours(session: Session, placement: Placement, article: Article, vectors: ArticleVectors,
                          neighbours: list[StoryState], *, at: datetime, now: datetime, matching: Matching,
                          index: "BatchIndex") -> None:
    """Merge into the article's story the other stories it matches that are one article each, when that
    article matches the story they now form.

    An article matching two stories merges them only at merge_similarity (0.55): two established stories
    need strong evidence. A story of one article is different: it is a placement made before this
    article arrived, against a smaller story (or none). A follow-up scoring 0.15 against an event's first
    report but 0.25 against the first two founds a story of its own when it arrives second, and the
    event's later articles, matching it at 0.2-0.3, join the bigger story and never merge the two: the
    stories depended on arrival order. So when this article also matches (≥ min_similarity) a story of
    one article, that article (a one-article story's centroid is its features) is scored against the
    joined story as it will be with this article, with the batch's frequencies (its own terms already
    counted; those the batch did not read count as unseen, as a centroid's do), and at or above
    min_similarity the two merge: two links at the joining threshold, much as if it had arrived now.
    The second link alone (any lone candidate scoring ≥ min_similarity against the grown story) also
    merged neighbouring events in the labelled set (two wildfires, at 0.180 where an arrival scores 0.136).
    """
    view: CentroidView | None = None
    latest = at
    for neighbour in neighbours:
        lone = index.stories.live(neighbour.id)
        if lone.id == placement.story.id or lone.article_count != 1:
            continue
        if view is None:
            story = placement.story
            view = CentroidView(add_to_centroid(story.centroid, vectors.features))
            latest = max(t for t in (story.last_published_at, at) if t is not None)
        features = Features(**{name: lone.centroid.get(name, {}) for name in CENTROID_FIELDS})
        when = lone.last_published_at or lone.created_at
        score = score_view(ArticleVectors.of(features, vectors.stats), view,
                           gap_hours=(when - latest).total_seconds() / 3600)
        if score.value >= matching.min_similarity:
            merge_into_placement(session, placement, lone.id, article_id=article.id, score=score.value, now=now,
                                 index=index)
            view = None  # the survivor now holds the adopted article too


def merge_into_placement(session: Session, placement: Placement, other_id: str, *, article_id: str,
                         score: float, now: datetime, index: "BatchIndex") -> None:
    other = index.stories.live(other_id)
    if other.id == placement.story.id:
        return
    survivor, absorbed = sorted((placement.story, other), key=seniority)
    index.stories.lock([survivor, absorbed])  # the bulk updates below write their rows' articles now
    index.flush()  # the bulk updates below must see the batch's articles
    index.keys.forget()  # move_keys below reads and rewrites the absorbed story's rows in the database
    merge_stories(session, survivor=survivor, absorbed=absorbed, article_id=article_id, score=score, now=now)
    placement.story = survivor
    placement.absorbed.append(absorbed)


def seniority(story: StoryState) -> tuple:
    """The survivor of a merge is the bigger story, then the older one: the id readers most likely saw."""
    return (-story.article_count, story.created_at, story.id)


def create_story(session: Session, article: Article, *, now: datetime, index: "BatchIndex") -> StoryState:
    story_id = founded_id(article.id)
    # A re-cluster may have emptied the story this article once founded: reuse the row, keep its versions.
    state = index.stories.get(story_id)
    if state is None:
        return index.stories.add(StoryRow(id=story_id, title=story_title(article), created_at=now, updated_at=now))
    index.stories.lock([state])
    state.merged_into = None
    state.centroid = {}
    return state


def join_story(story: StoryState, article: Article, features: Features, *, keys: dict[str, float],
               copy_of: str | None = None, index: "BatchIndex") -> None:
    """Add the article to the story's centroid, index and fingerprints (its row points at the story)."""
    article.story_id = story.id
    article.is_copy = copy_of is not None
    article.copy_of = copy_of
    story.centroid = add_to_centroid(story.centroid, features)
    story.article_count += 1  # as the coverage recount will find it: placement reads it within the batch
    at = article_time(article)
    if story.last_published_at is None or at > story.last_published_at:
        story.last_published_at = at
    index.add_article(article)
    index.keys.add(story.id, keys, seen=at)
    index.fingerprints.add(article)


def merge_stories(session: Session, *, survivor: StoryState, absorbed: StoryState, article_id: str | None,
                  score: float, now: datetime) -> None:
    """Move every article and key of `absorbed` to `survivor`; the absorbed id stays resolvable."""
    session.exec(update(Article).where(col(Article.story_id) == absorbed.id).values(story_id=survivor.id))
    story_keys.move_keys(session, absorbed_id=absorbed.id, survivor_id=survivor.id)
    survivor.centroid = merge_centroids(survivor.centroid, absorbed.centroid)
    survivor.article_count += absorbed.article_count
    absorbed.article_count = 0
    latest = [t for t in (survivor.last_published_at, absorbed.last_published_at) if t is not None]
    survivor.last_published_at = max(latest, default=None)
    absorbed.centroid = {}
    absorbed.merged_into = survivor.id
    # Earlier merges into the absorbed story now point straight at the survivor: one hop to resolve.
    session.exec(update(Story).where(col(Story.merged_into) == absorbed.id).values(merged_into=survivor.id))
    session.add(StoryMerge(absorbed_id=absorbed.id, survivor_id=survivor.id, article_id=article_id,
                           score=score, merged_at=now))
    session.flush()


def resolve_story_id(session: Session, story_id: str) -> str | None:
    """The live story an id now stands for (itself, or the story it was merged into); None if unknown."""
    for _ in range(MAX_MERGE_HOPS):
        row = session.exec(select(Story.id, Story.merged_into).where(Story.id == story_id)).first()
        if row is None:
            return None
        if row[1] is None:
            return story_id
        story_id = row[1]
    return story_id
