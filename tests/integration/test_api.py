"""The JSON API's contract, endpoint by endpoint, over real HTTP handling and the real database.

`ENDPOINTS` is the table every endpoint must appear in (netbox style): who may call it, who may not, what
a valid call looks like, its success status and the one audit record it writes. A test compares the table
with the OpenAPI schema, so a new endpoint without an entry fails until someone decides those things.

Clients behave like real ones: bearer-token clients enforce CSRF exactly as a browser-less integration
meets it (the test client's default of skipping CSRF would hide what such a client sees).
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.utils.crypto import get_random_string

from tests.integration.assurance import contract as assurance_contract
from tests.integration.cases import contract as cases
from tests.integration.geo import contract as geo_contract
from tests.integration.referrals import contract as referrals
from tests.integration.risk import contract as risk
from tests.integration.search import contract as search_contract
from tests.integration.staff_roster import contract as roster
from tests.support.factories import fresh, raise_log, thrive
from tests.support.lessons import FIXTURES, SHARED_LESSONS
from tests.support.personas import AT_WORK, Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.models import PolicySetting
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch.models import Alert, Assignment, Divert, ResponseClock, Unit
from watchkeeper.incidents import actions
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import (
    Contact,
    DowngradeRequest,
    Entry,
    Grading,
    IntakeQueue,
    Link,
    Log,
    LogAssignment,
    Notification,
    ServiceRequest,
    Task,
)
from watchkeeper.learning import actions as learning
from watchkeeper.learning.models import (
    Answer,
    Case,
    Document,
    Evidence,
    KeyQuestion,
    LearningSetting,
    Recommendation,
    RecommendationAction,
    ReplayResult,
    ReplayRun,
)
from watchkeeper.people import actions as people_actions
from watchkeeper.people.models import (
    Address,
    Alias,
    Check,
    FirearmsCertificate,
    LogParty,
    Marker,
    Order,
    Person,
    Phone,
    PhoneUse,
    Prompt,
    Relationship,
    Residence,
    SpecialScheme,
    Vehicle,
    VictimContact,
)
from watchkeeper.realtime.models import Event
from watchkeeper.staff.actions import issue_token, revoke_token
from watchkeeper.staff.models import User
from watchkeeper.staff.roles import allowed

pytestmark = pytest.mark.django_db

SYSTEM = Actor(None)
PERSONAS = AT_WORK


# ------------------------------------------------------------------------------------------ helpers
def token_client(user: User, **options: Any) -> Client:
    """A per-user bearer-token client that, like any real integration, carries no CSRF token."""
    _, secret = issue_token(SYSTEM, user.pk, "t")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}", **options)


def send(client: Client, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
         **extra: Any) -> HttpResponse:
    """One request; `body` is sent as JSON, `raw` exactly as given (for bodies that are not JSON)."""
    call = getattr(client, method.lower())
    if method == "GET":
        return call(path, **extra)
    if raw is not None:
        return call(path, data=raw, content_type="application/json", **extra)
    if body is None:
        return call(path, **extra)
    return call(path, data=json.dumps(body), content_type="application/json", **extra)


def json_body(response: HttpResponse) -> Any:
    assert response["Content-Type"].startswith("application/json"), (
        f"{response.status_code} answered {response['Content-Type']}: {response.content[:200]!r}")
    return json.loads(response.content)


def refusal_message(response: HttpResponse) -> str:
    """A 4xx must be JSON with a message a person can act on."""
    body = json_body(response)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"].strip(), body
    return str(body["message"])


def db_state() -> dict[str, Any]:
    """Everything an API call could write: row counts and the mutable columns of what it could change.
    Two equal snapshots around a refused call prove it wrote nothing, not even part of its work."""
    return {
        "audit": list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)),
        "events": Event.objects.count(),
        "logs": list(Log.objects.order_by("pk").values_list(
            "pk", "status", "version", "last_seq", "category", "summary", "location", "flags", "grade",
            "owner_id", "ready_to_close_seq", "merged_into_id", "closing_code", "review_owned_at")),
        "entries": Entry.objects.count(),
        "contacts": list(Contact.objects.order_by("pk").values_list("pk", "log_id", "handled_at")),
        "requests": list(ServiceRequest.objects.order_by("pk").values_list("pk", "state")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "state")),
        "links": Link.objects.count(),
        "assignments": LogAssignment.objects.count(),
        "gradings": Grading.objects.count(),
        "downgrades": list(DowngradeRequest.objects.order_by("pk").values_list("pk", "state")),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "policy": PolicySetting.objects.count(),
        "absence": list(User.objects.order_by("pk").values_list("pk", "absent", "absence_reason")),
        "documents": Document.objects.count(),
        "cases": Case.objects.count(),
        "recommendations": list(Recommendation.objects.order_by("pk").values_list(
            "pk", "version", "acceptance", "implementation", "addressed_to", "response_due")),
        "learning_actions": list(RecommendationAction.objects.order_by("pk").values_list("pk", "state")),
        "evidence": Evidence.objects.count(),
        "answers": Answer.objects.count(),
        "replays": ReplayResult.objects.count(),
        "replay_runs": list(ReplayRun.objects.order_by("pk").values_list("pk", "state")),
        "people": list(Person.objects.order_by("pk").values_list("pk", "given_names", "family_name", "dob")),
        "index": [Alias.objects.count(), Address.objects.count(), Phone.objects.count(), Vehicle.objects.count(),
                  Relationship.objects.count(), PhoneUse.objects.count(), FirearmsCertificate.objects.count(),
                  VictimContact.objects.count(), Order.protected_people.through.objects.count(),
                  Order.protected_addresses.through.objects.count()],
        "residences": list(Residence.objects.order_by("pk").values_list("pk", "current")),
        "parties": list(LogParty.objects.order_by("pk").values_list("pk", "log_id", "role")),
        "markers": list(Marker.objects.order_by("pk").values_list("pk", "ended_at")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "status", "on_duty")),
        "unit_assignments": list(Assignment.objects.order_by("pk").values_list("pk", "state")),
        "clocks": list(ResponseClock.objects.order_by("pk").values_list("pk", "target_at", "area_type")),
        "alerts": list(Alert.objects.order_by("pk").values_list("pk", "acknowledged_at")),
        "diverts": list(Divert.objects.order_by("pk").values_list("pk", "state")),
        "schemes": list(SpecialScheme.objects.order_by("pk").values_list(
            "pk", "removed_at", "review_due_at", "expiry_due_at")),
        "orders": Order.objects.count(),
        "prompts": list(Prompt.objects.order_by("pk").values_list("pk", "state")),
        "checks": list(Check.objects.order_by("pk").values_list("pk", "state")),
        "learning_settings": LearningSetting.objects.count(),
        "intake_queues": list(IntakeQueue.objects.order_by("pk").values_list("pk", "name", "reviewer_id",
                                                                             "deputy_id")),
        **risk.state(),
        **geo_contract.state(),
        **roster.state(),
        **assurance_contract.state(),
        **cases.state(),
        **referrals.state(),
    }


# ------------------------------------------------------------------------------------ the table
@dataclass(frozen=True)
class Call:
    """A valid call prepared against real state: path parameters, JSON body (None: no body), query."""

    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    query: str = ""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint's contract.

    permission: the PERMISSIONS key its action checks, or None when access is decided otherwise (then
    `open_because` says how). allowed/refused: personas who succeed and who are refused (refused None:
    every member of staff may call it). audit: the action name of the one audit record a successful call
    writes, or None for lists and reference data, which write nothing.
    """

    method: str
    route: str
    permission: str | None
    allowed: str
    refused: str | None
    status: int
    audit: str | None
    setup: Callable[[Personas], Call]
    refused_status: int = 403
    refusal_says: str = ""
    open_because: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.route}"

    def path(self, call: Call, **override: Any) -> str:
        params = {**call.params, **override}
        return self.route.format(**{k: quote(str(v), safe="") for k, v in params.items()})

    @property
    def expected_refusal(self) -> str:
        return self.refusal_says or f"({self.permission})"


