"""Views audited in groups: one transaction for the views that arrive together (A2, A3).

Every view of a person's record or a call-time lookup writes an audit record before it is answered. Written
one transaction each, concurrent lookups queue on the audit-chain lock and each pays its own commit (an
fsync on SQLite). Here the first view to arrive becomes the leader: it writes its own record and every
record that arrives while it writes, one transaction per batch, and each view is answered only after the
transaction holding its record commits. Nothing is acknowledged early; a failed batch fails every view in
it (each caller gets the error, nothing half-written).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from watchkeeper.audit import writer
from watchkeeper.core.actor import Actor
from watchkeeper.core.uow import busy, lock_wait_seconds, unit_of_work

# A batch is bounded, so one transaction never holds the chain lock for long.
MAX_BATCH = 64


@dataclass
class _View:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupWriter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_View] = []
        self._leading = False

    def record(self, actor: Actor, action: str, object_type: str, object_id: object, **kwargs: Any) -> None:
        """`writer.record` for a view, committed (with whatever views arrived alongside) before it returns.
        Inside a transaction already (a view that is part of a larger action) the record is simply part of
        that transaction: another view must never be committed, or lost, with someone else's action."""
        if connection.in_atomic_block:
            with unit_of_work():
                writer.record(actor, action, object_type, object_id, **kwargs)
            return
        view = _View((actor, action, object_type, object_id), kwargs)
        with self._lock:
            self._pending.append(view)
            lead = not self._leading
            self._leading = self._leading or lead
        if lead:
            self._lead()
        elif not view.done.wait(lock_wait_seconds() * 2 + 5):
            raise busy(lock_wait_seconds())
        if view.error is not None:
            raise view.error

    def _lead(self) -> None:
        """Write batches until nothing is waiting (at most one batch per concurrent request thread)."""
        while True:
            with self._lock:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                if not batch:
                    self._leading = False
                    return
            try:
                with unit_of_work():
                    for view in batch:
                        writer.record(*view.args, **view.kwargs)
            except BaseException as exc:  # every view in the batch is refused with the same reason
                for view in batch:
                    view.error = exc
            finally:
                for view in batch:
                    view.done.set()


views = GroupWriter()
"""The process's grouped writer for view audits (`views.record(actor, "person.viewed", ...)`)."""
