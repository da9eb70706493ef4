"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

Authentication: the browser session (with CSRF) for the UI, or a per-user bearer token for integrations.
Every endpoint is thin: it parses, calls one action with an Actor, and renders the result. Refusals become
4xx bodies naming the safeguard; schema errors are 422 with the field at fault.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.core.validate import first_bad_text
from watchkeeper.staff.models import ApiToken


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; ninja checks the CSRF token for it."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie this is not a session request: answer 401 (sign in), not a CSRF refusal.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer wk_...`: a per-user token issued with `watchkeeper api-token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = clock.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user  # type: ignore[assignment]
        return row.user


class StrictParser(Parser):
    """JSON bodies must be an object of well-formed text: no NUL characters and no lone surrogates
    (no database stores them), so bad text is a 400 naming the field, never a 500."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"The body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise BadInput("The body must be a JSON object.")
        problem = first_bad_text(data)
        if problem:
            raise BadInput(f"{problem[0] or 'body'}: {problem[1]}")
        return data


class BadInput(Exception):
    """A body that cannot be read as a request at all."""


api = NinjaAPI(
    parser=StrictParser(),
    title="Watchkeeper API",
    version="1",
    description="Incident logs and their safeguards. Every refusal names its safeguard (e.g. L3).",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    return api.create_response(
        request,
        {"error": "invalid", "message": "The request is not valid: "
         + "; ".join(f"{p['field']}: {p['message']}" for p in problems),
         "next_step": "Correct the input and try again.", "details": problems},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "unauthenticated", "message": "Sign in, or send a valid API token "
         "(Authorization: Bearer ...). Session requests also need the CSRF token.",
         "next_step": "Sign in again."},
        status=401,
    )


@api.exception_handler(BadInput)
def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    return api.create_response(
        request, {"error": "invalid", "message": str(exc), "next_step": "Correct the input and try again."},
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request, {"error": "too_large", "message": "The request body is larger than the server accepts.",
                  "next_step": "Send less at once (large documents: upload them as files)."},
        status=413,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": "http", "message": str(exc)}, status=exc.status_code)


def _register() -> None:
    from watchkeeper.dispatch.api import router as dispatch
    from watchkeeper.incidents.api import router as incidents
    from watchkeeper.learning.api import router as learning
    from watchkeeper.people.api import router as people
    from watchkeeper.safeguards.api import router as safeguards
    from watchkeeper.staff.api import router as staff
    from watchkeeper.web.policy_api import router as policy

    api.add_router("/", incidents)
    api.add_router("/", people)
    api.add_router("/", dispatch)
    api.add_router("/safeguards", safeguards)
    api.add_router("/staff", staff)
    api.add_router("/policy", policy)
    api.add_router("/learning", learning)


_register()
