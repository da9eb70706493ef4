"""Use cases of dispatch and response clocks (D1–D4, L12 to units, L10/D3): one function each, in the
house pattern. Every change that shows on a board publishes the row as it now is, so a board that applies
events by sequence number always equals a fresh load."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import created_any, is_new, new_pks, unit_of_work
from watchkeeper.dispatch import boards, rules
from watchkeeper.dispatch.models import (
    AREA_TYPES,
    Alert,
    Assignment,
    ClockChange,
    Divert,
    ResponseClock,
    Unit,
    UnitStatusChange,
)
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Contact, Log
from watchkeeper.staff.models import User


# -------------------------------------------------------------------------------------------- units
def create_unit(
    actor: Actor, *, callsign: str, area: str, area_type: str = "urban", skills: list[str] | None = None,
    crew_ids: list[int] | None = None,
) -> Unit:
    """D4: a unit with callsign, crew, skills, area and area type."""
    actor.require("unit.manage")
    callsign = v.text(callsign, "callsign", max_length=20).upper()
    if not _CALLSIGN.fullmatch(callsign):
        raise Invalid("callsign is letters, digits and hyphens (it is part of the unit's address)", "callsign")
    area = v.text(area, "area", max_length=100)
    v.choice(area_type, "area_type", [a for a, _ in AREA_TYPES])
    if not isinstance(skills or [], list) or not isinstance(crew_ids or [], list):
        raise Invalid("skills and crew_ids are lists", "skills")
    skills = [v.text(s, "skills", max_length=40) for s in (skills or [])]
    with unit_of_work():
        if Unit.objects.filter(callsign=callsign).exists():
            raise Refusal(f"A unit called {callsign} already exists.", safeguard="D4", status=409,
                          next_step="Choose another callsign.")
        now = clock.now()
        unit = Unit.objects.create(callsign=callsign, area=area, area_type=area_type, skills=skills, status_at=now,
                                   created_at=now)
        unit.crew.set([logs._staff(i, "crew_ids") for i in (crew_ids or [])])
        audit.record(actor, "unit.created", "unit", callsign,
                     after={"area": area, "area_type": area_type, "skills": skills, "crew": crew_ids or []})
        boards.publish_unit(unit)
    return unit


_CALLSIGN = re.compile(r"[A-Z0-9][A-Z0-9-]*")


def _unit(callsign: str) -> Unit:
    unit = Unit.objects.select_for_update().filter(callsign=str(callsign).strip().upper()).first()
    if unit is None:
        raise NotFound(f"No unit {callsign!r}.")
    return unit


def set_duty(actor: Actor, callsign: str, *, on_duty: bool) -> Unit:
    actor.require("unit.manage")
    with unit_of_work():
        unit = _unit(callsign)
        if not on_duty and unit.assignments.filter(state__in=Assignment.ACTIVE).exists():
            raise Refusal("The unit still has active assignments.", safeguard="D4", status=409,
                          next_step="Clear or reassign its incidents first.")
        unit.on_duty = on_duty
        unit.save(update_fields=["on_duty"])
        _restatus(unit, actor, None)
        audit.record(actor, "unit.duty", "unit", unit.callsign, after={"on_duty": on_duty})
    return unit


def _restatus(unit: Unit, actor: Actor, assignment: Assignment | None) -> None:
    """D4: recompute the unit's status from all its active assignments and time-stamp any change."""
    active = unit.assignments.filter(state__in=Assignment.ACTIVE).values_list("state", "appointment_at")
    status = rules.unit_status(unit.on_duty, [(s, appt is not None) for s, appt in active])
    if status != unit.status:
        now = clock.now()
        UnitStatusChange.objects.create(unit=unit, at=now, from_status=unit.status, to_status=status,
                                        assignment=assignment, by=actor.user)
        unit.status, unit.status_at = status, now
        unit.save(update_fields=["status", "status_at"])
    boards.publish_unit(unit)


