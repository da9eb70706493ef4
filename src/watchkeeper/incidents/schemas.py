"""Input schemas of incident logs: what the API validates and the UI's forms are parsed into (one input
path, `watchkeeper.web.forms`). A form names its inputs by these fields (`thrive.threat.level`,
`contact.caller_phone`, `parties.0.person_id`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator

from watchkeeper.incidents import actions

Level = Literal["none", "low", "medium", "high"]


class ContactSchema(Schema):
    channel: str = Field(description="999, 101, switchboard, front_counter, email, online, partner_agency, "
                         "alarm, police_generated")
    account: str = Field(description="What the caller said, in their words")
    received_at: datetime | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_dob: date | None = None
    caller_age: int | None = Field(None, ge=0, le=130)
    caller_age_reason: str = ""
    party: str = Field("", description="Which party the caller is (L7)")
    allegation: str = ""

    def to_input(self) -> actions.ContactIn:
        return actions.ContactIn(**self.dict())


class PartyChoice(Schema):
    person_id: int
    role: str = Field(description="caller, victim, suspect, subject, witness or mentioned")


class RaiseLogIn(Schema):
    contact: ContactSchema
    category: str
    summary: str
    location: str = ""
    flags: list[str] = []
    source: str = "manual"
    entries: list[str] = []
    parties: list[PartyChoice] = Field([], description="C1: people from the context panel to put on the log")
    second_call_reason: str = Field("", description="L8: why a new log, when an open log from the last hours "
                                    "has this phone, place or person (refused with 409 and the matches otherwise)")


class EntryIn(Schema):
    text: str
    corrects_seq: int | None = None
    add_flags: list[str] = []


class UpdateLogIn(Schema):
    expected_version: int
    category: str | None = None
    summary: str | None = None
    location: str | None = None
    flags: list[str] | None = None
    reason: str = ""


class ThriveElement(Schema):
    level: Level | None = None
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def must_be_an_object(cls, data: Any) -> Any:
        inner = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(inner, dict | ThriveElement):
            raise ValueError("each THRIVE element must be an object with a level and/or a note")
        return data


class ThriveIn(Schema):
    threat: ThriveElement
    harm: ThriveElement
    risk: ThriveElement
    investigation: ThriveElement = ThriveElement()
    vulnerability: ThriveElement
    engagement: ThriveElement = ThriveElement()


class GradeIn(Schema):
    grade: str
    thrive: ThriveIn
    rationale: str = ""
    expected_version: int


class DowngradeIn(Schema):
    grade: str
    thrive: ThriveIn
    reason: str = ""
    authoriser_id: int | None = None
    expected_version: int


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class AckIn(Schema):
    acknowledged_through: int | None = None


class CloseIn(Schema):
    code: str
    note: str = ""
    acknowledged_through: int | None = None
    authorisation_rationale: str = ""


class ReopenIn(Schema):
    reason: str


class CancelIn(Schema):
    code: str
    reason: str
    duplicate_of: str = ""
    acknowledged_through: int | None = None


class ServiceRequestIn(Schema):
    direction: Literal["outbound", "inbound"]
    service: str
    requester: str
    ask: str
    condition: str = ""


class ServiceRequestUpdateIn(Schema):
    state: Literal["actioned", "declined", "withdrawn"]
    note: str


class TaskIn(Schema):
    description: str
    owner_id: int
    due_at: datetime
    reference: str = ""


class TaskDoneIn(Schema):
    result: str


class LinkIn(Schema):
    other: str
    kind: Literal["same_event", "related", "counter_allegation"]
    reason: str = ""


class MergeIn(Schema):
    into: str
    reason: str


class AssignIn(Schema):
    user_id: int


class MessageIn(Schema):
    addressed_to: int
    contact: ContactSchema


class HandleMessageIn(Schema):
    reference: str = ""
    note: str = ""


class TakeReviewIn(Schema):
    """Taking a log from review needs nothing but the log (L9)."""


class IntakeReviewersIn(Schema):
    reviewer_id: int
    deputy_id: int
    name: str = ""
