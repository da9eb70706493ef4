"""The unit of work: one transaction per action, with the audit chain locked for its duration."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from watchkeeper.audit.writer import lock_chain

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