# ----------------------------------------------------------------------------------------- clocks
def _first_contact(log: Log) -> datetime:
    first = Contact.objects.filter(log_id__in=logs.family_ids(log)).order_by("received_at").first()
    return first.received_at if first else log.created_at


def arm_clock(actor: Actor, log: Log, policy: Policy, reason: str) -> ResponseClock:
    """D1: (re)compute the log's target from its grade and area type, starting at the first contact; record
    why. Alerts already due when re-armed are not repeated; the next one is the deadline column."""
    now = clock.now()
    c, _ = ResponseClock.objects.select_for_update().get_or_create(
        log=log, defaults={"started_at": _first_contact(log), "area_type": policy["default_area_type"]})
    if c.kind == "grading":
        if log.grade is None:  # still waiting to be graded: its deadline stands whatever else changes
            ClockChange.objects.create(clock=c, at=now, by=actor.user, grade=None, target_at=c.target_at,
                                       reason=reason)
            boards.publish_log(log)
            return c
        # D1: grading stops the grading clock; the response clock runs from the same first contact, its
        # alerts from the start (the grading clock's were about grading), and a missed grading deadline stays
        # on record.
        c.kind, c.graded_at, c.grading_breached_at = "response", now, c.breached_at
        c.stage, c.breached_at = 0, None
        late = " after the grading deadline" if c.grading_breached_at else ""
        reason = f"{reason} (graded {clock.local(now):%H:%M}{late})"
    c.grade = log.grade
    c.target_at = rules.target_at(c.started_at, rules.target_minutes(c.grade, c.area_type, policy))
    if c.attended_at is None:
        # Alerts already given stay given; any the new target has already passed fire on the next sweep.
        nxt = rules.next_alert(c.started_at, c.target_at, c.stage, policy, breached=c.breached_at is not None)
        c.next_alert_at = nxt.at if nxt else None
    c.save()
    # Every (re)computation is a deliberate act (grading, re-grading, area type) and says why, even when the
    # target stays the same (priority is 60 minutes urban and rural).
    ClockChange.objects.create(clock=c, at=now, by=actor.user, grade=c.grade, target_at=c.target_at, reason=reason)
    boards.publish_log(log)
    return c


def arm_grading_clock(actor: Actor, log: Log, policy: Policy, contact: Contact | None = None) -> ResponseClock | None:
    """D1: a log from an emergency channel must be graded within the policy's time from its first contact.
    Until it is, it is on the dispatch board as "ungraded" with its clock running to that deadline, alerting
    at the same fractions as a response clock and escalating dispatcher → controller → duty inspector.
    A log raised in this unit of work has no clock unless one was made in it, and when `contact` is the only
    contact made in it, that contact is the log's first: neither is read."""
    fresh = is_new(log)
    if log.status != "open" or log.grade is not None:
        return None
    if (not fresh or created_any(ResponseClock)) and ResponseClock.objects.filter(log=log).exists():
        return None
    only = fresh and contact is not None and new_pks(Contact) == {contact.pk}
    started = contact.received_at if only and contact is not None else _first_contact(log)
    deadline = rules.grading_deadline(started, policy)
    nxt = rules.next_alert(started, deadline, 0, policy)
    c = ResponseClock.objects.create(log=log, kind="grading", started_at=started, target_at=deadline,
                                     area_type=policy["default_area_type"], next_alert_at=nxt.at if nxt else None)
    ClockChange.objects.create(clock=c, at=clock.now(), by=actor.user, grade=None, target_at=deadline,
                               reason=f"Emergency call: to be graded by {clock.local(deadline):%H:%M}")
    boards.publish_log(log)
    return c


