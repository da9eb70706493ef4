"""Our own fixture documents: the parser must generalise beyond the shared lessons (safeguard K1).

Each fixture in tests/fixtures/learning/ was written for these tests to vary
one thing the shared documents do not: number of cases, missing sections,
other heading wording, only national recommendations, a record without a
response-due date, a document that only partly fits, and one that does not
fit at all.  Each is also rendered to every other format.
"""

from __future__ import annotations

import datetime
from functools import cache

import pytest

from tests.support.learning_formats import CONVERTERS, latin1_copy
from tests.support.lessons import FIXTURES, case_shape, comparable
from watchkeeper.learning.parsing import ParsedDocument, extract_text, parse_document, parse_text

FIXTURE_NAMES = [
    "bulletin-53-custody-two-cases.txt",
    "bulletin-47-roads-policing-alt-headings.html",
    "bulletin-38-missing-page.txt",
    "case-report-44-national-only.txt",
    "recommendation-record-northshire-three.md",
    "partial-learning-report.txt",
    "station-facilities-minutes.txt",
]


@cache
def parsed(name: str) -> ParsedDocument:
    return parse_document((FIXTURES / name).read_bytes(), name)


@pytest.mark.safeguard("K1")
def test_bulletin_with_two_cases_and_a_missing_outcomes_section() -> None:
    doc = parsed("bulletin-53-custody-two-cases.txt")
    assert (doc.kind, doc.issue, doc.date, doc.title) == (
        "bulletin",
        53,
        datetime.date(2023, 6, 1),
        "Custody and detention",
    )
    assert case_shape(doc) == [
        (1, "Checks on a detainee who had swallowed drugs", 3, 2, 2, 2),
        (2, "Handover between custody shifts", 2, 1, 3, 0),
    ]
    assert doc.warnings == [
        "Case 2 (Handover between custody shifts): no 'outcomes for "
        "the officers/staff involved' section found"
    ]
    assert (
        doc.cases[1].actions[2]
        == "The force has added a mandatory acknowledgement of risk to the handover screen."
    )
    assert doc.cases[0].topics == [
        "Rousing and checking detainees who may have taken drugs",
        "Handing over detainees at shift change",
    ]
    assert doc.cases[1].themes == ["Custody", "Information management"]
    assert "a handover that happened in a corridor" in doc.foreword
    assert doc.foreword_author == "A. Okafor\nDirector of Learning"
    assert doc.back_matter.startswith("Related reading")


@pytest.mark.safeguard("K1")
def test_bulletin_with_other_heading_wording_from_a_web_page() -> None:
    doc = parsed("bulletin-47-roads-policing-alt-headings.html")
    assert (doc.kind, doc.issue, doc.date, doc.title) == (
        "bulletin",
        47,
        datetime.date(2024, 3, 1),
        "Roads policing",
    )
    assert case_shape(doc) == [
        (1, "Pursuit authorised without a tactical adviser", 2, 3, 2, 1),
        (2, "Stinger deployed from an unsafe position", 1, 1, 1, 1),
        (3, "Pursuit continued after the suspect was identified", 3, 0, 2, 2),
    ]
    case_1, case_2, case_3 = doc.cases
    assert case_1.questions_staff[2] == "Do you know who the tactical adviser is on your shift?"
    assert case_1.actions[0].startswith("The force has put in place an on-call rota")
    assert case_2.outcomes == ["There were no misconduct or performance outcomes for the officers involved."]
    assert "seventeen-year-old boy" in case_1.narrative
    assert "Not part of the bulletin" not in case_1.narrative
    assert case_1.themes == ["Roads policing", "Control room"]
    assert case_2.themes == ["Roads policing", "Officer safety"]
    assert case_3.links == ["Click here for a link to the full learning report"]
    assert doc.themes == ["Roads policing", "Control room", "Officer safety"]
    assert doc.warnings == [
        "Case 3 (Pursuit continued after the suspect was identified): no 'key questions for police "
        "officers/staff' section found"
    ]


@pytest.mark.safeguard("K1")
def test_bulletin_with_a_missing_case_warns_about_every_dangling_reference() -> None:
    doc = parsed("bulletin-38-missing-page.txt")
    assert [case.number for case in doc.cases] == [1, 2, 3, 5]
    assert doc.cases[3].title == "Call-back to a withheld number"
    assert doc.cases[3].topics == ["Call-back procedures"]
    assert doc.warnings == [
        "Case 4 not found (case numbers jump from 3 to 5)",
        "Case 2 (Text relay call graded incorrectly): no 'key "
        "questions for police officers/staff' section found",
        "The theme index refers to case 4, which was not found in the bulletin",
        "The contents list refers to case 4, which was not found in the bulletin",
    ]


