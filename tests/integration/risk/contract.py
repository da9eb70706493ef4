"""The risk endpoints' contracts for the API table (`tests/integration/test_api.py`) and their rows in the
authorisation matrix (`tests/integration/authz/test_matrix.py`), kept beside the risk tests.

Built by functions taking the table's own classes, so the table imports this module and not the reverse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.risk.support import CURRENT, RATIONALE, answers, load, started, victim
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.people import actions as people
from watchkeeper.risk import actions
from watchkeeper.risk.models import (
    Answer,
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


def state() -> dict[str, Any]:
    """What a risk call could write (for the table's before/after comparison of refused calls)."""
    return {
        "risk_instruments": Instrument.objects.count(),
        "risk_assessments": list(Assessment.objects.order_by("pk").values_list(
            "pk", "state", "level", "person_refused", "judgement_level")),
        "risk_answers": Answer.objects.count(),
        "risk_reviews": Review.objects.count(),
        "risk_decisions": Decision.objects.count(),
        "missing": list(MissingPerson.objects.order_by("pk").values_list("pk", "state", "level", "review_due_at")),
        "missing_entries": [MissingReview.objects.count(), MissingPlace.objects.count(),
                            MissingWeather.objects.count()],
        "followups": list(FollowUp.objects.order_by("pk").values_list("pk", "state", "outcome", "acknowledged_by")),
    }


def _missing(p: Personas, level: str = "medium") -> MissingPerson:
    return actions.report_missing(p.actor("officer"), person_id=victim(p).pk, level=level)


def _callback(p: Personas) -> FollowUp:
    return actions.add_callback(p.actor("officer"), _missing(p).pk, agency="Ward 7, County Hospital",
                                ask="Tell the ward he is still missing")


def _draft(p: Personas) -> Assessment:
    load()
    return started(p)


def _answered(p: Personas) -> Assessment:
    a = _draft(p)
    actions.answer(p.actor("officer"), a.pk, answers(CURRENT, strangulation="yes"))
    return a


def _awaiting(p: Personas) -> Assessment:
    a = _answered(p)
    actions.submit(p.actor("officer"), a.pk, judgement="standard", rationale=RATIONALE)
    return a


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    """The risk rows of the API table: `endpoint` is its Endpoint class, `call` its Call."""

    def nothing(p: Personas) -> Any:
        return call()

    def start(p: Personas) -> Any:
        load()
        return call(body={"instrument": "domestic-abuse", "person_id": victim(p).pk, "role": "victim"})

    def assessment(body: dict[str, Any] | None = None, make: Callable[[Personas], Assessment] = _draft
                   ) -> Callable[[Personas], Any]:
        return lambda p: call({"assessment_id": make(p).pk}, body)

    def decision(p: Personas) -> Any:
        return call(body={"kind": "arrest", "decision": "No arrest tonight", "person_id": victim(p).pk,
                          "rationale": "He had left; she is staying with her sister tonight"})

    def log(p: Personas) -> Any:
        log = raise_log(p.actor("handler"), category="domestic_incident")
        people.link_party(p.actor("handler"), log.reference, role="victim", person_id=victim(p).pk)
        return call({"reference": log.reference})

    review = {"decision": "raise", "level": "high",
              "rationale": "Strangulation: this is high whatever the custody position"}
    return [
        endpoint("GET", "/api/risk/instruments", "risk.view", "handler", "learning", 200, None, nothing),
        endpoint("POST", "/api/risk/instruments", "risk.instruments", "admin", "supervisor", 201,
                 "risk.instrument_loaded", lambda p: call(body={"shipped": "missing-person"})),
        endpoint("POST", "/api/risk/assessments", "risk.assess", "officer", "qa", 201, "risk.assessment_started",
                 start),
        endpoint("GET", "/api/risk/assessments/{assessment_id}", "risk.view", "officer", "learning", 200,
                 "risk.assessment_viewed", assessment()),
        endpoint("POST", "/api/risk/assessments/{assessment_id}/answers", "risk.assess", "officer", "qa", 200,
                 "risk.answered", assessment({"answers": [{"question": "injured", "value": "yes"}]})),
        endpoint("POST", "/api/risk/assessments/{assessment_id}/refusal", "risk.assess", "officer", "qa", 200,
                 "risk.refusal", assessment({"refused": True, "note": "She would not answer tonight"})),
        endpoint("POST", "/api/risk/assessments/{assessment_id}/submit", "risk.assess", "officer", "qa", 200,
                 "risk.assessment_submitted",
                 assessment({"judgement": "standard", "rationale": RATIONALE}, _answered)),
        endpoint("POST", "/api/risk/assessments/{assessment_id}/review", "risk.review", "supervisor", "officer",
                 200, "risk.assessment_reviewed", assessment(review, _awaiting)),
        endpoint("GET", "/api/risk/review-queue", "risk.review", "supervisor", "officer", 200, None, nothing),
        endpoint("POST", "/api/risk/decisions", "risk.decide", "officer", "qa", 201, "risk.decision", decision),
        endpoint("GET", "/api/risk/people/{person_id}/timeline", "risk.view", "officer", "learning", 200, None,
                 lambda p: call({"person_id": victim(p).pk})),
        endpoint("GET", "/api/risk/logs/{reference}", "risk.view", "handler", "learning", 200, None, log),
        # ---- P9 missing persons
        endpoint("POST", "/api/risk/missing", "risk.assess", "officer", "qa", 201, "missing.reported",
                 lambda p: call(body={"person_id": victim(p).pk, "level": "high"})),
        endpoint("GET", "/api/risk/missing/{missing_id}", "risk.view", "officer", "learning", 200, None,
                 lambda p: call({"missing_id": _missing(p).pk})),
        endpoint("POST", "/api/risk/missing/{missing_id}/reviews", "risk.review", "supervisor", "officer", 201,
                 "missing.reviewed", lambda p: call({"missing_id": _missing(p).pk},
                                                    {"level": "high", "note": "Seen near the river at dusk"})),
        endpoint("POST", "/api/risk/missing/{missing_id}/places", "risk.assess", "officer", "qa", 201,
                 "missing.place", lambda p: call({"missing_id": _missing(p).pk},
                                                 {"place": "12 Mill Lane", "status": "searched"})),
        endpoint("POST", "/api/risk/missing/{missing_id}/found", "risk.assess", "officer", "qa", 200,
                 "missing.found", lambda p: call({"missing_id": _missing(p).pk},
                                                 {"note": "Found safe at a friend's flat"})),
        endpoint("POST", "/api/risk/missing/{missing_id}/weather", "risk.assess", "officer", "qa", 201,
                 "missing.weather", lambda p: call({"missing_id": _missing(p).pk},
                                                   {"condition": "cold", "note": "Frost tonight, -4C"})),
        # ---- follow-ups: callbacks (P9), referrals to other forces (R7, P11)
        endpoint("POST", "/api/risk/missing/{missing_id}/callbacks", "risk.assess", "officer", "qa", 201,
                 "risk.followup_added", lambda p: call({"missing_id": _missing(p).pk},
                                                       {"agency": "Ward 7", "ask": "Tell the ward he is missing"})),
        endpoint("POST", "/api/risk/referrals", "risk.decide", "investigator", "qa", 201, "risk.followup_added",
                 lambda p: call(body={"person_id": victim(p).pk, "force": "Northam Police",
                                      "ask": "He lives in your area: tell them of the search plan"})),
        endpoint("POST", "/api/risk/followups/{followup_id}/done", "risk.assess", "officer", "qa", 200,
                 "risk.followup_done", lambda p: call({"followup_id": _callback(p).pk},
                                                      {"outcome": "Ward told; they will ring if he returns"})),
        endpoint("GET", "/api/risk/followups", "risk.view", "officer", "learning", 200, None, nothing),
    ]


def _flat(body: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (body or {}).items():
        if isinstance(value, list):
            for i, item in enumerate(value):
                out.update({f"{key}.{i}.{k}": str(v) for k, v in item.items()})
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is not None:
            out[key] = str(value)
    return out


def page_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The risk pages' `/risk/do/<what>/` form (instruments, starting an assessment, a risk decision)."""
    return lambda p, c: (f"/risk/do/{what}/", _flat(c.body))


def sheet_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The assessment sheet's `/risk/assessments/<id>/do/<what>/` form (and the review queue's)."""
    return lambda p, c: (f"/risk/assessments/{c.params['assessment_id']}/do/{what}/", _flat(c.body))


def followup_form() -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """A follow-up's `/risk/followups/<id>/done/` form (on the missing-person, person and risk pages)."""
    return lambda p, c: (f"/risk/followups/{c.params['followup_id']}/done/", _flat(c.body))


def missing_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The missing-person page's `/risk/missing/<id>/do/<what>/` form."""
    return lambda p, c: (f"/risk/missing/{c.params['missing_id']}/do/{what}/", _flat(c.body))


OPERATIONAL = "handler officer investigator dispatcher controller inspector supervisor"
# The assessment each sheet row acts on is the response officer's: started by them in the set-up (who started
# an assessment is a frozen fact, so the matrix does not move it between personas). The officer, or a
# supervisor taking over a half-finished one; a review by a supervisor who is not the assessor (R3).
ON_THE_OFFICERS = "officer inspector supervisor"
REVIEWERS = "inspector supervisor"


def matrix(row: Callable[..., Any]) -> list[Any]:
    """The risk rows of the authorisation matrix: `row` is its Row class."""
    return [
        row("POST", "/api/risk/instruments", "admin", None, form=page_form("instrument")),
        row("POST", "/api/risk/assessments", OPERATIONAL, None, form=page_form("start")),
        row("POST", "/api/risk/assessments/{assessment_id}/answers", ON_THE_OFFICERS, None,
            form=sheet_form("answers")),
        row("POST", "/api/risk/assessments/{assessment_id}/refusal", ON_THE_OFFICERS, None,
            form=sheet_form("refusal")),
        row("POST", "/api/risk/assessments/{assessment_id}/submit", ON_THE_OFFICERS, None,
            form=sheet_form("submit")),
        row("POST", "/api/risk/assessments/{assessment_id}/review", REVIEWERS, None, form=sheet_form("review")),
        row("POST", "/api/risk/decisions", OPERATIONAL, None, form=page_form("decision")),
        row("POST", "/api/risk/missing", OPERATIONAL, None, form=page_form("missing")),
        # P9: a medium-risk missing person is reviewed by a supervisor or the duty inspector
        row("POST", "/api/risk/missing/{missing_id}/reviews", REVIEWERS, None, form=missing_form("missing_review")),
        row("POST", "/api/risk/missing/{missing_id}/places", OPERATIONAL, None, form=missing_form("missing_place")),
        row("POST", "/api/risk/missing/{missing_id}/found", OPERATIONAL, None, form=missing_form("found")),
        row("POST", "/api/risk/missing/{missing_id}/weather", OPERATIONAL, None, form=missing_form("weather")),
        row("POST", "/api/risk/missing/{missing_id}/callbacks", OPERATIONAL, None, form=missing_form("callback")),
        row("POST", "/api/risk/referrals", OPERATIONAL, None, form=page_form("referral")),
        row("POST", "/api/risk/followups/{followup_id}/done", OPERATIONAL, None, form=followup_form()),
    ]
