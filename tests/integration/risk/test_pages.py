"""The risk pages through Django's client: every page renders for the roles that may see it, the forms post
to the same operations as the API (R1-R6), and the supervisor's queue shows the answers (R3)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integration.risk.support import CURRENT, RATIONALE, answers, da_log, load, started, victim
from tests.support.personas import Personas
from watchkeeper.risk import actions
from watchkeeper.risk.models import Answer, Assessment

pytestmark = pytest.mark.django_db


def _client(p: Personas, who: str) -> Client:
    c = Client()
    c.force_login(getattr(p, who))
    return c


def test_the_log_panel_offers_the_called_for_instrument_and_starts_an_assessment(people: Personas) -> None:
    load()
    log = da_log(people, person := victim(people))
    officer = _client(people, "officer")
    page = officer.get(f"/logs/{log.reference}/")
    assert page.status_code == 200 and b"log-risk" in page.content
    panel = officer.get(f"/risk/logs/{log.reference}/")
    assert panel.status_code == 200
    assert b"is called for on this log" in panel.content and b"Start assessment" in panel.content
    started_page = officer.post("/risk/do/start/", {"reference": log.reference, "person_id": person.pk,
                                                    "instrument": "domestic-abuse", "role": "victim"})
    a = Assessment.objects.get()
    assert started_page.status_code == 302 and started_page["Location"] == f"/risk/assessments/{a.pk}/"
    sheet = officer.get(f"/risk/assessments/{a.pk}/")
    assert sheet.status_code == 200 and b"data-question=\"followed\"" in sheet.content
    assert _client(people, "learning").get(f"/risk/logs/{log.reference}/").status_code == 403


@pytest.mark.safeguard("R1")
def test_an_answer_saved_from_the_sheet_is_kept_with_who_and_when(people: Personas) -> None:
    load()
    a = started(people)
    officer = _client(people, "officer")
    saved = officer.post(f"/risk/assessments/{a.pk}/do/answers/",
                         {"answers.0.question": "followed", "answers.0.value": "yes"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and saved["HX-Trigger"] == "risk-saved" and b"Saved" in saved.content
    row = Answer.objects.get()
    assert (row.question, row.value, row.by_id) == ("followed", "yes", people.officer.pk)
    guidance = officer.get(f"/risk/assessments/{a.pk}/guidance/")
    assert b"answer indicating stalking" in guidance.content
    refused = officer.post(f"/risk/assessments/{a.pk}/do/answers/",
                           {"answers.0.question": "injured", "answers.0.value": "perhaps"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and b"injured: answer one of" in refused.content
    nothing = officer.post(f"/risk/assessments/{a.pk}/do/answers/",
                           {"answers.0.question": "injured", "answers.0.value": "", "answers.0.refused": "true"},
                           HTTP_HX_REQUEST="true")
    assert nothing.status_code == 200 and Answer.objects.filter(question="injured", refused=True).exists()


@pytest.mark.safeguard("R3")
def test_the_review_queue_shows_the_answers_and_the_rationale_and_takes_the_review(people: Personas) -> None:
    load()
    a = started(people)
    actions.answer(people.actor("officer"), a.pk, answers(CURRENT, strangulation="yes", weapon="yes"))
    officer = _client(people, "officer")
    refused = officer.post(f"/risk/assessments/{a.pk}/do/submit/", {"judgement": "standard", "rationale": ""})
    assert refused.status_code == 422 and b"below the guidance" in refused.content
    done = officer.post(f"/risk/assessments/{a.pk}/do/submit/", {"judgement": "standard", "rationale": RATIONALE})
    assert done.status_code == 302
    supervisor = _client(people, "supervisor")
    queue = supervisor.get("/risk/")
    assert queue.status_code == 200
    text = queue.content.decode()
    assert RATIONALE in text and "choked, strangled or smothered" in text and 'class="risk-yes"' in text
    assert b'id="queue"' not in officer.get("/risk/").content  # an officer has no queue
    reviewed = supervisor.post(f"/risk/assessments/{a.pk}/do/review/", {
        "decision": "raise", "level": "high", "rationale": "Strangulation and a weapon: high"})
    assert reviewed.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.level) == ("reviewed", "high")


def test_the_person_and_instrument_pages_render(people: Personas) -> None:
    load()
    person = victim(people)
    officer = _client(people, "officer")
    assert b"Start assessment" in officer.get(f"/risk/people/{person.pk}/").content
    admin = _client(people, "admin")
    listing = admin.get("/risk/instruments/")
    assert listing.status_code == 200 and b"Missing person" in listing.content
    assert admin.post("/risk/do/instrument/", {"shipped": "missing-person"}).status_code == 302
    assert admin.post("/risk/do/instrument/", {"document": "{not json"}).status_code == 400
