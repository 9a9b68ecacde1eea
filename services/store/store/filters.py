"""Membership filters that stay one cached statement on PostgreSQL whatever the number of values.

`column IN (...)` is re-rendered (and re-planned) for every list length; `column = ANY(array)` takes the
list as one parameter, sent as a JSON array (psycopg escapes a text array element by element, ~3× slower
for the thousands of terms a batch looks up). SQLite keeps IN.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session
from store.upserts import dumps


def one_of(session: Session, column: sa.ColumnElement, values: Iterable) -> sa.ColumnElement[bool]:
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.func.array(sa.select(sa.func.json_array_elements_text(
            sa.cast(sa.bindparam(None, dumps(values), type_=sa.Text), postgresql.JSON))).scalar_subquery()))
    return column.in_(values)
