"""`python -m store.recluster --since … --until …`: cluster a time range again from the stored articles
(after tuning the matching), with a progress line. `--refeature` first computes the range's articles'
features again from their rows (after a change to how features are read, such as the CJK letter pairs).

The range's articles are taken out of their stories, the stories they leave behind are rebuilt from
their remaining articles, then the range is placed again in publication order by the same code the
writer runs. A story the range emptied is recorded as merged into the story most of its articles
went to, so its id stays resolvable. Every story a transaction changes gets a new version, and its
StoryUpdated is published on the story-update stream once that transaction has committed, as the
writer publishes (REDIS_URL; nothing is published, nor Redis contacted, when nothing changed).
"""

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from newsflow_shared.contracts.enrichment import Entity, Event, Quantity
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from newsflow_shared.logs import configure_logging
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select, update

from store import copies, locks, story_keys
from store.announcements import UpdatePublisher, announced
from store.batch_index import BatchIndex
from store.db import make_engine
from store.features import Features, article_features, text_hash
from store.idf import TermStats, weighted_terms
from store.ingest import Batch, finish, finish_stories, remember
from store.migrate import usable_for_command
from store.models import Article, Fingerprint, Story, StoryMerge
from store.settings import StoreSettings
from store.similarity import ArticleVectors, add_to_centroid
from store.stories import Matching, article_time, join_story, place_article
from store.story_cache import StoryCache, cache_for
from store.story_states import StoryState

CHUNK = 200


def article_clock() -> sa.ColumnElement:
    return sa.func.coalesce(col(Article.published_at), col(Article.fetched_at))


Publish = Callable[[list[StoryUpdated]], None]


def recluster(engine: Engine, *, since: datetime, until: datetime, matching: Matching, now: datetime,
              progress: Callable[[int, int], None] = lambda done, total: None,
              publish: Publish = lambda updates: None, refeature: bool = False) -> dict[str, int]:
    """Re-place every article published in [since, until); returns counts for the report.

    `publish` gets the updates of the stories each transaction changed, right after it commits. `refeature`:
    compute the range's features (and text hashes) again from the rows first.
    """
    published = 0

    def committed(updates: list[StoryUpdated]) -> None:
        nonlocal published
        if updates:
            publish(updates)
            published += len(updates)

    with Session(engine, expire_on_commit=False) as session, session.begin():
        in_range = sa.and_(article_clock() >= since, article_clock() < until)
        rows = session.exec(select(Article.id, Article.story_id).where(in_range)
                            .order_by(article_clock(), col(Article.id))).all()
        ids = [article_id for article_id, _ in rows]
        refeatured = refeature_articles(session, ids) if refeature else 0
        before: dict[str, list[str]] = defaultdict(list)
        for article_id, story_id in rows:
            if story_id:
                before[story_id].append(article_id)
        updates = detach(session, ids, sorted(before), now=now)
    committed(updates)
    done, cache = 0, cache_for(engine)
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first:first + CHUNK]
        with Session(engine, expire_on_commit=False) as session, session.begin():
            written, updates = place_again(session, chunk, matching=matching, now=now, cache=cache)
        remember(cache, written)
        committed(updates)
        done += len(chunk)
        progress(done, len(ids))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        emptied, updates = redirect_emptied(session, before, now=now)
    committed(updates)
    return {"articles": len(ids), "stories_before": len(before), "stories_emptied": emptied, "updates": published,
            "refeatured": refeatured}


def refeature_articles(session: Session, article_ids: list[str]) -> int:
    """Compute the articles' features and text hashes again from their rows, and move their document
    frequencies from the old terms to the new ones; returns how many articles' features changed."""
    changed, delta = 0, Counter()
    for first in range(0, len(article_ids), 1000):
        for article in session.exec(select(Article).where(col(Article.id).in_(article_ids[first:first + 1000]))):
            old, new = Features.from_json(article.features), stored_features(article)
            article.text_hash = text_hash(article.text)
            if new.as_json() == old.as_json():
                continue
            changed += 1
            article.features = new.as_json()
            delta.update(weighted_terms(new))
            delta.subtract(weighted_terms(old))
        session.flush()  # written rows are held only weakly by the session: a long range does not pile up
    stats = TermStats.load(session, delta)
    # Never below 0, should a term's row count fewer articles than held it (a table rebuilt by hand).
    stats.pending = {term: max(n, -stats.frequencies.get(term, 0)) for term, n in delta.items()}
    stats.pending = {term: n for term, n in stats.pending.items() if n}
    stats.save(session)
    return changed