def _contact(**kw: Any) -> dict[str, Any]:
    return {"channel": "101", "account": "Neighbour heard shouting next door", "caller_name": "Pat Neighbour",
            "caller_phone": "07700 900123", **kw}


def _log(p: Personas, **kw: Any) -> Log:
    return raise_log(p.actor("handler"), **kw)


def _ref(p: Personas, **kw: Any) -> dict[str, Any]:
    return {"reference": _log(p, **kw).reference}


def _nothing(p: Personas) -> Call:
    return Call()


def _raise(p: Personas) -> Call:
    return Call(body={"contact": _contact(channel="999", account="A man has collapsed in the street"),
                      "category": "other", "summary": "Man collapsed in street", "location": "High Street",
                      "flags": ["vulnerable_adult"], "entries": ["Caller is staying with him"]})


def _update(p: Personas) -> Call:
    log = _log(p)
    return Call({"reference": log.reference}, {"expected_version": fresh(log).version,
                                               "summary": "Updated summary", "location": "Station Road"})


def _thrive_with_notes() -> dict[str, Any]:
    return {**thrive(), "threat": {"level": "low", "note": "No weapons mentioned"},
            "engagement": {"note": "Caller is cooperative"}}


def _grade(p: Personas) -> Call:
    log = _log(p)
    return Call({"reference": log.reference},
                {"grade": "scheduled", "thrive": _thrive_with_notes(), "rationale": "No immediate risk",
                 "expected_version": fresh(log).version})


def _graded_emergency(p: Personas) -> Log:
    log = _log(p, category="assist_other_agency")
    actions.grade_log(p.actor("handler"), log.reference, grade="emergency", thrive=thrive(),
                      expected_version=fresh(log).version)
    return fresh(log)


def _downgrade(p: Personas) -> Call:
    log = _graded_emergency(p)
    return Call({"reference": log.reference},
                {"grade": "scheduled", "thrive": _thrive_with_notes(), "reason": "Ambulance now on scene",
                 "authoriser_id": p.controller.pk, "expected_version": log.version})


def _decide(p: Personas) -> Call:
    log = _graded_emergency(p)
    req = actions.request_downgrade(p.actor("handler"), log.reference, grade="scheduled", thrive=thrive(),
                                    reason="Ambulance now on scene", authoriser_id=p.controller.pk,
                                    expected_version=log.version)
    actions.view_log(p.actor("controller"), log.reference)
    return Call({"request_id": req.pk}, {"approve": True, "note": "Read the log"})


def _close(p: Personas) -> Call:
    return Call(_ref(p), {"code": "advice_given", "note": "Advice given to caller"})


def _cancel(p: Personas) -> Call:
    original = _log(p)
    return Call(_ref(p), {"code": "duplicate", "reason": "Same call entered twice",
                          "duplicate_of": original.reference})


def _service_request(p: Personas) -> Call:
    return Call(_ref(p), {"direction": "inbound", "service": "ambulance", "requester": "Paramedic crew",
                          "ask": "Police to attend", "condition": "Will call back to cancel if entry gained"})


def _update_request(p: Personas) -> Call:
    log = _log(p)
    req = actions.add_service_request(p.actor("handler"), log.reference, direction="outbound",
                                      service="ambulance", requester="Control", ask="Send an ambulance")
    return Call({"request_id": req.pk}, {"state": "actioned", "note": "Ambulance booked, ref AMB1"})


def _task(p: Personas) -> Call:
    return Call(body={"description": "Call the caller back", "owner_id": p.officer.pk,
                      "due_at": (clock.now() + timedelta(hours=1)).isoformat(), **_ref(p)})


def _complete(p: Personas) -> Call:
    log = _log(p)
    task = actions.add_task(p.actor("handler"), description="Call back", owner_id=p.handler.pk,
                            due_at=clock.now() + timedelta(hours=1), reference=log.reference)
    return Call({"task_id": task.pk}, {"result": "Called back; all well"})


def _link(p: Personas) -> Call:
    # Another phone: the same one would be a second call (L8), already linked as related when raised.
    a, b = _log(p), _log(p, caller="Other Caller", phone="07700 900778")
    return Call({"reference": a.reference}, {"other": b.reference, "kind": "related", "reason": "Same street"})


def _merge(p: Personas) -> Call:
    a = _log(p, caller="Ann Lee", phone="07700 900222", allegation="Bike stolen")
    b = _log(p, caller="Ann Lee", phone="07700900222", allegation="bike stolen")
    return Call({"reference": b.reference}, {"into": a.reference, "reason": "Same caller, same theft"})


def _assign(p: Personas) -> Call:
    return Call(_ref(p), {"user_id": p.officer.pk})


