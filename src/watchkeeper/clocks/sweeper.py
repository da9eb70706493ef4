"""The deadline sweeper: one loop that fires every timer whose `due` column has passed.

Timers are columns (a task's `alert_at`, a log's `review_due_at`, ...), so they survive restarts: after a
restart the first sweep fires everything that fell due while the server was down. Each handler claims its
work with a conditional UPDATE, so a timer fires once even if two sweepers overlap. On PostgreSQL a session
advisory lock elects one sweeper among several app servers.

When sweeps fail (the database is read-only, full, or gone) the loop backs off exponentially up to
`BACKOFF_CAP_SECONDS` and logs once when the outage begins and once when sweeps succeed again, never a
traceback per tick; timers missed meanwhile fire on the first sweep that succeeds. Its heartbeat is one of
`/ready`'s checks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection

from watchkeeper.core import clock
from watchkeeper.core.startup import add_readiness_check, unavailable

log = logging.getLogger(__name__)
SWEEPER_LOCK_KEY = 7_734_002

Handler = Callable[[datetime], int]
# The longest pause between attempts while sweeps fail.
BACKOFF_CAP_SECONDS = 30.0


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


class _Heartbeat:
    """When this process's sweep loop last went round (monotonic seconds), and how it is doing."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.last_tick: float | None = None
        self.failing_since: float | None = None


_heartbeat = _Heartbeat()


def _close_quietly() -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; the next sweep opens a new one
        pass


def run_forever(stop: threading.Event, interval: float | None = None) -> None:
    interval = interval if interval is not None else settings.SWEEPER_INTERVAL_SECONDS
    leader = False
    streak = 0  # sweeps in a row that fired something
    failures = 0  # sweeps in a row that failed
    while not stop.is_set():
        fired = 0
        try:
            close_old_connections()
            if not leader:
                leader = _elected()
            if leader:
                fired = sum(sweep_once().values())
        except Exception as exc:  # one bad sweep must not stop the timers: back off and retry
            leader = False
            _close_quietly()
            failures += 1
            if failures == 1:
                _heartbeat.failing_since = time.monotonic()
                outage = unavailable(exc)
                if outage is not None:
                    log.error("sweeper: %s Timers are held and retried with back-off (at most every %gs); "
                              "they fire when the database is writable again.", outage.reason, BACKOFF_CAP_SECONDS)
                else:
                    log.exception("sweeper: a sweep failed; retrying with back-off (at most every %gs)",
                                  BACKOFF_CAP_SECONDS)
        else:
            if failures:
                since = _heartbeat.failing_since or time.monotonic()
                log.warning("sweeper: sweeping again after %d failed attempt(s) over %.0fs; timers resumed.",
                            failures, time.monotonic() - since)
                failures = 0
                _heartbeat.failing_since = None
        _heartbeat.last_tick = time.monotonic()
        if failures:
            wait = min(BACKOFF_CAP_SECONDS, interval * 2.0 ** failures)
        else:
            # A sweep that fired something may have taken a while: what fell due meanwhile goes at once (but
            # never more than a few times in a row without a pause).
            streak = streak + 1 if fired else 0
            wait = 0.0 if fired and streak < 20 else interval
        stop.wait(wait)


def readiness_check() -> tuple[bool, str]:
    """`/ready`: the sweep loop of this process has gone round recently (a sweep in progress or a back-off
    pause may take a while, hence the margin). A server started without the sweeper passes: its timers are
    fired elsewhere."""
    thread = _heartbeat.thread
    if thread is None:
        return True, "not run by this process"
    if not thread.is_alive():
        return False, "the sweeper has stopped"
    bound = max(60.0, 10 * settings.SWEEPER_INTERVAL_SECONDS) + BACKOFF_CAP_SECONDS
    last = _heartbeat.last_tick
    if last is None:
        return True, "starting"
    age = time.monotonic() - last
    if age > bound:
        return False, f"no sweep for {age:.0f}s"
    if _heartbeat.failing_since is not None:
        return False, "sweeps are failing (see /ready's database check)"
    return True, "sweeping"


add_readiness_check("sweeper", readiness_check)


def start_thread() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop,), name="watchkeeper-sweeper", daemon=True)
    _heartbeat.thread = thread
    thread.start()
    return thread, stop
