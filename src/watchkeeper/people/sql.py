"""How the call-time lookup's plain SQL runs, the same on SQLite and PostgreSQL (C1).

The lookup (people/context.py) and its panel's reads (people/context_sql.py) write parameterised SQL (`%s`
placeholders) on Django's connection; these helpers hide what differs between the two databases:

- `fetch` runs one statement; `fetch_all` runs reads that do not depend on each other together (on
  PostgreSQL, one pipeline: a single round trip for all of them);
- a `prepared` read binds its parameters on the server, so PostgreSQL plans it once (a generic plan kept by
  the connection, settings.py); only reads whose best plan does not depend on the values are prepared;
- `in_ids`, `each`, `any_of` write an id list so that the statement is the same text however many ids there
  are (one array parameter on PostgreSQL, an IN list on SQLite); `starts_with` is an index-friendly prefix;
- `aware`, `db_when`, `db_day` convert values as the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def open_cursor(prepared: bool) -> Any:
    """A cursor on Django's connection (its errors and query log as for any other). A `prepared` one on
    PostgreSQL binds parameters on the server, so psycopg prepares its statements (when the database
    settings allow it: WATCHKEEPER_PG_PREPARE); Django's own cursors bind in the client and never do."""
    if not (prepared and is_pg()):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(  # type: ignore[attr-defined]
            ServerBindingCursor(connection.connection))


def fetch(sql: str, params: Sequence[Any] = (), prepared: bool = False) -> list[tuple[Any, ...]]:
    with open_cursor(prepared) as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


class Read(NamedTuple):
    """One read of the panel: its SQL, its parameters, and what its rows become."""

    sql: str
    params: list[Any]
    result: Callable[[list[tuple[Any, ...]]], Any]


def fetch_all(reads: Sequence[Read]) -> list[Any]:
    """Reads that do not depend on each other, answered together. On PostgreSQL they go in one pipeline: a
    single round trip to the server for all of them, where each read alone would wait for its own (and on a
    small server that wait costs as much as the read). SQLite runs in process, so they simply run in turn."""
    if not is_pg() or len(reads) < 2:
        return [read.result(fetch(read.sql, read.params, prepared=True)) for read in reads]
    connection.ensure_connection()
    cursors = []
    try:
        with connection.connection.pipeline():
            for read in reads:
                cursor = open_cursor(prepared=True)
                cursors.append(cursor)
                cursor.execute(read.sql, read.params)
        return [read.result(cursor.fetchall()) for read, cursor in zip(reads, cursors, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()


def marks(ids: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(ids))


def in_ids(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column` is one of `ids`. PostgreSQL gets the ids as one array (written as an array literal, so the
    parameter has one type whether or not the list is empty): the statement is the same text however many
    ids there are. SQLite gets an IN list."""
    if is_pg():
        return f"{column} = ANY(%s::bigint[])", [array(ids)]
    return f"{column} IN ({marks(ids)})", list(ids)


def array(ids: Sequence[int]) -> str:
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def tested(ids: Sequence[int]) -> bool:
    """Whether a statement tests a list of ids: on SQLite only when it has some (as the ORM drops an empty
    `__in`); on PostgreSQL always, an empty array matching nothing, so that every lookup runs the same
    statement. A caller with no ids at all does not read."""
    return bool(ids) or is_pg()


def used(terms: Sequence[tuple[str, Sequence[int]]]) -> list[tuple[str, Sequence[int]]]:
    """The (column, ids) terms a statement tests (tested)."""
    return [(column, ids) for column, ids in terms if tested(ids)]


def each(sql: str, ids: Sequence[int], params: Sequence[Any]) -> tuple[str, list[Any]]:
    """The rows `sql` gives for each of `ids`, together. `sql` reads one key, written `{key}` (before any of
    its own `params`), typically its newest few from the key's own index. PostgreSQL joins it LATERAL to
    the array of ids (one statement however many); SQLite reads each key in turn, UNION ALL."""
    if is_pg():
        return (f"SELECT t.* FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL ({sql.format(key='k.key')}) t",
                [array(ids), *params])
    return (" UNION ALL ".join(f"SELECT * FROM ({sql.format(key='%s')}) t{i}" for i in range(len(ids))),
            [x for pk in ids for x in (pk, *params)])


def any_of(*terms: tuple[str, Sequence[int]]) -> tuple[str, list[Any]]:
    """`(a IN (...) OR b IN (...))` over the terms used. The caller checks that at least one has ids."""
    parts, params = [], []
    for column, ids in used(terms):
        sql, values = in_ids(column, ids)
        parts.append(sql)
        params += values
    return "(" + " OR ".join(parts) + ")", params


def starts_with(column: str, prefix: str) -> tuple[str, list[Any]]:
    """The ORM's `__startswith`. On SQLite that is a LIKE, which ignores case and so cannot use the column's
    index: a scan of every address. The columns compared here (address keys up to the postcode, street keys)
    are written by rules.address_key as lower-case ASCII, like the prefix, so an index range [prefix,
    prefix + U+FFFF) is the same set. PostgreSQL's LIKE uses the `_like` pattern index Django made."""
    if connection.vendor == "sqlite":
        return f"{column} >= %s AND {column} < %s", [prefix, prefix + "\uffff"]
    return f"{column} LIKE %s", [connection.ops.prep_for_like_query(prefix) + "%"]


def starts_with_q(field: str, prefix: str) -> Q:
    """`starts_with` for the ORM: an index range on SQLite (see there), the ORM's `__startswith` elsewhere."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\uffff"})
    return Q(**{f"{field}__startswith": prefix})


def aware(value: Any) -> Any:
    """A datetime column (or None) as the ORM returns it: SQLite hands back naive UTC, PostgreSQL aware."""
    if value is None or not settings.USE_TZ or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, connection.timezone)


def db_when(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)
