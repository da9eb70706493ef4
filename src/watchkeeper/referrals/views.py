"""Referral pages: the queue by risk (P7) with its backlog, a referral's page, and force referrals both ways
(P11). Thin: parse, one operation (`OPERATIONS[what]`, validated against the API's schemas) or one read model
(referrals/queries.py), render. Allocating and recording an outcome from the queue swap the row in place (htmx);
a refusal is shown beside the control that caused it, with its status."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from watchkeeper.core import validate as v
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.roles import allowed
from watchkeeper.referrals import actions, queries, rules
from watchkeeper.referrals.models import IntelReferral
from watchkeeper.referrals.operations import OPERATIONS
from watchkeeper.web.forms import actor_of, int_param, operation

REFERRAL_ACTIONS = ("allocate", "risk", "outcome", "case")
ROW_ACTIONS = ("allocate", "outcome")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _may(request: HttpRequest) -> dict[str, bool]:
    role = getattr(request.user, "role", "")
    return {"view": allowed(role, "case.view"), "manage": allowed(role, "case.manage"),
            "supervise": allowed(role, "case.supervise"), "forces": allowed(role, "risk.decide")}


def _filters(request: HttpRequest) -> dict[str, Any]:
    state = request.GET.get("state", "open")
    v.choice(state, "state", ["open", "worked"])
    tier = request.GET.get("tier", "")
    if tier:
        v.choice(tier, "tier", list(rules.TIERS))
    officer = request.GET.get("officer", "")
    officer_id = request.user.pk if officer == "me" else int_param(officer, "officer")
    return {"state": state, "tier": tier, "officer_id": officer_id, "source": request.GET.get("source", "")[:200],
            "officer": officer}


def _row_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"may": _may(request), "me": getattr(request.user, "pk", None), "officers": queries.officers(),
            "outcomes": list(rules.OUTCOMES.items()), **extra}


def _queue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    f = _filters(request)
    may = _may(request)
    return _row_context(
        request, rows=queries.queue(state=f["state"], tier=f["tier"], officer_id=f["officer_id"], source=f["source"]),
        f=f, tiers=list(rules.TIERS.items()), access=list(rules.ACCESS.items()), grades=list(rules.GRADES.items()),
        checks=list(rules.CHECKS.items()), backlog=queries.backlog() if may["supervise"] else [], **extra)


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """P7: referrals in the order they are to be worked, with their age; the backlog for supervisors."""
    actor_of(request).require("case.view")
    return render(request, "referrals/queue.html", _queue_context(request))


@login_required
@require_POST
def queue_do(request: HttpRequest, what: str) -> HttpResponse:
    """P7: record one referral, or import a list (a file or pasted CSV)."""
    actor = actor_of(request)
    form = request.POST.copy()
    try:
        if what not in ("create", "import"):
            raise Invalid(f"Unknown action {what!r}; expected one of: create, import", "action")
        upload = request.FILES.get("file")
        if what == "import" and upload is not None:
            if upload.size is not None and upload.size > actions.MAX_IMPORT_BYTES:
                raise Invalid(f"The list is larger than {actions.MAX_IMPORT_BYTES // 1024} KB.", "text")
            try:
                form["text"] = upload.read(actions.MAX_IMPORT_BYTES + 1).decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid("The list must be UTF-8 text (CSV).", "text") from None
        done = operation(OPERATIONS, what).from_form(actor, form)
    except Refusal as exc:
        if not actor.may("case.view"):
            raise  # the refusal page (RefusalMiddleware)
        return render(request, "referrals/queue.html", _queue_context(request, errors={what: exc}, tried=form),
                      status=exc.status)
    if what == "create":
        return HttpResponseRedirect(reverse("referrals:referral", args=[done.pk]))
    return HttpResponseRedirect(f"{reverse('referrals:queue')}?imported={done.rows}")


def _referral_context(request: HttpRequest, r: IntelReferral, **extra: Any) -> dict[str, Any]:
    may = _may(request)
    me = getattr(request.user, "pk", None)
    works = may["manage"] and (may["supervise"] or (r.officer_id is not None and r.officer_id == me))
    return _row_context(request, r=queries.referral(r), may_work=works and r.state != "worked",
                        access=list(rules.ACCESS.items()), grades=list(rules.GRADES.items()),
                        checks=list(rules.CHECKS.items()), **extra)


@login_required
@require_GET
def referral_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    r = actions.view_referral(actor_of(request), referral_id)
    return render(request, "referrals/referral.html", _referral_context(request, r))


@login_required
@require_POST
def referral_do(request: HttpRequest, referral_id: int, what: str) -> HttpResponse:
    """P7: allocate, record the risk or the outcome, open a case. From a queue row (htmx) the row is drawn
    again in place, with any refusal beside its control."""
    actor = actor_of(request)
    in_row = _is_htmx(request) and request.POST.get("from") == "queue" and what in ROW_ACTIONS
    try:
        if what not in REFERRAL_ACTIONS:
            raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(REFERRAL_ACTIONS)}", "action")
        done = operation(OPERATIONS, what).from_form(actor, request.POST, referral_id=referral_id)
    except Refusal as exc:
        r = IntelReferral.objects.select_related("officer", "case", "worked_by").filter(pk=referral_id).first()
        if r is None or not actor.may("case.view"):
            raise  # the refusal page (RefusalMiddleware)
        if in_row:
            return render(request, "referrals/_row.html",
                          _row_context(request, r=queries.row(r), row_error=exc), status=exc.status)
        return render(request, "referrals/referral.html", _referral_context(request, r, errors={what: exc}),
                      status=exc.status)
    if in_row:
        r = IntelReferral.objects.select_related("officer", "case").get(pk=referral_id)
        return render(request, "referrals/_row.html", _row_context(request, r=queries.row(r), announce=what))
    if what == "case":
        return HttpResponseRedirect(reverse("cases:case", args=[done.pk]))
    return HttpResponseRedirect(reverse("referrals:referral", args=[referral_id]))


# ------------------------------------------------------------------------------------------ P11
def _forces_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"may": _may(request), "incoming": queries.incoming(), "outgoing": queries.outgoing(),
            "roles": list(rules.SUBJECT_ROLES.items()), "vias": list(rules.RECEIVED_VIA.items()), **extra}


@login_required
@require_GET
def forces_page(request: HttpRequest) -> HttpResponse:
    """P11: referrals received from other forces (until acknowledged and actioned) and those made to them."""
    actor_of(request).require("case.view")
    return render(request, "referrals/forces.html", _forces_context(request))


@login_required
@require_POST
def incoming_do(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        operation(OPERATIONS, "incoming").from_form(actor, request.POST)
    except Refusal as exc:
        if not actor.may("case.view"):
            raise
        return render(request, "referrals/forces.html",
                      _forces_context(request, errors={"incoming": exc}, tried=request.POST), status=exc.status)
    return HttpResponseRedirect(reverse("referrals:forces"))


@login_required
@require_POST
def incoming_action(request: HttpRequest, incoming_id: int, what: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        if what not in ("acknowledge", "actioned"):
            raise Invalid(f"Unknown action {what!r}; expected one of: acknowledge, actioned", "action")
        operation(OPERATIONS, what).from_form(actor, request.POST, incoming_id=incoming_id)
    except Refusal as exc:
        if not actor.may("case.view"):
            raise
        return render(request, "referrals/forces.html",
                      _forces_context(request, row_error={"what": what, "id": incoming_id, "exc": exc}),
                      status=exc.status)
    return HttpResponseRedirect(reverse("referrals:forces") + f"#incoming-{incoming_id}")
