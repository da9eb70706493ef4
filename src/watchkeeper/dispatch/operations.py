"""Every state change of dispatch as the API and the board both reach it: its input schema and the call to
its one action (see `watchkeeper.web.forms`). The API endpoint validates its JSON body against the schema
and calls `OPERATIONS[what].run(actor, body, **path)`; the board's `/dispatch/do/<what>/<target>/` view
parses the posted form against the same schema and makes the same call, the URL's target named by
`TARGETS[what]`. Permission, rules and the audit record are the action's."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid
from watchkeeper.dispatch import actions
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
from watchkeeper.web.forms import Operation, int_param


def _id(value: Any, field: str) -> int:
    """An id from the API's path (already a number) or the board's URL (text)."""
    found = int_param(str(value), field)
    if found is None:
        raise Invalid(f"{field} is required", field)
    return found


def _create_unit(actor: Actor, body: UnitIn, **_: Any) -> Any:
    return actions.create_unit(actor, **body.dict())


def _duty(actor: Actor, body: DutyIn, *, callsign: str) -> Any:
    return actions.set_duty(actor, callsign, on_duty=body.on_duty)


def _assign(actor: Actor, body: UnitAssignIn, *, reference: str) -> Any:
    return actions.assign_unit(actor, reference, body.callsign, appointment_at=body.appointment_at)


def _state(actor: Actor, body: AssignmentStateIn, *, assignment_id: Any) -> Any:
    return actions.update_assignment(actor, _id(assignment_id, "assignment"), state=body.state)


def _divert(actor: Actor, body: DivertIn, **_: Any) -> Any:
    return actions.divert_unit(actor, body.callsign, from_reference=body.from_reference,
                               to_reference=body.to_reference, reason=body.reason)


def _decide(actor: Actor, body: DivertDecisionIn, *, divert_id: Any) -> Any:
    return actions.decide_divert(actor, _id(divert_id, "divert"), approve=body.approve, note=body.note)


def _ack(actor: Actor, body: AlertAckIn, *, alert_id: Any) -> Any:
    return actions.acknowledge_alert(actor, _id(alert_id, "alert"), note=body.note, reason=body.reason,
                                     earlier=body.earlier)


def _no_units(actor: Actor, body: NoteIn, *, reference: str) -> Any:
    return actions.declare_no_units(actor, reference, note=body.note)


def _area(actor: Actor, body: AreaIn, *, reference: str) -> Any:
    return actions.set_area(actor, reference, area_type=body.area_type, reason=body.reason)


OPERATIONS: dict[str, Operation[Any]] = {
    "create_unit": Operation(UnitIn, _create_unit),
    "duty": Operation(DutyIn, _duty),
    "assign": Operation(UnitAssignIn, _assign),
    "state": Operation(AssignmentStateIn, _state),
    "divert": Operation(DivertIn, _divert),
    "decide": Operation(DivertDecisionIn, _decide),
    "ack": Operation(AlertAckIn, _ack),
    "no_units": Operation(NoteIn, _no_units),
    "area": Operation(AreaIn, _area),
}

# What the target in a board form's URL (/dispatch/do/<what>/<target>/) names: the path value of the API.
TARGETS: dict[str, str] = {"duty": "callsign", "assign": "reference", "state": "assignment_id",
                           "decide": "divert_id", "ack": "alert_id", "no_units": "reference", "area": "reference"}
