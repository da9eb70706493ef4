"""The input of every people and context action, as the API and the UI both give it (one input path).

The API validates a JSON body against these; the UI's `/do/<what>/` forms are named after their fields and
validated against the same schemas (`watchkeeper.web.forms`), so both refuse the same values the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class PersonIn(Schema):
    given_names: str = ""
    family_name: str
    dob: date | None = None
    sex: str = ""
    aliases: list[str] = []


class RelationIn(Schema):
    other_id: int
    kind: str


class ResidenceIn(Schema):
    address: str
    current: bool = True


class PhoneUseIn(Schema):
    phone: str


class PartyIn(Schema):
    role: str
    person_id: int | None = None
    phone: str = ""
    address: str = ""


class MarkerIn(Schema):
    kind: str
    source: str
    review_at: date
    note: str = ""
    person_id: int | None = None
    address: str = ""
    phone: str = ""
    vehicle: str = ""


class EndIn(Schema):
    reason: str


class SchemeIn(Schema):
    victim_id: int
    reason: str
    victim_told_how: str = ""
    address: str = ""
    phone: str = ""
    ends_at: datetime | None = None
    grade_floor: str = ""
    officer_id: int | None = None


class VictimContactIn(Schema):
    channel: str
    outcome: str
    reached: bool


class ExtendIn(Schema):
    until: datetime
    reason: str


class OrderIn(Schema):
    kind: str
    restricted_id: int
    conditions: str
    starts_on: date
    ends_on: date | None = None
    protected_person_ids: list[int] = []
    protected_addresses: list[str] = []
    protected_classes: list[dict[str, Any]] = []
    activities: list[str] = []


class CertificateIn(Schema):
    holder_id: int
    address: str
    number: str
    expires_on: date


class CheckIn(Schema):
    kind: str
    subject: str
    person_id: int | None = None
    phone: str = ""
    address: str = ""
    mandatory: bool = True


class CheckResultIn(Schema):
    result: str
    system: str = ""
    possible: bool = True


class PromptDecisionIn(Schema):
    accept: bool
    reason: str = ""
