"""P1 cases through the real database: opened from a log or directly, people and logs on them, handovers the
receiver acknowledges, and staff moves that wait until an officer's cases are handed over; a supervisor's move
hands supervision over to the team's supervisor. Kept-forever rows refuse DELETE and UPDATE in the database."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from tests.integration.cases.support import SUMMARY, case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import Case, CaseEvent, Handover
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.staff.actions import move_staff
from watchkeeper.staff.models import Team, User

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("P1")
def test_a_case_opened_from_a_log_has_an_officer_in_charge_and_the_team_supervisor(people: Personas) -> None:
    log = raise_log(people.actor("handler"), category="burglary")
    c = actions.open_case(people.actor("officer"), kind="crime", title="Burglary at 4 Elm Road",
                          reference=log.reference)
    assert (c.officer_id, c.supervisor_id, c.team_id) == (people.officer.pk, people.supervisor.pk,
                                                          people.response_team.pk)
    assert c.reference.startswith("CS-") and c.origin_id == log.pk
    v = person(people)
    actions.add_party(people.actor("officer"), c.pk, person_id=v.pk, role="victim")
    with pytest.raises(Invalid):
        actions.add_party(people.actor("officer"), c.pk, person_id=v.pk, role="victim")
    with pytest.raises(Invalid):
        actions.add_party(people.actor("officer"), c.pk, person_id=v.pk, role="bystander")
    other = raise_log(people.actor("handler"), category="burglary")
    actions.link_log(people.actor("officer"), c.pk, reference=other.reference)
    view = queries.case(c)
    assert [p["role"] for p in view["people"]] == ["victim"]
    assert [entry["reference"] for entry in view["logs"]] == [log.reference, other.reference]
    assert [e["kind"] for e in view["timeline"]] == ["log", "person", "opened"]
    assert queries.my_cases(people.officer)["cases"][0]["reference"] == c.reference
    assert [a.action for a in AuditRecord.objects.filter(object_type="case").order_by("seq")] == [
        "case.opened", "case.person_added", "case.log_linked"]


@pytest.mark.safeguard("P1")
def test_a_case_needs_owners_who_can_hold_and_supervise_it(people: Personas) -> None:
    with pytest.raises(Refusal) as handler:  # a call handler cannot be officer in charge
        actions.open_case(people.actor("supervisor"), kind="crime", title="x", officer_id=people.handler.pk)
    assert handler.value.safeguard == "P1"
    with pytest.raises(Refusal) as own:  # the officer in charge cannot supervise their own case
        actions.open_case(people.actor("supervisor"), kind="crime", title="x", officer_id=people.supervisor.pk)
    assert own.value.safeguard == "P1"
    with pytest.raises(Invalid):  # nobody supervises the officer's team and none was named
        Team.objects.filter(pk=people.response_team.pk).update(supervisor=None)
        actions.open_case(people.actor("officer"), kind="crime", title="x")
    with pytest.raises(Forbidden):
        actions.open_case(people.actor("handler"), kind="crime", title="x", officer_id=people.officer.pk)
    assert not Case.objects.exists()


@pytest.mark.safeguard("P1")
def test_only_the_case_owners_or_a_supervisor_work_a_case(people: Personas) -> None:
    c = case_for(people)
    with pytest.raises(Forbidden):
        actions.link_log(people.actor("investigator"), c.pk,
                         reference=raise_log(people.actor("handler")).reference)
    actions.close_case(people.actor("inspector"), c.pk, note="No further action: victim withdrew")
    with pytest.raises(Refusal) as closed:
        actions.add_party(people.actor("officer"), c.pk, person_id=person(people).pk, role="victim")
    assert closed.value.status == 409


@pytest.mark.safeguard("P1")
def test_a_handover_records_who_to_whom_why_and_a_summary_the_receiver_acknowledges(people: Personas) -> None:
    c = case_for(people)
    with pytest.raises(Invalid):
        actions.hand_over(people.actor("officer"), c.pk, to_user_id=people.investigator.pk, reason="Moving",
                          summary="")
    with pytest.raises(Refusal) as handler:
        actions.hand_over(people.actor("officer"), c.pk, to_user_id=people.handler.pk, reason="Moving",
                          summary=SUMMARY)
    assert handler.value.safeguard == "P1"
    h = actions.hand_over(people.actor("officer"), c.pk, to_user_id=people.investigator.pk,
                          reason="Moving to the investigation team", summary=SUMMARY)
    c.refresh_from_db()
    assert (c.officer_id, h.from_user_id, h.to_user_id, h.acknowledged_at) == (
        people.investigator.pk, people.officer.pk, people.investigator.pk, None)
    assert Notification.objects.filter(recipient=people.investigator, kind="case_handover").exists()
    mine = queries.my_cases(people.investigator)
    assert [r["reference"] for r in mine["cases"]] == [c.reference]
    assert [a["id"] for a in mine["awaiting"]] == [h.pk]
    with pytest.raises(Forbidden):  # only the receiver acknowledges
        actions.acknowledge(people.actor("supervisor"), c.pk, h.pk)
    actions.acknowledge(people.actor("investigator"), c.pk, h.pk)
    with pytest.raises(Refusal) as twice:
        actions.acknowledge(people.actor("investigator"), c.pk, h.pk)
    assert twice.value.status == 409
    assert queries.my_cases(people.investigator)["awaiting"] == []


@pytest.mark.safeguard("P1")
def test_an_officer_with_open_cases_is_not_moved_until_they_are_handed_over(people: Personas) -> None:
    first, second = case_for(people), case_for(people, title="Assault outside the Crown")
    with pytest.raises(Refusal) as refused:
        move_staff(people.actor("supervisor"), people.officer.pk, team="Investigation", role="investigator",
                   reason="Promotion")
    assert refused.value.safeguard == "P1" and refused.value.status == 409
    assert refused.value.details["cases"] == [first.reference, second.reference]
    assert first.reference in refused.value.message and second.reference in refused.value.message
    people.officer.refresh_from_db()
    assert people.officer.role == "response_officer"  # nothing changed
    assert not AuditRecord.objects.filter(action="staff.moved").exists()
    actions.hand_over(people.actor("supervisor"), first.pk, to_user_id=people.investigator.pk,
                      reason="Officer moving", summary=SUMMARY)
    with pytest.raises(Refusal):  # one still held
        move_staff(people.actor("supervisor"), people.officer.pk, team="Investigation", role="investigator",
                   reason="Promotion")
    # queued to the supervisor: they hold it until they allocate it
    actions.hand_over(people.actor("officer"), second.pk, to_user_id=people.supervisor.pk,
                      reason="Officer moving", summary=SUMMARY)
    second.refresh_from_db()
    assert second.queued and second.officer_id == people.supervisor.pk
    assert queries.team_cases(people.supervisor)["cases"][0]["reference"] == second.reference  # queued first
    move_staff(people.actor("supervisor"), people.officer.pk, team="Investigation", role="investigator",
               reason="Promotion")
    assert User.objects.get(pk=people.officer.pk).role == "investigator"


@pytest.mark.safeguard("P1")
def test_a_supervisors_move_hands_supervision_to_the_teams_supervisor(people: Personas) -> None:
    c = case_for(people)
    # the supervisor is the team's supervisor: nobody to take the cases over, so the move is refused
    with pytest.raises(Refusal) as refused:
        move_staff(people.actor("admin"), people.supervisor.pk, team="Response 2", role="supervisor",
                   reason="Posted to another team")
    assert refused.value.safeguard == "P1" and "supervisor" in refused.value.next_step
    deputy = User.objects.create(username="sup2", role="supervisor", team=people.response_team, first_name="Sam")
    Team.objects.filter(pk=people.response_team.pk).update(supervisor=deputy)
    move_staff(people.actor("admin"), people.supervisor.pk, team="Response 2", role="supervisor",
               reason="Posted to another team")
    c.refresh_from_db()
    assert c.supervisor_id == deputy.pk
    h = Handover.objects.get(case=c)
    assert (h.kind, h.from_user_id, h.to_user_id) == ("supervisor", people.supervisor.pk, deputy.pk)
    assert AuditRecord.objects.filter(action="case.supervision_handed_over").count() == 1
    # a supervisor who stays in the team and keeps supervising keeps their cases
    other = case_for(people, title="Theft from a van")
    move_staff(people.actor("admin"), deputy.pk, team=people.response_team.name, role="duty_inspector",
               reason="Acting up")
    other.refresh_from_db()
    assert other.supervisor_id == deputy.pk


@pytest.mark.safeguard("P1")
def test_case_records_are_kept_forever_in_the_database(people: Personas) -> None:
    c = case_for(people)
    h = actions.hand_over(people.actor("officer"), c.pk, to_user_id=people.investigator.pk, reason="Moving",
                          summary=SUMMARY)
    statements = [
        ("DELETE FROM cases_case WHERE id = %s", [c.pk]),
        ("UPDATE cases_case SET reference = 'X' WHERE id = %s", [c.pk]),
        ("DELETE FROM cases_handover WHERE id = %s", [h.pk]),
        ("UPDATE cases_handover SET summary = 'nothing' WHERE id = %s", [h.pk]),
        ("DELETE FROM cases_caseevent WHERE case_id = %s", [c.pk]),
        ("UPDATE cases_caseevent SET text = 'x' WHERE case_id = %s", [c.pk]),
    ]
    for statement, params in statements:
        with pytest.raises(DatabaseError, match="P1"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, params)
    assert CaseEvent.objects.filter(case=c).count() == 2
    Handover.objects.filter(pk=h.pk).update(acknowledged_at=h.at)  # the acknowledgement is what may be added


@pytest.mark.safeguard("R1", "P1")
def test_a_risk_assessment_starts_from_a_case_on_its_latest_log_and_the_timeline_says_so(people: Personas) -> None:
    from tests.integration.risk.support import load

    load()
    c = case_for(people)
    v = person(people)
    officer = people.actor("officer")
    actions.add_party(officer, c.pk, person_id=v.pk, role="victim")
    log = raise_log(people.actor("handler"), category="domestic_incident")
    actions.link_log(officer, c.pk, reference=log.reference)
    a = actions.start_assessment(officer, c.pk, person_id=v.pk, instrument="domestic-abuse")
    assert (a.person_id, a.subject_role, a.log_id, a.state) == (v.pk, "victim", log.pk, "draft")
    assert CaseEvent.objects.filter(case=c, kind="assessment").count() == 1
    record = AuditRecord.objects.filter(action="risk.assessment_started").order_by("-seq").first()
    assert record is not None and record.after["case"] == c.reference
    # Someone not on the case is refused; so is a person who is not on it.
    with pytest.raises(Refusal):
        actions.start_assessment(people.actor("investigator"), c.pk, person_id=v.pk, instrument="domestic-abuse")
    stranger = person(people, "Stranger")
    with pytest.raises(Invalid, match="not on case"):
        actions.start_assessment(officer, c.pk, person_id=stranger.pk, instrument="domestic-abuse")
