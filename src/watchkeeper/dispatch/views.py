"""Dispatch pages: the dispatcher board, the controller / inspector (command) board, a unit's view (L12) and
the divert list (D2). Thin: a board page renders the board snapshot (boards.snapshot) with the row templates
(rows.py); the browser then follows the "dispatch" topic in the page's view from the snapshot's sequence
number and receives each changed row rendered by the same templates (live.py), so a board that has applied
the events equals a fresh load. Each form posts to `do`, which validates it against the API's schema and
runs the same operation (operations.py). A refusal is shown beside the control that caused it, naming its
safeguard: as a fragment when the board's script sent the form, else on the page rendered again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_POST

from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.dispatch import actions, boards, rows, rules
from watchkeeper.dispatch.models import Assignment, Unit
from watchkeeper.dispatch.operations import OPERATIONS, TARGETS
from watchkeeper.dispatch.rows import ASSIGNMENT_STATES, NEXT_STATES, STATE_BUTTONS
from watchkeeper.staff.models import User
from watchkeeper.staff.roles import allowed
from watchkeeper.web.forms import actor_of, operation


# ------------------------------------------------------------------------------------------ shaping
def _config(snap: dict[str, Any], page: str, policy: Policy) -> dict[str, Any]:
    """What the board's script needs: which page and view, the sequence number the page is current to, the
    server's time, and the clock's alert fractions. Rows come rendered (live.py); the script draws clocks."""
    return {
        "page": page,
        "view": f"dispatch.{page}",
        "seq": snap["seq"],
        "now": clock.now().isoformat(),
        "tz": "Europe/London",
        "fractions": rules.alert_fractions(policy),
    }


def _board_context(request: HttpRequest, page: str) -> dict[str, Any]:
    from watchkeeper.clocks.alerts import log_facts
    from watchkeeper.web import board_filters

    policy = current_policy()
    # The queue's filters live in the URL (a reload keeps them); an unknown value is refused (400).
    filters = board_filters.parse(request.GET, policy)
    snap = boards.snapshot()
    now = clock.now()
    role = request.user.role  # type: ignore[union-attr]
    choices = rows.unit_choices(snap["units"].values())
    shown_logs = [r for r in snap["logs"].values() if board_filters.matches(filters, r)]
    logs = [rows.decorate_log(r, policy, choices) for r in rows.ordered_logs(shown_logs, now)]
    # D1: one alert row per log, its most urgent alert first (clocks/alerts.py), with the log's clock.
    facts = log_facts(snap["alert_logs"])
    alerts = []
    for g in sorted(snap["alert_logs"].values(), key=rows.alerts.group_order):
        fact = facts.get(g["reference"], {})
        if not board_filters.matches(filters, fact):
            continue
        alerts.append(rows.decorate_alert_log(g, role, snap["diverts"], policy, fact))
    diverts = [rows.decorate_divert(d) for d in sorted(snap["diverts"].values(), key=rows.divert_order)]
    return {
        **rows.viewer_context(page, role, policy),
        "config": _config(snap, page, policy),
        "filters": filters,
        "filter_choices": board_filters.choices(policy),
        "filter_fields": board_filters.LABELS,
        "pending": [r for r in logs if r["pending"]],
        "in_hand": [r for r in logs if not r["pending"]],
        "breaches": [rows.decorate_log(r, policy, choices, table="breaches") for r in logs if r.get("breached_at")],
        "units": [rows.decorate_unit(u) for u in sorted(snap["units"].values(), key=lambda u: u["callsign"])],
        "choices": choices,
        "dispatcher_alerts": [a for a in alerts if "dispatcher" in a["open_levels"]],
        "alerts": [a for a in alerts if not a["escalated"]],
        "escalations": [a for a in alerts if a["escalated"]],
        "diverts": diverts,
        "references": sorted(r["reference"] for r in logs),
        "form": {},
    }


# -------------------------------------------------------------------------------------------- pages
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The dispatcher board: pending logs by time to target and risk, logs in hand, units, alerts."""
    return _page(request, "board", {}, {}, 200)


@login_required
def command(request: HttpRequest) -> HttpResponse:
    """The controller / inspector board: diverts awaiting a decision, alerts by level, escalations, breaches."""
    return _page(request, "command", {}, {}, 200)


@login_required
def unit_page(request: HttpRequest, callsign: str) -> HttpResponse:
    """L12: what the unit's crew (a mobile terminal) sees: each active assignment with the full circulation."""
    return _page(request, "unit", {}, {}, 200, callsign=callsign)


def _page(request: HttpRequest, page: str, errors: dict[str, Refusal], form: Any, status: int,
          callsign: str = "") -> HttpResponse:
    try:
        actor_of(request).require("log.view")
        if page == "unit":
            ctx = _unit_context(request, callsign)
        else:
            ctx = _board_context(request, page)
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    ctx["errors"] = errors
    ctx["form"] = form
    template = {"board": "dispatch/board.html", "command": "dispatch/command.html", "unit": "dispatch/unit.html"}
    return render(request, template[page], ctx, status=status)


