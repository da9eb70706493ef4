"""Individual parsing rules, each with the reason it exists (safeguard K1)."""

from __future__ import annotations

import dataclasses
import datetime
import subprocess
import sys
import time

import pytest

from watchkeeper.learning.parsing import parse_text
from watchkeeper.learning.parsing.dates import default_response_due, find_date, find_date_or_month
from watchkeeper.learning.parsing.parse import UNKNOWN_WARNING
from watchkeeper.learning.parsing.text import Unit, render, split_sentence_case_run, to_units

MINIMAL_BULLETIN = """Bulletin 12

May 2015

Case summaries

1 A short case

The narrative of the case.

Key questions for policy makers/managers:

- Question one?

Key questions for police officers/staff:

- Question two?

{actions}
Outcomes for the officers/staff involved:

- An outcome.
"""
ACTIONS = "Action taken by this police force:\n\n- An action.\n"


class TestCanonicalUnits:
    @pytest.mark.safeguard("K1")
    def test_lower_case_paragraph_continues_the_previous_one(self) -> None:
        assert to_units("The officer wanted to\n\nspeak to his supervisor.") == [
            Unit("The officer wanted to speak to his supervisor.")
        ]

    @pytest.mark.safeguard("K1")
    def test_continuation_after_a_hyphen_keeps_the_hyphen_without_a_space(self) -> None:
        assert to_units("help the 13-\n\nyear old girl") == [Unit("help the 13-year old girl")]

    @pytest.mark.safeguard("K1")
    def test_heading_ending_in_colon_is_not_continued(self) -> None:
        assert [u.text for u in to_units("Includes the following:\nnothing else")] == [
            "Includes the following:",
            "nothing else",
        ]

    @pytest.mark.safeguard("K1")
    def test_protective_marking_lines_are_dropped_and_sentences_rejoined(self) -> None:
        assert to_units("She could hear loud\n\nOFFICIAL\n\nbanging at the door.") == [
            Unit("She could hear loud banging at the door.")
        ]

    @pytest.mark.safeguard("K1")
    def test_bullets_numbers_and_markup(self) -> None:
        assert to_units("• First\n2. *Second*\n- [Click here](#) for more\n* Third") == [
            Unit("First", bullet=True),
            Unit("Second", bullet=True, number=2),
            Unit("Click here for more", bullet=True),
            Unit("Third", bullet=True),
        ]

    @pytest.mark.safeguard("K1")
    def test_en_dash_starting_a_wrapped_line_is_not_a_bullet(self) -> None:
        assert to_units("changes that we asked for\n– both to the system") == [
            Unit("changes that we asked for"),
            Unit("– both to the system"),
        ]

    @pytest.mark.safeguard("K1")
    def test_ligatures_and_invisible_characters(self) -> None:
        assert to_units("ﬁrearms of\u00adficer\u00a0ﬂag") == [Unit("firearms officer flag")]

    @pytest.mark.safeguard("K1")
    def test_table_cells_become_single_tabs(self) -> None:
        assert to_units("Call handling\t\tPublic protection\t") == [Unit("Call handling\tPublic protection")]

    @pytest.mark.safeguard("K1")
    def test_render_keeps_real_lists_and_flattens_lone_numbered_lines(self) -> None:
        units = [
            Unit("Lone item", bullet=True, number=2),
            Unit("It includes:"),
            Unit("a", True),
            Unit("b", True),
        ]
        assert render(units) == "Lone item\n\nIt includes:\n- a\n- b"


