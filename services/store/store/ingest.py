"""Extracted articles into the database: upsert them and their outlets, place each in a story, recount the
stories they touched, all in one transaction per batch.

Returns, per message, the StoryUpdated(s) to publish once the transaction has committed. A redelivered
identical message changes nothing and returns its story's current state again, so an update lost to a
crash between commit and publish is published on the retry (same version, same message id).
"""

import enum
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain

import structlog
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.story_updates import Coverage, StoryChange, StoryUpdated
from newsflow_shared.delivery import InvalidMessage
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from store import locks
from store.admission import admitted, as_utc
from store.batch_index import BatchIndex
from store.content import ContentRow, Early, content_row, content_rows, early_content, refresh_content, untrusted
from store.copies import fingerprint_keys
from store.coverage import (Arrival, article_counts, read_outlets, record_change, recount, stories_updated, story_tallies,
                            story_updated)
from store.features import Features, article_features, text_hash
from store.filters import one_of
from store.idf import TermStats, weighted_terms
from store.metrics import BATCH_PHASE_SECONDS, timed
from store.models import Article, Source, Story, built
from store.overlap import meanwhile
from store.similarity import ArticleVectors, add_to_centroid
from store.sources import latest_descriptions, upsert_source
from store.stories import DEFAULT_MATCHING, Matching, founded_id, join_story, place_article
from store.story_cache import StoryCache, cache_for
from store.story_keys import article_keys
from store.story_states import StaleStory, StoryRow, StoryState, story_rows_update

log = structlog.get_logger(__name__)

ATTEMPTS = 5  # a unique-key race or a deadlock is settled by re-running the transaction
# Deadlock detected, serialization failure, and the server ending a transaction left idle too long (this
# process was paused): the next attempt takes a fresh connection (the engine's pool_pre_ping).
RETRYABLE_SQLSTATES = {"40P01", "40001", "25P03"}
# When several changes reach a story in one transaction, the message names the most telling one.
CHANGE_PRIORITY = [StoryChange.MERGED, StoryChange.ARTICLE_ADDED, StoryChange.COVERAGE_CHANGED]