def stored_features(article: Article) -> Features:
    """An article's features as the writer computes them today, from what its row keeps of its message."""
    message = ArticleExtracted.model_construct(
        title=article.title, description=article.description, text=article.text,
        entities=[Entity.model_validate(e) for e in article.entities],
        # A non-finite figure was stored as null: no figure, as quantities_of decides for a message.
        quantities=[Quantity.model_validate(q) for q in article.quantities if q.get("value") is not None],
        events=[Event.model_validate(e) for e in article.events],
    )
    return article_features(message)


def detach(session: Session, article_ids: list[str], story_ids: list[str], *, now: datetime) -> list[StoryUpdated]:
    """Take the articles out of their stories; rebuild those stories' centroids and keys from the rest."""
    for first in range(0, len(article_ids), 1000):
        part = article_ids[first:first + 1000]
        session.exec(delete(Fingerprint).where(col(Fingerprint.article_id).in_(part)))
        session.exec(update(Article).where(col(Article.id).in_(part))
                     .values(story_id=None, is_copy=False, copy_of=None))
    story_keys.drop_keys(session, story_ids)
    remaining = session.exec(select(Article).where(col(Article.story_id).in_(story_ids))).all()
    stats = TermStats.load(session, (t for a in remaining for t in weighted_terms(Features.from_json(a.features))))
    stories = {s.id: s for s in session.exec(select(Story).where(col(Story.id).in_(story_ids))).all()}
    for story in stories.values():
        story.centroid = {}
        story.last_published_at = None
    for article in remaining:
        story, features = stories[article.story_id], Features.from_json(article.features)
        story.centroid = add_to_centroid(story.centroid, features)
        at = article_time(article)
        story.last_published_at = max(filter(None, [story.last_published_at, at]))
        story_keys.add_keys(session, story.id, story_keys.index_keys(features, stats), seen=at)
    batch = Batch()
    for story in stories.values():
        batch.touch(story, StoryChange.COVERAGE_CHANGED, story.last_article_id or "")
    finish_stories(session, batch, now=now)
    return announced(session, batch)


def place_again(session: Session, article_ids: list[str], *, matching: Matching, now: datetime,
                cache: StoryCache) -> tuple[list[StoryState], list[StoryUpdated]]:
    """Place the (detached) articles as the writer places new ones, in one batch; returns the stories
    written (for the cache) and their updates."""
    articles = session.exec(select(Article).where(col(Article.id).in_(article_ids))).all()
    articles = sorted(articles, key=lambda a: (article_time(a), a.id))
    features = {a.id: Features.from_json(a.features) for a in articles}
    stats = TermStats.load(session, (t for f in features.values() for t in weighted_terms(f)))
    # term_stat counts the range's articles already, and the writer weighed each one before counting it.
    # Counted, an article's own words look seen, become its look-up keys, and match no other story.
    own = {a.id: stats.without(features[a.id]) for a in articles}
    both = {a.id: story_keys.article_keys(features[a.id], own[a.id]) for a in articles}
    keys = {article_id: index for article_id, (index, _) in both.items()}
    lookups = {article_id: lookup for article_id, (_, lookup) in both.items()}
    fingerprints = [copies.fingerprint_keys(a.simhash, a.text_hash) for a in articles]
    locks.lock_keys(session, [k for ks in lookups.values() for k in ks] + [k for fs in fingerprints for k in fs])
    index = BatchIndex(session, since=min(article_time(a) for a in articles) - matching.window,
                       index_keys=(k for ks in lookups.values() for k in ks),
                       fingerprint_keys=(k for fs in fingerprints for k in fs), cache=cache)
    batch = Batch()
    with session.no_autoflush:
        for article in articles:
            placement = place_article(session, article, ArticleVectors.of(features[article.id], own[article.id]),
                                      lookup=lookups[article.id], now=now, matching=matching, index=index)
            join_story(placement.story, article, features[article.id], keys=keys[article.id],
                       copy_of=placement.copy_of, index=index)
            batch.joined(placement.story, article, features[article.id])
            for absorbed in placement.absorbed:
                batch.touch(absorbed, StoryChange.MERGED, article.id)
                batch.rebuild.add(placement.story.id)
            batch.touch(placement.story, StoryChange.MERGED if placement.absorbed else StoryChange.ARTICLE_ADDED,
                        article.id)
    written = finish(session, batch, index, now=now)
    return written, announced(session, batch)


