"""Special schemes (M2) and their grade floor (D5), orders that protect classes of people (M3), and party-aware
merging (L7), through the real actions, pages and API and the sweeper's handler, against the real database
(SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from tests.integration.people.support import MS_A_HOME, MS_A_PHONE, call, open_prompts, person
from tests.support.factories import fresh, thrive
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Grading, Log, Notification, Task
from watchkeeper.people import actions
from watchkeeper.people.models import LogParty, Order, Person, Prompt, SpecialScheme, VictimContact
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db


def scheme(people, *, who: str = "investigator", **kw):
    amy = kw.pop("victim", None) or person(people, "Amy", "Archer", home=MS_A_HOME, phone=MS_A_PHONE)
    base = {"victim_id": amy.pk, "reason": "Ex-husband threatened to kill her", "victim_told_how": "phone call",
            "address": MS_A_HOME}
    return actions.create_scheme(people.actor(who), **{**base, **kw})


def told(people, kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind, safeguard="M2").values_list("recipient__username", flat=True))


# ---------------------------------------------------------------------------------------------- M2
@pytest.mark.safeguard("M2")
def test_a_scheme_needs_the_victim_told_and_records_that_she_was(people):
    amy = person(people, "Amy", "Archer")
    with pytest.raises(Refusal) as exc:
        scheme(people, victim=amy, victim_told_how="  ")
    assert exc.value.safeguard == "M2"
    assert not SpecialScheme.objects.exists() and not AuditRecord.objects.filter(action="scheme.created").exists()
    s = scheme(people, victim=amy)
    assert (s.officer_id, s.victim_told_how, s.grade_floor) == (people.investigator.pk, "phone call", "emergency")
    [contact] = VictimContact.objects.filter(scheme=s)
    assert contact.reached and contact.at == s.starts_at and "phone call" in contact.outcome
    assert s.ends_at == s.starts_at + timedelta(days=183)
    assert s.review_due_at == s.ends_at - timedelta(days=14) and s.expiry_due_at == s.ends_at


@pytest.mark.safeguard("M2")
def test_a_scheme_longer_than_the_maximum_is_refused_and_a_shorter_one_kept(people):
    amy = person(people, "Amy", "Archer")
    with pytest.raises(Refusal) as exc:
        scheme(people, victim=amy, ends_at=clock.now() + timedelta(days=365))
    assert exc.value.safeguard == "M2"
    short = scheme(people, victim=amy, ends_at=clock.now() + timedelta(days=30), grade_floor="priority",
                   officer_id=people.supervisor.pk)
    assert (short.grade_floor, short.officer_id) == ("priority", people.supervisor.pk)
    assert SpecialScheme.objects.count() == 1


def test_a_scheme_refuses_bad_input_without_writing(people):
    amy = person(people, "Amy", "Archer")
    before = (SpecialScheme.objects.count(), VictimContact.objects.count(), AuditRecord.objects.count())
    for kw in ({"address": "", "phone": ""}, {"address": "", "phone": "12"}, {"address": "!!"},
               {"grade_floor": "whenever"}, {"ends_at": clock.now() - timedelta(days=1)}, {"officer_id": 999_999},
               {"reason": ""}, {"victim_told_how": "x" * 201}):
        with pytest.raises(Invalid):
            scheme(people, victim=amy, **kw)
    with pytest.raises(NotFound):
        scheme(people, victim=amy, victim_id=999_999)
    with pytest.raises(Forbidden):
        scheme(people, victim=amy, who="handler")
    assert (SpecialScheme.objects.count(), VictimContact.objects.count(), AuditRecord.objects.count()) == before


@pytest.mark.safeguard("M2")
def test_removal_is_refused_without_a_contact_attempt_since_she_was_told(people):
    s = scheme(people)
    with pytest.raises(Refusal) as exc:
        actions.remove_scheme(people.actor("supervisor"), s.pk, reason="No incidents for months")
    assert exc.value.safeguard == "M2"
    assert SpecialScheme.objects.get(pk=s.pk).removed_at is None
    actions.record_victim_contact(people.actor("investigator"), s.pk, channel="phone", reached=False,
                                  outcome="No answer; voicemail left asking her to call back")
    removed = actions.remove_scheme(people.actor("supervisor"), s.pk, reason="Victim moved away; no answer")
    kept = SpecialScheme.objects.get(pk=s.pk)
    assert (kept.removed_by_id, kept.removal_reason, kept.review_due_at, kept.expiry_due_at) == (
        people.supervisor.pk, "Victim moved away; no answer", None, None)
    assert removed.removed_at is not None
    assert told(people, "scheme_removed") == {"investigator"}  # the officer in charge is told
    [record] = AuditRecord.objects.filter(action="scheme.removed")
    assert record.after == {"contact_attempts": 1}
    with pytest.raises(Refusal) as again:
        actions.remove_scheme(people.actor("supervisor"), s.pk, reason="again")
    assert again.value.status == 409


@pytest.mark.safeguard("M2")
def test_the_review_task_falls_due_before_the_end_and_fires_once(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=60))
    assert actions.fire_scheme_deadlines(s.review_due_at - timedelta(seconds=1)) == 0
    with time_machine.travel(s.review_due_at + timedelta(minutes=1), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 1
        assert actions.fire_scheme_deadlines(clock.now()) == 0
    s = SpecialScheme.objects.get(pk=s.pk)
    task = Task.objects.get(pk=s.review_task_id)
    assert (task.owner_id, task.due_at, task.state) == (people.investigator.pk, s.ends_at, "open")
    assert "Amy Archer" in task.description
    assert told(people, "scheme_review") == {"investigator"}
    assert AuditRecord.objects.filter(action="scheme.review_due", object_id=str(s.pk)).count() == 1


@pytest.mark.safeguard("M2")
def test_removing_a_scheme_closes_its_review_task(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=20))
    actions.fire_scheme_deadlines(s.review_due_at)
    actions.record_victim_contact(people.actor("investigator"), s.pk, channel="in person", reached=True,
                                  outcome="She no longer wants it")
    actions.remove_scheme(people.actor("investigator"), s.pk, reason="At the victim's request")
    task = Task.objects.get(pk=SpecialScheme.objects.get(pk=s.pk).review_task_id)
    assert (task.state, task.alert_at) == ("done", None)
    assert told(people, "scheme_removed") == set()  # the officer removed it themselves


@pytest.mark.safeguard("M2")
def test_a_scheme_never_ends_silently_the_officer_then_the_supervisor_are_told_daily(people):
    """M2 (issue 10): at its end date without a decision the scheme stays in force as review overdue and
    escalates every day: the officer in charge first, from the next day their supervisor too."""
    s = scheme(people, ends_at=clock.now() + timedelta(days=10))
    with time_machine.travel(s.ends_at + timedelta(minutes=1), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 2  # the overdue review, then the first escalation
        assert actions.fire_scheme_deadlines(clock.now()) == 0
        assert told(people, "scheme_overdue") == {"investigator"}
        kept = SpecialScheme.objects.get(pk=s.pk)
        assert kept.state_at(clock.now()) == "review_overdue" and kept.removed_at is None
        assert kept.overdue_escalations == 1 and kept.expiry_due_at == s.ends_at + timedelta(hours=24)
        assert "without a decision" in Notification.objects.get(kind="scheme_overdue").text
    with time_machine.travel(s.ends_at + timedelta(hours=24, minutes=2), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 1
        assert actions.fire_scheme_deadlines(clock.now()) == 0
    assert told(people, "scheme_overdue") == {"investigator", "supervisor"}
    with time_machine.travel(s.ends_at + timedelta(hours=48, minutes=3), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 1
    notes = Notification.objects.filter(kind="scheme_overdue")
    assert sorted(notes.values_list("recipient__username", flat=True)) == [
        "investigator", "investigator", "investigator", "supervisor", "supervisor"]
    assert "review overdue for 2 day(s)" in notes.order_by("-id").first().text
    records = list(AuditRecord.objects.filter(action="scheme.review_overdue").order_by("seq"))
    assert [r.after["escalation"] for r in records] == [1, 2, 3]
    assert records[0].after["told"] == [people.investigator.pk]
    # The review task stays open: nobody has decided.
    task = Task.objects.get(pk=SpecialScheme.objects.get(pk=s.pk).review_task_id)
    assert task.state == "open" and task.owner_id == people.investigator.pk


@pytest.mark.safeguard("M2")
def test_a_missed_day_escalates_once_on_the_next_sweep_not_once_per_missed_day(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=10))
    with time_machine.travel(s.ends_at + timedelta(days=5), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 2
        assert actions.fire_scheme_deadlines(clock.now()) == 0
        assert SpecialScheme.objects.get(pk=s.pk).expiry_due_at == clock.now() + timedelta(hours=24)


@pytest.mark.safeguard("M2")
def test_a_reviewed_scheme_that_nobody_decided_is_still_overdue_with_a_task_to_decide_it(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=30))
    actions.fire_scheme_deadlines(s.review_due_at)
    task = Task.objects.get(pk=SpecialScheme.objects.get(pk=s.pk).review_task_id)
    logs.complete_task(people.actor("investigator"), task.pk, result="Spoke to her; she is safe")
    actions.fire_scheme_deadlines(s.ends_at)
    assert told(people, "scheme_overdue") == {"investigator"}
    kept = SpecialScheme.objects.get(pk=s.pk)
    decide = Task.objects.get(pk=kept.review_task_id)
    assert decide.pk != task.pk and decide.state == "open" and "extend it or remove it" in decide.description


@pytest.mark.safeguard("M2", "D5")
def test_an_overdue_scheme_keeps_its_floor_until_a_person_extends_or_removes_it(people):
    s = scheme(people, address="", phone=MS_A_PHONE, grade_floor="priority",
               ends_at=clock.now() + timedelta(days=20))
    with time_machine.travel(s.ends_at + timedelta(days=3), tick=False):
        actions.fire_scheme_deadlines(clock.now())
        log = call(people, phone=MS_A_PHONE)
        assert fresh(log).proposed_grade == "priority"
        with pytest.raises(Refusal) as exc:
            logs.grade_log(people.actor("handler"), log.reference, grade="scheduled", thrive=thrive(),
                           rationale="Old scheme", expected_version=fresh(log).version)
        assert exc.value.safeguard == "D5"
        # Extended: in force again, not overdue; the overdue task is closed with the decision.
        task_id = SpecialScheme.objects.get(pk=s.pk).review_task_id
        actions.extend_scheme(people.actor("supervisor"), s.pk, until=clock.now() + timedelta(days=60),
                              reason="He is released next week")
        kept = SpecialScheme.objects.get(pk=s.pk)
        assert kept.state_at(clock.now()) == "active" and kept.overdue_escalations == 0
        assert kept.expiry_due_at == kept.ends_at and kept.review_due_at == kept.ends_at - timedelta(days=14)
        assert Task.objects.get(pk=task_id).state == "done"
        assert told(people, "scheme_extended") == {"investigator"}
        [record] = AuditRecord.objects.filter(action="scheme.extended")
        assert record.reason == "He is released next week" and record.before["review_overdue"] is True
        assert fresh(call(people, phone=MS_A_PHONE)).proposed_grade == "priority"
        assert actions.fire_scheme_deadlines(clock.now()) == 0
    # Removed (after an attempt to contact her): no floor, no more escalations.
    actions.record_victim_contact(people.actor("investigator"), s.pk, channel="phone", reached=True,
                                  outcome="She has moved to another force area")
    actions.remove_scheme(people.actor("investigator"), s.pk, reason="Victim moved away")
    assert fresh(call(people, phone=MS_A_PHONE)).proposed_grade is None
    with time_machine.travel(clock.now() + timedelta(days=90), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 0


@pytest.mark.safeguard("M2")
def test_an_extension_is_bounded_needs_a_reason_and_a_live_scheme(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=30))
    inv = people.actor("investigator")
    before = (AuditRecord.objects.count(), SpecialScheme.objects.get(pk=s.pk).ends_at)
    with pytest.raises(Refusal) as exc:
        actions.extend_scheme(inv, s.pk, until=clock.now() + timedelta(days=184), reason="Risk remains")
    assert exc.value.safeguard == "M2"
    for until, reason in ((clock.now() + timedelta(days=10), "Earlier than its end"),
                          (clock.now() - timedelta(days=1), "In the past"), (None, "No date"),
                          (clock.now() + timedelta(days=60), "  ")):
        with pytest.raises(Invalid):
            actions.extend_scheme(inv, s.pk, until=until, reason=reason)
    with pytest.raises(NotFound):
        actions.extend_scheme(inv, 999_999, until=clock.now() + timedelta(days=60), reason="x")
    with pytest.raises(Forbidden):
        actions.extend_scheme(people.actor("handler"), s.pk, until=clock.now() + timedelta(days=60), reason="x")
    assert (AuditRecord.objects.count(), SpecialScheme.objects.get(pk=s.pk).ends_at) == before
    actions.extend_scheme(inv, s.pk, until=clock.now() + timedelta(days=183), reason="Risk remains")
    assert told(people, "scheme_extended") == set()  # the officer in charge extended it
    actions.record_victim_contact(inv, s.pk, channel="phone", reached=True, outcome="Agreed to end it")
    actions.remove_scheme(inv, s.pk, reason="Agreed")
    with pytest.raises(Refusal) as removed:
        actions.extend_scheme(inv, s.pk, until=clock.now() + timedelta(days=60), reason="x")
    assert removed.value.status == 409


@pytest.mark.safeguard("M2")
def test_ending_an_overdue_scheme_still_needs_an_attempt_to_contact_the_victim(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=5))
    with time_machine.travel(s.ends_at + timedelta(days=2), tick=False):
        actions.fire_scheme_deadlines(clock.now())
        with pytest.raises(Refusal) as exc:
            actions.remove_scheme(people.actor("supervisor"), s.pk, reason="Overdue; let it go")
        assert exc.value.safeguard == "M2"
        actions.record_victim_contact(people.actor("investigator"), s.pk, channel="visit", reached=False,
                                      outcome="Nobody home; card left")
        actions.remove_scheme(people.actor("supervisor"), s.pk, reason="No contact for months; risk reassessed")
        kept = SpecialScheme.objects.get(pk=s.pk)
        assert kept.state_at(clock.now()) == "removed" and kept.expiry_due_at is None
        assert Task.objects.get(pk=kept.review_task_id).state == "done"


def test_the_escalation_interval_is_policy(people):
    from watchkeeper.core.config import set_policy

    set_policy(people.actor("admin"), "scheme_overdue_escalation_hours", 6, "Tighter for this force")
    s = scheme(people, ends_at=clock.now() + timedelta(days=5))
    with time_machine.travel(s.ends_at + timedelta(minutes=1), tick=False):
        actions.fire_scheme_deadlines(clock.now())
    assert SpecialScheme.objects.get(pk=s.pk).expiry_due_at == s.ends_at + timedelta(hours=6)


# ---------------------------------------------------------------------------------------------- D5
@pytest.mark.safeguard("D5")
def test_a_call_from_a_phone_under_an_active_scheme_cannot_be_graded_below_its_floor(people):
    scheme(people, address="", phone=MS_A_PHONE, grade_floor="priority")
    log = call(people, phone="+447700900411", category="other")
    assert fresh(log).proposed_grade == "priority"
    h = people.actor("handler")
    with pytest.raises(Refusal) as exc:
        logs.grade_log(h, log.reference, grade="scheduled", thrive=thrive(), rationale="Seems calm",
                       expected_version=fresh(log).version)
    assert exc.value.safeguard == "D5" and exc.value.details == {"floor": "priority"}
    assert fresh(log).grade is None and not Grading.objects.exists()
    logs.grade_log(h, log.reference, grade="priority", thrive=thrive(), expected_version=fresh(log).version)
    assert fresh(log).grade == "priority"


@pytest.mark.safeguard("D5")
def test_a_call_about_an_address_under_a_scheme_gets_its_floor_once_the_place_is_known(people):
    scheme(people)
    log = call(people, phone="07700 900999", category="suspicious_circumstances")
    assert fresh(log).proposed_grade is None
    # The place as the caller gives it: no town, but the same postcode and house.
    actions.link_party(people.actor("handler"), log.reference, role="location", address="14 Beech Grove KB4 1AA")
    assert fresh(log).proposed_grade == "emergency"
    with pytest.raises(Refusal) as exc:
        logs.grade_log(people.actor("handler"), log.reference, grade="priority", thrive=thrive(),
                       rationale="x", expected_version=fresh(log).version)
    assert exc.value.safeguard == "D5"


@pytest.mark.safeguard("D5", "M2")
def test_a_removed_scheme_sets_no_floor_but_one_past_its_end_undecided_still_does(people):
    s = scheme(people, address="", phone=MS_A_PHONE, ends_at=clock.now() + timedelta(days=20))
    with time_machine.travel(s.ends_at + timedelta(minutes=1), tick=False):
        log = call(people, phone=MS_A_PHONE)
        assert fresh(log).proposed_grade == "emergency"  # review overdue: still in force (issue 10)
    other = scheme(people, victim=s.victim, address="", phone="07700 900412")
    actions.record_victim_contact(people.actor("investigator"), other.pk, channel="phone", reached=True,
                                  outcome="Agreed")
    actions.remove_scheme(people.actor("investigator"), other.pk, reason="Agreed with her")
    assert fresh(call(people, phone="07700 900412")).proposed_grade is None


@pytest.mark.safeguard("D5")
def test_the_floor_protects_the_protected_not_the_same_number_as_a_suspects_or_mentioned(people):
    """D5 (issue 10): the victim's phone as the suspect's number, a witness's or one mentioned sets no
    floor; her phone as the caller's, her address as the location, or she herself as victim or caller does."""
    s = scheme(people, address=MS_A_HOME, phone=MS_A_PHONE, grade_floor="priority")
    h = people.actor("handler")
    for role in ("suspect", "witness", "mentioned", "subject"):
        log = call(people, phone="07700 900999", category="other")
        actions.link_party(h, log.reference, role=role, phone=MS_A_PHONE)
        actions.link_party(h, log.reference, role=role, address=MS_A_HOME)
        actions.link_party(h, log.reference, role=role, person_id=s.victim_id)
        assert fresh(log).proposed_grade is None, role
        logs.grade_log(h, log.reference, grade="scheduled", thrive=thrive(), expected_version=fresh(log).version)
    for role, what in (("caller", {"phone": MS_A_PHONE}), ("location", {"address": MS_A_HOME}),
                       ("victim", {"person_id": s.victim_id}), ("caller", {"person_id": s.victim_id}),
                       ("victim", {"address": "14 Beech Grove KB4 1AA"})):
        log = call(people, phone="07700 900999", category="other")
        actions.link_party(h, log.reference, role=role, **what)
        assert fresh(log).proposed_grade == "priority", (role, what)
        with pytest.raises(Refusal) as exc:
            logs.grade_log(h, log.reference, grade="scheduled", thrive=thrive(), rationale="x",
                           expected_version=fresh(log).version)
        assert exc.value.safeguard == "D5"


