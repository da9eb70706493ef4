"""Documents the parser has never seen, each in four formats, against records written down by hand (K1).

Documents of our own in the shapes real learning material takes (bulletins of 3, 4, 5 and 10 cases;
single-case reports with and without questions to consider; recommendation records of 1 to 4
recommendations, with and without a response-due date), and three written by an author who had never
seen the parser (a bulletin titled only by its masthead, a report and a bulletin with a "Theme:" line,
a record dating each recommendation on its own), each as text copied out of its PDF (page
furniture, page breaks mid-sentence), rendered by the shared renderer to a PDF with the publisher's
running header and footer, a Word file (header, footer, page breaks) and a web page (masthead and footer).
The expected record of each is in tests/fixtures/learning/formats/<name>.expected.json.

A third of them (`held_out`) were never used to tune the parser: they were written after the parser was
last changed for this set, and their field accuracy is reported on its own by `watchkeeper bench
learning`. The tests hold the tuned set to an exact match and the held-out set to agreement between
formats and a floor, so a regression shows without inviting tuning to the held-out documents.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache

import pytest

from watchkeeper.bench.learning_fixtures import FORMATS, Fixture, load, score, value_at
from watchkeeper.learning.parsing import ParsedDocument, parse_document, parse_text
from watchkeeper.learning.parsing.furniture import SourceLine, furniture_shape, remove_furniture
from watchkeeper.learning.parsing.identity import fingerprint, identity
from watchkeeper.learning.parsing.parse import parse_text_located

FIXTURES = load()
TUNED = [f for f in FIXTURES if not f.held_out]
HELD_OUT = [f for f in FIXTURES if f.held_out]
HELD_OUT_FLOOR = 0.95


@cache
def parsed(name: str, fmt: str) -> ParsedDocument:
    fixture = next(f for f in FIXTURES if f.name == name)
    data, filename = fixture.render(fmt)
    return parse_document(data, filename)


def test_the_set_has_the_shapes_asked_for() -> None:
    assert len(FIXTURES) >= 12
    assert len(HELD_OUT) >= 4 and len(HELD_OUT) * 3 >= len(FIXTURES)  # a third, never tuned on
    kinds = {f.record["kind"] for f in FIXTURES}
    assert kinds == {"bulletin", "case_report", "recommendation_record"}
    bulletins = sorted(len(f.record["cases"]) for f in FIXTURES if f.record["kind"] == "bulletin")
    assert bulletins[0] >= 3 and bulletins[-1] == 10
    records = sorted(len(f.record["recommendations"]) for f in FIXTURES if f.record["kind"] == "recommendation_record")
    assert {1, 2, 3, 4} <= set(records)
    reports = [f.record for f in FIXTURES if f.record["kind"] == "case_report"]
    assert any(r["questions_managers"] for r in reports) and any(not r["questions_managers"] for r in reports)
    for fixture in FIXTURES:  # every text copy carries its pages' furniture
        assert re.search(r"Page \d of \d", fixture.text), fixture.name


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fixture", TUNED, ids=lambda f: f.name)
def test_each_format_reads_to_the_expected_record(fixture: Fixture, fmt: str) -> None:
    result = score(fixture.record, parsed(fixture.name, fmt).to_dict())
    assert result.wrong == [], result.wrong


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_the_four_formats_are_one_document(fixture: Fixture) -> None:
    prints = {fmt: fingerprint(parsed(fixture.name, fmt)) for fmt in FORMATS}
    assert len(set(prints.values())) == 1, prints
    assert len({identity(parsed(fixture.name, fmt)) for fmt in FORMATS}) == 1


@pytest.mark.safeguard("K1")
def test_held_out_documents_read_above_the_floor() -> None:
    for fmt in FORMATS:
        matched = total = 0
        for fixture in HELD_OUT:
            result = score(fixture.record, parsed(fixture.name, fmt).to_dict())
            matched, total = matched + result.matched, total + result.total
        assert total > 100
        assert matched / total >= HELD_OUT_FLOOR, fmt


# ------------------------------------------------------------------ the four things a reader never gets wrong
REPORT = """Case 3 Issue 45 – Custody\tLearning the Lessons magazine
Published January 2020

Checks on a detainee

A detainee was not roused, raising issues about:

- How checks are made

This case is relevant to the following areas:

Custody

Overview of incident

