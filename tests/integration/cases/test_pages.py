"""The case pages through Django's client: my cases, team cases and the case page render for the roles that may
see them, their forms post to the same operations as the API, and the staff page's move form is refused
naming P1 while the officer holds cases."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integration.cases.support import SUMMARY, case_for
from tests.support.personas import Personas
from watchkeeper.cases.models import Case, Handover

pytestmark = pytest.mark.django_db


def _client(p: Personas, who: str) -> Client:
    c = Client()
    c.force_login(getattr(p, who))
    return c


@pytest.mark.safeguard("P1")
def test_pages_open_a_case_hand_it_over_and_the_receiver_acknowledges_it(people: Personas) -> None:
    officer = _client(people, "officer")
    assert officer.get("/cases/").status_code == 200
    opened = officer.post("/cases/do/open/", {"kind": "crime", "title": "Theft of a bicycle", "officer_id": "",
                                              "supervisor_id": ""})
    c = Case.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{c.pk}/"
    page = officer.get(f"/cases/{c.pk}/")
    assert page.status_code == 200 and b"Theft of a bicycle" in page.content and b"handover-form" in page.content
    refused = officer.post(f"/cases/{c.pk}/do/handover/", {"to_user_id": people.handler.pk, "reason": "Moving",
                                                           "summary": SUMMARY, "kind": "officer"})
    assert refused.status_code == 422 and b"P1" in refused.content
    done = officer.post(f"/cases/{c.pk}/do/handover/", {"to_user_id": people.investigator.pk, "reason": "Moving",
                                                        "summary": SUMMARY, "kind": "officer"})
    assert done.status_code == 302
    investigator = _client(people, "investigator")
    mine = investigator.get("/cases/")
    assert c.reference.encode() in mine.content and b"Acknowledge" in mine.content
    h = Handover.objects.get()
    assert investigator.post(f"/cases/{c.pk}/do/acknowledge/", {"handover_id": h.pk}).status_code == 302
    h.refresh_from_db()
    assert h.acknowledged_at is not None
    assert _client(people, "supervisor").get("/cases/team/").status_code == 200
    assert officer.get("/cases/team/").status_code == 403
    assert _client(people, "learning").get(f"/cases/{c.pk}/").status_code == 403


@pytest.mark.safeguard("P1")
def test_the_staff_page_refuses_moving_an_officer_with_cases_naming_them(people: Personas) -> None:
    c = case_for(people)
    supervisor = _client(people, "supervisor")
    refused = supervisor.post("/staff/", {"move": people.officer.pk, "team": "Investigation",
                                          "role": "investigator", "reason": "Promotion"})
    assert refused.status_code == 409
    assert b"P1" in refused.content and c.reference.encode() in refused.content
    supervisor.post(f"/cases/{c.pk}/do/handover/", {"to_user_id": people.investigator.pk, "reason": "Moving",
                                                    "summary": SUMMARY, "kind": "officer"})
    moved = supervisor.post("/staff/", {"move": people.officer.pk, "team": "Investigation",
                                        "role": "investigator", "reason": "Promotion"})
    assert moved.status_code == 200 and b"is now investigator" in moved.content


@pytest.mark.safeguard("P2")
def test_the_case_page_review_form_cites_evidence_and_refuses_a_bare_review(people: Personas) -> None:
    c = case_for(people)
    supervisor = _client(people, "supervisor")
    page = supervisor.get(f"/cases/{c.pk}/")
    assert b"review-form" in page.content and b"Opened (Crime)" in page.content
    assert b"review-form" not in _client(people, "officer").get(f"/cases/{c.pk}/").content
    bare = supervisor.post(f"/cases/{c.pk}/do/review/", {"note": "Reviewed", "risk": ""})
    assert bare.status_code == 422 and b"P2" in bare.content
    opened = c.events.get()
    done = supervisor.post(f"/cases/{c.pk}/do/review/", {"note": "On track", "evidence": [f"event:{opened.pk}"],
                                                          "risk": "high"})
    assert done.status_code == 302
    c.refresh_from_db()
    assert c.risk == "high" and c.reviews.get().evidence[0]["id"] == opened.pk
    assert b"On track" in supervisor.get(f"/cases/{c.pk}/").content
