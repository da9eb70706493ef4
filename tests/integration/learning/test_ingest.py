"""K1: documents in, structured cases out, against the real database.

Every shared lesson document and every fixture of our own ingests with exact, hand-counted results; the
same documents rendered to PDF and Word by the tests read to the same records (and are kept as copies,
not duplicate cases); the same file twice changes nothing; a partial fit is kept with its warnings; an
unreadable file is refused with a 4xx and leaves no trace.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tests.integration.learning.conftest import (
    BULLETIN_28,
    BULLETIN_31,
    ESSEX,
    FIXTURES,
    ISSUE_41,
    SHARED,
    ingest_path,
    shared,
)
from tests.support.learning_formats import CONVERTERS
from tests.support.lessons import BULLETIN_28_CASES as B28_CASES
from tests.support.lessons import BULLETIN_31_CASES as B31_CASES
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Forbidden, Refusal
from watchkeeper.learning import actions
from watchkeeper.learning.models import Case, CaseTheme, Document, KeyQuestion, Recommendation

pytestmark = pytest.mark.django_db

def stored_shape(doc: Document) -> list[tuple]:
    """What the database holds for each case: the same shape the parser's tests count."""
    rows = []
    for case in Case.objects.filter(document=doc).order_by("number", "id"):
        q = KeyQuestion.objects.filter(case=case)
        rows.append(
            (
                case.number,
                case.title,
                q.filter(audience="managers").count(),
                q.filter(audience="staff").count(),
                len(case.actions_taken),
                len(case.outcomes),
            )
        )
    return rows


def counts() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "cases": Case.objects.count(),
        "questions": KeyQuestion.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "themes": CaseTheme.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


# ------------------------------------------------------------------------------ shared documents
@pytest.mark.safeguard("K1")
def test_bulletin_28_every_case_title_and_count(lead) -> None:
    doc = ingest_path(lead, shared(BULLETIN_28))
    assert (doc.kind, doc.issue, doc.date, doc.title) == (
        "bulletin",
        28,
        date(2016, 11, 1),
        "Protecting vulnerable people",
    )
    assert stored_shape(doc) == B28_CASES
    assert [c.code for c in doc.cases.order_by("number")] == [f"B28.{n}" for n in range(1, 9)]
    assert len(doc.warnings) == 4 and all("section found" in w for w in doc.warnings)
    assert doc.recommendations.count() == 0
    assert Case.objects.get(code="B28.1").themes == [
        "Firearms",
        "Information management",
        "Neighbourhood Policing",
        "Public protection",
    ]


@pytest.mark.safeguard("K1")
def test_bulletin_31_every_case_title_and_count(lead) -> None:
    doc = ingest_path(lead, shared(BULLETIN_31))
    assert (doc.kind, doc.issue, doc.date, doc.title) == ("bulletin", 31, date(2017, 12, 1), "General")
    assert stored_shape(doc) == B31_CASES
    assert doc.warnings == []
    case_2 = Case.objects.get(code="B31.2")
    assert "request for an ambulance was made as a throwaway comment" in case_2.narrative
    assert case_2.topics[-1] == "Closing logs"
    assert KeyQuestion.objects.filter(case__document=doc).count() == 33


@pytest.mark.safeguard("K1")
def test_issue_41_case_report_findings_recommendations_and_responses(lead) -> None:
    doc = ingest_path(lead, shared(ISSUE_41))
    assert (doc.kind, doc.issue, doc.date) == ("case_report", 41, date(2022, 11, 23))
    case = doc.cases.get()
    assert (case.code, case.number, case.title) == (
        "I41.2",
        2,
        "Failure to identify risks to protect a victim of domestic abuse",
    )
    assert len(case.findings) == 3 and len(case.outcomes) == 1
    assert case.themes == ["Call handling", "Public protection", "Personal safety", "Information management"]
    assert case.details["investigation_type"] == "IOPC independent investigation"
    assert [(q.audience, q.position) for q in case.questions.all()] == [
        ("managers", 1),
        ("managers", 2),
        ("managers", 3),
        ("managers", 4),
        ("staff", 1),
        ("staff", 2),
    ]
    recs = list(doc.recommendations.order_by("number"))
    assert [(r.number, r.scope, r.reference) for r in recs] == [
        (1, "local", "I41.2/R1"),
        (2, "local", "I41.2/R2"),
        (3, "local", "I41.2/R3"),
    ]
    assert all(r.responded for r in recs) and recs[1].response == recs[2].response
    # K2: a report states no due date, so the statutory default applies from publication
    assert {r.response_due for r in recs} == {date(2023, 1, 18)}
    assert all(r.response_due_is_default for r in recs)


