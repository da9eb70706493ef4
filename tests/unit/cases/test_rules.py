"""P1 rules as pure functions: owners of a case, who may act on it, handovers, and staff moves."""

from __future__ import annotations

import pytest

from watchkeeper.cases import rules
from watchkeeper.core.errors import Forbidden, Invalid, Refusal

OFFICER = rules.Holder(1, "Owen", True, True, False, 10)
SUPERVISOR = rules.Holder(2, "Sue", True, True, True, 10)
HANDLER = rules.Holder(3, "Casey", True, False, False, 20)
INVESTIGATOR = rules.Holder(4, "Ivy", True, True, False, 30)
CASE = rules.CaseFacts(7, "CS-26-000007", "open", 1, 2)


@pytest.mark.safeguard("P1")
def test_owners_must_hold_and_supervise_and_differ() -> None:
    rules.check_owners(OFFICER, SUPERVISOR)
    for officer, supervisor in [(HANDLER, SUPERVISOR), (OFFICER, OFFICER), (SUPERVISOR, SUPERVISOR),
                                (rules.Holder(1, "Gone", False, True, False), SUPERVISOR)]:
        with pytest.raises(Refusal) as why:
            rules.check_owners(officer, supervisor)
        assert why.value.safeguard == "P1"


@pytest.mark.safeguard("P1")
def test_only_owners_or_supervisors_act_on_a_case() -> None:
    rules.check_may_act(1, False, CASE)
    rules.check_may_act(2, False, CASE)
    rules.check_may_act(9, True, CASE)
    rules.check_may_act(None, False, CASE)  # the system
    with pytest.raises(Forbidden):
        rules.check_may_act(4, False, CASE)


@pytest.mark.safeguard("P1")
def test_a_handover_needs_a_reason_a_summary_and_a_receiver_who_can_take_it() -> None:
    rules.check_handover(CASE, "officer", INVESTIGATOR, "Moving", "Where it stands")
    rules.check_handover(CASE, "officer", SUPERVISOR, "Moving", "Queued")  # queued to the supervisor
    with pytest.raises(Invalid):
        rules.check_handover(CASE, "officer", INVESTIGATOR, "Moving", "  ")
    with pytest.raises(Invalid):
        rules.check_handover(CASE, "officer", INVESTIGATOR, "", "Summary")
    with pytest.raises(Invalid):
        rules.check_handover(CASE, "officer", OFFICER, "Moving", "Summary")  # already theirs
    with pytest.raises(Refusal):
        rules.check_handover(CASE, "officer", HANDLER, "Moving", "Summary")
    with pytest.raises(Refusal):
        rules.check_handover(CASE, "supervisor", INVESTIGATOR, "Moving", "Summary")  # cannot supervise
    with pytest.raises(Refusal):
        rules.check_handover(rules.CaseFacts(7, "CS", "closed", 1, 2), "officer", INVESTIGATOR, "M", "S")
    with pytest.raises(Invalid):
        rules.check_handover(CASE, "everything", INVESTIGATOR, "Moving", "Summary")


@pytest.mark.safeguard("P1")
def test_an_officer_holding_cases_is_refused_a_move_naming_them() -> None:
    rules.check_officer_move("Owen", [], 0)
    with pytest.raises(Refusal) as why:
        rules.check_officer_move("Owen", ["CS-1", "CS-2"], 25)
    assert why.value.safeguard == "P1" and "CS-1, CS-2 and 23 more" in why.value.message
    assert why.value.details == {"cases": ["CS-1", "CS-2"], "open_cases": 25}


