"""Case pages: my cases, team cases (supervisors), the case page with its people, logs, handovers and
timeline. Thin: parse, one operation (`OPERATIONS[what]`, validated against the API's schemas) or one read
model (cases/queries.py), render. A refusal is shown beside the control that caused it, with its status."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import Case
from watchkeeper.cases.operations import OPERATIONS
from watchkeeper.cases.rules import (
    CHANNELS,
    DECISIONS,
    DISCLOSURE_DECISIONS,
    FAILURES,
    KINDS,
    PARTY_ROLES,
    REFERRAL_KINDS,
    RISKS,
    UPDATE_KINDS,
)
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.people.models import Person
from watchkeeper.risk.queries import newest_instruments
from watchkeeper.staff.roles import allowed
from watchkeeper.web.forms import actor_of, operation

CASE_ACTIONS = ("party", "risk", "log", "handover", "acknowledge", "close", "review", "contact", "update", "delivery",
                "conflict", "assess", "referral", "action", "action_done", "disclose", "bail", "bail_amend",
                "bail_review", "bail_end")


def _may(request: HttpRequest) -> dict[str, bool]:
    role = getattr(request.user, "role", "")
    return {p.replace("case.", ""): allowed(role, p) for p in ("case.view", "case.manage", "case.supervise")}


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"may": _may(request), "kinds": list(KINDS.items()), "risks": list(RISKS.items()),
            "receivers": queries.receivers(), **extra}


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """P1: my cases and the handovers awaiting my acknowledgement."""
    actor = actor_of(request)
    actor.require("case.view")
    return render(request, "cases/mine.html", _list_context(request, data=queries.my_cases(actor.person)))


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """P1: the cases a supervisor supervises or their team holds, queued ones first."""
    actor = actor_of(request)
    actor.require("case.supervise")
    return render(request, "cases/team.html", _list_context(request, data=queries.team_cases(actor.person)))


@login_required
@require_POST
def open_do(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        c = operation(OPERATIONS, "open").from_form(actor, request.POST)
    except Refusal as exc:
        if not actor.may("case.view"):
            raise  # the refusal page (RefusalMiddleware)
        return render(request, "cases/mine.html", _list_context(
            request, data=queries.my_cases(actor.person), errors={"open": exc}, tried=request.POST),
            status=exc.status)
    return HttpResponseRedirect(reverse("cases:case", args=[c.pk]))


def _case_context(request: HttpRequest, c: Case, **extra: Any) -> dict[str, Any]:
    data = queries.case(c)
    me = getattr(request.user, "pk", None)
    may = _may(request)
    works = may["manage"] and (may["supervise"] or me in (c.officer_id, c.supervisor_id))
    may_review = may["supervise"] and c.state == "open" and me != c.officer_id
    return {"c": data, "may": may, "may_work": works and c.state == "open", "me": me, "may_deliver": works,
            "roles": list(PARTY_ROLES.items()), "channels": list(CHANNELS.items()),
            "decisions": list(DECISIONS.items()), "update_kinds": list(UPDATE_KINDS.items()),
            "failures": list(FAILURES.items()), "referral_kinds": list(REFERRAL_KINDS.items()),
            "receivers": queries.receivers(), "risks": list(RISKS.items()),
            "may_review": may_review, "evidence": actions.evidence_options(c) if may_review else [],
            "instruments": [(i.code, i.title) for i in newest_instruments()] if works else [],
            "disclosure_decisions": list(DISCLOSURE_DECISIONS.items()),
            "may_bail": works and c.state == "open" and allowed(getattr(request.user, "role", ""), "order.manage"),
            "suspects": [p for p in data["people"] if p["role"] == "suspect"], **extra}


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    c = actions.view_case(actor_of(request), case_id)
    return render(request, "cases/case.html", _case_context(request, c))


@login_required
@require_POST
def case_do(request: HttpRequest, case_id: int, what: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        if what not in CASE_ACTIONS:
            raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(CASE_ACTIONS)}", "action")
        done = operation(OPERATIONS, what).from_form(actor, request.POST, case_id=case_id)
    except Refusal as exc:
        c = Case.objects.select_related("officer", "supervisor", "team", "origin").filter(pk=case_id).first()
        if c is None or not actor.may("case.view"):
            raise  # the refusal page (RefusalMiddleware)
        return render(request, "cases/case.html", _case_context(request, c, errors={what: exc}), status=exc.status)
    if what == "acknowledge":
        return HttpResponseRedirect(reverse("cases:mine"))
    if what == "risk":  # straight on to the questions
        return HttpResponseRedirect(reverse("risk:assessment", args=[done.pk]))
    return HttpResponseRedirect(reverse("cases:case", args=[case_id]))


def _victim_context(request: HttpRequest, person: Person, **extra: Any) -> dict[str, Any]:
    return {"v": queries.victim(person), "may": _may(request), "all_channels": list(CHANNELS.items()),
            "contacts": [r for r in queries.receivers() if r["hold"]], **extra}


@login_required
@require_GET
def victim_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """P3: a victim's point of contact, cases, contacts and updates."""
    person = actions.view_victim(actor_of(request), person_id)
    return render(request, "cases/victim.html", _victim_context(request, person))


@login_required
@require_POST
def victim_do(request: HttpRequest, person_id: int, what: str) -> HttpResponse:
    """P3: name or change the victim's point of contact; P4: record their preferred channels."""
    actor = actor_of(request)
    try:
        if what not in ("spoc", "channels"):
            raise Invalid(f"Unknown action {what!r}; expected one of: spoc, channels", "action")
        operation(OPERATIONS, what).from_form(actor, request.POST, person_id=person_id)
    except Refusal as exc:
        person = Person.objects.filter(pk=person_id).first()
        if person is None or not actor.may("case.view"):
            raise  # the refusal page (RefusalMiddleware)
        return render(request, "cases/victim.html", _victim_context(request, person, errors={what: exc}),
                      status=exc.status)
    return HttpResponseRedirect(reverse("cases:victim", args=[person_id]))
