"""Risk pages: the assessment sheet (answers saved as you go, the guidance beside the judgement), the
supervisor's review queue, a person's risk timeline, the instruments, and the log page's risk panel.

Thin, like every page: parse, then one operation (`OPERATIONS[what]`, validated against the API's own
schemas through `watchkeeper.web.forms`) or one read model (risk/queries.py), then render. A refusal is
shown beside the control that caused it, with its 4xx status.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents.actions import resolve
from watchkeeper.people.models import Person
from watchkeeper.risk import actions, queries
from watchkeeper.risk.models import Assessment, FollowUp, MissingPerson, MissingPlace, MissingWeather
from watchkeeper.risk.operations import OPERATIONS
from watchkeeper.risk.rules import DECISION_KINDS, SOURCES
from watchkeeper.staff.roles import allowed
from watchkeeper.web.forms import actor_of, operation

ASSESSMENT_ACTIONS = ("answers", "refusal", "submit", "review")
PAGE_ACTIONS = ("start", "instrument", "decision", "missing", "referral")
MISSING_ACTIONS = ("missing_review", "missing_place", "found", "weather", "callback")
YES_NO_LABELS = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
SOURCE_LABELS = {"person": "The person", "records": "Police records", "officer": "The officer"}


def _may(request: HttpRequest) -> dict[str, bool]:
    role = getattr(request.user, "role", "")
    return {p.replace("risk.", ""): allowed(role, p)
            for p in ("risk.view", "risk.assess", "risk.review", "risk.decide", "risk.instruments")}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refused(request: HttpRequest, exc: Refusal, template: str = "refused.html") -> HttpResponse:
    return render(request, template, {"error": exc}, status=exc.status)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The review queue (R3) for those who review, and the assessments the signed-in officer has in progress."""
    actor = actor_of(request)
    try:
        actor.require("risk.view")
    except Refusal as exc:
        return _refused(request, exc)
    may = _may(request)
    mine = (Assessment.objects.filter(started_by=actor.user, state="draft")
            .select_related("instrument", "person", "log").order_by("-started_at")[:50])
    return render(request, "risk/home.html", {
        "queue": queries.review_queue() if may["review"] else None, "mine": mine, "may": may,
        "missing": queries.open_missing(), "followups": queries.open_followups()})


def _sheet_context(request: HttpRequest, a: Assessment, **extra: Any) -> dict[str, Any]:
    may = _may(request)
    data = queries.assessment(a)
    mine = a.started_by_id == getattr(request.user, "pk", None)
    return {"a": data, "may": may, "sources": [(s, SOURCE_LABELS[s]) for s in SOURCES], "yes_no": YES_NO_LABELS,
            "may_work": data["state"] == "draft" and may["assess"] and (mine or may["review"]),
            "may_review_this": data["state"] == "awaiting_review" and may["review"] and not mine,
            **extra}


@login_required
@require_GET
def assessment_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        a = actions.view_assessment(actor_of(request), assessment_id)
    except Refusal as exc:
        return _refused(request, exc)
    return render(request, "risk/assessment.html", _sheet_context(request, a))


@login_required
@require_GET
def guidance_fragment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The guidance and mandatory sections as the answers stand now (refreshed after each saved answer)."""
    try:
        actor_of(request).require("risk.view")
        a = Assessment.objects.select_related("instrument", "person", "log", "started_by").get(pk=assessment_id)
    except Refusal as exc:
        return _refused(request, exc, "risk/_fragment_refused.html")
    except Assessment.DoesNotExist:
        return HttpResponse("No such assessment.", status=404)
    return render(request, "risk/_guidance.html", _sheet_context(request, a))


@login_required
@require_POST
def assessment_do(request: HttpRequest, assessment_id: int, what: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        if what not in ASSESSMENT_ACTIONS:
            raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(ASSESSMENT_ACTIONS)}", "action")
        operation(OPERATIONS, what).from_form(actor, request.POST, assessment_id=assessment_id)
    except Refusal as exc:
        a = Assessment.objects.select_related("instrument", "person", "log", "started_by").filter(
            pk=assessment_id).first()
        if a is None or not actor.may("risk.view"):
            return _refused(request, exc)
        if _is_htmx(request) and what == "answers":
            return render(request, "risk/_saved.html", {"error": exc}, status=exc.status)
        return render(request, "risk/assessment.html", _sheet_context(request, a, errors={what: exc}),
                      status=exc.status)
    if _is_htmx(request) and what == "answers":
        response = render(request, "risk/_saved.html", {"saved": True})
        response["HX-Trigger"] = "risk-saved"
        return response
    target = reverse("risk:assessment", args=[assessment_id])
    if what == "review":
        target = reverse("risk:home") + "#queue"
    return HttpResponseRedirect(target)


@login_required
@require_POST
def page_do(request: HttpRequest, what: str) -> HttpResponse:
    """Start an assessment (from a log or a person), load an instrument, or record a risk decision."""
    actor = actor_of(request)
    back = request.POST.get("back", "")
    try:
        if what not in PAGE_ACTIONS:
            raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(PAGE_ACTIONS)}", "action")
        done = operation(OPERATIONS, what).from_form(actor, request.POST)
    except Refusal as exc:
        return _refused(request, exc)
    if what == "start":
        return HttpResponseRedirect(reverse("risk:assessment", args=[done.pk]))
    if what == "instrument":
        return HttpResponseRedirect(reverse("risk:instruments"))
    if what == "missing":
        return HttpResponseRedirect(reverse("risk:missing", args=[done.pk]))
    if what == "referral" and not back:
        return HttpResponseRedirect(reverse("risk:person", args=[done.person_id]))
    if back.startswith("/") and not back.startswith("//"):
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(reverse("risk:home"))


@login_required
@require_GET
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's risk timeline: assessments and decisions, newest first, with a start and a decision form."""
    try:
        actor_of(request).require("risk.view")
    except Refusal as exc:
        return _refused(request, exc)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return _refused(request, Invalid(f"No person has id {person_id}", "person_id"))
    return render(request, "risk/person.html", {
        "person": person, "timeline": queries.person_timeline(person_id), "may": _may(request),
        "instruments": [queries.definition(i) for i in queries.newest_instruments()],
        "kinds": list(DECISION_KINDS.items()), "levels": MissingPerson.LEVELS,
        "missing_records": MissingPerson.objects.filter(person=person).order_by("-reported_at")[:50],
        "followups": queries.followups(FollowUp.objects.filter(person=person))})


