"""Membership filters that stay one cached statement on PostgreSQL whatever the number of values.

`column IN (...)` is re-rendered (and re-planned) for every list length. Here the list is one parameter,
sent as a JSON array (psycopg escapes a text array element by element, ~3× slower for the thousands of
terms a batch looks up), and matched as `column IN (SELECT json_array_elements_text(:values))`: a join
on the column's index. `column = ANY(array)` read the same rows far slower inside the writer's batches:
a batch's 7,000 term counts took 47 ms against 7 (bench/store, issue 5). SQLite keeps IN.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session
from store.upserts import dumps


def one_of(session: Session, column: sa.ColumnElement, values: Iterable) -> sa.ColumnElement[bool]:
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column.in_(sa.select(sa.func.json_array_elements_text(
            sa.cast(sa.bindparam(None, dumps(values), type_=sa.Text), postgresql.JSON))))
    return column.in_(values)
