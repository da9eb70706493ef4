"""Every case action as the UI and the API both reach it: its input schema and the call (one input path)."""

from __future__ import annotations

from typing import Any

from watchkeeper.cases import actions
from watchkeeper.cases.schemas import (
    AcknowledgeIn,
    AgencyActionDoneIn,
    AgencyActionIn,
    AgencyReferralIn,
    AssessIn,
    BailAmendIn,
    BailConditionIn,
    BailEndIn,
    BailReviewIn,
    CaseCloseIn,
    CasePartyIn,
    CaseReviewIn,
    ChannelsIn,
    ConflictIn,
    ContactIn,
    DeliveryIn,
    DisclosureDecisionIn,
    HandoverIn,
    LogIn,
    OpenIn,
    PointOfContactIn,
    RiskAssessmentIn,
    UpdateIn,
)
from watchkeeper.core.actor import Actor
from watchkeeper.web.forms import Operation


def _open(actor: Actor, body: OpenIn) -> Any:
    return actions.open_case(actor, **body.model_dump())


def _party(actor: Actor, body: CasePartyIn, *, case_id: int) -> Any:
    return actions.add_party(actor, case_id, person_id=body.person_id, role=body.role)


def _risk(actor: Actor, body: RiskAssessmentIn, *, case_id: int) -> Any:
    return actions.start_assessment(actor, case_id, person_id=body.person_id, instrument=body.instrument,
                                    role=body.role)


def _log(actor: Actor, body: LogIn, *, case_id: int) -> Any:
    return actions.link_log(actor, case_id, reference=body.reference)


def _handover(actor: Actor, body: HandoverIn, *, case_id: int) -> Any:
    return actions.hand_over(actor, case_id, **body.model_dump())


def _acknowledge(actor: Actor, body: AcknowledgeIn, *, case_id: int) -> Any:
    return actions.acknowledge(actor, case_id, body.handover_id)


def _close(actor: Actor, body: CaseCloseIn, *, case_id: int) -> Any:
    return actions.close_case(actor, case_id, note=body.note)


def _review(actor: Actor, body: CaseReviewIn, *, case_id: int) -> Any:
    return actions.review_case(actor, case_id, **body.model_dump())


def _spoc(actor: Actor, body: PointOfContactIn, *, person_id: int) -> Any:
    return actions.set_point_of_contact(actor, person_id, **body.model_dump())


def _contact(actor: Actor, body: ContactIn, *, case_id: int) -> Any:
    return actions.log_contact(actor, case_id, **body.model_dump())


def _channels(actor: Actor, body: ChannelsIn, *, person_id: int) -> Any:
    return actions.set_channels(actor, person_id, **body.model_dump())


def _update(actor: Actor, body: UpdateIn, *, case_id: int) -> Any:
    return actions.send_update(actor, case_id, **body.model_dump())


def _delivery(actor: Actor, body: DeliveryIn, *, case_id: int) -> Any:
    return actions.record_delivery(actor, case_id, **body.model_dump())


def _conflict(actor: Actor, body: ConflictIn, *, case_id: int) -> Any:
    return actions.declare_conflict(actor, case_id, **body.model_dump())


def _assess(actor: Actor, body: AssessIn, *, case_id: int) -> Any:
    return actions.assess_conflict(actor, case_id, **body.model_dump())


def _referral(actor: Actor, body: AgencyReferralIn, *, case_id: int) -> Any:
    return actions.record_referral(actor, case_id, **body.model_dump())


def _action(actor: Actor, body: AgencyActionIn, *, case_id: int) -> Any:
    return actions.add_agency_action(actor, case_id, **body.model_dump())


def _action_done(actor: Actor, body: AgencyActionDoneIn, *, case_id: int) -> Any:
    return actions.complete_agency_action(actor, case_id, **body.model_dump())


def _disclose(actor: Actor, body: DisclosureDecisionIn, *, case_id: int) -> Any:
    return actions.decide_disclosure(actor, case_id, **body.model_dump())


def _bail(actor: Actor, body: BailConditionIn, *, case_id: int) -> Any:
    return actions.set_bail(actor, case_id, **body.model_dump())


def _bail_amend(actor: Actor, body: BailAmendIn, *, case_id: int) -> Any:
    return actions.amend_bail(actor, case_id, **body.model_dump())


def _bail_review(actor: Actor, body: BailReviewIn, *, case_id: int) -> Any:
    return actions.review_bail(actor, case_id, **body.model_dump())


def _bail_end(actor: Actor, body: BailEndIn, *, case_id: int) -> Any:
    return actions.end_bail(actor, case_id, **body.model_dump())


OPERATIONS: dict[str, Operation[Any]] = {
    "open": Operation(OpenIn, _open),
    "party": Operation(CasePartyIn, _party),
    "log": Operation(LogIn, _log),
    "risk": Operation(RiskAssessmentIn, _risk),
    "handover": Operation(HandoverIn, _handover),
    "acknowledge": Operation(AcknowledgeIn, _acknowledge),
    "close": Operation(CaseCloseIn, _close),
    "review": Operation(CaseReviewIn, _review),
    "contact": Operation(ContactIn, _contact),
    "spoc": Operation(PointOfContactIn, _spoc),
    "channels": Operation(ChannelsIn, _channels),
    "update": Operation(UpdateIn, _update),
    "delivery": Operation(DeliveryIn, _delivery),
    "conflict": Operation(ConflictIn, _conflict),
    "assess": Operation(AssessIn, _assess),
    "referral": Operation(AgencyReferralIn, _referral),
    "action": Operation(AgencyActionIn, _action),
    "action_done": Operation(AgencyActionDoneIn, _action_done),
    "disclose": Operation(DisclosureDecisionIn, _disclose),
    "bail": Operation(BailConditionIn, _bail),
    "bail_amend": Operation(BailAmendIn, _bail_amend),
    "bail_review": Operation(BailReviewIn, _bail_review),
    "bail_end": Operation(BailEndIn, _bail_end),
}
