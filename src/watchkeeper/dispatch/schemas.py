"""Dispatch's input schemas: what the API's JSON bodies and the board's forms both carry (see
`watchkeeper.web.forms`). A board form names its inputs by these fields; the log, assignment, alert or
divert it acts on is in the URL, as in the API."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema

from watchkeeper.core import validate as v
from watchkeeper.core.validate import Moment, Text


class UnitIn(Schema):
    callsign: Text
    area: Text
    area_type: Literal["urban", "rural"] = "urban"
    skills: Annotated[list[Text], Field(max_length=v.MAX_ITEMS)] = []
    crew_ids: Annotated[list[int], Field(max_length=v.MAX_ITEMS)] = []


class DutyIn(Schema):
    on_duty: bool


class UnitAssignIn(Schema):
    callsign: Text
    appointment_at: Moment | None = None


class AssignmentStateIn(Schema):
    state: Literal["en_route", "at_scene", "cleared", "cancelled"]


class DivertIn(Schema):
    callsign: Text
    from_reference: Text
    to_reference: Text
    reason: Text


class DivertDecisionIn(Schema):
    approve: bool
    note: Text = ""


class NoteIn(Schema):
    note: Text = ""


class AlertAckIn(Schema):
    """D1: acknowledging an alert: a reason from the force's list (`alert_ack_reasons`) or "other" with the
    note saying what is being done; a note alone counts as "other". `earlier`: also the log's other open
    alerts at its level or below (the board's one row per log)."""

    reason: Annotated[str, Field(max_length=64)] = ""
    note: Text = ""
    earlier: bool = False


class AreaIn(Schema):
    area_type: Literal["urban", "rural"]
    reason: Text
