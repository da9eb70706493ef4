"""The input of every people and context action, as the API and the UI both give it (one input path).

The API validates a JSON body against these; the UI's `/do/<what>/` forms are named after their fields and
validated against the same schemas (`watchkeeper.web.forms`), so both refuse the same values the same way.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema

from watchkeeper.core import validate as v
from watchkeeper.core.validate import Day, Moment, Text


class PersonIn(Schema):
    given_names: Text = ""
    family_name: Text
    dob: Day | None = None
    sex: Text = ""
    aliases: Annotated[list[Text], Field(max_length=v.MAX_ITEMS)] = []


class RelationIn(Schema):
    other_id: int
    kind: Text


class ResidenceIn(Schema):
    address: Text
    current: bool = True


class PhoneUseIn(Schema):
    phone: Text


class PartyIn(Schema):
    role: Text
    person_id: int | None = None
    phone: Text = ""
    address: Text = ""


class MarkerIn(Schema):
    kind: Text
    source: Text
    review_at: Day
    note: Text = ""
    person_id: int | None = None
    address: Text = ""
    phone: Text = ""
    vehicle: Text = ""


class EndIn(Schema):
    reason: Text


class SchemeIn(Schema):
    victim_id: int
    reason: Text
    victim_told_how: Text = ""
    address: Text = ""
    phone: Text = ""
    ends_at: Moment | None = None
    grade_floor: Text = ""
    officer_id: int | None = None


class VictimContactIn(Schema):
    channel: Text
    outcome: Text
    reached: bool


class ExtendIn(Schema):
    until: Moment
    reason: Text


class OrderIn(Schema):
    kind: Text
    restricted_id: int
    conditions: Text
    starts_on: Day
    ends_on: Day | None = None
    protected_person_ids: Annotated[list[int], Field(max_length=v.MAX_ITEMS)] = []
    protected_addresses: Annotated[list[Text], Field(max_length=v.MAX_ITEMS)] = []
    protected_classes: Annotated[
        list[Annotated[dict[Text, Any], Field(max_length=v.MAX_ITEMS)]], Field(max_length=v.MAX_ITEMS)
    ] = []
    activities: Annotated[list[Text], Field(max_length=v.MAX_ITEMS)] = []


class CertificateIn(Schema):
    holder_id: int
    address: Text
    number: Text
    expires_on: Day


class CheckIn(Schema):
    kind: Text
    subject: Text
    person_id: int | None = None
    phone: Text = ""
    address: Text = ""
    mandatory: bool = True


class CheckResultIn(Schema):
    result: Text
    system: Text = ""
    possible: bool = True


class PromptDecisionIn(Schema):
    accept: bool
    reason: Text = ""
