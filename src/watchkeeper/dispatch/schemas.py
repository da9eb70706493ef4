"""Dispatch's input schemas: what the API's JSON bodies and the board's forms both carry (see
`watchkeeper.web.forms`). A board form names its inputs by these fields; the log, assignment, alert or
divert it acts on is in the URL, as in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema


class UnitIn(Schema):
    callsign: str
    area: str
    area_type: Literal["urban", "rural"] = "urban"
    skills: list[str] = []
    crew_ids: list[int] = []


class DutyIn(Schema):
    on_duty: bool


class AssignIn(Schema):
    callsign: str
    appointment_at: datetime | None = None


class AssignmentStateIn(Schema):
    state: Literal["en_route", "at_scene", "cleared", "cancelled"]


class DivertIn(Schema):
    callsign: str
    from_reference: str
    to_reference: str
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class AreaIn(Schema):
    area_type: Literal["urban", "rural"]
    reason: str
