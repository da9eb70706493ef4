"""Referral actions against the database (P7, P11): each writes one audit record or, refused, nothing; the queue
is ordered by risk; overdue referrals remind and then escalate, once; referrals from other forces are tracked
until acknowledged and actioned at the address they give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.referrals.support import CSV, incoming, person, referral
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases.models import Case
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.referrals import actions, queries
from watchkeeper.referrals.models import ImportBatch, IncomingReferral, IntelReferral, ReferralEvent
from watchkeeper.risk import actions as risk

pytestmark = pytest.mark.django_db


def _audits(since: int) -> list[str]:
    return list(AuditRecord.objects.filter(seq__gt=since).order_by("seq").values_list("action", flat=True))


def _seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _state() -> tuple[int, int, int, list[tuple[int, str, int | None]]]:
    return (IntelReferral.objects.count(), ImportBatch.objects.count(), ReferralEvent.objects.count(),
            list(IntelReferral.objects.order_by("pk").values_list("pk", "access", "officer_id")))


@pytest.mark.safeguard("P7")
def test_a_referral_is_queued_by_risk_with_its_target_age(people: Personas) -> None:
    since = _seq()
    old = referral(people, "Old Low", allocated=None, received_at=clock.now() - timedelta(days=20),
                   risk_grade="low")
    high = referral(people, "New High", allocated=None, risk_grade="high")
    child = referral(people, "Teacher", allocated=None, access_to_children="yes", checks=["dbs"])
    assert _audits(since) == ["referral.received"] * 3
    assert [r["subject_name"] for r in queries.queue()] == ["Teacher", "New High", "Old Low"]
    assert child.tier == "children" and child.target_at == child.received_at + timedelta(days=2)
    assert old.target_at == old.received_at + timedelta(days=56) and high.tier == "high"
    assert queries.queue(tier="high")[0]["id"] == high.pk
    assert queries.queue()[2]["age_days"] == 20


@pytest.mark.safeguard("P7")
def test_an_import_is_checked_row_by_row_all_or_nothing(people: Personas) -> None:
    before, since = _state(), _seq()
    bad = CSV + "Dan Bad,Bought one item,no,low,5,address\nEve Odd,Bought one item,maybe,low,,\n"
    with pytest.raises(Invalid) as refused:
        actions.import_referrals(people.actor("investigator"), source="CEOP", text=bad)
    rows = refused.value.details["rows"]
    assert [r["row"] for r in rows] == [5, 6] and "(P7)" in rows[0]["problem"] and "access" in rows[1]["problem"]
    assert _state() == before and _audits(since) == []
    for text, says in (("name,summary\nA,B\n", "subject_name"), ("subject_name,summary,colour\nA,B,red\n", "colour"),
                       ("subject_name,summary\n", "no rows"), ("", "empty")):
        with pytest.raises(Invalid, match=says):
            actions.import_referrals(people.actor("investigator"), source="CEOP", text=text)
    too_many = "subject_name,summary\n" + "A,B\n" * (actions.MAX_IMPORT_ROWS + 1)
    with pytest.raises(Invalid, match="at most"):
        actions.import_referrals(people.actor("investigator"), source="CEOP", text=too_many)
    batch = actions.import_referrals(people.actor("investigator"), source="CEOP", operation="Operation Spade",
                                     text=CSV)
    assert batch.rows == 3 and _audits(since) == ["referral.imported"]
    assert [r["subject_name"] for r in queries.queue()] == ["Colin Child", "Brian High", "Alan Low"]


@pytest.mark.safeguard("P7")
def test_only_a_supervisor_allocates_and_the_officer_is_told(people: Personas) -> None:
    r = referral(people, allocated=None)
    before, since = _state(), _seq()
    with pytest.raises(Refusal) as refused:
        actions.allocate(people.actor("investigator"), r.pk, officer_id=people.investigator.pk)
    assert refused.value.safeguard == "P7" and refused.value.status == 403
    with pytest.raises(Forbidden):
        actions.allocate(people.actor("handler"), r.pk, officer_id=people.officer.pk)
    with pytest.raises(Invalid):
        actions.allocate(people.actor("supervisor"), r.pk, officer_id=people.handler.pk)  # does not hold cases
    assert _state() == before and _audits(since) == []
    actions.allocate(people.actor("supervisor"), r.pk, officer_id=people.officer.pk)
    assert _audits(since) == ["referral.allocated"]
    assert Notification.objects.filter(recipient=people.officer, kind="referral_allocated", safeguard="P7").exists()
    assert queries.queue(officer_id=people.officer.pk)[0]["state"] == "allocated"


@pytest.mark.safeguard("P7")
def test_a_dbs_check_showing_access_to_children_moves_it_to_the_top(people: Personas) -> None:
    high = referral(people, "Brian High", risk_grade="high")
    teacher = referral(people, "Martin Teacher", risk_grade="low")
    before, since = _state(), _seq()
    with pytest.raises(Refusal) as refused:
        actions.assess(people.actor("officer"), teacher.pk, access_to_children="no", risk_grade="low",
                       checks=["address"])
    assert refused.value.safeguard == "P7" and _state() == before and _audits(since) == []
    with pytest.raises(Refusal):
        actions.assess(people.actor("investigator"), teacher.pk, access_to_children="unknown", risk_grade="low")
    assert [r["id"] for r in queries.queue()] == [high.pk, teacher.pk]
    actions.assess(people.actor("officer"), teacher.pk, access_to_children="yes", risk_grade="high",
                   checks=["dbs"], note="Teacher")
    teacher.refresh_from_db()
    assert _audits(since) == ["referral.assessed"]
    assert [r["id"] for r in queries.queue()] == [teacher.pk, high.pk]
    assert teacher.tier == "children" and teacher.target_at == teacher.received_at + timedelta(days=2)


@pytest.mark.safeguard("P7")
def test_the_outcome_is_recorded_by_the_allocated_officer_or_a_supervisor_once(people: Personas) -> None:
    r = referral(people)
    since = _seq()
    for who in ("investigator", "handler"):
        with pytest.raises(Refusal):
            actions.record_outcome(people.actor(who), r.pk, outcome="visited")
    with pytest.raises(Refusal) as refused:
        actions.record_outcome(people.actor("officer"), r.pk, outcome="no_action")
    assert refused.value.safeguard == "P7" and _audits(since) == []
    actions.record_outcome(people.actor("officer"), r.pk, outcome="no_action", note="Died before it arrived")
    assert _audits(since) == ["referral.worked"]
    with pytest.raises(Refusal) as refused:
        actions.record_outcome(people.actor("supervisor"), r.pk, outcome="visited")
    assert refused.value.status == 409
    assert queries.queue() == [] and queries.queue(state="worked")[0]["outcome"] == "no_action"
    other = referral(people, "Other")
    actions.record_outcome(people.actor("supervisor"), other.pk, outcome="arrested")


@pytest.mark.safeguard("P7")
def test_a_referral_opens_a_case_held_by_its_officer_with_one_audit_record(people: Personas) -> None:
    r = referral(people, access_to_children="yes", checks=["dbs"])
    since = _seq()
    case = actions.open_case(people.actor("officer"), r.pk)
    assert _audits(since) == ["case.opened"]
    assert (case.officer_id, case.supervisor_id, case.risk) == (people.officer.pk, people.supervisor.pk, "high")
    assert r.reference in case.title
    r.refresh_from_db()
    assert r.case_id == case.pk
    with pytest.raises(Refusal):
        actions.open_case(people.actor("officer"), r.pk)
    assert Case.objects.count() == 1


@pytest.mark.safeguard("P7")
def test_past_its_target_a_referral_reminds_then_escalates_once(people: Personas) -> None:
    r = referral(people, risk_grade="high")
    assert actions.fire_referral_targets(clock.now()) == 0
    at_target = r.target_at + timedelta(minutes=1)
    assert actions.fire_referral_targets(at_target) == 1
    assert actions.fire_referral_targets(at_target) == 0
    assert Notification.objects.filter(recipient=people.officer, kind="referral_overdue", safeguard="P7").count() == 1
    assert not Notification.objects.filter(kind="referral_escalated").exists()
    assert actions.fire_referral_targets(r.target_at + timedelta(days=1)) == 0  # escalate_after_days is 2
    assert actions.fire_referral_targets(r.target_at + timedelta(days=2, minutes=1)) == 1
    assert Notification.objects.filter(team=people.response_team, kind="referral_escalated").count() == 1
    assert Notification.objects.filter(recipient=people.inspector, kind="referral_escalated").count() == 1
    assert actions.fire_referral_targets(r.target_at + timedelta(days=30)) == 0
    assert list(AuditRecord.objects.filter(object_id=r.reference).values_list("action", flat=True)
                .order_by("seq"))[-2:] == ["referral.reminded", "referral.escalated"]
    assert queries.queue()[0]["escalated"] is True


@pytest.mark.safeguard("P7")
def test_an_unallocated_overdue_referral_tells_the_receiving_team_and_a_worked_one_nobody(people: Personas) -> None:
    r = referral(people, allocated=None, received_at=clock.now() - timedelta(days=17))
    done = referral(people, "Done", received_at=clock.now() - timedelta(days=15))
    actions.record_outcome(people.actor("officer"), done.pk, outcome="visited")
    assert actions.fire_referral_targets(clock.now()) == 2  # 14 days target, 2 more: reminded and escalated
    assert Notification.objects.filter(team=people.response_team, kind="referral_overdue").count() == 1
    assert IntelReferral.objects.get(pk=done.pk).stage == 0 and IntelReferral.objects.get(pk=r.pk).stage == 2


@pytest.mark.safeguard("P7")
def test_the_backlog_per_queue_for_the_assurance_reports(people: Personas) -> None:
    referral(people, allocated=None, received_at=clock.now() - timedelta(days=30), risk_grade="high")
    referral(people, "Recent", risk_grade="low")
    x = incoming(people)
    rows = {b["queue"]: b for b in queries.backlog()}
    total = rows["Intelligence referrals"]
    assert (total["size"], total["unallocated"], total["oldest_days"], total["overdue"]) == (2, 1, 30, 1)
    assert rows["Intelligence referrals: high"]["size"] == 1
    assert rows["Referrals from other forces"]["size"] == 1 and rows["Referrals from other forces"]["unallocated"] == 1
    actions.acknowledge_from_force(people.actor("handler"), x.pk)
    assert {b["queue"]: b for b in queries.backlog()}["Referrals from other forces"]["unallocated"] == 0


@pytest.mark.safeguard("P11")
def test_a_referral_from_another_force_is_tracked_until_acknowledged_and_actioned(people: Personas) -> None:
    since = _seq()
    x = incoming(people, owner="controller")
    assert _audits(since) == ["person.created", "force_referral.received"]
    assert x.ack_due_at == x.received_at + timedelta(minutes=240)
    assert Notification.objects.filter(recipient=people.controller, kind="incoming_referral", safeguard="P11").exists()
    with pytest.raises(Refusal) as refused:
        actions.action_from_force(people.actor("handler"), x.pk, note="Visited")
    assert refused.value.status == 409
    since = _seq()
    actions.acknowledge_from_force(people.actor("dispatcher"), x.pk, note="Told PC Ames")
    x.refresh_from_db()
    assert (x.state, x.acknowledged_by_id) == ("acknowledged", people.dispatcher.pk) and x.acknowledged_at
    with pytest.raises(Refusal):
        actions.acknowledge_from_force(people.actor("handler"), x.pk)
    with pytest.raises(Refusal) as refused:
        actions.action_from_force(people.actor("handler"), x.pk, note="No reply",
                                  address_attended="27 Canal Street, Kingsbridge KB2 3CC")
    assert refused.value.safeguard == "P11" and refused.value.details["address_given"] == x.address_given
    actions.action_from_force(people.actor("handler"), x.pk, note="Seen safe", address_attended=x.address_given)
    assert _audits(since) == ["force_referral.acknowledged", "force_referral.actioned"]
    assert queries.incoming()[0]["state"] == "actioned"


@pytest.mark.safeguard("P11")
def test_an_unacknowledged_referral_reminds_its_owner_then_escalates_once(people: Personas) -> None:
    x = incoming(people, owner="officer")
    assert actions.fire_incoming_acks(clock.now()) == 0
    assert actions.fire_incoming_acks(x.ack_due_at) == 1
    assert actions.fire_incoming_acks(x.ack_due_at) == 0
    assert Notification.objects.filter(recipient=people.officer, kind="incoming_referral_due").count() == 1
    assert actions.fire_incoming_acks(x.ack_due_at + timedelta(minutes=59)) == 0
    assert actions.fire_incoming_acks(x.ack_due_at + timedelta(minutes=60)) == 1
    assert Notification.objects.filter(team=people.response_team, kind="incoming_referral_overdue").count() == 1
    assert Notification.objects.filter(recipient=people.inspector, kind="incoming_referral_overdue").count() == 1
    acked = incoming(people, acknowledged=True)
    assert actions.fire_incoming_acks(acked.ack_due_at + timedelta(days=1)) == 0
    assert queries.incoming()[0]["escalated"] is True


@pytest.mark.safeguard("P11")
def test_bad_input_for_a_force_referral_is_refused_naming_the_field(people: Personas) -> None:
    p = person(people)
    for kw, field in (({"person_id": 10**12}, "person_id"), ({"subject_role": "boss"}, "subject_role"),
                      ({"owner_id": people.learning.pk}, "owner_id"),
                      ({"ack_due_at": clock.now() - timedelta(minutes=1)}, "ack_due_at"),
                      ({"received_at": clock.now() + timedelta(days=1)}, "received_at")):
        args = {"sending_force": "Force", "sender": "PC", "person_id": p.pk, "ask": "Check", **kw}
        with pytest.raises(Invalid) as refused:
            actions.receive_from_force(people.actor("handler"), **args)
        assert refused.value.details["field"] == field
    assert IncomingReferral.objects.count() == 0


@pytest.mark.safeguard("P11")
def test_both_directions_show_referrals_made_to_other_forces_too(people: Personas) -> None:
    p = person(people, "Lyle")
    risk.refer_to_force(people.actor("officer"), person_id=p.pk, force="Northam Police", ask="See him today")
    incoming(people)
    assert [f["party"] for f in queries.outgoing()] == ["Northam Police"]
    assert len(queries.incoming()) == 1
