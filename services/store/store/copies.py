"""Syndicated copies: the same text on several sites is found by fingerprint and always joins the original."""

from sqlmodel import Session, col, select

from store.features import hamming, simhash_bands
from store.models import Article, Fingerprint
from store.upserts import upsert

MAX_HAMMING = 3  # SimHash bits that may differ between a copy and its original


def fingerprint_keys(simhash: str | None, text_hash: str | None) -> list[str]:
    keys = simhash_bands(simhash)
    if text_hash:
        keys.append(f"t:{text_hash}")
    return keys


def find_original(session: Session, article: Article) -> Article | None:
    """The earliest stored article this one copies (same normalised text, or SimHash within 3 bits)."""
    keys = fingerprint_keys(article.simhash, article.text_hash)
    if not keys:
        return None
    # IN, not a join with DISTINCT: PostgreSQL cannot compare the article's plain JSON columns.
    sharing = select(Fingerprint.article_id).where(col(Fingerprint.key).in_(keys))
    found = session.exec(
        select(Article).where(col(Article.id).in_(sharing), col(Article.id) != article.id,
                              col(Article.story_id).is_not(None))
    ).all()
    return earliest_original(session, article, list(found))


def earliest_original(session: Session, article: Article, found: list[Article],
                      known: dict[str, Article] | None = None) -> Article | None:
    """Of the stored articles sharing a fingerprint with `article`, the original it copies, if any."""
    copies = [other for other in found if is_copy(article, other)]
    if not copies:
        return None
    first = min(copies, key=lambda a: (a.published_at or a.fetched_at, a.id))
    if first.copy_of:
        return (known or {}).get(first.copy_of) or session.get(Article, first.copy_of) or first
    return first


def is_copy(article: Article, other: Article) -> bool:
    if article.text_hash and article.text_hash == other.text_hash:
        return True
    return bool(article.simhash and other.simhash and hamming(article.simhash, other.simhash) <= MAX_HAMMING)


def upsert_fingerprints(session: Session, pairs: list[tuple[str, str]]) -> None:
    """(key, article id) pairs, sorted."""
    upsert(session, Fingerprint.__table__, [{"key": key, "article_id": article_id} for key, article_id in pairs],
           keys=["key", "article_id"])
