"""How the API knows who is calling: the signed-in browser session, or a per-user bearer token.

A token is accepted only while it is unrevoked and unexpired, and its user is active and not locked out
after failed sign-ins: locking an account (or disabling it) stops its integrations too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
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


@lru_cache(maxsize=4)
def _token_sql(lockout: bool, cool_off: bool) -> str:
    """The one statement a bearer token is checked with: the token (live, not revoked, not expired), its
    user's row, whether failed sign-ins lock the user out, and whether its last use is old enough to record
    again. Written once as plain SQL: this runs on every API call, and building it through the ORM each time
    cost more than running it."""
    from axes.models import AccessAttempt

    token, user, attempt = ApiToken._meta.db_table, User._meta.db_table, AccessAttempt._meta.db_table
    columns = ", ".join(f'u."{f.column}"' for f in User._meta.concrete_fields)
    locked = "0"
    if lockout:
        locked = (f'EXISTS (SELECT 1 FROM "{attempt}" a WHERE a."username" = u."username" '
                  'AND a."failures_since_start" >= %s' + (' AND a."attempt_time" >= %s' if cool_off else "") + ")")
    return (f'SELECT {columns}, t."id" AS token_id, {locked} AS token_locked, '
            'CASE WHEN t."last_used_at" IS NULL OR t."last_used_at" < %s THEN 1 ELSE 0 END AS token_use_stale '
            f'FROM "{token}" t JOIN "{user}" u ON u."id" = t."user_id" '
            'WHERE t."token_hash" = %s AND t."revoked_at" IS NULL AND t."expires_at" > %s')


def user_for_token(raw: str) -> User | None:
    """The member of staff a bearer token acts for, or None when it must be refused. One statement: the
    token, its user and whether the user is locked out are read together (this runs on every API call)."""
    raw = raw.strip()
    if not raw:
        return None
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    now = clock.now()
    lockout = bool(getattr(settings, "AXES_ENABLED", True))
    params: list[Any] = []
    cool_off = None
    if lockout:
        from axes.helpers import get_cool_off

        cool_off = get_cool_off()
        params.append(settings.AXES_FAILURE_LIMIT)
        if cool_off is not None:
            # axes stamps attempts with the real time, so compare with the real time (not a drill's clock).
            params.append(adapt(clock.real_now() - cool_off))
    params += [adapt(now - _USE_RECORDED_EVERY), ApiToken.hash(raw), adapt(now)]
    row = next(iter(User.objects.raw(_token_sql(lockout, cool_off is not None), params)), None)
    if row is None or not row.is_active or getattr(row, "token_locked", True):
        return None
    if getattr(row, "token_use_stale", False):
        # When the token was last used is a convenience for its owner, not evidence: if the database is busy
        # or cannot take the write, the request goes on without it (the action it asks for is refused or
        # written on its own terms).
        try:
            with transaction.atomic():
                ApiToken.objects.filter(pk=int(getattr(row, "token_id", 0))).update(last_used_at=now)
        except DatabaseError:
            pass
    return row


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