@login_required
@require_GET
def log_fragment(request: HttpRequest, reference: str) -> HttpResponse:
    """The log page's risk panel (R4 prompts, the log's assessments and decisions)."""
    try:
        actor_of(request).require("risk.view")
        log = resolve(reference)[0]
    except Refusal as exc:
        return _refused(request, exc, "risk/_fragment_refused.html")
    return render(request, "risk/_log_panel_body.html", {
        "log": log, "p": queries.log_panel(log), "may": _may(request),
        "instruments": [queries.definition(i) for i in queries.newest_instruments()],
        "kinds": list(DECISION_KINDS.items()), "levels": MissingPerson.LEVELS,
        "missing_records": MissingPerson.objects.filter(log=log).select_related("person")
        .order_by("-reported_at")[:50]})


@login_required
@require_GET
def instruments_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.may("risk.instruments"):  # those who load them, and those who assess with them
        try:
            actor.require("risk.view")
        except Refusal as exc:
            return _refused(request, exc)
    return render(request, "risk/instruments.html", {"i": queries.instruments(), "may": _may(request)})


# ------------------------------------------------------------------------------------------ P9 missing persons
def _missing_context(request: HttpRequest, missing_id: int, **extra: Any) -> dict[str, Any]:
    return {"m": queries.missing(missing_id), "may": _may(request), "levels": MissingPerson.LEVELS,
            "statuses": MissingPlace.STATUSES, "entries": MissingPlace.ENTRY,
            "conditions": MissingWeather.CONDITIONS, **extra}


@login_required
@require_GET
def missing_page(request: HttpRequest, missing_id: int) -> HttpResponse:
    try:
        actor_of(request).require("risk.view")
        context = _missing_context(request, missing_id)
    except Refusal as exc:
        return _refused(request, exc)
    return render(request, "risk/missing.html", context)


@login_required
@require_POST
def missing_do(request: HttpRequest, missing_id: int, what: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        if what not in MISSING_ACTIONS:
            raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(MISSING_ACTIONS)}", "action")
        operation(OPERATIONS, what).from_form(actor, request.POST, missing_id=missing_id)
    except Refusal as exc:
        if not actor.may("risk.view") or not MissingPerson.objects.filter(pk=missing_id).exists():
            return _refused(request, exc)
        return render(request, "risk/missing.html", _missing_context(request, missing_id, errors={what: exc}),
                      status=exc.status)
    return HttpResponseRedirect(reverse("risk:missing", args=[missing_id]))


@login_required
@require_GET
def person_fragment(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person page's risk panel: the person's assessments, risk decisions and follow-ups, newest first."""
    try:
        actor_of(request).require("risk.view")
        timeline = queries.person_timeline(person_id)
    except Refusal as exc:
        return _refused(request, exc, "risk/_fragment_refused.html")
    return render(request, "risk/_person_panel_body.html", {
        "person_id": person_id, "timeline": timeline,
        "followups": queries.followups(FollowUp.objects.filter(person_id=person_id, state="open"), 20)})


@login_required
@require_POST
def followup_do(request: HttpRequest, followup_id: int) -> HttpResponse:
    """P9, P11: record a follow-up's outcome (a referral: who acknowledged it), then back where it was shown."""
    actor = actor_of(request)
    back = request.POST.get("back", "")
    try:
        operation(OPERATIONS, "followup_done").from_form(actor, request.POST, followup_id=followup_id)
    except Refusal as exc:
        return _refused(request, exc)
    if back.startswith("/") and not back.startswith("//"):
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(reverse("risk:home"))
