"""Publishing events from inside an action's unit of work."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit.writer import plain
from watchkeeper.core import clock
from watchkeeper.core.uow import queue
from watchkeeper.realtime.broker import announce
from watchkeeper.realtime.models import Event


def publish(
    topic: str,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    log_id: int | None = None,
    log_version: int | None = None,
) -> None:
    """Write the event in the current transaction; live streams hear of it once the transaction commits.
    Inside a unit of work the action's events are written together when it ends (one insert, announced
    once), in the order published."""
    publish_many([(topic, kind, payload or {}, log_id, log_version)])


def publish_many(events: list[tuple[str, str, dict[str, Any], int | None, int | None]]) -> None:
    """Several events (topic, kind, payload, log_id, log_version), written with the unit of work's other
    events in one insert, announced once. The payload is taken as it is now."""
    if events:
        now = clock.now()
        queue(KEY, [(now, t, k, plain(p), lid, ver) for t, k, p, lid, ver in events], _write)


KEY = "realtime:events"


def _write(events: list[tuple[Any, str, str, Any, int | None, int | None]]) -> None:
    if not events:
        return
    rows = Event.objects.bulk_create(
        [Event(at=at, topic=t, kind=k, payload=p, log_id=lid, log_version=ver) for at, t, k, p, lid, ver in events]
    )
    announce(max(e.seq for e in rows))
