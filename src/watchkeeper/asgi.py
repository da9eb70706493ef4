"""ASGI entry point: Django (pages, API, live streams) under Uvicorn.

Django's own handler gives every request a brand-new thread (and so a brand-new database connection).
Here ordinary requests borrow one of a fixed set of long-lived worker threads instead, so each keeps its
database connection (CONN_MAX_AGE) and no thread is started per request. Live streams (/events/) keep
Django's default: they last as long as the browser stays, and their database reads use the shared pool.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")

import django  # noqa: E402
from asgiref.sync import ThreadSensitiveContext  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402

STREAM_PREFIX = "/events/"


class PooledASGIHandler(ASGIHandler):
    def __init__(self, threads: int) -> None:
        super().__init__()
        self._idle: asyncio.Queue[ThreadPoolExecutor] | None = None
        self._threads = threads

    def _queue(self) -> asyncio.Queue[ThreadPoolExecutor]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for i in range(self._threads):
                self._idle.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"watchkeeper-{i}"))
        return self._idle

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(STREAM_PREFIX):
            await super().__call__(scope, receive, send)
            return
        idle = self._queue()
        executor = await idle.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            idle.put_nowait(executor)


def get_application() -> PooledASGIHandler:
    django.setup(set_prefix=False)
    from django.conf import settings

    from watchkeeper.core.startup import refuse_unsafe_serving, refuse_unwritable_database

    refuse_unsafe_serving()  # e.g. the public development key outside debug
    # A read-only or full database, or one missing migrations. A worker process of `serve --workers` imports
    # this inside its running event loop, where database calls belong on a thread.
    _off_the_loop(refuse_unwritable_database)
    return PooledASGIHandler(threads=settings.SERVER_THREADS)


def _off_the_loop(check: Any) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        check()
        return

    def run() -> None:
        from django.db import connections

        try:
            check()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


application = get_application()
