"""Column types that behave the same on SQLite and PostgreSQL, so code never sees a naive datetime."""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.types.TypeDecorator):
    """Stored in UTC, read back timezone-aware: SQLite keeps no offset and would hand back naive values."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only accepts timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Plain JSON on every backend, not JSONB on PostgreSQL: the store writes and reads these values whole and
# never queries into them, and JSONB's conversion on every write and read cost database CPU (migration
# 0004). Plain JSON has no equality operator: no DISTINCT, GROUP BY or UNION over such a column.
Json = sa.JSON()
