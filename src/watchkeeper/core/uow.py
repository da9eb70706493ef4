"""The unit of work: one transaction per action, with the audit chain locked for its duration.

The chain lock is the kernel's (every writer takes it); `watchkeeper.audit` writes the records it orders."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

from watchkeeper.core.errors import Busy

# Any fixed number; names the one advisory lock that serialises writers of the audit chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_734_001

# How long a write waits for the audit-chain lock before it is refused with 503 and Retry-After (setting
# WATCHKEEPER_WRITE_LOCK_WAIT_SECONDS). Every request body is bounded, so a write holds the lock briefly;
# a write that still waits this long is told to try again rather than hanging, or failing with a 500.
DEFAULT_LOCK_WAIT_SECONDS = 5.0


def lock_wait_seconds() -> float:
    return float(getattr(settings, "WRITE_LOCK_WAIT_SECONDS", DEFAULT_LOCK_WAIT_SECONDS))


def busy(waited: float) -> Busy:
    """The refusal for a write that waited for the audit-chain lock past its bound (nothing was written)."""
    return Busy(
        f"The system is busy with other writes and could not take this one within {waited:g} seconds; "
        "nothing was saved.",
        retry_after=max(1, math.ceil(min(waited, 30))),
    )


def _is_lock_timeout(exc: OperationalError) -> bool:
    """A wait for the chain lock that ran out: SQLite's busy handler gave up, or PostgreSQL's lock_timeout
    (SQLSTATE 55P03, lock_not_available) ended the wait."""
    if connection.vendor == "sqlite":
        return "database is locked" in str(exc) or "database table is locked" in str(exc)
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or getattr(cause, "pgcode", None) == "55P03"


def lock_chain() -> None:
    """Serialise writers so each audit record chains from the one before it (A3).

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a transaction-scoped
    advisory lock, released at commit or rollback. Taken at the start of every writing unit of work, before
    any row lock, so writers can never deadlock on it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain() outside a transaction")
    if connection.vendor == "postgresql":
        wait_ms = max(1, int(lock_wait_seconds() * 1000))
        with connection.cursor() as cur:
            # The wait for the lock is bounded; the bound is lifted again at once so row locks taken later
            # in the transaction keep the session's own setting. No parameters: three statements, one trip.
            cur.execute(
                f"SET LOCAL lock_timeout = {wait_ms}; SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY}); "
                "SET LOCAL lock_timeout = DEFAULT"
            )


# SQLite has one writer at a time. Threads of this process queue on this lock rather than on SQLite's
# busy handler, which sleeps in steps of up to 100 ms and turns contention into long tail latency.
_sqlite_writer = threading.RLock()


_work = threading.local()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Everything an action changes, audits and publishes commits together or not at all. Work asked for
    with `collect` runs once, at the end of the outermost unit of work, inside its transaction.

    A write that waits for the audit-chain lock longer than `lock_wait_seconds()` is refused with `Busy`
    (503, Retry-After) before it writes anything, never a 500 "database is locked"."""
    outermost = getattr(_work, "pending", None) is None
    if outermost:
        _work.pending = {}
    wait = lock_wait_seconds()
    try:
        if connection.vendor == "sqlite":
            started = time.monotonic()
            if not _sqlite_writer.acquire(timeout=wait):
                raise busy(wait)
            try:
                if outermost and not connection.in_atomic_block:
                    # Another process's writer: SQLite's busy handler waits what is left of the bound.
                    left = max(1, int((wait - (time.monotonic() - started)) * 1000))
                    with connection.cursor() as cur:
                        cur.execute(f"PRAGMA busy_timeout = {left}")
                with transaction.atomic():
                    lock_chain()
                    yield
                    if outermost:
                        _flush()
            finally:
                _sqlite_writer.release()
        else:
            with transaction.atomic():
                lock_chain()
                yield
                if outermost:
                    _flush()
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise busy(wait) from exc
        raise
    finally:
        if outermost:
            _work.pending = None


def collect(key: Hashable, items: Iterable[Hashable], flush: Callable[[list[Any]], None]) -> None:
    """Gather `items` under `key` until the end of the current unit of work, then call `flush` once with all
    of them (in the order first asked for), inside its transaction: e.g. a board row that several steps of
    one action change is computed and published once, as it finally is, and several rows together. Outside
    a unit of work, `flush` runs now."""
    pending = getattr(_work, "pending", None)
    if pending is None:
        flush(list(dict.fromkeys(items)))
        return
    pending.setdefault(key, (flush, {}))[1].update(dict.fromkeys(items))


def _flush() -> None:
    pending = _work.pending
    while pending:  # a flush may gather more
        flush, items = pending.pop(next(iter(pending)))
        flush(list(items))