class TestDates:
    @pytest.mark.safeguard("K1")
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Published 23 November 2022", datetime.date(2022, 11, 23)),
            ("Recommended 29 Sep 2020", datetime.date(2020, 9, 29)),
            ("on 1st December 2017", datetime.date(2017, 12, 1)),
            ("dated 2021-03-04", datetime.date(2021, 3, 4)),
            ("dated 04/03/2021", datetime.date(2021, 3, 4)),
        ],
    )
    def test_full_dates(self, text: str, expected: datetime.date) -> None:
        assert find_date(text)[0] == expected

    @pytest.mark.safeguard("K1")
    def test_impossible_date_is_not_guessed(self) -> None:
        assert find_date("31 February 2020") is None

    @pytest.mark.safeguard("K1")
    def test_month_only(self) -> None:
        assert find_date_or_month("December 2017") == (datetime.date(2017, 12, 1), "December 2017")

    @pytest.mark.safeguard("K1", "K2")
    def test_statutory_default_is_56_days(self) -> None:
        assert default_response_due(datetime.date(2020, 9, 29)) == datetime.date(2020, 11, 24)
        assert default_response_due(datetime.date(2024, 1, 10)) == datetime.date(2024, 3, 6)


class TestBulletinRules:
    @pytest.mark.safeguard("K1")
    def test_missing_action_section_is_named(self) -> None:
        document = parse_text(MINIMAL_BULLETIN.format(actions=""))
        assert document.kind == "bulletin"
        assert document.cases[0].actions == []
        assert document.warnings == ["Case 1 (A short case): no 'action taken by the force' section found"]

    @pytest.mark.safeguard("K1")
    def test_complete_case_has_no_warnings(self) -> None:
        document = parse_text(MINIMAL_BULLETIN.format(actions=ACTIONS))
        assert document.warnings == []
        assert document.cases[0].actions == ["An action."]

    @pytest.mark.safeguard("K1")
    def test_empty_section_is_named(self) -> None:
        text = MINIMAL_BULLETIN.format(actions="Action taken by this police force:\n\n")
        assert parse_text(text).warnings == [
            "Case 1 (A short case): the 'action taken by the force' section is empty"
        ]

    @pytest.mark.safeguard("K1")
    def test_numbered_lines_without_sections_are_not_cases(self) -> None:
        text = (
            "Bulletin 3\n\nMay 2015\n\nKey questions for managers\n\n1 Firearms\n\nSome text.\n\n2 Custody\n"
        )
        document = parse_text(text)
        assert document.kind == "bulletin"
        assert document.cases == []
        assert "No case summaries found" in document.warnings[-1]

    @pytest.mark.safeguard("K1")
    def test_case_number_on_its_own_line(self) -> None:
        text = MINIMAL_BULLETIN.format(actions=ACTIONS).replace("1 A short case", "1\n\nA short case")
        assert [(c.number, c.title) for c in parse_text(text).cases] == [(1, "A short case")]

    @pytest.mark.safeguard("K1")
    def test_one_line_masthead(self) -> None:
        text = MINIMAL_BULLETIN.format(actions=ACTIONS).replace(
            "Bulletin 12\n\nMay 2015", "Learning the Lessons bulletin 12: Custody (May 2015)"
        )
        document = parse_text(text)
        assert (document.issue, document.date, document.title) == (12, datetime.date(2015, 5, 1), "Custody")


RECORD = """Police response - Westshire Police, May 2021
Westshire Police Ref: 2020/1 Recommended 3 May 2021
Recommendation 1
The force should do something.
Addressed to: Westshire Police
{status}
Force response
{response}
"""


