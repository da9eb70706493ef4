"""Every referral action as the UI and the API both reach it: its input schema and the call (one input path)."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.referrals import actions
from watchkeeper.referrals.schemas import (
    IncomingAckIn,
    IncomingActionedIn,
    IncomingReferralIn,
    IntelReferralIn,
    ReferralAllocateIn,
    ReferralCaseIn,
    ReferralImportIn,
    ReferralOutcomeIn,
    ReferralRiskIn,
)
from watchkeeper.web.forms import Operation


def _create(actor: Actor, body: IntelReferralIn) -> Any:
    return actions.create_referral(actor, **body.model_dump())


def _import(actor: Actor, body: ReferralImportIn) -> Any:
    return actions.import_referrals(actor, **body.model_dump())


def _allocate(actor: Actor, body: ReferralAllocateIn, *, referral_id: int) -> Any:
    return actions.allocate(actor, referral_id, **body.model_dump())


def _risk(actor: Actor, body: ReferralRiskIn, *, referral_id: int) -> Any:
    return actions.assess(actor, referral_id, **body.model_dump())


def _outcome(actor: Actor, body: ReferralOutcomeIn, *, referral_id: int) -> Any:
    return actions.record_outcome(actor, referral_id, **body.model_dump())


def _case(actor: Actor, body: ReferralCaseIn, *, referral_id: int) -> Any:
    return actions.open_case(actor, referral_id, **body.model_dump())


def _incoming(actor: Actor, body: IncomingReferralIn) -> Any:
    return actions.receive_from_force(actor, **body.model_dump())


def _acknowledge(actor: Actor, body: IncomingAckIn, *, incoming_id: int) -> Any:
    return actions.acknowledge_from_force(actor, incoming_id, **body.model_dump())


def _actioned(actor: Actor, body: IncomingActionedIn, *, incoming_id: int) -> Any:
    return actions.action_from_force(actor, incoming_id, **body.model_dump())


OPERATIONS: dict[str, Operation[Any]] = {
    "create": Operation(IntelReferralIn, _create),
    "import": Operation(ReferralImportIn, _import),
    "allocate": Operation(ReferralAllocateIn, _allocate),
    "risk": Operation(ReferralRiskIn, _risk),
    "outcome": Operation(ReferralOutcomeIn, _outcome),
    "case": Operation(ReferralCaseIn, _case),
    "incoming": Operation(IncomingReferralIn, _incoming),
    "acknowledge": Operation(IncomingAckIn, _acknowledge),
    "actioned": Operation(IncomingActionedIn, _actioned),
}
