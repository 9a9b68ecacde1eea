"""store.filters.one_of on PostgreSQL: the values go as one JSON parameter, the rows come back as IN would."""

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from store.filters import one_of
from store.models import TermStat

TERMS = ["kursk", "o'brien", "deminer", "école", "6000", 'say "no"', "back\\slash"]


@pytest.fixture
def stored(engine: Engine) -> Engine:
    with Session(engine) as session, session.begin():
        session.add_all(TermStat(term=term, documents=n) for n, term in enumerate(TERMS))
    return engine


@pytest.mark.parametrize("wanted", [
    [],
    ["kursk"],
    ["kursk", "kursk", "deminer"],  # a value twice: its row once
    ["o'brien", "école", 'say "no"', "back\\slash", "absent"],
    TERMS,
])
def test_one_of_selects_exactly_the_rows_with_the_values_given(stored: Engine, wanted: list[str]) -> None:
    with Session(stored) as session:
        found = session.exec(select(TermStat.term).where(one_of(session, col(TermStat.term), wanted))).all()
    assert sorted(found) == sorted(set(wanted) & set(TERMS))


def test_one_of_locks_the_rows_it_selects(stored: Engine) -> None:
    """The writer locks stories and articles through it (SELECT … FOR UPDATE): another transaction
    cannot take those rows meanwhile, and can take the others."""
    with Session(stored) as session, session.begin():
        rows = session.exec(select(TermStat).where(one_of(session, col(TermStat.term), ["kursk", "6000"]))
                            .order_by(TermStat.term).with_for_update()).all()
        assert [row.term for row in rows] == ["6000", "kursk"]
        with Session(stored) as other, other.begin():
            free = other.exec(select(TermStat.term).where(TermStat.term == "deminer").with_for_update(nowait=True))
            assert free.all() == ["deminer"]
        with Session(stored) as other, other.begin(), pytest.raises(OperationalError, match="could not obtain lock"):
            other.exec(select(TermStat.term).where(TermStat.term == "kursk").with_for_update(nowait=True)).all()
