"""The published lesson documents parse to exact, hand-counted records (safeguard K1).

Expected values were counted by reading the documents in
../shared/lessons/ beside the checkout (read from there, never copied into the repository).
The same documents rendered by the tests to PDF, Word and HTML must give
identical records.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import cache

import pytest

from tests.support.learning_formats import CONVERTERS, latin1_copy
from tests.support.lessons import (
    BULLETIN_28,
    BULLETIN_28_CASES,
    BULLETIN_31,
    BULLETIN_31_CASES,
    ESSEX,
    ISSUE_41,
    SHARED,
    SHARED_LESSONS,
    case_shape,
    comparable,
)
from watchkeeper.learning.parsing import ParsedDocument, parse_document, parse_text


@cache
def shared_text(name: str) -> str:
    return (SHARED_LESSONS / name).read_text(encoding="utf-8")


@cache
def parsed(name: str) -> ParsedDocument:
    return parse_text(shared_text(name))


class TestBulletin28:
    @pytest.mark.safeguard("K1")
    def test_masthead(self) -> None:
        doc = parsed(BULLETIN_28)
        assert doc.kind == "bulletin"
        assert doc.issue == 28
        assert doc.date == datetime.date(2016, 11, 1)
        assert doc.date_text == "November 2016"
        assert doc.title == "Protecting vulnerable people"
        assert doc.themes == [
            "Call handling",
            "Crime and investigation",
            "Firearms",
            "Information management",
            "Neighbourhood Policing",
            "Public protection",
        ]

    @pytest.mark.safeguard("K1")
    def test_every_case_number_title_and_count(self) -> None:
        assert case_shape(parsed(BULLETIN_28)) == BULLETIN_28_CASES

    @pytest.mark.safeguard("K1")
    def test_item_texts(self) -> None:
        cases = parsed(BULLETIN_28).cases
        assert cases[0].questions_managers[0] == (
            "How does your force ensure that officers complete relevant NCALT e-learning packages when "
            "required to do so, including the package on stalking?"
        )
        assert cases[0].actions[-1] == "Control room staff have been briefed on merging logs."
        assert cases[0].outcomes[2] == (
            "The officer who failed to make a referral to the firearms licensing department received "
            "management advice."
        )
        assert cases[3].questions_staff == [
            "What key considerations would lead you to classify someone as missing rather than absent?",
            "When would you use PACE powers to force entry when conducting a missing person's inquiry?",
        ]
        assert cases[6].outcomes == [
            "There were no misconduct or criminal outcomes for any of the police officers or members of "
            "police staff involved in this case."
        ]

    @pytest.mark.safeguard("K1")
    def test_items_split_by_a_page_break_are_rejoined(self) -> None:
        cases = parsed(BULLETIN_28).cases
        assert cases[4].actions[1] == (
            "As part of the development of a new command and control system, the force is exploring whether "
            "logs can be created to cover more than one geographical area of the force."
        )
        assert (
            cases[5]
            .outcomes[4]
            .endswith(
                "assumption that the original report was still open due "
                "to an administrative error. He attended "
                "a misconduct meeting and the case against him was not proven."
            )
        )
        assert "she wanted to withdraw her statement." in cases[1].narrative

    @pytest.mark.safeguard("K1")
    def test_missing_sections_are_named_in_warnings(self) -> None:
        assert parsed(BULLETIN_28).warnings == [
            "Case 1 (Fatal shooting following marriage breakdown): no "
            "'key questions for police officers/staff' "
            "section found",
            "Case 2 (Contact with the police before a woman's murder): no 'key questions for police "
            "officers/staff' section found",
            "Case 6 (Investigation of sexual assault on a minor): no "
            "'action taken by the force' section found",
            "Case 7 (Acting on intelligence): no 'key questions for police officers/staff' section found",
        ]

    @pytest.mark.safeguard("K1")
    def test_theme_index_and_contents_attach_to_cases(self) -> None:
        cases = parsed(BULLETIN_28).cases
        assert cases[0].themes == [
            "Firearms",
            "Information management",
            "Neighbourhood Policing",
            "Public protection",
        ]
        # "Closing calls3" and "Identifying financial abuse3": case numbers glued to contents lines
        assert cases[2].topics == ["Closing calls", "Identifying financial abuse"]
        assert cases[1].topics == ["Managing contact with victims", "Collaborative working across forces"]

    @pytest.mark.safeguard("K1")
    def test_links_notes_foreword_and_back_matter(self) -> None:
        doc = parsed(BULLETIN_28)
        assert [case.links for case in doc.cases[:7]] == [
            ["Click here for a link to the full learning report"]
        ] * 7
        assert doc.cases[7].links == []
        assert doc.cases[7].notes[0].startswith("A learning report accompanying this case is available")
        assert doc.foreword.startswith(
            "The police service plays a vital role in protecting vulnerable people"
        )
        assert "Prevention, investigation, risk management and detection" in doc.foreword
        assert doc.foreword.endswith("given the support and protection they need.")
        assert doc.foreword_author == (
            "JGreen\nSarah Green\nDeputy Chair\nIndependent Police Complaints Commission\n(IPCC)"
        )
        assert doc.back_matter.startswith("Related reading\n\nThe Learning the Lessons pages")
        assert "Related reading" not in doc.cases[7].narrative
        assert doc.links == [
            "www.ipcc.gov.uk/learning-the-lessons",
            "Click here to complete our short survey",
        ]


class TestBulletin31:
    @pytest.mark.safeguard("K1")
    def test_masthead(self) -> None:
        doc = parsed(BULLETIN_31)
        assert (doc.kind, doc.issue, doc.date, doc.title) == (
            "bulletin",
            31,
            datetime.date(2017, 12, 1),
            "General",
        )
        assert doc.foreword == ""
        assert doc.themes == [
            "Call handling",
            "Investigation",
            "Neighbourhood policing",
            "Professional standards",
            "Public protection",
        ]

    @pytest.mark.safeguard("K1")
    def test_every_case_number_title_and_count(self) -> None:
        assert case_shape(parsed(BULLETIN_31)) == BULLETIN_31_CASES

    @pytest.mark.safeguard("K1")
    def test_no_warnings(self) -> None:
        assert parsed(BULLETIN_31).warnings == []

    @pytest.mark.safeguard("K1")
    def test_other_heading_wording_is_recognised(self) -> None:
        case_6 = parsed(BULLETIN_31).cases[5]  # "Questions for police officers and police staff", no colon
        assert case_6.questions_staff[0] == (
            "Thinking about this case, what would you have done if you had a suspect who could not be "
            "contacted directly?"
        )

    @pytest.mark.safeguard("K1")
    def test_narrative_lists_links_and_continuations(self) -> None:
        cases = parsed(BULLETIN_31).cases
        assert (
            "\n- Officers must not engage in sexual conduct or other inappropriate behaviour when on duty."
            in cases[3].narrative
        )
        assert cases[3].links == [
            "Read the Code of Ethics online",
            "Read the guidance online",
            "Click here for a link to the full learning report",
        ]
        assert "to help the 13-year old girl to sober up" in cases[2].narrative
        assert "arrived at the scene shortly after." in cases[0].narrative
        assert cases[5].topics == [
            "Dealing with suspects outside the local area",
            "Managing the risk to people under investigation for "
            "serious sexual offences relating to children",
        ]
        assert cases[1].topics[-1] == "Closing logs"

    @pytest.mark.safeguard("K1")
    def test_back_matter_is_not_part_of_the_last_case(self) -> None:
        doc = parsed(BULLETIN_31)
        assert doc.cases[6].outcomes == [
            "There were no disciplinary or criminal outcomes for any of "
            "the officers or staff involved in this case."
        ]
        assert doc.back_matter.startswith("Becoming the Independent Office for Police Conduct")


class TestIssue41CaseReport:
    @pytest.mark.safeguard("K1")
    def test_header(self) -> None:
        doc = parsed(ISSUE_41)
        assert doc.kind == "case_report"
        assert (doc.issue, doc.case_number, doc.date) == (41, 2, datetime.date(2022, 11, 23))
        assert doc.title == "Failure to identify risks to protect a victim of domestic abuse"
        assert doc.themes == ["Call handling"]
        assert doc.raising_issues == [
            "How call handlers assess potential domestic abuse incidents",
            "How target response times are managed in the control room",
        ]
        assert doc.relevant_to == [
            "Call handling",
            "Public protection",
            "Personal safety",
            "Information management",
        ]
        assert doc.investigation_type == "IOPC independent investigation"
        assert doc.warnings == []

    @pytest.mark.safeguard("K1")
    def test_overview_loses_page_markings_and_rejoins_sentences(self) -> None:
        overview = parsed(ISSUE_41).overview
        assert overview.startswith("Ms A contacted the police and asked to speak to an officer")
        assert "She could hear loud banging at the door" in overview
        assert "there was no force guidance that states victims should be informed" in overview
        assert "OFFICIAL" not in overview

    @pytest.mark.safeguard("K1")
    def test_findings(self) -> None:
        findings = parsed(ISSUE_41).findings
        assert len(findings) == 3
        assert findings[0].startswith("Ms A, who had previously been a victim of domestic abuse")
        assert findings[2] == (
            "The original unit tasked to attend Ms A's address was diverted to another incident. No other "
            "units attended, and the target response time of 60 minutes was missed."
        )

    @pytest.mark.safeguard("K1")
    def test_recommendations_and_shared_responses(self) -> None:
        recommendations = parsed(ISSUE_41).recommendations
        assert [(r.number, r.scope) for r in recommendations] == [(1, "local"), (2, "local"), (3, "local")]
        assert recommendations[2].text == (
            "It is recommended the force considers developing a "
            "countdown or flagging system to highlight when "
            "attendance at an incident is delayed."
        )
        assert recommendations[0].response.startswith("The special scheme policy has been amended.")
        # "Local recommendations 2 and 3" share one response
        assert recommendations[1].response == recommendations[2].response
        assert recommendations[1].response.startswith(
            "The force control room has written a standard operating"
        )
        assert recommendations[1].response.count("\n- ") == 7
        assert all(r.accepted is None for r in recommendations)

    @pytest.mark.safeguard("K1")
    def test_outcomes_and_questions(self) -> None:
        doc = parsed(ISSUE_41)
        assert doc.outcomes == [
            "During the investigation, there was no indication any "
            "police officer had behaved in a manner that "
            "would justify the bringing of disciplinary proceedings or had committed a criminal offence."
        ]
        assert len(doc.questions_managers) == 4
        assert doc.questions_managers[3] == (
            "What steps does your force take to notify victims that support measures are ending, for example "
            "the 'special scheme' referenced in this case?"
        )
        assert doc.questions_staff == [
            "What steps do you take to conduct intelligence checks for potential victims of domestic abuse?",
            "What steps do you take to track whether target response "
            "times for officers to attend an incident "
            "are met?",
        ]


class TestEssexRecommendationRecord:
    @pytest.mark.safeguard("K1")
    def test_metadata(self) -> None:
        doc = parsed(ESSEX)
        assert doc.kind == "recommendation_record"
        assert doc.title == "Police response to a domestic incident - Essex Police, September 2020"
        assert (doc.force, doc.reference, doc.source_label) == (
            "Essex Police",
            "2019/127918",
            "IOPC Learning Case",
        )
        assert doc.date == datetime.date(2020, 9, 29)
        assert doc.response_due == datetime.date(2020, 11, 24)
        assert doc.response_due_is_default is False
        assert doc.themes == ["Domestic abuse", "Welfare and vulnerable people"]
        assert doc.summary.startswith("Essex Police received a series of abandoned 999")
        assert doc.links == ["View on IOPC website"]
        assert doc.warnings == []

    @pytest.mark.safeguard("K1")
    def test_two_recommendations_both_accepted(self) -> None:
        recommendations = parsed(ESSEX).recommendations
        assert [r.number for r in recommendations] == [1, 2]
        assert [(r.accepted, r.status) for r in recommendations] == [(True, "accepted"), (True, "accepted")]
        assert [r.addressed_to for r in recommendations] == ["Essex Police", "Essex Police"]
        assert [r.linked_bodies for r in recommendations] == [["Essex Police"], ["Essex Police"]]

    @pytest.mark.safeguard("K1")
    def test_recommendation_texts_and_responses(self) -> None:
        first, second = parsed(ESSEX).recommendations
        assert first.text.startswith("The IOPC recommends that Essex Police should review the quality")
        assert first.text.endswith("rather than an isolated instance of unsatisfactory performance.")
        assert "Do you accept" not in first.text
        assert "becomes available b) instructions" in second.text
        assert "vulnerability c) specific guidance" in second.text
        assert first.response.startswith("Accepted action: We accept the recommendation in full.")
        assert second.response.endswith("update you with the new/amended policy within 3 months.")

    @pytest.mark.safeguard("K1", "K2")
    def test_statutory_default_agrees_with_the_stated_due_date(self) -> None:
        text = shared_text(ESSEX).replace(" Response due 24 Nov 2020", "")
        doc = parse_text(text)
        assert doc.response_due == datetime.date(2020, 11, 24)
        assert doc.response_due_is_default is True


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", SHARED)
@pytest.mark.parametrize("fmt", ["pdf", "pdf-core-font", "docx", "html"])
def test_other_formats_give_the_same_record(name: str, fmt: str) -> None:
    text = shared_text(name)
    extension, convert = CONVERTERS[fmt]
    data = convert(text)
    document = parse_document(data, f"{name.rsplit('.', 1)[0]}{extension}")
    expected = parse_text(latin1_copy(text)) if fmt == "pdf-core-font" else parsed(name)
    assert comparable(document) == comparable(expected)
    assert document.source_format == extension.lstrip(".")
    assert document.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.safeguard("K1")
@pytest.mark.parametrize("name", SHARED)
def test_text_upload_is_stable_and_json_ready(name: str) -> None:
    data = (SHARED_LESSONS / name).read_bytes()
    first, second = parse_document(data, name), parse_document(data, name)
    assert first == second
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.source_format == "txt"
    assert json.loads(json.dumps(first.to_dict())) == first.to_dict()
