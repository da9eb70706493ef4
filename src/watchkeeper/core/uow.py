"""The unit of work: one transaction per action, with the audit chain locked for its duration.

The chain lock is the kernel's (every writer takes it); `watchkeeper.audit` writes the records it orders."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

from watchkeeper.core.errors import Busy

# Any fixed number; names the one advisory lock that serialises writers of the audit chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_734_001

# How long a write waits for the audit-chain lock before it is refused with 503 and Retry-After (setting
# WATCHKEEPER_WRITE_LOCK_WAIT_SECONDS). Every request body is bounded, so a write holds the lock briefly;
# a write that still waits this long is told to try again rather than hanging, or failing with a 500.
DEFAULT_LOCK_WAIT_SECONDS = 5.0


def lock_wait_seconds() -> float:
    return float(getattr(settings, "WRITE_LOCK_WAIT_SECONDS", DEFAULT_LOCK_WAIT_SECONDS))


def busy(waited: float) -> Busy:
    """The refusal for a write that waited for the audit-chain lock past its bound (nothing was written)."""
    return Busy(
        f"The system is busy with other writes and could not take this one within {waited:g} seconds; "
        "nothing was saved.",
        retry_after=max(1, math.ceil(min(waited, 30))),
    )


def _is_lock_timeout(exc: OperationalError) -> bool:
    """A wait for the chain lock that ran out: SQLite's busy handler gave up, or PostgreSQL's lock_timeout
    (SQLSTATE 55P03, lock_not_available) ended the wait."""
    if connection.vendor == "sqlite":
        return "database is locked" in str(exc) or "database table is locked" in str(exc)
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or getattr(cause, "pgcode", None) == "55P03"


def lock_chain() -> None:
    """Serialise writers so each audit record chains from the one before it (A3).

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a transaction-scoped
    advisory lock, released at commit or rollback. Taken at the start of every writing unit of work, before
    any row lock, so writers can never deadlock on it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain() outside a transaction")
    if connection.vendor == "postgresql":
        wait_ms = max(1, int(lock_wait_seconds() * 1000))
        with connection.cursor() as cur:
            # The wait for the lock is bounded; the bound is lifted again at once so row locks taken later
            # in the transaction keep the session's own setting. No parameters: three statements, one trip.
            cur.execute(
                f"SET LOCAL lock_timeout = {wait_ms}; SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY}); "
                "SET LOCAL lock_timeout = DEFAULT"
            )


# SQLite has one writer at a time. Threads of this process queue on this lock rather than on SQLite's
# busy handler, which sleeps in steps of up to 100 ms and turns contention into long tail latency.
_sqlite_writer = threading.RLock()


_work = threading.local()

# Processes writing one SQLite file (several `serve` workers, the sweeper, commands) queue on an exclusive
# lock of a file beside it, held for the whole transaction: SQLite's own busy handler would make them sleep
# in steps of up to 100 ms, which turns contention between processes into long tail latency.
_queue_file: tuple[str, int] | None = None
_queue_file_lock = threading.Lock()


def sqlite_file(name: object) -> str | None:
    """The file behind a SQLite database NAME, or None for an in-memory one (this process's alone)."""
    text = str(name)
    if text == ":memory:" or text.startswith("file:") or "mode=memory" in text:
        return None
    return text


def _queue_fd() -> int | None:
    """This process's open handle on the database's writer-queue file, or None for an in-memory database."""
    import os

    global _queue_file
    name = sqlite_file(connection.settings_dict["NAME"])
    if name is None:
        return None
    with _queue_file_lock:
        if _queue_file is None or _queue_file[0] != name:
            _queue_file = (name, os.open(f"{name}-writer", os.O_RDWR | os.O_CREAT, 0o600))
        return _queue_file[1]


def _queue_behind_other_processes(deadline: float) -> bool | None:
    """Wait for the other processes' writers (True once it is this one's turn, False when no queue applies,
    None when the wait ran past `deadline`)."""
    import fcntl

    fd = _queue_fd()
    if fd is None:
        return False
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.002)


def _release_process_queue() -> None:
    import fcntl

    fd = _queue_fd()
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class _Held(threading.local):
    value = 0.0