class TestRecommendationRules:
    @pytest.mark.safeguard("K1")
    @pytest.mark.parametrize(
        ("status", "response", "accepted", "label"),
        [
            ("Accepted", "Done.", True, "accepted"),
            ("Partly accepted", "Some of it.", True, "partly accepted"),
            ("Not accepted", "No.", False, "not accepted"),
            ("Awaiting response", "", None, "awaiting response"),
            ("", "Not accepted: too costly.", False, "not accepted"),
            ("", "We have started work.", None, None),
        ],
    )
    def test_acceptance(self, status: str, response: str, accepted: bool | None, label: str | None) -> None:
        recommendation = parse_text(RECORD.format(status=status, response=response)).recommendations[0]
        assert (recommendation.accepted, recommendation.status) == (accepted, label)

    @pytest.mark.safeguard("K1")
    def test_do_you_accept_answer_is_used_when_no_status_line(self) -> None:
        text = RECORD.format(status="", response="Work has begun.").replace(
            "do something.", "do something. Do you accept the recommendation? No"
        )
        recommendation = parse_text(text).recommendations[0]
        assert (recommendation.accepted, recommendation.text) == (False, "The force should do something.")

    @pytest.mark.safeguard("K1")
    def test_missing_acceptance_is_a_warning(self) -> None:
        document = parse_text(RECORD.format(status="", response="We have started work."))
        assert (
            "Recommendation record: recommendation 1: whether it was accepted not found" in document.warnings
        )

    @pytest.mark.safeguard("K1", "K2")
    def test_default_due_date_when_none_given(self) -> None:
        document = parse_text(RECORD.format(status="Accepted", response="Done."))
        assert document.response_due == datetime.date(2021, 6, 28)
        assert document.response_due_is_default is True

    @pytest.mark.safeguard("K1")
    def test_stated_total_is_checked(self) -> None:
        text = "Recommendations\n3 total\n" + RECORD.format(status="Accepted", response="Done.")
        assert "Recommendation record: states 3 recommendations but 1 were found" in parse_text(text).warnings

    @pytest.mark.safeguard("K1")
    def test_themes_run_together_are_split_at_sentence_case(self) -> None:
        assert split_sentence_case_run("Domestic abuse Welfare and vulnerable people Custody") == [
            "Domestic abuse",
            "Welfare and vulnerable people",
            "Custody",
        ]


class TestCaseReportRules:
    @pytest.mark.safeguard("K1")
    def test_response_to_an_unknown_recommendation_is_reported(self) -> None:
        text = (
            "Case 1 Issue 2 - Custody\nPublished 1 May 2020\n\nA title\n\n"
            "Findings and recommendations\n\nLocal recommendation 1\n\n- Do a thing.\n\n"
            "Response to the recommendations\n\nLocal recommendation 1\n\n- Done.\n\n"
            "Local recommendation 4\n\n- Also done.\n"
        )
        document = parse_text(text)
        assert document.recommendations[0].response == "Done."
        assert "Case report: a response was given for local recommendation 4, which was not found" in (
            document.warnings
        )

    @pytest.mark.safeguard("K1")
    def test_one_label_for_several_recommendations_gives_each_the_text(self) -> None:
        text = (
            "Case 1 Issue 2 - Custody\n\nA title\n\nFindings and recommendations\n\n"
            "Local recommendations 2 and 3\n\n- Do both things.\n"
        )
        recommendations = parse_text(text).recommendations
        assert [(r.number, r.scope, r.text) for r in recommendations] == [
            (2, "local", "Do both things."),
            (3, "local", "Do both things."),
        ]


class TestUnknownDocuments:
    @pytest.mark.safeguard("K1")
    @pytest.mark.parametrize(
        "text", ["", "   \n\n", "Recommendation 1: buy a kettle.", "Shopping list\n- eggs"]
    )
    def test_unknown_with_a_warning(self, text: str) -> None:
        document = parse_text(text)
        assert document.kind == "unknown"
        assert document.warnings == [UNKNOWN_WARNING]


class TestRobustness:
    @pytest.mark.safeguard("K1")
    def test_many_numbered_lines_stay_fast(self) -> None:
        # Was quadratic (about 100 s) before case validation became a single pass.
        text = "Bulletin 4\nKey questions for managers\n" + "\n".join(["1 A title", "Some sentence."] * 5000)
        started = time.monotonic()
        assert parse_text(text).cases == []
        assert time.monotonic() - started < 10

    def test_records_are_frozen(self) -> None:
        document = parse_text("Anything at all.")
        with pytest.raises(dataclasses.FrozenInstanceError):
            document.kind = "bulletin"  # type: ignore[misc]

    def test_parser_does_not_import_django(self) -> None:
        code = (
            "import sys, watchkeeper.learning.parsing as p; "
            "p.parse_text('Bulletin 1'); "
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
