"""The learning library's state changes as the API and the pages both reach them (K2, K3): each is its
input schema and the call to its one action. The API endpoint validates a JSON body and calls
`OPERATIONS[what].run(actor, body, **path)`; a page's form is parsed into the same schema
(`Operation.from_form`). Uploads (files) and replay requests (no fields) call their actions directly."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions
from watchkeeper.learning.schemas import (
    ActionDoneIn,
    ActionIn,
    AnswerIn,
    CorrectionIn,
    EvidenceIn,
    ResponseIn,
    SettingIn,
    TrackerIn,
)
from watchkeeper.web.forms import Operation


def _response(actor: Actor, body: ResponseIn, *, rec_id: int) -> Any:
    return actions.record_response(actor, rec_id, **body.dict())


def _tracker(actor: Actor, body: TrackerIn, *, rec_id: int) -> Any:
    """Only the fields given change (a form or body that leaves one out leaves it as it is)."""
    given = body.dict(exclude_unset=True)
    given.pop("expected_version", None)
    return actions.update_recommendation(actor, rec_id, expected_version=body.expected_version, **given)


def _action(actor: Actor, body: ActionIn, *, rec_id: int) -> Any:
    return actions.add_action(actor, rec_id, **body.dict())


def _action_done(actor: Actor, body: ActionDoneIn, *, action_id: int) -> Any:
    return actions.complete_action(actor, action_id, result=body.result)


def _evidence(actor: Actor, body: EvidenceIn, *, rec_id: int) -> Any:
    return actions.add_evidence(actor, rec_id, **body.dict())


def _answer(actor: Actor, body: AnswerIn, *, question_id: int) -> Any:
    return actions.answer_question(actor, question_id, **body.dict())


def _correction(actor: Actor, body: CorrectionIn, *, document_id: int) -> Any:
    return actions.correct_field(
        actor,
        document_id,
        field=body.field,
        value=body.value,
        reason=body.reason,
        expected_version=body.expected_version,
    )


def _setting(actor: Actor, body: SettingIn) -> Any:
    return actions.set_setting(actor, body.key, body.value, body.reason)


RECOMMENDATION_OPERATIONS: dict[str, Operation[Any]] = {
    "response": Operation(ResponseIn, _response),
    "tracker": Operation(TrackerIn, _tracker),
    "action": Operation(ActionIn, _action),
    "action_done": Operation(ActionDoneIn, _action_done),
    "evidence": Operation(EvidenceIn, _evidence),
}
"""What a recommendation page's `/do/<what>/` names."""

OPERATIONS: dict[str, Operation[Any]] = {
    **RECOMMENDATION_OPERATIONS,
    "answer": Operation(AnswerIn, _answer),
    "correction": Operation(CorrectionIn, _correction),
    "setting": Operation(SettingIn, _setting),
}
