"""Per-caller rate limits on the API, so one bulk caller cannot take the write path from everyone else (the
999 call raised while an integration floods the API still gets through).

One place: `ApiRateLimit` is installed on the whole NinjaAPI (`NinjaAPI(throttle=[ApiRateLimit()])`), so
every endpoint is counted the same way. Each API token is counted on its own, and each signed-in browser
session on its own; requests without either are refused by authentication before they are counted (the
sign-in page has its own lock-out). Writes (POST, PUT, PATCH, DELETE) have their own, lower limit; every
request counts towards the overall one. A caller over a limit gets 429 with `Retry-After` (django-ninja's
throttling answers it) and nothing is done.

The counting is the `limits` package's moving window. Its storage is this process's memory unless
WATCHKEEPER_RATE_LIMIT_STORAGE names a shared one (`redis://...`, `memcached://...`), so with several app
servers behind a balancer each server counts on its own unless a shared store is configured.

Settings (see settings.py): WATCHKEEPER_API_RATE (every request, default 6000/minute) and
WATCHKEEPER_API_WRITE_RATE (writes, default 1200/minute) in the `limits` notation ("N/second",
"N/minute", "N per 10 seconds"); "off" turns a limit off (benchmarks that drive one token past the
limits on purpose).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from ninja.throttling import BaseThrottle

DEFAULT_RATE = "6000/minute"
DEFAULT_WRITE_RATE = "1200/minute"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _rate(value: str | None) -> RateLimitItem | None:
    if value is None or value.strip().lower() in ("", "off", "none"):
        return None
    return parse(value)


def caller_key(request: HttpRequest) -> str | None:
    """Who is counted: the API token (by a digest, never the token itself) or the signed-in session's user;
    None for a request that is neither (it is not counted)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        session = getattr(request, "session", None)
        session_key = getattr(session, "session_key", None) or ""
        return f"user:{user.pk}:{hashlib.sha256(session_key.encode()).hexdigest()[:16]}"
    return None


class ApiRateLimit(BaseThrottle):
    """The API's one rate limit (see the module docstring)."""

    def __init__(self, rate: str | None = None, write_rate: str | None = None,
                 storage: str | None = None) -> None:
        self.rate = _rate(rate if rate is not None else getattr(settings, "API_RATE", DEFAULT_RATE))
        self.write_rate = _rate(
            write_rate if write_rate is not None else getattr(settings, "API_WRITE_RATE", DEFAULT_WRITE_RATE)
        )
        uri = storage or getattr(settings, "RATE_LIMIT_STORAGE", "") or "memory://"
        self.storage = cast(Storage, storage_from_string(uri))
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._local = threading.local()

    def limits_for(self, request: HttpRequest) -> list[tuple[str, RateLimitItem]]:
        found = []
        if self.write_rate is not None and request.method in WRITES:
            found.append(("write", self.write_rate))
        if self.rate is not None:
            found.append(("all", self.rate))
        return found

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        key = caller_key(request)
        if key is None:
            return True
        for scope, item in self.limits_for(request):
            if not self.limiter.hit(item, "wk-api", scope, key):
                reset = self.limiter.get_window_stats(item, "wk-api", scope, key).reset_time
                self._local.wait = max(1.0, math.ceil(reset - time.time()))
                return False
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)

    def reset(self) -> None:
        """Forget every count (tests)."""
        self.storage.reset()

    def __repr__(self) -> str:  # pragma: no cover - shown in errors only
        return f"ApiRateLimit(rate={self.rate!s}, write_rate={self.write_rate!s})"


def describe(throttle: Any) -> str:
    """One line for the OpenAPI description: the limits in force."""
    rate = getattr(throttle, "rate", None)
    write = getattr(throttle, "write_rate", None)
    return (f"Rate limits per API token and per signed-in session: {rate or 'none'} for all requests, "
            f"{write or 'none'} for writes; over a limit the answer is 429 with Retry-After.")
