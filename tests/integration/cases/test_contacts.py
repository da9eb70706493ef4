"""P3 through the real database: a victim has one named point of contact across all their cases, set and
changed with a reason; every contact with the victim is logged on the case; the victim page shows both.
Points of contact and contacts are kept forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from tests.integration.cases.support import case_for, person
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import PointOfContact, VictimContact
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def _victim(p: Personas) -> tuple[int, int, int]:
    """A victim on two cases: the response officer's and the investigator's."""
    first, second = case_for(p), case_for(p, officer="investigator", title="Harassment by text")
    v = person(p)
    actions.add_party(p.actor("officer"), first.pk, person_id=v.pk, role="victim")
    actions.add_party(p.actor("investigator"), second.pk, person_id=v.pk, role="victim")
    return first.pk, second.pk, v.pk


@pytest.mark.safeguard("P3")
def test_a_victim_has_one_point_of_contact_across_their_cases_changed_with_a_reason(people: Personas) -> None:
    first, second, victim = _victim(people)
    actions.set_point_of_contact(people.actor("officer"), victim, user_id=people.officer.pk,
                                 reason="First responder; victim knows her")
    actions.set_point_of_contact(people.actor("supervisor"), victim, user_id=people.investigator.pk,
                                 reason="Investigation holds both cases now")
    view = queries.victim(actions.view_victim(people.actor("officer"), victim))
    assert view["contact"]["contact_id"] == people.investigator.pk
    assert [h["reason"] for h in view["history"]] == ["Investigation holds both cases now",
                                                     "First responder; victim knows her"]
    assert sorted(c["id"] for c in view["cases"]) == sorted([first, second])
    for case_id in (first, second):  # the same point of contact on every case of the victim
        on_case = queries.case(actions._case(case_id))["people"]
        assert on_case[0]["contact_point"]["contact_id"] == people.investigator.pk
    assert Notification.objects.filter(recipient=people.investigator, kind="victim_contact_point").exists()
    records = AuditRecord.objects.filter(action="case.contact_point_set").order_by("seq")
    assert [r.after["contact"] for r in records] == [people.officer.username, people.investigator.username]


@pytest.mark.safeguard("P3")
def test_a_point_of_contact_is_refused_without_reason_victim_or_a_holder(people: Personas) -> None:
    first, _, victim = _victim(people)
    with pytest.raises(Invalid):
        actions.set_point_of_contact(people.actor("officer"), victim, user_id=people.officer.pk, reason="")
    with pytest.raises(Refusal) as handler:
        actions.set_point_of_contact(people.actor("officer"), victim, user_id=people.handler.pk, reason="Desk")
    assert handler.value.safeguard == "P3"
    bystander = person(people, family="Bystander")
    with pytest.raises(Refusal) as not_victim:
        actions.set_point_of_contact(people.actor("supervisor"), bystander.pk, user_id=people.officer.pk,
                                     reason="Asked to")
    assert not_victim.value.safeguard == "P3" and not_victim.value.status == 409
    with pytest.raises(Forbidden):  # not on any of the victim's cases
        actions.set_point_of_contact(people.actor("handler"), victim, user_id=people.officer.pk, reason="x")
    assert not PointOfContact.objects.exists()


@pytest.mark.safeguard("P3")
def test_every_contact_with_the_victim_is_logged_on_the_case(people: Personas) -> None:
    first, second, victim = _victim(people)
    earlier = clock.now() - timedelta(hours=3)
    actions.log_contact(people.actor("officer"), first, person_id=victim, channel="phone", at=earlier,
                        summary="Told of the arrest; safety plan reviewed")
    actions.log_contact(people.actor("investigator"), second, person_id=victim, channel="in_person",
                        summary="Statement taken at home")
    with pytest.raises(Invalid):
        actions.log_contact(people.actor("officer"), first, person_id=victim, channel="pigeon", summary="x")
    with pytest.raises(Invalid):
        actions.log_contact(people.actor("officer"), first, person_id=victim, channel="phone", summary="x",
                            at=clock.now() + timedelta(days=1))
    suspect = person(people, family="Suspect")
    actions.add_party(people.actor("officer"), first, person_id=suspect.pk, role="suspect")
    with pytest.raises(Refusal) as not_victim:
        actions.log_contact(people.actor("officer"), first, person_id=suspect.pk, channel="phone", summary="x")
    assert not_victim.value.safeguard == "P3"
    with pytest.raises(Forbidden):  # only those on the case (P1)
        actions.log_contact(people.actor("investigator"), first, person_id=victim, channel="phone", summary="x")
    case_view = queries.case(actions._case(first))
    assert [x["channel"] for x in case_view["contacts"]] == ["phone"]
    assert [e["kind"] for e in case_view["timeline"]][:2] == ["person", "victim_contact"]
    victim_view = queries.victim(actions.view_victim(people.actor("officer"), victim))
    assert [x["channel"] for x in victim_view["contacts"]] == ["in_person", "phone"]
    assert VictimContact.objects.count() == 2
    assert AuditRecord.objects.filter(action="case.victim_contacted").count() == 2


@pytest.mark.safeguard("P3")
def test_points_of_contact_and_contacts_are_kept_forever(people: Personas) -> None:
    first, _, victim = _victim(people)
    actions.set_point_of_contact(people.actor("officer"), victim, user_id=people.officer.pk, reason="Known to her")
    actions.log_contact(people.actor("officer"), first, person_id=victim, channel="phone", summary="Called")
    for sql in ("UPDATE cases_pointofcontact SET reason = 'x'", "DELETE FROM cases_pointofcontact",
                "UPDATE cases_victimcontact SET summary = 'x'", "DELETE FROM cases_victimcontact"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert PointOfContact.objects.get().reason == "Known to her"


@pytest.mark.safeguard("P3")
def test_the_victim_page_and_the_case_page_forms(people: Personas) -> None:
    first, _, victim = _victim(people)
    officer = Client()
    officer.force_login(people.officer)
    page = officer.get(f"/cases/victims/{victim}/")
    assert page.status_code == 200 and b"spoc-form" in page.content and b"none named" in page.content
    refused = officer.post(f"/cases/victims/{victim}/do/spoc/", {"user_id": people.handler.pk, "reason": "Desk"})
    assert refused.status_code == 422 and b"P3" in refused.content
    done = officer.post(f"/cases/victims/{victim}/do/spoc/", {"user_id": people.investigator.pk,
                                                              "reason": "Investigation holds it"})
    assert done.status_code == 302 and done["Location"] == f"/cases/victims/{victim}/"
    logged = officer.post(f"/cases/{first}/do/contact/", {"person_id": victim, "channel": "letter", "at": "",
                                                          "summary": "Letter about the court date"})
    assert logged.status_code == 302
    case_page = officer.get(f"/cases/{first}/")
    assert b"contact-form" in case_page.content and b"Letter about the court date" in case_page.content
    assert f"/cases/victims/{victim}/".encode() in case_page.content
    page = officer.get(f"/cases/victims/{victim}/")
    assert b"Letter about the court date" in page.content and b"Investigation holds it" in page.content
    learner = Client()
    learner.force_login(people.learning)
    assert learner.get(f"/cases/victims/{victim}/").status_code == 403
