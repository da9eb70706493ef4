"""The nominal index and what is known about people (M1, M3, M4 records; A2 views), through the real actions
and the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from tests.integration.people.support import MS_A_HOME, MS_A_PHONE, call, person, review_day
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents.models import Entry
from watchkeeper.people import actions
from watchkeeper.people.models import (
    Address,
    Alias,
    Check,
    FirearmsCertificate,
    LogParty,
    Marker,
    Order,
    Person,
    Phone,
    PhoneUse,
    Prompt,
    Relationship,
    Residence,
    SpecialScheme,
    Vehicle,
    VictimContact,
)

pytestmark = pytest.mark.django_db


def audits(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("seq"))


# ------------------------------------------------------------------------------------------ people
@pytest.mark.safeguard("C1")
def test_a_person_is_indexed_by_folded_and_sound_keys_with_aliases(people):
    p = actions.create_person(people.actor("handler"), given_names=" John ", family_name="Smith",
                              dob=date(1980, 5, 1), aliases=["Johnny Smyth"])
    assert (p.given_names, p.family_name, p.name_key) == ("John", "Smith", "john smith")
    assert p.sound_key == Person.objects.get(pk=p.pk).sound_key == "SM0|JN"
    alias = Alias.objects.get(person=p)
    assert (alias.name, alias.name_key) == ("Johnny Smyth", "johnny smyth")
    [record] = audits("person.created")
    assert record.after["family_name"] == "Smith" and record.after["aliases"] == ["Johnny Smyth"]


def test_a_person_needs_a_family_name_and_a_past_date_of_birth(people):
    h = people.actor("handler")
    with pytest.raises(Invalid):
        actions.create_person(h, given_names="John", family_name="  ")
    with pytest.raises(Invalid):
        actions.create_person(h, given_names="John", family_name="Smith",
                              dob=clock.local(clock.now()).date() + timedelta(days=1))
    with pytest.raises(Forbidden):
        actions.create_person(people.actor("qa"), given_names="John", family_name="Smith")
    assert not Person.objects.exists() and not AuditRecord.objects.filter(action="person.created").exists()


@pytest.mark.safeguard("A2")
def test_every_view_of_a_person_is_audited_with_its_purpose(people):
    p = person(people, "Amy", "Archer")
    seen = actions.view_person(people.actor("qa"), p.pk, purpose="Closure review of log 20260301-0001")
    assert seen.pk == p.pk
    [record] = audits("person.viewed")
    assert (record.actor_id, record.object_id, record.reason) == (
        people.qa.pk, str(p.pk), "Closure review of log 20260301-0001")
    with pytest.raises(Invalid):
        actions.view_person(people.actor("qa"), p.pk, purpose="  ")
    with pytest.raises(NotFound):
        actions.view_person(people.actor("qa"), 999_999, purpose="curious")
    with pytest.raises(Forbidden):
        actions.view_person(people.actor("learning"), p.pk, purpose="curious")
    assert len(audits("person.viewed")) == 1


def test_relationships_residences_and_phones_are_recorded_and_audited(people):
    h = people.actor("handler")
    amy, mark = person(people, "Amy", "Archer"), person(people, "Mark", "Archer")
    rel = actions.relate(h, amy.pk, mark.pk, "ex_partner")
    assert (rel.person_id, rel.other_id, rel.kind) == (amy.pk, mark.pk, "ex_partner")
    first = actions.add_residence(h, amy.pk, "2 Mill Lane, Kingsbridge")
    second = actions.add_residence(h, amy.pk, MS_A_HOME)
    assert Residence.objects.get(pk=first.pk).current is False  # kept, no longer current
    assert Residence.objects.get(pk=second.pk).current is True
    use = actions.add_phone_use(h, amy.pk, "+44 (0)7700 900411")
    assert use.phone.e164 == "+447700900411"
    assert [r.action for r in AuditRecord.objects.order_by("seq")][-4:] == [
        "person.related", "person.residence", "person.residence", "person.phone"]
    with pytest.raises(Invalid):
        actions.relate(h, amy.pk, amy.pk, "partner")
    with pytest.raises(Invalid):
        actions.relate(h, amy.pk, mark.pk, "nemesis")
    with pytest.raises(Invalid):
        actions.add_phone_use(h, amy.pk, "999")
    with pytest.raises(Invalid):
        actions.add_residence(h, amy.pk, "!!")
    assert Relationship.objects.count() == 1 and PhoneUse.objects.count() == 1 and Residence.objects.count() == 2


def test_the_same_place_or_number_typed_twice_is_one_record(people):
    assert actions.address_for("Flat 2, 10 High St") == actions.address_for("10 High Street flat 2")
    assert actions.phone_for("07700 900123") == actions.phone_for("+44 7700 900123")
    assert Address.objects.count() == 1 and Phone.objects.count() == 1
    assert actions.address_for("   ") is None and actions.phone_for("not a number") is None


# ---------------------------------------------------------------------------------------- parties
def test_people_phones_and_places_go_on_a_log_in_a_role(people):
    log = call(people, phone=MS_A_PHONE, location=MS_A_HOME)
    amy = person(people, "Amy", "Archer")
    party = actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=amy.pk,
                               phone="07700 900999", address="2 Mill Lane, Kingsbridge")
    assert (party.role, party.person_id, party.phone.e164, party.address.text) == (
        "victim", amy.pk, "+447700900999", "2 Mill Lane, Kingsbridge")
    roles = sorted(LogParty.objects.filter(log=log).values_list("role", flat=True))
    assert roles == ["caller", "location", "victim"]
    assert Entry.objects.filter(log=log, text__startswith="Victim added: Amy Archer").exists()
    assert audits("log.party_linked")[-1].after["person"] == amy.pk


def test_linking_a_party_refuses_bad_input_without_writing(people):
    log = call(people)
    h = people.actor("handler")
    before = (LogParty.objects.count(), Entry.objects.count(), AuditRecord.objects.count(), Address.objects.count())
    for kw in ({"role": "victim"}, {"role": "bystander", "phone": MS_A_PHONE}, {"role": "victim", "phone": "999"},
               {"role": "victim", "address": "!!"}, {"role": "victim", "person_id": 999_999}):
        with pytest.raises(Refusal):
            actions.link_party(h, log.reference, **kw)
    with pytest.raises(NotFound):
        actions.link_party(h, "19990101-9999", role="victim", phone=MS_A_PHONE)
    assert (LogParty.objects.count(), Entry.objects.count(), AuditRecord.objects.count(),
            Address.objects.count()) == before


# ------------------------------------------------------------------------------------------ markers
@pytest.mark.safeguard("M1")
def test_a_marker_carries_source_owner_created_and_review_dates(people):
    amy = person(people, "Amy", "Archer")
    inv = people.actor("investigator")
    m = actions.add_marker(inv, kind="domestic_abuse_victim", source="MARAC referral", review_at=review_day(),
                           note="Ex-husband threatened to kill her", person_id=amy.pk)
    m = Marker.objects.get(pk=m.pk)
    assert (m.source, m.owner_id, m.review_at, m.person_id) == ("MARAC referral", people.investigator.pk,
                                                                review_day(), amy.pk)
    assert m.created_at is not None and m.ended_at is None
    [record] = audits("marker.added")
    assert record.after["source"] == "MARAC referral" and record.after["review_at"] == review_day().isoformat()


@pytest.mark.safeguard("M1")
def test_markers_go_on_a_person_an_address_a_phone_or_a_vehicle(people):
    inv = people.actor("investigator")
    amy = person(people, "Amy", "Archer")
    on = [actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=amy.pk),
          actions.add_marker(inv, kind="weapons", source="Intel 123", review_at=review_day(), address=MS_A_HOME),
          actions.add_marker(inv, kind="vulnerability", source="Call history", review_at=review_day(),
                             phone=MS_A_PHONE),
          actions.add_marker(inv, kind="firearms", source="ANPR", review_at=review_day(), vehicle="ab12 cde")]
    assert [(m.person_id is not None, m.address_id is not None, m.phone_id is not None, m.vehicle_id is not None)
            for m in on] == [(True, False, False, False), (False, True, False, False), (False, False, True, False),
                             (False, False, False, True)]
    assert Vehicle.objects.get().vrm == "AB12CDE"


@pytest.mark.safeguard("M1")
def test_a_marker_without_a_review_date_ahead_or_on_no_single_target_is_refused(people):
    inv = people.actor("investigator")
    amy = person(people, "Amy", "Archer")
    today = clock.local(clock.now()).date()
    bad = [
        {"review_at": today, "person_id": amy.pk},
        {"review_at": review_day()},
        {"review_at": review_day(), "person_id": amy.pk, "phone": MS_A_PHONE},
        {"review_at": review_day(), "phone": "12"},
        {"review_at": review_day(), "vehicle": "not a plate!"},
        {"review_at": review_day(), "address": "x" * 301},
        {"review_at": review_day(), "source": " ", "person_id": amy.pk},
        {"review_at": review_day(), "kind": "gossip", "person_id": amy.pk},
    ]
    for kw in bad:
        with pytest.raises(Invalid):
            actions.add_marker(inv, **{"kind": "violence", "source": "PNC", **kw})
    with pytest.raises(Forbidden):
        actions.add_marker(people.actor("handler"), kind="violence", source="PNC", review_at=review_day(),
                           person_id=amy.pk)
    assert not Marker.objects.exists() and not Phone.objects.exists() and not Vehicle.objects.exists()


@pytest.mark.safeguard("M1")
def test_a_marker_is_ended_with_a_reason_and_kept(people):
    inv = people.actor("investigator")
    amy = person(people, "Amy", "Archer")
    m = actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=amy.pk)
    with pytest.raises(Invalid):
        actions.end_marker(inv, m.pk, reason="")
    ended = actions.end_marker(people.actor("supervisor"), m.pk, reason="Reviewed: no longer applies")
    kept = Marker.objects.get(pk=m.pk)
    assert (kept.ended_by_id, kept.end_reason) == (people.supervisor.pk, "Reviewed: no longer applies")
    assert kept.ended_at == ended.ended_at is not None
    with pytest.raises(Refusal) as exc:
        actions.end_marker(inv, m.pk, reason="again")
    assert exc.value.status == 409
    with pytest.raises(NotFound):
        actions.end_marker(inv, 999_999, reason="none")
    assert len(audits("marker.ended")) == 1


@pytest.mark.safeguard("M1", "M2", "M3", "C5", "L1")
@pytest.mark.parametrize("model", [Marker, SpecialScheme, VictimContact, Order, Prompt, Check, LogParty, Person])
def test_the_database_refuses_to_delete_what_is_known(people, model):
    inv = people.actor("investigator")
    amy, mark = person(people, "Amy", "Archer"), person(people, "Mark", "Archer")
    actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=mark.pk)
    actions.create_scheme(inv, victim_id=amy.pk, reason="Threats", victim_told_how="phone", address=MS_A_HOME)
    actions.create_order(inv, kind="restraining", restricted_id=mark.pk, conditions="No contact",
                         starts_on=clock.local(clock.now()).date(), protected_person_ids=[amy.pk])
    log = call(people, phone=MS_A_PHONE, age=None, category="domestic_incident", location=MS_A_HOME)
    assert model.objects.exists()
    table = model._meta.db_table
    # Raw SQL, as someone bypassing the application would: the trigger still refuses.
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table}")
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            model.objects.all().delete()
    assert model.objects.exists()
    assert LogParty.objects.filter(log=log).exists()


@pytest.mark.safeguard("C1")
def test_the_database_refuses_to_delete_a_person_even_one_with_nothing_recorded_against_them(people):
    """The people table is rebuilt on SQLite when a column is added (M3's sex): its trigger is put back."""
    lone = actions.create_person(people.actor("handler"), given_names="Una", family_name="Lone", sex="female")
    with pytest.raises(DatabaseError, match="C1"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM people_person WHERE id = %s", [lone.pk])
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            Person.objects.filter(pk=lone.pk).delete()
    assert Person.objects.get(pk=lone.pk).sex == "female"


# ------------------------------------------------------------------------------------ orders, certs
@pytest.mark.safeguard("M3")
def test_an_order_names_who_is_restricted_and_who_and_where_is_protected(people):
    inv = people.actor("investigator")
    amy, mark = person(people, "Amy", "Archer"), person(people, "Mark", "Archer")
    today = clock.local(clock.now()).date()
    o = actions.create_order(inv, kind="non_molestation", restricted_id=mark.pk, conditions="Not to contact her",
                             starts_on=today, ends_on=today + timedelta(days=365), protected_person_ids=[amy.pk],
                             protected_addresses=[MS_A_HOME])
    assert o.restricted_id == mark.pk
    assert list(o.protected_people.values_list("pk", flat=True)) == [amy.pk]
    assert [a.text for a in o.protected_addresses.all()] == [MS_A_HOME]
    [record] = audits("order.created")
    assert record.after["places"] == [MS_A_HOME]


@pytest.mark.safeguard("M3")
def test_an_order_without_protection_or_with_bad_dates_or_places_is_refused(people):
    inv = people.actor("investigator")
    amy, mark = person(people, "Amy", "Archer"), person(people, "Mark", "Archer")
    today = clock.local(clock.now()).date()
    base = {"kind": "restraining", "restricted_id": mark.pk, "conditions": "No contact", "starts_on": today}
    for kw in ({}, {"ends_on": today - timedelta(days=1), "protected_person_ids": [amy.pk]},
               {"protected_addresses": ["!!"]}, {"protected_addresses": ["x" * 301]},
               {"protected_person_ids": [mark.pk]}, {"kind": "gagging", "protected_person_ids": [amy.pk]}):
        with pytest.raises(Invalid):
            actions.create_order(inv, **{**base, **kw})
    with pytest.raises(NotFound):
        actions.create_order(inv, **{**base, "protected_person_ids": [999_999]})
    with pytest.raises(Forbidden):
        actions.create_order(people.actor("handler"), **{**base, "protected_person_ids": [amy.pk]})
    assert not Order.objects.exists() and not Address.objects.exists()


@pytest.mark.safeguard("M4")
def test_a_certificate_holder_is_marked_on_the_person_and_the_address(people):
    inv = people.actor("investigator")
    mark = person(people, "Mark", "Archer")
    expires = clock.local(clock.now()).date() + timedelta(days=400)
    cert = actions.add_certificate(inv, holder_id=mark.pk, address=MS_A_HOME, number="SGC 1234", expires_on=expires)
    assert FirearmsCertificate.objects.get(pk=cert.pk).holder_id == mark.pk
    marks = Marker.objects.filter(kind="firearms_certificate").order_by("id")
    assert [(m.person_id, m.address_id, m.review_at) for m in marks] == [
        (mark.pk, None, expires), (None, cert.address_id, expires)]
    with pytest.raises(Invalid):
        actions.add_certificate(inv, holder_id=mark.pk, address=MS_A_HOME, number="FAC 1",
                                expires_on=clock.local(clock.now()).date() - timedelta(days=1))
    with pytest.raises(Invalid):
        actions.add_certificate(inv, holder_id=mark.pk, address="!!", number="FAC 1", expires_on=expires)
    assert FirearmsCertificate.objects.count() == 1 and Marker.objects.count() == 2