@pytest.mark.safeguard("D5")
def test_the_roles_that_carry_a_floor_are_policy(people):
    from watchkeeper.core.config import set_policy

    scheme(people, address="", phone=MS_A_PHONE, grade_floor="priority")
    set_policy(people.actor("admin"), "scheme_floor_roles", ["caller", "victim", "location", "witness"],
               "A witness at her address is her")
    log = call(people, phone="07700 900999")
    actions.link_party(people.actor("handler"), log.reference, role="witness", phone=MS_A_PHONE)
    assert fresh(log).proposed_grade == "priority"
    with pytest.raises(Invalid):
        set_policy(people.actor("admin"), "scheme_floor_roles", ["caller", "bystander"], "typo")


# ---------------------------------------------------------------------------------------------- L7
def counter_allegation(people, phone_b: str):
    """A husband and a wife each call about the other. Both are put on their log as its caller."""
    wife, husband = person(people, "Jane", "Cole"), person(people, "Rob", "Cole")
    a = call(people, phone="07700 900300", caller="Jane Cole", category="assault", allegation="Rob hit me")
    b = call(people, phone=phone_b, caller="R Cole", category="assault", allegation="Jane threw a plate at me")
    h = people.actor("handler")
    actions.link_party(h, a.reference, role="caller", person_id=wife.pk)
    actions.link_party(h, b.reference, role="caller", person_id=husband.pk)
    return a, b


