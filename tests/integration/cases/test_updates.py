"""P4 through the real database: updates to a victim record the channel and whether delivery was confirmed;
a failed channel tells the officer in charge and the point of contact to try the next preferred channel; an
unconfirmed update escalates after `victim_update_confirm_hours` (once, by the sweeper)."""

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
from watchkeeper.cases.models import ChannelPreference, VictimUpdate
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def _victim(p: Personas) -> tuple[int, int]:
    c = case_for(p)
    v = person(p)
    actions.add_party(p.actor("officer"), c.pk, person_id=v.pk, role="victim")
    return c.pk, v.pk


@pytest.mark.safeguard("P4")
def test_an_update_records_its_channel_and_its_confirmed_delivery(people: Personas) -> None:
    case_id, victim = _victim(people)
    u = actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="bail_change",
                            channel="phone", text="Bail conditions varied: no contact, exclusion zone kept")
    assert u.outcome == "pending"
    actions.record_delivery(people.actor("officer"), case_id, update_id=u.pk, outcome="confirmed",
                            note="She repeated the conditions back")
    with pytest.raises(Refusal) as twice:
        actions.record_delivery(people.actor("supervisor"), case_id, update_id=u.pk, outcome="failed",
                                failure="unanswered_call")
    assert twice.value.safeguard == "P4"
    with pytest.raises(Invalid):
        actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="gossip", channel="phone",
                            text="x")
    suspect = person(people, family="Suspect")
    actions.add_party(people.actor("officer"), case_id, person_id=suspect.pk, role="suspect")
    with pytest.raises(Refusal):
        actions.send_update(people.actor("officer"), case_id, person_id=suspect.pk, kind="other", channel="phone",
                            text="x")
    with pytest.raises(Forbidden):
        actions.send_update(people.actor("investigator"), case_id, person_id=victim, kind="other",
                            channel="phone", text="x")
    view = queries.case(actions._case(case_id))
    assert [(x["kind"], x["outcome"]) for x in view["updates"]] == [("bail_change", "confirmed")]
    assert [a.action for a in AuditRecord.objects.filter(action__startswith="case.update").order_by("seq")] == [
        "case.update_delivery"]


@pytest.mark.safeguard("P4")
def test_a_failed_channel_asks_for_the_next_preferred_one(people: Personas) -> None:
    case_id, victim = _victim(people)
    actions.set_channels(people.actor("officer"), victim, channels=["letter", "text"], note="Works nights")
    actions.set_point_of_contact(people.actor("supervisor"), victim, user_id=people.investigator.pk,
                                 reason="Investigation holds the contact")
    u = actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="no_further_action",
                            channel="letter", text="No further action: the suspect was not charged")
    actions.record_delivery(people.actor("officer"), case_id, update_id=u.pk, outcome="failed",
                            failure="returned_letter", note="Returned: address mistyped")
    for who in (people.officer, people.investigator):
        note = Notification.objects.get(recipient=who, kind="victim_update_failed")
        assert note.safeguard == "P4" and "text message" in note.text
    assert queries.victim(actions.view_victim(people.actor("officer"), victim))["channels"][0]["channel"] == "letter"
    with pytest.raises(Invalid):
        actions.set_channels(people.actor("officer"), victim, channels=["phone", "phone"])
    assert ChannelPreference.objects.count() == 1


@pytest.mark.safeguard("P4")
def test_an_unconfirmed_update_escalates_once_after_the_policy_time(people: Personas) -> None:
    case_id, victim = _victim(people)
    sent = clock.now() - timedelta(hours=49)
    u = actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="protection_ending",
                            channel="phone", text="The protection order ends on Friday", sent_at=sent)
    fresh = actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="court_result",
                                channel="phone", text="Guilty plea entered")
    assert actions.fire_unconfirmed_updates(clock.now() - timedelta(hours=2)) == 0  # 47 hours: not yet
    assert actions.fire_unconfirmed_updates(clock.now()) == 1
    assert actions.fire_unconfirmed_updates(clock.now()) == 0  # once
    u.refresh_from_db()
    fresh.refresh_from_db()
    assert u.escalated_at is not None and fresh.escalated_at is None
    assert Notification.objects.filter(recipient=people.supervisor, kind="victim_update_unconfirmed",
                                       safeguard="P4").count() == 1
    assert AuditRecord.objects.filter(action="case.update_unconfirmed").count() == 1


@pytest.mark.safeguard("P4")
def test_what_a_victim_was_told_is_kept(people: Personas) -> None:
    case_id, victim = _victim(people)
    actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="other", channel="email",
                        text="Your property is ready to collect")
    actions.set_channels(people.actor("officer"), victim, channels=["email"])
    for sql in ("UPDATE cases_victimupdate SET text = 'x'", "DELETE FROM cases_victimupdate",
                "UPDATE cases_channelpreference SET note = 'x'", "DELETE FROM cases_channelpreference"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert VictimUpdate.objects.get().text == "Your property is ready to collect"


@pytest.mark.safeguard("P4")
def test_the_update_and_channel_forms(people: Personas) -> None:
    case_id, victim = _victim(people)
    officer = Client()
    officer.force_login(people.officer)
    done = officer.post(f"/cases/victims/{victim}/do/channels/", {"channels": ["text", "", "phone"], "note": ""})
    assert done.status_code == 302
    assert ChannelPreference.objects.get().channels == ["text", "phone"]
    sent = officer.post(f"/cases/{case_id}/do/update/", {"person_id": victim, "kind": "court_result",
                                                         "channel": "text", "sent_at": "",
                                                         "text": "Convicted; sentencing next month"})
    assert sent.status_code == 302
    u = VictimUpdate.objects.get()
    refused = officer.post(f"/cases/{case_id}/do/delivery/", {"update_id": u.pk, "outcome": "failed",
                                                              "failure": "", "note": ""})
    assert refused.status_code == 400 and b"failure" in refused.content
    page = officer.get(f"/cases/{case_id}/")
    assert b"update-form" in page.content and f"delivery-{u.pk}".encode() in page.content
    ok = officer.post(f"/cases/{case_id}/do/delivery/", {"update_id": u.pk, "outcome": "confirmed",
                                                         "failure": "", "note": "Read receipt"})
    assert ok.status_code == 302
    victim_page = officer.get(f"/cases/victims/{victim}/")
    assert b"Delivery confirmed" in victim_page.content and b"channels-form" in victim_page.content
