"""Who is at the other end of a request, as far as sign-in throttling is concerned.

The address is the connection's own (REMOTE_ADDR). Headers such as X-Forwarded-For are written by the
client and are never read here: where Watchkeeper runs behind proxies, `serve` lets Uvicorn replace the
connection's address with the forwarded one only when the connection comes from a proxy listed in
WATCHKEEPER_TRUSTED_PROXIES.
"""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address sign-in failures are counted against (axes' AXES_CLIENT_IP_CALLABLE)."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
