"""P6 through the real database: referrals and meetings on a case, actions with one owner (a member of staff
or a partner agency) and a due date; open actions keep the case, and any log linked to it, from closing;
overdue actions alert once through the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from tests.integration.cases.support import case_for
from tests.integration.people.support import settle_checks, settle_prompts
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import AgencyAction
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("P6")
def test_open_multi_agency_actions_keep_the_case_and_its_logs_open(people: Personas) -> None:
    log = raise_log(people.actor("handler"), category="other")
    c = case_for(people, reference=log.reference)
    marac = actions.record_referral(people.actor("officer"), c.pk, kind="marac",
                                    meeting_at=clock.now() + timedelta(days=7), note="High-risk referral")
    a = actions.add_agency_action(people.actor("officer"), c.pk, description="Safety plan with the IDVA",
                                  agency="Independent domestic violence advisers",
                                  due_at=clock.now() + timedelta(days=14), referral_id=marac.pk)
    b = actions.add_agency_action(people.actor("officer"), c.pk, description="Target-harden the address",
                                  owner_id=people.investigator.pk, due_at=clock.now() + timedelta(days=3))
    assert Notification.objects.filter(recipient=people.investigator, kind="agency_action").exists()
    with pytest.raises(Invalid):  # one owner
        actions.add_agency_action(people.actor("officer"), c.pk, description="x", agency="Housing",
                                  owner_id=people.investigator.pk, due_at=clock.now())
    with pytest.raises(Forbidden):
        actions.add_agency_action(people.actor("investigator"), c.pk, description="x", agency="Housing",
                                  due_at=clock.now())
    with pytest.raises(Refusal) as case_refused:
        actions.close_case(people.actor("officer"), c.pk, note="Charged")
    assert case_refused.value.safeguard == "P6" and case_refused.value.details["total"] == 2
    settle_prompts(people, log)
    settle_checks(people, log)
    logs.view_log(people.actor("handler"), log.reference)
    with pytest.raises(Refusal) as log_refused:
        logs.close_log(people.actor("handler"), log.reference, code="seen_safe")
    assert log_refused.value.safeguard == "P6" and c.reference in log_refused.value.message
    for action in (a, b):
        actions.complete_agency_action(people.actor("officer"), c.pk, action_id=action.pk, note="Done and checked")
    with pytest.raises(Refusal) as twice:
        actions.complete_agency_action(people.actor("officer"), c.pk, action_id=a.pk, note="again")
    assert twice.value.status == 409
    logs.close_log(people.actor("handler"), log.reference, code="seen_safe")
    actions.close_case(people.actor("officer"), c.pk, note="Charged; actions complete")
    view = queries.case(actions._case(c.pk))
    assert [r["kind"] for r in view["referrals"]] == ["marac"]
    assert all(x["completed_at"] for x in view["agency_actions"])


@pytest.mark.safeguard("P6")
def test_an_overdue_action_alerts_its_owner_and_the_supervisor_once(people: Personas) -> None:
    c = case_for(people)
    a = actions.add_agency_action(people.actor("officer"), c.pk, description="Share the risk assessment",
                                  agency="Children's services", due_at=clock.now() + timedelta(hours=1))
    assert actions.fire_overdue_actions(clock.now()) == 0
    later = clock.now() + timedelta(hours=2)
    assert actions.fire_overdue_actions(later) == 1
    assert actions.fire_overdue_actions(later) == 0
    for who in (people.officer, people.supervisor):  # a partner agency's action: the officer in charge is told
        assert Notification.objects.filter(recipient=who, kind="agency_action_overdue", safeguard="P6").count() == 1
    a.refresh_from_db()
    assert a.overdue_alerted_at == later
    assert AuditRecord.objects.filter(action="case.agency_action_overdue").count() == 1
    for sql in ("UPDATE cases_agencyaction SET description = 'x'", "DELETE FROM cases_agencyaction"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


@pytest.mark.safeguard("P6")
def test_the_multi_agency_forms(people: Personas) -> None:
    c = case_for(people)
    officer = Client()
    officer.force_login(people.officer)
    assert officer.post(f"/cases/{c.pk}/do/referral/", {"kind": "marac", "meeting_at": "2026-12-14T10:00",
                                                        "note": ""}).status_code == 302
    refused = officer.post(f"/cases/{c.pk}/do/action/", {"description": "Refer to housing", "owner_id": "",
                                                         "agency": "", "due_at": "2026-12-20T12:00",
                                                         "referral_id": ""})
    assert refused.status_code == 400 and b"P6" in refused.content
    assert officer.post(f"/cases/{c.pk}/do/action/", {"description": "Refer to housing", "owner_id": "",
                                                      "agency": "Housing", "due_at": "2026-12-20T12:00",
                                                      "referral_id": ""}).status_code == 302
    a = AgencyAction.objects.get()
    page = officer.get(f"/cases/{c.pk}/")
    assert b"agency-action-form" in page.content and f"done-{a.pk}".encode() in page.content
    closed = officer.post(f"/cases/{c.pk}/do/close/", {"note": "Done"})
    assert closed.status_code == 409 and b"P6" in closed.content
    assert officer.post(f"/cases/{c.pk}/do/action_done/", {"action_id": a.pk, "note": "Referred"}).status_code == 302
    assert officer.post(f"/cases/{c.pk}/do/close/", {"note": "Done"}).status_code == 302