@pytest.mark.safeguard("K1")
def test_case_report_with_only_national_recommendations() -> None:
    doc = parsed("case-report-44-national-only.txt")
    assert (doc.kind, doc.issue, doc.case_number, doc.date) == (
        "case_report",
        44,
        3,
        datetime.date(2023, 6, 14),
    )
    assert doc.title == "Delay in responding to a man detained under section 136"
    assert len(doc.raising_issues) == 3
    assert doc.relevant_to == ["Mental health", "Public protection", "Custody"]
    assert doc.investigation_type == "IOPC directed investigation"
    assert len(doc.findings) == 2
    assert [(r.number, r.scope) for r in doc.recommendations] == [(1, "national"), (2, "national")]
    assert doc.recommendations[1].text.startswith(
        "The National Police Chiefs' Council should work with NHS England"
    )
    assert doc.recommendations[1].response == (
        "The National Police Chiefs' Council accepted this recommendation and has raised it with NHS England "
        "through the national mental health partnership board.\n\n"
        "Progress will be reported to the IOPC every six months."
    )
    assert len(doc.outcomes) == 1
    assert len(doc.questions_managers) == 3
    assert doc.questions_staff[1] == "Who would you contact to escalate a delay out of hours?"
    assert doc.warnings == []


@pytest.mark.safeguard("K1")
def test_recommendation_record_with_three_recommendations_and_no_due_date() -> None:
    doc = parsed("recommendation-record-northshire-three.md")
    assert doc.kind == "recommendation_record"
    assert (doc.force, doc.reference) == ("Northshire Police", "2022/004417")
    assert doc.title == "Detention of a child in custody - Northshire Police, March 2023"
    assert doc.date == datetime.date(2023, 3, 14)
    assert doc.response_due == datetime.date(2023, 5, 9)  # 56 days after 14 March 2023
    assert doc.response_due_is_default is True
    assert doc.themes == ["Custody", "Children and young people"]
    assert doc.summary.startswith("A fourteen-year-old boy was arrested")
    assert [(r.number, r.accepted, r.status) for r in doc.recommendations] == [
        (1, True, "accepted"),
        (2, False, "not accepted"),
        (3, True, "accepted"),
    ]
    assert doc.recommendations[0].linked_bodies == ["Northshire Police", "Northshire County Council"]
    assert doc.recommendations[1].response.startswith(
        "Not accepted: The force does not consider dedicated suites"
    )
    assert doc.warnings == [
        "Recommendation record: response due date not stated; using the statutory default of 56 days after "
        "the date recommended"
    ]


@pytest.mark.safeguard("K1")
def test_partly_fitting_report_is_kept_with_warnings() -> None:
    doc = parsed("partial-learning-report.txt")
    assert doc.kind == "case_report"
    assert doc.title == "Vetting checks not repeated when an officer changed role"
    assert doc.overview.startswith("An officer with a previous complaint")
    assert doc.findings == ["The force had no process linking internal transfers to the vetting unit."]
    assert [(r.number, r.scope, r.response) for r in doc.recommendations] == [(1, "local", "")]
    assert doc.outcomes == ["The officer was dismissed without notice following a gross misconduct hearing."]
    assert doc.warnings == [
        "Case report: publication date not found",
        "Case report: 'relevant to the following areas' not found",
        "Case report: type of investigation not found",
        "Case report: questions for policy makers and managers not found",
        "Case report: questions for police officers and police staff not found",
        "Case report: no response found for local recommendation 1",
        "Case report: 'Response to the recommendations' section not found",
    ]


@pytest.mark.safeguard("K1")
def test_unrelated_document_is_unknown_not_forced_into_a_shape() -> None:
    doc = parsed("station-facilities-minutes.txt")
    assert doc.kind == "unknown"
    assert doc.title == "Minutes of the Station Facilities Group"
    assert doc.recommendations == [] and doc.cases == []
    assert len(doc.warnings) == 1 and "does not match a known kind" in doc.warnings[0]


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", FIXTURE_NAMES)
@pytest.mark.parametrize("fmt", ["pdf", "pdf-core-font", "docx", "html"])
def test_fixture_in_other_formats_gives_the_same_record(name: str, fmt: str) -> None:
    text = extract_text((FIXTURES / name).read_bytes(), name)
    extension, convert = CONVERTERS[fmt]
    document = parse_document(convert(text), f"fixture{extension}")
    expected = parse_text(latin1_copy(text)) if fmt == "pdf-core-font" else parsed(name)
    assert comparable(document) == comparable(expected)


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_as_plain_text_gives_the_same_record(name: str) -> None:
    text = extract_text((FIXTURES / name).read_bytes(), name)
    assert comparable(parse_document(text.encode("utf-8"), "fixture.txt")) == comparable(parsed(name))