class Outcome(enum.StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Ingested:
    outcome: Outcome
    update: StoryUpdated | None
    merged: tuple[StoryUpdated, ...] = ()  # stories this article's arrival merged away

    @property
    def updates(self) -> list[StoryUpdated]:
        return [*self.merged, *([self.update] if self.update else [])]


def ingest_article(
    engine: Engine, message: ArticleExtracted, *, now: datetime, matching: Matching = DEFAULT_MATCHING
) -> Ingested:
    """Store one message in its own transaction (raises InvalidMessage for what no retry can store)."""
    [result] = ingest_articles(engine, [message], now=now, matching=matching)
    if isinstance(result, InvalidMessage):
        raise result
    return result


def ingest_articles(
    engine: Engine, messages: Sequence[ArticleExtracted], *, now: datetime, matching: Matching = DEFAULT_MATCHING
) -> list[Ingested | InvalidMessage]:
    """Store a batch in one transaction; an unstorable message gets its InvalidMessage, the rest proceed."""
    results: list[Ingested | InvalidMessage | None] = [None] * len(messages)
    storable: list[tuple[int, ArticleExtracted]] = []
    for index, message in enumerate(messages):
        try:
            message = admitted(message)
        except InvalidMessage as exc:
            results[index] = exc
            continue
        if message.is_article:
            storable.append((index, message))
        else:
            results[index] = Ingested(Outcome.SKIPPED, None)
    if storable:
        written = run_transaction(engine, [m for _, m in storable], now=now, matching=matching)
        for (index, _), ingested in zip(storable, written, strict=True):
            results[index] = ingested
    return results  # type: ignore[return-value]


def run_transaction(
    engine: Engine, messages: list[ArticleExtracted], *, now: datetime, matching: Matching
) -> list[Ingested]:
    cache = cache_for(engine)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin() as transaction:
                ingested, stories = write_articles(session, messages, now=now, matching=matching, cache=cache)
                with timed("commit"):
                    transaction.commit()
            remember(cache, stories)  # committed: these versions are now everyone's
            return ingested
        except StaleStory as exc:
            if attempt == ATTEMPTS:
                raise
            log.info("a story changed under the batch; re-running the transaction",
                     articles=len(messages), attempt=attempt, error=str(exc))
        except DBAPIError as exc:
            retryable = isinstance(exc, IntegrityError) or getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
            if not retryable or attempt == ATTEMPTS:
                raise
            log.info("a concurrent write or an ended session; re-running the transaction",
                     articles=len(messages), attempt=attempt, error=str(exc.orig))
    raise AssertionError("unreachable")


def remember(cache: StoryCache, stories: list[StoryState]) -> None:
    for state in stories:
        if state.row is not None:
            cache.put(state.id, state.row.version, state.view, state.row.content_state, written=True)


@dataclass
class Batch:
    """What one transaction has changed so far: stories touched (with their strongest change) and merges."""

    changes: dict[str, StoryChange] = field(default_factory=dict)
    last_article: dict[str, str] = field(default_factory=dict)
    stories: dict[str, StoryRow | Story | StoryState] = field(default_factory=dict)  # rows once locked
    merged_by: dict[str, list[str]] = field(default_factory=dict)  # article id → absorbed story ids
    announced: dict[str, StoryUpdated] = field(default_factory=dict)  # story id → its update, built once
    added: dict[str, list[ContentRow]] = field(default_factory=dict)  # story id → articles it gained
    arrived: dict[str, list[Arrival]] = field(default_factory=dict)  # the same, as its coverage tally counts them
    counted: dict[str, tuple[Coverage, list[str]]] = field(default_factory=dict)  # recounted coverage, sources
    rebuild: set[str] = field(default_factory=set)  # stories whose content must be recomputed from all rows

    def update_of(self, session: Session, story: Story) -> StoryUpdated:
        if story.id not in self.announced:
            self.announced[story.id] = story_updated(session, story)
        return self.announced[story.id]

    def prepare_updates(self, session: Session, stories: list[Story]) -> None:
        """Build the updates of many stories at once (two queries instead of two per story)."""
        wanted = list({story.id: story for story in stories if story.id not in self.announced}.values())
        if wanted:
            self.announced.update(stories_updated(session, wanted, self.counted))

    def joined(self, story: StoryState, article: Article, features: Features) -> None:
        self.added.setdefault(story.id, []).append(content_row(article, features))
        self.arrived.setdefault(story.id, []).append(Arrival(article.id, article.source_id, article.published_at,
                                                             article.fetched_at, article.url, article.is_copy))

    def touch(self, story: Story | StoryState, change: StoryChange, article_id: str) -> None:
        self.stories[story.id] = story
        current = self.changes.get(story.id)
        if current is None or CHANGE_PRIORITY.index(change) < CHANGE_PRIORITY.index(current):
            self.changes[story.id] = change
        self.last_article[story.id] = article_id


def write_articles(
    session: Session, messages: list[ArticleExtracted], *, now: datetime, matching: Matching,
    cache: StoryCache | None = None,
) -> tuple[list[Ingested], list[StoryState]]:
    """The transaction's body; the caller owns commit and retry. Returns what to announce, and the
    stories written (for the centroid cache, once committed).

    Reads what the whole batch needs up front (articles, outlets, index rows, fingerprints, the
    candidate stories) and writes index rows, fingerprints, term counts and stories once at the end;
    articles are placed one by one, in message order, each seeing what the earlier ones changed.
    """
    with timed("features"):
        features = {m.article_id: article_features(m) for m in messages}
    with timed("read"):
        index, stats, keys, lookups, existing = read_batch(session, messages, features, now=now, matching=matching,
                                                          cache=cache)
    batch = Batch()
    # No autoflush while placing: the batch's rows go out in one flush at the end instead of before
    # every query (the index answers from memory; merges flush explicitly before their bulk updates).
    with timed("place"), session.no_autoflush:
        outcomes = place_all(session, messages, features, stats, existing, keys=keys, lookups=lookups, batch=batch,
                             now=now, matching=matching, index=index)
    written = finish(session, batch, index, now=now, stats=stats)
    with timed("announce"):
        live = {article.id: index.stories.live(article.story_id).id for _, article in outcomes}
        unchanged = index.stories.read(story_id for story_id in live.values() if story_id not in batch.stories)
        rows = {**unchanged, **batch.stories}
        batch.prepare_updates(session, list(rows.values()))
        ingested = [announce(session, outcome, article.id, rows[live[article.id]], batch)
                    for outcome, article in outcomes]
    return ingested, written


def read_batch(
    session: Session, messages: list[ArticleExtracted], features: dict[str, Features], *, now: datetime,
    matching: Matching, cache: StoryCache | None,
) -> tuple[BatchIndex, TermStats, dict[str, dict[str, float]], dict[str, dict[str, float]], dict[str, Article]]:
    """Lock the batch's keys, write its outlets, and read what placing it needs: the term counts, the
    articles stored under its URLs (locked) and the index around it. Returns the index, the counts, each
    article's index keys and lookup keys, and the stored articles by URL."""
    stats = TermStats.load(session, chain.from_iterable(weighted_terms(f) for f in features.values()))
    both = {m.article_id: article_keys(features[m.article_id], stats) for m in messages}
    keys = {article_id: index for article_id, (index, _) in both.items()}
    lookups = {article_id: lookup for article_id, (_, lookup) in both.items()}
    fingerprints = [fingerprint_keys(m.simhash, text_hash(m.text)) for m in messages]
    locks.lock_keys(session, chain(chain.from_iterable(lookups.values()), chain.from_iterable(fingerprints)))
    sources = latest_descriptions((m.source, as_utc(m.fetched_at)) for m in messages)
    # Read the outlets in one query; held here because the identity map keeps only referenced rows.
    known = session.exec(select(Source).where(one_of(session, col(Source.id), [s.id for s, _ in sources]))).all()
    for source, fetched_at in sources:  # a fetcher's clock running ahead must not pin an outlet's description
        upsert_source(session, source, now=now, described_at=min(fetched_at, now))
    del known
    urls = sorted({m.canonical_url for m in messages})
    existing = {a.canonical_url: a for a in session.exec(
        select(Article).where(one_of(session, col(Article.canonical_url), urls)).order_by(Article.canonical_url).with_for_update()
    ).all()}
    times = {m.article_id: as_utc(m.published_at) or as_utc(m.fetched_at) for m in messages}
    index = BatchIndex(session, since=min(times.values()) - matching.window,
                       index_keys=chain.from_iterable(lookups.values()), fingerprint_keys=chain.from_iterable(fingerprints),
                       cache=cache or StoryCache())
    index.stories.prefetch(likely_stories(index, messages, lookups, times, existing.values(), matching))
    return index, stats, keys, lookups, existing


def likely_stories(index: BatchIndex, messages: list[ArticleExtracted], keys: dict[str, dict[str, float]],
                   times: dict[str, datetime], existing: Iterable[Article], matching: Matching) -> set[str]:
    """The stories the batch will most likely read, to read them in one go: each article's candidates
    as the index stands before the batch, the stories it would found, its stored version's story and
    those of the articles it may copy."""
    wanted = {a.story_id for a in existing if a.story_id}
    wanted |= {a.story_id for found in index.fingerprints.articles.values() for a in found.values() if a.story_id}
    for m in messages:
        wanted.add(founded_id(m.article_id))
        wanted.update(index.keys.candidates(keys[m.article_id], since=times[m.article_id] - matching.window,
                                            limit=matching.max_candidates))
    return wanted


def finish(session: Session, batch: Batch, index: BatchIndex, *, now: datetime,
           stats: TermStats | None = None) -> list[StoryState]:
    """Write the batch's articles and index rows, lock the stories it changed, then recount, re-summarise
    and write them. The content of the stories articles joined is computed while the database works
    (store.overlap), from the states cached for the versions read; the lock checks those versions, so
    such content stands unless the story is rebuilt. The term counts are written during the recount."""
    touched = [state for state in batch.stories.values() if isinstance(state, StoryState)]
    cached = cached_contents(touched, batch, index.stories.cache)  # read here: the helper uses the cache too

    def write_and_lock() -> None:
        index.flush()  # articles before the fingerprints that refer to them
        index.write()
        index.stories.lock(touched)

    with timed("write"):
        with meanwhile(session, write_and_lock) as overlap:
            early = early_content(cached, batch.added)
        for state in touched:
            batch.stories[state.id] = state.apply()
    BATCH_PHASE_SECONDS.labels(phase="write_wait").observe(overlap.waited)
    finish_stories(session, batch, now=now, early=early, stats=stats)
    return touched


def cached_contents(touched: list[StoryState], batch: Batch, cache: StoryCache) -> list[tuple[str, dict, dict]]:
    """(id, content state, centroid) of the stories that gained articles, of which the state is at hand:
    founded in this batch, or cached for the version read. Not for rebuilt or merged-away stories."""
    found = []
    for state in touched:
        if state.id not in batch.added or state.id in batch.rebuild or state.merged_into is not None:
            continue
        if state.row is not None:
            basis = state.row.content_state
        else:
            entry = cache.get(state.id, state.version)
            basis = entry.content_state if entry is not None else None
        if basis is not None:
            found.append((state.id, basis, state.centroid))
    return found


def place_all(
    session: Session, messages: list[ArticleExtracted], features: dict[str, Features], stats: TermStats,
    existing: dict[str, Article], *, keys: dict[str, dict[str, float]], lookups: dict[str, dict[str, float]],
    batch: Batch, now: datetime, matching: Matching, index: BatchIndex,
) -> list[tuple[Outcome, Article]]:
    outcomes = []
    for message in messages:
        outcome, article = write_article(session, message, features[message.article_id], stats,
                                         existing.get(message.canonical_url), keys=keys[message.article_id],
                                         lookup=lookups[message.article_id], batch=batch, now=now,
                                         matching=matching, index=index)
        existing[message.canonical_url] = article
        outcomes.append((outcome, article))
    return outcomes


def write_article(
    session: Session, message: ArticleExtracted, features: Features, stats: TermStats, article: Article | None,
    *, keys: dict[str, float], lookup: dict[str, float], batch: Batch, now: datetime,
    matching: Matching, index: BatchIndex,
) -> tuple[Outcome, Article]:
    if article is None:
        article = new_article(message, features, now=now)
        placement = place_article(session, article, ArticleVectors.of(features, stats), lookup=lookup, now=now,
                                  matching=matching, index=index)
        join_story(placement.story, article, features, keys=keys, copy_of=placement.copy_of, index=index)
        batch.joined(placement.story, article, features)
        stats.count(features)
        for absorbed in placement.absorbed:
            batch.touch(absorbed, StoryChange.MERGED, article.id)
            batch.merged_by.setdefault(article.id, []).append(absorbed.id)
            batch.rebuild.add(placement.story.id)
        change = StoryChange.MERGED if placement.absorbed else StoryChange.ARTICLE_ADDED
        batch.touch(placement.story, change, article.id)
        return Outcome.INSERTED, article
    if article.content_hash == message.content_hash and article.story_id:
        return Outcome.UNCHANGED, article
    story = index.stories.live(article.story_id) if article.story_id else None
    if story is not None:
        story.centroid = add_to_centroid(story.centroid, Features.from_json(article.features), sign=-1.0)
        story.article_count -= 1  # join_story below counts it again
    for name, value in article_fields(message, features).items():
        setattr(article, name, value)
    article.updated_at = now
    if story is None:
        placement = place_article(session, article, ArticleVectors.of(features, stats), lookup=lookup, now=now,
                                  matching=matching, index=index)
        story = placement.story
    join_story(story, article, features, keys=keys, copy_of=article.copy_of, index=index)
    batch.rebuild.add(story.id)
    batch.touch(story, StoryChange.COVERAGE_CHANGED, article.id)
    return Outcome.UPDATED, article


def finish_stories(session: Session, batch: Batch, *, now: datetime, early: dict[str, Early] | None = None,
                   stats: TermStats | None = None) -> None:
    """Recount and re-summarise every story the batch touched, then bump each one's version once: what both
    need is read first (the stories' article counts, the rows of those their kept state does not account
    for, their outlets' ratings), and the rest is computed from it (or was, `early`) while the term counts,
    if any, are written (the story rows are locked by then: writers take the term rows after their
    stories, all in one order)."""
    stories = [batch.stories[story_id] for story_id in sorted(batch.stories)]
    if not stories:
        if stats is not None:
            stats.save(session)
        return
    with timed("recount"):
        for story in stories:
            if isinstance(story, Story) and story in session:
                session.expunge(story)  # written below in one statement, not by the unit of work
        counts = article_counts(session, [story.id for story in stories])
        distrusted = untrusted(stories, batch.added, batch.rebuild, counts)
        tallies = story_tallies(session, stories, batch.arrived, counts, set(distrusted))
        outlets = read_outlets(session, (source_id for tally in tallies.values() for source_id in tally.sources))
        rebuilt = content_rows(session, distrusted)
        with meanwhile(session, partial(stats.save, session)) if stats is not None else nullcontext() as overlap:
            batch.counted = recount(stories, tallies, outlets)
            refresh_content(stories, batch.added, rebuilt, early)  # an absorbed story's is emptied
            for story in stories:
                story.content_state = {**story.content_state, "coverage": tallies[story.id].as_json()}
                record_change(story, batch.changes[story.id], article_id=batch.last_article[story.id], now=now)
            update = story_rows_update(session, stories)
    if overlap is not None:
        BATCH_PHASE_SECONDS.labels(phase="recount_wait").observe(overlap.waited)
    with timed("story_update"):
        session.execute(*update)


def announce(session: Session, outcome: Outcome, article_id: str, story: Story, batch: Batch) -> Ingested:
    absorbed = batch.merged_by.get(article_id)
    if absorbed is None and outcome is Outcome.UNCHANGED:
        # A redelivery re-announces the merges its first delivery caused, in case those were lost.
        absorbed = session.exec(
            select(Story.id).where(Story.last_article_id == article_id, col(Story.merged_into).is_not(None))
        ).all()
    merged = tuple(batch.update_of(session, batch.stories.get(story_id) or session.get(Story, story_id))
                   for story_id in sorted(absorbed or []))
    return Ingested(outcome, batch.update_of(session, story), merged)


def new_article(message: ArticleExtracted, features: Features, *, now: datetime) -> Article:
    return built(Article, id=message.article_id, **article_fields(message, features), created_at=now, updated_at=now,
                 story_id=None, is_copy=False, copy_of=None)


def article_fields(message: ArticleExtracted, features: Features) -> dict:
    return {
        "canonical_url": message.canonical_url,
        "url": message.url,
        "feed_url": message.feed_url,
        "source_id": message.source.id,
        "content_hash": message.content_hash,
        "title": message.title,
        "description": message.description,
        "text": message.text,
        "authors": list(message.authors),
        "language": message.language,
        "site_name": message.site_name,
        "image": message.image,
        "word_count": message.word_count,
        "published_at": as_utc(message.published_at),
        "fetched_at": as_utc(message.fetched_at),
        "extracted_at": as_utc(message.extracted_at),
        "simhash": message.simhash,
        "text_hash": text_hash(message.text),
        "features": features.as_json(),
        "entities": [e.model_dump(mode="json", exclude={"offsets"}) for e in message.entities],
        "quantities": [q.model_dump(mode="json") for q in message.quantities],
        "events": [e.model_dump(mode="json") for e in message.events],
    }
