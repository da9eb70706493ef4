"""Lesson replays, end to end over HTTP against a real server: each case from the shared learning
documents is acted out, and the safeguards that answer it must intervene."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.live import Server
from watchkeeper.replays.catalogue import get
from watchkeeper.replays.drivers import HttpDriver

LESSONS = Path(__file__).resolve().parents[2].parent / "shared" / "lessons"


def _replay(name: str, server: Server, tokens: dict[str, str]) -> set[str]:
    replay = get(name)
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split()) if replay.document else ""
    for quote in replay.quotes:  # the replay acts out what the document actually says
        assert " ".join(quote.split()) in text, f"{name}: quote not in {replay.document}: {quote!r}"
    lines: list[str] = []
    run = replay.run(HttpDriver(server.base, tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    return {i.safeguard for i in run.interventions}


@pytest.mark.safeguard(*get("bulletin-31-case-1").safeguards)
def test_bulletin_31_case_1_downgrade_on_verbal_summary_is_refused(server, tokens):
    assert _replay("bulletin-31-case-1", server, tokens) >= {"L5", "L6"}


@pytest.mark.safeguard(*get("bulletin-31-case-2").safeguards)
def test_bulletin_31_case_2_close_on_old_instruction_is_refused(server, tokens):
    assert _replay("bulletin-31-case-2", server, tokens) >= {"L1", "L3", "L4", "L6", "L10"}


@pytest.mark.safeguard(*get("bulletin-28-case-3").safeguards)
def test_bulletin_28_case_3_unrecorded_visit_low_grade_and_no_units_close(server, tokens):
    assert _replay("bulletin-28-case-3", server, tokens) >= {"L8", "C4", "M3", "D3", "L10"}


@pytest.mark.safeguard(*get("bulletin-28-case-4").safeguards)
def test_bulletin_28_case_4_automatic_log_unchanged_category_forgotten_callbacks(server, tokens):
    assert _replay("bulletin-28-case-4", server, tokens) >= {"L9", "C6", "L11", "D1"}


@pytest.mark.safeguard(*get("bulletin-31-case-3").safeguards)
def test_bulletin_31_case_3_promise_to_check_back_is_a_task(server, tokens):
    assert _replay("bulletin-31-case-3", server, tokens) >= {"L11"}


@pytest.mark.safeguard(*get("issue-41-case-2").safeguards)
def test_issue_41_case_2_earlier_contacts_found_cue_raised_scheme_never_silent_checks_block(server, tokens):
    assert _replay("issue-41-case-2", server, tokens) >= {"M2", "L8", "C1", "C3", "C4", "D5", "L12", "D2", "D1",
                                                         "C5"}


@pytest.mark.safeguard(*get("bulletin-28-case-1").safeguards)
def test_bulletin_28_case_1_firearms_referral_counter_allegations_and_pattern(server, tokens):
    assert _replay("bulletin-28-case-1", server, tokens) >= {"C1", "M1", "M4", "L7", "C8", "L8"}


@pytest.mark.safeguard(*get("bulletin-28-case-5").safeguards)
def test_bulletin_28_case_5_current_address_used_and_logs_not_closed_unlocated(server, tokens):
    assert _replay("bulletin-28-case-5", server, tokens) >= {"C1", "C7", "L10", "L8"}


@pytest.mark.safeguard(*get("recommendation-essex").safeguards)
def test_essex_abandoned_calls_order_visible_and_checks_required(server, tokens):
    assert _replay("recommendation-essex", server, tokens) >= {"C9", "M3", "C5"}


@pytest.mark.safeguard(*get("two-calls-three-weeks").safeguards)
def test_two_calls_three_weeks_apart_what_is_known_reaches_the_log_the_board_and_the_crew(server, tokens):
    assert _replay("two-calls-three-weeks", server, tokens) >= {"C1", "C2", "C3", "C5", "M3", "M4", "D5", "L11",
                                                                 "L12", "L10", "M2", "D1", "L8"}


@pytest.mark.safeguard(*get("bulletin-28-case-8").safeguards)
def test_bulletin_28_case_8_correction_disclosure_task_justified_bail_and_unheard_voicemail(server, tokens):
    assert _replay("bulletin-28-case-8", server, tokens) >= {"L2", "P5", "P8", "P4"}


@pytest.mark.safeguard(*get("bulletin-31-case-7").safeguards)
def test_bulletin_31_case_7_bail_needs_its_rationale_and_amendments_are_new_records(server, tokens):
    assert _replay("bulletin-31-case-7", server, tokens) >= {"P8"}


@pytest.mark.safeguard(*get("bulletin-31-case-5").safeguards)
def test_bulletin_31_case_5_a_declared_conflict_waits_for_a_supervisors_assessment_and_its_conditions(
        server, tokens):
    assert _replay("bulletin-31-case-5", server, tokens) >= {"P10"}


def test_every_case_in_the_shared_documents_has_a_replay_entry():
    from watchkeeper.learning.parsing import parse_document
    from watchkeeper.replays.catalogue import REPLAYS

    names = {r.name for r in REPLAYS}
    for doc, prefix in (("bulletin-28-protecting-vulnerable-people-2016-11.txt", "bulletin-28-case-"),
                        ("bulletin-31-general-2017-12.txt", "bulletin-31-case-")):
        parsed = parse_document((LESSONS / doc).read_bytes(), doc)
        for case in parsed.cases:
            assert f"{prefix}{case.number}" in names
            assert get(f"{prefix}{case.number}").title == case.title
    assert {"issue-41-case-2", "recommendation-essex"} <= names