@pytest.mark.safeguard("L7")
def test_a_merge_of_logs_from_different_callers_with_different_allegations_is_refused(people):
    a, b = counter_allegation(people, "07700 900301")
    with pytest.raises(Refusal) as exc:
        logs.merge_logs(people.actor("controller"), b.reference, a.reference, reason="Same incident")
    assert exc.value.safeguard == "L7"
    assert Log.objects.get(pk=b.pk).status == "open" and Log.objects.get(pk=b.pk).merged_into_id is None


@pytest.mark.safeguard("L7")
def test_callers_who_are_different_people_are_different_parties_even_on_one_phone(people):
    """Husband and wife ring from the same landline with allegations against each other. The phone is the
    same, but the people linked as the callers are not: it is a counter-allegation, never a merge."""
    a, b = counter_allegation(people, "07700 900300")
    assert set(LogParty.objects.filter(role="caller", person__isnull=False).values_list("log_id", flat=True)) == {
        a.pk, b.pk}
    with pytest.raises(Refusal) as exc:
        logs.merge_logs(people.actor("controller"), b.reference, a.reference, reason="Same phone")
    assert exc.value.safeguard == "L7"
    assert Log.objects.get(pk=b.pk).status == "open"


# ---------------------------------------------------------------------------------------------- M3
def years_ago(years: int, days: int = 0) -> date:
    """The date of birth of someone `years` old today who has `days` to go until their next birthday."""
    today = clock.local(clock.now()).date()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + timedelta(days=days)


