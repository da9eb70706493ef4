"""The deadline sweeper: one loop that fires every timer whose `due` column has passed.

Timers are columns (a task's `alert_at`, a log's `review_due_at`, ...), so they survive restarts: after a
restart the first sweep fires everything that fell due while the server was down. Each handler claims its
work with a conditional UPDATE, so a timer fires once even if two sweepers overlap. On PostgreSQL a session
advisory lock elects one sweeper among several app servers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection

from watchkeeper.core import clock

log = logging.getLogger(__name__)
SWEEPER_LOCK_KEY = 7_734_002

Handler = Callable[[datetime], int]


_HANDLERS: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """An app adds a timer family to the sweep from its `AppConfig.ready()`; `name` says what fires and the
    safeguard it serves. The sweeper imports no app: it fires what was registered, in registration order."""
    _HANDLERS[name] = handler


def handlers() -> list[tuple[str, Handler]]:
    return list(_HANDLERS.items())


def sweep_once(now: datetime | None = None) -> dict[str, int]:
    """Fire everything due at `now`; returns how many of each fired."""
    now = now or clock.now()
    return {name: handler(now) for name, handler in handlers()}


def _elected() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [SWEEPER_LOCK_KEY])
        row = cur.fetchone()
    return bool(row and row[0])


def run_forever(stop: threading.Event, interval: float | None = None) -> None:
    interval = interval if interval is not None else settings.SWEEPER_INTERVAL_SECONDS
    leader = False
    streak = 0  # sweeps in a row that fired something
    while not stop.is_set():
        fired = 0
        try:
            close_old_connections()
            if not leader:
                leader = _elected()
            if leader:
                fired = sum(sweep_once().values())
        except Exception:  # one bad sweep must not stop the timers; it is logged and retried
            log.exception("sweep failed")
            leader = False
            connection.close()
        # A sweep that fired something may have taken a while: what fell due meanwhile goes at once (but
        # never more than a few times in a row without a pause).
        streak = streak + 1 if fired else 0
        stop.wait(0.0 if fired and streak < 20 else interval)


def start_thread() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop,), name="watchkeeper-sweeper", daemon=True)
    thread.start()
    return thread, stop
