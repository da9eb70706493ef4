"""The learning library's input schemas (K1-K5): what the API validates a JSON body against and what the
pages' forms are parsed into (`watchkeeper.web.forms.parse_form`), so both reach the actions the same way.
Templates name their inputs by these fields."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema

from watchkeeper.core import validate as v
from watchkeeper.core.validate import Day, OptionalText, Text
from watchkeeper.learning.actions.common import MAX_BYTES

# base64 carries 3 bytes in 4 characters.
MAX_BASE64 = (MAX_BYTES + 2) // 3 * 4


class DocumentIn(Schema):
    filename: Text = Field(
        description="The file's name; its extension says the format (.txt, .md, .pdf, .docx, .html)"
    )
    content_base64: Annotated[str, Field(
        max_length=MAX_BASE64, description="The file's bytes, base64-encoded (at most the upload limit)"
    )]


class ResponseIn(Schema):
    acceptance: Literal["accepted", "partly", "not_accepted"]
    response: Text
    responded_on: Day | None = None


class TrackerIn(Schema):
    expected_version: int
    response_due: Day | None = None
    addressed_to: OptionalText = None
    linked_bodies: Annotated[list[Text] | None, Field(max_length=v.MAX_ITEMS)] = None
    owner_id: int | None = None
    implementation: Literal["not_started", "in_progress", "implemented", "not_accepted"] | None = None
    reason: Text = ""


class ActionIn(Schema):
    description: Text
    owner_id: int
    due_date: Day


class ActionDoneIn(Schema):
    result: Text


class EvidenceIn(Schema):
    description: Text
    link: Text = ""
    action_id: int | None = None


class AnswerIn(Schema):
    answer: Text
    evidence: Text = ""
    action: Text = ""
    owner_id: int | None = None
    due_date: Day | None = None


class SettingIn(Schema):
    key: Literal["response_days", "response_due_soon_days", "action_due_soon_days"]
    value: int
    reason: Text


class CorrectionIn(Schema):
    """K1: a hand correction of one field of a document's record (a new version; the parser's kept)."""

    expected_version: int = Field(description="The record version the correction was made against")
    field: Annotated[str, Field(max_length=120, description="The field: 'title', 'cases.0.narrative', ...")]
    value: Text | Annotated[list[Text], Field(max_length=v.MAX_ITEMS)] = Field(
        description="The corrected value: text, a date as YYYY-MM-DD, or a list of texts (or one a line)"
    )
    reason: Text
