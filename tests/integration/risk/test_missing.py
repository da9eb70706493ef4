"""P9 missing-person records through the real database: reported, reviewed by the level's reviewer on its
cadence, places with the decision on forcing entry, found; an overdue review escalates once (the sweeper);
new information on the linked log tells the lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.integration.risk.support import da_log, victim
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Notification
from watchkeeper.risk import actions, queries
from watchkeeper.risk.models import MissingPerson

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("P9")
def test_a_missing_person_is_reviewed_on_the_levels_cadence_by_its_reviewer(people: Personas) -> None:
    person = victim(people, family="Missing")
    m = actions.report_missing(people.actor("officer"), person_id=person.pk, level="high")
    assert m.review_due_at is not None and m.lead_id == people.officer.pk
    assert abs((m.review_due_at - clock.now()) - timedelta(minutes=60)) < timedelta(minutes=1)
    with pytest.raises(Refusal) as twice:
        actions.report_missing(people.actor("officer"), person_id=person.pk, level="low")
    assert twice.value.status == 409
    with pytest.raises(Refusal) as supervisor:
        actions.review_missing(people.actor("supervisor"), m.pk, level="medium", note="Seen on CCTV in town")
    assert supervisor.value.safeguard == "P9" and supervisor.value.status == 403
    r = actions.review_missing(people.actor("inspector"), m.pk, level="medium", note="Seen on CCTV in town")
    m.refresh_from_db()
    assert (r.from_level, m.level) == ("high", "medium")
    assert abs((m.review_due_at - clock.now()) - timedelta(minutes=240)) < timedelta(minutes=1)
    actions.review_missing(people.actor("supervisor"), m.pk, level="medium", note="No change; searches go on")
    with pytest.raises(Refusal) as why:
        actions.record_place(people.actor("officer"), m.pk, place="12 Mill Lane", status="searched",
                             forced_entry="forced")
    assert why.value.safeguard == "P9"
    actions.record_place(people.actor("officer"), m.pk, place="12 Mill Lane", status="searched",
                         forced_entry="forced", note="No answer and a light on; the inspector authorised entry")
    actions.record_place(people.actor("officer"), m.pk, place="The canal path", status="not_yet")
    found = actions.record_found(people.actor("officer"), m.pk, note="Found safe at a friend's flat")
    assert found.state == "found" and found.review_due_at is None
    view = queries.missing(m.pk)
    assert [p["status"] for p in view["places"]] == ["Not yet done", "Searched"]
    assert view["places"][1]["forced_entry"] == "Entry forced" and len(view["reviews"]) == 2
    with pytest.raises(Refusal) as kept:
        actions.record_place(people.actor("officer"), m.pk, place="x", status="searched")
    assert kept.value.status == 409
    assert AuditRecord.objects.filter(action__startswith="missing.").count() == 6  # one per action


@pytest.mark.safeguard("P9")
def test_an_overdue_review_escalates_once_to_the_lead_and_their_team(people: Personas) -> None:
    person = victim(people, family="Overdue")
    m = actions.report_missing(people.actor("officer"), person_id=person.pk, level="medium")
    assert actions.fire_missing_reviews(clock.now()) == 0
    with time_machine.travel(clock.now() + timedelta(minutes=241), tick=False):
        assert actions.fire_missing_reviews(clock.now()) == 1
        assert actions.fire_missing_reviews(clock.now()) == 0  # once
        assert queries.missing(m.pk)["overdue"]
    notes = Notification.objects.filter(kind="missing_review_overdue")
    assert {(n.recipient_id, n.team_id) for n in notes} == {(people.officer.pk, None),
                                                           (None, people.officer.team_id)}
    assert [r.pk for r in queries.open_missing()] == [m.pk]
    actions.review_missing(people.actor("supervisor"), m.pk, level="medium", note="Reviewed late; no change")
    m.refresh_from_db()
    assert m.review_stage == 0


@pytest.mark.safeguard("P9")
def test_new_information_on_the_linked_log_tells_the_lead(people: Personas) -> None:
    person = victim(people, family="Linked")
    log = da_log(people, person, role="subject")
    m = actions.report_missing(people.actor("handler"), person_id=person.pk, level="low",
                               lead_id=people.investigator.pk, reference=log.reference)
    assert m.log_id == log.pk
    logs.add_entry(people.actor("handler"), log.reference, "Caller says he was seen at the bus station")
    note = Notification.objects.get(kind="missing_new_information")
    assert note.recipient_id == people.investigator.pk and note.safeguard == "P9"


def test_the_missing_person_pages(people: Personas) -> None:
    person = victim(people, family="Paged")
    officer = Client()
    officer.force_login(people.officer)
    made = officer.post("/risk/do/missing/", {"person_id": person.pk, "level": "high"})
    m = MissingPerson.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/risk/missing/{m.pk}/"
    page = officer.get(f"/risk/missing/{m.pk}/")
    assert page.status_code == 200 and b"by a duty inspector" in page.content
    refused = officer.post(f"/risk/missing/{m.pk}/do/missing_place/", {"place": "Park", "status": "searched",
                                                                       "forced_entry": "forced"})
    assert refused.status_code == 400 and b"P9" in refused.content
    assert officer.post(f"/risk/missing/{m.pk}/do/missing_place/",
                        {"place": "Park", "status": "searched"}).status_code == 302
    assert b"Missing now" in officer.get("/risk/").content