def class_order(people, restricted, *, classes, activities=(), **kw):
    today = clock.local(clock.now()).date()
    base = {"kind": "sexual_harm_prevention", "restricted_id": restricted.pk, "starts_on": today - timedelta(days=30),
            "conditions": "Not to have unsupervised contact with any child under 16; no unsupervised internet use",
            "protected_classes": classes, "activities": list(activities)}
    return actions.create_order(people.actor("investigator"), **{**base, **kw})


def breaches(log) -> list[Prompt]:
    return open_prompts(log, "M3", "possible_breach")


@pytest.mark.safeguard("M3")
def test_a_restricted_person_with_a_child_under_the_orders_age_is_a_possible_breach(people):
    """M3 (issue 10): "anyone under 16" is held as {"max_age": 15}; ages come from dates of birth."""
    dean = person(people, "Dean", "Hollis")
    o = class_order(people, dean, classes=[{"max_age": 15}], activities=["No unsupervised internet use"])
    assert (o.protected_classes, o.activities) == ([{"max_age": 15}], ["No unsupervised internet use"])
    h = people.actor("handler")
    sixteen_today = person(people, "Ella", "Moss", years_ago(16))
    log = call(people, category="concern_for_welfare")
    actions.link_party(h, log.reference, role="suspect", person_id=dean.pk)
    actions.link_party(h, log.reference, role="victim", person_id=sixteen_today.pk)
    assert breaches(log) == []  # 16 today: not under 16
    almost = person(people, "Fay", "Moss", years_ago(16, days=1))  # 15 and 364 days
    actions.link_party(h, log.reference, role="witness", person_id=almost.pk)
    [breach] = breaches(log)
    assert "Fay Moss (anyone under 16)" in breach.text and f"order {o.pk}" in breach.text
    assert "Dean Hollis" in breach.text and breach.blocking
    assert breach.details == {"flag": "breach", "order": o.pk, "person": almost.pk}
    actions.decide_prompt(h, breach.pk, accept=True)
    assert "breach" in fresh(log).flags


