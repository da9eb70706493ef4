"""Input schemas of incident logs: what the API validates and the UI's forms are parsed into (one input
path, `watchkeeper.web.forms`). A form names its inputs by these fields (`thrive.threat.level`,
`contact.caller_phone`, `parties.0.person_id`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator

from watchkeeper.core import validate as v
from watchkeeper.core.validate import Day, Moment, OptionalText, Text
from watchkeeper.incidents import actions

Items = Annotated[list[Text], Field(max_length=v.MAX_ITEMS)]

Level = Literal["none", "low", "medium", "high"]


class ContactSchema(Schema):
    channel: Text = Field(description="999, 101, switchboard, front_counter, email, online, partner_agency, "
                         "alarm, police_generated")
    account: Text = Field(description="What the caller said, in their words")
    received_at: Moment | None = None
    caller_name: Text = ""
    caller_phone: Text = ""
    caller_dob: Day | None = None
    caller_age: int | None = Field(None, ge=0, le=130)
    caller_age_reason: Text = ""
    party: Text = Field("", description="Which party the caller is (L7)")
    allegation: Text = ""

    def to_input(self) -> actions.ContactIn:
        return actions.ContactIn(**self.dict())


class PartyChoice(Schema):
    person_id: int
    role: Text = Field(description="caller, victim, suspect, subject, witness or mentioned")


class RaiseLogIn(Schema):
    contact: ContactSchema
    category: Text
    summary: Text
    location: Text = ""
    flags: Items = []
    source: Text = "manual"
    entries: Annotated[list[Text], Field(max_length=v.MAX_ENTRIES)] = []
    parties: Annotated[list[PartyChoice], Field(
        max_length=v.MAX_ITEMS, description="C1: people from the context panel to put on the log")] = []
    second_call_reason: Text = Field("", description="L8: why a new log, when an open log from the last hours "
                                    "has this phone, place or person (refused with 409 and the matches otherwise)")


class EntryIn(Schema):
    text: Text
    corrects_seq: int | None = None
    add_flags: Items = []


class UpdateLogIn(Schema):
    expected_version: int
    category: OptionalText = None
    summary: OptionalText = None
    location: OptionalText = None
    flags: Annotated[list[Text] | None, Field(max_length=v.MAX_ITEMS)] = None
    reason: Text = ""


class ThriveElement(Schema):
    level: Level | None = None
    note: Text = ""

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
    grade: Text
    thrive: ThriveIn
    rationale: Text = ""
    expected_version: int


class DowngradeIn(Schema):
    grade: Text
    thrive: ThriveIn
    reason: Text = ""
    authoriser_id: int | None = None
    expected_version: int


class DecisionIn(Schema):
    approve: bool
    note: Text = ""


class AckIn(Schema):
    acknowledged_through: int | None = None


class CloseIn(Schema):
    code: Text
    note: Text = ""
    acknowledged_through: int | None = None
    authorisation_rationale: Text = ""


class ReopenIn(Schema):
    reason: Text


class CancelIn(Schema):
    code: Text
    reason: Text
    duplicate_of: Text = ""
    acknowledged_through: int | None = None


class ServiceRequestIn(Schema):
    direction: Literal["outbound", "inbound"]
    service: Text
    requester: Text
    ask: Text
    condition: Text = ""


class ServiceRequestUpdateIn(Schema):
    state: Literal["actioned", "declined", "withdrawn"]
    note: Text


class TaskIn(Schema):
    description: Text
    owner_id: int
    due_at: Moment
    reference: Text = ""


class TaskDoneIn(Schema):
    result: Text


class LinkIn(Schema):
    other: Text
    kind: Literal["same_event", "related", "counter_allegation"]
    reason: Text = ""


class MergeIn(Schema):
    into: Text
    reason: Text


class AssignIn(Schema):
    user_id: int


class MessageIn(Schema):
    addressed_to: int
    contact: ContactSchema


class HandleMessageIn(Schema):
    reference: Text = ""
    note: Text = ""


class TakeReviewIn(Schema):
    """Taking a log from review needs nothing but the log (L9)."""


class IntakeReviewersIn(Schema):
    reviewer_id: int
    deputy_id: int
    name: Text = ""
