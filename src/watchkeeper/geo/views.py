"""The map page, the map's data for pages (the same read as GET /api/map, with the session), and the nearest
units for the assignment form. Thin: one read model each (geo/queries.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.geo import queries
from watchkeeper.incidents.actions import resolve
from watchkeeper.web.forms import actor_of


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    try:
        actor_of(request).require("log.view")
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    return render(request, "geo/map.html", {})


@login_required
@require_GET
def data(request: HttpRequest) -> JsonResponse:
    try:
        actor_of(request).require("log.view")
    except Refusal as exc:
        return JsonResponse({"error": "refused", "message": exc.message}, status=exc.status)
    return JsonResponse(queries.map_data(current_policy(), reference=request.GET.get("reference", "")[:32]))


@login_required
@require_GET
def suggestions(request: HttpRequest, reference: str) -> HttpResponse:
    """The nearest suitable units for a log, as a fragment beside the assignment form."""
    try:
        actor_of(request).require("log.view")
        log, _ = resolve(reference)
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    skills = [s[:40] for s in request.GET.getlist("skills")[:5]]
    return render(request, "geo/_suggestions.html", {"s": queries.suggestions(log, skills=skills, limit=8)})