@pytest.mark.safeguard("M3")
def test_the_restricted_persons_phone_on_the_log_puts_him_there(people):
    dean = person(people, "Dean", "Hollis", phone="07700 900555")
    class_order(people, dean, classes=[{"max_age": 17}])
    child = person(people, "Gus", "Lane", years_ago(12))
    h = people.actor("handler")
    # He rings in himself: his phone is the caller's.
    log = call(people, phone="07700 900555", category="other")
    actions.link_party(h, log.reference, role="subject", person_id=child.pk)
    assert len(breaches(log)) == 1 and "anyone under 18" in breaches(log)[0].text
    # His number is mentioned by a caller about the child.
    other = call(people, phone="07700 900999", category="other")
    actions.link_party(h, other.reference, role="victim", person_id=child.pk)
    assert breaches(other) == []
    actions.link_party(h, other.reference, role="mentioned", phone="07700 900555")
    assert len(breaches(other)) == 1


@pytest.mark.safeguard("M3")
def test_a_person_of_unknown_age_in_an_age_class_raises_a_prompt_to_establish_it_that_does_not_block(people):
    dean = person(people, "Dean", "Hollis")
    class_order(people, dean, classes=[{"max_age": 15}])
    unknown = person(people, "Hal", "Reed")
    h = people.actor("handler")
    log = call(people, category="other")
    actions.link_party(h, log.reference, role="suspect", person_id=dean.pk)
    actions.link_party(h, log.reference, role="victim", person_id=unknown.pk)
    assert breaches(log) == []
    [ask] = open_prompts(log, "M3", "order_class_age")
    assert not ask.blocking and ask.text.startswith("Establish the age of Hal Reed")
    assert "anyone under 16" in ask.text and ask.details["person"] == unknown.pk