def set_area(actor: Actor, reference: str, *, area_type: str, reason: str) -> ResponseClock:
    """D1: the area type decides the target (urban 15 min, rural 20 for an emergency by default)."""
    actor.require("dispatch.assign")
    v.choice(area_type, "area_type", [a for a, _ in AREA_TYPES])
    reason = v.text(reason, "reason", max_length=500)
    policy = current_policy()
    with unit_of_work():
        log = logs._lock(reference)
        _require_open(log, "D4", "set its area type")
        c, _ = ResponseClock.objects.select_for_update().get_or_create(
            log=log, defaults={"started_at": _first_contact(log), "area_type": area_type})
        c.area_type = area_type
        c.save(update_fields=["area_type"])
        clk = arm_clock(actor, log, policy, f"Area type {area_type}: {reason}")
        audit.record(actor, "clock.area", "log", log.reference, after={"area_type": area_type,
                                                                        "target_at": clk.target_at}, reason=reason)
    return clk


def _require_open(log: Log, safeguard: str, doing: str) -> None:
    """Dispatch acts on open logs only; the refusal names the safeguard of the action refused."""
    if log.status != "open":
        raise Refusal(f"Log {log.reference} is {log.status}; you cannot {doing}.", safeguard=safeguard,
                      status=409, next_step="Reopen the log with a reason if it needs more, or raise a new one.")


# ------------------------------------------------------------------------------------- assignments
def assign_unit(actor: Actor, reference: str, callsign: str, *, appointment_at: datetime | None = None) -> Assignment:
    """D4/L12: a unit on a log. It receives the full circulation summary, never the first line; a scheduled
    appointment commits the unit without marking it en route."""
    actor.require("dispatch.assign")
    policy = current_policy()
    appointment_at = v.aware(appointment_at, "appointment_at")
    with unit_of_work():
        log = logs._lock(reference)
        unit = _unit(callsign)
        already = Assignment.objects.filter(log=log, unit=unit, state__in=Assignment.ACTIVE).exists()
        rules.check_assignable(unit.on_duty, log.status, already)
        a = _assign(actor, log, unit, appointment_at, policy)
        audit.record(actor, "unit.assigned", "log", log.reference,
                     after={"unit": unit.callsign, "appointment_at": appointment_at, "assignment": a.pk})
    return a


def circulation(log: Log, policy: Policy | None = None) -> dict[str, Any]:
    """L12: the log's full circulation with its officer-safety summary: what is held on the people,
    addresses and phones on it and on the people linked to them (markers, orders, special schemes, firearms
    certificates), which the incident log alone does not know about. Its badges are the summary's, so the
    crew reads exactly what the log's header and the boards show."""
    summary = logs.circulation(log, policy)
    summary["markers"] = [*summary.get("markers", []), *summary["risk_summary"]["badges"]]
    return summary


def _assign(actor: Actor, log: Log, unit: Unit, appointment_at: datetime | None, policy: Policy) -> Assignment:
    summary = circulation(log, policy)
    a = Assignment.objects.create(log=log, unit=unit, appointment_at=appointment_at, assigned_at=clock.now(),
                                  assigned_by=actor.user, summary=summary)
    text = f"{unit.callsign} assigned" + (f" for an appointment at {clock.local(appointment_at):%d/%m %H:%M}"
                                          if appointment_at else "") + "."
    logs._append(actor, log, "system", text, policy=policy)
    for member in unit.crew.all():
        logs._notify(member, kind="unit_assigned", safeguard="L12", log=log,
                     text=crew_message(unit.callsign, summary))
    _restatus(unit, actor, a)
    boards.publish_log(log)
    return a