def _review(p: Personas) -> Call:
    return Call(_ref(p, source="online", channel="online"))


def _message(p: Personas) -> Call:
    return Call(body={"addressed_to": p.officer.pk, "contact": _contact(channel="email",
                                                                        account="Please call me back")})


def _handle(p: Personas) -> Call:
    c = actions.send_message(p.actor("handler"), p.officer.pk, ContactIn("email", "Please call me back"))
    return Call({"contact_id": c.pk}, {"reference": "", "note": "Called back"})


def _notification(p: Personas) -> Call:
    log = _log(p)
    actions.add_entry(p.actor("handler2"), log.reference, "Second caller rang")
    note = Notification.objects.filter(recipient=p.handler, read_at__isnull=True).latest("pk")
    return Call({"notification_id": note.pk})


def _with_log(body: dict[str, Any] | None = None, **kw: Any) -> Callable[[Personas], Call]:
    return lambda p: Call(_ref(p, **kw), body)


# Learning library: a published bulletin (its cases have replays) and a recommendation record of our own.
BULLETIN_31 = SHARED_LESSONS / "bulletin-31-general-2017-12.txt"
RECORD = FIXTURES / "recommendation-record-northshire-three.md"


def _ingest(p: Personas, path: Any) -> Document:
    return learning.ingest(p.actor("learning"), path.read_bytes(), path.name).document


def _case(p: Personas, code: str = "B31.1") -> Case:
    _ingest(p, BULLETIN_31)
    return Case.objects.get(code=code)


def _recommendation(p: Personas) -> Recommendation:
    _ingest(p, RECORD)
    return Recommendation.objects.filter(acceptance="accepted").order_by("pk").first()  # type: ignore[return-value]


def _document_upload(p: Personas) -> Call:
    return Call(body={"filename": RECORD.name, "content_base64": base64.b64encode(RECORD.read_bytes()).decode()})


def _tracker_update(p: Personas) -> Call:
    rec = _recommendation(p)
    return Call({"rec_id": rec.pk}, {"expected_version": rec.version, "addressed_to": "Chief Constable",
                                     "linked_bodies": ["Northshire County Council"], "reason": "Named lead"})


def _learning_action(p: Personas) -> Call:
    rec = _recommendation(p)
    return Call({"rec_id": rec.pk}, {"description": "Review custody handover checklist",
                                     "owner_id": p.learning.pk,
                                     "due_date": (learning.today() + timedelta(days=30)).isoformat()})


def _complete_learning_action(p: Personas) -> Call:
    rec = _recommendation(p)
    action = learning.add_action(p.actor("learning"), rec.pk, description="Review checklist",
                                 owner_id=p.admin.pk, due_date=learning.today() + timedelta(days=30))
    return Call({"action_id": action.pk}, {"result": "Checklist reviewed and reissued"})


def _answer(p: Personas) -> Call:
    question = KeyQuestion.objects.filter(case=_case(p)).order_by("pk").first()
    assert question is not None
    return Call({"question_id": question.pk},
                {"answer": "Our dispatchers record every request as a structured item",
                 "evidence": "Audit of 20 logs", "action": "Refresher for new dispatchers",
                 "owner_id": p.supervisor.pk, "due_date": (learning.today() + timedelta(days=14)).isoformat()})


def _after(prepare: Callable[[Personas], Any], call: Call | None = None) -> Callable[[Personas], Call]:
    """A call with no parameters of its own, made once `prepare` has put something in place to list."""

    def setup(p: Personas) -> Call:
        prepare(p)
        return call or Call()

    return setup


# People and context (issue 3): a victim and her ex-partner, her home and phone, through the real actions.
MS_A_PHONE = "07700 900411"
MS_A_HOME = "14 Beech Grove, Kingsbridge KB4 1AA"


def _person(p: Personas, given: str = "Amy", family: str = "Archer", *, home: str = "", phone: str = "") -> Person:
    who = people_actions.create_person(p.actor("handler"), given_names=given, family_name=family)
    if home:
        people_actions.add_residence(p.actor("handler"), who.pk, home)
    if phone:
        people_actions.add_phone_use(p.actor("handler"), who.pk, phone)
    return who


def _context(p: Personas) -> Call:
    _person(p, home=MS_A_HOME, phone=MS_A_PHONE)
    return Call(query="?phone=07700900411&purpose=Caller%20on%20a%20999%20call")


def _with_person(body: dict[str, Any] | None = None, query: str = "") -> Callable[[Personas], Call]:
    return lambda p: Call({"person_id": _person(p).pk}, body, query)


def _relate(p: Personas) -> Call:
    return Call({"person_id": _person(p).pk}, {"other_id": _person(p, "Mark").pk, "kind": "ex_partner"})


def _party(p: Personas) -> Call:
    return Call(_ref(p), {"role": "victim", "person_id": _person(p).pk, "phone": "07700 900999",
                          "address": "2 Mill Lane, Kingsbridge KB5 3CC"})


def _review_day() -> str:
    return (clock.local(clock.now()).date() + timedelta(days=90)).isoformat()


def _marker(p: Personas) -> Call:
    return Call(body={"kind": "violence", "source": "PNC", "review_at": _review_day(), "note": "Assaults on police",
                      "person_id": _person(p, "Mark").pk})


def _end_marker(p: Personas) -> Call:
    m = people_actions.add_marker(p.actor("investigator"), kind="violence", source="PNC",
                                  review_at=clock.local(clock.now()).date() + timedelta(days=90),
                                  person_id=_person(p, "Mark").pk)
    return Call({"marker_id": m.pk}, {"reason": "Reviewed: no longer applies"})


def _scheme_body(p: Personas) -> dict[str, Any]:
    return {"victim_id": _person(p).pk, "reason": "Ex-husband threatened to kill her", "victim_told_how": "phone call",
            "address": MS_A_HOME, "ends_at": (clock.now() + timedelta(days=90)).isoformat(),
            "grade_floor": "priority", "officer_id": p.investigator.pk}


def _new_scheme(p: Personas) -> SpecialScheme:
    return people_actions.create_scheme(p.actor("investigator"), victim_id=_person(p).pk, reason="Threats",
                                        victim_told_how="phone call", address=MS_A_HOME)


def _scheme_contact(p: Personas) -> Call:
    return Call({"scheme_id": _new_scheme(p).pk}, {"channel": "phone", "outcome": "No answer; voicemail left",
                                                   "reached": False})


