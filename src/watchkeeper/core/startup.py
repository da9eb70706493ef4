"""What must be true before this process serves anyone: checked by `watchkeeper serve` and by the ASGI
application itself (so a server started another way is held to the same)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def serving_refusal() -> str:
    """Why this process must not serve, or "" when it may."""
    if settings.DEVELOPMENT_KEY_IN_USE and not settings.DEBUG and not settings.DEMO:
        return ("WATCHKEEPER_SECRET_KEY is not set, so the development key would sign sessions and CSRF tokens. "
                "That key is public (it is in the source), so anyone could forge a sign-in. Set "
                "WATCHKEEPER_SECRET_KEY to a long random value (for example the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set WATCHKEEPER_DEBUG=1 on "
                "a development machine.")
    return ""


def refuse_unsafe_serving() -> None:
    """Stop (ImproperlyConfigured) rather than serve with a setting an evidential system must not guess."""
    problem = serving_refusal()
    if problem:
        raise ImproperlyConfigured(problem)