def crew_message(callsign: str, summary: dict[str, Any]) -> str:
    """L12: what the crew is told on assignment: the whole picture (every allegation and account in full,
    flags, risks, markers, open requests, location), never the first line of the log."""
    allegations = "; ".join(
        f"{x['caller']}" + (f" ({x['party']})" if x.get("party") else "") + ": "
        + (f"{x['allegation']} — {x['account']}" if x["allegation"] else x["account"])
        for x in summary["allegations"]) or "none recorded"
    risks = ", ".join(f"{k} {v['level']}" for k, v in (summary.get("risks") or {}).items()
                      if isinstance(v, dict) and "level" in v) or "not assessed"
    markers = "; ".join(str(m.get("text") or m.get("label") or m.get("kind") or m)
                        for m in summary.get("markers") or []) or (
        "none recorded" if (summary.get("risk_summary") or {}).get("none_recorded", True) else "none")
    requests = "; ".join(f"{r['service']}: {r['ask']}" + (f" ({r['condition']})" if r.get("condition") else "")
                         for r in summary.get("open_requests") or []) or "none"
    return (f"{callsign} to {summary['reference']} — {summary['category']}, {summary['grade']}. "
            f"Location: {summary['location'] or 'not given'}. Flags: {', '.join(summary['flags']) or 'none'}. "
            f"Risks: {risks}. Markers: {markers}. Allegations: {allegations}. Open requests: {requests}.")


def _assignment(assignment_id: int) -> Assignment:
    a = Assignment.objects.select_for_update().filter(pk=assignment_id).select_related("unit", "log").first()
    if a is None:
        raise NotFound(f"No assignment {assignment_id}.")
    return a


def update_assignment(actor: Actor, assignment_id: int, *, state: str) -> Assignment:
    """D4: an assignment moves on (en route, at scene, cleared) on its own; the unit's status follows from
    all its assignments. At scene stops the log's clock (attended), so only the unit's own crew or someone
    with a dispatcher's permission may move it (D1)."""
    actor.require("dispatch.update")
    v.choice(state, "state", ["en_route", "at_scene", "cleared", "cancelled"])
    policy = current_policy()
    with unit_of_work():
        a = _assignment(assignment_id)
        rules.check_assignment_updater(
            crews_unit=actor.user is not None and a.unit.crew.filter(pk=actor.user.pk).exists(),
            dispatcher=actor.may("dispatch.assign"), callsign=a.unit.callsign)
        rules.check_transition(a.state, state)
        now = clock.now()
        a.state = state
        if state == "en_route":
            a.en_route_at = now
        elif state == "at_scene":
            a.at_scene_at = now
        else:
            a.ended_at = now
        a.save()
        log = Log.objects.select_for_update().get(pk=a.log_id)
        if state == "at_scene":
            ResponseClock.objects.filter(log=log, attended_at__isnull=True).update(attended_at=now, next_alert_at=None)
        logs._append(actor, log, "system", f"{a.unit.callsign} {state.replace('_', ' ')}.", policy=policy)
        unit = Unit.objects.select_for_update().get(pk=a.unit_id)
        _restatus(unit, actor, a)
        a.unit = unit  # the caller sees the unit's status as it now is
        boards.publish_log(log)
        audit.record(actor, "assignment.updated", "log", log.reference,
                     after={"unit": unit.callsign, "assignment": a.pk, "state": state, "unit_status": unit.status})
    return a


