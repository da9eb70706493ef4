"""What must be true before this process serves anyone: checked by `watchkeeper serve` and by the ASGI
application itself (so a server started another way is held to the same)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def serving_refusal() -> str:
    """Why this process must not serve, or "" when it may."""
    if settings.DEVELOPMENT_KEY_IN_USE and not settings.DEBUG and not settings.DEMO:
        return ("WATCHKEEPER_SECRET_KEY is not set, so the development key would sign sessions and CSRF tokens. "
                "That key is public (it is in the source), so anyone could forge a sign-in. Set "
                "WATCHKEEPER_SECRET_KEY to a long random value (for example the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set WATCHKEEPER_DEBUG=1 on "
                "a development machine.")
    return ""


def refuse_unsafe_serving() -> None:
    """Stop (ImproperlyConfigured) rather than serve with a setting an evidential system must not guess."""
    problem = serving_refusal()
    if problem:
        raise ImproperlyConfigured(problem)


_DATABASE_CHECKED = False


def database_start_problem() -> str:
    """`database_refusal()` once per process (`serve` checks before it starts the server; the ASGI
    application, loaded by the same process, does not check again)."""
    global _DATABASE_CHECKED
    from django.db import connection

    if _DATABASE_CHECKED:
        return ""
    problem = database_refusal()
    connection.close()  # the check's connection belongs to the starting thread, not to any request
    _DATABASE_CHECKED = not problem
    return problem


def refuse_unwritable_database() -> None:
    """Stop (ImproperlyConfigured) rather than serve on a database that cannot take a write."""
    problem = database_start_problem()
    if problem:
        raise ImproperlyConfigured(problem)


# --- Can the database take a write? -------------------------------------------------------------------------
#
# A control room must know at once when nothing it does can be recorded. The same words are used by `serve`
# (which refuses to start), by every page and API call that meets the failure (503 with the reason), by the
# sweeper's log and by `/ready`.


@dataclass(frozen=True)
class Unavailable:
    """Why the database cannot take writes just now, in words for the people in the room."""

    reason: str
    retry_after: int  # seconds a client should wait before trying again


_READ_ONLY = Unavailable("The database is read-only, so nothing can be recorded.", 30)
_FULL = Unavailable("The database's disk is full, so nothing can be recorded.", 60)
_IO = Unavailable("The database's disk reported an input/output error, so nothing can be recorded.", 30)
_BUSY = Unavailable("The database stayed busy past the time a change may wait for it.", 5)
_CANT_OPEN = Unavailable("The database file cannot be opened.", 30)
_UNREACHABLE = Unavailable("The database cannot be reached.", 15)
_RESTARTING = Unavailable("The database is shutting down or restarting.", 15)
_RESOURCES = Unavailable("The database has run out of resources (memory or connections).", 15)

# SQLite primary result codes (the extended code's low byte).
_SQLITE_CODES = {8: _READ_ONLY, 13: _FULL, 10: _IO, 5: _BUSY, 6: _BUSY, 14: _CANT_OPEN}
_SQLITE_WORDS = (("readonly", _READ_ONLY), ("read-only", _READ_ONLY), ("disk is full", _FULL),
                 ("disk i/o error", _IO), ("database is locked", _BUSY), ("unable to open", _CANT_OPEN))
# PostgreSQL SQLSTATEs (exact codes first, then classes).
_PG_CODES = {
    "25006": _READ_ONLY,  # read_only_sql_transaction (a standby, or default_transaction_read_only)
    "53100": _FULL,  # disk_full
    "58030": _IO,  # io_error
    "55P03": _BUSY,  # lock_not_available (lock_timeout)
    "57P01": _RESTARTING, "57P02": _RESTARTING, "57P03": _RESTARTING,  # admin/crash shutdown, cannot connect now
}
_PG_CLASSES = {"08": _UNREACHABLE, "53": _RESOURCES, "57P": _RESTARTING}


def unavailable(exc: BaseException) -> Unavailable | None:
    """The outage this database error means (the database cannot take writes: read-only, full, failing,
    locked past the bound, gone), or None for any other error (a fault in the program, shown as one)."""
    import sqlite3

    from django.db import InterfaceError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if isinstance(code, int) and (code & 0xFF) in _SQLITE_CODES:
                return _SQLITE_CODES[code & 0xFF]
            text = str(current).lower()
            return next((u for words, u in _SQLITE_WORDS if words in text), None)
        sqlstate = getattr(current, "sqlstate", None)
        if type(current).__module__.startswith("psycopg"):
            if isinstance(sqlstate, str):
                return _PG_CODES.get(sqlstate) or next(
                    (u for prefix, u in _PG_CLASSES.items() if sqlstate.startswith(prefix)), None)
            if type(current).__name__ in {"OperationalError", "InterfaceError"}:
                return _UNREACHABLE  # no SQLSTATE: the connection itself failed
            return None
        if isinstance(current, InterfaceError):  # Django's "connection already closed"
            return _UNREACHABLE
        current = current.__cause__ or current.__context__
    return None


def write_problem(using: str = "default", wait_seconds: float = 2.0) -> str:
    """"" when the database would take a write now, else why not (the reason in plain words).

    The probe writes inside a transaction that is always rolled back, so it leaves nothing behind: on SQLite
    it creates a table (which needs a free page, so a full database is found as well as a read-only one);
    on PostgreSQL it rewrites one row of the migration table to itself (refused by a read-only transaction
    or a standby). It waits at most `wait_seconds` for the write lock: a database held longer is busy."""
    from django.db import DatabaseError, connections, transaction

    from watchkeeper.core.uow import _sqlite_writer

    conn = connections[using]
    sqlite = conn.vendor == "sqlite"
    if sqlite and not _sqlite_writer.acquire(timeout=wait_seconds):
        return _BUSY.reason
    try:
        conn.ensure_connection()
        if sqlite:
            with conn.cursor() as cur:
                cur.execute("PRAGMA busy_timeout")
                row = cur.fetchone()
                before = int(row[0]) if row else 30000
                cur.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            with transaction.atomic(using=using), conn.cursor() as cur:
                if sqlite:
                    cur.execute("CREATE TABLE watchkeeper_write_probe (x INTEGER)")
                else:
                    cur.execute(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'")
                    cur.execute("UPDATE django_migrations SET app = app "
                                "WHERE id = (SELECT min(id) FROM django_migrations)")
                transaction.set_rollback(True, using=using)
        finally:
            if sqlite:
                with conn.cursor() as cur:
                    cur.execute(f"PRAGMA busy_timeout = {before}")
    except DatabaseError as exc:
        found = unavailable(exc)
        return found.reason if found else f"The database refused a test write ({type(exc).__name__})."
    finally:
        if sqlite:
            _sqlite_writer.release()
    return ""


_MIGRATED = False


def unapplied_migrations(using: str = "default") -> list[str]:
    """Migrations the code has that the database has not applied (a server on such a database would fail
    on the first record that needs them). Once all are applied the answer is kept: this process's code
    cannot gain migrations, and backward migrations of kept-forever apps are refused."""
    global _MIGRATED
    if _MIGRATED:
        return []
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    _MIGRATED = not missing
    return missing


def database_refusal() -> str:
    """Why `serve` must not start on this database, or "" when it may.

    Watchkeeper does not start read-only. Every read of a log is itself recorded (who looked and why), so a
    read-only Watchkeeper could neither take a call nor show one; starting anyway would put a system on the
    control room's screens that fails the first time someone uses it. Refusing makes the failure visible
    where it can be fixed (the operator starting the service, its supervisor, the load balancer), and the
    room stays on its fallback procedure until it is."""
    from django.db import DatabaseError

    try:
        problem = write_problem(wait_seconds=5.0)
    except DatabaseError as exc:  # the connection itself failed
        found = unavailable(exc)
        problem = found.reason if found else f"The database cannot be used ({type(exc).__name__})."
    if problem:
        return (f"{problem} Watchkeeper does not start on a database it cannot write to: calls taken now "
                "could not be recorded. Make the database writable (file permissions, free disk space, a "
                "primary rather than a standby server) and start again.")
    missing = unapplied_migrations()
    if missing:
        return (f"The database is missing {len(missing)} migration(s) (first: {missing[0]}). "
                "Run `watchkeeper migrate` and start again.")
    return ""


# --- Readiness: what a load balancer asks before sending calls here ------------------------------------------

Check = Callable[[], tuple[bool, str]]
_READINESS: dict[str, Check] = {}


def add_readiness_check(name: str, check: Check) -> None:
    """A part of the system that must be working for this server to take calls says how to check it (the
    sweeper registers its heartbeat). `check()` returns (ok, detail); detail holds no sensitive data."""
    _READINESS[name] = check


def _database_check() -> tuple[bool, str]:
    problem = write_problem()
    return (not problem, problem or "writable")


def _migrations_check() -> tuple[bool, str]:
    missing = unapplied_migrations()
    return (not missing, f"{len(missing)} not applied (first: {missing[0]})" if missing else "all applied")


def readiness() -> dict[str, dict[str, object]]:
    """Every check, by name: {"ok": bool, "detail": str}. A check that fails to run counts as failed."""
    from django.db import DatabaseError

    results: dict[str, dict[str, object]] = {}
    for name, check in {"database": _database_check, "migrations": _migrations_check, **_READINESS}.items():
        try:
            ok, detail = check()
        except DatabaseError as exc:
            found = unavailable(exc)
            ok, detail = False, found.reason if found else f"check failed ({type(exc).__name__})"
        results[name] = {"ok": ok, "detail": detail}
    return results
