"""A log on paper (/logs/<reference>/print/): everything on the log, audited as a view with its purpose;
the low-light theme: a per-person choice kept in a cookie, drawn into every page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integration.dispatch.conftest import T0
from watchkeeper.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def _page(desk, who: str) -> Client:
    c = Client()
    c.force_login(getattr(desk.people, who))
    return c


@pytest.mark.safeguard("D1", "L12")
def test_the_print_view_has_the_whole_log_and_is_audited_with_its_purpose(desk, at):
    log = desk.grade(desk.log(account="Caller says a man is shouting outside number 4."), "emergency")
    desk.unit("AB12")
    desk.assign(log, "AB12")
    c = _page(desk, "controller")
    before = AuditRecord.objects.filter(action="log.viewed", object_id=log.reference).count()
    r = c.get(f"/logs/{log.reference}/print/", {"purpose": "court bundle R v Smith"})
    assert r.status_code == 200
    html = r.content.decode()
    for expected in (log.reference, "Grading history", "Caller says a man is shouting", "AB12", "Response clock",
                     "Officer safety", "Entries (", "court bundle R v Smith", T0.strftime("%d/%m/%Y")):
        assert expected in html, expected
    views = AuditRecord.objects.filter(action="log.viewed", object_id=log.reference)
    assert views.count() == before + 1
    assert views.latest("seq").reason == "print: court bundle R v Smith"
    # The log page links to it.
    assert f"/logs/{log.reference}/print/" in c.get(f"/logs/{log.reference}/").content.decode()


def test_printing_a_log_that_does_not_exist_is_refused_not_a_500(desk, at):
    r = _page(desk, "controller").get("/logs/NO-SUCH-LOG/print/")
    assert r.status_code == 404


def test_the_low_light_theme_is_kept_per_person_and_drawn_into_every_page(desk, at):
    c = _page(desk, "dispatcher")
    assert 'data-theme="day"' in c.get("/dispatch/").content.decode()
    r = c.post("/theme/", {"theme": "low-light", "next": "/dispatch/"})
    assert r.status_code == 302 and r["Location"] == "/dispatch/"
    page = c.get("/dispatch/").content.decode()
    assert 'data-theme="low-light"' in page and "Low light: on" in page
    # Sent by the script: JSON; a toggle with no value flips it back.
    back = c.post("/theme/", {}, HTTP_X_REQUESTED_WITH="fetch")
    assert back.json()["theme"] == "day"
    assert c.post("/theme/", {"theme": "neon"}).status_code == 400
    assert c.post("/theme/", {"theme": "day", "next": "https://elsewhere.example/"})["Location"] == "/"
    # Another person's choice is their own.
    assert 'data-theme="day"' in _page(desk, "controller").get("/dispatch/").content.decode()
