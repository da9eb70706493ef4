"""Dispatch pages: the dispatcher board, the controller / inspector (command) board, a unit's view (L12) and
the divert list (D2). Thin: a page renders the board snapshot (boards.snapshot) and embeds it as JSON, so
the browser applies the live "row" events after its sequence number exactly as boards.apply does; each form
posts to `do`, which calls one action. A refusal is shown beside the control that caused it, naming its
safeguard: as a fragment when the board's script sent the form, else on the page rendered again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.templatetags.wk import GRADE_SHAPES, GRADE_SHORT
from watchkeeper.dispatch import actions, boards, rules
from watchkeeper.dispatch.models import Assignment, Unit
from watchkeeper.staff.models import User
from watchkeeper.staff.roles import allowed

# Where each kind of alert starts in the escalation chain (D1/D2/D3); an alert above its start was escalated.
ALERT_ORIGIN = {"clock": "dispatcher", "breach": "dispatcher", "grading": "dispatcher", "no_units": "controller",
                "divert": "controller", "divert_approved": "duty_inspector"}
ALERT_KINDS = {"clock": "Clock", "breach": "Breach", "grading": "Ungraded", "divert": "Divert",
               "divert_approved": "Find another unit", "no_units": "No units"}
LEVELS = {"dispatcher": "Dispatcher", "controller": "Controller", "duty_inspector": "Duty inspector"}
LEVEL_SHAPES = {"dispatcher": "●", "controller": "◆", "duty_inspector": "▲"}
UNIT_SHAPES = {"available": "○", "assigned": "◐", "en_route": "▶", "at_scene": "●", "committed": "◇",
               "off_duty": "–"}
UNIT_STATUSES = {"available": "Available", "assigned": "Assigned", "en_route": "En route", "at_scene": "At scene",
                 "committed": "Committed", "off_duty": "Off duty"}
ASSIGNMENT_STATES = {"assigned": "Assigned", "en_route": "En route", "at_scene": "At scene", "cleared": "Cleared",
                     "diverted": "Diverted", "cancelled": "Cancelled"}
# What an assignment can become next from the board (D4: forward only), in the order the buttons show.
NEXT_STATES = {"assigned": ["en_route", "at_scene", "cleared"], "en_route": ["at_scene", "cleared"],
               "at_scene": ["cleared"]}
STATE_BUTTONS = {"en_route": ("En route", "e"), "at_scene": ("At scene", "s"), "cleared": ("Clear", "l")}


def actor_of(request: HttpRequest) -> Actor:
    return Actor(user=request.user, request_id=getattr(request, "request_id", ""), via="ui")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ shaping
def _fact(row: dict[str, Any]) -> rules.PendingFact:
    target = datetime.fromisoformat(row["target_at"]) if row.get("target_at") else None
    return rules.PendingFact(reference=row["reference"], grade_rank=row.get("grade_rank"), target_at=target,
                             flags=row.get("flags") or [], diverted=bool(row.get("diverted")))


def ordered_logs(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The dispatcher board's order (rules.pending_order_key): least time to target, then grade, then risk."""
    return sorted(rows, key=lambda r: rules.pending_order_key(_fact(r), now))


def may_acknowledge(role: str, level: str) -> bool:
    """D1: whether this person may acknowledge an alert at this level (their level or above)."""
    try:
        rules.check_acknowledger(role, level)
    except Refusal:
        return False
    return True


def escalated(alert: dict[str, Any]) -> bool:
    origin = ALERT_ORIGIN.get(alert["kind"], "dispatcher")
    return rules.ESCALATION_CHAIN.index(alert["level"]) > rules.ESCALATION_CHAIN.index(origin)


def _alert_order(alert: dict[str, Any]) -> tuple[int, str]:
    """Alerts by level (the duty inspector's first), then the oldest first."""
    return (-rules.ESCALATION_CHAIN.index(alert["level"]), alert["created_at"])