def _remove_scheme(p: Personas) -> Call:
    s = _new_scheme(p)
    people_actions.record_victim_contact(p.actor("investigator"), s.pk, channel="phone", reached=True,
                                         outcome="She no longer wants it")
    return Call({"scheme_id": s.pk}, {"reason": "At the victim's request"})


def _extend_scheme(p: Personas) -> Call:
    s = people_actions.create_scheme(p.actor("investigator"), victim_id=_person(p).pk, reason="Threats",
                                     victim_told_how="phone call", address=MS_A_HOME,
                                     ends_at=clock.now() + timedelta(days=30))
    return Call({"scheme_id": s.pk}, {"until": (clock.now() + timedelta(days=120)).isoformat(),
                                      "reason": "He is out on licence; the risk remains"})


def _order(p: Personas) -> Call:
    today = clock.local(clock.now()).date()
    return Call(body={"kind": "non_molestation", "restricted_id": _person(p, "Mark").pk,
                      "conditions": "Not to contact her", "starts_on": today.isoformat(),
                      "ends_on": (today + timedelta(days=365)).isoformat(), "protected_person_ids": [_person(p).pk],
                      "protected_addresses": [MS_A_HOME], "protected_classes": [{"max_age": 15}],
                      "activities": ["No unsupervised internet use"]})


def _certificate(p: Personas) -> Call:
    return Call(body={"holder_id": _person(p, "Mark").pk, "address": MS_A_HOME, "number": "SGC 1234",
                      "expires_on": (clock.local(clock.now()).date() + timedelta(days=300)).isoformat()})


def _check(p: Personas) -> Call:
    return Call(_ref(p), {"kind": "previous_incidents_phone", "subject": "The number texting her",
                          "phone": "07700 900666", "mandatory": True})


def _record_check(p: Personas) -> Call:
    log = _log(p, category="domestic_incident")
    check = Check.objects.filter(log=log).order_by("pk").first()
    assert check is not None
    return Call({"check_id": check.pk}, {"result": "Nothing recorded", "system": "PNC", "possible": True})


def _prompt(p: Personas) -> Call:
    log = _log(p, category="suspicious_circumstances", account="My ex-husband threatened to kill me.")
    prompt = Prompt.objects.filter(log=log, state="open", safeguard="C3").first()
    assert prompt is not None
    return Call({"prompt_id": prompt.pk}, {"accept": False, "reason": "Caller says this was years ago, resolved"})


# Dispatch: units crewed by the response officer, on graded logs. A setup may run more than once per test.
def _callsign() -> str:
    return f"TA{Unit.objects.count() + 1}"


def _unit(p: Personas) -> Unit:
    return dispatch.create_unit(p.actor("dispatcher"), callsign=_callsign(), area="Northtown", area_type="urban",
                                skills=["advanced driver"], crew_ids=[p.officer.pk])


def _on_log(p: Personas) -> tuple[Log, Assignment]:
    log = _graded_emergency(p)
    return log, dispatch.assign_unit(p.actor("dispatcher"), log.reference, _unit(p).callsign)


def _assign_unit(p: Personas) -> Call:
    return Call({"reference": _graded_emergency(p).reference}, {"callsign": _unit(p).callsign})


def _divert_body(p: Personas) -> dict[str, Any]:
    first, a = _on_log(p)
    return {"callsign": a.unit.callsign, "from_reference": first.reference,
            "to_reference": _graded_emergency(p).reference, "reason": "Man not breathing on the second log"}


def _divert_decision(p: Personas) -> Call:
    d = dispatch.divert_unit(p.actor("dispatcher"), **_divert_body(p))
    return Call({"divert_id": d.pk}, {"approve": True, "note": "The second log is a life at risk"})


def _no_units_alert(p: Personas) -> Call:
    alert = dispatch.declare_no_units(p.actor("dispatcher"), _graded_emergency(p).reference, note="All committed")
    return Call({"alert_id": alert.pk}, {"note": "Asking the next area for a unit"})


def _closed_log(p: Personas) -> Call:
    log = _log(p)
    actions.close_log(p.actor("handler"), log.reference, code="advice_given", acknowledged_through=fresh(log).last_seq)
    return Call({"reference": log.reference}, {"reason": "The caller rang again: he has come back"})


