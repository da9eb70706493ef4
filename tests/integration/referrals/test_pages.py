"""The referral pages (P7, P11): the queue by risk with its age column and filters, the backlog for
supervisors only, allocating and recording an outcome in place (htmx), refusals beside the control, the
import form, and force referrals both ways on one page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.integration.referrals.support import CSV, incoming, person, referral
from tests.support.personas import Personas
from watchkeeper.core import clock
from watchkeeper.referrals.models import IntelReferral
from watchkeeper.risk import actions as risk

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(p: Personas, name: str) -> Client:
    c = Client()
    c.force_login(getattr(p, name))
    return c


@pytest.mark.safeguard("P7")
def test_the_queue_is_in_risk_order_with_ages_and_the_backlog_is_for_supervisors(people: Personas) -> None:
    low = referral(people, "Old Low", allocated=None, received_at=clock.now() - timedelta(days=9), risk_grade="low")
    child = referral(people, "Teacher", allocated=None, access_to_children="yes", checks=["dbs"])
    page = _client(people, "supervisor").get("/referrals/").content.decode()
    assert page.index(f"referral-{child.pk}") < page.index(f"referral-{low.pk}")
    assert 'data-age-days="9"' in page and 'id="referral-backlog"' in page
    officer = _client(people, "officer").get("/referrals/").content.decode()
    assert 'id="referral-backlog"' not in officer and f"referral-{low.pk}" in officer
    filtered = _client(people, "officer").get("/referrals/?tier=low").content.decode()
    assert f"referral-{low.pk}" in filtered and f"referral-{child.pk}" not in filtered
    assert _client(people, "officer").get("/referrals/?tier=colour").status_code == 400
    assert _client(people, "learning").get("/referrals/").status_code == 403


@pytest.mark.safeguard("P7")
def test_allocating_and_recording_the_outcome_swap_the_row_and_a_refusal_shows_beside_it(people: Personas) -> None:
    r = referral(people, allocated=None)
    refused = _client(people, "investigator").post(f"/referrals/{r.pk}/do/allocate/",
                                                   {"officer_id": people.officer.pk, "from": "queue"}, **HTMX)
    assert refused.status_code == 403 and "Only a supervisor allocates" in refused.content.decode()
    assert refused.content.decode().lstrip().startswith(f'<tr id="referral-{r.pk}"')
    done = _client(people, "supervisor").post(f"/referrals/{r.pk}/do/allocate/",
                                               {"officer_id": people.officer.pk, "from": "queue"}, **HTMX)
    assert done.status_code == 200 and "Officer Test" in done.content.decode()
    worked = _client(people, "officer").post(f"/referrals/{r.pk}/do/outcome/",
                                             {"outcome": "visited", "note": "", "from": "queue"}, **HTMX)
    assert worked.status_code == 200 and "Visited" in worked.content.decode()
    assert IntelReferral.objects.get(pk=r.pk).state == "worked"


def test_the_referral_page_records_risk_and_opens_a_case(people: Personas) -> None:
    r = referral(people)
    c = _client(people, "officer")
    page = c.get(f"/referrals/{r.pk}/")
    assert page.status_code == 200 and "Record risk" in page.content.decode()
    refused = c.post(f"/referrals/{r.pk}/do/risk/", {"access_to_children": "no", "risk_grade": "low",
                                                     "checks": ["", "address"]})
    assert refused.status_code == 400 and "DBS check" in refused.content.decode()
    assert c.post(f"/referrals/{r.pk}/do/risk/", {"access_to_children": "yes", "risk_grade": "high",
                                                  "checks": ["", "dbs"]}).status_code == 302
    opened = c.post(f"/referrals/{r.pk}/do/case/", {"kind": "crime"})
    assert opened.status_code == 302 and opened["Location"].startswith("/cases/")


def test_the_import_form_takes_a_pasted_list_or_names_each_bad_row(people: Personas) -> None:
    c = _client(people, "investigator")
    bad = c.post("/referrals/do/import/", {"source": "CEOP", "text": CSV + "Eve,Bought,maybe,low,,\n"})
    assert bad.status_code == 400 and "Row 5" in bad.content.decode()
    assert IntelReferral.objects.count() == 0
    ok = c.post("/referrals/do/import/", {"source": "CEOP", "operation": "Operation Spade", "text": CSV})
    assert ok.status_code == 302 and IntelReferral.objects.count() == 3


@pytest.mark.safeguard("P11")
def test_force_referrals_show_both_directions_and_acknowledge_from_the_page(people: Personas) -> None:
    x = incoming(people)
    risk.refer_to_force(people.actor("officer"), person_id=person(people, "Lyle").pk, force="Northam Police",
                        ask="See him today")
    c = _client(people, "handler")
    page = c.get("/referrals/forces/").content.decode()
    assert x.reference in page and "Northam Police" in page and x.address_given in page
    refused = c.post(f"/referrals/forces/{x.pk}/do/actioned/", {"note": "Visited"})
    assert refused.status_code == 409 and "not acknowledged yet" in refused.content.decode()
    assert c.post(f"/referrals/forces/{x.pk}/do/acknowledge/", {"note": "Told them"}).status_code == 302
    x.refresh_from_db()
    assert x.state == "acknowledged" and x.acknowledged_by_id == people.handler.pk
