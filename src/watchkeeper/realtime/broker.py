"""Waking live streams when events commit.

Streams read events from the database by sequence number; the broker only tells them when to look.
In one process (SQLite) a commit hook wakes them in memory. Across app servers on PostgreSQL, the
transaction itself sends `pg_notify` (delivered only on commit) and each server's listener thread wakes its
own streams.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from django.db import connection, transaction

log = logging.getLogger(__name__)
CHANNEL = "watchkeeper_events"


class Broker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.latest_seq = 0
        self.generation = 0  # how many wakes so far: a shared reader reads again when it has moved

    def register(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        return entry

    def unregister(self, entry: tuple[asyncio.AbstractEventLoop, asyncio.Event]) -> None:
        with self._lock:
            self._waiters.discard(entry)

    def wake(self, seq: int = 0) -> None:
        """Wake every waiting stream (thread-safe)."""
        with self._lock:
            if seq > self.latest_seq:
                self.latest_seq = seq
            self.generation += 1
            waiters = list(self._waiters)
        for loop, ev in waiters:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:  # the loop closed under us; its stream is gone
                self.unregister((loop, ev))

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiters)


broker = Broker()


def announce(seq: int) -> None:
    """Called inside the transaction that wrote event `seq`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(seq)])
    else:
        transaction.on_commit(lambda: broker.wake(seq))


_listener_started = False
_listener_lock = threading.Lock()


def start_pg_listener() -> None:
    """On PostgreSQL, listen for commits made by any app server and wake this server's streams."""
    global _listener_started
    if connection.vendor != "postgresql":
        return
    with _listener_lock:
        if _listener_started:
            return
        _listener_started = True
    thread = threading.Thread(target=_listen_forever, name="watchkeeper-pg-listener", daemon=True)
    thread.start()


def _listen_forever() -> None:
    import time

    import psycopg
    from django.db import connections

    params = connections["default"].get_connection_params()
    while True:
        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                broker.wake()  # anything committed while we were not listening
                for note in conn.notifies():
                    try:
                        broker.wake(int(note.payload))
                    except ValueError:
                        broker.wake()
        except Exception:  # a dropped connection must not end live updates; retry
            log.exception("event listener lost its connection; reconnecting")
            time.sleep(1)
