"""Two writers describing one outlet at once, on PostgreSQL: the more recently fetched description stays,
whichever transaction commits last."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session
from store.models import Source
from store.sources import upsert_source
from store.testing import source_ref

from tests.integration.store.test_ratings_command import waiting_on_a_lock
from tests.support.polling import eventually_sync

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def test_an_older_description_waiting_on_a_newer_ones_lock_does_not_replace_it(engine: Engine) -> None:
    """Writer B reads the outlet as first stored, then waits on writer A's row lock; A stores a description
    fetched later than B's and commits. B's UPDATE then finds the newer one and writes nothing, and the
    outlet's ratings are A's."""
    with Session(engine) as session, session.begin():
        upsert_source(session, source_ref(bias="center"), now=NOW, described_at=NOW - timedelta(hours=2))
    a, b = Session(engine), Session(engine)
    try:
        a.begin()
        upsert_source(a, source_ref(bias="left"), now=NOW, described_at=NOW)  # holds the row
        a.flush()
        b.begin()
        failed: list[BaseException] = []

        def older() -> None:
            try:
                upsert_source(b, source_ref(bias="right"), now=NOW, described_at=NOW - timedelta(hours=1))
                b.commit()
            except BaseException as exc:  # reported by the assertion below
                failed.append(exc)

        thread = threading.Thread(target=older)
        thread.start()
        eventually_sync(lambda: waiting_on_a_lock(engine), timeout=30, what="writer B waiting on the row")
        a.commit()
        thread.join(timeout=30)
        assert not thread.is_alive() and failed == []
    finally:
        a.close()
        b.close()
    with Session(engine) as session:
        source = session.get(Source, "northwind-herald")
        assert (source.bias, source.described_at, source.rated_at) == ("left", NOW, NOW)
