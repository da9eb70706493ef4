"""P5 through the real database: a suspect with relevant history (a marker, an order, an earlier flagged log)
linked to a victim on a case makes considering disclosure a task on the case; its decision (disclose or not,
by whom, why, how delivered and when) is recorded once; an undecided task keeps the case open, shows on the
page and in the API, and alerts once when overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from tests.integration.cases.support import case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import CaseEvent, Disclosure, VictimContact
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.people import actions as people_actions

pytestmark = pytest.mark.django_db


def _violent(p: Personas, family: str = "Suspect") -> int:
    """A suspect the force holds a violence marker on (ended years ago: history is history)."""
    s = person(p, family=family)
    m = people_actions.add_marker(p.actor("investigator"), kind="violence", person_id=s.pk,
                                  source="PNC: wounding of a former partner",
                                  review_at=date.today() + timedelta(days=30))
    people_actions.end_marker(p.actor("investigator"), m.pk, reason="Served his sentence")
    return s.pk


@pytest.mark.safeguard("P5")
def test_a_suspect_with_history_makes_disclosure_a_task_decided_once(people: Personas) -> None:
    c = case_for(people)
    victim, suspect = person(people).pk, _violent(people)
    officer = people.actor("officer")
    actions.add_party(officer, c.pk, person_id=victim, role="victim")
    assert not Disclosure.objects.exists()  # no suspect yet
    actions.add_party(officer, c.pk, person_id=suspect, role="suspect")
    d = Disclosure.objects.get()
    assert (d.victim_id, d.suspect_id, d.decision) == (victim, suspect, "")
    assert "wounding of a former partner" in d.history[0]["text"] and "ended" in d.history[0]["text"]
    assert Notification.objects.filter(recipient=people.officer, kind="disclosure_task", safeguard="P5").exists()
    [added] = AuditRecord.objects.filter(action="case.person_added", after__role="suspect")
    assert added.after["disclosure_tasks"] == [d.pk]
    # Adding a witness, or the suspect again in another role, makes no second task.
    actions.add_party(officer, c.pk, person_id=person(people, "Witness").pk, role="witness")
    assert Disclosure.objects.count() == 1

    view = queries.case(actions._case(c.pk))
    assert [(x["decided"], x["decision_label"]) for x in view["disclosures"]] == [(False, "Undecided")]
    with pytest.raises(Refusal) as closing:  # undecided: the case stays open
        actions.close_case(officer, c.pk, note="No further action")
    assert closing.value.safeguard == "P5"

    with pytest.raises(Refusal) as why:
        actions.decide_disclosure(officer, c.pk, disclosure_id=d.pk, decision="disclose", rationale=" ")
    assert why.value.safeguard == "P5"
    with pytest.raises(Invalid):  # a disclosure says how it was delivered
        actions.decide_disclosure(officer, c.pk, disclosure_id=d.pk, decision="disclose", rationale="Risk to her")
    with pytest.raises(Invalid):  # when, and never in the future
        actions.decide_disclosure(officer, c.pk, disclosure_id=d.pk, decision="disclose", rationale="Risk",
                                  channel="in_person", delivered_at=clock.now() + timedelta(days=1))
    with pytest.raises(Invalid):
        actions.decide_disclosure(officer, c.pk, disclosure_id=d.pk, decision="maybe", rationale="Risk")
    with pytest.raises(Forbidden):  # not on the case
        actions.decide_disclosure(people.actor("investigator"), c.pk, disclosure_id=d.pk, decision="not_disclose",
                                  rationale="x")
    at = clock.now() - timedelta(hours=1)
    actions.decide_disclosure(officer, c.pk, disclosure_id=d.pk, decision="disclose", channel="in_person",
                              delivered_at=at, rationale="He stabbed a former partner who ended their relationship")
    d.refresh_from_db()
    assert (d.decision, d.decided_by_id, d.channel, d.delivered_at) == ("disclose", people.officer.pk, "in_person", at)
    assert VictimContact.objects.filter(case=c, person_id=victim, channel="in_person").exists()  # P3
    with pytest.raises(Refusal) as again:
        actions.decide_disclosure(people.actor("supervisor"), c.pk, disclosure_id=d.pk, decision="not_disclose",
                                  rationale="Changed my mind")
    assert again.value.safeguard == "P5" and again.value.status == 409
    assert [a.action for a in AuditRecord.objects.filter(action__startswith="case.disclosure")] == [
        "case.disclosure_decided"]
    # The decision is never changed, nor the task deleted, whatever path is taken.
    for sql in ("UPDATE cases_disclosure SET decision = 'not_disclose'", "UPDATE cases_disclosure SET history = '[]'",
                "DELETE FROM cases_disclosure"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    actions.close_case(officer, c.pk, note="No further action")


@pytest.mark.safeguard("P5")
def test_history_from_orders_and_flagged_logs_on_a_linked_log_counts(people: Personas) -> None:
    c = case_for(people)
    victim, suspect = person(people), person(people, "Suspect")
    old = raise_log(people.actor("handler"), category="domestic_incident", summary="Ex-partner assaulted")
    people_actions.link_party(people.actor("handler"), old.reference, role="suspect", person_id=suspect.pk)
    people_actions.create_order(people.actor("investigator"), kind="non_molestation", restricted_id=suspect.pk,
                                conditions="Not to contact his former wife", starts_on=date(2020, 1, 1),
                                ends_on=date(2021, 1, 1), protected_person_ids=[person(people, "Former").pk])
    new = raise_log(people.actor("handler"), category="assault", summary="Partner hit her",
                    phone="07700 900777")
    people_actions.link_party(people.actor("handler"), new.reference, role="victim", person_id=victim.pk)
    people_actions.link_party(people.actor("handler"), new.reference, role="suspect", person_id=suspect.pk)
    actions.link_log(people.actor("officer"), c.pk, reference=new.reference)
    d = Disclosure.objects.get()
    assert (d.victim_id, d.suspect_id) == (victim.pk, suspect.pk)
    sources = sorted(h["source"] for h in d.history)
    assert sources == ["log", "order"] and old.reference in " ".join(h["text"] for h in d.history)
    assert new.reference not in " ".join(h["text"] for h in d.history)  # the case's own log is not history
    # A suspect with nothing held: no task.
    c2 = case_for(people, title="Second")
    actions.add_party(people.actor("officer"), c2.pk, person_id=victim.pk, role="victim")
    actions.add_party(people.actor("officer"), c2.pk, person_id=person(people, "Clean").pk, role="suspect")
    assert not Disclosure.objects.filter(case=c2).exists()


@pytest.mark.safeguard("P5")
def test_an_undecided_disclosure_alerts_once_when_overdue(people: Personas) -> None:
    c = case_for(people)
    actions.add_party(people.actor("officer"), c.pk, person_id=person(people).pk, role="victim")
    actions.add_party(people.actor("officer"), c.pk, person_id=_violent(people), role="suspect")
    d = Disclosure.objects.get()
    assert actions.fire_overdue_disclosures(clock.now()) == 0
    later = d.due_at + timedelta(minutes=1)
    assert actions.fire_overdue_disclosures(later) == 1
    assert actions.fire_overdue_disclosures(later) == 0
    for who in (people.officer, people.supervisor):
        assert Notification.objects.filter(recipient=who, kind="disclosure_overdue", safeguard="P5").count() == 1
    assert CaseEvent.objects.filter(case=c, kind="disclosure_overdue").count() == 1
    assert AuditRecord.objects.filter(action="case.disclosure_overdue").count() == 1


@pytest.mark.safeguard("P5")
def test_the_disclosure_form_and_page(people: Personas) -> None:
    c = case_for(people)
    actions.add_party(people.actor("officer"), c.pk, person_id=person(people).pk, role="victim")
    actions.add_party(people.actor("officer"), c.pk, person_id=_violent(people), role="suspect")
    d = Disclosure.objects.get()
    officer = Client()
    officer.force_login(people.officer)
    page = officer.get(f"/cases/{c.pk}/")
    assert f"disclose-{d.pk}".encode() in page.content and b"Undecided" in page.content
    refused = officer.post(f"/cases/{c.pk}/do/disclose/", {"disclosure_id": d.pk, "decision": "not_disclose",
                                                           "rationale": "", "channel": "", "delivered_at": ""})
    assert refused.status_code in (400, 422) and b"P5" in refused.content
    done = officer.post(f"/cases/{c.pk}/do/disclose/", {"disclosure_id": d.pk, "decision": "not_disclose",
                                                        "rationale": "She already knows: she was the earlier victim",
                                                        "channel": "", "delivered_at": ""})
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.decision == "not_disclose"
    assert b"She already knows" in officer.get(f"/cases/{c.pk}/").content
