"""Writing audit records, always inside the transaction of the change they describe (A3)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from watchkeeper.audit.chain import GENESIS, link_hash
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.uow import CHAIN_LOCK_KEY, lock_chain

__all__ = ["CHAIN_LOCK_KEY", "lock_chain", "plain", "record"]

# This process, as the `clock.offset` record names it: a drill's moved clock is recorded once per process.
PROCESS = uuid.uuid4().hex
_offset_recorded = threading.Event()


def plain(value: Any) -> Any:
    """JSON-native form of a value, exactly as it will read back from the database."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditRecord:
    """Append one audit record to the chain. Must run inside the unit of work that made the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change it records")
    if clock.offset() and not _offset_recorded.is_set():
        _record_clock_offset()
    return _append(actor, action, object_type, object_id, before=before, after=after, reason=reason)


def _record_clock_offset() -> None:
    """A process whose clock is moved (a drill: WATCHKEEPER_CLOCK_OFFSET_SECONDS with WATCHKEEPER_DRILL) says
    so in the chain before the first record it writes, so no time it records is mistaken for the real one.
    Written in the same transaction as that record; counted as done only once it commits."""
    if AuditRecord.objects.filter(action="clock.offset", object_id=PROCESS).exists():
        return  # written earlier in this transaction
    _append(SYSTEM, "clock.offset", "clock", PROCESS, before=None,
            after={"offset_seconds": clock.offset().total_seconds(), "real_time": clock.real_now(), "drill": True},
            reason="This process's clock is moved for a drill or test: times it records are not the real time.")
    transaction.on_commit(_offset_recorded.set)


def _append(actor: Actor, action: str, object_type: str, object_id: object, *, before: Any, after: Any,
            reason: str) -> AuditRecord:
    with connection.cursor() as cur:  # the chain's head (the chain lock is held): one plain statement
        cur.execute(f"SELECT hash FROM {AuditRecord._meta.db_table} ORDER BY seq DESC LIMIT 1")
        row = cur.fetchone()
    last = row[0] if row else None
    rec = AuditRecord(
        at=clock.now(),
        actor_id=actor.user_id,
        actor_username=actor.username,
        actor_role=actor.role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=plain(before),
        after=plain(after),
        reason=reason,
        request_id=actor.request_id,
        prev_hash=last or GENESIS,
    )
    rec.hash = link_hash(rec.prev_hash, rec.content())
    rec.save(force_insert=True)
    return rec
