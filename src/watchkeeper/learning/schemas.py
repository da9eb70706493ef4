"""The learning library's input schemas (K1-K5): what the API validates a JSON body against and what the
pages' forms are parsed into (`watchkeeper.web.forms.parse_form`), so both reach the actions the same way.
Templates name their inputs by these fields."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema


class DocumentIn(Schema):
    filename: str = Field(
        description="The file's name; its extension says the format (.txt, .md, .pdf, .docx, .html)"
    )
    content_base64: str = Field(description="The file's bytes, base64-encoded")


class ResponseIn(Schema):
    acceptance: Literal["accepted", "partly", "not_accepted"]
    response: str
    responded_on: date | None = None


class TrackerIn(Schema):
    expected_version: int
    response_due: date | None = None
    addressed_to: str | None = None
    linked_bodies: list[str] | None = None
    owner_id: int | None = None
    implementation: Literal["not_started", "in_progress", "implemented", "not_accepted"] | None = None
    reason: str = ""


class ActionIn(Schema):
    description: str
    owner_id: int
    due_date: date


class ActionDoneIn(Schema):
    result: str


class EvidenceIn(Schema):
    description: str
    link: str = ""
    action_id: int | None = None


class AnswerIn(Schema):
    answer: str
    evidence: str = ""
    action: str = ""
    owner_id: int | None = None
    due_date: date | None = None


class SettingIn(Schema):
    key: Literal["response_days", "response_due_soon_days", "action_due_soon_days"]
    value: int
    reason: str
