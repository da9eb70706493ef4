"""Cases over the API (P1). Thin: the body is validated against the schema the pages use too
(cases/schemas.py), and the one operation runs (cases/operations.py); reads come from cases/queries.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import (
    AgencyAction,
    AgencyReferral,
    BailCondition,
    BailDecision,
    Case,
    CaseLog,
    CaseParty,
    CaseReview,
    ChannelPreference,
    ConflictDeclaration,
    Disclosure,
    Handover,
    PointOfContact,
    VictimContact,
    VictimUpdate,
)
from watchkeeper.cases.operations import OPERATIONS
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
from watchkeeper.risk.models import Assessment
from watchkeeper.web.forms import actor_of

router = Router(tags=["cases"])


@router.get("/mine", summary="P1: my open cases and handovers awaiting my acknowledgement")
def mine(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request, via="api")
    actor.require("case.view")
    return queries.api(queries.my_cases(actor.person))


@router.get("/team", summary="P1: the cases I supervise or my team holds (queued ones first)")
def team(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request, via="api")
    actor.require("case.supervise")
    return queries.api(queries.team_cases(actor.person))


@router.post("", response={201: dict}, summary="P1: open a case, from a log or directly")
def open_case(request: HttpRequest, body: OpenIn) -> Status[dict[str, Any]]:
    c: Case = OPERATIONS["open"].run(actor_of(request, via="api"), body)
    return Status(201, queries.api(queries.row(c)))


@router.get("/victims/{person_id}", summary="P3: a victim: their point of contact, cases, contacts and updates "
                                             "(reading it is audited)")
def get_victim(request: HttpRequest, person_id: int) -> dict[str, Any]:
    p = actions.view_victim(actor_of(request, via="api"), person_id)
    return queries.api(queries.victim(p))


@router.post("/victims/{person_id}/contact-point", response={201: dict},
             summary="P3: name or change a victim's single point of contact, saying why")
def set_contact_point(request: HttpRequest, person_id: int, body: PointOfContactIn) -> Status[dict[str, Any]]:
    s: PointOfContact = OPERATIONS["spoc"].run(actor_of(request, via="api"), body, person_id=person_id)
    return Status(201, queries.api(queries.spoc(s.person_id)))


@router.post("/victims/{person_id}/channels", response={201: dict},
             summary="P4: how the victim prefers to be told, in order")
def set_channels(request: HttpRequest, person_id: int, body: ChannelsIn) -> Status[dict[str, Any]]:
    pref: ChannelPreference = OPERATIONS["channels"].run(actor_of(request, via="api"), body, person_id=person_id)
    return Status(201, {"id": pref.pk, "person_id": pref.person_id, "channels": pref.channels})


@router.get("/{case_id}", summary="P1: a case: people, logs, handovers, timeline (reading it is audited)")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    c = actions.view_case(actor_of(request, via="api"), case_id)
    return queries.api(queries.case(c))


@router.post("/{case_id}/people", response={201: dict}, summary="A person on the case in a role")
def add_party(request: HttpRequest, case_id: int, body: CasePartyIn) -> Status[dict[str, Any]]:
    p: CaseParty = OPERATIONS["party"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, {"id": p.pk, "person_id": p.person_id, "role": p.role})


@router.post("/{case_id}/assessments", response={201: dict},
             summary="R1: start a risk assessment of a person on the case (on its latest log)")
def start_assessment(request: HttpRequest, case_id: int, body: RiskAssessmentIn) -> Status[dict[str, Any]]:
    a: Assessment = OPERATIONS["risk"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, {"id": a.pk, "instrument": a.instrument.code, "version": a.instrument.version,
                        "person_id": a.person_id, "role": a.subject_role,
                        "log": a.log.reference if a.log else None, "state": a.state})


@router.post("/{case_id}/logs", response={201: dict}, summary="A log the case is about")
def link_log(request: HttpRequest, case_id: int, body: LogIn) -> Status[dict[str, Any]]:
    link: CaseLog = OPERATIONS["log"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, {"id": link.pk, "reference": link.log.reference})


@router.post("/{case_id}/handovers", response={201: dict},
             summary="P1: hand the case (or its supervision) over: to whom, why, and a summary")
def hand_over(request: HttpRequest, case_id: int, body: HandoverIn) -> Status[dict[str, Any]]:
    h: Handover = OPERATIONS["handover"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, actions.summary_of(h))


@router.post("/{case_id}/acknowledge", summary="P1: the receiver acknowledges a handover")
def acknowledge(request: HttpRequest, case_id: int, body: AcknowledgeIn) -> dict[str, Any]:
    h: Handover = OPERATIONS["acknowledge"].run(actor_of(request, via="api"), body, case_id=case_id)
    return actions.summary_of(h)


@router.post("/{case_id}/close", summary="Close a case with a note")
def close(request: HttpRequest, case_id: int, body: CaseCloseIn) -> dict[str, Any]:
    c: Case = OPERATIONS["close"].run(actor_of(request, via="api"), body, case_id=case_id)
    return queries.api(queries.row(c))


@router.post("/{case_id}/reviews", response={201: dict},
             summary="P2: a supervisory review with the evidence of progress it saw; schedules the next one")
def review(request: HttpRequest, case_id: int, body: CaseReviewIn) -> Status[dict[str, Any]]:
    r: CaseReview = OPERATIONS["review"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, {"id": r.pk, "risk": r.risk_after, "no_progress": r.no_progress, "evidence": r.evidence,
                        "next_due_at": r.next_due_at.isoformat()})


@router.post("/{case_id}/contacts", response={201: dict},
             summary="P3: log a contact with a victim on the case: channel, when, and what was said")
def log_contact(request: HttpRequest, case_id: int, body: ContactIn) -> Status[dict[str, Any]]:
    x: VictimContact = OPERATIONS["contact"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, queries.api(queries.contact(x)))


@router.post("/{case_id}/updates", response={201: dict},
             summary="P4: an update to a victim on the case: kind, channel, what they were told")
def send_update(request: HttpRequest, case_id: int, body: UpdateIn) -> Status[dict[str, Any]]:
    u: VictimUpdate = OPERATIONS["update"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, queries.api(queries.update(u)))


@router.post("/{case_id}/deliveries", summary="P4: record whether an update reached the victim (confirmed or failed)")
def record_delivery(request: HttpRequest, case_id: int, body: DeliveryIn) -> dict[str, Any]:
    u: VictimUpdate = OPERATIONS["delivery"].run(actor_of(request, via="api"), body, case_id=case_id)
    return dict(queries.api(queries.update(u)))


@router.post("/{case_id}/conflicts", response={201: dict},
             summary="P10: declare a conflict of interest on the case (or a person on it)")
def declare_conflict(request: HttpRequest, case_id: int, body: ConflictIn) -> Status[dict[str, Any]]:
    d: ConflictDeclaration = OPERATIONS["conflict"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, queries.api(queries.conflict(d)))


@router.post("/{case_id}/conflict-assessments",
             summary="P10: a supervisor assesses a declared conflict: allowed, with conditions, or not")
def assess_conflict(request: HttpRequest, case_id: int, body: AssessIn) -> dict[str, Any]:
    d: ConflictDeclaration = OPERATIONS["assess"].run(actor_of(request, via="api"), body, case_id=case_id)
    return dict(queries.api(queries.conflict(d)))


@router.post("/{case_id}/referrals", response={201: dict},
             summary="P6: a referral to, or meeting of, a multi-agency forum (MARAC, MAPPA, strategy meeting)")
def record_referral(request: HttpRequest, case_id: int, body: AgencyReferralIn) -> Status[dict[str, Any]]:
    r: AgencyReferral = OPERATIONS["referral"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, {"id": r.pk, "kind": r.kind, "meeting_at": r.meeting_at.isoformat(), "note": r.note})


@router.post("/{case_id}/agency-actions", response={201: dict},
             summary="P6: a multi-agency action with one owner (staff or partner agency) and a due date")
def add_agency_action(request: HttpRequest, case_id: int, body: AgencyActionIn) -> Status[dict[str, Any]]:
    a: AgencyAction = OPERATIONS["action"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, queries.api(queries.agency_action(a)))


@router.post("/{case_id}/agency-actions/complete", summary="P6: record a multi-agency action complete")
def complete_agency_action(request: HttpRequest, case_id: int, body: AgencyActionDoneIn) -> dict[str, Any]:
    a: AgencyAction = OPERATIONS["action_done"].run(actor_of(request, via="api"), body, case_id=case_id)
    return dict(queries.api(queries.agency_action(a)))


@router.post("/{case_id}/disclosures/decide",
             summary="P5: record a disclosure decision: disclose or not, why, and how and when it was delivered")
def decide_disclosure(request: HttpRequest, case_id: int, body: DisclosureDecisionIn) -> dict[str, Any]:
    d: Disclosure = OPERATIONS["disclose"].run(actor_of(request, via="api"), body, case_id=case_id)
    return dict(queries.api(queries.disclosure(d)))


def _bail_row(b: BailCondition) -> dict[str, Any]:
    row = next((r for r in queries.bail(b.case) if r["id"] == b.pk), None)
    return dict(queries.api(row or {"id": b.pk}))


@router.post("/{case_id}/bail", response={201: dict},
             summary="P8: a bail condition with its proportionality rationale, review and end dates (on the "
                     "orders register; the victims are to be told)")
def set_bail(request: HttpRequest, case_id: int, body: BailConditionIn) -> Status[dict[str, Any]]:
    b: BailCondition = OPERATIONS["bail"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, _bail_row(b))


@router.post("/{case_id}/bail/amend", response={201: dict},
             summary="P8: amend a bail condition in force: a new condition recording the old one and why")
def amend_bail(request: HttpRequest, case_id: int, body: BailAmendIn) -> Status[dict[str, Any]]:
    b: BailCondition = OPERATIONS["bail_amend"].run(actor_of(request, via="api"), body, case_id=case_id)
    return Status(201, _bail_row(b))


@router.post("/{case_id}/bail/review", summary="P8: review a bail condition in force and set the next review")
def review_bail(request: HttpRequest, case_id: int, body: BailReviewIn) -> dict[str, Any]:
    d: BailDecision = OPERATIONS["bail_review"].run(actor_of(request, via="api"), body, case_id=case_id)
    return _bail_row(d.condition)


@router.post("/{case_id}/bail/end", summary="P8: end a bail condition in force, saying why (the victims are to be "
                                            "told)")
def end_bail(request: HttpRequest, case_id: int, body: BailEndIn) -> dict[str, Any]:
    d: BailDecision = OPERATIONS["bail_end"].run(actor_of(request, via="api"), body, case_id=case_id)
    return _bail_row(d.condition)
