"""The learning pages over real request handling: every page renders for a learning lead and for a call
handler (who reads but cannot change), uploads and answers work through the forms, refusals show beside
the form with a 4xx, and the CSV export downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.integration.learning.conftest import BULLETIN_31, FIXTURES, shared
from tests.support.personas import Personas
from watchkeeper.learning.models import Answer, Case, Document, KeyQuestion, Recommendation

pytestmark = pytest.mark.django_db


def browser(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def pages(library: dict[str, Document]) -> list[str]:
    doc = library[BULLETIN_31]
    case = Case.objects.get(code="B31.2")
    rec = Recommendation.objects.order_by("pk").first()
    return [
        "/learning/",
        f"/learning/documents/{doc.pk}/",
        f"/learning/cases/{case.pk}/",
        "/learning/search/?q=ambulance",
        "/learning/search/?theme=Call+handling&year=2017",
        "/learning/tracker/",
        "/learning/tracker/?rag=red&status=overdue",
        f"/learning/recommendations/{rec.pk}/",
        "/learning/progress/",
        "/learning/themes/",
        "/learning/safeguards/L3/",
    ]


@pytest.mark.safeguard("K1", "K2", "K3", "K4", "K5")
@pytest.mark.parametrize("who", ["learning", "handler", "officer"])
def test_every_learning_page_renders_for_every_role(library, people: Personas, who: str) -> None:
    c = browser(getattr(people, who))
    manages = who == "learning"
    for path in pages(library):
        response = c.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        assert "learning/learning.css" in html and 'aria-label="Learning library"' in html
        if path == "/learning/":
            assert ("Upload and read" in html) == manages
        if path.startswith("/learning/cases/"):
            assert ("Record answer" in html) == manages and ("Run replay" in html) == manages
        if path.startswith("/learning/recommendations/"):
            assert ("Record response</button>" in html) == manages


@pytest.mark.safeguard("K1")
def test_uploading_through_the_page_reads_the_document(people: Personas) -> None:
    c = browser(people.learning)
    upload = SimpleUploadedFile(BULLETIN_31, shared(BULLETIN_31).read_bytes(), content_type="text/plain")
    response = c.post("/learning/upload/", {"documents": upload})
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/learning/documents/{doc.pk}/"
    page = c.get(response["Location"]).content.decode()
    assert "Response to welfare concerns" in page and "Bulletin 31: General" in page
    again = c.post(
        "/learning/upload/", {"documents": SimpleUploadedFile("x.txt", shared(BULLETIN_31).read_bytes())}
    )
    assert again["Location"].endswith("?held=1")
    assert "already in the library" in c.get(again["Location"]).content.decode()
    assert Document.objects.count() == 1


@pytest.mark.safeguard("K1")
def test_an_unreadable_upload_is_refused_beside_the_form(people: Personas) -> None:
    c = browser(people.learning)
    response = c.post("/learning/upload/", {"documents": SimpleUploadedFile("scan.pdf", b"%PDF-1.7 no text")})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="refusal"' in html and "K1" in html
    assert Document.objects.count() == 0
    assert c.post("/learning/upload/", {}).status_code == 400


def test_a_call_handler_cannot_upload(people: Personas) -> None:
    response = browser(people.handler).post(
        "/learning/upload/", {"documents": SimpleUploadedFile("b.txt", shared(BULLETIN_31).read_bytes())}
    )
    assert response.status_code == 403 and Document.objects.count() == 0


@pytest.mark.safeguard("K3")
def test_answering_through_the_page_and_seeing_progress(library, people: Personas) -> None:
    c = browser(people.learning)
    q = KeyQuestion.objects.filter(case__code="B31.2").order_by("audience", "position").first()
    refused = c.post(f"/learning/questions/{q.pk}/answer/", {"answer": "Yes", "action": "Brief staff"})
    assert refused.status_code == 400 and "owner and a due date" in refused.content.decode()
    response = c.post(
        f"/learning/questions/{q.pk}/answer/",
        {
            "answer": "Yes: a log can be closed on an earlier instruction.",
            "evidence": "Dip sample",
            "action": "Check unseen entries before close",
            "owner_id": str(people.controller.pk),
            "due_date": "2030-01-31",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#q{q.pk}")
    assert Answer.objects.get().owner_id == people.controller.pk
    progress = c.get("/learning/progress/").content.decode()
    assert "1 of 33 answered" in progress


@pytest.mark.safeguard("K2")
def test_tracker_forms_and_a_stale_form_refused(people: Personas, lead) -> None:
    from tests.integration.learning.conftest import WESTSHIRE_RECORD
    from watchkeeper.learning import actions

    rec = actions.ingest(lead, WESTSHIRE_RECORD.encode(), "w.md").document.recommendations.order_by("number")[
        0
    ]
    c = browser(people.learning)
    ok = c.post(
        f"/learning/recommendations/{rec.pk}/do/response/",
        {"acceptance": "accepted", "response": "Accepted in full."},
    )
    assert ok.status_code == 302
    stale = c.post(
        f"/learning/recommendations/{rec.pk}/do/tracker/",
        {"expected_version": "1", "implementation": "in_progress"},
    )
    assert stale.status_code == 409 and "changed since you read it" in stale.content.decode()
    due = c.post(
        f"/learning/recommendations/{rec.pk}/do/action/",
        {"description": "Brief", "owner_id": str(people.controller.pk), "due_date": ""},
    )
    assert due.status_code == 400
    assert c.post(f"/learning/recommendations/{rec.pk}/do/nonsense/", {}).status_code == 400
    page = c.get(f"/learning/recommendations/{rec.pk}/").content.decode()
    assert "Accepted in full." in page and "Accepted but no action planned" in page


@pytest.mark.safeguard("K5")
def test_search_page_shows_marked_snippets_and_the_themes_page_a_chart_and_table(
    library, people: Personas
) -> None:
    c = browser(people.handler)
    html = c.get('/learning/search/?q="throwaway+comment"').content.decode()
    assert "Response to welfare concerns" in html and "<mark>" in html
    themes = c.get("/learning/themes/").content.decode()
    assert '<svg class="themes-chart" role="img"' in themes and '<title id="themes-chart-title">' in themes
    assert '<table class="board themes-table"' in themes and "recurring" in themes


def test_original_file_downloads_as_uploaded(library, people: Personas) -> None:
    doc = library[BULLETIN_31]
    response = browser(people.officer).get(f"/learning/documents/{doc.pk}/original/")
    assert response.status_code == 200 and response.content == shared(BULLETIN_31).read_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"


def test_own_fixture_of_no_known_kind_shows_its_text(people: Personas, lead) -> None:
    from watchkeeper.learning import actions

    doc = actions.ingest(lead, (FIXTURES / "station-facilities-minutes.txt").read_bytes(), "m.txt").document
    html = browser(people.handler).get(f"/learning/documents/{doc.pk}/").content.decode()
    assert "does not match a known kind" in html and "Station Facilities Group" in html