@pytest.mark.safeguard("M3")
def test_a_partner_class_covers_his_partners_not_his_associates_or_past_partners(people):
    dean = person(people, "Dean", "Hollis")
    o = class_order(people, dean, classes=[{"relationship": "partner"}], kind="restraining",
                    conditions="Not to contact any female partner without telling police")
    partner, mate, ex = person(people, "Ivy", "Cole"), person(people, "Jim", "Bell"), person(people, "Kim", "Rae")
    inv = people.actor("investigator")
    actions.relate(inv, partner.pk, dean.pk, "partner")  # recorded either way round
    actions.relate(inv, dean.pk, mate.pk, "associate")
    actions.relate(inv, dean.pk, ex.pk, "ex_partner")
    h = people.actor("handler")
    log = call(people, category="other")
    actions.link_party(h, log.reference, role="suspect", person_id=dean.pk)
    for who in (mate, ex):
        actions.link_party(h, log.reference, role="witness", person_id=who.pk)
    assert breaches(log) == []
    actions.link_party(h, log.reference, role="caller", person_id=partner.pk)
    [breach] = breaches(log)
    assert "Ivy Cole (any partner)" in breach.text and f"order {o.pk}" in breach.text


@pytest.mark.safeguard("M3")
def test_a_class_with_two_tests_needs_both_and_only_orders_in_force_count(people):
    dean = person(people, "Dean", "Hollis")
    class_order(people, dean, classes=[{"relationship": "family", "max_age": 17}])
    adult, child = person(people, "Lou", "Hollis", years_ago(30)), person(people, "Max", "Hollis", years_ago(9))
    stranger = person(people, "Ned", "Ford", years_ago(9))
    inv = people.actor("investigator")
    actions.relate(inv, dean.pk, adult.pk, "family")
    actions.relate(inv, dean.pk, child.pk, "family")
    h = people.actor("handler")
    log = call(people, category="other")
    for who in (dean, adult, stranger):
        actions.link_party(h, log.reference, role="subject", person_id=who.pk)
    assert breaches(log) == []
    actions.link_party(h, log.reference, role="subject", person_id=child.pk)
    assert len(breaches(log)) == 1
    # An order that has ended, or not yet started, is no breach.
    other = person(people, "Olly", "Grant")
    today = clock.local(clock.now()).date()
    class_order(people, other, classes=[{"max_age": 15}], ends_on=today - timedelta(days=1))
    class_order(people, other, classes=[{"max_age": 15}], starts_on=today + timedelta(days=1))
    later = call(people, category="other")
    actions.link_party(h, later.reference, role="suspect", person_id=other.pk)
    actions.link_party(h, later.reference, role="victim", person_id=child.pk)
    assert breaches(later) == []


@pytest.mark.safeguard("M3")
def test_ages_are_taken_on_the_logs_date(people):
    dean = person(people, "Dean", "Hollis")
    class_order(people, dean, classes=[{"max_age": 15}])
    turns_16_tomorrow = person(people, "Pat", "Shaw", years_ago(16, days=1))
    log = call(people, category="other")
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        h = people.actor("handler")
        actions.link_party(h, log.reference, role="suspect", person_id=dean.pk)
        actions.link_party(h, log.reference, role="victim", person_id=turns_16_tomorrow.pk)
        assert len(breaches(log)) == 1  # 15 on the day of the log, though 16 now
        fresh_log = call(people, category="other")
        actions.link_party(h, fresh_log.reference, role="suspect", person_id=dean.pk)
        actions.link_party(h, fresh_log.reference, role="victim", person_id=turns_16_tomorrow.pk)
        assert breaches(fresh_log) == []


@pytest.mark.safeguard("M3")
def test_an_order_refuses_an_unknown_class_or_a_bad_age_naming_it_and_writes_nothing(people):
    dean = person(people, "Dean", "Hollis")
    before = (Order.objects.count(), AuditRecord.objects.count())
    for classes, says in (([{"sex": "woman"}], "'woman'"), ([{"max_age": -1}], "max_age"),
                          ([{"max_age": "15"}], "max_age"), ([{"max_age": True}], "max_age"),
                          ([{"relationship": "neighbour"}], "'neighbour'"), ([{}], "at least one"),
                          (["under 16"], "object")):
        with pytest.raises(Invalid) as exc:
            class_order(people, dean, classes=classes)
        assert says in exc.value.message and exc.value.details["field"] == "protected_classes", classes
    with pytest.raises(Invalid):
        class_order(people, dean, classes=[], activities=[""])
    with pytest.raises(Invalid):
        class_order(people, dean, classes=[], activities=[])
    assert (Order.objects.count(), AuditRecord.objects.count()) == before
    # Activities alone are an order; a class given twice is kept once.
    o = class_order(people, dean, classes=[{"max_age": 15}, {"max_age": 15}],
                    activities=["Not to enter Kingsbridge town centre"])
    assert o.protected_classes == [{"max_age": 15}]
    only = class_order(people, dean, classes=[], activities=["No unsupervised internet use"])
    [record] = AuditRecord.objects.filter(action="order.created", object_id=str(only.pk))
    assert record.after["activities"] == ["No unsupervised internet use"] and record.after["classes"] == []