@pytest.mark.safeguard("K1")
@pytest.mark.safeguard("K2")
def test_essex_recommendation_record_two_accepted_due_24_november_2020(lead) -> None:
    doc = ingest_path(lead, shared(ESSEX))
    assert (doc.kind, doc.force, doc.reference, doc.date) == (
        "recommendation_record",
        "Essex Police",
        "2019/127918",
        date(2020, 9, 29),
    )
    case = doc.cases.get()
    assert case.code == "REC-ESSEX" and case.themes == ["Domestic abuse", "Welfare and vulnerable people"]
    recs = list(doc.recommendations.order_by("number"))
    assert [r.number for r in recs] == [1, 2]
    assert [r.acceptance for r in recs] == ["accepted", "accepted"]
    assert [r.response_due for r in recs] == [date(2020, 11, 24)] * 2
    assert not any(r.response_due_is_default for r in recs)
    assert [(r.addressed_to, r.linked_bodies) for r in recs] == [("Essex Police", ["Essex Police"])] * 2
    assert recs[0].text.startswith("The IOPC recommends that Essex Police should review the quality")
    assert recs[1].response.startswith("Recommendation accepted: This recommendation is accepted in full.")
    assert [r.reference for r in recs] == ["2019/127918/R1", "2019/127918/R2"]


@pytest.mark.safeguard("K1")
def test_the_original_file_and_its_hash_are_kept(lead) -> None:
    path = shared(BULLETIN_31)
    doc = ingest_path(lead, path)
    data = path.read_bytes()
    stored = Document.objects.get(pk=doc.pk)
    assert bytes(stored.original) == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.filename, stored.source_format, stored.size) == (path.name, "txt", len(data))
    assert stored.record["issue"] == 31 and len(stored.record["cases"]) == 7


@pytest.mark.safeguard("K1")
def test_one_audit_record_per_document_naming_what_was_read(lead) -> None:
    before = AuditRecord.objects.count()
    doc = ingest_path(lead, shared(BULLETIN_28))
    new = list(AuditRecord.objects.order_by("seq")[before:])
    assert [r.action for r in new] == ["learning.document_ingested"]
    assert new[0].actor_username == "learning"
    assert (new[0].after["cases"], new[0].after["questions"], new[0].after["warnings"]) == (8, 38, 4)
    assert new[0].object_id == str(doc.pk)


# ---------------------------------------------------------------------------- same file, again
@pytest.mark.safeguard("K1")
def test_the_same_file_again_changes_nothing(library, lead) -> None:
    before = counts()
    again = actions.ingest(lead, shared(BULLETIN_31).read_bytes(), "renamed-copy.txt")
    assert again.created is False
    assert again.document.pk == library[BULLETIN_31].pk
    assert again.document.filename == BULLETIN_31
    assert counts() == before


# ----------------------------------------------------------------------------- other formats
@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", [BULLETIN_31, ISSUE_41, ESSEX])
def test_other_formats_read_to_the_same_record_and_are_kept_as_copies(lead, name: str, fmt: str) -> None:
    original = ingest_path(lead, shared(name))
    extension, convert = CONVERTERS[fmt]
    before = counts()
    copy = actions.ingest(lead, convert(shared(name).read_text(encoding="utf-8")), f"lesson{extension}")
    assert copy.created is True
    doc = copy.document
    assert doc.source_format == fmt and doc.copy_of_id == original.pk
    assert doc.fingerprint == original.fingerprint
    strip = {"sha256", "source_format"}
    assert {k: v for k, v in doc.record.items() if k not in strip} == {
        k: v for k, v in original.record.items() if k not in strip
    }
    after = counts()
    assert (after["documents"], after["cases"], after["recommendations"]) == (
        before["documents"] + 1,
        before["cases"],
        before["recommendations"],
    )
    assert doc.warnings[-1].startswith("Same content as")


@pytest.mark.safeguard("K1")
def test_bulletin_28_as_word_alone_reads_to_every_case(lead) -> None:
    _, convert = CONVERTERS["docx"]
    doc = actions.ingest(lead, convert(shared(BULLETIN_28).read_text(encoding="utf-8")), "b28.docx").document
    assert doc.source_format == "docx" and doc.copy_of_id is None
    assert stored_shape(doc) == B28_CASES


