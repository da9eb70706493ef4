"""Where queued lesson replays run (K4): a worker thread per claimed run, off the sweeper's loop.

The sweeper fires every timer in one loop, so a replay (seconds to minutes) run inside its handler would
hold up task alerts, response clocks and escalations. The handler only claims a run and calls `start`; the
replay itself runs in a child process (its own throwaway database), which this thread waits on while it
reads the steps. One run at a time per server (`MAX_RUNNING`): replays are occasional and each child is a
whole Django process. Threads are daemons: if the server stops mid-run, the run is failed as stale by the
first sweep after `STALE_AFTER_SECONDS`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from django.db import connection

log = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
"""This server process, as written on the runs it claims."""
MAX_RUNNING = 1

_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}


def busy() -> bool:
    with _lock:
        for run_id in [k for k, t in _threads.items() if not t.is_alive()]:
            del _threads[run_id]
        return len(_threads) >= MAX_RUNNING


def start(run_id: int) -> threading.Thread:
    """Run a claimed replay on its own thread and return at once."""
    thread = threading.Thread(target=work, args=(run_id,), name=f"watchkeeper-replay-{run_id}", daemon=True)
    with _lock:
        _threads[run_id] = thread
    thread.start()
    return thread


def work(run_id: int) -> None:
    """The thread's body: run the replay and keep its outcome; an unexpected error fails the run with the
    reason instead of leaving it running."""
    from watchkeeper.learning.actions.replays import Outcome, execute, finish

    try:
        execute(run_id, WORKER)
    except Exception as exc:  # the run must end, whatever went wrong
        log.exception("replay run %s failed", run_id)
        try:
            finish(run_id, WORKER, Outcome(False, "", f"The replay could not be run: {exc!r}"))
        except Exception:
            log.exception("replay run %s: could not record the failure", run_id)
    finally:
        if not connection.in_atomic_block:  # a thread's own connection; never a caller's open transaction
            connection.close()


def join(timeout: float | None = None) -> None:
    """Wait for the runs this server started (an orderly shutdown; tests)."""
    with _lock:
        threads = list(_threads.values())
    for thread in threads:
        thread.join(timeout)
