"""The case endpoints' contracts for the API table (`tests/integration/test_api.py`) and their rows in the
authorisation matrix (`tests/integration/authz/test_matrix.py`), kept beside the case tests.

Built by functions taking the table's own classes, so the table imports this module and not the reverse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.integration.cases.support import SUMMARY, case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.cases import actions
from watchkeeper.cases.models import (
    AgencyAction,
    AgencyReferral,
    BailCondition,
    BailDecision,
    BailNotice,
    Case,
    CaseEvent,
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
from watchkeeper.core import clock


def state() -> dict[str, Any]:
    """What a case call could write (for the table's before/after comparison of refused calls)."""
    return {
        "cases": list(Case.objects.order_by("pk").values_list("pk", "state", "officer_id", "supervisor_id",
                                                              "queued")),
        "case_rows": [CaseLog.objects.count(), CaseParty.objects.count(), CaseEvent.objects.count()],
        "handovers": list(Handover.objects.order_by("pk").values_list("pk", "acknowledged_at")),
        "case_reviews": list(CaseReview.objects.order_by("pk").values_list("pk", "case_id")),
        "case_schedule": list(Case.objects.order_by("pk").values_list("pk", "risk", "review_due_at",
                                                                      "review_stage")),
        "case_contacts": [PointOfContact.objects.count(), VictimContact.objects.count()],
        "agency": [AgencyReferral.objects.count(),
                   list(AgencyAction.objects.order_by("pk").values_list("pk", "completed_at"))],
        "conflicts": list(ConflictDeclaration.objects.order_by("pk").values_list("pk", "decision")),
        "victim_updates": [ChannelPreference.objects.count(),
                           list(VictimUpdate.objects.order_by("pk").values_list("pk", "outcome"))],
        "disclosures": list(Disclosure.objects.order_by("pk").values_list("pk", "decision")),
        "bail": [list(BailCondition.objects.order_by("pk").values_list("pk", "review_due_on")),
                 BailDecision.objects.count(),
                 list(BailNotice.objects.order_by("pk").values_list("pk", "update_id"))],
    }


def _assessable(p: Personas) -> tuple[dict[str, Any], dict[str, Any]]:
    """R1 from a case: the domestic-abuse instrument loaded and a victim on a case to assess (path, body)."""
    from tests.integration.risk.support import load

    load()
    c, v = case_for(p), person(p)
    actions.add_party(p.actor("officer"), c.pk, person_id=v.pk, role="victim")
    return {"case_id": c.pk}, {"person_id": v.pk, "instrument": "domestic-abuse"}


def _victim_on_case(p: Personas) -> tuple[int, int]:
    """P3: a victim on the response officer's case."""
    c = case_for(p)
    v = person(p)
    actions.add_party(p.actor("officer"), c.pk, person_id=v.pk, role="victim")
    return c.pk, v.pk


def _handed(p: Personas) -> tuple[int, int]:
    c = case_for(p)
    h = actions.hand_over(p.actor("officer"), c.pk, to_user_id=p.investigator.pk, reason="Moving to days",
                          summary=SUMMARY)
    return c.pk, h.pk


def _bailable(p: Personas) -> tuple[int, int]:
    """P8: a victim and a suspect on the response officer's case (case id, suspect id)."""
    case_id, _ = _victim_on_case(p)
    suspect = person(p, family="Suspect")
    actions.add_party(p.actor("officer"), case_id, person_id=suspect.pk, role="suspect")
    return case_id, suspect.pk


def _bail_body(suspect_id: int | None = None, **kw: Any) -> dict[str, Any]:
    today = clock.local(clock.now()).date()
    body = {"text": "Not to contact the victim or go to her address", "places": ["3 Mill Lane, Kingsbridge"],
            "rationale": "Repeated contact before the assault; she lives alone",
            "review_on": (today + timedelta(days=7)).isoformat(), "end_on": (today + timedelta(days=21)).isoformat(),
            **kw}
    return {"suspect_id": suspect_id, **body} if suspect_id is not None else body


def _bailed(p: Personas) -> tuple[int, int]:
    """P8: a condition in force on the response officer's case (set by the supervisor)."""
    case_id, suspect = _bailable(p)
    today = clock.local(clock.now()).date()
    b = actions.set_bail(p.actor("supervisor"), case_id, suspect_id=suspect, text="Not to contact the victim",
                         rationale="Repeated contact before the assault", review_on=today + timedelta(days=7),
                         end_on=today + timedelta(days=21))
    return case_id, b.pk


def _disclosable(p: Personas) -> tuple[int, int]:
    """P5: a victim and a suspect with a violence marker on the response officer's case (case, task)."""
    from watchkeeper.people import actions as people

    case_id, suspect = _bailable(p)  # the suspect is added before the marker exists: no task yet
    people.add_marker(p.actor("investigator"), kind="violence", person_id=suspect, source="PNC",
                      review_at=clock.local(clock.now()).date() + timedelta(days=30))
    c = actions._case(case_id)
    [d] = actions.consider_disclosure(c, None)
    return case_id, d.pk


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    """The case rows of the API table: `endpoint` is its Endpoint class, `call` its Call."""

    def nothing(p: Personas) -> Any:
        return call()

    def on_case(body: Callable[[Personas], dict[str, Any]] | None = None) -> Callable[[Personas], Any]:
        return lambda p: call({"case_id": case_for(p).pk}, body(p) if body else None)

    def acknowledge(p: Personas) -> Any:
        case_id, handover_id = _handed(p)
        return call({"case_id": case_id}, {"handover_id": handover_id})

    def review(p: Personas) -> Any:
        c = case_for(p)
        opened = CaseEvent.objects.filter(case=c).order_by("pk").first()
        assert opened is not None
        return call({"case_id": c.pk}, {"note": "Statement taken and CCTV requested: on track",
                                        "evidence": [f"event:{opened.pk}"], "risk": "medium"})

    def victim(body: Callable[[Personas], dict[str, Any]] | None = None) -> Callable[[Personas], Any]:
        def prepare(p: Personas) -> Any:
            _, person_id = _victim_on_case(p)
            return call({"person_id": person_id}, body(p) if body else None)
        return prepare

    def contact(p: Personas) -> Any:
        case_id, person_id = _victim_on_case(p)
        return call({"case_id": case_id}, {"person_id": person_id, "channel": "phone",
                                           "summary": "Told of the arrest; safety plan reviewed"})

    def update(p: Personas) -> Any:
        case_id, person_id = _victim_on_case(p)
        return call({"case_id": case_id}, {"person_id": person_id, "kind": "bail_change", "channel": "phone",
                                           "text": "Bail varied: exclusion zone kept"})

    def delivery(p: Personas) -> Any:
        case_id, person_id = _victim_on_case(p)
        u = actions.send_update(p.actor("officer"), case_id, person_id=person_id, kind="other", channel="letter",
                                text="Property ready to collect")
        return call({"case_id": case_id}, {"update_id": u.pk, "outcome": "failed", "failure": "returned_letter"})

    def assess(p: Personas) -> Any:
        c = case_for(p)
        d = actions.declare_conflict(p.actor("officer"), c.pk, nature="The suspect is a neighbour")
        return call({"case_id": c.pk}, {"conflict_id": d.pk, "decision": "allowed_with_conditions",
                                        "conditions": "Not to interview the suspect",
                                        "rationale": "Neighbours in name only"})

    def action_done(p: Personas) -> Any:
        c = case_for(p)
        a = actions.add_agency_action(p.actor("officer"), c.pk, description="Safety plan with the IDVA",
                                      agency="IDVA service", due_at=clock.now() + timedelta(days=7))
        return call({"case_id": c.pk}, {"action_id": a.pk, "note": "Safety plan agreed"})

    def disclose(p: Personas) -> Any:
        case_id, d = _disclosable(p)
        return call({"case_id": case_id}, {"disclosure_id": d, "decision": "not_disclose",
                                           "rationale": "She was the earlier victim: she knows"})

    def bail(p: Personas) -> Any:
        case_id, suspect = _bailable(p)
        return call({"case_id": case_id}, _bail_body(suspect))

    def amend(p: Personas) -> Any:
        case_id, b = _bailed(p)
        return call({"case_id": case_id}, {"condition_id": b, "reason": "Solicitor's representations",
                                           **_bail_body(text="Not to contact the victim")})

    def review_bail(p: Personas) -> Any:
        case_id, b = _bailed(p)
        return call({"case_id": case_id}, {"condition_id": b, "note": "Still needed: he keeps calling her",
                                           "next_review_on": (clock.local(clock.now()).date()
                                                              + timedelta(days=10)).isoformat()})

    def end_bail(p: Personas) -> Any:
        case_id, b = _bailed(p)
        return call({"case_id": case_id}, {"condition_id": b, "reason": "No further action"})

    return [
        endpoint("GET", "/api/cases/mine", "case.view", "officer", "learning", 200, None, nothing),
        endpoint("GET", "/api/cases/team", "case.supervise", "supervisor", "officer", 200, None, nothing),
        endpoint("POST", "/api/cases", "case.manage", "officer", "handler", 201, "case.opened",
                 lambda p: call(body={"kind": "crime", "title": "Burglary at 4 Elm Road",
                                      "officer_id": p.officer.pk})),
        endpoint("GET", "/api/cases/{case_id}", "case.view", "officer", "learning", 200, "case.viewed", on_case()),
        endpoint("POST", "/api/cases/{case_id}/people", "case.manage", "officer", "handler", 201,
                 "case.person_added", on_case(lambda p: {"person_id": person(p).pk, "role": "victim"})),
        endpoint("POST", "/api/cases/{case_id}/assessments", "case.manage", "officer", "handler", 201,
                 "risk.assessment_started", lambda p: call(*_assessable(p))),
        endpoint("POST", "/api/cases/{case_id}/logs", "case.manage", "officer", "handler", 201, "case.log_linked",
                 on_case(lambda p: {"reference": raise_log(p.actor("handler"), category="burglary").reference})),
        endpoint("POST", "/api/cases/{case_id}/handovers", "case.manage", "officer", "handler", 201,
                 "case.handed_over", on_case(lambda p: {"to_user_id": p.investigator.pk,
                                                        "reason": "Moving to days", "summary": SUMMARY})),
        endpoint("POST", "/api/cases/{case_id}/acknowledge", "case.manage", "investigator", "handler", 200,
                 "case.handover_acknowledged", acknowledge),
        endpoint("POST", "/api/cases/{case_id}/close", "case.manage", "officer", "handler", 200, "case.closed",
                 on_case(lambda p: {"note": "Charged; file passed to the prosecutor"})),
        endpoint("POST", "/api/cases/{case_id}/reviews", "case.supervise", "supervisor", "officer", 201,
                 "case.reviewed", review),
        endpoint("GET", "/api/cases/victims/{person_id}", "case.view", "officer", "learning", 200,
                 "case.victim_viewed", victim()),
        endpoint("POST", "/api/cases/victims/{person_id}/contact-point", "case.manage", "officer", "handler", 201,
                 "case.contact_point_set", victim(lambda p: {"user_id": p.investigator.pk,
                                                             "reason": "Investigation team holds the contact"})),
        endpoint("POST", "/api/cases/{case_id}/contacts", "case.manage", "officer", "handler", 201,
                 "case.victim_contacted", contact),
        endpoint("POST", "/api/cases/victims/{person_id}/channels", "case.manage", "officer", "handler", 201,
                 "case.channels_set", victim(lambda p: {"channels": ["text", "phone"], "note": "Works nights"})),
        endpoint("POST", "/api/cases/{case_id}/updates", "case.manage", "officer", "handler", 201,
                 "case.victim_updated", update),
        endpoint("POST", "/api/cases/{case_id}/deliveries", "case.manage", "officer", "handler", 200,
                 "case.update_delivery", delivery),
        endpoint("POST", "/api/cases/{case_id}/conflicts", "case.manage", "officer", "handler", 201,
                 "case.conflict_declared", on_case(lambda p: {"nature": "The suspect is my cousin"})),
        endpoint("POST", "/api/cases/{case_id}/conflict-assessments", "case.supervise", "supervisor", "officer", 200,
                 "case.conflict_assessed", assess),
        endpoint("POST", "/api/cases/{case_id}/referrals", "case.manage", "officer", "handler", 201,
                 "case.referral_recorded", on_case(lambda p: {"kind": "marac", "note": "High risk",
                                                             "meeting_at": (clock.now() + timedelta(days=7))
                                                             .isoformat()})),
        endpoint("POST", "/api/cases/{case_id}/agency-actions", "case.manage", "officer", "handler", 201,
                 "case.agency_action_added", on_case(lambda p: {"description": "Refer to housing",
                                                                "agency": "Housing",
                                                                "due_at": (clock.now() + timedelta(days=7))
                                                                .isoformat()})),
        endpoint("POST", "/api/cases/{case_id}/agency-actions/complete", "case.manage", "officer", "handler", 200,
                 "case.agency_action_completed", action_done),
        endpoint("POST", "/api/cases/{case_id}/disclosures/decide", "case.manage", "officer", "handler", 200,
                 "case.disclosure_decided", disclose),
        # P8: the condition's order on the register (people's order.created) is its one audit record
        endpoint("POST", "/api/cases/{case_id}/bail", "order.manage", "supervisor", "officer", 201, "order.created",
                 bail),
        endpoint("POST", "/api/cases/{case_id}/bail/amend", "order.manage", "supervisor", "officer", 201,
                 "order.created", amend),
        endpoint("POST", "/api/cases/{case_id}/bail/review", "case.manage", "officer", "handler", 200,
                 "case.bail_reviewed", review_bail),
        endpoint("POST", "/api/cases/{case_id}/bail/end", "case.manage", "officer", "handler", 200,
                 "case.bail_ended", end_bail),
    ]


def _flat(body: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (body or {}).items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is not None:
            out[key] = str(value)
    return out


def case_form(what: str) -> Callable[[Personas, Any], tuple[str, dict[str, Any]]]:
    """The case page's `/cases/<id>/do/<what>/` form."""
    return lambda p, c: (f"/cases/{c.params['case_id']}/do/{what}/", _flat(c.body))


# The case each row acts on is the response officer's, supervised by the supervisor (P1): its officer in
# charge, its supervisor, or anyone who supervises cases (the duty inspector).
ON_THE_CASE = "officer supervisor inspector"


def matrix(row: Callable[..., Any]) -> list[Any]:
    """The case rows of the authorisation matrix: `row` is its Row class."""
    return [
        row("POST", "/api/cases", "officer investigator supervisor inspector", None,
            form=lambda p, c: ("/cases/do/open/", _flat(c.body))),
        row("POST", "/api/cases/{case_id}/people", ON_THE_CASE, None, form=case_form("party")),
        row("POST", "/api/cases/{case_id}/assessments", ON_THE_CASE, None, form=case_form("risk")),
        row("POST", "/api/cases/{case_id}/logs", ON_THE_CASE, None, form=case_form("log")),
        row("POST", "/api/cases/{case_id}/handovers", ON_THE_CASE, None, form=case_form("handover")),
        # P1: only the person the case was handed to acknowledges it
        row("POST", "/api/cases/{case_id}/acknowledge", "investigator", None, form=case_form("acknowledge")),
        row("POST", "/api/cases/{case_id}/close", ON_THE_CASE, None, form=case_form("close")),
        # P2: supervisory reviews are for supervisors and duty inspectors
        row("POST", "/api/cases/{case_id}/reviews", "supervisor inspector", None, form=case_form("review")),
        # P3: the victim's point of contact is set by those on one of their cases, or any supervisor
        row("POST", "/api/cases/victims/{person_id}/contact-point", ON_THE_CASE, None,
            form=lambda p, c: (f"/cases/victims/{c.params['person_id']}/do/spoc/", _flat(c.body))),
        row("POST", "/api/cases/{case_id}/contacts", ON_THE_CASE, None, form=case_form("contact")),
        # P4: the victim's preferred channels, updates and their delivery, by those on the case
        row("POST", "/api/cases/victims/{person_id}/channels", ON_THE_CASE, None,
            form=lambda p, c: (f"/cases/victims/{c.params['person_id']}/do/channels/", _flat(c.body))),
        row("POST", "/api/cases/{case_id}/updates", ON_THE_CASE, None, form=case_form("update")),
        row("POST", "/api/cases/{case_id}/deliveries", ON_THE_CASE, None, form=case_form("delivery")),
        # P10: anyone who works cases declares a conflict on one; a supervisor or duty inspector assesses it
        row("POST", "/api/cases/{case_id}/conflicts", "officer investigator supervisor inspector", None,
            form=case_form("conflict")),
        row("POST", "/api/cases/{case_id}/conflict-assessments", "supervisor inspector", None,
            form=case_form("assess")),
        # P6: multi-agency referrals and actions, by those on the case
        row("POST", "/api/cases/{case_id}/referrals", ON_THE_CASE, None, form=case_form("referral")),
        row("POST", "/api/cases/{case_id}/agency-actions", ON_THE_CASE, None, form=case_form("action")),
        row("POST", "/api/cases/{case_id}/agency-actions/complete", ON_THE_CASE, None,
            form=case_form("action_done")),
        # P5: disclosure decisions, by those on the case
        row("POST", "/api/cases/{case_id}/disclosures/decide", ON_THE_CASE, None, form=case_form("disclose")),
        # P8: setting or amending bail puts an order on the register (order.manage: of those on the case, the
        # supervisor); reviewing or ending it is for those on the case
        row("POST", "/api/cases/{case_id}/bail", "supervisor", None, form=case_form("bail")),
        row("POST", "/api/cases/{case_id}/bail/amend", "supervisor", None, form=case_form("bail_amend")),
        row("POST", "/api/cases/{case_id}/bail/review", ON_THE_CASE, None, form=case_form("bail_review")),
        row("POST", "/api/cases/{case_id}/bail/end", ON_THE_CASE, None, form=case_form("bail_end")),
    ]