def redirect_emptied(session: Session, before: dict[str, list[str]], *, now: datetime) -> tuple[int, list[StoryUpdated]]:
    """A story left without articles points at where most of them went, so links to it still resolve;
    both change (the successor's `merged_from` grows), as in a merge."""
    batch = Batch()
    for story_id in sorted(before):
        story = session.get(Story, story_id)
        if story is None or story.merged_into is not None or story.article_count > 0:
            continue
        went = Counter(session.exec(select(Article.story_id).where(col(Article.id).in_(before[story_id]))).all())
        target = min(went.items(), key=lambda item: (-item[1], item[0]))[0]
        if target == story_id:
            continue
        story.merged_into = target
        session.merge(StoryMerge(absorbed_id=story_id, survivor_id=target, article_id=None, score=0.0,
                                 merged_at=now))
        batch.touch(story, StoryChange.MERGED, story.last_article_id or "")
        survivor = batch.stories.get(target) or session.get(Story, target)
        batch.touch(survivor, StoryChange.MERGED, survivor.last_article_id or "")
    session.flush()
    finish_stories(session, batch, now=now)
    return sum(1 for story in batch.stories.values() if story.merged_into is not None), announced(session, batch)


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def print_progress(started: float) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\rre-clustered {done:,}/{total:,} articles ({100 * done / max(total, 1):.0f}%, "
                         f"{rate:,.0f}/s)")
        sys.stderr.flush()

    return show


def main(argv: list[str] | None = None, prog: str = "python -m store.recluster") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--since", type=parse_time, required=True, help="ISO time (UTC if no offset)")
    parser.add_argument("--until", type=parse_time, default=None, help="ISO time, default: now")
    parser.add_argument("--refeature", action="store_true",
                        help="compute the range's article features again from their rows first (after an upgrade "
                             "that changes how text is read into terms)")
    args = parser.parse_args(argv)
    until = args.until or datetime.now(UTC)
    if args.since >= until:
        parser.error(f"--since ({args.since.isoformat()}) must be before --until ({until.isoformat()})")
    settings = StoreSettings()
    configure_logging("store-recluster", level=settings.log_level, fmt=settings.log_format)
    matching = Matching(window=timedelta(hours=settings.story_window_h), min_similarity=settings.story_min_similarity,
                        merge_similarity=settings.story_merge_similarity)
    engine = make_engine(settings.database_url, writer=True, application_name="store-recluster",
                         idle_in_transaction_s=settings.idle_in_transaction_timeout_s)
    if not usable_for_command(engine, prog):
        engine.dispose()
        return 1
    publisher = UpdatePublisher(settings)
    try:
        counts = recluster(engine, since=args.since, until=until, matching=matching,
                           now=datetime.now(UTC), progress=print_progress(time.monotonic()), publish=publisher,
                           refeature=args.refeature)
    finally:
        publisher.close()
        engine.dispose()
    sys.stderr.write("\n")
    if args.refeature:
        print(f"features computed again for {counts['articles']:,} articles, {counts['refeatured']:,} changed")
    print(f"re-clustered {counts['articles']:,} articles from {counts['stories_before']:,} stories; "
          f"{counts['stories_emptied']:,} emptied stories now resolve to their successors; "
          f"{counts['updates']:,} story updates published")
    return 0


if __name__ == "__main__":
    sys.exit(main())
