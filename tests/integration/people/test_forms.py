"""The people pages' forms post through the one input path: each is validated against the API's own schema
(people/schemas.py) and runs the one operation (people/operations.py), so the UI and the API refuse and
record alike. Values the page gives (the person, address or phone it is about) are not read from the form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integration.people.support import MS_A_HOME, MS_A_PHONE, call, person, review_day
from watchkeeper.people.models import Address, Check, LogParty, Marker, Person, Phone, Residence, SpecialScheme

PURPOSE = "Reviewing the record"


def _client(people, who: str = "investigator") -> Client:
    client = Client()
    client.force_login(getattr(people, who))
    return client


@pytest.mark.safeguard("M1")
def test_a_marker_from_each_page_goes_on_what_the_page_is_about(people):
    """The person, address and phone pages each post the same marker form; the target is the page's."""
    amy = person(people, "Amy", "Archer", home=MS_A_HOME, phone=MS_A_PHONE)
    # Ids that exist only as a person (no address or phone shares the person's id), so a target taken from
    # the wrong kind of record would be refused or misplaced.
    home, phone = Address.objects.get(), Phone.objects.get()
    client = _client(people)
    form = {"purpose": PURPOSE, "kind": "violence", "source": "Intelligence report 12",
            "review_at": review_day().isoformat(), "note": ""}
    for path in (f"/people/{amy.pk}/do/marker/", f"/addresses/{home.pk}/do/marker/", f"/phones/{phone.pk}/do/marker/"):
        r = client.post(path, form)
        assert r.status_code == 302, (path, r.content.decode()[:1500])
    on = {(m.person_id, m.address_id, m.phone_id) for m in Marker.objects.all()}
    assert on == {(amy.pk, None, None), (None, home.pk, None), (None, None, phone.pk)}


@pytest.mark.safeguard("M1")
def test_a_form_the_schema_refuses_names_the_field_and_writes_nothing(people):
    amy = person(people, "Amy", "Archer", phone=MS_A_PHONE)
    client = _client(people)
    r = client.post(f"/people/{amy.pk}/do/marker/",
                    {"purpose": PURPOSE, "kind": "violence", "source": "Report", "review_at": "someday"})
    assert r.status_code == 400 and "review_at" in r.content.decode()
    assert not Marker.objects.exists()
    r = client.post(f"/phones/{Phone.objects.get().pk}/do/scheme/", {"purpose": PURPOSE, "reason": "x"})
    assert r.status_code == 400 and not SpecialScheme.objects.exists()  # a scheme starts from its victim


def test_a_residence_not_current_is_recorded_as_previous(people):
    """A checkbox is a boolean field: unticked sends "false" (its hidden twin), ticked "true"."""
    amy = person(people, "Amy", "Archer")
    client = _client(people, "handler")
    r = client.post(f"/people/{amy.pk}/do/residence/", {"purpose": PURPOSE, "address": MS_A_HOME, "current": "false"})
    assert r.status_code == 302, r.content.decode()[:1500]
    r = client.post(f"/people/{amy.pk}/do/residence/",
                    {"purpose": PURPOSE, "address": "3 Quarry Lane, Kingsbridge KB6 2BB", "current": ["false", "true"]})
    assert r.status_code == 302
    assert sorted(Residence.objects.values_list("current", flat=True)) == [False, True]


@pytest.mark.safeguard("C5")
def test_someone_new_is_added_to_the_index_and_the_log_and_a_check_is_added_optional(people):
    log = call(people)
    client = _client(people, "handler")
    r = client.post(f"/logs/{log.reference}/people/do/party/",
                    {"role": "nobody", "person_id": "new", "q": "Dana Lee"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and not Person.objects.exists()  # refused before anyone is added
    r = client.post(f"/logs/{log.reference}/people/do/party/",
                    {"role": "witness", "person_id": "new", "q": "Dana Lee", "given_names": "", "family_name": "",
                     "dob": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content.decode()[:1500]
    dana = Person.objects.get()
    assert (dana.given_names, dana.family_name) == ("Dana", "Lee")
    assert LogParty.objects.filter(log=log, person=dana, role="witness").exists()
    r = client.post(f"/logs/{log.reference}/people/do/check/",
                    {"kind": "local_intelligence", "subject": "Dana Lee", "person_id": str(dana.pk),
                     "mandatory": "false"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content.decode()[:1500]
    check = Check.objects.get(log=log, subject="Dana Lee")
    assert check.person_id == dana.pk and check.mandatory is False
