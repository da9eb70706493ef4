"""Special schemes (M2) and their grade floor (D5), and party-aware merging (L7), through the real actions
and the sweeper's handler, against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.integration.people.support import MS_A_HOME, MS_A_PHONE, call, person
from tests.support.factories import fresh, thrive
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Grading, Log, Notification, Task
from watchkeeper.people import actions
from watchkeeper.people.models import LogParty, SpecialScheme, VictimContact

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
def test_a_scheme_never_ends_silently_the_officer_and_supervisor_are_told(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=10))
    with time_machine.travel(s.ends_at + timedelta(minutes=1), tick=False):
        assert actions.fire_scheme_deadlines(clock.now()) == 2  # the overdue review, then the end
        assert actions.fire_scheme_deadlines(clock.now()) == 0
    assert told(people, "scheme_ended") == {"investigator", "supervisor"}
    note = Notification.objects.filter(kind="scheme_ended").first()
    assert "without being reviewed" in note.text
    [record] = AuditRecord.objects.filter(action="scheme.ended")
    assert record.after["reviewed"] is False


@pytest.mark.safeguard("M2")
def test_a_reviewed_scheme_still_announces_its_end(people):
    s = scheme(people, ends_at=clock.now() + timedelta(days=30))
    actions.fire_scheme_deadlines(s.review_due_at)
    task = Task.objects.get(pk=SpecialScheme.objects.get(pk=s.pk).review_task_id)
    logs.complete_task(people.actor("investigator"), task.pk, result="Spoke to her; she is safe; let it end")
    actions.fire_scheme_deadlines(s.ends_at)
    assert told(people, "scheme_ended") == {"investigator", "supervisor"}
    assert "(it was reviewed)" in Notification.objects.filter(kind="scheme_ended").first().text


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
def test_a_removed_or_ended_scheme_sets_no_floor(people):
    s = scheme(people, address="", phone=MS_A_PHONE, ends_at=clock.now() + timedelta(days=20))
    with time_machine.travel(s.ends_at + timedelta(minutes=1), tick=False):
        log = call(people, phone=MS_A_PHONE)
        assert fresh(log).proposed_grade is None
        logs.grade_log(people.actor("handler"), log.reference, grade="scheduled", thrive=thrive(),
                       expected_version=fresh(log).version)
    other = scheme(people, victim=s.victim, address="", phone="07700 900412")
    actions.record_victim_contact(people.actor("investigator"), other.pk, channel="phone", reached=True,
                                  outcome="Agreed")
    actions.remove_scheme(people.actor("investigator"), other.pk, reason="Agreed with her")
    assert fresh(call(people, phone="07700 900412")).proposed_grade is None


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
