"""The incident-log safeguards as pure rules (no database).

Each test names the safeguard it proves. The rules read every number and code from `Policy`, so the tests
build policies from the defaults and, where the rule's edge depends on configuration, from variations of
them. Property tests check the grading rules against an independent reading of the policy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.policy import policy as policy_with
from watchkeeper.core.errors import Conflict, Invalid, Refusal
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.incidents import rules
from watchkeeper.incidents.rules import EntryFact, GradeFacts, MergeFacts, Proposal

# Property tests: no example database written, and no time limit (tests make no timed assertions).
PROPERTY = settings(deadline=None, database=None)

POLICY = Policy()
AT = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
LEVELS: list[str] = DEFAULTS["levels"]
FLAGS: list[str] = [f["code"] for f in DEFAULTS["flags"]]
CATEGORIES: list[str] = [c["code"] for c in DEFAULTS["categories"]]
GRADES: list[str] = [g["code"] for g in DEFAULTS["grades"]]


def entry(seq: int, author_id: int | None = 2, text: str = "update", kind: str = "narrative") -> EntryFact:
    return EntryFact(seq=seq, author_id=author_id, kind=kind, text=text, at=AT + timedelta(minutes=seq))


def thrive(threat: str = "low", harm: str = "low", risk: str = "low", vulnerability: str = "low") -> dict:
    return {"threat": threat, "harm": harm, "risk": risk, "vulnerability": vulnerability}


def facts(category: str = "other", flags: tuple[str, ...] = (), **levels: str) -> GradeFacts:
    return GradeFacts(category=category, flags=flags, thrive=thrive(**levels))


# ------------------------------------------------------------------------------------------------ L1
class TestLogReference:
    @pytest.mark.safeguard("L1")
    def test_reference_is_the_date_and_zero_padded_sequence(self) -> None:
        assert rules.log_reference(date(2026, 3, 1), 7, POLICY) == "20260301-0007"

    @pytest.mark.safeguard("L1")
    def test_sequence_wider_than_the_padding_is_kept_whole(self) -> None:
        assert rules.log_reference(date(2026, 12, 31), 12345, POLICY) == "20261231-12345"

    @pytest.mark.safeguard("L1")
    def test_format_comes_from_policy(self) -> None:
        policy = policy_with(log_reference_format="WK/{date:%y%m%d}/{seq}")
        assert rules.log_reference(date(2026, 3, 1), 42, policy) == "WK/260301/42"

    @pytest.mark.safeguard("L1")
    @pytest.mark.parametrize("seq", [0, -1])
    def test_sequence_below_one_is_refused(self, seq: int) -> None:
        with pytest.raises(ValueError, match="start at 1"):
            rules.log_reference(date(2026, 3, 1), seq, POLICY)

    @pytest.mark.safeguard("L1")
    @PROPERTY
    @given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
           a=st.integers(1, 99_999), b=st.integers(1, 99_999))
    def test_distinct_day_and_sequence_never_share_a_reference(self, day: date, a: int, b: int) -> None:
        """A reference resolves forever only if no two (day, seq) pairs ever produce the same one."""
        same = rules.log_reference(day, a, POLICY) == rules.log_reference(day, b, POLICY)
        assert same == (a == b)
        next_day = day + timedelta(days=1)
        assert rules.log_reference(day, a, POLICY) != rules.log_reference(next_day, a, POLICY)


# ------------------------------------------------------------------------------------------------ L3
class TestUnseenEntries:
    @pytest.mark.safeguard("L3")
    def test_only_entries_after_the_read_point_by_someone_else(self) -> None:
        entries = [entry(1, 2), entry(2, 1), entry(3, 2), entry(4, 1), entry(5, None)]
        assert [e.seq for e in rules.unseen_entries(entries, seen_seq=1, user_id=1)] == [3, 5]

    @pytest.mark.safeguard("L3")
    def test_entry_at_the_read_point_counts_as_seen(self) -> None:
        assert rules.unseen_entries([entry(3)], seen_seq=3, user_id=1) == []

    @pytest.mark.safeguard("L3")
    def test_own_entries_are_never_unseen(self) -> None:
        assert rules.unseen_entries([entry(5, author_id=1)], seen_seq=0, user_id=1) == []

    @pytest.mark.safeguard("L3")
    def test_system_entries_without_author_are_unseen(self) -> None:
        assert rules.unseen_entries([entry(2, author_id=None)], seen_seq=1, user_id=1) == [entry(2, None)]


class TestReadBeforeClose:
    @pytest.mark.safeguard("L3")
    def test_nothing_unseen_allows_close(self) -> None:
        assert rules.check_read_before_close([], None) is None

    @pytest.mark.safeguard("L3")
    def test_unseen_entry_without_acknowledgement_is_refused_with_the_entry(self) -> None:
        new = entry(4, text="New caller: he is not breathing")
        with pytest.raises(Refusal) as exc:
            rules.check_read_before_close([new], None)
        refusal = exc.value
        assert refusal.safeguard == "L3" and refusal.status == 409
        assert refusal.message == "1 entry on this log has not been seen by you."
        assert refusal.details["unseen"] == [
            {"seq": 4, "kind": "narrative", "text": "New caller: he is not breathing",
             "at": new.at.isoformat()}
        ]
        assert refusal.details["acknowledge_through"] == 4
        assert "acknowledge" in refusal.next_step

    @pytest.mark.safeguard("L3")
    def test_several_unseen_are_counted_and_acknowledge_through_is_the_latest(self) -> None:
        with pytest.raises(Refusal) as exc:
            rules.check_read_before_close([entry(3), entry(7), entry(5)], None)
        assert exc.value.message == "3 entries on this log have not been seen by you."
        assert exc.value.details["acknowledge_through"] == 7

    @pytest.mark.safeguard("L3")
    def test_acknowledging_through_the_latest_allows_close(self) -> None:
        assert rules.check_read_before_close([entry(3), entry(4)], acknowledged_through=4) is None
        assert rules.check_read_before_close([entry(3), entry(4)], acknowledged_through=9) is None

    @pytest.mark.safeguard("L3")
    def test_acknowledgement_that_stops_short_lists_only_what_is_still_unseen(self) -> None:
        with pytest.raises(Refusal) as exc:
            rules.check_read_before_close([entry(3), entry(4), entry(5)], acknowledged_through=3)
        assert [u["seq"] for u in exc.value.details["unseen"]] == [4, 5]
        assert exc.value.details["acknowledge_through"] == 5

    @pytest.mark.safeguard("L3")
    @PROPERTY
    @given(seqs=st.sets(st.integers(1, 500), max_size=20), ack=st.none() | st.integers(0, 500))
    def test_close_allowed_exactly_when_everything_unseen_is_acknowledged(
        self, seqs: set[int], ack: int | None
    ) -> None:
        unseen = [entry(s) for s in sorted(seqs)]
        covered = all(ack is not None and s <= ack for s in seqs)
        try:
            rules.check_read_before_close(unseen, ack)
        except Refusal as refusal:
            assert not covered
            assert {u["seq"] for u in refusal.details["unseen"]} == {
                s for s in seqs if ack is None or s > ack
            }
        else:
            assert covered


class TestCloseInstructionStands:
    @pytest.mark.safeguard("L3")
    def test_instruction_stands_while_nothing_was_added(self) -> None:
        assert rules.close_instruction_stands(ready_seq=6, last_seq=6) is True

    @pytest.mark.safeguard("L3")
    def test_instruction_lapses_once_anything_is_added(self) -> None:
        assert rules.close_instruction_stands(ready_seq=6, last_seq=7) is False

    @pytest.mark.safeguard("L3")
    def test_no_instruction_never_stands(self) -> None:
        assert rules.close_instruction_stands(ready_seq=None, last_seq=0) is False


# ------------------------------------------------------------------------------------------------ L4
class TestCheckVersion:
    @pytest.mark.safeguard("L4")
    def test_current_version_is_accepted(self) -> None:
        assert rules.check_version(3, 3, []) is None

    @pytest.mark.safeguard("L4")
    def test_missing_expected_version_is_invalid(self) -> None:
        with pytest.raises(Invalid) as exc:
            rules.check_version(None, 3, [])
        assert exc.value.status == 400 and exc.value.details == {"field": "expected_version"}
        assert "L4" in exc.value.message

    @pytest.mark.safeguard("L4")
    @pytest.mark.parametrize("expected", [2, 4])
    def test_any_other_version_is_a_conflict_showing_what_changed(self, expected: int) -> None:
        changes = [{"seq": 3, "kind": "narrative", "text": "Ambulance requested"}]
        with pytest.raises(Conflict) as exc:
            rules.check_version(expected, 3, changes)
        conflict = exc.value
        assert conflict.safeguard == "L4" and conflict.status == 409
        assert conflict.details == {"expected_version": expected, "current_version": 3, "changes": changes}
        assert f"version {expected}" in conflict.message and "now 3" in conflict.message


class TestNotifyOnAddition:
    @pytest.mark.safeguard("L4")
    def test_owner_then_assignees_are_told(self) -> None:
        assert rules.notify_on_addition(9, 1, [2, 3]) == [1, 2, 3]

    @pytest.mark.safeguard("L4")
    def test_author_is_not_told_of_their_own_addition(self) -> None:
        assert rules.notify_on_addition(1, 1, [1, 2]) == [2]

    @pytest.mark.safeguard("L4")
    def test_each_person_is_told_once(self) -> None:
        assert rules.notify_on_addition(9, 2, [3, 2, 3]) == [2, 3]

    @pytest.mark.safeguard("L4")
    def test_log_without_owner_still_tells_assignees(self) -> None:
        assert rules.notify_on_addition(9, None, [4]) == [4]

    @pytest.mark.safeguard("L4")
    def test_system_addition_tells_the_owner(self) -> None:
        assert rules.notify_on_addition(None, 1, []) == [1]

    @pytest.mark.safeguard("L4")
    def test_nobody_to_tell(self) -> None:
        assert rules.notify_on_addition(1, None, []) == []


# ------------------------------------------------------------------------------------------------ L5
class TestDowngradeRequest:
    @pytest.mark.safeguard("L5")
    @pytest.mark.parametrize("role", DEFAULTS["downgrade_authoriser_roles"])
    def test_reason_and_authoriser_of_a_configured_role_is_accepted(self, role: str) -> None:
        assert rules.check_downgrade_request("Caller rang back: all fine", role, POLICY) is None

    @pytest.mark.safeguard("L5")
    @pytest.mark.parametrize("reason", ["", "   \n"])
    def test_blank_reason_is_refused(self, reason: str) -> None:
        with pytest.raises(Refusal, match="needs a reason") as exc:
            rules.check_downgrade_request(reason, "controller", POLICY)
        assert exc.value.safeguard == "L5"

    @pytest.mark.safeguard("L5")
    def test_no_authoriser_is_refused_naming_the_roles(self) -> None:
        with pytest.raises(Refusal, match="authoriser") as exc:
            rules.check_downgrade_request("all fine", None, POLICY)
        assert exc.value.safeguard == "L5"
        assert "duty inspector" in exc.value.next_step and "controller" in exc.value.next_step

    @pytest.mark.safeguard("L5")
    @pytest.mark.parametrize("role", ["call_handler", "response_officer", "unknown"])
    def test_authoriser_of_another_role_is_refused(self, role: str) -> None:
        with pytest.raises(Refusal, match="cannot authorise") as exc:
            rules.check_downgrade_request("all fine", role, POLICY)
        assert exc.value.safeguard == "L5" and "supervisor" in exc.value.next_step

    @pytest.mark.safeguard("L5")
    def test_authoriser_roles_come_from_policy(self) -> None:
        policy = policy_with(downgrade_authoriser_roles=["duty_inspector"])
        rules.check_downgrade_request("all fine", "duty_inspector", policy)
        with pytest.raises(Refusal):
            rules.check_downgrade_request("all fine", "controller", policy)


class TestAuthoriserHasLooked:
    @pytest.mark.safeguard("L5")
    @pytest.mark.parametrize("opened", [8, 9])
    def test_opened_at_or_after_the_latest_entry_is_accepted(self, opened: int) -> None:
        assert rules.check_authoriser_has_looked(opened, 8) is None

    @pytest.mark.safeguard("L5")
    @pytest.mark.parametrize("opened", [None, 7])
    def test_never_opened_or_opened_before_the_latest_entry_is_refused(self, opened: int | None) -> None:
        with pytest.raises(Refusal, match="not opened this log") as exc:
            rules.check_authoriser_has_looked(opened, 8)
        assert exc.value.safeguard == "L5" and exc.value.status == 409


# ------------------------------------------------------------------------------------------ L6, L11
class TestNothingOpen:
    @pytest.mark.safeguard("L6", "L11")
    def test_nothing_open_allows_close(self) -> None:
        assert rules.check_nothing_open([], []) is None

    @pytest.mark.safeguard("L6")
    def test_open_request_to_another_service_blocks_close(self) -> None:
        request = {"id": 1, "service": "ambulance", "asks": "attend", "state": "open"}
        with pytest.raises(Refusal) as exc:
            rules.check_nothing_open([request], [])
        assert exc.value.safeguard == "L6"
        assert exc.value.message.startswith("1 request(s)")
        assert exc.value.details == {"open_requests": [request]}

    @pytest.mark.safeguard("L11")
    def test_open_commitment_blocks_close(self) -> None:
        tasks = [{"id": 1, "description": "call back in an hour"}, {"id": 2, "description": "ring hospital"}]
        with pytest.raises(Refusal) as exc:
            rules.check_nothing_open([], tasks)
        assert exc.value.safeguard == "L11"
        assert exc.value.message.startswith("2 commitment(s)")
        assert exc.value.details == {"open_tasks": tasks}

    @pytest.mark.safeguard("L6", "L11")
    def test_open_requests_are_reported_before_open_tasks(self) -> None:
        with pytest.raises(Refusal) as exc:
            rules.check_nothing_open([{"id": 1}], [{"id": 2}])
        assert exc.value.safeguard == "L6"


class TestNextTaskAlert:
    DUE = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)

    @pytest.mark.safeguard("L11")
    def test_owner_is_alerted_at_the_due_time(self) -> None:
        assert rules.next_task_alert(0, self.DUE, POLICY) == self.DUE

    @pytest.mark.safeguard("L11")
    def test_supervisor_is_alerted_after_the_policy_delay(self) -> None:
        assert rules.next_task_alert(1, self.DUE, POLICY) == self.DUE + timedelta(minutes=30)
        policy = policy_with(task_escalation_minutes=45)
        assert rules.next_task_alert(1, self.DUE, policy) == self.DUE + timedelta(minutes=45)

    @pytest.mark.safeguard("L11")
    @pytest.mark.parametrize("stage", [2, 3])
    def test_nothing_further_after_the_supervisor(self, stage: int) -> None:
        assert rules.next_task_alert(stage, self.DUE, POLICY) is None


# ------------------------------------------------------------------------------------------------ L7
# Letters and spaces of Latin scripts; the Turkish dotless i is left out because its upper case folds back
# to a different letter (a property of the alphabet, not of caller matching).
NAME_CHARACTERS = st.characters(categories=["Lu", "Ll", "Zs"], max_codepoint=0x24F, exclude_characters="ı")


class TestNormaliseCaller:
    @pytest.mark.safeguard("L7")
    def test_phone_and_name_identities(self) -> None:
        assert rules.normalise_caller("  Ann   LEE ", "07700 900222") == {"tel:7700900222", "name:ann lee"}

    @pytest.mark.safeguard("L7")
    @pytest.mark.parametrize(
        "phone", ["07700 900222", "07700-900-222", "+44 7700 900222", "+44 (0)7700 900222"]
    )
    def test_one_number_written_many_ways_is_one_identity(self, phone: str) -> None:
        assert "tel:7700900222" in rules.normalise_caller("", phone)

    @pytest.mark.safeguard("L7")
    @pytest.mark.parametrize("phone", ["", "999", "12345", "ext. 4"])
    def test_too_few_digits_is_not_a_phone_identity(self, phone: str) -> None:
        assert rules.normalise_caller("", phone) == set()

    @pytest.mark.safeguard("L7")
    def test_six_digits_is_a_phone_identity(self) -> None:
        assert rules.normalise_caller("", "123 456") == {"tel:123456"}

    @pytest.mark.safeguard("L7")
    def test_punctuation_and_digits_in_names_are_dropped(self) -> None:
        assert rules.normalise_caller("O'Brien, Mary 2", "") == {"name:obrien mary"}

    @pytest.mark.safeguard("L7")
    def test_name_of_only_punctuation_is_no_identity(self) -> None:
        assert rules.normalise_caller(" -- ", "") == set()

    @pytest.mark.safeguard("L7")
    @PROPERTY
    @given(name=st.text(alphabet=NAME_CHARACTERS, max_size=30),
           digits=st.text(alphabet="0123456789", min_size=6, max_size=13))
    def test_case_spacing_and_separators_never_change_the_identity(self, name: str, digits: str) -> None:
        plain = rules.normalise_caller(name, digits)
        dressed = rules.normalise_caller("  " + name.upper() + "  ", " - ".join(digits))
        assert plain == dressed
        assert "tel:" + digits[-10:] in plain


class TestNormaliseAllegation:
    @pytest.mark.safeguard("L7")
    def test_case_and_whitespace_are_folded(self) -> None:
        assert rules.normalise_allegation("  Bike   STOLEN\nfrom shed ") == "bike stolen from shed"

    @pytest.mark.safeguard("L7")
    def test_different_words_stay_different(self) -> None:
        assert rules.normalise_allegation("Assault by Dan") != rules.normalise_allegation("Damage by Ben")


def merge_facts(
    reference: str,
    *,
    callers: tuple[str, ...] = (),
    parties: tuple[str, ...] = (),
    allegations: tuple[str, ...] = (),
    status: str = "open",
) -> MergeFacts:
    return MergeFacts(reference, status, frozenset(callers), frozenset(parties), frozenset(allegations))


class TestCheckMerge:
    ANN = "name:ann lee"
    BEN = "name:ben cole"
    DAN = "name:dan hart"

    @pytest.mark.safeguard("L7")
    def test_same_caller_same_allegation_is_a_duplicate(self) -> None:
        a = merge_facts("A", callers=(self.ANN,), allegations=("bike stolen",))
        b = merge_facts("B", callers=(self.ANN,), allegations=("bike stolen",))
        assert rules.check_merge(a, b, [], "same caller, same theft") is None

    @pytest.mark.safeguard("L7")
    def test_same_caller_with_a_further_allegation_is_a_duplicate(self) -> None:
        a = merge_facts("A", callers=(self.ANN,), allegations=("bike stolen",))
        b = merge_facts("B", callers=(self.ANN,), allegations=("shed damaged",))
        assert rules.check_merge(a, b, [], "she rang twice") is None

    @pytest.mark.safeguard("L7")
    def test_different_callers_same_allegation_is_a_duplicate(self) -> None:
        a = merge_facts("A", callers=(self.ANN,), allegations=("bike stolen", ""))
        b = merge_facts("B", callers=(self.BEN,), allegations=("bike stolen",))
        assert rules.check_merge(a, b, ["same_event"], "neighbours reporting one theft") is None

    @pytest.mark.safeguard("L7")
    @pytest.mark.parametrize("reason", ["", "  "])
    def test_merge_needs_a_reason(self, reason: str) -> None:
        a = merge_facts("A", callers=(self.ANN,))
        with pytest.raises(Refusal, match="needs a reason") as exc:
            rules.check_merge(a, merge_facts("B", callers=(self.ANN,)), [], reason)
        assert exc.value.safeguard == "L7"

    @pytest.mark.safeguard("L7")
    def test_log_cannot_be_merged_into_itself(self) -> None:
        a = merge_facts("A", callers=(self.ANN,))
        with pytest.raises(Invalid, match="itself"):
            rules.check_merge(a, a, [], "duplicate")

    @pytest.mark.safeguard("L7")
    @pytest.mark.parametrize("which", ["source", "target"])
    @pytest.mark.parametrize("status", ["closed", "merged", "cancelled"])
    def test_only_open_logs_are_merged(self, which: str, status: str) -> None:
        done = merge_facts("X", callers=(self.ANN,), status=status)
        live = merge_facts("Y", callers=(self.ANN,))
        source, target = (done, live) if which == "source" else (live, done)
        with pytest.raises(Refusal, match=f"X is {status}") as exc:
            rules.check_merge(source, target, [], "duplicate")
        assert exc.value.safeguard == "L7" and "Link" in exc.value.next_step

    @pytest.mark.safeguard("L7")
    def test_counter_allegation_link_is_never_merged_even_with_the_same_caller(self) -> None:
        a = merge_facts("A", callers=(self.ANN,), allegations=("assault",))
        b = merge_facts("B", callers=(self.ANN,), allegations=("assault",))
        with pytest.raises(Refusal, match="counter-allegation") as exc:
            rules.check_merge(a, b, ["same_event", "counter_allegation"], "same dispute")
        assert exc.value.safeguard == "L7"

    @pytest.mark.safeguard("L7")
    def test_different_parties_different_allegations_are_not_duplicates(self) -> None:
        a = merge_facts("A", callers=(self.BEN,), parties=("ben",), allegations=("assault by dan",))
        b = merge_facts("B", callers=(self.DAN,), parties=("dan",), allegations=("damage by ben",))
        with pytest.raises(Refusal, match="not a duplicate") as exc:
            rules.check_merge(a, b, [], "same dispute")
        assert exc.value.safeguard == "L7" and "Link" in exc.value.next_step

    @pytest.mark.safeguard("L7")
    def test_same_caller_speaking_for_different_parties_with_different_allegations_is_refused(self) -> None:
        a = merge_facts("A", callers=(self.ANN,), parties=("ben",), allegations=("assault by dan",))
        b = merge_facts("B", callers=(self.ANN,), parties=("dan",), allegations=("damage by ben",))
        with pytest.raises(Refusal, match="not a duplicate"):
            rules.check_merge(a, b, [], "same dispute")

    @pytest.mark.safeguard("L7")
    def test_different_callers_and_one_side_without_allegation_is_not_a_duplicate(self) -> None:
        """Neither the same caller nor the same allegation: the spec allows only a link (L7)."""
        a = merge_facts("A", callers=(self.ANN,), allegations=("",))
        b = merge_facts("B", callers=(self.BEN,), allegations=("assault",))
        with pytest.raises(Refusal) as exc:
            rules.check_merge(a, b, [], "same event")
        assert exc.value.safeguard == "L7"

    @pytest.mark.safeguard("L7")
    def test_two_callers_about_one_collapse_are_linked_not_merged(self) -> None:
        """Two callers about one event, no allegation recorded: same event, so a link, not a merge (L7)."""
        a = merge_facts("A", callers=(self.ANN, "tel:7700900222"), allegations=("",))
        b = merge_facts("B", callers=(self.BEN, "tel:7700900333"), allegations=("",))
        with pytest.raises(Refusal) as exc:
            rules.check_merge(a, b, ["same_event"], "same collapse")
        assert exc.value.safeguard == "L7"


# ------------------------------------------------------------------------------------------------ L8
class TestRouteMessage:
    @pytest.mark.safeguard("L8")
    def test_present_officer_receives_the_message(self) -> None:
        assert rules.route_message(False, 5) == ("officer", None)
        assert rules.route_message(False, None) == ("officer", None)

    @pytest.mark.safeguard("L8")
    def test_absent_officer_message_goes_to_the_team_queue(self) -> None:
        assert rules.route_message(True, 5) == ("team", 5)

    @pytest.mark.safeguard("L8")
    def test_absent_officer_without_team_is_refused_rather_than_left_unread(self) -> None:
        with pytest.raises(Refusal, match="absent") as exc:
            rules.route_message(True, None)
        assert exc.value.safeguard == "L8"


# ------------------------------------------------------------------------------------------------ L9
class TestReviewAssignee:
    @pytest.mark.safeguard("L9")
    def test_present_reviewer_owns_it(self) -> None:
        assert rules.review_assignee(1, False, 2, False, 3) == (1, "reviewer")
        assert rules.review_assignee(1, False, 2, True, None) == (1, "reviewer")

    @pytest.mark.safeguard("L9")
    def test_absent_reviewer_escalates_to_the_named_deputy(self) -> None:
        assert rules.review_assignee(1, True, 2, False, 3) == (2, "deputy (reviewer away)")

    @pytest.mark.safeguard("L9")
    def test_both_away_goes_to_the_supervisor(self) -> None:
        assert rules.review_assignee(1, True, 2, True, 3) == (3, "supervisor (reviewer and deputy away)")

    @pytest.mark.safeguard("L9")
    def test_everyone_away_and_no_supervisor_still_names_an_owner_and_says_so(self) -> None:
        owner = rules.review_assignee(1, True, 2, True, None)
        assert owner == (2, "deputy (reviewer away; deputy also away)")


# ----------------------------------------------------------------------------------------------- L10
def close(flags: tuple[str, ...], code: str, role: str = "call_handler", rationale: str = "",
          policy: Policy = POLICY) -> bool:
    return rules.check_closing_outcome(flags=flags, code=code, closer_role=role,
                                       authorisation_rationale=rationale, policy=policy)


POSITIVE = [c["code"] for c in DEFAULTS["closing_codes"] if c["positive"]]
NOT_POSITIVE = [c["code"] for c in DEFAULTS["closing_codes"] if not c["positive"]]


class TestClosingOutcome:
    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("flags", [(), ("domestic_abuse",)])
    @pytest.mark.parametrize("role", ["call_handler", "supervisor"])
    def test_no_units_available_is_never_an_outcome(self, flags: tuple[str, ...], role: str) -> None:
        with pytest.raises(Refusal, match="No units available") as exc:
            close(flags, "no_units_available", role=role, rationale="nothing free")
        assert exc.value.safeguard == "L10" and "escalate" in exc.value.next_step

    @pytest.mark.safeguard("L10")
    def test_no_units_available_stays_forbidden_even_if_listed_as_a_positive_code(self) -> None:
        policy = policy_with(closing_codes=[*DEFAULTS["closing_codes"],
                                            {"code": "no_units_available", "label": "x", "positive": True}])
        with pytest.raises(Refusal) as exc:
            close(("missing",), "no_units_available", role="supervisor", rationale="x", policy=policy)
        assert exc.value.safeguard == "L10"

    @pytest.mark.safeguard("L10")
    def test_unknown_code_is_invalid(self) -> None:
        with pytest.raises(Invalid) as exc:
            close((), "gone_home")
        assert exc.value.details == {"field": "code"}

    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("code", NOT_POSITIVE)
    def test_unflagged_log_closes_with_any_outcome(self, code: str) -> None:
        assert close((), code) is False

    @pytest.mark.safeguard("L10")
    def test_flags_outside_the_safeguarding_list_do_not_count(self) -> None:
        assert close(("firearms_nearby",), "advice_given") is False

    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("flag", FLAGS)
    @pytest.mark.parametrize("code", POSITIVE)
    def test_flagged_log_closes_with_a_positive_outcome(self, flag: str, code: str) -> None:
        assert close((flag,), code) is False

    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("flag", FLAGS)
    @pytest.mark.parametrize("code", NOT_POSITIVE)
    def test_flagged_log_without_positive_outcome_is_refused(self, flag: str, code: str) -> None:
        with pytest.raises(Refusal) as exc:
            close((flag, "other_flag"), code, role="call_handler", rationale="looked fine")
        refusal = exc.value
        assert refusal.safeguard == "L10"
        assert POLICY.flag_label(flag) in refusal.message
        assert refusal.details == {"flags": [flag], "positive_outcomes": POSITIVE}

    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("role", DEFAULTS["flagged_close_authoriser_roles"])
    def test_authoriser_with_rationale_closes_a_flagged_log_as_an_authorisation(self, role: str) -> None:
        rationale = "Spoke to school; child at home"
        assert close(("child",), "advice_given", role=role, rationale=rationale) is True

    @pytest.mark.safeguard("L10")
    @pytest.mark.parametrize("rationale", ["", "   "])
    def test_authoriser_without_rationale_is_refused(self, rationale: str) -> None:
        with pytest.raises(Refusal):
            close(("child",), "advice_given", role="supervisor", rationale=rationale)

    @pytest.mark.safeguard("L10")
    def test_authoriser_closing_with_a_positive_outcome_is_not_an_authorisation(self) -> None:
        assert close(("child",), "seen_safe", role="supervisor", rationale="seen") is False


# ----------------------------------------------------------------------------------------------- L12
class TestCirculationSummary:
    @pytest.mark.safeguard("L12")
    def test_summary_carries_the_full_current_picture(self) -> None:
        allegations = [{"caller": "Ben", "allegation": "Assault by Dan"},
                       {"caller": "Dan", "allegation": "Damage by Ben"}]
        entries = [{"seq": 5, "text": "Dan has a knife"}, {"seq": 6, "text": "Child in the house"}]
        requests = [{"service": "ambulance", "state": "open"}]
        markers = [{"kind": "violence", "on": "Dan Hart"}]
        summary = rules.circulation_summary(
            reference="20260301-0007", category_label="Domestic incident", grade_label="Emergency",
            status="open", location="1 High St", flags=("domestic_abuse", "child"),
            risks={"weapons": True}, allegations=allegations, latest_entries=entries,
            open_requests=requests, markers=markers,
        )
        assert summary == {
            "reference": "20260301-0007",
            "category": "Domestic incident",
            "grade": "Emergency",
            "status": "open",
            "location": "1 High St",
            "flags": ["domestic_abuse", "child"],
            "risks": {"weapons": True},
            "markers": markers,
            # No officer-safety summary given: nothing is known, so none is recorded (people fills it in).
            "risk_summary": {"badges": [], "none_recorded": True, "checked": {}},
            "allegations": allegations,
            "open_requests": requests,
            "latest_entries": entries,
        }

    @pytest.mark.safeguard("L12")
    def test_missing_risks_and_markers_are_empty_not_absent(self) -> None:
        summary = rules.circulation_summary(
            reference="R", category_label="Other", grade_label="Ungraded", status="open", location="",
            flags=(), risks=None, allegations=(), latest_entries=(), open_requests=(),
        )
        assert summary["risks"] == {} and summary["markers"] == [] and summary["allegations"] == []


# ------------------------------------------------------------------------------------------------ C4
class TestValidateThrive:
    @pytest.mark.safeguard("C4")
    def test_levels_and_notes_are_cleaned(self) -> None:
        clean = rules.validate_thrive(
            {
                "threat": {"level": "high", "note": "  threatened to kill  "},
                "harm": "medium",
                "risk": {"level": "low"},
                "vulnerability": {"level": "none", "note": None},
                "investigation": "  checks on phone  ",
            },
            POLICY,
        )
        assert clean == {
            "threat": {"note": "threatened to kill", "level": "high"},
            "harm": {"note": "", "level": "medium"},
            "risk": {"note": "", "level": "low"},
            "investigation": {"note": "checks on phone"},
            "vulnerability": {"note": "", "level": "none"},
            "engagement": {"note": ""},
        }

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("element", rules.THRIVE_LEVELLED)
    def test_each_levelled_element_needs_a_level(self, element: str) -> None:
        value = thrive()
        del value[element]
        with pytest.raises(Invalid, match=f"THRIVE {element} needs a level") as exc:
            rules.validate_thrive(value, POLICY)
        assert exc.value.details == {"field": f"thrive.{element}"}

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("level", ["severe", "", "HIGH", None])
    def test_level_outside_policy_levels_is_invalid(self, level: str | None) -> None:
        with pytest.raises(Invalid, match="needs a level"):
            rules.validate_thrive({**thrive(), "risk": {"level": level}}, POLICY)

    @pytest.mark.safeguard("C4")
    def test_levels_come_from_policy(self) -> None:
        policy = policy_with(levels=["green", "amber", "red"])
        clean = rules.validate_thrive(thrive("red", "amber", "green", "green"), policy)
        assert clean["threat"]["level"] == "red"
        with pytest.raises(Invalid):
            rules.validate_thrive(thrive(), policy)

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("value", [None, "high", ["threat"], 3])
    def test_thrive_must_be_an_object(self, value: Any) -> None:
        with pytest.raises(Invalid, match="THRIVE must be an object") as exc:
            rules.validate_thrive(value, POLICY)
        assert exc.value.details == {"field": "thrive"}

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("element", ["harm", "engagement"])
    def test_element_of_the_wrong_shape_is_invalid(self, element: str) -> None:
        with pytest.raises(Invalid, match=f"THRIVE {element} must be an object"):
            rules.validate_thrive({**thrive(), element: ["high"]}, POLICY)

    @pytest.mark.safeguard("C4")
    def test_level_given_to_a_note_only_element_is_not_kept(self) -> None:
        value = {**thrive(), "engagement": {"level": "high", "note": "hostile"}}
        clean = rules.validate_thrive(value, POLICY)
        assert clean["engagement"] == {"note": "hostile"}


class TestProposeGrade:
    @pytest.mark.safeguard("C4")
    def test_nothing_matching_proposes_no_grade(self) -> None:
        assert rules.propose_grade(facts("theft"), POLICY) == Proposal(None, ())

    @pytest.mark.safeguard("C4")
    def test_domestic_abuse_proposes_priority_with_the_reason(self) -> None:
        proposal = rules.propose_grade(facts("domestic_incident", ("domestic_abuse",)), POLICY)
        assert proposal == Proposal("priority", ("Domestic incident → Priority",))

    @pytest.mark.safeguard("C4")
    def test_most_urgent_matching_rule_wins_and_every_match_is_a_reason(self) -> None:
        proposal = rules.propose_grade(
            facts("domestic_incident", ("domestic_abuse",), vulnerability="high"), POLICY
        )
        assert proposal.grade == "emergency"
        assert proposal.reasons == (
            "Domestic incident with high vulnerability → Emergency",
            "Domestic incident → Priority",
        )

    @pytest.mark.safeguard("C4")
    def test_vulnerable_adult_being_exploited_is_priority_not_an_appointment(self) -> None:
        at_risk = facts("vulnerable_adult", ("vulnerable_adult",), risk="medium")
        proposal = rules.propose_grade(at_risk, POLICY)
        assert proposal.grade == "priority"
        low = rules.propose_grade(facts("vulnerable_adult", ("vulnerable_adult",), risk="low"), POLICY)
        assert low.grade is None

    @pytest.mark.safeguard("C4")
    def test_at_least_is_inclusive_and_needs_every_condition(self) -> None:
        both = rules.propose_grade(facts(threat="high", harm="high"), POLICY)
        assert both.grade == "emergency"
        one = rules.propose_grade(facts(threat="high", harm="medium"), POLICY)
        assert one.grade is None

    @pytest.mark.safeguard("C4")
    def test_category_condition(self) -> None:
        assert rules.propose_grade(facts("sudden_collapse"), POLICY).grade == "emergency"

    @pytest.mark.safeguard("C4")
    def test_levels_given_as_plain_strings_or_missing(self) -> None:
        as_objects = GradeFacts("other", (), {"threat": {"level": "high"}, "harm": {"level": "high"}})
        assert rules.propose_grade(as_objects, POLICY).grade == "emergency"
        missing = GradeFacts("other", ("missing",), {})
        assert rules.propose_grade(missing, POLICY).grade == "priority"

    @pytest.mark.safeguard("C4")
    def test_flags_all_needs_every_flag(self) -> None:
        policy = policy_with(grade_rules=[
            {"name": "Child in a domestic", "when": {"flags_all": ["domestic_abuse", "child"]},
             "grade": "emergency"}
        ])
        assert rules.propose_grade(facts(flags=("domestic_abuse", "child")), policy).grade == "emergency"
        assert rules.propose_grade(facts(flags=("domestic_abuse",)), policy).grade is None

    @pytest.mark.safeguard("C4")
    def test_rule_without_conditions_always_matches(self) -> None:
        policy = policy_with(grade_rules=[{"name": "Floor", "grade": "scheduled"}])
        assert rules.propose_grade(facts(), policy) == Proposal("scheduled", ("Floor → Scheduled",))


# An independent reading of the grading policy, to check propose_grade against.
def _holds(when: dict[str, Any], f: GradeFacts) -> bool:
    def rank(level: Any) -> int:
        value = level.get("level") if isinstance(level, dict) else level
        return LEVELS.index(value) if value in LEVELS else 0

    checks = [
        f.category in when.get("categories", [f.category]),
        "flags_any" not in when or any(x in f.flags for x in when["flags_any"]),
        all(x in f.flags for x in when.get("flags_all", [])),
    ]
    for element in ("threat", "harm", "risk", "vulnerability"):
        key = f"{element}_at_least"
        if key in when:
            checks.append(rank(f.thrive.get(element)) >= LEVELS.index(when[key]))
    return all(checks)


level_or_missing = st.none() | st.sampled_from(LEVELS)
grade_facts = st.builds(
    lambda category, flags, t, h, r, v: GradeFacts(
        category,
        tuple(flags),
        {k: lv for k, lv in zip(rules.THRIVE_LEVELLED, (t, h, r, v), strict=True) if lv},
    ),
    st.sampled_from(CATEGORIES),
    st.lists(st.sampled_from(FLAGS), unique=True, max_size=4),
    level_or_missing, level_or_missing, level_or_missing, level_or_missing,
)
conditions = st.fixed_dictionaries(
    {},
    optional={
        "categories": st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3),
        "flags_any": st.lists(st.sampled_from(FLAGS), min_size=1, max_size=3),
        "flags_all": st.lists(st.sampled_from(FLAGS), min_size=1, max_size=2),
        "threat_at_least": st.sampled_from(LEVELS),
        "harm_at_least": st.sampled_from(LEVELS),
        "risk_at_least": st.sampled_from(LEVELS),
        "vulnerability_at_least": st.sampled_from(LEVELS),
    },
)
grade_rules = st.lists(
    st.builds(lambda i, when, grade: {"name": f"rule {i}", "when": when, "grade": grade},
              st.integers(0, 999), conditions, st.sampled_from(GRADES)),
    max_size=8,
)


class TestProposeGradeProperties:
    @pytest.mark.safeguard("C4")
    @PROPERTY
    @given(f=grade_facts)
    def test_default_policy_never_proposes_less_urgent_than_a_matching_rule(self, f: GradeFacts) -> None:
        self._check(f, POLICY)

    @pytest.mark.safeguard("C4")
    @PROPERTY
    @given(f=grade_facts, rule_list=grade_rules)
    def test_any_policy_never_proposes_less_urgent_than_a_matching_rule(
        self, f: GradeFacts, rule_list: list[dict[str, Any]]
    ) -> None:
        self._check(f, policy_with(grade_rules=rule_list))

    @staticmethod
    def _check(f: GradeFacts, policy: Policy) -> None:
        matching = [r for r in policy["grade_rules"] if _holds(r.get("when", {}), f)]
        proposal = rules.propose_grade(f, policy)
        assert len(proposal.reasons) == len(matching)
        if not matching:
            assert proposal.grade is None
            return
        assert proposal.grade in {r["grade"] for r in matching}
        for rule in matching:
            assert not rules.less_urgent(proposal.grade, rule["grade"], policy)


# ------------------------------------------------------------------------------------------ C4 choice
class TestLessUrgent:
    @pytest.mark.safeguard("C4")
    def test_order_follows_policy_rank(self) -> None:
        assert rules.less_urgent("priority", "emergency", POLICY) is True
        assert rules.less_urgent("emergency", "priority", POLICY) is False
        assert rules.less_urgent("priority", "priority", POLICY) is False

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize(("a", "b"), [(None, "emergency"), ("resolution", None), ("x", "emergency")])
    def test_ungraded_or_unknown_is_never_less_urgent(self, a: str | None, b: str | None) -> None:
        assert rules.less_urgent(a, b, POLICY) is False

    @pytest.mark.safeguard("C4")
    @PROPERTY
    @given(a=st.sampled_from(GRADES), b=st.sampled_from(GRADES))
    def test_strict_order(self, a: str, b: str) -> None:
        assert not (rules.less_urgent(a, b, POLICY) and rules.less_urgent(b, a, POLICY))
        assert rules.less_urgent(a, b, POLICY) == (GRADES.index(a) > GRADES.index(b))


class TestGradeChoice:
    PRIORITY = Proposal("priority", ("Domestic incident → Priority",))

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("chosen", ["emergency", "priority"])
    def test_policy_grade_or_more_urgent_needs_no_rationale(self, chosen: str) -> None:
        assert rules.check_grade_choice(chosen, self.PRIORITY, "", POLICY) is False

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("rationale", ["", "  "])
    def test_lower_grade_without_rationale_is_refused(self, rationale: str) -> None:
        with pytest.raises(Refusal) as exc:
            rules.check_grade_choice("scheduled", self.PRIORITY, rationale, POLICY)
        refusal = exc.value
        assert refusal.safeguard == "C4"
        assert refusal.message == "Policy proposes Priority for this log; Scheduled is lower."
        assert refusal.details == {"proposed_grade": "priority", "reasons": ["Domestic incident → Priority"]}

    @pytest.mark.safeguard("C4")
    def test_lower_grade_with_rationale_is_accepted_and_reported(self) -> None:
        rationale = "Victim asked for a visit"
        assert rules.check_grade_choice("scheduled", self.PRIORITY, rationale, POLICY) is True

    @pytest.mark.safeguard("C4")
    def test_no_policy_grade_means_any_grade(self) -> None:
        assert rules.check_grade_choice("resolution", Proposal(None), "", POLICY) is False

    @pytest.mark.safeguard("C4")
    @pytest.mark.parametrize("chosen", ["urgent", ""])
    def test_unknown_grade_is_invalid(self, chosen: str) -> None:
        with pytest.raises(Invalid, match="Unknown grade") as exc:
            rules.check_grade_choice(chosen, self.PRIORITY, "rationale", POLICY)
        assert exc.value.details == {"field": "grade"}

    @pytest.mark.safeguard("C4")
    @PROPERTY
    @given(chosen=st.sampled_from(GRADES), proposed=st.none() | st.sampled_from(GRADES),
           rationale=st.sampled_from(["", " ", "Caller safe with family"]))
    def test_refused_exactly_when_below_policy_without_rationale(
        self, chosen: str, proposed: str | None, rationale: str
    ) -> None:
        below = proposed is not None and GRADES.index(chosen) > GRADES.index(proposed)
        try:
            reported = rules.check_grade_choice(chosen, Proposal(proposed), rationale, POLICY)
        except Refusal:
            assert below and not rationale.strip()
        else:
            assert reported == below
            assert not below or rationale.strip()


# ------------------------------------------------------------------------------------------------ C6
class TestRegradePrompt:
    @pytest.mark.safeguard("C6")
    def test_more_urgent_policy_grade_prompts_with_reasons(self) -> None:
        reasons = ("Missing person at high risk → Emergency", "Missing person → Priority")
        proposal = Proposal("emergency", reasons)
        assert rules.regrade_prompt("scheduled", proposal, POLICY) == (
            "Policy now proposes Emergency (graded Scheduled): "
            "Missing person at high risk → Emergency; Missing person → Priority"
        )

    @pytest.mark.safeguard("C6")
    @pytest.mark.parametrize("current", ["priority", "emergency"])
    def test_same_or_more_urgent_current_grade_is_no_prompt(self, current: str) -> None:
        assert rules.regrade_prompt(current, Proposal("priority", ("x",)), POLICY) is None

    @pytest.mark.safeguard("C6")
    def test_ungraded_log_or_no_proposal_is_no_prompt(self) -> None:
        assert rules.regrade_prompt(None, Proposal("emergency", ("x",)), POLICY) is None
        assert rules.regrade_prompt("scheduled", Proposal(None), POLICY) is None

    @pytest.mark.safeguard("C6")
    def test_new_information_meeting_missing_criteria_prompts_a_regrade(self) -> None:
        """B28.4: a concern-for-welfare log, once it carries the missing flag at high risk, is re-proposed."""
        before = rules.propose_grade(facts("concern_for_welfare", ("concern_for_welfare",)), POLICY)
        assert rules.regrade_prompt("scheduled", before, POLICY) is None
        after = rules.propose_grade(
            facts("concern_for_welfare", ("concern_for_welfare", "missing"), risk="high"), POLICY
        )
        prompt = rules.regrade_prompt("scheduled", after, POLICY)
        assert prompt is not None and prompt.startswith("Policy now proposes Emergency")


# ------------------------------------------------------------------------------------- per record
class TestWhoMayClose:
    """Closing, cancelling and reopening one log: its owner, the staff assigned to it, or the room."""

    HOLDERS = rules.LogHolders(owner_id=1, assigned_ids=frozenset({2}))

    @pytest.mark.parametrize("user_id", [1, 2])
    def test_the_owner_and_assigned_staff_may(self, user_id: int) -> None:
        rules.check_may_close(user_id, False, self.HOLDERS, "close", "L-1")

    def test_anyone_else_is_refused_with_403_naming_the_log(self) -> None:
        with pytest.raises(Refusal) as exc:
            rules.check_may_close(3, False, self.HOLDERS, "cancel", "L-1")
        assert exc.value.status == 403
        assert "cancel" in exc.value.message and "L-1" in exc.value.message
        assert "dispatcher" in exc.value.next_step

    def test_those_who_run_the_room_may_close_any_log(self) -> None:
        rules.check_may_close(3, True, self.HOLDERS, "reopen", "L-1")
        rules.check_may_close(3, True, rules.LogHolders(owner_id=None), "close", "L-1")

    def test_an_unowned_log_is_closed_only_by_its_assigned_staff_or_the_room(self) -> None:
        """An automatically created log nobody has taken yet has no owner: nobody matches "no owner"."""
        with pytest.raises(Refusal):
            rules.check_may_close(3, False, rules.LogHolders(owner_id=None), "close", "L-1")

    def test_the_system_acts_for_the_force(self) -> None:
        rules.check_may_close(None, False, self.HOLDERS, "close", "L-1")


class TestWhoMayHandleAMessage:
    MESSAGE = rules.MessageFacts(addressee_id=10, routed_team_id=None, addressee_supervisor_id=20)
    ROUTED = rules.MessageFacts(addressee_id=10, routed_team_id=5, addressee_supervisor_id=20)

    @pytest.mark.safeguard("L8")
    @pytest.mark.parametrize("user_id", [10, 20])
    def test_the_addressee_and_their_supervisor_may(self, user_id: int) -> None:
        rules.check_may_handle_message(user_id, None, False, self.MESSAGE)

    @pytest.mark.safeguard("L8")
    def test_a_member_of_the_team_it_was_routed_to_may(self) -> None:
        rules.check_may_handle_message(11, 5, False, self.ROUTED)

    @pytest.mark.safeguard("L8")
    def test_the_addressees_team_does_not_take_a_message_not_routed_to_it(self) -> None:
        """While the addressee is at work, the message is theirs: a colleague does not mark it handled."""
        with pytest.raises(Refusal) as exc:
            rules.check_may_handle_message(11, 5, False, self.MESSAGE)
        assert exc.value.status == 403 and exc.value.safeguard == "L8"

    @pytest.mark.safeguard("L8")
    def test_anyone_else_is_refused_unless_they_run_the_room(self) -> None:
        with pytest.raises(Refusal):
            rules.check_may_handle_message(30, 6, False, self.ROUTED)
        rules.check_may_handle_message(30, 6, True, self.ROUTED)
        rules.check_may_handle_message(None, None, False, self.ROUTED)
