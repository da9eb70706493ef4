"""The unit of work: one transaction per action, with the audit chain locked for its duration."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from watchkeeper.audit.writer import lock_chain

# SQLite has one writer at a time. Threads of this process queue on this lock rather than on SQLite's
# busy handler, which sleeps in steps of up to 100 ms and turns contention into long tail latency.
_sqlite_writer = threading.RLock()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Everything an action changes, audits and publishes commits together or not at all."""
    if connection.vendor == "sqlite":
        with _sqlite_writer, transaction.atomic():
            lock_chain()
            yield
    else:
        with transaction.atomic():
            lock_chain()
            yield
