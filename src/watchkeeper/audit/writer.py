"""Writing audit records, always inside the transaction of the change they describe (A3)."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from watchkeeper.audit.chain import GENESIS, link_hash
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor

# Any fixed number; names the one advisory lock that serialises writers of the chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_734_001


def lock_chain() -> None:
    """Serialise writers so each record chains from the one before it.

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a transaction-scoped
    advisory lock, released at commit or rollback. Taken at the start of every writing unit of work, before
    any row lock, so writers can never deadlock on it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain() outside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


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
    last = AuditRecord.objects.order_by("-seq").values_list("hash", flat=True).first()
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