The detention officer looked through the hatch instead of going into the cell and speaking to the
© IOPC 2020 Page 1 of 5
detainee, who did not respond.

Outcomes for officers and staff

The detention officer received management action.

Read more online:
Jane Example
"""


@pytest.mark.safeguard("K1")
def test_a_month_and_year_publication_date_is_found() -> None:
    doc = parse_text(REPORT)
    assert (doc.date, doc.date_text) == (datetime.date(2020, 1, 1), "January 2020")
    assert "Case report: publication date not found" not in doc.warnings
    assert {"label": "published", "date": "2020-01-01", "text": "January 2020"} in doc.dates


@pytest.mark.safeguard("K1")
def test_the_theme_carries_no_masthead() -> None:
    assert parse_text(REPORT).themes == ["Custody"]


@pytest.mark.safeguard("K1")
def test_a_footer_is_not_spliced_into_a_sentence_and_boilerplate_is_not_an_outcome() -> None:
    doc = parse_text(REPORT)
    assert doc.overview == (
        "The detention officer looked through the hatch instead of going into the cell and speaking to the "
        "detainee, who did not respond."
    )
    assert doc.outcomes == ["The detention officer received management action."]
    assert doc.links == []
    assert doc.back_matter == "Jane Example"  # kept, but as what it is


@pytest.mark.safeguard("K1")
def test_the_publication_date_wins_over_a_masthead_month() -> None:
    doc = parsed("bulletin-63-published-after-its-month", "txt")
    assert doc.date == datetime.date(2025, 3, 12)
    assert {"label": "", "date": "2025-02-01", "text": "February 2025"} in doc.dates


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Page 3 of 12", True),
        ("© Learning Lessons Office 2024 | Page 1 of 3", True),
        ("Crown copyright 2023", True),
        ("Continued overleaf", True),
        ("Read more online:", True),
        ("- 4 -", True),
        ("3", False),  # a bare number is a theme index entry in a bulletin, not a page number by shape
        ("Page 3 of the report describes the call.", False),
        ("Local recommendation 2", False),
        ("Read more online: https://example.org/report", False),  # the address is kept, as a link
    ],
)
def test_furniture_by_shape(line: str, furniture: bool) -> None:
    assert furniture_shape(line) is furniture


def test_running_lines_repeat_at_page_edges_and_nowhere_else() -> None:
    text = [
        "Masthead of the publisher", "Bulletin 9", "Local recommendation 2", "Body line one.",
        "Page 1 of 3", "Masthead of the publisher", "Body two.", "Local recommendation 2", "Page 2 of 3",
        "Masthead of the publisher", "Body three.", "Page 3 of 3",
    ]  # fmt: skip
    lines = [SourceLine(t, None, n) for n, t in enumerate(text, start=1)]
    kept = [line.text for line in remove_furniture(lines)]
    assert kept == ["Bulletin 9", "Local recommendation 2", "Body line one.", "Body two.", "Local recommendation 2",
                    "Body three."]  # fmt: skip


@pytest.mark.safeguard("K1")
def test_every_field_says_where_it_came_from() -> None:
    fixture = next(f for f in FIXTURES if f.name == "case-report-issue-50-case-1-stalking")
    doc, where = parse_text_located(fixture.text)
    lines = fixture.text.split("\n")
    assert where["title"] == {"page": None, "line": 5}
    assert lines[where["overview"]["line"] - 1].startswith("Ms C reported")
    assert lines[where["questions_staff.0"]["line"] - 1].startswith("1. What searches")
    assert lines[where["recommendations.1.response"]["line"] - 1].startswith("A reminder has been sent")
    data, filename = fixture.render("pdf")
    from watchkeeper.learning.parsing.extract import extract_text_with_format

    text, _ = extract_text_with_format(data, filename)
    _, pdf_where = parse_text_located(text)
    assert pdf_where["title"]["page"] == 1
    assert pdf_where["questions_staff.0"]["page"] >= 2  # the questions are on a later page of the PDF
    pdf_lines = text.split("\n")
    assert "What searches" in pdf_lines[pdf_where["questions_staff.0"]["line"] - 1]


RUNNING_HEADER_REPORT = """Case 3 Issue 52 – Custody | March 2022

A title for the report

A custody team waited too long, raising issues about:

- How things happen

Overview of incident

