"""The search page and the top bar's find box. Thin: the query string is validated by the API's own schema
(`parse_form(SearchIn, ...)`), then the one audited action runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents.actions import resolve
from watchkeeper.search import actions, rules
from watchkeeper.search.schemas import SearchIn
from watchkeeper.web.forms import actor_of, parse_form

FIELDS = ("q", "person", "address", "phone", "date_from", "date_to", "category", "grade", "status", "area",
          "flags", "sort")


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """The top bar's "/" box: a log reference goes straight to the log (L1: merged ones to the survivor);
    anything else is searched."""
    q = request.GET.get("q", "").strip()
    try:
        actor_of(request).require("log.view")
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    if rules.looks_like_reference(q):
        try:
            log, _ = resolve(q)
        except Refusal:
            pass
        else:
            return HttpResponseRedirect(reverse("log", args=[log.reference]))
    return HttpResponseRedirect(reverse("search:page") + ("?" + urlencode({"q": q}) if q else ""))


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    policy = current_policy()
    ctx: dict[str, Any] = {
        "form": {k: request.GET.get(k, "") for k in FIELDS if k != "flags"},
        "chosen_flags": request.GET.getlist("flags"),
        "grades": policy["grades"], "categories": policy["categories"], "flag_choices": policy["flags"],
        "statuses": [("open", "Open"), ("closed", "Closed"), ("cancelled", "Cancelled"), ("merged", "Merged")],
        "policy": policy, "results": None, "error": None, "q": request.GET.get("q", ""),
    }
    status = 200
    asked = any(request.GET.get(k) for k in FIELDS if k not in ("sort",))
    try:
        actor.require("log.view")
        if asked:
            params = parse_form(SearchIn, request.GET)
            found = actions.search(actor, params)
            ctx["results"] = found
            base = [(k, v) for k in FIELDS for v in request.GET.getlist(k) if v]
            if found.page > 1:
                ctx["prev_url"] = "?" + urlencode([*base, ("page", found.page - 1)])
            if found.has_more:
                ctx["next_url"] = "?" + urlencode([*base, ("page", found.page + 1)])
    except Refusal as exc:
        ctx["error"] = exc
        status = exc.status
    return render(request, "search/search.html", ctx, status=status)
