"""The unit of work: one transaction per action, with the audit chain locked for its duration.

The chain lock is the kernel's (every writer takes it); `watchkeeper.audit` writes the records it orders."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

# Any fixed number; names the one advisory lock that serialises writers of the audit chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_734_001


def lock_chain() -> None:
    """Serialise writers so each audit record chains from the one before it (A3).

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a transaction-scoped
    advisory lock, released at commit or rollback. Taken at the start of every writing unit of work, before
    any row lock, so writers can never deadlock on it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain() outside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


# SQLite has one writer at a time. Threads of this process queue on this lock rather than on SQLite's
# busy handler, which sleeps in steps of up to 100 ms and turns contention into long tail latency.
_sqlite_writer = threading.RLock()


_work = threading.local()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Everything an action changes, audits and publishes commits together or not at all. Work asked for
    with `collect` runs once, at the end of the outermost unit of work, inside its transaction."""
    outermost = getattr(_work, "pending", None) is None
    if outermost:
        _work.pending = {}
    try:
        if connection.vendor == "sqlite":
            with _sqlite_writer, transaction.atomic():
                lock_chain()
                yield
                if outermost:
                    _flush()
        else:
            with transaction.atomic():
                lock_chain()
                yield
                if outermost:
                    _flush()
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
