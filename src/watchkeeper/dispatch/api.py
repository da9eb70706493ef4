"""Dispatch over the API: units, assignments, diverts, alerts, boards. Thin: parse, one action."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.core.errors import NotFound
from watchkeeper.dispatch import actions, boards
from watchkeeper.dispatch.models import Assignment, Unit
from watchkeeper.dispatch.operations import OPERATIONS
from watchkeeper.dispatch.schemas import (
    AlertAckIn,
    AreaIn,
    AssignmentStateIn,
    DivertDecisionIn,
    DivertIn,
    DutyIn,
    NoteIn,
    UnitAssignIn,
    UnitIn,
)
from watchkeeper.web.forms import actor_of

router = Router(tags=["dispatch"])


@router.get("/units", summary="D4: units with status, crew, skills and their assignments")
def list_units(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("log.view")
    return [boards.unit_row(u) for u in Unit.objects.order_by("callsign")]


@router.post("/units", response={201: dict}, summary="D4: add a unit")
def create_unit(request: HttpRequest, body: UnitIn) -> Status[dict[str, Any]]:
    unit = OPERATIONS["create_unit"].run(actor_of(request, via="api"), body)
    return Status(201, boards.unit_row(unit))


@router.post("/units/{callsign}/duty", summary="D4: a unit on or off duty")
def duty(request: HttpRequest, callsign: str, body: DutyIn) -> dict[str, Any]:
    return boards.unit_row(OPERATIONS["duty"].run(actor_of(request, via="api"), body, callsign=callsign))


@router.get("/units/{callsign}/assignments", summary="L12: what a unit's crew receives (full circulation)")
def unit_assignments(request: HttpRequest, callsign: str) -> list[dict[str, Any]]:
    actor = actor_of(request, via="api")
    actor.require("log.view")
    unit = Unit.objects.filter(callsign=callsign.strip().upper()).first()
    if unit is None:
        raise NotFound(f"No unit {callsign!r}.")
    rows = Assignment.objects.filter(unit=unit, state__in=Assignment.ACTIVE).order_by("assigned_at")
    out = []
    for a in rows.select_related("log"):
        view = actions.logs.view_log(actor, a.log.reference, purpose=f"unit {unit.callsign} assignment",
                                     mark_read=False)
        out.append({"assignment": a.pk, "state": a.state, "reference": a.log.reference,
                    "appointment_at": a.appointment_at.isoformat() if a.appointment_at else None,
                    "summary": actions.circulation(view.log)})
    return out


@router.post("/logs/{reference}/units", response={201: dict}, summary="D4/L12: assign a unit")
def assign(request: HttpRequest, reference: str, body: UnitAssignIn) -> Status[dict[str, Any]]:
    a = OPERATIONS["assign"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"assignment": a.pk, "state": a.state, "summary": a.summary})


@router.post("/assignments/{assignment_id}", summary="D4: en route, at scene, cleared or cancelled")
def update(request: HttpRequest, assignment_id: int, body: AssignmentStateIn) -> dict[str, Any]:
    a = OPERATIONS["state"].run(actor_of(request, via="api"), body, assignment_id=assignment_id)
    return {"assignment": a.pk, "state": a.state, "unit_status": a.unit.status}


@router.post("/diverts", response={201: dict}, summary="D2: move a unit from one log to another")
def divert(request: HttpRequest, body: DivertIn) -> Status[dict[str, Any]]:
    d = OPERATIONS["divert"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": d.pk, "state": d.state, "decide_by": d.decide_by.isoformat() if d.decide_by else None})


@router.post("/diverts/{divert_id}/decision", summary="D2: the controller approves or overrides")
def decide(request: HttpRequest, divert_id: int, body: DivertDecisionIn) -> dict[str, Any]:
    d = OPERATIONS["decide"].run(actor_of(request, via="api"), body, divert_id=divert_id)
    return {"id": d.pk, "state": d.state}


@router.get("/diverts", summary="D2: the divert list (who, when, why, what happened to the first log)")
def divert_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("reports.view")
    return actions.divert_list()


@router.post("/alerts/{alert_id}/acknowledge",
             summary="D1: acknowledge an alert or breach with a reason (and the log's earlier alerts at its level)")
def acknowledge(request: HttpRequest, alert_id: int, body: AlertAckIn) -> dict[str, Any]:
    a = OPERATIONS["ack"].run(actor_of(request, via="api"), body, alert_id=alert_id)
    return {"id": a.pk, "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
            "note": a.note}


@router.get("/alerts/reasons", summary="D1: the reasons offered when acknowledging an alert")
def ack_reasons(request: HttpRequest) -> list[dict[str, str]]:
    from watchkeeper.clocks.alerts import ack_reasons as reasons
    from watchkeeper.core.config import current_policy

    actor_of(request, via="api").require("log.view")
    return reasons(current_policy())


@router.post("/logs/{reference}/no-units", response={201: dict}, summary="D3: no units: stays pending, escalates")
def no_units(request: HttpRequest, reference: str, body: NoteIn) -> Status[dict[str, Any]]:
    a = OPERATIONS["no_units"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"alert": a.pk, "level": a.level})


@router.post("/logs/{reference}/area", summary="D1: urban or rural (recomputes the target)")
def area(request: HttpRequest, reference: str, body: AreaIn) -> dict[str, Any]:
    c = OPERATIONS["area"].run(actor_of(request, via="api"), body, reference=reference)
    return {"target_at": c.target_at.isoformat() if c.target_at else None, "area_type": c.area_type}


@router.get("/boards/dispatch", summary="The dispatch and command boards: rows and the sequence they are current "
            "to; ?grade=&area=&category=&status=&flag= filter the logs and the alert rows (one per log)")
def board(request: HttpRequest) -> dict[str, Any]:
    from watchkeeper.clocks.alerts import log_facts
    from watchkeeper.core.config import current_policy
    from watchkeeper.web import board_filters

    actor_of(request, via="api").require("log.view")
    filters = board_filters.parse(request.GET, current_policy())
    snap = boards.snapshot()
    if filters:
        snap["logs"] = {k: r for k, r in snap["logs"].items() if board_filters.matches(filters, r)}
        facts = log_facts(snap["alert_logs"])
        snap["alert_logs"] = {k: g for k, g in snap["alert_logs"].items()
                              if board_filters.matches(filters, facts.get(k, {}))}
        snap["filters"] = filters
    return snap
