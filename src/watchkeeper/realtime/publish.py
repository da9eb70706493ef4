"""Publishing events from inside an action's unit of work."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit.writer import plain
from watchkeeper.core import clock
from watchkeeper.realtime.broker import announce
from watchkeeper.realtime.models import Event


def publish(
    topic: str,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    log_id: int | None = None,
    log_version: int | None = None,
) -> Event:
    """Write the event in the current transaction; live streams hear of it once the transaction commits."""
    event = Event.objects.create(
        at=clock.now(),
        topic=topic,
        kind=kind,
        payload=plain(payload or {}),
        log_id=log_id,
        log_version=log_version,
    )
    announce(event.seq)
    return event


def publish_many(events: list[tuple[str, str, dict[str, Any], int | None, int | None]]) -> None:
    """Several events (topic, kind, payload, log_id, log_version) in one insert, announced once."""
    if not events:
        return
    now = clock.now()
    rows = Event.objects.bulk_create(
        [Event(at=now, topic=t, kind=k, payload=plain(p), log_id=lid, log_version=ver) for t, k, p, lid, ver in events]
    )
    announce(max(e.seq for e in rows))