@pytest.mark.safeguard("P1")
def test_a_supervisor_leaving_hands_supervision_to_the_teams_supervisor_or_is_refused() -> None:
    successor = rules.Holder(5, "Sam", True, True, True, 10)
    assert rules.plan_supervisor_move(SUPERVISOR, True, successor, ["CS-1"], 1, {1}).to == successor
    assert rules.plan_supervisor_move(SUPERVISOR, False, successor, ["CS-1"], 1, {1}).to is None
    assert rules.plan_supervisor_move(SUPERVISOR, True, None, [], 0, set()).to is None
    for nobody in (None, SUPERVISOR, rules.Holder(5, "Sam", False, True, True)):
        with pytest.raises(Refusal) as why:
            rules.plan_supervisor_move(SUPERVISOR, True, nobody, ["CS-1"], 1, {1})
        assert why.value.safeguard == "P1" and "new supervisor" in why.value.next_step
    with pytest.raises(Refusal):  # the successor is officer in charge of one of the cases
        rules.plan_supervisor_move(SUPERVISOR, True, successor, ["CS-1"], 1, {5})


SCHEDULE = {"crime": {"standard": 28, "medium": 14, "high": 7},
            "safeguarding": {"standard": 14, "medium": 7, "high": 3},
            "public_protection": {"standard": 28, "medium": 14, "high": 7}}


@pytest.mark.safeguard("P2")
def test_the_review_schedule_covers_every_kind_and_risk() -> None:
    rules.check_schedule(SCHEDULE)
    assert rules.review_days(SCHEDULE, "safeguarding", "high") == 3
    with pytest.raises(Invalid, match="missing crime/high"):
        rules.check_schedule({**SCHEDULE, "crime": {"standard": 28, "medium": 14}})
    with pytest.raises(Invalid, match="unknown burglary"):
        rules.check_schedule({**SCHEDULE, "burglary": {"standard": 1}})


@pytest.mark.safeguard("P2")
def test_a_review_cites_evidence_or_records_no_progress() -> None:
    rules.check_review(2, True, CASE, 1, False, "Statement taken")
    rules.check_review(2, True, CASE, 0, True, "Nothing yet; CCTV by Friday")
    with pytest.raises(Refusal) as bare:
        rules.check_review(2, True, CASE, 0, False, "Reviewed")
    assert bare.value.safeguard == "P2"
    with pytest.raises(Invalid):
        rules.check_review(2, True, CASE, 1, True, "Both")
    with pytest.raises(Invalid):
        rules.check_review(2, True, CASE, 1, False, " ")
    with pytest.raises(Refusal) as own:  # the officer in charge does not review their own case
        rules.check_review(1, True, CASE, 1, False, "Mine")
    assert own.value.safeguard == "P2"
    with pytest.raises(Forbidden):
        rules.check_review(4, False, CASE, 1, False, "Not a supervisor")


@pytest.mark.safeguard("P2")
def test_evidence_is_cited_as_kind_and_id() -> None:
    assert rules.parse_evidence(["entry:4", "task:2", "entry:4"]) == [("entry", 4), ("task", 2)]
    for bad in (["entry"], ["entry:x"], ["gossip:1"]):
        with pytest.raises(Invalid):
            rules.parse_evidence(bad)
    with pytest.raises(Invalid):
        rules.parse_evidence([f"event:{n}" for n in range(rules.MAX_EVIDENCE + 1)])


@pytest.mark.safeguard("P2")
def test_a_case_is_stale_after_the_policy_days() -> None:
    assert not rules.is_stale(13.9, 14)
    assert rules.is_stale(14, 14)


@pytest.mark.safeguard("P3")
def test_a_point_of_contact_is_for_a_victim_held_by_someone_who_can_hold_cases_with_a_reason() -> None:
    rules.check_point_of_contact(1, INVESTIGATOR, None, "Investigation team takes the case")
    rules.check_point_of_contact(2, OFFICER, INVESTIGATOR.id, "Ivy moves to nights")
    for cases, who, current, reason in [(0, OFFICER, None, "x"), (1, HANDLER, None, "x"),
                                        (1, rules.Holder(9, "Gone", False, True, False), None, "x"),
                                        (1, OFFICER, OFFICER.id, "again")]:
        with pytest.raises(Refusal) as why:
            rules.check_point_of_contact(cases, who, current, reason)
        assert why.value.safeguard == "P3"
    with pytest.raises(Invalid):
        rules.check_point_of_contact(1, OFFICER, None, "  ")