LEARNING_VIEW = "learning.view gives every role the learning library"


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/api/logs", "log.view", "handler", "learning", 200, None, _nothing),
    Endpoint("POST", "/api/logs", "log.raise", "handler", "qa", 201, "log.raised", _raise),
    Endpoint("GET", "/api/logs/{reference}", "log.view", "handler2", "learning", 200, "log.viewed",
             _with_log()),
    Endpoint("PATCH", "/api/logs/{reference}", "log.update", "handler", "qa", 200, "log.updated", _update),
    Endpoint("POST", "/api/logs/{reference}/contacts", "contact.record", "handler", "qa", 201,
             "contact.recorded", _with_log(_contact())),
    Endpoint("POST", "/api/logs/{reference}/entries", "entry.add", "handler", "qa", 201, "entry.added",
             _with_log({"text": "Caller rang back: he is breathing", "add_flags": ["vulnerable_adult"]})),
    Endpoint("POST", "/api/logs/{reference}/grade", "log.grade", "handler", "officer", 200, "log.graded",
             _grade),
    Endpoint("POST", "/api/logs/{reference}/downgrade-requests", "log.grade", "handler", "officer", 201,
             "downgrade.requested", _downgrade),
    Endpoint("POST", "/api/downgrade-requests/{request_id}/decision", None, "controller", "qa", 200,
             "downgrade.authorised", _decide, refusal_says="named authoriser",
             open_because="only the authoriser named on the request may decide it (L5)"),
    Endpoint("GET", "/api/logs/{reference}/unseen", "log.view", "handler2", "learning", 200,
             "log.unseen_viewed", _with_log()),
    Endpoint("POST", "/api/logs/{reference}/ready-to-close", "log.close", "handler", "investigator", 200,
             "log.ready_to_close", _with_log({})),
    Endpoint("POST", "/api/logs/{reference}/close", "log.close", "handler", "investigator", 200, "log.closed",
             _close),
    Endpoint("POST", "/api/logs/{reference}/cancel", "log.cancel", "handler", "officer", 200, "log.cancelled",
             _cancel),
    Endpoint("POST", "/api/logs/{reference}/service-requests", "request.manage", "handler", "qa", 201,
             "request.added", _service_request),
    Endpoint("POST", "/api/service-requests/{request_id}", "request.manage", "handler", "qa", 200,
             "request.updated", _update_request),
    Endpoint("POST", "/api/tasks", "task.manage", "handler", "qa", 201, "task.added", _task),
    Endpoint("POST", "/api/tasks/{task_id}/complete", "task.manage", "handler", "qa", 200, "task.completed",
             _complete),
    Endpoint("POST", "/api/logs/{reference}/links", "log.link", "handler", "qa", 201, "log.linked", _link),
    Endpoint("POST", "/api/logs/{reference}/merge", "log.merge", "handler", "officer", 200, "log.merged",
             _merge),
    Endpoint("POST", "/api/logs/{reference}/assignments", "log.assign_staff", "handler", "officer", 201,
             "log.staff_assigned", _assign),
    Endpoint("GET", "/api/logs/{reference}/circulation", "log.view", "handler", "learning", 200, "log.viewed",
             _with_log()),
    Endpoint("POST", "/api/logs/{reference}/review", "review.own", "handler2", "qa", 200, "review.owned",
             _review),
    Endpoint("GET", "/api/review-queue", "review.own", "handler", "qa", 200, None, _nothing),
    Endpoint("POST", "/api/messages", "contact.record", "handler", "qa", 201, "message.recorded", _message),
    Endpoint("POST", "/api/messages/{contact_id}/handle", "contact.record", "officer", "qa", 200,
             "message.handled", _handle),
    Endpoint("GET", "/api/notifications", None, "handler", None, 200, None, _nothing,
             open_because="each member of staff sees only their own and their team's notifications"),
    Endpoint("POST", "/api/notifications/{notification_id}/read", None, "handler", "qa", 200,
             "notification.read", _notification, refused_status=404, refusal_says="No notification",
             open_because="a notification is read only by its recipient or their team; others find none"),
    Endpoint("GET", "/api/safeguards", None, "learning", None, 200, None, _nothing,
             open_because="the safeguard catalogue is reference for every role (learning.view: all roles)"),
    Endpoint("GET", "/api/safeguards/{sid}", None, "learning", None, 200, None,
             lambda p: Call({"sid": "L3"}),
             open_because="the safeguard catalogue is reference for every role (learning.view: all roles)"),
    Endpoint("GET", "/api/staff", None, "handler", None, 200, None, _nothing,
             open_because="every role names colleagues as owners, assignees and authorisers"),
    Endpoint("GET", "/api/policy", None, "learning", None, 200, None, _nothing,
             open_because="the policy in force explains every prompt and refusal, so every role may read it"),
    Endpoint("PUT", "/api/policy/{key}", "policy.manage", "admin", "supervisor", 200, "policy.changed",
             lambda p: Call({"key": "review_escalation_minutes"},
                            {"value": 20, "reason": "Reviewers asked for a longer window"})),
    Endpoint("POST", "/api/policy/{key}/preview", "policy.manage", "admin", "supervisor", 200, None,
             lambda p: Call({"key": "review_escalation_minutes"}, {"value": 20})),
    Endpoint("GET", "/api/policy/{key}/versions", "policy.manage", "admin", "supervisor", 200, None,
             lambda p: Call({"key": "review_escalation_minutes"})),
    Endpoint("POST", "/api/policy/{key}/rollback", "policy.manage", "admin", "supervisor", 200, "policy.rolled_back",
             lambda p: Call({"key": "review_escalation_minutes"}, {"version_id": 0, "reason": "Back to the default"})),
    Endpoint("GET", "/api/staff/tokens", None, "handler", None, 200, None, _nothing,
             open_because="each member of staff lists their own tokens; another's (user_id) or everyone's need "
                          "staff.manage"),
    Endpoint("POST", "/api/staff/tokens/{token_id}/revoke", "staff.manage", "admin", "handler", 200, "token.revoked",
             lambda p: Call({"token_id": issue_token(SYSTEM, p.officer.pk, "to revoke")[0].pk})),
    Endpoint("POST", "/api/staff/{user_id}/absence", "staff.set_absence", "supervisor", "handler", 200,
             "staff.absence", lambda p: Call({"user_id": p.officer.pk}, {"absent": True, "reason": "Annual leave"})),
    Endpoint("POST", "/api/staff/{user_id}/move", "staff.move", "supervisor", "handler", 200,
             "staff.moved", lambda p: Call({"user_id": p.officer.pk},
                                           {"team": "Investigation", "role": "investigator", "reason": "Promotion"})),
    Endpoint("GET", "/api/intake/queues", None, "learning", None, 200, None, _nothing,
             open_because="who reviews automatic intake (L9) is reference for every role, like the staff list"),
    Endpoint("PUT", "/api/intake/queues/{code}", "intake.manage", "admin", "supervisor", 200,
             "intake.reviewers_set",
             lambda p: Call({"code": "online"}, {"reviewer_id": p.dispatcher.pk, "deputy_id": p.supervisor.pk})),
    # ---- learning library (K1-K5)
    Endpoint("GET", "/api/learning/documents", "learning.view", "handler", None, 200, None,
             _after(lambda p: _ingest(p, RECORD)), open_because=LEARNING_VIEW),
    Endpoint("POST", "/api/learning/documents", "learning.manage", "learning", "handler", 201,
             "learning.document_ingested", _document_upload),
    Endpoint("GET", "/api/learning/documents/{document_id}", "learning.view", "handler", None, 200, None,
             lambda p: Call({"document_id": _ingest(p, RECORD).pk}), open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/documents/{document_id}/record", "learning.view", "handler", None, 200, None,
             lambda p: Call({"document_id": _ingest(p, RECORD).pk}), open_because=LEARNING_VIEW),
    Endpoint("POST", "/api/learning/documents/{document_id}/corrections", "learning.manage", "learning", "handler",
             201, "learning.record_corrected",
             lambda p: Call({"document_id": _ingest(p, RECORD).pk},
                            {"expected_version": 1, "field": "title", "value": "A corrected title",
                             "reason": "Misread by the parser"})),
    Endpoint("GET", "/api/learning/cases/{case_id}", "learning.view", "handler", None, 200, None,
             lambda p: Call({"case_id": _case(p).pk}), open_because=LEARNING_VIEW),
    Endpoint("POST", "/api/learning/cases/{case_id}/replay", "learning.manage", "learning", "handler", 202,
             "learning.replay_requested", lambda p: Call({"case_id": _case(p).pk})),
    Endpoint("GET", "/api/learning/replay-runs/{run_id}", "learning.view", "handler", None, 200, None,
             lambda p: Call({"run_id": learning.request_replay(p.actor("learning"), _case(p).pk).pk}),
             open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/lessons/{code}", "learning.view", "handler", None, 200, None,
             lambda p: Call({"code": _case(p).code}), open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/safeguards/{sid}/lessons", "learning.view", "handler", None, 200, None,
             lambda p: Call({"sid": "L3"}), open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/search", "learning.view", "handler", None, 200, None,
             _after(_case, Call(query="?q=ambulance")), open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/themes", "learning.view", "handler", None, 200, None, _nothing,
             open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/recommendations", "learning.view", "handler", None, 200, None,
             _after(_recommendation), open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/recommendations/{rec_id}", "learning.view", "handler", None, 200, None,
             lambda p: Call({"rec_id": _recommendation(p).pk}), open_because=LEARNING_VIEW),
    Endpoint("PATCH", "/api/learning/recommendations/{rec_id}", "learning.manage", "learning", "handler", 200,
             "learning.recommendation_updated", _tracker_update),
    Endpoint("POST", "/api/learning/recommendations/{rec_id}/response", "learning.manage", "learning",
             "handler", 200, "learning.response_recorded",
             lambda p: Call({"rec_id": _recommendation(p).pk},
                            {"acceptance": "partly", "response": "Accepted for children; adults reviewed"})),
    Endpoint("POST", "/api/learning/recommendations/{rec_id}/actions", "learning.manage", "learning",
             "handler", 201, "learning.action_added", _learning_action),
    Endpoint("POST", "/api/learning/actions/{action_id}/complete", "learning.manage", "learning", "handler",
             200, "learning.action_completed", _complete_learning_action),
    Endpoint("POST", "/api/learning/recommendations/{rec_id}/evidence", "learning.manage", "learning",
             "handler", 201, "learning.evidence_added",
             lambda p: Call({"rec_id": _recommendation(p).pk},
                            {"description": "Custody policy v3", "link": "https://intranet.example/custody"})),
    Endpoint("POST", "/api/learning/questions/{question_id}/answers", "learning.manage", "learning",
             "handler", 201, "learning.question_answered", _answer),
    Endpoint("GET", "/api/learning/progress", "learning.view", "handler", None, 200, None, _nothing,
             open_because=LEARNING_VIEW),
    Endpoint("GET", "/api/learning/settings", "learning.view", "handler", None, 200, None, _nothing,
             open_because=LEARNING_VIEW),
    Endpoint("POST", "/api/learning/settings", "learning.manage", "learning", "handler", 200,
             "learning.setting_changed",
             lambda p: Call(body={"key": "response_days", "value": 60, "reason": "Force standard is 60 days"})),
    # ---- people, places and call-time context (C1-C9, M1-M4, D5; A2: reads of people are audited)
    Endpoint("GET", "/api/context", "person.view", "handler", "learning", 200, "context.viewed", _context),
    Endpoint("POST", "/api/people", "person.manage", "handler", "qa", 201, "person.created",
             lambda p: Call(body={"given_names": "Amy", "family_name": "Archer", "dob": "1986-04-12",
                                  "sex": "female", "aliases": ["Amy Smith"]})),
    Endpoint("GET", "/api/people/{person_id}", "person.view", "handler", "learning", 200, "person.viewed",
             _with_person(query="?purpose=Caller%20on%20a%20log")),
    Endpoint("POST", "/api/people/{person_id}/relationships", "person.manage", "handler", "qa", 201,
             "person.related", _relate),
    Endpoint("POST", "/api/people/{person_id}/residences", "person.manage", "handler", "qa", 201,
             "person.residence", _with_person({"address": MS_A_HOME, "current": True})),
    Endpoint("POST", "/api/people/{person_id}/phones", "person.manage", "handler", "qa", 201, "person.phone",
             _with_person({"phone": MS_A_PHONE})),
    Endpoint("POST", "/api/logs/{reference}/parties", "log.update", "handler", "qa", 201, "log.party_linked",
             _party),
    Endpoint("POST", "/api/markers", "marker.manage", "investigator", "handler", 201, "marker.added", _marker),
    Endpoint("POST", "/api/markers/{marker_id}/end", "marker.manage", "investigator", "handler", 200,
             "marker.ended", _end_marker),
    Endpoint("POST", "/api/schemes", "scheme.manage", "investigator", "handler", 201, "scheme.created",
             lambda p: Call(body=_scheme_body(p))),
    Endpoint("POST", "/api/schemes/{scheme_id}/contacts", "scheme.manage", "investigator", "handler", 201,
             "scheme.victim_contact", _scheme_contact),
    Endpoint("POST", "/api/schemes/{scheme_id}/remove", "scheme.manage", "investigator", "handler", 200,
             "scheme.removed", _remove_scheme),
    Endpoint("POST", "/api/schemes/{scheme_id}/extend", "scheme.manage", "investigator", "handler", 200,
             "scheme.extended", _extend_scheme),
    Endpoint("POST", "/api/orders", "order.manage", "investigator", "handler", 201, "order.created", _order),
    Endpoint("POST", "/api/certificates", "marker.manage", "investigator", "handler", 201, "firearms.certificate",
             _certificate),
    Endpoint("POST", "/api/logs/{reference}/checks", "check.run", "handler", "qa", 201, "check.added", _check),
    Endpoint("POST", "/api/checks/{check_id}", "check.run", "handler", "qa", 200, "check.recorded", _record_check),
    Endpoint("POST", "/api/prompts/{prompt_id}/decision", "log.update", "handler", "qa", 200, "prompt.dismissed",
             _prompt),
    Endpoint("POST", "/api/logs/{reference}/reopen", "log.close", "handler", "investigator", 200, "log.reopened",
             _closed_log),
    # ---- dispatch and response clocks (D1-D4, L12)
    Endpoint("GET", "/api/units", "log.view", "dispatcher", "learning", 200, None, _after(_unit)),
    Endpoint("POST", "/api/units", "unit.manage", "dispatcher", "handler", 201, "unit.created",
             lambda p: Call(body={"callsign": _callsign(), "area": "Northtown", "area_type": "rural",
                                  "skills": ["dog"], "crew_ids": [p.officer.pk]})),
    Endpoint("POST", "/api/units/{callsign}/duty", "unit.manage", "dispatcher", "handler", 200, "unit.duty",
             lambda p: Call({"callsign": _unit(p).callsign}, {"on_duty": False})),
    Endpoint("GET", "/api/units/{callsign}/assignments", "log.view", "officer", "learning", 200, "log.viewed",
             lambda p: Call({"callsign": _on_log(p)[1].unit.callsign})),
    Endpoint("POST", "/api/logs/{reference}/units", "dispatch.assign", "dispatcher", "handler", 201,
             "unit.assigned", _assign_unit),
    Endpoint("POST", "/api/assignments/{assignment_id}", "dispatch.update", "officer", "handler", 200,
             "assignment.updated", lambda p: Call({"assignment_id": _on_log(p)[1].pk}, {"state": "en_route"})),
    Endpoint("POST", "/api/diverts", "dispatch.assign", "dispatcher", "handler", 201, "unit.diverted",
             lambda p: Call(body=_divert_body(p))),
    Endpoint("POST", "/api/diverts/{divert_id}/decision", "dispatch.decide", "controller", "dispatcher", 200,
             "divert.approved", _divert_decision),
    Endpoint("GET", "/api/diverts", "reports.view", "controller", "handler", 200, None, _nothing),
    Endpoint("POST", "/api/alerts/{alert_id}/acknowledge", "dispatch.update", "controller", "handler", 200,
             "alert.acknowledged", _no_units_alert),
    Endpoint("POST", "/api/logs/{reference}/no-units", "dispatch.assign", "dispatcher", "handler", 201,
             "dispatch.no_units", lambda p: Call({"reference": _graded_emergency(p).reference},
                                                 {"note": "All units committed"})),
    Endpoint("POST", "/api/logs/{reference}/area", "dispatch.assign", "dispatcher", "handler", 200, "clock.area",
             lambda p: Call({"reference": _graded_emergency(p).reference},
                            {"area_type": "rural", "reason": "The address is on the moor road"})),
    Endpoint("GET", "/api/boards/dispatch", "log.view", "dispatcher", "learning", 200, None, _nothing),
    Endpoint("GET", "/api/alerts/reasons", "log.view", "dispatcher", "learning", 200, None, _nothing),
    # ---- risk assessment (R1-R6): tests/integration/risk/contract.py
    *risk.endpoints(Endpoint, Call),
    # ---- search across logs (A2: audited): tests/integration/search/contract.py
    *search_contract.endpoints(Endpoint, Call),
    # ---- map, unit positions, gazetteer, suggested units: tests/integration/geo/contract.py
    *geo_contract.endpoints(Endpoint, Call),
    # ---- the duty roster (A4 staffing against minimum): tests/integration/staff_roster/contract.py
    *roster.endpoints(Endpoint, Call),
    *assurance_contract.endpoints(Endpoint, Call),
    # ---- cases (P1): tests/integration/cases/contract.py
    *cases.endpoints(Endpoint, Call),
    # ---- referrals (P7, P11): tests/integration/referrals/contract.py
    *referrals.endpoints(Endpoint, Call),
]
BY_ROUTE = {(e.method, e.route): e for e in ENDPOINTS}
WRITES = [e for e in ENDPOINTS if e.method != "GET"]
REFUSABLE = [e for e in ENDPOINTS if e.refused is not None]
OPEN = [e for e in ENDPOINTS if e.refused is None]


