"""The write path reads only what a new row can have (issue: the write path at the speed of the disk): a log
raised in a unit of work has no clock, prompt, check or missing-person record but those made in it, and a
number first seen on the call has no user, marker or scheme unless one was made in the same unit of work.
What is known to be none is not read; what is made in the same unit of work is still found. The events of one
action are written together, in the order published, and an inner unit of work that fails takes its events
with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integration.people.support import call, review_day
from tests.support.personas import Personas
from watchkeeper.core import uow
from watchkeeper.core.errors import Invalid
from watchkeeper.dispatch.models import ResponseClock
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions, summary
from watchkeeper.people.models import Marker, Phone, PhoneUse, Prompt
from watchkeeper.realtime.models import Event
from watchkeeper.realtime.publish import publish

pytestmark = pytest.mark.django_db

# Whether one exists (a new log has none), and what a new number could be linked to (it has nothing).
NOT_READ_FOR_A_NEW_LOG = ('FROM "people_phoneuse"', 'FROM "people_marker"', 'FROM "people_specialscheme"',
                          'FROM "people_prompt"', 'FROM "people_check"', 'FROM "risk_missingperson"',
                          'SELECT 1 AS "a" FROM "dispatch_responseclock"', 'FROM "people_logparty"',
                          'FROM "dispatch_alert"')


def _reads(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if (q["sql"] or "").lstrip().upper().startswith("SELECT")]


@pytest.mark.safeguard("C1", "L12", "D1")
def test_a_first_call_from_a_new_number_reads_nothing_a_new_log_or_number_cannot_have(people: Personas) -> None:
    with CaptureQueriesContext(connection) as captured:
        log = call(people, phone="07700 900871", account="Man shouting in the street.")
    reads = _reads(captured)
    for table in NOT_READ_FOR_A_NEW_LOG:
        assert not [sql for sql in reads if table in sql], table
    # ...and what it did make is there: the phone, the caller party, the grading clock (D1), one row each.
    assert Phone.objects.filter(e164="+447700900871").count() == 1
    assert ResponseClock.objects.filter(log=log, kind="grading").count() == 1
    assert [p.role for p in log.parties.all()] == ["caller"]
    # A second call from the number (now older than the unit of work) reads its users again.
    with CaptureQueriesContext(connection) as captured:
        call(people, phone="07700 900871", account="He is back.")
    assert [sql for sql in _reads(captured) if 'FROM "people_phoneuse"' in sql]


@pytest.mark.safeguard("C1", "L12", "M1")
def test_a_marker_made_in_the_same_unit_of_work_as_the_number_is_still_on_the_log(people: Personas) -> None:
    actor = people.actor("controller")
    with uow.unit_of_work():
        marker = actions.add_marker(actor, kind="violence", source="Intelligence report", review_at=review_day(),
                                    phone="07700 900872")
        log = call(people, phone="07700 900872", account="Shouting next door.")
        held = summary.summary(log)
    assert marker.phone is not None and Phone.objects.filter(e164="+447700900872").count() == 1
    assert any("Violence" in str(badge) or "violence" in str(badge) for badge in held["badges"]), held
    assert summary.summary(Log.objects.get(pk=log.pk)) == held  # read afresh: the same summary


@pytest.mark.safeguard("C1", "M1")
def test_a_phone_user_made_in_the_same_unit_of_work_is_found_and_a_number_is_one_record(people: Personas) -> None:
    actor = people.actor("handler")
    with uow.unit_of_work():
        who = actions.create_person(actor, given_names="Nina", family_name="Okafor")
        actions.add_phone_use(actor, who.pk, "07700 900873")
        first = actions.phone_for("07700 900873")
        again = actions.phone_for("+44 7700 900873")
        assert first is not None and again is not None and first.pk == again.pk
        assert uow.older_only({first.pk}, Phone, PhoneUse) == {first.pk}  # a user was made: look it up
    assert uow.older_only({first.pk}, Phone, PhoneUse) == {first.pk}  # outside a unit of work: always read
    assert Phone.objects.filter(e164="+447700900873").count() == 1
    assert PhoneUse.objects.filter(phone=first, person=who).count() == 1


def test_what_a_unit_of_work_made_is_known_and_nothing_is_assumed_outside_one(people: Personas) -> None:
    assert uow.created_any(Marker)  # outside a unit of work nothing is known: read
    with uow.unit_of_work():
        assert not uow.created_any(Marker, Phone)
        phone = actions.phone_for("07700 900874")
        assert phone is not None and uow.is_new(phone) and uow.created_any(Phone) and not uow.created_any(Marker)
        assert uow.older_only({phone.pk, -1}, Phone, Marker) == {-1}


@pytest.mark.safeguard("L1")
def test_the_events_of_one_action_are_one_insert_in_the_order_published(people: Personas) -> None:
    with CaptureQueriesContext(connection) as captured:
        log = call(people, phone="07700 900875", account="Caller reports a fight.", entries=["Two men.", "One down."],
                   age=None)
    inserts = [q["sql"] for q in captured.captured_queries if 'INSERT INTO "realtime_event"' in (q["sql"] or "")]
    assert len(inserts) == 1
    events = list(Event.objects.filter(log_id=log.pk).order_by("seq"))
    kinds = [e.kind for e in events]
    assert kinds[:3] == ["entry.added"] * 3 and "prompt" in kinds  # entries first, then the C2 prompt
    assert [e.payload["seq"] for e in events if e.kind == "entry.added"] == [1, 2, 3]
    assert Prompt.objects.filter(log=log, kind="caller_age").count() == 1


def test_an_inner_unit_of_work_that_fails_takes_its_events_with_it(people: Personas) -> None:
    before = Event.objects.count()
    with uow.unit_of_work():
        publish("test", "kept", {"n": 1})
        with pytest.raises(Invalid):
            with uow.unit_of_work():
                publish("test", "dropped", {"n": 2})
                raise Invalid("no", "field")
        publish("test", "kept", {"n": 3})
    written = list(Event.objects.filter(topic="test").order_by("seq").values_list("kind", "payload"))
    assert written == [("kept", {"n": 1}), ("kept", {"n": 3})]
    assert Event.objects.count() == before + 2
    publish("test", "outside", {"n": 4})  # outside a unit of work: written at once
    assert Event.objects.filter(topic="test", kind="outside").exists()


@pytest.mark.safeguard("D1")
def test_the_grading_clock_of_a_new_log_starts_at_its_contact(people: Personas, settings) -> None:
    log = call(people, phone="07700 900876", account="Alarm sounding.")
    c = ResponseClock.objects.get(log=log)
    first = log.contacts.order_by("received_at").first()
    assert first is not None and c.started_at == first.received_at
    assert c.target_at is not None and c.target_at - c.started_at <= timedelta(hours=1)
