"""What every request passes through: request ids (every audit record names the request that caused it),
clean addresses, refusals shown as pages, and a database that cannot take writes shown as 503 with the
reason (pages and API alike)."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a well-formed X-Request-Id from the caller (integrations correlate with it) or makes one; the
    request is one decision under one policy (`core.config.one_policy_per_request`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from watchkeeper.core.config import one_policy_per_request

        given = request.headers.get("X-Request-Id", "")
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        with one_policy_per_request():
            response = self.get_response(request)
        response["X-Request-Id"] = rid
        return response


class ServerTimingMiddleware:
    """With SERVER_TIMING on, every response carries what it cost in a `Server-Timing` header: `sql` (the
    statements run, as desc, and their time), `lock` (time holding the audit-chain lock) and `cpu` (this
    request's CPU in its thread). Benchmarks read it; with the setting off this costs nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        from django.conf import settings

        self.enabled = bool(getattr(settings, "SERVER_TIMING", False))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        from django.db import connection

        from watchkeeper.core import uow

        counted = {"n": 0, "s": 0.0}

        def count(execute: Callable[..., object], sql: str, params: object, many: bool, context: object) -> object:
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                counted["n"] += 1
                counted["s"] += time.perf_counter() - t0

        cpu0 = time.thread_time()
        uow.lock_held_seconds.value = 0.0
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        cpu = time.thread_time() - cpu0
        response["Server-Timing"] = (
            f'sql;desc="{counted["n"]}";dur={counted["s"] * 1000:.2f}, '
            f"lock;dur={uow.lock_held_seconds.value * 1000:.2f}, cpu;dur={cpu * 1000:.2f}"
        )
        return response


class BidiDisplayMiddleware:
    """Text is displayed with bidi controls as visible marks (`core.validate.neutralise_bidi`): every page and
    CSV export, whoever rendered it, so no template can forget. The record keeps what was sent, and a file
    served as it was uploaded (a response marked `verbatim`) is left alone. The live stream neutralises its
    frames where it writes them (`realtime.views`)."""

    DISPLAYED = ("text/html", "text/csv")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from watchkeeper.core.validate import neutralise_bidi_bytes

        response = self.get_response(request)
        if response.streaming or getattr(response, "verbatim", False):
            return response
        if not response.get("Content-Type", "").startswith(self.DISPLAYED):
            return response
        shown = neutralise_bidi_bytes(response.content)
        if len(shown) != len(response.content):
            response.content = shown
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(shown))
        return response


class RefusalMiddleware:
    """A refusal that reaches the top of a page view becomes a 4xx page saying what, why and what next
    (API endpoints render their own JSON bodies). A page that answers 503 itself (a form shown again with
    "busy") still says when to try again: Retry-After is added where the view did not set it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            from watchkeeper.core.uow import busy, lock_wait_seconds

            response["Retry-After"] = busy(lock_wait_seconds()).headers()["Retry-After"]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from watchkeeper.core.errors import Refusal

        if isinstance(exception, Refusal) and not request.path.startswith("/api/"):
            response = render(request, "refused.html", {"error": exception}, status=exception.status)
            for name, value in exception.headers().items():  # Retry-After on a 503 Busy refusal
                response[name] = value
            return response
        return unavailable_response(request, exception)


# How often one process writes the same outage to its log (each request still gets its 503).
_LOG_EVERY_SECONDS = 60.0
_last_logged: dict[str, float] = {}
_log_lock = threading.Lock()


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """A database error that means "nothing can be written now" (read-only, full disk, disk error, locked
    past the bound, gone) becomes 503 with the reason and Retry-After: JSON for the API
    (`{"error": "unavailable", "message", "next_step"}`), a plain page for the UI. Any other error is not
    an outage and is left to the usual handling (None)."""
    from django.http import JsonResponse
    from django.utils.html import format_html

    from watchkeeper.core.startup import unavailable

    outage = unavailable(exception)
    if outage is None:
        return None
    now = time.monotonic()
    with _log_lock:
        first = now - _last_logged.get(outage.reason, -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS
        if first:
            _last_logged[outage.reason] = now
    if first:
        log.error("database unavailable: %s Requests get 503 until it is writable again (%s).",
                  outage.reason, type(exception).__name__)
    next_step = ("Nothing you just did was saved. Keep records on the fallback procedure and tell the duty "
                 f"supervisor and the system administrator; try again in {outage.retry_after} seconds.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": "unavailable", "message": outage.reason, "next_step": next_step},
                                status=503)
    else:
        response = HttpResponse(format_html(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Watchkeeper unavailable</title>'
            '</head><body><main role="alert"><h1>Watchkeeper cannot record anything just now</h1>'
            "<p>{}</p><p>{}</p></main></body></html>", outage.reason, next_step), status=503)
    response["Retry-After"] = str(outage.retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, once per outage
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage raised outside a view (a session saved by middleware, say) is still a 503
    with its reason; anything else is Django's plain 500."""
    import sys

    from django.views.defaults import server_error as plain_500

    exception = sys.exc_info()[1]
    response = unavailable_response(request, exception) if exception is not None else None
    return response if response is not None else plain_500(request)


class CleanRequestMiddleware:
    """A path or query string with a NUL or broken Unicode is refused with 400 before any view runs: no
    lookup can succeed with it, and some databases fail loudly on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.http import JsonResponse

        from watchkeeper.core.validate import text_problem

        parts = [request.path, *[v for vs in request.GET.lists() for v in [vs[0], *vs[1]]]]
        for part in parts:
            problem = text_problem(part)
            if problem:
                message = f"The address {problem}."
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "invalid", "message": message,
                                         "next_step": "Correct the address and try again."}, status=400)
                return HttpResponse(message, status=400, content_type="text/plain")
        return self.get_response(request)