# ------------------------------------------------------------------------------------------ diverts
def divert_unit(actor: Actor, callsign: str, *, from_reference: str, to_reference: str, reason: str) -> Divert:
    """D2: moving a unit from A to B tags A "diverted", puts A back on the pending queue with its clock
    still running, and asks the controller to approve or override by a deadline."""
    actor.require("dispatch.assign")
    reason = v.text(reason, "reason", max_length=2000, required=False)
    policy = current_policy()
    with unit_of_work():
        a_log = logs._lock(from_reference)
        b_log = logs._lock(to_reference)
        if a_log.pk == b_log.pk:
            raise Invalid("A unit is diverted to a different log", "to_reference")
        unit = _unit(callsign)
        current = Assignment.objects.select_for_update().filter(log=a_log, unit=unit,
                                                                state__in=Assignment.ACTIVE).first()
        rules.check_divert(current.state if current else None, reason)
        assert current is not None
        already = Assignment.objects.filter(log=b_log, unit=unit, state__in=Assignment.ACTIVE).exists()
        rules.check_assignable(unit.on_duty, b_log.status, already)
        now = clock.now()
        current.state, current.ended_at = "diverted", now
        current.save(update_fields=["state", "ended_at"])
        b_assignment = _assign(actor, b_log, unit, None, policy)
        d = Divert.objects.create(  # type: ignore[misc]  # by: a person (require() above), never None
            unit=unit, from_log=a_log, to_log=b_log, from_assignment=current, to_assignment=b_assignment, at=now,
            by=actor.user, reason=reason, decide_by=rules.divert_deadline(now, policy))
        logs._append(actor, a_log, "system", f"DIVERTED: {unit.callsign} moved to {b_log.reference} ({reason}). "
                     "This log is back on the pending queue; its clock is still running.", policy=policy)
        _alert(a_log, "divert", "controller", policy, divert=d,
               text=f"{unit.callsign} diverted from {a_log.reference} to {b_log.reference}: approve or override.")
        boards.publish_log(a_log)
        boards.publish_divert(d)
        audit.record(actor, "unit.diverted", "log", a_log.reference,
                     after={"unit": unit.callsign, "to": b_log.reference, "divert": d.pk}, reason=reason)
    return d


def decide_divert(actor: Actor, divert_id: int, *, approve: bool, note: str = "") -> Divert:
    """D2: the controller approves (the duty inspector is alerted to find another unit for A) or overrides
    (the unit goes back to A and leaves B)."""
    actor.require("dispatch.decide")
    if not isinstance(approve, bool):
        raise Invalid("approve is true or false", "approve")
    note = v.text(note, "note", max_length=2000, required=not approve)
    policy = current_policy()
    with unit_of_work():
        d = Divert.objects.select_for_update(of=("self",)).filter(pk=divert_id).select_related(
            "unit", "from_log", "to_log").first()
        if d is None:
            raise NotFound(f"No divert {divert_id}.")
        rules.check_decidable(d.state)
        a_log = Log.objects.select_for_update().get(pk=d.from_log_id)
        unit = Unit.objects.select_for_update().get(pk=d.unit_id)
        if not approve:
            rules.check_override(a_log.status, unit.on_duty)
        now = clock.now()
        d.state, d.decided_at, d.decided_by, d.note, d.decide_by = (
            "approved" if approve else "overridden", now, actor.user, note, None)
        d.save(update_fields=["state", "decided_at", "decided_by", "note", "decide_by"])
        for pending in Alert.objects.filter(divert=d, acknowledged_at__isnull=True).select_related("log"):
            pending.acknowledged_at, pending.acknowledged_by = now, actor.user
            pending.note, pending.escalate_at = f"Divert {d.state}", None
            pending.save(update_fields=["acknowledged_at", "acknowledged_by", "note", "escalate_at"])
            boards.publish_alert(pending)
        if approve:
            _approve(actor, d, a_log, unit, policy)
        else:
            _override(actor, d, a_log, unit, note, now, policy)
        _restatus(unit, actor, None)
        boards.publish_log(a_log)
        boards.publish_divert(d)
        audit.record(actor, f"divert.{d.state}", "log", a_log.reference, reason=note,
                     after={"divert": d.pk, "unit": unit.callsign})
    return d


def _approve(actor: Actor, d: Divert, a_log: Log, unit: Unit, policy: Policy) -> None:
    """D2: the unit stays on B; the duty inspector is asked to find another unit for A (while A is open)."""
    if a_log.status != "open":
        return
    logs._append(actor, a_log, "system", f"Divert of {unit.callsign} approved by {actor.username}: another "
                 "unit is needed here.", policy=policy)
    _alert(a_log, "divert_approved", "duty_inspector", policy,
           text=f"{a_log.reference} lost {unit.callsign} to {d.to_log.reference}: find another unit.")


