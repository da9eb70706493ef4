"""Risk assessment over the API (R1-R6). Thin: the body is validated against the schema the pages use too
(risk/schemas.py), and the one operation runs (risk/operations.py); reads come from risk/queries.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.incidents.actions import resolve
from watchkeeper.risk import actions, queries
from watchkeeper.risk.models import (
    Assessment,
    Decision,
    FollowUp,
    Instrument,
    MissingPerson,
    MissingPlace,
    MissingReview,
    MissingWeather,
    Review,
)
from watchkeeper.risk.operations import OPERATIONS
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
from watchkeeper.web.forms import actor_of

router = Router(tags=["risk assessment"])


def _brief(a: Assessment) -> dict[str, Any]:
    return {"id": a.pk, "state": a.state, "instrument": a.instrument.code, "version": a.instrument.version,
            "person_id": a.person_id, "log": a.log.reference if a.log else None, "guidance": a.guidance_level or None,
            "judgement": a.judgement_level or None, "level": a.level or None, "below_guidance": a.below_guidance}


@router.get("/instruments", summary="R1: the loaded instrument versions and the shipped ones")
def list_instruments(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request, via="api")
    if not actor.may("risk.instruments"):  # those who load them, and those who assess with them
        actor.require("risk.view")
    data = queries.instruments()
    for i in data["loaded"]:
        i["at"] = i["at"].isoformat()
    return data


@router.post("/instruments", response={201: dict}, summary="R1: load an instrument version (validated on load)")
def load_instrument(request: HttpRequest, body: InstrumentIn) -> Status[dict[str, Any]]:
    i: Instrument = OPERATIONS["instrument"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": i.pk, "code": i.code, "version": i.version, "digest": i.digest})


@router.post("/assessments", response={201: dict}, summary="R1, R4: start an assessment of a person")
def start(request: HttpRequest, body: StartIn) -> Status[dict[str, Any]]:
    a: Assessment = OPERATIONS["start"].run(actor_of(request, via="api"), body)
    return Status(201, {**_brief(a), "previous": a.previous_id})


@router.get("/assessments/{assessment_id}",
            summary="An assessment: answers with who and when, mandatory sections, guidance beside judgement")
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    a = actions.view_assessment(actor_of(request, via="api"), assessment_id)
    return queries.api_assessment(a)


@router.post("/assessments/{assessment_id}/answers", summary="R1, R5: save answers as you go")
def answers(request: HttpRequest, assessment_id: int, body: AnswersIn) -> dict[str, Any]:
    rows = OPERATIONS["answers"].run(actor_of(request, via="api"), body, assessment_id=assessment_id)
    return {"saved": [r.question for r in rows]}


@router.post("/assessments/{assessment_id}/refusal", summary="R5: the person refused the assessment as a whole")
def refusal(request: HttpRequest, assessment_id: int, body: RefusalIn) -> dict[str, Any]:
    a = OPERATIONS["refusal"].run(actor_of(request, via="api"), body, assessment_id=assessment_id)
    return {"id": a.pk, "person_refused": a.person_refused}


@router.post("/assessments/{assessment_id}/submit",
             summary="R2, R3: submit with the professional judgement (below the guidance: rationale and review)")
def submit(request: HttpRequest, assessment_id: int, body: SubmitIn) -> dict[str, Any]:
    a: Assessment = OPERATIONS["submit"].run(actor_of(request, via="api"), body, assessment_id=assessment_id)
    return {**_brief(a), "guidance_detail": a.guidance, "mandatory": a.mandatory}


@router.post("/assessments/{assessment_id}/review", summary="R3: a supervisor agrees or raises, with a rationale")
def review(request: HttpRequest, assessment_id: int, body: ReviewIn) -> dict[str, Any]:
    r: Review = OPERATIONS["review"].run(actor_of(request, via="api"), body, assessment_id=assessment_id)
    return {"id": r.pk, "decision": r.decision, "from": r.from_level, "to": r.to_level}


@router.get("/review-queue", summary="R3: judgements below the guidance awaiting a supervisor, with the answers")
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("risk.review")
    rows = queries.review_queue()
    for r in rows:
        r["submitted_at"] = r["submitted_at"].isoformat() if r["submitted_at"] else None
    return rows


@router.post("/decisions", response={201: dict}, summary="R6: a risk decision with its rationale")
def decision(request: HttpRequest, body: RiskDecisionIn) -> Status[dict[str, Any]]:
    d: Decision = OPERATIONS["decision"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": d.pk, "kind": d.kind, "facts": d.facts})


def _iso(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["at"] = r["at"].isoformat()
    return rows


@router.get("/people/{person_id}/timeline", summary="A person's assessments and risk decisions, newest first")
def person_timeline(request: HttpRequest, person_id: int) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("risk.view")
    return _iso(queries.person_timeline(person_id))


@router.get("/logs/{reference}", summary="R4: a log's assessments, decisions and reassessment prompts")
def log_panel(request: HttpRequest, reference: str) -> dict[str, Any]:
    actor_of(request, via="api").require("risk.view")
    data = queries.log_panel(resolve(reference)[0])
    _iso(data["timeline"])
    for r in data["reassess"]:
        _iso(r["earlier"])
    return data


# ------------------------------------------------------------------------------------------ P9 missing persons
def _missing_out(m: MissingPerson) -> dict[str, Any]:
    return {"id": m.pk, "person_id": m.person_id, "state": m.state, "level": m.level, "lead_id": m.lead_id,
            "review_due_at": m.review_due_at.isoformat() if m.review_due_at else None}


@router.post("/missing", response={201: dict}, summary="P9: a missing-person record with its risk level")
def report_missing(request: HttpRequest, body: MissingIn) -> Status[dict[str, Any]]:
    m: MissingPerson = OPERATIONS["missing"].run(actor_of(request, via="api"), body)
    return Status(201, _missing_out(m))


@router.get("/missing/{missing_id}", summary="P9: a missing-person record: reviews, places, escalation prompts")
def get_missing(request: HttpRequest, missing_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("risk.view")
    return queries.api_missing(missing_id)


@router.post("/missing/{missing_id}/reviews", response={201: dict},
             summary="P9: review the level (by the level's reviewer); the next review falls due on its cadence")
def review_missing(request: HttpRequest, missing_id: int, body: MissingReviewIn) -> Status[dict[str, Any]]:
    r: MissingReview = OPERATIONS["missing_review"].run(actor_of(request, via="api"), body, missing_id=missing_id)
    return Status(201, {"id": r.pk, "from": r.from_level, "level": r.level})


@router.post("/missing/{missing_id}/places", response={201: dict},
             summary="P9: a place searched, ruled out or not yet done (with the decision on forcing entry)")
def missing_place(request: HttpRequest, missing_id: int, body: MissingPlaceIn) -> Status[dict[str, Any]]:
    p: MissingPlace = OPERATIONS["missing_place"].run(actor_of(request, via="api"), body, missing_id=missing_id)
    return Status(201, {"id": p.pk, "status": p.status, "forced_entry": p.forced_entry})


@router.post("/missing/{missing_id}/found", summary="P9: the person is found")
def found(request: HttpRequest, missing_id: int, body: FoundIn) -> dict[str, Any]:
    m: MissingPerson = OPERATIONS["found"].run(actor_of(request, via="api"), body, missing_id=missing_id)
    return _missing_out(m)


@router.post("/missing/{missing_id}/weather", response={201: dict},
             summary="P9: the weather recorded or forecast (cold, heat, storm): an escalation prompt")
def missing_weather(request: HttpRequest, missing_id: int, body: WeatherIn) -> Status[dict[str, Any]]:
    w: MissingWeather = OPERATIONS["weather"].run(actor_of(request, via="api"), body, missing_id=missing_id)
    return Status(201, {"id": w.pk, "condition": w.condition, "triggers": queries.missing(missing_id)["triggers"]})


# ------------------------------------------------------------------------------------------ follow-ups (P9, P11)
def _followup_out(f: FollowUp) -> dict[str, Any]:
    return {"id": f.pk, "kind": f.kind, "state": f.state, "party": f.party, "owner_id": f.owner_id,
            "due_at": f.due_at.isoformat(), "person_id": f.person_id, "missing_id": f.missing_id,
            "log": f.log.reference if f.log else None, "outcome": f.outcome or None,
            "acknowledged_by": f.acknowledged_by or None,
            "done_at": f.done_at.isoformat() if f.done_at else None}


@router.post("/missing/{missing_id}/callbacks", response={201: dict},
             summary="P9: a callback to the reporting agency: a task open until its outcome is recorded")
def missing_callback(request: HttpRequest, missing_id: int, body: CallbackIn) -> Status[dict[str, Any]]:
    f: FollowUp = OPERATIONS["callback"].run(actor_of(request, via="api"), body, missing_id=missing_id)
    return Status(201, _followup_out(f))


@router.post("/referrals", response={201: dict},
             summary="R7, P11: a referral to the local force, open until that force acknowledges it")
def referral(request: HttpRequest, body: ReferralIn) -> Status[dict[str, Any]]:
    f: FollowUp = OPERATIONS["referral"].run(actor_of(request, via="api"), body)
    return Status(201, _followup_out(f))


@router.post("/followups/{followup_id}/done",
             summary="P9, P11: a follow-up done with its outcome (a referral: who acknowledged it)")
def followup_done(request: HttpRequest, followup_id: int, body: FollowUpDoneIn) -> dict[str, Any]:
    f: FollowUp = OPERATIONS["followup_done"].run(actor_of(request, via="api"), body, followup_id=followup_id)
    return _followup_out(f)


@router.get("/followups", summary="P9, R7, P11: open follow-ups (callbacks, referrals), soonest due first")
def followups(request: HttpRequest, person_id: int | None = None) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("risk.view")
    if person_id is not None:
        return queries.api_followups(queries.followups(FollowUp.objects.filter(person_id=person_id)))
    return queries.api_followups(queries.open_followups())
