"""Referrals over the API (P7, P11). Thin: the body is validated against the schema the pages use too
(referrals/schemas.py), and the one operation runs (referrals/operations.py); reads come from queries.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.cases.models import Case
from watchkeeper.core import validate as v
from watchkeeper.referrals import actions, queries, rules
from watchkeeper.referrals.models import ImportBatch, IncomingReferral, IntelReferral
from watchkeeper.referrals.operations import OPERATIONS
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
from watchkeeper.web.forms import actor_of, int_param

router = Router(tags=["referrals"])


def _out(r: IntelReferral) -> dict[str, Any]:
    return dict(queries.api(queries.row(r)))


@router.get("/queue", summary="P7: intelligence referrals in the order they are to be worked (by risk, as policy "
                              "says), with their age; filters: state open/worked, tier, officer_id, source")
def queue(request: HttpRequest, state: str = "open", tier: str = "", officer_id: str = "",
          source: str = "") -> list[dict[str, Any]]:
    actor = actor_of(request, via="api")
    actor.require("case.view")
    v.choice(state, "state", ["open", "worked"])
    if tier:
        v.choice(tier, "tier", list(rules.TIERS))
    return list(queries.api(queries.queue(state=state, tier=tier, officer_id=int_param(officer_id, "officer_id"),
                                          source=source[:200])))


@router.get("/backlog", summary="P7, A5: each referral queue's size, unallocated, oldest age and overdue count")
def backlog(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("case.supervise")
    return queries.backlog()


@router.post("", response={201: dict}, summary="P7: record one intelligence referral (queued by its risk)")
def create(request: HttpRequest, body: IntelReferralIn) -> Status[dict[str, Any]]:
    r: IntelReferral = OPERATIONS["create"].run(actor_of(request, via="api"), body)
    return Status(201, _out(r))


@router.post("/import", response={201: dict},
             summary="P7: import a list of referrals as CSV: every row checked, all or nothing, problems by row")
def import_list(request: HttpRequest, body: ReferralImportIn) -> Status[dict[str, Any]]:
    b: ImportBatch = OPERATIONS["import"].run(actor_of(request, via="api"), body)
    refs = list(IntelReferral.objects.filter(batch=b).order_by("pk").values_list("reference", flat=True)[:2000])
    return Status(201, {"id": b.pk, "rows": b.rows, "references": refs})


@router.get("/forces", summary="P11: referrals received from other forces (tracked until acknowledged and "
                               "actioned) and referrals made to other forces")
def forces(request: HttpRequest) -> dict[str, Any]:
    actor_of(request, via="api").require("case.view")
    return {"incoming": queries.api(queries.incoming()), "outgoing": queries.api(queries.outgoing())}


@router.post("/forces/incoming", response={201: dict},
             summary="P11: record a referral received from another force about a person living here")
def receive(request: HttpRequest, body: IncomingReferralIn) -> Status[dict[str, Any]]:
    x: IncomingReferral = OPERATIONS["incoming"].run(actor_of(request, via="api"), body)
    return Status(201, dict(queries.api(queries.incoming_row(x))))


@router.post("/forces/incoming/{incoming_id}/acknowledge", summary="P11: acknowledge a referral from another force")
def acknowledge(request: HttpRequest, incoming_id: int, body: IncomingAckIn) -> dict[str, Any]:
    x: IncomingReferral = OPERATIONS["acknowledge"].run(actor_of(request, via="api"), body, incoming_id=incoming_id)
    return dict(queries.api(queries.incoming_row(x)))


@router.post("/forces/incoming/{incoming_id}/actioned",
             summary="P11: record what was done about a referral from another force, and at which address")
def actioned(request: HttpRequest, incoming_id: int, body: IncomingActionedIn) -> dict[str, Any]:
    x: IncomingReferral = OPERATIONS["actioned"].run(actor_of(request, via="api"), body, incoming_id=incoming_id)
    return dict(queries.api(queries.incoming_row(x)))


@router.get("/{referral_id}", summary="P7: a referral and its history (reading it is audited)")
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    r = actions.view_referral(actor_of(request, via="api"), referral_id)
    return dict(queries.api(queries.referral(r)))


@router.post("/{referral_id}/allocation", summary="P7: a supervisor allocates the referral to an officer")
def allocate(request: HttpRequest, referral_id: int, body: ReferralAllocateIn) -> dict[str, Any]:
    r: IntelReferral = OPERATIONS["allocate"].run(actor_of(request, via="api"), body, referral_id=referral_id)
    return _out(r)


@router.post("/{referral_id}/risk", summary="P7: the referral's risk as checks show it now (moves it in the queue)")
def assess(request: HttpRequest, referral_id: int, body: ReferralRiskIn) -> dict[str, Any]:
    r: IntelReferral = OPERATIONS["risk"].run(actor_of(request, via="api"), body, referral_id=referral_id)
    return _out(r)


@router.post("/{referral_id}/outcome", summary="P7: the outcome of working the referral (allocated officer or a "
                                              "supervisor)")
def outcome(request: HttpRequest, referral_id: int, body: ReferralOutcomeIn) -> dict[str, Any]:
    r: IntelReferral = OPERATIONS["outcome"].run(actor_of(request, via="api"), body, referral_id=referral_id)
    return _out(r)


@router.post("/{referral_id}/case", response={201: dict}, summary="P7: open a case from the referral")
def open_case(request: HttpRequest, referral_id: int, body: ReferralCaseIn) -> Status[dict[str, Any]]:
    c: Case = OPERATIONS["case"].run(actor_of(request, via="api"), body, referral_id=referral_id)
    return Status(201, {"id": c.pk, "reference": c.reference, "referral_id": referral_id,
                        "officer_id": c.officer_id, "risk": c.risk})
