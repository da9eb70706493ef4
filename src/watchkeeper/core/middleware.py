"""Request ids: every audit record names the request that caused it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a well-formed X-Request-Id from the caller (integrations correlate with it) or makes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-Id", "")
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-Id"] = rid
        return response


class RefusalMiddleware:
    """A refusal that reaches the top of a page view becomes a 4xx page saying what, why and what next
    (API endpoints render their own JSON bodies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from watchkeeper.core.errors import Refusal

        if isinstance(exception, Refusal) and not request.path.startswith("/api/"):
            return render(request, "refused.html", {"error": exception}, status=exception.status)
        return None


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
