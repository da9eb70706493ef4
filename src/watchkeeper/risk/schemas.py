"""The input of every risk action, as the API and the UI both give it (one input path).

The API validates a JSON body against these; the risk pages' `/do/<what>/` forms are named after their
fields and validated against the same schemas (`watchkeeper.web.forms`).
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from watchkeeper.core import validate as v
from watchkeeper.core.validate import Moment, Text
from watchkeeper.risk.instrument import MAX_DOCUMENT_BYTES

Document = Annotated[str, Field(max_length=MAX_DOCUMENT_BYTES)]


class InstrumentIn(Schema):
    """R1: an instrument document (JSON text, format 1), or the code of one the product ships."""

    document: Document = ""
    shipped: Text = ""


class StartIn(Schema):
    """R1: assess a person with the newest version of an instrument, on a log (its reference) or not."""

    instrument: Text
    person_id: int
    role: Text = "victim"
    reference: Text = ""


class RiskAnswerIn(Schema):
    """One answer. R5: `refused` records that the person declined; a value given with it comes from records."""

    question: Text
    value: Text = ""
    refused: bool = False
    source: Text = "person"
    note: Text = ""


class AnswersIn(Schema):
    answers: Annotated[list[RiskAnswerIn], Field(min_length=1, max_length=v.MAX_ENTRIES)]


class RefusalIn(Schema):
    """R5: the person refused the assessment as a whole (or that is withdrawn); the officer goes on."""

    refused: bool = True
    note: Text = ""


class SubmitIn(Schema):
    """R3: the officer's professional judgement; below the guidance it needs a rationale."""

    judgement: Text
    rationale: Text = ""


class ReviewIn(Schema):
    """R3: a supervisor agrees with the judgement or raises it, with their own rationale."""

    decision: Text
    level: Text = ""
    rationale: Text


class RiskDecisionIn(Schema):
    """R6: a risk decision with its rationale, on a log or a person. R1: kind "no_assessment" records why the
    assessment of `instrument` a log's flag calls for could not be done."""

    kind: Text
    decision: Text
    rationale: Text
    reference: Text = ""
    person_id: int | None = None
    instrument: Text = ""


class MissingIn(Schema):
    """P9: a person reported missing, with the risk level; the lead defaults to the person reporting it."""

    person_id: int
    level: Text
    lead_id: int | None = None
    reference: Text = ""
    reported_at: Moment | None = None


class MissingReviewIn(Schema):
    """P9: a review of the level (by the level's reviewer)."""

    level: Text
    note: Text


class MissingPlaceIn(Schema):
    """P9: a place searched, ruled out or not yet done, with the decision on forcing entry."""

    place: Text
    status: Text
    forced_entry: Text = "not_needed"
    note: Text = ""


class FoundIn(Schema):
    note: Text


class WeatherIn(Schema):
    """P9: the weather recorded or forecast where the person may be (cold, heat, storm, none)."""

    condition: Text
    note: Text = ""


class CallbackIn(Schema):
    """P9: a callback to the reporting agency, a task until done; due by default per policy."""

    agency: Text
    ask: Text
    contact: Text = ""
    due_at: Moment | None = None
    owner_id: int | None = None


class ReferralIn(Schema):
    """R7, P11: a referral to the local force for a person living outside the force area, open until that
    force acknowledges it."""

    person_id: int
    force: Text
    ask: Text
    reference: Text = ""
    contact: Text = ""
    due_at: Moment | None = None
    owner_id: int | None = None


class FollowUpDoneIn(Schema):
    """P9, P11: a follow-up's outcome; a referral needs who acknowledged it at the other force."""

    outcome: Text
    acknowledged_by: Text = ""