def _unit_context(request: HttpRequest, callsign: str) -> dict[str, Any]:
    unit = Unit.objects.filter(callsign=callsign.strip().upper()).prefetch_related("crew").first()
    if unit is None:
        raise NotFound(f"No unit {callsign!r}.")
    actor = actor_of(request)
    policy = current_policy()
    since = _latest_seq()  # read before the page's data, so the live stream replays whatever follows
    shown = []
    for a in Assignment.objects.filter(unit=unit, state__in=Assignment.ACTIVE).select_related("log").order_by(
            "assigned_at"):
        # Opening the assignment is a view of the log (audited) that does not count as reading it (L3).
        view = actions.logs.view_log(actor, a.log.reference, purpose=f"unit {unit.callsign} assignment",
                                     mark_read=False)
        shown.append({"assignment": a, "summary": actions.circulation(view.log, policy),
                     "state_label": ASSIGNMENT_STATES.get(a.state, a.state),
                     "next": [(s, *STATE_BUTTONS[s]) for s in NEXT_STATES.get(a.state, [])]})
    return {"unit": unit, "row": rows.decorate_unit(boards.unit_row(unit)), "rows": shown, "policy": policy,
            "since": since, "may_update": allowed(request.user.role, "dispatch.update"),  # type: ignore[union-attr]
            "thrive_order": ["threat", "harm", "risk", "investigation", "vulnerability", "engagement"]}


def _latest_seq() -> int:
    from watchkeeper.realtime.models import Event

    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@login_required
def diverts(request: HttpRequest) -> HttpResponse:
    """D2: the divert list: who, when, why, and what happened to the first log."""
    try:
        actor_of(request).require("reports.view")
    except Refusal as exc:
        return render(request, "refused.html", {"error": exc}, status=exc.status)
    rows = actions.divert_list()
    names = {u.username: u.display for u in User.objects.filter(
        username__in={r["by"] for r in rows} | {r["decided_by"] for r in rows if r["decided_by"]})}
    for r in rows:
        r["by_name"] = names.get(r["by"], r["by"])
        r["decided_by_name"] = names.get(r["decided_by"], r["decided_by"]) if r["decided_by"] else ""
    return render(request, "dispatch/diverts.html", {"rows": rows})


# ------------------------------------------------------------------------------------------ actions
def _said(what: str, done: Any) -> str:
    """What to tell the person once the operation is done."""
    if what == "assign":
        return f"{done.unit.callsign} assigned to {done.log.reference}."
    if what == "state":
        return f"{done.unit.callsign} {ASSIGNMENT_STATES.get(done.state, done.state).lower()} on {done.log.reference}."
    if what == "divert":
        return (f"{done.unit.callsign} diverted from {done.from_log.reference} to {done.to_log.reference}. "
                f"{done.from_log.reference} is back on the pending queue, its clock running; the controller decides.")
    if what == "no_units":
        return f"{done.log.reference}: no units available. It stays pending; the controller is alerted."
    if what == "ack":
        return f"Alert on {done.log.reference} acknowledged."
    if what == "decide" and done.state == "approved":
        return (f"Divert approved: {done.unit.callsign} stays on {done.to_log.reference}; the duty inspector is "
                f"asked to find another unit for {done.from_log.reference}.")
    if what == "decide":
        return f"Divert overridden: {done.unit.callsign} goes back to {done.from_log.reference}."
    return "Done."


def _next(request: HttpRequest) -> tuple[str, str, str]:
    """The page the form came from (only dispatch pages), its name, and the unit it shows, if any."""
    board_url = reverse("dispatch-board")
    nxt = request.POST.get("next", "") or board_url
    try:
        match = resolve(nxt.split("#")[0].split("?")[0])
    except Resolver404:
        return board_url, "board", ""
    page = {"dispatch-board": "board", "dispatch-command": "command", "dispatch-unit": "unit"}.get(
        match.url_name or "")
    if page is None:
        return board_url, "board", ""
    return nxt.split("#")[0], page, str(match.kwargs.get("callsign", ""))


@login_required
@require_POST
def do(request: HttpRequest, what: str, target: str = "") -> HttpResponse:
    """One operation from a board form: the form validated against the API's schema, the URL's target as
    the API's path value (operations.TARGETS). Where the page returns to and which form a refusal belongs
    to (`next`, `anchor`, `form`) are the page's own fields, not the operation's."""
    scripted = request.headers.get("X-Requested-With") == "fetch"
    nxt, page, callsign = _next(request)
    try:
        op = operation(OPERATIONS, what)
        path = {TARGETS[what]: target} if what in TARGETS else {}
        message = _said(what, op.from_form(actor_of(request), request.POST, **path))
    except Refusal as exc:
        if scripted:
            return render(request, "_refusal.html", {"error": exc}, status=exc.status)
        form_key = request.POST.get("form", what)
        return _page(request, page, {form_key: exc}, request.POST, exc.status, callsign=callsign)
    if scripted:
        return JsonResponse({"message": message})
    anchor = request.POST.get("anchor", "")
    return HttpResponseRedirect(nxt + (f"#{anchor}" if anchor else ""))
