"""Waking live streams when events commit.

Streams read events from the database by sequence number; the broker only tells them when to look.
In one process a commit hook wakes them in memory. Across server processes (several workers, or several
app servers): on PostgreSQL the transaction itself sends `pg_notify` (delivered only on commit) and each
process's listener thread wakes its own streams; on SQLite each process's watcher notices another process's
commit from the database file's change counter (`PRAGMA data_version`, read from shared memory, no disk
read) within `SQLITE_WATCH_SECONDS`, while any stream is waiting.
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
# How often a SQLite process looks for other processes' commits while a stream waits.
SQLITE_WATCH_SECONDS = 0.05


def start_listener() -> None:
    """Listen for commits made by any other server process and wake this process's streams: LISTEN on
    PostgreSQL, the database file's change counter on SQLite."""
    global _listener_started
    with _listener_lock:
        if _listener_started:
            return
        _listener_started = True
    target = _listen_forever if connection.vendor == "postgresql" else _watch_sqlite_forever
    thread = threading.Thread(target=target, name="watchkeeper-event-listener", daemon=True)
    thread.start()


def _watch_sqlite_forever() -> None:
    import sqlite3
    import time

    from django.db import connections

    from watchkeeper.core.uow import sqlite_file

    name = sqlite_file(connections["default"].settings_dict["NAME"])
    if name is None:
        return  # an in-memory database is this process's alone: the commit hook wakes every stream
    while True:
        try:
            conn = sqlite3.connect(name, check_same_thread=False, isolation_level=None)
            try:
                seen = conn.execute("PRAGMA data_version").fetchone()[0]
                while True:
                    time.sleep(SQLITE_WATCH_SECONDS)
                    if not broker.waiting:
                        continue
                    now = conn.execute("PRAGMA data_version").fetchone()[0]
                    if now != seen:
                        seen = now
                        broker.wake()
            finally:
                conn.close()
        except Exception:  # a database that went away for a moment must not end live updates; retry
            log.exception("event watcher lost the database; watching again")
            time.sleep(1)


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