Mr E was arrested and taken to custody where a long series of events unfolded over the night shift and
Case 3 Issue 52 – Custody | March 2022
Page 1 of 2
Case 3 Issue 52 – Custody | March 2022
then he was released.

Outcomes for officers and staff

No action was taken.
Case 3 Issue 52 – Custody | March 2022
Page 2 of 2
"""


@pytest.mark.safeguard("K1")
def test_a_date_in_a_running_header_is_found_and_the_header_is_read_once() -> None:
    doc = parse_text(RUNNING_HEADER_REPORT)
    assert (doc.issue, doc.case_number, doc.themes) == (52, 3, ["Custody"])
    assert (doc.date, doc.date_text) == (datetime.date(2022, 3, 1), "March 2022")
    assert doc.overview == (
        "Mr E was arrested and taken to custody where a long series of events unfolded over the night shift "
        "and then he was released."
    )


# ------------------------------------------------------------------ what an author who never saw the parser wrote
BROKEN_SENTENCES = {
    "bulletin-47-theme-line-masthead-title": (
        "cases.1.narrative",
        "As a result, no supervisor reviewed the risk grading until the next morning, when the girl was found at an "
        "address in a neighbouring force area with two adult men.",
    ),
    "case-report-issue-49-case-3-theme-line": (
        "overview",
        "The Herbert Protocol form, which included a recent photograph and a list of places Mr K was known to visit, "
        "was not retrieved until 1.30am, when officers searching the canal towpath asked for it.",
    ),
    "record-avon-two-dated-recommendations": (
        "recommendations.0.text",
        "In this case the driver of the police car continued to follow the motorcycle into a residential area at "
        "speeds of up to 70mph, with children playing nearby, and did not tell the control room that the "
        "motorcyclist was not wearing a helmet.",
    ),
}


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(BROKEN_SENTENCES))
def test_a_sentence_broken_by_a_page_is_read_whole_and_the_furniture_is_gone(name: str, fmt: str) -> None:
    record = parsed(name, fmt).to_dict()
    where, sentence = BROKEN_SENTENCES[name]
    assert sentence in value_at(record, where)
    text = json.dumps(record, ensure_ascii=False)
    assert "Page 1 of" not in text and "© Independent Office" not in text
    assert "Recommended 4 Jun" not in text and "Theme:" not in text


@pytest.mark.safeguard("K1")
def test_a_theme_line_and_a_masthead_name_make_theme_and_title() -> None:
    doc = parse_text(
        "LEARNING THE LESSONS\n\nBulletin 12\n\nPublished 3 May 2024\n\nThemes: Custody; Search\n\n"
        "Forces can use these cases to learn.\n\nCase summaries\n\n1. A cell that was not checked\n\n"
        "A detainee was not roused.\n\nOutcomes for officers and staff\n\n- Management action.\n"
    )
    assert (doc.kind, doc.title, doc.issue, doc.themes) == ("bulletin", "Learning the Lessons Bulletin 12", 12,
                                                             ["Custody", "Search"])  # fmt: skip
    assert doc.date == datetime.date(2024, 5, 3)


@pytest.mark.safeguard("K2")
def test_each_recommendation_keeps_its_own_dates() -> None:
    doc = parse_text(
        "Recommendation record\n\nA pursuit\n\nWestmoor Police Ref: 2024/1\n\nRecommendations\n\n"
        "Recommendation 1\n\nThe force should review its training.\n\nDate recommended: 10/03/2024\n"
        "Addressed to: Westmoor Police\nAccepted\n\nRecommendation 2\n\nThe force should record decisions.\n\n"
        "Recommended 2 Feb 2024 Response due 1 May 2024\nAddressed to: Westmoor Police\nNot accepted\n"
    )
    first, second = doc.recommendations
    assert (first.recommended, first.response_due, first.response_due_is_default) == (
        datetime.date(2024, 3, 10), datetime.date(2024, 5, 5), True)  # fmt: skip
    assert (second.recommended, second.response_due, second.response_due_is_default) == (
        datetime.date(2024, 2, 2), datetime.date(2024, 5, 1), False)  # fmt: skip
    assert (first.text, second.text) == ("The force should review its training.", "The force should record decisions.")
    assert (doc.date, doc.date_text) == (datetime.date(2024, 2, 2), "2 Feb 2024")  # the earliest
    assert not any("date recommended not found" in warning for warning in doc.warnings)