@pytest.mark.safeguard("M3")
def test_the_api_takes_classes_and_activities_and_refuses_an_unknown_class_key_with_400(people):
    dean = person(people, "Dean", "Hollis")
    _, secret = issue_token(Actor(None), people.investigator.pk, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    today = clock.local(clock.now()).date().isoformat()
    body = {"kind": "sexual_harm_prevention", "restricted_id": dean.pk, "conditions": "SHPO", "starts_on": today,
            "protected_classes": [{"max_age": 15}, {"relationship": "partner"}],
            "activities": ["No unsupervised internet use"]}
    r = client.post("/api/orders", data=json.dumps({**body, "protected_classes": [{"gender": "female"}]}),
                    content_type="application/json")
    assert r.status_code == 400 and "'gender'" in r.json()["message"], r.content
    assert not Order.objects.exists()
    r = client.post("/api/orders", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["protected_classes"] == [{"max_age": 15}, {"relationship": "partner"}]
    ctx = client.get("/api/context", {"name": "Dean Hollis", "purpose": "checking the order"}).json()
    [o] = ctx["orders"]
    assert o["classes"] == ["anyone under 16", "any partner"] and o["activities"] == ["No unsupervised internet use"]


@pytest.mark.safeguard("M3")
def test_the_person_page_order_form_takes_a_class_and_activities_and_names_a_bad_age(people):
    dean = person(people, "Dean", "Hollis")
    client = Client()
    client.force_login(people.investigator)
    today = clock.local(clock.now()).date().isoformat()
    form = {"purpose": "Adding his SHPO", "kind": "sexual_harm_prevention", "conditions": "SHPO", "starts_on": today,
            "class_under_age": "sixteen", "class_relationship": "", "activities": "No unsupervised internet use\n\n"}
    r = client.post(f"/people/{dean.pk}/do/order/", form)
    assert r.status_code == 400 and "Anyone under" in r.content.decode() and not Order.objects.exists()
    r = client.post(f"/people/{dean.pk}/do/order/", {**form, "class_under_age": "16"})
    assert r.status_code == 302, r.content
    o = Order.objects.get()
    assert (o.protected_classes, o.activities) == ([{"max_age": 15}], ["No unsupervised internet use"])
    page = client.get(f"/people/{dean.pk}/", {"purpose": "Adding his SHPO"}).content.decode()
    assert "anyone under 16" in page and "No unsupervised internet use" in page


@pytest.mark.safeguard("M3")
def test_any_female_partner_over_the_api_his_new_female_partner_is_a_possible_breach_a_male_one_is_not(people):
    """M3 (issue 10): "any female partner" is {"relationship": "partner", "sex": "female"}; sex is taken from
    the person's record, and a partner whose sex is not recorded raises a prompt to establish it."""
    _, secret = issue_token(Actor(None), people.investigator.pk, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def add(given: str, family: str, **extra: str) -> int:
        r = client.post("/api/people", data=json.dumps({"given_names": given, "family_name": family, **extra}),
                        content_type="application/json")
        assert r.status_code == 201, r.content
        return int(r.json()["id"])

    before = Person.objects.count()
    r = client.post("/api/people", data=json.dumps({"family_name": "Cole", "sex": "F"}),
                    content_type="application/json")
    assert r.status_code == 400 and "sex" in r.json()["message"], r.content
    assert Person.objects.count() == before
    dean = add("Dean", "Hollis", sex="male")
    ivy, tom, sam = add("Ivy", "Cole", sex="female"), add("Tom", "Bell", sex="male"), add("Sam", "Rae")
    got = client.post("/api/people", data=json.dumps({"family_name": "Nobody"}), content_type="application/json")
    assert got.json()["sex"] is None
    assert Person.objects.get(pk=ivy).sex == "female" and Person.objects.get(pk=sam).sex == ""
    [record] = AuditRecord.objects.filter(action="person.created", object_id=str(ivy))
    assert record.after["sex"] == "female"
    today = clock.local(clock.now()).date().isoformat()
    body = {"kind": "restraining", "restricted_id": dean, "conditions": "Not to contact any female partner",
            "starts_on": today, "protected_classes": [{"relationship": "partner", "sex": "woman"}]}
    r = client.post("/api/orders", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 400 and "'woman'" in r.json()["message"], r.content
    body["protected_classes"] = [{"relationship": "partner", "sex": "female"}]
    r = client.post("/api/orders", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and r.json()["protected_classes"] == body["protected_classes"], r.content
    inv, h = people.actor("investigator"), people.actor("handler")
    for other in (ivy, tom, sam):
        actions.relate(inv, dean, other, "partner")
    # His male partner on a log with him: no breach, nothing to establish.
    log = call(people, category="other")
    actions.link_party(h, log.reference, role="suspect", person_id=dean)
    actions.link_party(h, log.reference, role="victim", person_id=tom)
    assert breaches(log) == [] and open_prompts(log, "M3", "order_class_sex") == []
    # A partner whose sex is not recorded: establish it, without blocking or claiming a breach.
    actions.link_party(h, log.reference, role="witness", person_id=sam)
    assert breaches(log) == []
    [ask] = open_prompts(log, "M3", "order_class_sex")
    assert not ask.blocking and ask.text.startswith("Establish the sex of Sam Rae")
    assert "any female partner" in ask.text and ask.details["person"] == sam
    # His new female partner: a possible breach.
    other = call(people, category="domestic_incident")
    actions.link_party(h, other.reference, role="suspect", person_id=dean)
    actions.link_party(h, other.reference, role="victim", person_id=ivy)
    [breach] = breaches(other)
    assert "Ivy Cole (any female partner)" in breach.text and breach.details["person"] == ivy
    # A woman who is not his partner is not in the class.
    stranger = add("Una", "Ford", sex="female")
    third = call(people, category="other")
    actions.link_party(h, third.reference, role="suspect", person_id=dean)
    actions.link_party(h, third.reference, role="victim", person_id=stranger)
    assert breaches(third) == [] and open_prompts(third, "M3") == []


@pytest.mark.safeguard("M3")
def test_the_people_pages_take_and_show_a_sex_and_the_order_form_a_class_by_sex(people):
    client = Client()
    client.force_login(people.investigator)
    form = {"given_names": "Dean", "family_name": "Hollis", "dob": "", "sex": "other", "aliases": ""}
    r = client.post("/people/", form)
    assert r.status_code == 400 and "sex must be one of" in r.content.decode() and not Person.objects.exists()
    r = client.post("/people/", {**form, "sex": "male"})
    assert r.status_code == 302, r.content
    dean = Person.objects.get()
    assert dean.sex == "male"
    page = client.get(f"/people/{dean.pk}/", {"purpose": "Adding his order"}).content.decode()
    assert "Male" in page and 'name="class_sex"' in page
    unrecorded = person(people, "Sam", "Rae")
    assert "Sex not recorded" in client.get(f"/people/{unrecorded.pk}/", {"purpose": "Checking"}).content.decode()
    today = clock.local(clock.now()).date().isoformat()
    order = {"purpose": "Adding his order", "kind": "restraining", "conditions": "No contact", "starts_on": today,
             "class_under_age": "", "class_relationship": "partner", "class_sex": "woman", "activities": ""}
    r = client.post(f"/people/{dean.pk}/do/order/", order)
    assert r.status_code == 400 and "woman" in r.content.decode() and not Order.objects.exists()
    r = client.post(f"/people/{dean.pk}/do/order/", {**order, "class_sex": "female"})
    assert r.status_code == 302, r.content
    assert Order.objects.get().protected_classes == [{"relationship": "partner", "sex": "female"}]
    page = client.get(f"/people/{dean.pk}/", {"purpose": "Adding his order"}).content.decode()
    assert "any female partner" in page


@pytest.mark.safeguard("M2")
def test_the_scheme_page_shows_review_overdue_and_extends_from_the_ui(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=5))
    client = Client()
    with time_machine.travel(s.ends_at + timedelta(hours=2), tick=False):
        client.force_login(people.investigator)
        page = client.get(f"/people/{s.victim_id}/", {"purpose": "Reviewing her scheme"}).content.decode()
        assert "REVIEW OVERDUE" in page and "Extend scheme" in page
        until = clock.local(clock.now() + timedelta(days=300)).strftime("%Y-%m-%dT%H:%M")
        r = client.post(f"/people/{s.victim_id}/do/scheme_extend/",
                        {"purpose": "Reviewing her scheme", "scheme_id": s.pk, "until": until,
                         "reason": "Risk remains"})
        assert r.status_code == 422, r.status_code
        assert "at most 183 days" in r.content.decode()
        until = clock.local(clock.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")
        r = client.post(f"/people/{s.victim_id}/do/scheme_extend/",
                        {"purpose": "Reviewing her scheme", "scheme_id": s.pk, "until": until,
                         "reason": "Risk remains"})
        assert r.status_code == 302
        assert SpecialScheme.objects.get(pk=s.pk).state_at(clock.now()) == "active"


@pytest.mark.safeguard("M3")
def test_a_child_caller_not_in_the_index_whose_age_was_taken_meets_the_class(people):
    """A 14-year-old rings about a man messaging her and reads out his number: he is under an order
    protecting anyone under 16. Neither of them is a person on the log; his number and her age are enough."""
    dean = person(people, "Dean", "Hollis", phone="07700 900555")
    o = class_order(people, dean, classes=[{"max_age": 15}])
    log = call(people, phone="07700 900999", caller="Zoe", age=14, category="other")
    assert breaches(log) == []
    actions.link_party(people.actor("handler"), log.reference, role="mentioned", phone="07700 900555")
    [breach] = breaches(log)
    assert "Zoe (anyone under 16)" in breach.text and breach.details == {"flag": "breach", "order": o.pk,
                                                                         "person": None}
    adult = call(people, phone="07700 900998", caller="Yvonne", age=40, category="other")
    actions.link_party(people.actor("handler"), adult.reference, role="mentioned", phone="07700 900555")
    assert breaches(adult) == [] and open_prompts(adult, "M3") == []