def _override(actor: Actor, d: Divert, a_log: Log, unit: Unit, note: str, now: datetime, policy: Policy) -> None:
    """D2: the unit leaves B (cleared if it got there, else cancelled) and goes back to A, unless someone
    already sent it back."""
    b = Assignment.objects.select_for_update().get(pk=d.to_assignment_id)
    if b.state in Assignment.ACTIVE:
        b.state, b.ended_at = rules.leaving_state(b.state), now
        b.save(update_fields=["state", "ended_at"])
        b_log = Log.objects.select_for_update().get(pk=d.to_log_id)
        logs._append(actor, b_log, "system", f"{unit.callsign} sent back to {a_log.reference} (divert "
                     f"overridden: {note}).", policy=policy)
        boards.publish_log(b_log)
    if not Assignment.objects.filter(log=a_log, unit=unit, state__in=Assignment.ACTIVE).exists():
        _assign(actor, a_log, unit, None, policy)
    logs._append(actor, a_log, "system", f"Divert overridden by {actor.username}: {unit.callsign} returns "
                 f"({note}).", policy=policy)


# ------------------------------------------------------------------------------------------- alerts
def _alert(log: Log, kind: str, level: str, policy: Policy, *, text: str, divert: Divert | None = None) -> Alert:
    now = clock.now()
    alert = Alert.objects.create(log=log, kind=kind, level=level, text=text, created_at=now, divert=divert,
                                 escalate_at=rules.escalate_at(now, level, policy, kind))
    for person in User.objects.filter(role=level, is_active=True, absent=False):
        logs._notify(person, kind=f"alert_{kind}", safeguard=_SAFEGUARD[kind], log=log, text=text)
    boards.publish_alert(alert)
    return alert


_SAFEGUARD = {"clock": "D1", "breach": "D1", "grading": "D1", "divert": "D2", "divert_approved": "D2", "no_units": "D3"}


def acknowledge_alert(actor: Actor, alert_id: int, *, note: str = "", reason: str = "", earlier: bool = False) -> Alert:
    """D1: every alert and breach is acknowledged by a person at its level or above (who, when, and what they
    are doing: a reason from the force's list, or "other" in their words). A divert's alert is answered by
    deciding the divert (D2). The board shows one row per log (clocks/alerts.py): acknowledging its row
    (`earlier`) also acknowledges the log's other open alerts at the alert's level or below (the earlier
    thresholds folded under it), except a divert's awaiting its decision; one audit record names them all."""
    from watchkeeper.clocks.alerts import check_reason

    actor.require("dispatch.update")
    note = v.text(note, "note", max_length=2000, required=False)
    reason = v.text(reason, "reason", max_length=64, required=False)
    with unit_of_work():
        alert = (Alert.objects.select_for_update(of=("self",)).filter(pk=alert_id)
                 .select_related("log", "divert").first())
        if alert is None:
            raise NotFound(f"No alert {alert_id}.")
        if alert.acknowledged_at is not None:
            raise Refusal("This alert was already acknowledged.", safeguard="D1", status=409,
                          next_step=f"It was acknowledged at {clock.local(alert.acknowledged_at):%H:%M}.")
        if alert.divert is not None and alert.divert.state in ("awaiting", "escalated"):
            raise Refusal("A divert is acknowledged by deciding it.", safeguard="D2", status=409,
                          next_step="Approve or override the divert.")
        rules.check_acknowledger(actor.role if actor.user else None, alert.level)
        code, said = check_reason(reason, note, current_policy())
        now = clock.now()
        rank = rules.ESCALATION_CHAIN.index(alert.level)
        also = [a for a in Alert.objects.select_for_update(of=("self",)).filter(
                    log_id=alert.log_id, acknowledged_at__isnull=True).exclude(pk=alert.pk)
                .select_related("divert").order_by("pk")[:200]
                if rules.ESCALATION_CHAIN.index(a.level) <= rank
                and not (a.divert is not None and a.divert.state in ("awaiting", "escalated"))] if earlier else []
        for a in [alert, *also]:
            a.acknowledged_at, a.acknowledged_by = now, actor.user
            a.note, a.escalate_at = said, None
            a.save(update_fields=["acknowledged_at", "acknowledged_by", "note", "escalate_at"])
            a.log = alert.log
            boards.publish_alert(a)
        audit.record(actor, "alert.acknowledged", "log", alert.log.reference, reason=said,
                     after={"alert": alert.pk, "kind": alert.kind, "level": alert.level, "reason": code,
                            "also": [a.pk for a in also]})
    return alert