@pytest.mark.safeguard("K1")
def test_bulletin_31_as_pdf_alone_reads_to_every_case(lead) -> None:
    _, convert = CONVERTERS["pdf"]
    doc = actions.ingest(lead, convert(shared(BULLETIN_31).read_text(encoding="utf-8")), "b31.pdf").document
    assert doc.source_format == "pdf" and doc.copy_of_id is None
    assert stored_shape(doc) == B31_CASES


# ---------------------------------------------------------------------------- our own fixtures
FIXTURE_SHAPES = {
    "bulletin-53-custody-two-cases.txt": (
        "bulletin",
        ["B53.1", "B53.2"],
        [
            (1, "Checks on a detainee who had swallowed drugs", 3, 2, 2, 2),
            (2, "Handover between custody shifts", 2, 1, 3, 0),
        ],
        0,
        1,
    ),
    "bulletin-47-roads-policing-alt-headings.html": (
        "bulletin",
        ["B47.1", "B47.2", "B47.3"],
        [
            (1, "Pursuit authorised without a tactical adviser", 2, 3, 2, 1),
            (2, "Stinger deployed from an unsafe position", 1, 1, 1, 1),
            (3, "Pursuit continued after the suspect was identified", 3, 0, 2, 2),
        ],
        0,
        1,
    ),
    "bulletin-38-missing-page.txt": (
        "bulletin",
        ["B38.1", "B38.2", "B38.3", "B38.5"],
        [
            (1, "Repeat calls not linked", 1, 1, 1, 1),
            (2, "Text relay call graded incorrectly", 1, 0, 1, 1),
            (3, "Call-back not made", 1, 1, 1, 1),
            (5, "Call-back to a withheld number", 1, 1, 1, 1),
        ],
        0,
        4,
    ),
    "case-report-44-national-only.txt": (
        "case_report",
        ["I44.3"],
        [(3, "Delay in responding to a man detained under section 136", 3, 2, 0, 1)],
        2,
        0,
    ),
    "recommendation-record-northshire-three.md": (
        "recommendation_record",
        ["REC-NORTHSHIRE"],
        [(None, "Detention of a child in custody - Northshire Police, March 2023", 0, 0, 0, 0)],
        3,
        1,
    ),
    "partial-learning-report.txt": (
        "case_report",
        ["I45.5"],
        [(5, "Vetting checks not repeated when an officer changed role", 0, 0, 0, 1)],
        1,
        7,
    ),
    "station-facilities-minutes.txt": ("unknown", [], [], 0, 1),
}


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", sorted(FIXTURE_SHAPES))
def test_every_fixture_ingests_with_exact_counts(lead, name: str) -> None:
    kind, codes, shape, recs, warnings = FIXTURE_SHAPES[name]
    doc = ingest_path(lead, FIXTURES / name)
    assert doc.kind == kind
    assert [c.code for c in doc.cases.order_by("number", "id")] == codes
    assert stored_shape(doc) == shape
    assert doc.recommendations.count() == recs
    assert len(doc.warnings) == warnings


def test_the_fixture_folder_is_covered_by_the_table() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_file()) == sorted(FIXTURE_SHAPES)


@pytest.mark.safeguard("K1")
@pytest.mark.safeguard("K2")
def test_northshire_record_has_no_due_date_so_the_statutory_default_applies(lead) -> None:
    doc = ingest_path(lead, FIXTURES / "recommendation-record-northshire-three.md")
    recs = list(doc.recommendations.order_by("number"))
    assert [(r.acceptance, r.implementation) for r in recs] == [
        ("accepted", "not_started"),
        ("not_accepted", "not_accepted"),
        ("accepted", "not_started"),
    ]
    assert {r.response_due for r in recs} == {date(2023, 5, 9)}
    assert all(r.response_due_is_default for r in recs)
    assert recs[0].linked_bodies == ["Northshire Police", "Northshire County Council"]


