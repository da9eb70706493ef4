"""Every risk action as the UI and the API both reach it: its input schema and the call (one input path).

Values that come from the URL or the page rather than the form (the assessment a form sits on) are given
to `run` by name.
"""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.risk import actions
from watchkeeper.risk.schemas import (
    AnswersIn,
    CallbackIn,
    FollowUpDoneIn,
    FoundIn,
    InstrumentIn,
    MissingIn,
    MissingPlaceIn,
    MissingReviewIn,
    ReferralIn,
    RefusalIn,
    ReviewIn,
    RiskDecisionIn,
    StartIn,
    SubmitIn,
    WeatherIn,
)
from watchkeeper.web.forms import Operation


def _instrument(actor: Actor, body: InstrumentIn) -> Any:
    return actions.load_instrument(actor, document=body.document, shipped_code=body.shipped)


def _start(actor: Actor, body: StartIn) -> Any:
    return actions.start_assessment(actor, **body.model_dump())


def _answers(actor: Actor, body: AnswersIn, *, assessment_id: int) -> Any:
    return actions.answer(actor, assessment_id, [a.model_dump() for a in body.answers])


def _refusal(actor: Actor, body: RefusalIn, *, assessment_id: int) -> Any:
    return actions.record_refusal(actor, assessment_id, refused=body.refused, note=body.note)


def _submit(actor: Actor, body: SubmitIn, *, assessment_id: int) -> Any:
    return actions.submit(actor, assessment_id, judgement=body.judgement, rationale=body.rationale)


def _review(actor: Actor, body: ReviewIn, *, assessment_id: int) -> Any:
    return actions.review(actor, assessment_id, decision=body.decision, level=body.level, rationale=body.rationale)


def _decision(actor: Actor, body: RiskDecisionIn) -> Any:
    return actions.record_decision(actor, **body.model_dump())


def _missing(actor: Actor, body: MissingIn) -> Any:
    return actions.report_missing(actor, **body.model_dump())


def _missing_review(actor: Actor, body: MissingReviewIn, *, missing_id: int) -> Any:
    return actions.review_missing(actor, missing_id, level=body.level, note=body.note)


def _missing_place(actor: Actor, body: MissingPlaceIn, *, missing_id: int) -> Any:
    return actions.record_place(actor, missing_id, **body.model_dump())


def _found(actor: Actor, body: FoundIn, *, missing_id: int) -> Any:
    return actions.record_found(actor, missing_id, note=body.note)


def _weather(actor: Actor, body: WeatherIn, *, missing_id: int) -> Any:
    return actions.record_weather(actor, missing_id, condition=body.condition, note=body.note)


def _callback(actor: Actor, body: CallbackIn, *, missing_id: int) -> Any:
    return actions.add_callback(actor, missing_id, **body.model_dump())


def _referral(actor: Actor, body: ReferralIn) -> Any:
    return actions.refer_to_force(actor, **body.model_dump())


def _followup_done(actor: Actor, body: FollowUpDoneIn, *, followup_id: int) -> Any:
    return actions.complete_followup(actor, followup_id, outcome=body.outcome, acknowledged_by=body.acknowledged_by)


OPERATIONS: dict[str, Operation[Any]] = {
    "instrument": Operation(InstrumentIn, _instrument),  # R1
    "start": Operation(StartIn, _start),  # R1, R4
    "answers": Operation(AnswersIn, _answers),  # R1, R5
    "refusal": Operation(RefusalIn, _refusal),  # R5
    "submit": Operation(SubmitIn, _submit),  # R2, R3
    "review": Operation(ReviewIn, _review),  # R3
    "decision": Operation(RiskDecisionIn, _decision),  # R6
    "missing": Operation(MissingIn, _missing),  # P9
    "missing_review": Operation(MissingReviewIn, _missing_review),  # P9
    "missing_place": Operation(MissingPlaceIn, _missing_place),  # P9
    "found": Operation(FoundIn, _found),  # P9
    "weather": Operation(WeatherIn, _weather),  # P9
    "callback": Operation(CallbackIn, _callback),  # P9
    "referral": Operation(ReferralIn, _referral),  # R7, P11
    "followup_done": Operation(FollowUpDoneIn, _followup_done),  # P9, P11
}
