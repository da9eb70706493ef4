"""Every assurance action as the UI and the API both reach it: its input schema and the call."""

from __future__ import annotations

from typing import Any

from watchkeeper.assurance import anomalies, dashboard, roster, training
from watchkeeper.assurance.schemas import (
    CaseIn,
    ImportIn,
    OutcomeIn,
    OverloadIn,
    OverrideIn,
    ShiftCancelIn,
    ShiftIn,
    TrainingIn,
    WatchIn,
)
from watchkeeper.core.actor import Actor
from watchkeeper.web.forms import Operation


def _shift(actor: Actor, body: ShiftIn) -> Any:
    return roster.add_shift(actor, **body.model_dump())


def _cancel(actor: Actor, body: ShiftCancelIn, *, shift_id: int) -> Any:
    return roster.cancel_shift(actor, shift_id, reason=body.reason)


def _import(actor: Actor, body: ImportIn) -> Any:
    return roster.import_roster(actor, text=body.text)


def _training(actor: Actor, body: TrainingIn) -> Any:
    return training.record_training(actor, **body.model_dump())


def _override(actor: Actor, body: OverrideIn, *, lapse_id: int) -> Any:
    return training.record_override(actor, lapse_id, reason=body.reason)


def _case(actor: Actor, body: CaseIn, *, flag_id: int) -> Any:
    return anomalies.open_case(actor, flag_id, note=body.note)


def _outcome(actor: Actor, body: OutcomeIn, *, flag_id: int) -> Any:
    return anomalies.record_outcome(actor, flag_id, outcome=body.outcome, note=body.note)


def _watch(actor: Actor, body: WatchIn) -> Any:
    return anomalies.watch(actor, **body.model_dump())


def _overload(actor: Actor, body: OverloadIn) -> Any:
    return dashboard.report_overload(actor, reason=body.reason)


OPERATIONS: dict[str, Operation[Any]] = {
    "shift": Operation(ShiftIn, _shift),
    "cancel": Operation(ShiftCancelIn, _cancel),
    "import": Operation(ImportIn, _import),
    "training": Operation(TrainingIn, _training),  # A1
    "override": Operation(OverrideIn, _override),  # A1
    "case": Operation(CaseIn, _case),  # A2
    "outcome": Operation(OutcomeIn, _outcome),  # A2
    "watch": Operation(WatchIn, _watch),  # A2
    "overload": Operation(OverloadIn, _overload),  # A5
}