def declare_no_units(actor: Actor, reference: str, *, note: str = "") -> Alert:
    """D3/L10: "no units available" keeps the log open and pending (on the dispatcher board, even before it
    is graded), and escalates to the controller."""
    actor.require("dispatch.assign")
    note = v.text(note, "note", max_length=2000, required=False)
    policy = current_policy()
    with unit_of_work():
        log = logs._lock(reference)
        _require_open(log, "D3", "declare no units for it")
        logs._append(actor, log, "system", "No units available: the log stays pending and is escalated."
                     + (f" {note}" if note else ""), policy=policy)
        if not ResponseClock.objects.filter(log=log).exists():
            arm_clock(actor, log, policy, "No units available: on the pending queue")
        alert = _alert(log, "no_units", "controller", policy,
                       text=f"{log.reference}: no units available — find one ({log.summary}).")
        boards.publish_log(log)
        audit.record(actor, "dispatch.no_units", "log", log.reference, reason=note, after={"alert": alert.pk})
    return alert


# ------------------------------------------------------------------------------------------ sweeper
def fire_clock_alerts(now: datetime, limit: int = 1000) -> int:
    """D1: alerts at the configured fractions of the target and at the breach, each claimed once by a
    conditional update, including those that fell due while the server was down (the most advanced one
    due is raised once, not every stage passed)."""
    policy = current_policy()
    fired = 0
    due = list(ResponseClock.objects.filter(next_alert_at__lte=now).order_by("next_alert_at")
               .values_list("pk", "stage")[:limit])  # the longest overdue first
    for pk, stage in due:
        with unit_of_work():
            if _fire_clock(pk, stage, now, policy):
                fired += 1
    return fired


def _fire_clock(pk: int, stage: int, now: datetime, policy: Policy) -> bool:
    c = ResponseClock.objects.select_related("log").get(pk=pk)
    breached = c.breached_at is not None
    alert = rules.latest_due_alert(c.started_at, c.target_at, stage, now, policy, breached=breached)
    after = rules.next_alert(c.started_at, c.target_at, alert.stage if alert else stage, policy,
                             breached=breached or bool(alert and alert.breach))
    # A breach is recorded at the moment the target passed, however late the sweep that saw it.
    breached_at = alert.at if alert and alert.breach and not breached else c.breached_at
    claimed = ResponseClock.objects.filter(pk=pk, stage=stage, next_alert_at__lte=now, attended_at__isnull=True).update(
        stage=max(stage, alert.stage) if alert else stage, next_alert_at=after.at if after else None,
        breached_at=breached_at)
    if not claimed or alert is None:
        return False
    c.breached_at = breached_at
    if c.log.status != "open":
        return False
    late = (now - alert.at).total_seconds()
    target = clock.local(c.target_at) if c.target_at else None
    if c.kind == "grading":
        text = (f"{c.log.reference}: NOT GRADED — the grading deadline passed ({target:%H:%M})" if alert.breach
                else f"{c.log.reference}: not yet graded — {int(alert.fraction * 100)}% of the grading time gone, "
                f"grade by {target:%H:%M}")
        kind = "breach" if alert.breach else "grading"
    else:
        text = (f"{c.log.reference}: response target BREACHED ({target:%H:%M})" if alert.breach else
                f"{c.log.reference}: {int(alert.fraction * 100)}% of the response time gone, target {target:%H:%M}")
        kind = "breach" if alert.breach else "clock"
    _alert(c.log, kind, "dispatcher", policy, text=text)
    boards.publish_log(c.log)
    audit.record(SYSTEM, "clock.breached" if alert.breach else "clock.alert", "log", c.log.reference,
                 after={"stage": alert.stage, "fraction": alert.fraction, "due_at": alert.at,
                        "late_seconds": round(late, 3), "clock": c.kind})
    return True