@pytest.mark.safeguard("K1")
def test_a_partial_fit_is_kept_with_warnings_naming_what_was_missing(lead) -> None:
    doc = ingest_path(lead, FIXTURES / "partial-learning-report.txt")
    assert "Case report: publication date not found" in doc.warnings
    assert "Case report: no response found for local recommendation 1" in doc.warnings
    rec = doc.recommendations.get()
    assert (rec.response, rec.response_due, rec.date_made) == ("", None, None)
    assert doc.cases.get().findings == [
        "The force had no process linking internal transfers to the vetting unit."
    ]


@pytest.mark.safeguard("K1")
def test_a_document_of_no_known_kind_is_kept_as_text_only(lead) -> None:
    doc = ingest_path(lead, FIXTURES / "station-facilities-minutes.txt")
    assert doc.kind == "unknown" and doc.cases.count() == 0
    assert "does not match a known kind" in doc.warnings[0]
    assert "Station Facilities Group" in doc.text


# ------------------------------------------------------------------------------------- refusals
@pytest.mark.safeguard("K1")
@pytest.mark.parametrize(
    "data,name,says",
    [
        (b"", "empty.txt", "is empty"),
        (b"%PDF-1.4 broken", "broken.pdf", "PDF"),
        (b"not a zip", "broken.docx", "Word"),
        (b"\x00\x01\x02binary", "blob.bin", "not a supported document type"),
        (b"old word", "old.doc", ".docx"),
    ],
)
def test_an_unreadable_file_is_refused_and_nothing_is_written(
    lead, data: bytes, name: str, says: str
) -> None:
    before = counts()
    with pytest.raises(Refusal, match=says) as refused:
        actions.ingest(lead, data, name)
    assert refused.value.safeguard == "K1" and 400 <= refused.value.status < 500
    assert counts() == before


@pytest.mark.safeguard("K1")
def test_only_a_learning_lead_or_administrator_may_ingest(people) -> None:
    data = shared(BULLETIN_31).read_bytes()
    for who in ("handler", "supervisor", "qa"):
        with pytest.raises(Forbidden, match="learning.manage"):
            actions.ingest(people.actor(who), data, BULLETIN_31)
    assert Document.objects.count() == 0
    assert actions.ingest(people.actor("admin"), data, BULLETIN_31).created


@pytest.mark.safeguard("K1")
def test_the_database_refuses_deleting_or_changing_a_stored_document(library) -> None:
    doc = library[BULLETIN_31]
    for sql in (
        f"DELETE FROM learning_document WHERE id = {doc.pk}",
        f"UPDATE learning_document SET title = 'x' WHERE id = {doc.pk}",
        f"DELETE FROM learning_case WHERE document_id = {doc.pk}",
    ):
        with pytest.raises(DatabaseError, match="K1"):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
    assert Document.objects.get(pk=doc.pk).title == "General"


# --------------------------------------------------------------------------------------- the CLI
@pytest.mark.safeguard("K1")
def test_cli_ingest_json_prints_every_parsed_record(people, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "ingest",
        str(shared(ESSEX)),
        str(FIXTURES / "bulletin-53-custody-two-cases.txt"),
        "--json",
        "--as",
        "learning",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert [r["status"] for r in rows] == ["created", "created"]
    essex = rows[0]["record"]
    assert essex["kind"] == "recommendation_record" and essex["response_due"] == "2020-11-24"
    assert [r["accepted"] for r in essex["recommendations"]] == [True, True]
    assert rows[1]["record"]["cases"][1]["title"] == "Handover between custody shifts"
    assert rows[1]["record"]["cases"][0]["questions_staff"][1] == (
        "How do you record that a detainee has been roused and has responded?"
    )
    again = io.StringIO()
    call_command("ingest", str(shared(ESSEX)), stdout=again)
    assert again.getvalue().startswith("held")


@pytest.mark.safeguard("K1")
def test_cli_ingest_of_a_folder_reports_a_refusal_and_fails(people, tmp_path: Path) -> None:
    (tmp_path / "a-bulletin.txt").write_bytes((FIXTURES / "bulletin-53-custody-two-cases.txt").read_bytes())
    (tmp_path / "b-broken.pdf").write_bytes(b"%PDF-1.4 nothing here")
    out, err = io.StringIO(), io.StringIO()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 file"):
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    assert out.getvalue().startswith("created  bulletin")
    assert "refused" in err.getvalue() and "b-broken.pdf" in err.getvalue()
    assert Document.objects.count() == 1


def test_every_shared_lesson_is_read_from_beside_the_checkout() -> None:
    assert all(shared(name).is_file() for name in SHARED)
