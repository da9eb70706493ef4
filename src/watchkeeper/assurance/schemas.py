"""The input of every assurance action, as the API and the pages both give it (one input path)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from watchkeeper.assurance.roster import MAX_IMPORT_BYTES
from watchkeeper.core.validate import Day, Moment, Text

RosterText = Annotated[str, Field(max_length=MAX_IMPORT_BYTES)]


class ShiftIn(Schema):
    """A shift on a desk role, or a rostered absence (leave, training, sickness: `absence` with a reason)."""

    user_id: int
    desk_role: Text = ""
    desk: Text = ""
    starts_at: Moment
    ends_at: Moment
    absence: bool = False
    reason: Text = ""


class ShiftCancelIn(Schema):
    reason: Text


class ImportIn(Schema):
    """A roster as CSV text: header username,desk_role,desk,starts_at,ends_at,absence,reason."""

    text: RosterText


class TrainingIn(Schema):
    """A1: a course completed by a member of staff (its expiry follows from the policy)."""

    user_id: int
    course: Text
    completed_on: Day
    note: Text = ""


class OverrideIn(Schema):
    """A1: why the person went ahead without current training."""

    reason: Text


class CaseIn(Schema):
    """A2: professional standards open a case on a flag."""

    note: Text


class OutcomeIn(Schema):
    """A2: the outcome of a flag: no_concern, advice, misconduct or criminal."""

    outcome: Text
    note: Text


class WatchIn(Schema):
    """A2: a person's record on the watch list: colleague, neighbour, public_figure or other."""

    person_id: int
    kind: Text
    reason: Text


class OverloadIn(Schema):
    """A5: I am overloaded, and why."""

    reason: Text