@pytest.mark.safeguard("P3")
def test_contacts_are_with_a_victim_by_a_known_channel() -> None:
    assert rules.check_channel("phone") == "phone"
    with pytest.raises(Invalid):
        rules.check_channel("pigeon")
    rules.check_contact(True, "Vera")
    with pytest.raises(Refusal) as why:
        rules.check_contact(False, "Vera")
    assert why.value.safeguard == "P3" and why.value.status == 409


@pytest.mark.safeguard("P4")
def test_an_updates_delivery_is_recorded_once_and_a_failure_says_how() -> None:
    rules.check_outcome("pending", "confirmed", "")
    rules.check_outcome("pending", "failed", "returned_letter")
    with pytest.raises(Invalid):
        rules.check_outcome("pending", "failed", "")
    with pytest.raises(Invalid):
        rules.check_outcome("pending", "confirmed", "unanswered_call")
    with pytest.raises(Invalid):
        rules.check_outcome("pending", "maybe", "")
    with pytest.raises(Refusal) as twice:
        rules.check_outcome("failed", "confirmed", "")
    assert twice.value.safeguard == "P4" and twice.value.status == 409


@pytest.mark.safeguard("P4")
def test_preferred_channels_are_known_ordered_and_the_next_untried_one_is_suggested() -> None:
    assert rules.check_channels(["text", "phone"]) == ["text", "phone"]
    for bad in ([], ["phone", "phone"], ["pigeon"]):
        with pytest.raises(Invalid):
            rules.check_channels(bad)
    assert rules.next_channel(["letter", "phone", "email"], ["letter"]) == "phone"
    assert rules.next_channel(["letter"], ["letter"]) is None
    with pytest.raises(Invalid):
        rules.check_update_kind("gossip")


@pytest.mark.safeguard("P10")
def test_a_declared_conflict_blocks_until_assessed_and_for_good_when_not_allowed() -> None:
    rules.check_not_conflicted([], "CS-1")
    rules.check_not_conflicted([rules.Declared(1, "allowed"), rules.Declared(2, "allowed_with_conditions")], "CS-1")
    for decision in ("", "not_allowed"):
        with pytest.raises(Refusal) as why:
            rules.check_not_conflicted([rules.Declared(1, "allowed"), rules.Declared(2, decision)], "CS-1")
        assert why.value.safeguard == "P10" and why.value.status == 403


@pytest.mark.safeguard("P10")
def test_an_assessment_is_by_someone_else_once_with_a_rationale() -> None:
    rules.check_assessment(2, 1, False, "allowed", "", "Knows the victim only by sight")
    rules.check_assessment(2, 1, False, "allowed_with_conditions", "Not to interview", "Neighbour")
    for args in [(1, 1, False, "allowed", "", "x"), (2, 1, True, "allowed", "", "x")]:
        with pytest.raises(Refusal) as why:
            rules.check_assessment(*args)
        assert why.value.safeguard == "P10"
    for args in [(2, 1, False, "maybe", "", "x"), (2, 1, False, "allowed", "", " "),
                 (2, 1, False, "allowed_with_conditions", "", "x")]:
        with pytest.raises(Invalid):
            rules.check_assessment(*args)


@pytest.mark.safeguard("P6")
def test_a_multi_agency_action_has_one_owner_and_open_ones_keep_a_case_open() -> None:
    rules.check_action_owner(True, "")
    rules.check_action_owner(False, "Children's services")
    for args in [(True, "Housing"), (False, " ")]:
        with pytest.raises(Invalid):
            rules.check_action_owner(*args)
    rules.check_no_open_actions([], 0, "Case CS-1")
    with pytest.raises(Refusal) as why:
        rules.check_no_open_actions(["Safety plan (IDVA, due 1 Jan)"], 3, "Case CS-1")
    assert why.value.safeguard == "P6" and why.value.status == 409 and "2 more" in why.value.message
    with pytest.raises(Invalid):
        rules.check_referral_kind("coffee")