def fire_alert_escalations(now: datetime, limit: int = 1000) -> int:
    """D1: an alert nobody acknowledged goes up the chain: dispatcher → controller → duty inspector. An
    alert whose reason has passed (a clock warning on a log since attended or closed) stays on the board
    for acknowledgement but goes no further."""
    policy = current_policy()
    fired = 0
    for pk in list(Alert.objects.filter(escalate_at__lte=now, acknowledged_at__isnull=True)
                   .values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not Alert.objects.filter(pk=pk, escalate_at__lte=now, acknowledged_at__isnull=True).update(
                    escalate_at=None):
                continue
            a = Alert.objects.select_related("log", "divert").get(pk=pk)
            boards.publish_alert(a)
            level = rules.next_level(a.level)
            clk = ResponseClock.objects.filter(log=a.log).first()
            has_unit = Assignment.objects.filter(log=a.log, state__in=Assignment.ACTIVE).exists()
            if level is None or not rules.still_escalates(a.kind, a.log.status == "open",
                                                          bool(clk and clk.attended_at), has_unit,
                                                          graded=a.log.grade is not None):
                continue
            new = _alert(a.log, a.kind, level, policy, divert=a.divert,
                         text=f"Escalated (not acknowledged by the {a.get_level_display().lower()}): {a.text}")
            audit.record(SYSTEM, "alert.escalated", "log", a.log.reference,
                         after={"alert": pk, "from": a.level, "to": level, "new_alert": new.pk})
            fired += 1
    return fired


def fire_divert_deadlines(now: datetime, limit: int = 500) -> int:
    """D2: a divert the controller has not decided in time goes to the duty inspector."""
    policy = current_policy()
    fired = 0
    for pk in list(Divert.objects.filter(decide_by__lte=now, state="awaiting").values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not Divert.objects.filter(pk=pk, decide_by__lte=now, state="awaiting").update(
                    state="escalated", decide_by=None):
                continue
            d = Divert.objects.select_related("from_log", "unit", "to_log").get(pk=pk)
            _alert(d.from_log, "divert", "duty_inspector", policy, divert=d,
                   text=f"No decision on the divert of {d.unit.callsign} from {d.from_log.reference}: decide it.")
            boards.publish_divert(d)
            audit.record(SYSTEM, "divert.escalated", "log", d.from_log.reference, after={"divert": pk})
            fired += 1
    return fired


# ---------------------------------------------------------------------------------------- reports
def divert_list(limit: int = 500) -> list[dict[str, Any]]:
    """D2: the divert list: who, when, why, and what happened to the first log."""
    out = []
    for d in (Divert.objects.select_related("unit", "from_log", "to_log", "by", "decided_by")
              .order_by("-at")[:limit]):
        first = d.from_log
        attended = Assignment.objects.filter(log=first, at_scene_at__isnull=False).exclude(unit=d.unit).first()
        clock_row = ResponseClock.objects.filter(log=first).first()
        out.append({
            "id": d.pk, "at": d.at.isoformat(), "unit": d.unit.callsign, "by": d.by.username, "reason": d.reason,
            "from": first.reference, "to": d.to_log.reference, "state": d.state,
            "decided_by": d.decided_by.username if d.decided_by else None, "note": d.note,
            "first_log_status": first.status,
            "first_log_attended_by": attended.unit.callsign if attended else None,
            "first_log_breached": bool(clock_row and clock_row.breached_at),
        })
    return out

