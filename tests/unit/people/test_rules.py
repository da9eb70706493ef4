"""The people-and-context safeguards as pure rules (no database).

Whether two records are the same person, place or phone is itself a safeguard decision (C1: a missed match
is a missed history), so normalisation is tested here beside the rules. Every number and code the rules
use comes from `Policy`; where an edge depends on configuration, the test varies the policy.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.people import rules
from watchkeeper.people.rules import OrderFact

POLICY = Policy()
AT = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
TODAY = date(2026, 3, 1)


def policy(**changes: Any) -> Policy:
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return Policy(values)


# ------------------------------------------------------------------------------------------- names
@pytest.mark.safeguard("C1")
def test_jon_smyth_and_john_smith_share_a_sound_key_and_score_as_alike() -> None:
    assert rules.sound_key("Jon", "Smyth") == rules.sound_key("John", "Smith")
    assert rules.name_score("Jon Smyth", "John Smith") >= 75
    assert rules.name_score("Jon Smyth", "Mary Jones") < 75


@pytest.mark.safeguard("C1")
def test_names_fold_case_apostrophes_and_punctuation() -> None:
    assert rules.fold_name("  O'Brien-SMITH ") == "obrien smith"
    assert rules.fold_name("O\u2019Brien") == rules.fold_name("OBrien") == "obrien"
    assert rules.name_score("John Smith", "Smith John") == 100


@pytest.mark.safeguard("C1")
@pytest.mark.parametrize(("typed", "expected"), [
    ("John Smith", ("John", "Smith")),
    ("Smith, John", ("John", "Smith")),
    ("  Mary   Anne  Jones ", ("Mary Anne", "Jones")),
    ("Smith", ("", "Smith")),
])
def test_a_typed_name_splits_into_given_and_family(typed: str, expected: tuple[str, str]) -> None:
    assert rules.split_name(typed) == expected


@pytest.mark.safeguard("C1")
def test_sound_key_of_a_family_name_alone_still_has_the_family_part() -> None:
    assert rules.sound_key("", "Smyth").split("|")[0] == rules.sound_key("John", "Smith").split("|")[0]
    assert rules.sound_key("", "") == "|"


# --------------------------------------------------------------------------------------- addresses
@pytest.mark.safeguard("C1")
@pytest.mark.parametrize("written", [
    "Flat 2, 10 High St",
    "10 High Street flat 2",
    "10 high street, FLAT 2",
    "Apartment 2, 10 High Street",
    "Apt 2 10 High St.",
])
def test_one_flat_written_many_ways_has_one_key(written: str) -> None:
    assert rules.address_key(written).key == rules.address_key("Flat 2, 10 High St").key
    assert rules.address_score(written, "10 High Street flat 2") == 100


@pytest.mark.safeguard("C1")
def test_flat_number_street_and_postcode_are_parts_of_the_key() -> None:
    k = rules.address_key("Flat 2b, 10 High St, ab1 2cd")
    assert (k.flat, k.number, k.street_key, k.postcode) == ("2b", "10", "high street", "AB1 2CD")
    assert rules.address_key("Flat A, 10 High St").flat == "a"
    assert rules.address_key("Flat 3, 10 High St").key != rules.address_key("Flat 2, 10 High St").key
    assert rules.address_key("12 High St").key != rules.address_key("10 High St").key


@pytest.mark.safeguard("C1")
@pytest.mark.parametrize(("typed", "expected"), [
    ("sw1a1aa", "SW1A 1AA"),
    ("SW1A 1AA", "SW1A 1AA"),
    ("14 Beech Grove, Kingsbridge kb4 1aa", "KB4 1AA"),
    ("M1 1AE", "M1 1AE"),
    ("no postcode here", ""),
])
def test_postcodes_are_normalised_to_outward_space_inward(typed: str, expected: str) -> None:
    assert rules.normalise_postcode(typed) == expected


@pytest.mark.safeguard("C1")
def test_address_score_refuses_a_different_flat_number_or_postcode() -> None:
    assert rules.address_score("Flat 2, 10 High St", "Flat 3, 10 High St") == 0
    assert rules.address_score("10 High St", "12 High St") == 0
    assert rules.address_score("10 High St, AB1 2CD", "10 High St, AB9 9ZZ") == 0
    assert rules.address_score("10 High St, AB1 2CD", "10 High Street") == 100  # one gives no postcode


@pytest.mark.safeguard("C1")
def test_address_score_finds_the_same_street_written_with_its_town_or_a_slip() -> None:
    assert rules.address_score("10 High Street", "10 High Street, Kingsbridge") >= 85
    assert rules.address_score("10 Beach Grove", "10 Beech Grove") >= 85
    assert rules.address_score("10 High Street", "10 Station Road") < 85
    assert rules.address_score("AB1 2CD", "10 High Street, AB1 2CD") == 0  # a postcode alone is not a place


# ------------------------------------------------------------------------------------------ phones
@pytest.mark.safeguard("C1")
@pytest.mark.parametrize("typed", ["07700 900123", "07700900123", "+44 7700 900123", "0044 7700 900123",
                                   "(07700) 900-123", "+447700900123"])
def test_uk_numbers_written_any_way_become_one_e164(typed: str) -> None:
    assert rules.normalise_phone(typed) == "+447700900123"
    assert rules.try_phone(typed) == "+447700900123"


@pytest.mark.safeguard("C1")
def test_landlines_and_foreign_numbers_are_e164() -> None:
    assert rules.normalise_phone("(020) 7946 0018") == "+442079460018"
    assert rules.normalise_phone("+1 202 555 0143") == "+12025550143"


@pytest.mark.safeguard("C1")
@pytest.mark.parametrize("typed", ["999", "abc", "12", "0770", "+44", "07700 900123 900123 900"])
def test_what_cannot_be_a_phone_number_is_refused_with_a_message(typed: str) -> None:
    with pytest.raises(Invalid) as exc:
        rules.normalise_phone(typed)
    assert typed in exc.value.message and exc.value.details == {"field": "phone"}
    assert rules.try_phone(typed) is None


def test_try_phone_of_nothing_is_none() -> None:
    assert rules.try_phone("") is None and rules.try_phone("   ") is None


# ---------------------------------------------------------------------------------------------- C2
@pytest.mark.safeguard("C2")
def test_a_caller_without_age_or_reason_is_refused_on_a_call() -> None:
    for channel in ("999", "101", "switchboard", "front_counter"):
        with pytest.raises(Refusal) as exc:
            rules.check_caller_age(channel, None, None, "", POLICY)
        assert exc.value.safeguard == "C2"
    with pytest.raises(Refusal):
        rules.check_caller_age("999", None, None, "   ", POLICY)


@pytest.mark.safeguard("C2")
def test_a_date_of_birth_an_age_or_a_reason_satisfies_c2() -> None:
    rules.check_caller_age("999", date(1990, 1, 1), None, "", POLICY)
    rules.check_caller_age("999", None, 0, "", POLICY)  # a newborn's age is a recorded age
    rules.check_caller_age("999", None, None, "Caller hung up", POLICY)


@pytest.mark.safeguard("C2")
def test_channels_where_no_one_can_be_asked_are_exempt_as_configured() -> None:
    for channel in DEFAULTS["age_exempt_channels"]:
        rules.check_caller_age(channel, None, None, "", POLICY)
    with pytest.raises(Refusal):
        rules.check_caller_age("alarm", None, None, "", policy(age_exempt_channels=[]))
    rules.check_caller_age("999", None, None, "", policy(age_exempt_channels=["999"]))


@pytest.mark.safeguard("C2")
def test_age_on_counts_birthdays() -> None:
    assert rules.age_on(date(2008, 3, 1), None, TODAY) == 18
    assert rules.age_on(date(2008, 3, 2), None, TODAY) == 17
    assert rules.age_on(None, 40, TODAY) == 40
    assert rules.age_on(None, None, TODAY) is None
    assert rules.age_on(date(2008, 3, 2), 30, TODAY) == 17  # a date of birth beats a stated age


@pytest.mark.safeguard("C2")
def test_under_the_configured_age_is_a_child() -> None:
    assert rules.is_child(date(2008, 3, 2), None, TODAY, POLICY)  # 18 tomorrow
    assert not rules.is_child(date(2008, 3, 1), None, TODAY, POLICY)  # 18 today
    assert rules.is_child(None, 17, TODAY, POLICY)
    assert not rules.is_child(None, 18, TODAY, POLICY)
    assert not rules.is_child(None, None, TODAY, POLICY)  # unknown age: the C2 age prompt, not a child prompt
    assert not rules.is_child(None, 17, TODAY, policy(child_age_under=16))


# ---------------------------------------------------------------------------------------------- C5
@pytest.mark.safeguard("C5")
def test_required_checks_come_from_policy_for_flags_and_categories() -> None:
    assert rules.required_checks(["domestic_abuse"], "domestic_incident", POLICY) == [
        "national_systems", "local_intelligence", "previous_incidents_address", "previous_incidents_phone", "orders"]
    assert rules.required_checks([], "abandoned_call", POLICY) == ["location", "caller"]
    assert rules.required_checks([], "theft", POLICY) == []


@pytest.mark.safeguard("C5")
def test_required_checks_are_a_union_in_first_seen_order_without_repeats() -> None:
    got = rules.required_checks(["breach", "child"], "stalking_harassment", POLICY)
    assert got == ["orders", "national_systems", "local_intelligence", "previous_incidents_phone"]
    assert len(got) == len(set(got))


@pytest.mark.safeguard("C5")
def test_a_force_configures_its_own_required_checks() -> None:
    mine = policy(required_checks={"child": ["offender_registers"]})
    assert rules.required_checks(["child", "domestic_abuse"], "other", mine) == ["offender_registers"]


# ---------------------------------------------------------------------------------------------- C7
@pytest.mark.safeguard("C7")
def test_a_differing_address_is_a_discrepancy_but_a_different_spelling_is_not() -> None:
    assert rules.address_discrepancy("14 Beech Grove, KB4 1AA", "2 Mill Lane, KB5 3CC")
    assert not rules.address_discrepancy("Flat 2, 10 High St", "10 High Street flat 2")
    assert rules.address_discrepancy("Flat 2, 10 High St", "Flat 3, 10 High St")
    assert not rules.address_discrepancy(None, "2 Mill Lane")
    assert not rules.address_discrepancy("2 Mill Lane", "")


# ---------------------------------------------------------------------------------------------- C8
@pytest.mark.safeguard("C8")
def test_enough_incidents_inside_the_window_raise_a_pattern() -> None:
    times = [AT - timedelta(days=d) for d in (1, 30, 89)]
    found = rules.pattern_prompt(times, AT, POLICY)
    assert found == {"count": 3, "days": 90, "first": (AT - timedelta(days=89)).isoformat()}


@pytest.mark.safeguard("C8")
def test_incidents_outside_the_window_or_too_few_raise_nothing() -> None:
    assert rules.pattern_prompt([AT - timedelta(days=1), AT - timedelta(days=2)], AT, POLICY) is None
    assert rules.pattern_prompt([AT - timedelta(days=d) for d in (1, 2, 91)], AT, POLICY) is None
    assert rules.pattern_prompt([], AT, POLICY) is None


@pytest.mark.safeguard("C8")
def test_the_window_edge_counts_and_the_window_is_configurable() -> None:
    edge = [AT - timedelta(days=90), AT - timedelta(days=1), AT]
    assert rules.pattern_prompt(edge, AT, POLICY) is not None
    tight = policy(pattern_window={"days": 7, "at_least": 2})
    assert rules.pattern_prompt([AT - timedelta(days=8), AT - timedelta(days=1)], AT, tight) is None
    assert rules.pattern_prompt([AT - timedelta(days=6), AT - timedelta(days=1)], AT, tight) == {
        "count": 2, "days": 7, "first": (AT - timedelta(days=6)).isoformat()}


# ---------------------------------------------------------------------------------------------- M2
@pytest.mark.safeguard("M2")
def test_a_scheme_lasts_the_maximum_unless_asked_for_less() -> None:
    assert rules.scheme_end(AT, None, POLICY) == AT + timedelta(days=183)
    assert rules.scheme_end(AT, AT + timedelta(days=30), POLICY) == AT + timedelta(days=30)
    assert rules.scheme_end(AT, AT + timedelta(days=183), POLICY) == AT + timedelta(days=183)


@pytest.mark.safeguard("M2")
def test_a_scheme_longer_than_the_maximum_is_refused() -> None:
    with pytest.raises(Refusal) as exc:
        rules.scheme_end(AT, AT + timedelta(days=183, seconds=1), POLICY)
    assert exc.value.safeguard == "M2" and "183" in exc.value.message
    with pytest.raises(Refusal):
        rules.scheme_end(AT, AT + timedelta(days=31), policy(scheme_max_days=30))


def test_a_scheme_must_end_after_it_starts() -> None:
    for end in (AT, AT - timedelta(days=1)):
        with pytest.raises(Invalid):
            rules.scheme_end(AT, end, POLICY)


@pytest.mark.safeguard("M2")
def test_the_review_falls_due_the_configured_days_before_the_end() -> None:
    assert rules.scheme_review_at(AT, POLICY) == AT - timedelta(days=14)
    assert rules.scheme_review_at(AT, policy(scheme_review_days_before=28)) == AT - timedelta(days=28)


@pytest.mark.safeguard("M2")
def test_removal_needs_a_recorded_contact_attempt() -> None:
    with pytest.raises(Refusal) as exc:
        rules.check_scheme_removal(0)
    assert exc.value.safeguard == "M2"
    rules.check_scheme_removal(1)


@pytest.mark.safeguard("M2", "D5")
def test_a_scheme_is_active_from_its_start_until_its_end_unless_removed() -> None:
    start, end = AT, AT + timedelta(days=10)
    assert rules.scheme_active(start, end, None, start)
    assert rules.scheme_active(start, end, None, end - timedelta(seconds=1))
    assert not rules.scheme_active(start, end, None, end)
    assert not rules.scheme_active(start, end, None, start - timedelta(seconds=1))
    assert not rules.scheme_active(start, end, start + timedelta(days=1), start + timedelta(days=2))


# ---------------------------------------------------------------------------------------------- D5
@pytest.mark.safeguard("D5")
def test_the_floor_is_the_most_urgent_of_the_active_schemes() -> None:
    assert rules.grade_floor(["scheduled", "emergency", "priority"], POLICY) == "emergency"
    assert rules.grade_floor(["scheduled", "priority"], POLICY) == "priority"
    assert rules.grade_floor([], POLICY) is None
    assert rules.grade_floor(["not_a_grade"], POLICY) is None
    assert rules.grade_floor(["not_a_grade", "scheduled"], POLICY) == "scheduled"


# ---------------------------------------------------------------------------------------------- M3
def order(**kw: Any) -> OrderFact:
    base: dict[str, Any] = {"order_id": 1, "kind": "non_molestation", "restricted_id": 10,
                            "protected_person_ids": frozenset({20}), "protected_address_ids": frozenset({30}),
                            "starts_on": TODAY - timedelta(days=10), "ends_on": TODAY + timedelta(days=10)}
    return OrderFact(**{**base, **kw})


@pytest.mark.safeguard("M3")
def test_restricted_person_with_a_protected_person_or_place_is_a_possible_breach() -> None:
    o = order()
    assert rules.possible_breaches([o], {10, 20}, set(), TODAY) == [o]
    assert rules.possible_breaches([o], {10}, {30}, TODAY) == [o]
    assert rules.possible_breaches([o], {10, 20}, {30}, TODAY) == [o]


@pytest.mark.safeguard("M3")
def test_either_side_alone_is_no_breach() -> None:
    o = order()
    assert rules.possible_breaches([o], {10}, set(), TODAY) == []
    assert rules.possible_breaches([o], {20}, {30}, TODAY) == []
    assert rules.possible_breaches([o], {10, 99}, {98}, TODAY) == []


@pytest.mark.safeguard("M3")
def test_only_orders_in_force_today_count() -> None:
    assert rules.possible_breaches([order(ends_on=TODAY - timedelta(days=1))], {10, 20}, set(), TODAY) == []
    assert rules.possible_breaches([order(starts_on=TODAY + timedelta(days=1))], {10, 20}, set(), TODAY) == []
    assert rules.possible_breaches([order(ends_on=TODAY)], {10, 20}, set(), TODAY) != []
    assert rules.possible_breaches([order(ends_on=None)], {10, 20}, set(), TODAY) != []
    assert rules.possible_breaches([order(starts_on=TODAY)], {10, 20}, set(), TODAY) != []


# ---------------------------------------------------------------------------------------------- M4
@pytest.mark.safeguard("M4")
def test_domestic_abuse_or_mental_health_with_a_holder_needs_a_referral() -> None:
    assert rules.firearms_referral_needed(["domestic_abuse"], "other", True, POLICY)
    assert rules.firearms_referral_needed([], "mental_health_concern", True, POLICY)
    # The policy names the mental-health cue family by the start of its name.
    assert rules.firearms_referral_needed(["cue:mental_health_learning_disability"], "other", True, POLICY)


@pytest.mark.safeguard("M4")
def test_no_holder_or_no_trigger_needs_no_referral() -> None:
    assert not rules.firearms_referral_needed(["domestic_abuse"], "domestic_incident", False, POLICY)
    assert not rules.firearms_referral_needed(["missing"], "theft", True, POLICY)
    assert not rules.firearms_referral_needed(["cue:mental"], "other", True, POLICY)  # not a whole name part
    assert not rules.firearms_referral_needed(["cue:weapons_firearms"], "other", True, POLICY)


@pytest.mark.safeguard("M4")
def test_firearms_triggers_are_configurable() -> None:
    mine = policy(firearms_referral_triggers=["cue:weapons_firearms", "category:assault"])
    assert rules.firearms_referral_needed(["cue:weapons_firearms"], "other", True, mine)
    assert rules.firearms_referral_needed([], "assault", True, mine)
    assert not rules.firearms_referral_needed(["domestic_abuse"], "other", True, mine)