def schema_operations(client: Client) -> set[tuple[str, str]]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = json_body(response)["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


# ------------------------------------------------------------------------------------ the schema
def test_openapi_schema_is_served_and_every_route_is_in_the_table(db: Any, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    ops = schema_operations(Client())
    missing = sorted(ops - set(BY_ROUTE))
    stale = sorted(set(BY_ROUTE) - ops)
    assert not missing, f"endpoints without a contract in ENDPOINTS: {missing}"
    assert not stale, f"ENDPOINTS lists routes the API no longer serves: {stale}"
    assert len(BY_ROUTE) == len(ENDPOINTS), "an endpoint is listed twice"


def test_openapi_schema_requires_a_token_or_session_on_every_route(db: Any, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    schema = json_body(Client().get("/api/openapi.json"))
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    unguarded = [f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m, op in ops.items()
                 if {"TokenAuth", "SessionAuth"} - {k for s in op.get("security", []) for k in s}]
    assert not unguarded, f"routes the schema shows without both auth schemes: {unguarded}"


def test_api_docs_render(db: Any, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger-ui" in page and "/api/openapi.json" in page


def test_table_agrees_with_the_role_permissions(people: Personas) -> None:
    """The personas the table uses really are allowed and refused by staff/roles.py."""
    for e in ENDPOINTS:
        if e.permission is None or e.refused is None:
            assert e.open_because, f"{e}: say how access is decided when no role is refused"
        if e.permission is None:
            continue
        if e.refused is None:
            assert all(allowed(getattr(people, name).role, e.permission) for name in PERSONAS), (
                f"{e}: open to every role, but {e.permission} is not")
            continue
        assert allowed(getattr(people, e.allowed).role, e.permission), f"{e}: {e.allowed} may not {e.permission}"
        assert e.refused is not None and not allowed(getattr(people, e.refused).role, e.permission), (
            f"{e}: {e.refused} is allowed {e.permission}, so cannot show the refusal")


# ------------------------------------------------------------------------------- authentication
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_unauthenticated_is_401_with_a_message(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    before = db_state()
    response = send(Client(), endpoint.method, endpoint.path(call) + call.query, call.body)
    assert response.status_code == 401, response.content[:300]
    assert json_body(response)["error"] == "unauthenticated"
    assert "token" in refusal_message(response)
    assert db_state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_revoked_token_is_401(people: Personas, endpoint: Endpoint) -> None:
    user = getattr(people, endpoint.allowed)
    token, secret = issue_token(SYSTEM, user.pk, "to be revoked")
    assert send(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), "GET", "/api/staff").status_code == 200
    revoke_token(SYSTEM, token.pk)
    call = endpoint.setup(people)
    before = db_state()
    response = send(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), endpoint.method,
                    endpoint.path(call) + call.query, call.body)
    assert response.status_code == 401, response.content[:300]
    assert json_body(response)["error"] == "unauthenticated"
    refusal_message(response)
    assert db_state() == before


def test_writes_from_a_client_without_a_session_are_401_not_a_csrf_refusal(people: Personas) -> None:
    """A real integration sends no CSRF token (the test client skips the check unless told not to). Without
    a session cookie there is no session to forge, so an anonymous or revoked-token write must hear
    "send a valid token" (401), not "CSRF check failed" (403), which sends its operator the wrong way."""
    token, secret = issue_token(SYSTEM, people.handler.pk, "to be revoked")
    revoke_token(SYSTEM, token.pk)
    clients = {"no credentials": Client(enforce_csrf_checks=True),
               "revoked token": Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")}
    wrong = []
    for endpoint in WRITES:
        call = endpoint.setup(people)
        for who, client in clients.items():
            before = db_state()
            response = send(client, endpoint.method, endpoint.path(call), call.body)
            assert db_state() == before, f"{endpoint} wrote for {who}"
            if response.status_code != 401:
                wrong.append(f"{endpoint} ({who}): {response.status_code} {response.content[:80]!r}")
    assert not wrong, "\n".join(wrong)


def test_unknown_and_malformed_tokens_are_401(people: Personas) -> None:
    for header in ("Bearer wk_not-a-real-token", "Bearer ", "Basic aGFuZGxlcjpwYXNz", "wk_no_scheme"):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/logs")
        assert response.status_code == 401, header
        refusal_message(response)


def test_token_of_a_deactivated_member_of_staff_is_401(people: Personas) -> None:
    client = token_client(people.handler)
    assert client.get("/api/logs").status_code == 200
    User.objects.filter(pk=people.handler.pk).update(is_active=False)
    response = client.get("/api/logs")
    assert response.status_code == 401
    refusal_message(response)


def test_session_reads_and_refuses_a_write_without_the_csrf_token(people: Personas) -> None:
    log = _log(people)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.handler2)
    listed = browser.get("/api/logs")
    assert listed.status_code == 200
    assert log.reference in [x["reference"] for x in json_body(listed)]

    path, body = f"/api/logs/{log.reference}/entries", {"text": "Second caller: he is not breathing"}
    before = db_state()
    refused = send(browser, "POST", path, body)
    assert refused.status_code == 403, refused.content[:300]
    assert "CSRF" in refusal_message(refused)
    assert db_state() == before

    secret = get_random_string(32, string.ascii_letters + string.digits)
    browser.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = send(browser, "POST", path, body, headers={"X-CSRFToken": secret})
    assert accepted.status_code == 201, accepted.content[:300]
    assert AuditRecord.objects.count() == len(before["audit"]) + 1
    assert AuditRecord.objects.latest("seq").actor_id == people.handler2.pk


# ---------------------------------------------------------------------------------- authorisation
@pytest.mark.parametrize("endpoint", REFUSABLE, ids=str)
def test_a_role_not_allowed_is_refused_naming_the_refusal(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    client = token_client(getattr(people, endpoint.refused))  # type: ignore[arg-type]
    before = db_state()
    response = send(client, endpoint.method, endpoint.path(call) + call.query, call.body)
    assert response.status_code == endpoint.refused_status, response.content[:300]
    assert json_body(response)["error"] == "refused"
    assert endpoint.expected_refusal in refusal_message(response)
    assert db_state() == before


@pytest.mark.parametrize("endpoint", OPEN, ids=str)
def test_endpoints_open_to_all_staff_serve_every_role(people: Personas, endpoint: Endpoint) -> None:
    call = endpoint.setup(people)
    audited = AuditRecord.objects.exclude(action="token.issued").count()
    for name in PERSONAS:
        response = send(token_client(getattr(people, name)), endpoint.method, endpoint.path(call) + call.query,
                        call.body)
        assert response.status_code == endpoint.status, (name, response.content[:300])
        json_body(response)
    assert AuditRecord.objects.exclude(action="token.issued").count() == audited


@pytest.mark.safeguard("L5")
def test_named_authoriser_who_has_since_left_a_grading_role_cannot_decide(people: Personas) -> None:
    """Role is checked when the decision is made, not only when the authoriser was named: someone moved to
    a role that may not grade (here a learning lead) can no longer lower a log's grade."""
    endpoint = BY_ROUTE[("POST", "/api/downgrade-requests/{request_id}/decision")]
    call = endpoint.setup(people)
    client = token_client(people.controller)
    User.objects.filter(pk=people.controller.pk).update(role="learning_lead")
    before = db_state()
    response = send(client, "POST", endpoint.path(call), call.body)
    assert response.status_code == 403, response.content[:300]
    refusal_message(response)
    assert db_state() == before


# --------------------------------------------------------------------------------- success, audit
@pytest.mark.safeguard("A3")
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_allowed_role_succeeds_with_exactly_one_audit_record(people: Personas, endpoint: Endpoint) -> None:
    """Every write, and every read of a log's contents, leaves exactly one audit record naming who, what
    and the request; lists and reference data leave none."""
    call = endpoint.setup(people)
    user = getattr(people, endpoint.allowed)
    client = token_client(user)
    before = db_state()
    response = send(client, endpoint.method, endpoint.path(call) + call.query, call.body,
                    headers={"X-Request-Id": "api-contract-1"})
    assert response.status_code == endpoint.status, response.content[:500]
    json_body(response)
    new = list(AuditRecord.objects.filter(seq__gt=max(before["audit"], default=0)).order_by("seq"))
    if endpoint.audit is None:
        assert new == [] and db_state() == before
        return
    assert [r.action for r in new] == [endpoint.audit]
    record = new[0]
    assert (record.actor_id, record.actor_role, record.request_id) == (user.pk, user.role, "api-contract-1")


@pytest.mark.safeguard("A2")
def test_opening_a_log_records_the_purpose_given(people: Personas) -> None:
    log = _log(people)
    response = token_client(people.qa).get(f"/api/logs/{log.reference}?purpose=closure%20review")
    assert response.status_code == 200
    assert json_body(response)["reference"] == log.reference
    record = AuditRecord.objects.latest("seq")
    assert (record.action, record.reason, record.actor_id) == ("log.viewed", "closure review", people.qa.pk)
