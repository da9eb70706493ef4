"""L9: administrators set who reviews each queue of automatic intake, and who deputises; the setting is
validated, audited, served by the API and the page, and the routing of automatic logs follows it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import fresh, raise_log
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Forbidden, NotFound, Refusal
from watchkeeper.incidents import actions
from watchkeeper.incidents.models import IntakeQueue
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _, secret = issue_token(Actor(None), user.pk, "t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def put(client: Client, code: str, body: dict[str, Any]):
    return client.put(f"/api/intake/queues/{code}", data=json.dumps(body), content_type="application/json")


def queue(code: str) -> tuple[int, int]:
    q = IntakeQueue.objects.get(code=code)
    return q.reviewer_id, q.deputy_id


@pytest.mark.safeguard("L9")
def test_an_administrator_sets_reviewer_and_deputy_with_one_audit_record(people):
    before = AuditRecord.objects.count()
    actions.set_intake_reviewers(people.actor("admin"), "alarm", reviewer_id=people.inspector.pk,
                                 deputy_id=people.supervisor.pk)
    assert queue("alarm") == (people.inspector.pk, people.supervisor.pk)
    assert AuditRecord.objects.count() == before + 1
    rec = AuditRecord.objects.latest("seq")
    assert (rec.action, rec.object_type, rec.object_id) == ("intake.reviewers_set", "intake_queue", "alarm")
    assert rec.before["reviewer"] == "dispatcher" and rec.after == {
        "name": "Alarms", "reviewer": "inspector", "deputy": "supervisor"}


@pytest.mark.safeguard("L9")
@pytest.mark.parametrize(("change", "field", "says"), [
    ({"reviewer_id": 999999}, "reviewer_id", "No member of staff 999999"),
    ({"deputy_id": 999999}, "deputy_id", "No member of staff 999999"),
    ({"deputy_id": "reviewer"}, "deputy_id", "both reviewer and deputy"),
    ({"reviewer_id": "qa"}, "reviewer_id", "cannot own a review"),
    ({"deputy_id": "admin"}, "deputy_id", "cannot own a review"),
    ({"reviewer_id": "inactive"}, "reviewer_id", "not active staff"),
])
def test_a_bad_choice_is_refused_with_400_naming_what_was_wrong_and_nothing_changes(people, change, field, says):
    people.absent.is_active = False
    people.absent.save()
    ids = {"reviewer": people.dispatcher.pk, "qa": people.qa.pk, "admin": people.admin.pk,
           "inactive": people.absent.pk}
    body = {"reviewer_id": people.dispatcher.pk, "deputy_id": people.controller.pk}
    body.update({k: ids.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    before = (queue("online"), AuditRecord.objects.count())
    with pytest.raises(Refusal) as exc:
        actions.set_intake_reviewers(people.actor("admin"), "online", **body)
    assert exc.value.status == 400 and exc.value.details["field"] == field and says in exc.value.message
    assert exc.value.safeguard == "L9"
    assert (queue("online"), AuditRecord.objects.count()) == before


@pytest.mark.safeguard("L9")
def test_only_administrators_set_reviewers_and_only_known_queues(people):
    with pytest.raises(Forbidden):
        actions.set_intake_reviewers(people.actor("supervisor"), "online", reviewer_id=people.dispatcher.pk,
                                     deputy_id=people.controller.pk)
    with pytest.raises(NotFound):
        actions.set_intake_reviewers(people.actor("admin"), "fax", reviewer_id=people.dispatcher.pk,
                                     deputy_id=people.controller.pk)


@pytest.mark.safeguard("L9")
def test_a_queue_not_yet_configured_is_listed_and_created_by_its_first_setting(people):
    IntakeQueue.objects.filter(code="transfer").update(code="legacy")  # the channel now has no queue
    listed = {q["code"]: q for q in actions.intake_queues()}
    assert listed["transfer"]["configured"] is False and listed["transfer"]["routes_to"] is None
    with pytest.raises(Refusal):  # L9: automatic intake from a channel with no queue is refused
        raise_log(people.actor("handler"), source="transfer", channel="online")
    actions.set_intake_reviewers(people.actor("admin"), "transfer", reviewer_id=people.handler.pk,
                                 deputy_id=people.dispatcher.pk, name="Transfers from the old system")
    log = fresh(raise_log(people.actor("handler"), source="transfer", channel="online"))
    assert log.review_assignee_id == people.handler.pk and log.review_queue.name == "Transfers from the old system"


@pytest.mark.safeguard("L9")
def test_routing_follows_the_setting_and_goes_to_the_deputy_when_the_reviewer_is_away(people):
    actions.set_intake_reviewers(people.actor("admin"), "online", reviewer_id=people.officer.pk,
                                 deputy_id=people.investigator.pk)
    first = fresh(raise_log(people.actor("handler"), source="online", channel="online"))
    assert first.review_assignee_id == people.officer.pk and first.review_stage == 0
    people.officer.absent = True
    people.officer.save()
    second = fresh(raise_log(people.actor("handler"), source="online", channel="online"))
    assert second.review_assignee_id == people.investigator.pk and second.review_stage == 1
    [online] = [q for q in actions.intake_queues() if q["code"] == "online"]
    assert online["routes_to"]["id"] == people.investigator.pk and "deputy" in online["routes_to"]["why"]


@pytest.mark.safeguard("L9")
def test_the_api_lists_and_sets_queues(people):
    listed = api(people.handler).get("/api/intake/queues").json()
    assert [q["code"] for q in listed] == ["online", "alarm", "transfer"]
    assert listed[0]["reviewer"]["username"] == "handler2" and listed[0]["deputy"]["username"] == "controller"
    r = put(api(people.admin), "online", {"reviewer_id": people.dispatcher.pk, "deputy_id": people.supervisor.pk})
    assert r.status_code == 200 and r.json()["reviewer"]["id"] == people.dispatcher.pk
    r = put(api(people.admin), "online", {"reviewer_id": people.dispatcher.pk, "deputy_id": people.dispatcher.pk})
    assert r.status_code == 400 and r.json()["safeguard"]["id"] == "L9"
    r = put(api(people.admin), "online", {"reviewer_id": people.qa.pk, "deputy_id": people.dispatcher.pk})
    assert r.status_code == 400 and "cannot own a review" in r.json()["message"]
    r = put(api(people.supervisor), "online", {"reviewer_id": people.handler.pk, "deputy_id": people.dispatcher.pk})
    assert r.status_code == 403
    assert queue("online") == (people.dispatcher.pk, people.supervisor.pk)


@pytest.mark.safeguard("L9")
def test_the_page_is_for_administrators_and_shows_refusals_beside_the_queue(people):
    admin = Client()
    admin.force_login(people.admin)
    assert 'href="/intake/"' in admin.get("/review/").content.decode()  # in the navigation
    page = admin.get("/intake/")
    assert page.status_code == 200 and 'id="queue-online"' in page.content.decode()
    r = admin.post("/intake/", {"code": "alarm", "reviewer_id": people.controller.pk,
                                "deputy_id": people.controller.pk})
    assert r.status_code == 400
    row = r.content.decode().split('id="queue-alarm"')[1].split("</tr>")[0]
    assert 'id="ik-err-alarm"' in row and "both reviewer and deputy" in row
    r = admin.post("/intake/", {"code": "alarm", "reviewer_id": people.controller.pk,
                                "deputy_id": people.inspector.pk})
    assert r.status_code == 200 and queue("alarm") == (people.controller.pk, people.inspector.pk)
    handler = Client()
    handler.force_login(people.handler)
    assert 'href="/intake/"' not in handler.get("/review/").content.decode()
    assert handler.get("/intake/").status_code == 403