# Seconds this thread has held the audit-chain lock since it was last reset (the Server-Timing header).
lock_held_seconds = _Held()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Everything an action changes, audits and publishes commits together or not at all. Work asked for
    with `collect` runs once, at the end of the outermost unit of work, inside its transaction.

    A write that waits for the audit-chain lock longer than `lock_wait_seconds()` is refused with `Busy`
    (503, Retry-After) before it writes anything, never a 500 "database is locked"."""
    outermost = getattr(_work, "pending", None) is None
    if outermost:
        _work.pending = {}
        _work.queued = {}
    queued_before = {key: len(items) for key, items in _work.queued.items()}
    wait = lock_wait_seconds()
    try:
        if connection.vendor == "sqlite":
            started = time.monotonic()
            if not _sqlite_writer.acquire(timeout=wait):
                raise busy(wait)
            queued: bool | None = False
            held = time.perf_counter()
            try:
                if outermost and not connection.in_atomic_block:
                    queued = _queue_behind_other_processes(started + wait)
                    if queued is None:
                        raise busy(wait)
                    # Another process's writer: SQLite's busy handler waits what is left of the bound.
                    left = max(1, int((wait - (time.monotonic() - started)) * 1000))
                    with connection.cursor() as cur:
                        cur.execute(f"PRAGMA busy_timeout = {left}")
                with transaction.atomic():
                    lock_chain()
                    yield
                    if outermost:
                        _flush()
            finally:
                if queued:
                    _release_process_queue()
                _sqlite_writer.release()
                if outermost:
                    lock_held_seconds.value += time.perf_counter() - held
        else:
            held = time.perf_counter()
            try:
                with transaction.atomic():
                    lock_chain()
                    held = time.perf_counter()
                    yield
                    if outermost:
                        _flush()
            finally:
                if outermost:
                    lock_held_seconds.value += time.perf_counter() - held
    except OperationalError as exc:
        _work.memo = None
        if _is_lock_timeout(exc):
            raise busy(wait) from exc
        raise
    except BaseException:
        _work.memo = None  # what was read may have been rolled back with it
        if not outermost:  # what an inner unit of work queued is rolled back with it
            for key, items in (getattr(_work, "queued", None) or {}).items():
                del items[queued_before.get(key, 0):]
        raise
    finally:
        if outermost:
            _work.pending = None
            _work.queued = None
            _work.new = None
            _work.memo = None


def collect(key: Hashable, items: Iterable[Hashable], flush: Callable[[list[Any]], None]) -> None:
    """Gather `items` under `key` until the end of the current unit of work, then call `flush` once with all
    of them (in the order first asked for), inside its transaction: e.g. a board row that several steps of
    one action change is computed and published once, as it finally is, and several rows together. Outside
    a unit of work, `flush` runs now."""
    pending = getattr(_work, "pending", None)
    if pending is None:
        flush(list(dict.fromkeys(items)))
        return
    pending.setdefault(key, (flush, {}))[1].update(dict.fromkeys(items))


def queue(key: Hashable, items: Iterable[Any], flush: Callable[[list[Any]], None]) -> None:
    """Like `collect`, but every item is kept, in the order queued (not de-duplicated), and what an inner
    unit of work that fails had queued is dropped with what it rolled back: e.g. the events of one action,
    written together in one statement when its unit of work ends. Outside a unit of work, `flush` runs now."""
    pending = getattr(_work, "pending", None)
    if pending is None:
        flush(list(items))
        return
    held = _work.queued.setdefault(key, [])
    held.extend(items)
    if key not in pending:  # (again, when a flush that ran earlier in this unit of work has taken them)
        pending[key] = (lambda _: flush(_take(key)), {})


def _take(key: Hashable) -> list[Any]:
    items = _work.queued.get(key) or []
    _work.queued[key] = []
    return items


def memo(key: Hashable, compute: Callable[[], Any]) -> Any:
    """What `compute` reads, read once per unit of work: the people on a log, asked for by several hooks of
    one action, are read once. Whoever writes what a memo holds calls `forget(key)` (a row inserted); a
    failed inner unit of work forgets everything, and the outermost one's end clears it. Outside a unit of
    work nothing is kept."""
    if getattr(_work, "pending", None) is None:
        return compute()
    cache: dict[Hashable, Any] | None = getattr(_work, "memo", None)
    if cache is None:
        cache = _work.memo = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def start(key: Hashable, value: Any) -> None:
    """Keep `value` under `key` for the rest of this unit of work, as `memo` would have read it (a row made
    here whose related rows are known to be none yet). Outside a unit of work nothing is kept."""
    if getattr(_work, "pending", None) is None:
        return
    cache: dict[Hashable, Any] | None = getattr(_work, "memo", None)
    if cache is None:
        cache = _work.memo = {}
    cache[key] = value


def kept(key: Hashable) -> Any:
    """What `memo` holds under `key` in this unit of work, or None (for a writer that adds to it in place)."""
    cache: dict[Hashable, Any] | None = getattr(_work, "memo", None)
    return cache.get(key) if cache else None


def forget(key: Hashable) -> None:
    cache: dict[Hashable, Any] | None = getattr(_work, "memo", None)
    if cache:
        cache.pop(key, None)


def mark_new(*objs: Any) -> None:
    """Note rows this unit of work created, so that what is known of a new row need not be read back: a log
    raised here has nothing merged into it, no assignees, no earlier contact parties. Outside a unit of
    work nothing is noted. Every row saved for the first time in a unit of work is noted (`note_created`, a
    saved signal); rows inserted in bulk are not, so they are read as if older."""
    pending = getattr(_work, "pending", None)
    if pending is not None:
        new = getattr(_work, "new", None)
        if new is None:
            new = _work.new = set()
        new.update((type(o).__name__, o.pk) for o in objs)


def note_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """The saved signal's receiver (connected for every model when the core app is ready)."""
    if created and not raw and getattr(_work, "pending", None) is not None:
        mark_new(instance)


