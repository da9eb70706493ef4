"""`/health` and `/ready`, for a load balancer or a supervisor.

`/health` says the process is up and answering: always 200, and it touches no database (a database outage
must not get healthy processes restarted). `/ready` says whether this server can take calls now: the
database takes a write (a probe rolled back), every migration is applied, and the sweeper's loop has ticked
recently; 200 when all pass, 503 (with Retry-After) naming each check otherwise. Neither needs a sign-in,
and neither says anything an outsider could use (no versions, paths, names or counts of records).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from watchkeeper.core.startup import readiness


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"status": "up"})
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ok = all(bool(c["ok"]) for c in checks.values())
    response = JsonResponse({"status": "ready" if ok else "unavailable", "checks": checks},
                            status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    if not ok:
        response["Retry-After"] = "10"
        response._has_been_logged = True  # type: ignore[attr-defined]  # an answer, not a fault: not logged
    return response
