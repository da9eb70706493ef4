"""K1: one document whatever its format, every field traceable to the original, corrections kept beside
the parser's reading - against the real database, through the actions, the API and the pages.

The documents are our own fixtures (tests/fixtures/learning/formats), rendered to PDF, Word and HTML by
the shared renderer with their publishers' running headers and footers.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys
from typing import Any

import pytest
from django.test import Client

from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.bench.learning_fixtures import Fixture, load
from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions
from watchkeeper.learning.models import Case, Document, KeyQuestion, Recommendation, RecordVersion

pytestmark = pytest.mark.django_db
ingest_module = sys.modules["watchkeeper.learning.actions.ingest"]
FIXTURES = {f.name: f for f in load()}
BULLETIN = "bulletin-61-control-room-three-cases"
REPORT = "case-report-issue-50-case-1-stalking"
RECORD = "record-fenland-four-recommendations"
NO_DUE_DATE = "record-harbourside-two-no-due-date"


def upload(actor: Actor, fixture: Fixture, fmt: str) -> actions.Ingested:
    data, filename = fixture.render(fmt)
    return actions.ingest(actor, data, filename)


def api(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def audits(action: str) -> int:
    return AuditRecord.objects.filter(action=action).count()


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", [BULLETIN, REPORT, RECORD])
def test_every_format_after_the_first_adds_a_format_never_a_case(people: Personas, name: str) -> None:
    lead = people.actor("learning")
    fixture = FIXTURES[name]
    first = upload(lead, fixture, "pdf")
    later = [upload(lead, fixture, fmt) for fmt in ("docx", "txt", "html")]
    assert first.created and all(r.created for r in later)
    assert [r.document.copy_of_id for r in later] == [first.document.pk] * 3
    assert Document.objects.filter(copy_of__isnull=True).count() == 1
    expected_cases = len(fixture.record.get("cases", [])) or 1
    assert Case.objects.count() == expected_cases
    assert Recommendation.objects.count() == len(fixture.record.get("recommendations", []))
    assert all(r.updated is None for r in later)  # each format read as well as the first: nothing to update
    assert RecordVersion.objects.filter(document=first.document).count() == 1


def _worse(monkeypatch: pytest.MonkeyPatch, **fields: Any) -> None:
    """The reading an older parser gave: the real reading, with some fields it had not found."""
    real = ingest_module.read_isolated_located

    def older(data: bytes, filename: str, **kwargs: Any) -> Any:
        text, fmt, parsed, where = real(data, filename, **kwargs)
        worse = dataclasses.replace(parsed, **fields, warnings=[*parsed.warnings, "Case report: not found"])
        return text, fmt, worse, where

    monkeypatch.setattr(ingest_module, "read_isolated_located", older)


@pytest.mark.safeguard("K1")
def test_the_same_file_read_better_after_an_upgrade_updates_the_record_shown_and_audited(
    people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = people.actor("learning")
    fixture = FIXTURES[REPORT]
    _worse(monkeypatch, questions_staff=[])
    data, filename = fixture.render("docx")
    first = actions.ingest(lead, data, filename)
    case = first.document.cases.get()
    assert not KeyQuestion.objects.filter(case=case, audience="staff").exists()
    monkeypatch.undo()

    again = actions.ingest(lead, data, filename)
    assert (again.created, again.document.pk) == (False, first.document.pk)
    assert again.updated is not None and again.updated.source == "reparse" and again.updated.number == 2
    fields = [c["field"] for c in again.updated.changes]
    assert "questions_staff" in fields
    assert (
        list(KeyQuestion.objects.filter(case=case, audience="staff").values_list("text", flat=True))
        == (fixture.record["questions_staff"])
    )
    assert Case.objects.count() == 1 and Document.objects.count() == 1
    assert audits("learning.record_reread") == 1
    # the parser's first reading is kept beside the new one
    versions = list(RecordVersion.objects.filter(document=first.document).order_by("number"))
    assert [v.source for v in versions] == ["parser", "reparse"]
    assert versions[0].record["questions_staff"] == []

    before = AuditRecord.objects.count()
    third = actions.ingest(lead, data, filename)  # read the same again: nothing changes, nothing is written
    assert third.updated is None and AuditRecord.objects.count() == before


@pytest.mark.safeguard("K1")
def test_a_better_format_after_a_worse_one_updates_the_one_record(
    people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = people.actor("learning")
    fixture = FIXTURES[RECORD]
    _worse(monkeypatch, summary="")
    pdf = upload(lead, fixture, "pdf")
    monkeypatch.undo()
    word = upload(lead, fixture, "docx")
    assert word.document.copy_of_id == pdf.document.pk
    assert any(w.startswith("Same document as") for w in word.document.warnings)
    assert word.updated is not None and [c["field"] for c in word.updated.changes] == ["summary"]
    assert word.updated.read_from_id == word.document.pk
    assert Recommendation.objects.count() == 4  # never duplicated
    assert pdf.document.cases.get().narrative == fixture.record["summary"]


@pytest.mark.safeguard("K1")
def test_a_worse_format_after_a_better_one_changes_nothing(people: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = people.actor("learning")
    fixture = FIXTURES[RECORD]
    pdf = upload(lead, fixture, "pdf")
    _worse(monkeypatch, summary="")
    word = upload(lead, fixture, "docx")
    assert word.document.copy_of_id == pdf.document.pk and word.updated is None
    assert RecordVersion.objects.filter(document=pdf.document).count() == 1


@pytest.mark.safeguard("K2")
def test_the_response_due_date_is_computed_from_the_date_recommended_by_policy(people: Personas) -> None:
    lead = people.actor("learning")
    upload(lead, FIXTURES[NO_DUE_DATE], "html")
    recs = list(Recommendation.objects.order_by("number"))
    assert [(r.date_made, r.response_due, r.response_due_is_default) for r in recs] == [
        (datetime.date(2021, 6, 3), datetime.date(2021, 7, 29), True)
    ] * 2
    actions.set_setting(lead, "response_days", 28, "Local agreement with the oversight body")
    upload(lead, FIXTURES["record-eastbrook-three-no-due-date"], "pdf")
    eastbrook = Recommendation.objects.filter(document__reference="EB/21/0098")
    assert {r.response_due for r in eastbrook} == {datetime.date(2022, 4, 21) + datetime.timedelta(days=28)}
    stated = upload(lead, FIXTURES[RECORD], "txt").document
    assert {r.response_due for r in stated.recommendations.all()} == {datetime.date(2024, 1, 2)}


@pytest.mark.safeguard("K1")
def test_every_field_names_its_page_and_line_and_the_api_shows_it(people: Personas) -> None:
    lead = people.actor("learning")
    doc = upload(lead, FIXTURES[REPORT], "pdf").document
    body = json.loads(api(people.learning).get(f"/api/learning/documents/{doc.pk}/record").content)
    assert body["version"] == 1 and body["text_document"] == doc.pk
    lines = doc.text.split("\n")
    where = body["provenance"]
    assert where["title"]["page"] == 1
    assert lines[where["title"]["line"] - 1] == "Warnings about a stalker that were not linked"
    assert where["questions_staff.0"]["page"] >= 2
    assert "What searches do you make" in lines[where["questions_staff.0"]["line"] - 1]


@pytest.mark.safeguard("K1")
def test_a_hand_correction_is_a_new_version_and_the_parsers_reading_is_kept(people: Personas) -> None:
    lead = people.actor("learning")
    doc = upload(lead, FIXTURES[BULLETIN], "txt").document
    client = api(people.learning)
    url = f"/api/learning/documents/{doc.pk}/corrections"
    body = {
        "expected_version": 1,
        "field": "cases.1.title",
        "value": "A call closed as a civil dispute (corrected)",
        "reason": "The publisher's title was cut short",
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["number"] == 2
    assert Case.objects.get(document=doc, number=2).title == "A call closed as a civil dispute (corrected)"
    record = json.loads(client.get(f"/api/learning/documents/{doc.pk}/record").content)
    assert record["corrected"] == ["cases.1.title"]
    assert record["versions"][0]["source"] == "parser" and record["versions"][1]["source"] == "hand"
    assert RecordVersion.objects.get(document=doc, number=1).record["cases"][1]["title"] == (
        "A call closed as a civil dispute"
    )
    assert audits("learning.record_corrected") == 1

    stale = client.post(url, {**body, "value": "Another"}, content_type="application/json")
    assert stale.status_code == 409
    unknown = client.post(
        url, {**body, "expected_version": 2, "field": "cases.9.title"}, content_type="application/json"
    )
    assert unknown.status_code == 400, unknown.content
    assert json.loads(unknown.content)["details"]["field"] == "field", unknown.content
    list_value = client.post(
        url,
        {**body, "expected_version": 2, "field": "cases.0.actions", "value": "First action.\nSecond action."},
        content_type="application/json",
    )
    assert list_value.status_code == 201
    assert Case.objects.get(document=doc, number=1).actions_taken == ["First action.", "Second action."]
    refused = api(people.handler).post(url, {**body, "expected_version": 3}, content_type="application/json")
    assert refused.status_code == 403
    assert RecordVersion.objects.filter(document=doc).count() == 3


@pytest.mark.safeguard("K1")
def test_a_correction_survives_a_better_reading(people: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = people.actor("learning")
    fixture = FIXTURES[REPORT]
    _worse(monkeypatch, outcomes=[])
    doc = upload(lead, fixture, "pdf").document
    monkeypatch.undo()
    actions.correct_field(
        lead, doc.pk, field="title", value="Stalking reports not linked", reason="House style", expected_version=1
    )
    better = upload(lead, fixture, "html")
    assert better.updated is not None
    assert "outcomes" in [c["field"] for c in better.updated.changes]
    assert better.updated.record["title"] == "Stalking reports not linked"
    assert doc.cases.get().title == "Stalking reports not linked"


@pytest.mark.safeguard("K1")
def test_the_document_page_shows_each_field_beside_the_original_and_corrects_it(people: Personas) -> None:
    lead = people.actor("learning")
    doc = upload(lead, FIXTURES[REPORT], "txt").document
    page = api(people.learning).get(f"/learning/documents/{doc.pk}/").content.decode()
    assert "The record and where it came from" in page
    assert "line 5" in page and "Correct this field" in page
    reader = api(people.handler).get(f"/learning/documents/{doc.pk}/").content.decode()
    assert "The record and where it came from" in reader and "Correct this field" not in reader

    form = {"field": "summary", "expected_version": "1", "value": "A corrected summary", "reason": "Typo"}
    done = api(people.learning).post(f"/learning/documents/{doc.pk}/correct/", form)
    assert done.status_code == 302 and "corrected=2" in done["Location"]
    again = api(people.learning).post(f"/learning/documents/{doc.pk}/correct/", form)
    assert again.status_code == 409 and "changed since you read it" in again.content.decode()
    assert RecordVersion.objects.filter(document=doc).count() == 2