def note_linked(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """The many-to-many changed signal's receiver: rows added to a link table (an order's protected people)
    count as created rows of the link table's model."""
    if action == "post_add" and getattr(_work, "pending", None) is not None:
        new = getattr(_work, "new", None)
        if new is None:
            new = _work.new = set()
        new.add((sender.__name__, None))


def created_any(*models: type) -> bool:
    """Whether this unit of work saved a new row of any of these models. A row a new log, phone or address
    could be linked to (a phone's user, a marker, a scheme) exists only if it is older than the log, phone or
    address (none is) or was created in this unit of work: when none was, the read can be skipped."""
    if getattr(_work, "pending", None) is None:
        return True  # outside a unit of work nothing is known: read
    new: set[tuple[str, Any]] = getattr(_work, "new", None) or set()
    names = {m.__name__ for m in models}
    return any(name in names for name, _ in new)


def older_only(ids: Iterable[Any], model: type, *linking: type) -> set[Any]:
    """The ids (of `model`) worth looking up for `linking` rows: a row first saved in this unit of work has
    none unless one was created in it too (a phone first seen on this call has no user and no marker)."""
    ids = set(ids)
    if not ids or created_any(*linking):
        return ids
    return ids - new_pks(model)


def is_new(obj: Any) -> bool:
    """Whether this unit of work created the row (see `mark_new`)."""
    new: set[tuple[str, Any]] | None = getattr(_work, "new", None)
    return new is not None and getattr(_work, "pending", None) is not None and (type(obj).__name__, obj.pk) in new


def new_pks(model: type) -> set[Any]:
    """The primary keys of the rows of `model` this unit of work created (see `mark_new`)."""
    new: set[tuple[str, Any]] | None = getattr(_work, "new", None)
    if new is None or getattr(_work, "pending", None) is None:
        return set()
    return {pk for name, pk in new if name == model.__name__}


def _flush() -> None:
    pending = _work.pending
    queued = _work.queued
    while pending:  # a flush may gather more; what is queued (the events) is written last, all together
        key = next((k for k in pending if k not in queued), None) or next(iter(pending))
        flush, items = pending.pop(key)
        flush(list(items))
