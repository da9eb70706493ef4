"""A log on paper (court bundles, handovers): `/logs/<reference>/print/`, everything on the log in one page
with a print stylesheet (the browser saves it as PDF): the header (grade, status, location, markers), the
officer-safety summary, every contact and entry with its author and time, the grading history with THRIVE
and the policy proposal, units and the response clock, requests, tasks and links.

Opening it is a view of the log like any other: the action (`view_log`) checks the person may see the log
and writes the audit record with the purpose they give (`?purpose=`, "print" when none is given). Printing
does not count as reading the entries on screen (L3): unseen entries stay unseen.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.incidents import hooks, queries
from watchkeeper.incidents.actions import view_log
from watchkeeper.incidents.models import Grading
from watchkeeper.staff.models import User
from watchkeeper.web.forms import actor_of

PURPOSE_MAX = 200
GRADINGS_MAX = 200


def _purpose(request: HttpRequest) -> str:
    given = " ".join(str(request.GET.get("purpose", "")).split())[:PURPOSE_MAX]
    return f"print: {given}" if given else "print"


@login_required
def log_print(request: HttpRequest, reference: str) -> HttpResponse:
    """The printable log (see the module docstring); a refusal (no such log, not allowed to see it) is the
    project's Refusal, rendered by RefusalMiddleware."""
    view = view_log(actor_of(request), reference, purpose=_purpose(request), mark_read=False)
    log = view.log
    user = request.user if isinstance(request.user, User) else None
    detail = queries.log_detail(log, user)
    gradings = list(Grading.objects.filter(log=log).select_related("graded_by", "authorised_by")
                    .order_by("at", "pk")[:GRADINGS_MAX])
    ctx: dict[str, Any] = {
        "log": log, "d": detail, "policy": current_policy(), "gradings": gradings,
        "risk": hooks.risk_summary(log), "printed_at": clock.now(), "purpose": _purpose(request),
        "thrive_order": ["threat", "harm", "risk", "investigation", "vulnerability", "engagement"],
        "printed_by": getattr(request.user, "display", ""),
    }
    return render(request, "incidents/print.html", ctx)
