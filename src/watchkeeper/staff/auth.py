"""How the API knows who is calling: the signed-in browser session, or a per-user bearer token.

A token is accepted only while it is unrevoked and unexpired, and its user is active and not locked out
after failed sign-ins: locking an account (or disabling it) stops its integrations too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import APIKeyCookie, HttpBearer

from watchkeeper.core import clock
from watchkeeper.staff.models import ApiToken, User

# last_used_at is written at most this often per token, so a busy integration does not write every call.
_USE_RECORDED_EVERY = timedelta(minutes=5)


def _lockouts(username: Any) -> QuerySet[Any] | None:
    """The failed-sign-in records that lock an account (axes: the failure limit reached within the cool-off,
    from any address), or None when sign-in throttling is off. `username` may be an outer reference."""
    if not getattr(settings, "AXES_ENABLED", True):
        return None
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        # axes stamps attempts with the real time, so compare with the real time (not a drill's clock).
        attempts = attempts.filter(attempt_time__gte=clock.real_now() - cool_off)
    return attempts


def locked_out(user: User) -> bool:
    """Whether failed sign-ins have locked this account."""
    attempts = _lockouts(user.username)
    return attempts is not None and attempts.exists()


def user_for_token(raw: str) -> User | None:
    """The member of staff a bearer token acts for, or None when it must be refused. One query: the token,
    its user and whether the user is locked out are read together (this runs on every API call)."""
    raw = raw.strip()
    if not raw:
        return None
    tokens = ApiToken.objects.filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True).select_related("user")
    lockouts = _lockouts(OuterRef("user__username"))
    if lockouts is not None:
        tokens = tokens.annotate(locked=Exists(lockouts))
    row = tokens.first()
    if row is None or row.expires_at <= clock.now() or not row.user.is_active or getattr(row, "locked", False):
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > _USE_RECORDED_EVERY:
        # When the token was last used is a convenience for its owner, not evidence: if the database is busy
        # or cannot take the write, the request goes on without it (the action it asks for is refused or
        # written on its own terms).
        try:
            with transaction.atomic():
                ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        except DatabaseError:
            pass
    return row.user


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
    """`Authorization: Bearer wk_...`: a per-user token issued with `watchkeeper api-token` or on the
    tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's documentation page and OpenAPI schema (NinjaAPI(docs_decorator=...)): for a signed-in
    session or a valid bearer token, unless WATCHKEEPER_API_DOCS_PUBLIC declares them public. The map of
    every endpoint is reconnaissance an attacker should not get for free."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_DOCS_PUBLIC:
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and user_for_token(header[7:]) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"error": "unauthenticated",
                                 "message": "Sign in, or send a valid API token (Authorization: Bearer ...), "
                                            "to read the API schema.",
                                 "next_step": "Sign in again."}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    return guarded
