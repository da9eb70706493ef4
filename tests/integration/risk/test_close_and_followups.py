"""Through the real database: a domestic-abuse log is not closed without its assessment or a recorded reason
why none could be done (R1); callbacks to the reporting agency and referrals to another force stay open until
done, remind and escalate through the sweeper (P9, P11); police action against an out-of-area suspect refers
them to the local force and waits for the contact plan (R7); weather and the policy cadence (P9); a
concern-for-welfare log that meets the missing criteria opens a missing-person record in one step (C6); the
person page shows the person's risk timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.integration.people.support import call, settle_checks, settle_prompts
from tests.integration.risk.support import CURRENT, answers, da_log, load, victim
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.config import set_policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Log, Notification
from watchkeeper.people import actions as people_actions
from watchkeeper.people.models import Prompt
from watchkeeper.risk import actions, queries
from watchkeeper.risk.actions.common import definition
from watchkeeper.risk.models import Decision, FollowUp, MissingPerson

pytestmark = pytest.mark.django_db


def _ready_to_close(p: Personas, log: Log) -> None:
    settle_prompts(p, log)
    settle_checks(p, log)
    logs.view_log(p.actor("handler"), log.reference)


def _close(p: Personas, log: Log) -> Log:
    return logs.close_log(p.actor("handler"), log.reference, code="seen_safe")


def _submitted_da(p: Personas, log: Log) -> None:
    party = log.parties.get(role="victim")
    a = actions.start_assessment(p.actor("officer"), instrument="domestic-abuse", person_id=party.person_id,
                                 role="victim", reference=log.reference)
    actions.answer(p.actor("officer"), a.pk, answers(CURRENT))
    actions.submit(p.actor("officer"), a.pk, judgement="standard")


# ------------------------------------------------------------------------------------------ R1 closing
@pytest.mark.safeguard("R1")
def test_a_domestic_abuse_log_is_not_closed_until_its_assessment_is_submitted(people: Personas) -> None:
    load()
    log = da_log(people, victim(people))
    _ready_to_close(people, log)
    with pytest.raises(Refusal) as caught:
        _close(people, log)
    assert caught.value.safeguard == "R1" and "Domestic abuse" in caught.value.message
    assert caught.value.details["open_items"][0]["instrument"] == "domestic-abuse"
    assert Log.objects.get(pk=log.pk).status == "open"
    assert queries.log_panel(log)["close_needs"][0]["instrument"] == "domestic-abuse"
    # a draft is not enough
    party = log.parties.get(role="victim")
    actions.start_assessment(people.actor("officer"), instrument="domestic-abuse", person_id=party.person_id,
                             role="victim", reference=log.reference)
    with pytest.raises(Refusal):
        _close(people, log)
    _submitted_da(people, log)
    assert queries.log_panel(log)["close_needs"] == []
    assert _close(people, log).status == "closed"


@pytest.mark.safeguard("R1")
def test_a_recorded_reason_why_no_assessment_could_be_done_lets_it_close(people: Personas) -> None:
    load()
    log = da_log(people, victim(people))
    _ready_to_close(people, log)
    with pytest.raises(Invalid):  # which instrument could not be used
        actions.record_decision(people.actor("officer"), kind="no_assessment", decision="Not assessed",
                                rationale="She left before officers arrived and cannot be traced tonight",
                                reference=log.reference)
    d = actions.record_decision(people.actor("officer"), kind="no_assessment", decision="Not assessed",
                                rationale="She left before officers arrived and cannot be traced tonight",
                                reference=log.reference, instrument="domestic-abuse")
    assert d.facts["instrument"] == "domestic-abuse"
    assert _close(people, log).status == "closed"


@pytest.mark.safeguard("R1")
def test_policy_decides_which_flags_need_which_instrument(people: Personas) -> None:
    log = da_log(people, victim(people))
    _ready_to_close(people, log)
    assert queries.log_panel(log)["close_needs"] == []  # nothing loaded: nothing can be asked for
    load()
    set_policy(people.actor("admin"), "risk_close_instruments", [], "Our DA assessment is on paper for now")
    assert _close(people, log).status == "closed"
    with pytest.raises(Invalid):
        set_policy(people.actor("admin"), "risk_close_instruments",
                   [{"flag": "no_such_flag", "instrument": "domestic-abuse"}], "A flag that does not exist")


def test_the_close_refusal_names_the_safeguard_over_the_api(people: Personas) -> None:
    load()
    log = da_log(people, victim(people))
    _ready_to_close(people, log)
    client = Client()
    client.force_login(people.handler)
    resp = client.post(f"/api/logs/{log.reference}/close", {"code": "seen_safe"}, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["safeguard"]["id"] == "R1", resp.content
    assert Log.objects.get(pk=log.pk).status == "open"


# ------------------------------------------------------------------------------------------ P9 callbacks
@pytest.mark.safeguard("P9")
def test_a_callback_to_the_reporting_agency_stays_open_reminds_then_escalates(people: Personas) -> None:
    m = actions.report_missing(people.actor("officer"), person_id=victim(people, "Ward").pk, level="medium")
    f = actions.add_callback(people.actor("officer"), m.pk, agency="Ward 7, County Hospital",
                             contact="01632 960000", ask="Tell the ward he is still missing; ask for his GP")
    assert f.owner_id == people.officer.pk and f.state == "open"
    assert abs((f.due_at - clock.now()) - timedelta(minutes=60)) < timedelta(minutes=1)  # policy default
    assert actions.fire_followups(clock.now()) == 0
    with time_machine.travel(clock.now() + timedelta(minutes=61), tick=False):
        assert actions.fire_followups(clock.now()) == 1
        assert actions.fire_followups(clock.now()) == 0  # once per stage
    reminded = Notification.objects.get(kind="risk_followup_due")
    assert reminded.recipient_id == people.officer.pk and reminded.safeguard == "P9"
    with time_machine.travel(clock.now() + timedelta(minutes=122), tick=False):
        assert actions.fire_followups(clock.now()) == 1
    escalated = set(Notification.objects.filter(kind="risk_followup_overdue").values_list("recipient_id", "team_id"))
    assert escalated == {(None, people.officer.team_id), (people.inspector.pk, None)}
    assert queries.missing(m.pk)["followups"][0]["escalated"]
    done = actions.complete_followup(people.actor("officer"), f.pk, outcome="Ward told; GP details given")
    assert (done.state, done.done_by_id) == ("done", people.officer.pk)
    with pytest.raises(Refusal) as again:
        actions.complete_followup(people.actor("officer"), f.pk, outcome="Again")
    assert again.value.status == 409
    with pytest.raises(Invalid):
        actions.add_callback(people.actor("officer"), m.pk, agency="Ward 7", ask="x",
                             due_at=clock.now() - timedelta(minutes=5))
    assert list(AuditRecord.objects.filter(action__startswith="risk.followup").values_list("action", flat=True)
                .order_by("seq")) == ["risk.followup_added", "risk.followup_reminded", "risk.followup_escalated",
                                      "risk.followup_done"]


# ------------------------------------------------------------------------------------------ P9 weather, cadence
@pytest.mark.safeguard("P9")
def test_weather_is_an_escalation_prompt_and_tells_the_lead(people: Personas) -> None:
    m = actions.report_missing(people.actor("officer"), person_id=victim(people, "Cold").pk, level="medium",
                               lead_id=people.investigator.pk)
    assert not any(t.startswith("Weather") for t in queries.missing(m.pk)["triggers"])
    actions.record_weather(people.actor("officer"), m.pk, condition="cold", note="Frost tonight, -4C")
    view = queries.missing(m.pk)
    assert view["weather"]["condition"] == "cold"
    assert view["triggers"][0] == "Weather: cold recorded or forecast: consider raising the level"
    assert Notification.objects.get(kind="missing_weather").recipient_id == people.investigator.pk
    with pytest.raises(Invalid):
        actions.record_weather(people.actor("officer"), m.pk, condition="fog", note="thick")


@pytest.mark.safeguard("P9")
def test_the_review_cadence_is_force_policy(people: Personas) -> None:
    set_policy(people.actor("admin"), "missing_review_cadence", [
        {"level": "high", "minutes": 30, "reviewer_roles": ["duty_inspector", "supervisor"]},
        {"level": "medium", "minutes": 120, "reviewer_roles": ["supervisor"]},
        {"level": "low", "minutes": 480, "reviewer_roles": ["supervisor"]}], "Tighter reviews after a case review")
    m = actions.report_missing(people.actor("officer"), person_id=victim(people, "Cadence").pk, level="high")
    assert m.review_due_at is not None
    assert abs((m.review_due_at - clock.now()) - timedelta(minutes=30)) < timedelta(minutes=1)
    actions.review_missing(people.actor("supervisor"), m.pk, level="high", note="Now a supervisor may review")
    assert queries.missing(m.pk)["cadence_minutes"] == 30
    with pytest.raises(Invalid):
        set_policy(people.actor("admin"), "missing_review_cadence", [
            {"level": "high", "minutes": 30, "reviewer_roles": ["supervisor"]},
            {"level": "high", "minutes": 60, "reviewer_roles": ["supervisor"]},
            {"level": "low", "minutes": 480, "reviewer_roles": ["supervisor"]}], "Medium left out by mistake")


# ------------------------------------------------------------------------------------------ R7, P11
def _suspect_log(p: Personas, home: str) -> tuple[Log, int]:
    load("suspect-suicide")
    suspect = victim(p, family="Suspect")
    people_actions.add_residence(p.actor("officer"), suspect.pk, home)
    log = da_log(p, suspect, role="suspect",
                 account="Intelligence that he is sharing indecent images of children from his home")
    return log, suspect.pk


def _assess_suspect(p: Personas, log: Log, person_id: int, plan: str) -> None:
    a = actions.start_assessment(p.actor("investigator"), instrument="suspect-suicide", person_id=person_id,
                                 role="suspect", reference=log.reference)
    rows = [{"question": q.code, "value": "no", "source": "officer"} for q in definition(a.instrument).questions()
            if q.type == "yes_no"]
    # no plan: the suspect would not discuss one (a refusal is an answer, R5), so the plan is still to make
    rows.append({"question": "contact_plan", "value": plan, "source": "officer"} if plan else
                {"question": "contact_plan", "refused": True, "source": "officer"})
    actions.answer(p.actor("investigator"), a.pk, rows)
    actions.submit(p.actor("investigator"), a.pk, judgement="low")


WHY = "Warrant granted; the devices are at his home address"


@pytest.mark.safeguard("R7")
@pytest.mark.safeguard("P11")
def test_police_action_against_an_out_of_area_suspect_refers_him_to_the_local_force(people: Personas) -> None:
    log, suspect = _suspect_log(people, "4 Quay Street, Northam NX1 4AB")
    _assess_suspect(people, log, suspect, plan="")
    with pytest.raises(Refusal) as plan:  # assessed, but no contact plan around the search
        actions.record_decision(people.actor("investigator"), kind="search", decision="Search at 7am",
                                rationale=WHY, reference=log.reference, person_id=suspect)
    assert plan.value.safeguard == "R7" and "contact plan" in plan.value.message
    assert FollowUp.objects.count() == 0
    actions.record_decision(people.actor("investigator"), kind="plan", decision="DC Rowe stays with him after",
                            rationale="He lives alone; the helpline and his GP are told", person_id=suspect)
    d = actions.record_decision(people.actor("investigator"), kind="search", decision="Search at 7am",
                                rationale=WHY, reference=log.reference, person_id=suspect)
    [ref] = FollowUp.objects.filter(kind="force_referral")
    assert (ref.person_id, ref.log_id, ref.state) == (suspect, log.pk, "open") and "NX1 4AB" in ref.party
    assert AuditRecord.objects.get(action="risk.decision", object_id=str(d.pk)).after["referral"] == ref.pk
    actions.record_decision(people.actor("investigator"), kind="arrest", decision="Arrest at the address",
                            rationale=WHY, reference=log.reference, person_id=suspect)
    assert FollowUp.objects.filter(kind="force_referral").count() == 1  # one open referral, not one per action
    with pytest.raises(Refusal) as ack:
        actions.complete_followup(people.actor("investigator"), ref.pk, outcome="Emailed their control room")
    assert ack.value.safeguard == "P11"
    done = actions.complete_followup(people.actor("investigator"), ref.pk, outcome="They will visit after",
                                     acknowledged_by="PS Khan, Northam control room")
    assert done.acknowledged_by == "PS Khan, Northam control room" and done.done_at is not None


@pytest.mark.safeguard("R7")
def test_a_suspect_in_the_force_area_is_not_referred_and_a_plan_answer_is_the_contact_plan(
        people: Personas) -> None:
    log, suspect = _suspect_log(people, "9 Mill Road, Kingsbridge KB1 1AA")
    _assess_suspect(people, log, suspect, plan="DC Rowe stays; GP told; helpline number given")
    actions.record_decision(people.actor("investigator"), kind="search", decision="Search at 7am", rationale=WHY,
                            reference=log.reference, person_id=suspect)
    assert FollowUp.objects.count() == 0 and Decision.objects.filter(kind="search").count() == 1


@pytest.mark.safeguard("P11")
def test_a_referral_can_be_made_by_hand_and_is_listed_for_the_person(people: Personas) -> None:
    person = victim(people, "Away")
    f = actions.refer_to_force(people.actor("investigator"), person_id=person.pk, force="Northam Police",
                               ask="Marked out of area: tell them of the arrest plan")
    assert abs((f.due_at - clock.now()) - timedelta(minutes=240)) < timedelta(minutes=1)
    assert [r["id"] for r in queries.followups(FollowUp.objects.filter(person=person))] == [f.pk]
    with pytest.raises(Refusal) as who:
        actions.refer_to_force(people.actor("qa"), person_id=person.pk, force="x", ask="y")
    assert who.value.status == 403


# ------------------------------------------------------------------------------------------ C6
@pytest.mark.safeguard("C6")
@pytest.mark.safeguard("P9")
def test_a_welfare_log_meeting_the_missing_criteria_opens_a_missing_record_in_one_step(people: Personas) -> None:
    log = call(people, category="concern_for_welfare", account="Caller is worried about the woman next door.")
    person = victim(people, "Next-door")
    people_actions.link_party(people.actor("handler"), log.reference, role="subject", person_id=person.pk)
    assert queries.log_panel(log)["convert"] is None
    logs.add_entry(people.actor("handler2"), log.reference,
                   "Her daughter says she has not come home and is missing since last night.")
    assert Prompt.objects.filter(log=log, kind="reclassify_missing", state="open").exists()
    convert = queries.log_panel(log)["convert"]
    assert convert["safeguard"] == "C6" and convert["parties"][0]["id"] == person.pk
    officer = Client()
    officer.force_login(people.officer)
    panel = officer.get(f"/risk/logs/{log.reference}/")
    assert b"Open a missing-person record from this log" in panel.content
    made = officer.post("/risk/do/missing/", {"reference": log.reference, "person_id": person.pk,
                                              "level": "medium"})
    m = MissingPerson.objects.get()
    assert made.status_code == 302 and (m.log_id, m.person_id) == (log.pk, person.pk)
    assert queries.log_panel(log)["convert"] is None


# ------------------------------------------------------------------------------------------ pages
def test_the_person_page_shows_the_risk_timeline_panel(people: Personas) -> None:
    load()
    log = da_log(people, victim(people, "Timeline"))
    _submitted_da(people, log)
    person_id = log.parties.get(role="victim").person_id
    officer = Client()
    officer.force_login(people.officer)
    page = officer.get(f"/people/{person_id}/", {"purpose": "Risk review"})
    assert page.status_code == 200 and b'id="person-risk"' in page.content
    assert f"/risk/people/{person_id}/panel/".encode() in page.content
    body = officer.get(f"/risk/people/{person_id}/panel/")
    assert body.status_code == 200 and b"Domestic abuse" in body.content and log.reference.encode() in body.content
    qa = Client()
    qa.force_login(people.learning)
    assert qa.get(f"/risk/people/{person_id}/panel/").status_code == 403


def test_the_weather_callback_and_follow_up_forms(people: Personas) -> None:
    m = actions.report_missing(people.actor("officer"), person_id=victim(people, "Forms").pk, level="low")
    officer = Client()
    officer.force_login(people.officer)
    assert officer.post(f"/risk/missing/{m.pk}/do/weather/", {"condition": "storm", "note": "Gales forecast"}
                        ).status_code == 302
    refused = officer.post(f"/risk/missing/{m.pk}/do/weather/", {"condition": "cold", "note": ""})
    assert refused.status_code == 400
    assert officer.post(f"/risk/missing/{m.pk}/do/callback/", {"agency": "Oak House care home",
                                                               "ask": "Tell them he is still missing"}
                        ).status_code == 302
    page = officer.get(f"/risk/missing/{m.pk}/")
    assert b"Oak House care home" in page.content and b"Weather: storm" in page.content
    f = FollowUp.objects.get()
    back = f"/risk/missing/{m.pk}/"
    done = officer.post(f"/risk/followups/{f.pk}/done/", {"outcome": "Told the manager", "back": back})
    assert done.status_code == 302 and done["Location"] == back
    assert FollowUp.objects.get().state == "done"


@pytest.mark.safeguard("P9")
@pytest.mark.safeguard("P11")
def test_follow_ups_are_registered_with_the_sweeper_by_risk() -> None:
    from watchkeeper.clocks import sweeper

    registered = dict(sweeper.handlers())
    assert registered["risk follow-ups due and overdue (P9, P11)"] is actions.fire_followups