def _decorate_log(row: dict[str, Any], policy: Policy, units: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the templates need beside the row's own data (the script derives the same from the row)."""
    row = dict(row)
    row["flag_labels"] = [policy.flag_label(f) for f in row.get("flags") or []]
    row["assignments"] = [{**u, "state_label": ASSIGNMENT_STATES.get(u["state"], u["state"]),
                           "next": [(s, *STATE_BUTTONS[s]) for s in NEXT_STATES.get(u["state"], [])]}
                          for u in row.get("units") or []]
    on_log = {u["callsign"] for u in row.get("units") or []}
    row["choices"] = _unit_choices(units, exclude=on_log)
    return row


def _unit_choices(units: dict[str, dict[str, Any]], exclude: set[str]) -> list[dict[str, Any]]:
    """Units a dispatcher may send: on duty, not already on the log; available ones first."""
    free = [_decorate_unit(u) for u in units.values() if u["on_duty"] and u["callsign"] not in exclude]
    return sorted(free, key=lambda u: (u["status"] != "available", u["callsign"]))


def _decorate_unit(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "status_label": UNIT_STATUSES.get(row["status"], row["status"]),
            "status_shape": UNIT_SHAPES.get(row["status"], ""),
            "assignments": [{**a, "state_label": ASSIGNMENT_STATES.get(a["state"], a["state"])}
                            for a in row["assignments"]]}


def _decorate_alert(row: dict[str, Any], role: str, open_diverts: dict[str, Any]) -> dict[str, Any]:
    """A divert's alert is answered by deciding the divert (D2), so it links there while the divert is open."""
    return {**row, "kind_label": ALERT_KINDS.get(row["kind"], row["kind"]),
            "decide_divert": bool(row.get("divert")) and str(row["divert"]) in open_diverts,
            "level_label": LEVELS.get(row["level"], row["level"]), "level_shape": LEVEL_SHAPES.get(row["level"], ""),
            "escalated": escalated(row), "may_ack": may_acknowledge(role, row["level"])}


def _config(request: HttpRequest, snap: dict[str, Any], page: str, policy: Policy) -> dict[str, Any]:
    """What the board's script needs: the snapshot and its sequence number, and the words for codes."""
    role = request.user.role  # type: ignore[union-attr]
    return {
        "page": page,
        "seq": snap["seq"],
        "now": clock.now().isoformat(),
        "tz": "Europe/London",
        "board": {k: snap[k] for k in ("logs", "units", "alerts", "diverts")},
        "fractions": rules.alert_fractions(policy),
        "grades": {g["code"]: {"label": g["label"], "short": GRADE_SHORT.get(g["code"], g["label"]),
                               "shape": GRADE_SHAPES.get(g["code"], "■")} for g in policy["grades"]},
        "flags": {f["code"]: f["label"] for f in policy["flags"]},
        "role": role,
        "chain": list(rules.ESCALATION_CHAIN),
        "origins": ALERT_ORIGIN,
        "alertKinds": ALERT_KINDS,
        "levels": LEVELS,
        "levelShapes": LEVEL_SHAPES,
        "unitStatuses": UNIT_STATUSES,
        "unitShapes": UNIT_SHAPES,
        "states": ASSIGNMENT_STATES,
        "next": NEXT_STATES,
        "stateButtons": {k: list(v) for k, v in STATE_BUTTONS.items()},
        "perms": {p: allowed(role, p) for p in ("dispatch.assign", "dispatch.update", "dispatch.decide")},
        "csrf": get_token(request),
    }


def _board_context(request: HttpRequest, page: str) -> dict[str, Any]:
    policy = current_policy()
    snap = boards.snapshot()
    now = clock.now()
    role = request.user.role  # type: ignore[union-attr]
    logs = [_decorate_log(r, policy, snap["units"]) for r in ordered_logs(list(snap["logs"].values()), now)]
    alerts = [_decorate_alert(a, role, snap["diverts"]) for a in sorted(snap["alerts"].values(), key=_alert_order)]
    diverts = sorted(snap["diverts"].values(), key=lambda d: (d["decide_by"] or "9999", d["at"]))
    config = _config(request, snap, page, policy)
    perms = config["perms"]
    return {
        "policy": policy,
        "config": config,
        "pending": [r for r in logs if r["pending"]],
        "in_hand": [r for r in logs if not r["pending"]],
        "breaches": [r for r in logs if r.get("breached_at")],
        "units": [_decorate_unit(u) for u in sorted(snap["units"].values(), key=lambda u: u["callsign"])],
        "dispatcher_alerts": [a for a in alerts if a["level"] == "dispatcher"],
        "alerts": [a for a in alerts if not a["escalated"]],
        "escalations": [a for a in alerts if a["escalated"]],
        "diverts": diverts,
        "references": [r["reference"] for r in logs],
        "may_assign": perms["dispatch.assign"],
        "may_update": perms["dispatch.update"],
        "may_decide": perms["dispatch.decide"],
        "errors": {},
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
    rows = []
    for a in Assignment.objects.filter(unit=unit, state__in=Assignment.ACTIVE).select_related("log").order_by(
            "assigned_at"):
        # Opening the assignment is a view of the log (audited) that does not count as reading it (L3).
        view = actions.logs.view_log(actor, a.log.reference, purpose=f"unit {unit.callsign} assignment",
                                     mark_read=False)
        rows.append({"assignment": a, "summary": actions.circulation(view.log, policy),
                     "state_label": ASSIGNMENT_STATES.get(a.state, a.state),
                     "next": [(s, *STATE_BUTTONS[s]) for s in NEXT_STATES.get(a.state, [])]})
    return {"unit": unit, "row": _decorate_unit(boards.unit_row(unit)), "rows": rows, "policy": policy,
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
def _int(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Invalid(f"{field} must be a whole number", field) from None


def _when(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        raise Invalid(f"{field} must be a date and time", field)
    return dt


def _act(request: HttpRequest, what: str) -> str:
    """Call the one action the form asks for; returns what to tell the person."""
    actor, p = actor_of(request), request.POST
    if what == "assign":
        a = actions.assign_unit(actor, p.get("reference", ""), p.get("callsign", ""),
                                appointment_at=_when(p.get("appointment_at"), "appointment_at"))
        return f"{a.unit.callsign} assigned to {a.log.reference}."
    if what == "state":
        a = actions.update_assignment(actor, _int(p.get("assignment"), "assignment"), state=p.get("state", ""))
        return f"{a.unit.callsign} {ASSIGNMENT_STATES.get(a.state, a.state).lower()} on {a.log.reference}."
    if what == "divert":
        d = actions.divert_unit(actor, p.get("callsign", ""), from_reference=p.get("from_reference", ""),
                                to_reference=p.get("to_reference", "").strip(), reason=p.get("reason", ""))
        return (f"{d.unit.callsign} diverted from {d.from_log.reference} to {d.to_log.reference}. "
                f"{d.from_log.reference} is back on the pending queue, its clock running; the controller decides.")
    if what == "no_units":
        alert = actions.declare_no_units(actor, p.get("reference", ""), note=p.get("note", ""))
        return f"{alert.log.reference}: no units available. It stays pending; the controller is alerted."
    if what == "ack":
        alert = actions.acknowledge_alert(actor, _int(p.get("alert"), "alert"), note=p.get("note", ""))
        return f"Alert on {alert.log.reference} acknowledged."
    if what == "decide":
        approve = p.get("decision") == "approve"
        if p.get("decision") not in ("approve", "override"):
            raise Invalid("decision is approve or override", "decision")
        d = actions.decide_divert(actor, _int(p.get("divert"), "divert"), approve=approve, note=p.get("note", ""))
        if approve:
            return (f"Divert approved: {d.unit.callsign} stays on {d.to_log.reference}; the duty inspector is asked "
                    f"to find another unit for {d.from_log.reference}.")
        return f"Divert overridden: {d.unit.callsign} goes back to {d.from_log.reference}."
    raise Invalid(f"Unknown action {what!r}", "action")


def _next(request: HttpRequest) -> tuple[str, str, str]:
    """The page the form came from (only dispatch pages), its name, and the unit it shows, if any."""
    nxt = request.POST.get("next", "") or "/dispatch/"
    try:
        match = resolve(nxt.split("#")[0].split("?")[0])
    except Resolver404:
        return "/dispatch/", "board", ""
    page = {"dispatch-board": "board", "dispatch-command": "command", "dispatch-unit": "unit"}.get(
        match.url_name or "")
    if page is None:
        return "/dispatch/", "board", ""
    return nxt.split("#")[0], page, str(match.kwargs.get("callsign", ""))


@login_required
@require_POST
def do(request: HttpRequest, what: str) -> HttpResponse:
    scripted = request.headers.get("X-Requested-With") == "fetch"
    nxt, page, callsign = _next(request)
    try:
        message = _act(request, what)
    except Refusal as exc:
        if scripted:
            return render(request, "_refusal.html", {"error": exc}, status=exc.status)
        form_key = request.POST.get("form", what)
        return _page(request, page, {form_key: exc}, request.POST, exc.status, callsign=callsign)
    if scripted:
        return JsonResponse({"message": message})
    anchor = request.POST.get("anchor", "")
    return HttpResponseRedirect(nxt + (f"#{anchor}" if anchor else ""))
