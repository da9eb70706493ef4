"""The board's forms take the API's path: validated against the same schema (dispatch/schemas.py), run by the
same operation (dispatch/operations.py), refused with the same words, audited once by the action."""

from __future__ import annotations

import pytest
from django.test import Client

from watchkeeper.audit.models import AuditRecord
from watchkeeper.dispatch.models import Assignment, Divert

pytestmark = pytest.mark.django_db


def _client(desk, who: str) -> Client:
    c = Client()
    c.force_login(getattr(desk.people, who))
    return c


def test_assigning_from_the_board_runs_the_apis_operation_and_returns_to_the_page(desk):
    desk.unit("AB11")
    log = desk.grade(desk.log())
    c = _client(desk, "dispatcher")
    before = AuditRecord.objects.count()
    r = c.post(f"/dispatch/do/assign/{log.reference}/", {"callsign": "AB11", "appointment_at": "",
                                                          "next": "/dispatch/command/", "anchor": "x"})
    assert r.status_code == 302 and r["Location"] == "/dispatch/command/#x"
    a = Assignment.objects.get(log=log)
    assert a.unit.callsign == "AB11" and a.appointment_at is None
    assert AuditRecord.objects.filter(action="unit.assigned").count() == 1
    assert AuditRecord.objects.count() > before

    # The script's answer: the message as JSON.
    r = c.post(f"/dispatch/do/state/{a.pk}/", {"state": "en_route"}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 200 and r.json()["message"] == f"AB11 en route on {log.reference}."


def test_a_form_the_schema_refuses_is_refused_naming_the_field_beside_its_control(desk):
    desk.unit("AB11")
    log = desk.log()
    c = _client(desk, "dispatcher")
    # Not one of the states the API accepts: refused by the schema, nothing written.
    r = c.post("/dispatch/do/state/1/", {"state": "teleported"}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 400 and "state" in r.content.decode().lower() and "en_route" in r.content.decode()
    # A target that is not a number.
    r = c.post("/dispatch/do/ack/abc/", {"note": ""}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 400 and "alert must be a whole number" in r.content.decode()
    # An operation that does not exist.
    r = c.post(f"/dispatch/do/fly/{log.reference}/", {}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 400 and "Unknown action" in r.content.decode()
    # Without the script the page comes back with the refusal beside the form that caused it.
    r = c.post(f"/dispatch/do/assign/{log.reference}/", {"callsign": "NOPE", "form": f"log-{log.reference}",
                                                          "next": "/dispatch/"})
    assert r.status_code == 404
    page = r.content.decode()
    assert f'id="msg-log-{log.reference}"><div class="refusal"' in page.replace("\n", "")
    assert not Assignment.objects.filter(log=log).exists()


def test_the_controller_decides_a_divert_with_the_apis_approve_field(desk):
    desk.unit("AB11")
    first, second = desk.log(), desk.log(account="Another matter entirely.")
    dispatcher = _client(desk, "dispatcher")
    r = dispatcher.post(f"/dispatch/do/assign/{first.reference}/", {"callsign": "AB11"})
    assert r.status_code == 302
    r = dispatcher.post("/dispatch/do/divert/", {"callsign": "AB11", "from_reference": first.reference,
                                                 "to_reference": f" {second.reference} ", "reason": "Worse"})
    assert r.status_code == 302, r.content[:500]
    d = Divert.objects.get()
    controller = _client(desk, "controller")
    # Overriding needs a note (D2): refused, with the API's words.
    r = controller.post(f"/dispatch/do/decide/{d.pk}/", {"approve": "false", "note": ""},
                        HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 400, r.content[:500]
    r = controller.post(f"/dispatch/do/decide/{d.pk}/", {"approve": "true", "note": ""},
                        HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 200 and r.json()["message"].startswith("Divert approved: AB11 stays on")
    d.refresh_from_db()
    assert d.state == "approved"
