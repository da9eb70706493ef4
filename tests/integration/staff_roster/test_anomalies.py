"""A2 access audit through the real database: views of a vulnerable person's record by someone with no log or
task involving them are flagged to professional standards (only), incrementally from a high-water mark, by
the command and the nightly sweep; professional standards open a case and record the outcome."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import anomalies
from watchkeeper.assurance.models import AnomalyFlag, AnomalyRun
from watchkeeper.audit.models import AuditRecord
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.people import actions as people_actions
from watchkeeper.people.models import Person

pytestmark = pytest.mark.django_db


def _vulnerable(p: Personas) -> Person:
    person = people_actions.create_person(p.actor("investigator"), given_names="Vera", family_name="Vulnerable")
    people_actions.add_marker(p.actor("investigator"), kind="vulnerability", source="Adult social care",
                              review_at=date.today() + timedelta(days=90), person_id=person.pk)
    return person


def _look(p: Personas, who: str, person: Person, n: int) -> None:
    for _ in range(n):
        people_actions.view_person(p.actor(who), person.pk, purpose="Checking")


@pytest.mark.safeguard("A2")
def test_repeated_views_without_involvement_are_flagged_and_views_with_a_log_are_not(people: Personas) -> None:
    """B31.4: an officer looks at a vulnerable woman's record again and again with no task on her."""
    vera = _vulnerable(people)
    log = raise_log(people.actor("handler"), category="vulnerable_adult")
    people_actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=vera.pk)
    _look(people, "officer", vera, 3)
    _look(people, "handler", vera, 5)  # the handler's log has her on it
    out = StringIO()
    call_command("anomalies", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ran"] and result["flagged"] == 1 and result["scanned"] == 8
    flag = AnomalyFlag.objects.get()
    assert (flag.rule, flag.user_id, flag.person_id, len(flag.seqs)) == ("repeat_views", people.officer.pk,
                                                                           vera.pk, 3)
    # The flagged person is never told.
    assert not Notification.objects.filter(recipient=people.officer, text__icontains="flag").exists()
    # Incremental: a second run reads nothing old; one more view adds to the open flag.
    second = anomalies.run()
    assert second is not None and second.scanned == 0 and second.from_seq == result["to_seq"]
    _look(people, "officer", vera, 1)
    third = anomalies.run()
    assert third is not None and third.scanned == 1 and third.flagged == 0
    flag.refresh_from_db()
    assert len(flag.seqs) == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        AnomalyRun.objects.filter(pk=third.pk).update(to_seq=0)


@pytest.mark.safeguard("A2")
def test_only_professional_standards_see_flags_open_a_case_and_record_the_outcome(people: Personas) -> None:
    vera = _vulnerable(people)
    _look(people, "officer", vera, 3)
    anomalies.run()
    flag = AnomalyFlag.objects.get()
    for who in ("officer", "supervisor", "admin", "qa"):
        with pytest.raises(Refusal) as refused:
            anomalies.queue(people.actor(who))
        assert refused.value.status == 403
    assert [f.pk for f in anomalies.queue(people.actor("standards"))] == [flag.pk]
    anomalies.open_case(people.actor("standards"), flag.pk, note="Pattern of late-night views")
    with pytest.raises(Refusal):
        anomalies.open_case(people.actor("standards"), flag.pk, note="Again")
    anomalies.record_outcome(people.actor("standards"), flag.pk, outcome="misconduct", note="Referred")
    flag.refresh_from_db()
    assert flag.state == "closed" and flag.outcome == "misconduct"
    assert AuditRecord.objects.filter(action__in=["anomaly.case_opened", "anomaly.outcome"]).count() == 2


@pytest.mark.safeguard("A2")
def test_a_member_of_professional_standards_never_sees_a_flag_about_themselves(people: Personas) -> None:
    vera = _vulnerable(people)
    _look(people, "standards", vera, 3)
    anomalies.run()
    flag = AnomalyFlag.objects.get(user=people.standards)
    assert anomalies.queue(people.actor("standards")) == []
    with pytest.raises(Refusal) as hidden:
        anomalies.open_case(people.actor("standards"), flag.pk, note="Mine")
    assert hidden.value.status == 404


@pytest.mark.safeguard("A2")
def test_the_watch_list_and_views_outside_shift(people: Personas) -> None:
    from watchkeeper.assurance import roster

    colleague = people_actions.create_person(people.actor("investigator"), given_names="Cole", family_name="League")
    anomalies.watch(people.actor("standards"), person_id=colleague.pk, kind="colleague", reason="Works here")
    vera = _vulnerable(people)
    start = clock.now() + timedelta(hours=2)
    roster.add_shift(people.actor("supervisor"), user_id=people.dispatcher.pk, desk_role="dispatcher",
                     starts_at=start, ends_at=start + timedelta(hours=8))
    _look(people, "dispatcher", colleague, 1)
    _look(people, "dispatcher", vera, 1)
    anomalies.run()
    assert sorted(AnomalyFlag.objects.values_list("rule", "person_id")) == sorted(
        [("watch_list_views", colleague.pk), ("outside_shift", vera.pk)])


@pytest.mark.safeguard("A2")
def test_the_nightly_sweep_runs_the_rules_once_a_night(people: Personas) -> None:
    night = timezone.localtime(clock.now()).replace(hour=2, minute=0) + timedelta(days=1)
    with time_machine.travel(night, tick=False):
        sweep_once()
        sweep_once()
    assert AnomalyRun.objects.filter(via="sweeper").count() == 1


@pytest.mark.safeguard("A2")
def test_the_professional_standards_page(people: Personas) -> None:
    vera = _vulnerable(people)
    _look(people, "officer", vera, 3)
    anomalies.run()
    flag = AnomalyFlag.objects.get()
    c = Client()
    c.force_login(people.standards)
    page = c.get("/assurance/standards/")
    assert page.status_code == 200 and b"Vera" in page.content
    assert c.post(f"/assurance/standards/flags/{flag.pk}/do/case/", {"note": "Looking"}).status_code == 302
    o = Client()
    o.force_login(people.officer)
    assert o.get("/assurance/standards/").status_code == 403
