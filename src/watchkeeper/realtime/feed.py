"""One reader of new events per server process, shared by every live stream in it.

Why: a control room keeps hundreds of boards open. If each stream queried the events table on every commit,
every commit would cost one query per open stream, and each stream would hold a database connection of its
own (PostgreSQL refuses connections past `max_connections`). Instead, when the broker says something was
committed, one read fetches the new events for all topics into a bounded in-memory window, and each stream
takes its own topics from it. A stream that is further behind than the window (a board reconnecting after
a long gap) reads its backlog from the database, as before. Database work runs on a small shared pool of
threads, so the number of connections does not grow with the number of streams.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from watchkeeper.realtime.broker import broker
from watchkeeper.realtime.models import Event

WINDOW = 20_000  # events kept in memory: minutes of a busy force's activity
BATCH = 500  # events handed to one stream at a time
POOL_THREADS = 4  # threads (and database connections) that all streams share

pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="watchkeeper-stream-db")


def as_dict(e: Event) -> dict[str, Any]:
    return {"seq": e.seq, "topic": e.topic, "kind": e.kind, "payload": e.payload}


def events_after(topics: list[str], since: int, limit: int = BATCH) -> list[dict[str, Any]]:
    """From the database: a stream's backlog."""
    return [as_dict(e) for e in Event.objects.filter(topic__in=topics, seq__gt=since).order_by("seq")[:limit]]


def latest_seq() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _seq(event: dict[str, Any]) -> int:
    return int(event["seq"])


class Feed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []  # in sequence order: a stream finds its place by bisection
        self._start = 0  # every event after this sequence number is in the window
        self._head: int | None = None  # the newest sequence number read; None until the first read
        self._read_at = -1  # the broker's wake count when we last read

    def refresh(self) -> None:
        """Read what was committed since the last read: one reader at a time, and a caller that waited for
        the lock finds the work done unless something was committed meanwhile."""
        with self._lock:
            generation = broker.generation
            if self._head is None:
                self._head = self._start = latest_seq()
                self._read_at = generation
                return
            if generation == self._read_at:
                return
            self._read_at = generation
            while True:
                rows = [as_dict(e) for e in Event.objects.filter(seq__gt=self._head).order_by("seq")[:BATCH * 4]]
                self._events.extend(rows)
                if rows:
                    self._head = rows[-1]["seq"]
                if len(rows) < BATCH * 4:
                    break
            if len(self._events) > 2 * WINDOW:  # keep the newest WINDOW
                drop = len(self._events) - WINDOW
                self._start = self._events[drop - 1]["seq"]
                del self._events[:drop]

    def after(self, topics: list[str], since: int) -> list[dict[str, Any]]:
        """A stream's next events: from the window when it reaches back far enough, else the database."""
        self.refresh()
        with self._lock:
            if since >= self._start:
                wanted = set(topics)
                out = []
                for ev in self._events[bisect_right(self._events, since, key=_seq):]:
                    if ev["topic"] in wanted:
                        out.append(ev)
                        if len(out) == BATCH:
                            break
                return out
        return events_after(topics, since)


feed = Feed()
