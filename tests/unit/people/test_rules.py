"""The people-and-context safeguards as pure rules (no database).

Whether two records are the same person, place or phone is itself a safeguard decision (C1: a missed match
is a missed history), so normalisation is tested here beside the rules. Every number and code the rules
use comes from `Policy`; where an edge depends on configuration, the test varies the policy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.support.policy import policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.people import rules
from watchkeeper.people.rules import OrderFact

POLICY = Policy()
AT = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
TODAY = date(2026, 3, 1)


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
    assert rules.scheme_state(start, end, None, start) == "active"
    assert rules.scheme_state(start, end, None, end - timedelta(seconds=1)) == "active"
    assert rules.scheme_state(start, end, None, end) != "active"
    assert rules.scheme_state(start, end, None, start - timedelta(seconds=1)) != "active"
    assert rules.scheme_state(start, end, start + timedelta(days=1), start + timedelta(days=2)) != "active"


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


# ------------------------------------------------------------------------- D5 by role (issue 10)
VICTIM, HOME, MOBILE = 7, 70, 700
SCHEME = rules.SchemeFact(scheme_id=1, victim_id=VICTIM, address_id=HOME, phone_id=MOBILE, floor="priority")


@pytest.mark.safeguard("D5")
@pytest.mark.parametrize("role", ["caller", "victim", "location"])
@pytest.mark.parametrize("what", [{"person_id": VICTIM}, {"address_id": HOME}, {"phone_id": MOBILE}])
def test_the_floor_applies_when_the_protected_person_place_or_phone_is_a_caller_victim_or_location(
        role: str, what: dict[str, int]) -> None:
    parties = [rules.PartyFact(role, **what)]
    assert rules.schemes_protecting(parties, [SCHEME], POLICY) == [1]
    assert rules.protected_floor(parties, [SCHEME], POLICY) == "priority"


@pytest.mark.safeguard("D5")
@pytest.mark.parametrize("role", ["suspect", "witness", "mentioned", "subject"])
def test_the_same_person_place_or_phone_in_another_role_sets_no_floor(role: str) -> None:
    parties = [rules.PartyFact(role, VICTIM), rules.PartyFact(role, address_id=HOME),
               rules.PartyFact(role, phone_id=MOBILE)]
    assert rules.protected_floor(parties, [SCHEME], POLICY) is None


@pytest.mark.safeguard("D5")
def test_a_caller_who_is_someone_else_sets_no_floor_and_the_most_urgent_of_several_applies() -> None:
    other = rules.SchemeFact(2, victim_id=8, address_id=None, phone_id=800, floor="emergency")
    assert rules.protected_floor([rules.PartyFact("caller", 99, 98, 97)], [SCHEME, other], POLICY) is None
    both = [rules.PartyFact("caller", phone_id=800), rules.PartyFact("location", address_id=HOME),
            rules.PartyFact("suspect", phone_id=MOBILE)]
    assert rules.schemes_protecting(both, [SCHEME, other], POLICY) == [1, 2]
    assert rules.protected_floor(both, [SCHEME, other], POLICY) == "emergency"
    # A scheme on a phone only is not matched by a party with no address (None is not an id).
    phone_only = rules.SchemeFact(3, victim_id=9, address_id=None, phone_id=900, floor="priority")
    assert rules.protected_floor([rules.PartyFact("location")], [phone_only], POLICY) is None


@pytest.mark.safeguard("D5")
def test_the_roles_that_carry_the_floor_are_policy() -> None:
    witness = [rules.PartyFact("witness", phone_id=MOBILE)]
    assert rules.protected_floor(witness, [SCHEME], POLICY) is None
    assert rules.protected_floor(witness, [SCHEME], policy(scheme_floor_roles=["witness"])) == "priority"
    assert rules.protected_floor([rules.PartyFact("caller", phone_id=MOBILE)], [SCHEME],
                                 policy(scheme_floor_roles=["victim"])) is None


# ------------------------------------------------------------------ M2 in force, overdue, extension
@pytest.mark.safeguard("M2", "D5")
def test_a_scheme_past_its_end_without_a_decision_is_review_overdue_and_still_in_force() -> None:
    start, end = AT, AT + timedelta(days=10)
    assert rules.scheme_state(start, end, None, start - timedelta(seconds=1)) == "future"
    assert rules.scheme_state(start, end, None, start) == "active"
    assert rules.scheme_state(start, end, None, end) == "review_overdue"
    assert rules.scheme_state(start, end, None, end + timedelta(days=400)) == "review_overdue"
    assert rules.scheme_state(start, end, end, end + timedelta(days=1)) == "removed"
    assert rules.scheme_in_force(start, None, end + timedelta(days=30))
    assert not rules.scheme_in_force(start, None, start - timedelta(seconds=1))
    assert not rules.scheme_in_force(start, start + timedelta(days=1), start + timedelta(days=2))


@pytest.mark.safeguard("M2")
def test_an_extension_ends_after_now_and_the_current_end_and_within_the_maximum_from_now() -> None:
    now, end = AT, AT + timedelta(days=5)
    assert rules.scheme_extension(now, end, now + timedelta(days=183), POLICY) == now + timedelta(days=183)
    with pytest.raises(Refusal) as exc:
        rules.scheme_extension(now, end, now + timedelta(days=183, seconds=1), POLICY)
    assert exc.value.safeguard == "M2"
    for until in (end, end - timedelta(days=1), now):
        with pytest.raises(Invalid):
            rules.scheme_extension(now, end, until, POLICY)
    overdue_end = AT - timedelta(days=3)  # past its end: any time after now will do
    assert rules.scheme_extension(now, overdue_end, now + timedelta(hours=1), POLICY) == now + timedelta(hours=1)
    with pytest.raises(Refusal):
        rules.scheme_extension(now, end, now + timedelta(days=31), policy(scheme_max_days=30))


@pytest.mark.safeguard("M2")
def test_overdue_escalations_go_to_the_officer_first_then_the_supervisor_too_each_interval() -> None:
    assert rules.overdue_escalation(0, AT, AT, POLICY) == (False, AT + timedelta(hours=24))
    assert rules.overdue_escalation(1, AT, AT + timedelta(minutes=1), POLICY) == (True, AT + timedelta(hours=24))
    assert rules.overdue_escalation(5, AT, AT, policy(scheme_overdue_escalation_hours=6))[1] == AT + timedelta(hours=6)
    # Sweeps missed for days: the next is one interval from now, not a burst of the missed ones.
    late = AT + timedelta(days=3)
    assert rules.overdue_escalation(2, AT, late, POLICY) == (True, late + timedelta(hours=24))


# ------------------------------------------------------------------------ M3 classes (issue 10)
ON = date(2026, 3, 1)
DEAN = 10


def kid(pid: int, dob: date | None, name: str = "Kid", rel: frozenset[tuple[int, str]] = frozenset()) -> Any:
    return rules.PersonFact(pid, name, dob, rel)


def class_order_fact(*classes: dict[str, Any], **kw: Any) -> OrderFact:
    base: dict[str, Any] = {"order_id": 5, "kind": "sexual_harm_prevention", "restricted_id": DEAN,
                            "protected_person_ids": frozenset(), "protected_address_ids": frozenset(),
                            "starts_on": ON - timedelta(days=10), "ends_on": None, "protected_classes": classes}
    return OrderFact(**{**base, **kw})


@pytest.mark.safeguard("M3")
@pytest.mark.parametrize(("dob", "expected"), [
    (date(2010, 3, 1), False),   # 16 today
    (date(2010, 3, 2), True),    # 15 and 364 days
    (date(2010, 2, 28), False),  # 16 and a day
    (date(2025, 3, 1), True),    # a baby
    (None, None),                # no date of birth: not known either way
])
def test_anyone_under_16_is_an_age_class_taken_from_the_date_of_birth(dob: date | None, expected: bool | None) -> None:
    assert rules.in_class({"max_age": 15}, kid(20, dob), DEAN, ON) is expected


@pytest.mark.safeguard("M3")
def test_a_leap_day_birthday_turns_a_year_older_on_the_first_of_march() -> None:
    leapling = kid(20, date(2012, 2, 29))
    assert rules.in_class({"max_age": 13}, leapling, DEAN, date(2026, 2, 28)) is True
    assert rules.in_class({"max_age": 13}, leapling, DEAN, date(2026, 3, 1)) is False


@pytest.mark.safeguard("M3")
def test_a_relationship_class_is_about_the_restricted_person_and_combines_with_an_age() -> None:
    partner = kid(21, date(1990, 1, 1), rel=frozenset({(DEAN, "partner")}))
    someone_elses = kid(22, date(1990, 1, 1), rel=frozenset({(99, "partner")}))
    young_family = kid(23, date(2015, 1, 1), rel=frozenset({(DEAN, "family")}))
    assert rules.in_class({"relationship": "partner"}, partner, DEAN, ON) is True
    assert rules.in_class({"relationship": "partner"}, someone_elses, DEAN, ON) is False
    assert rules.in_class({"relationship": "ex_partner"}, partner, DEAN, ON) is False
    assert rules.in_class({"relationship": "family", "max_age": 17}, young_family, DEAN, ON) is True
    assert rules.in_class({"relationship": "family", "max_age": 9}, young_family, DEAN, ON) is False
    # Not related, so out of the class whatever the (unknown) age.
    assert rules.in_class({"relationship": "family", "max_age": 17}, kid(24, None), DEAN, ON) is False


@pytest.mark.safeguard("M3")
def test_a_class_breach_needs_the_restricted_person_present_and_an_order_in_force() -> None:
    o = class_order_fact({"max_age": 15})
    child = kid(20, date(2015, 6, 1), "Gus Lane")
    [b] = rules.order_breaches([o], {DEAN}, [child], set(), ON)
    assert (b.order, b.person_id, b.certain) == (o, 20, True) and b.why == "Gus Lane (anyone under 16)"
    assert rules.order_breaches([o], set(), [child], set(), ON) == []
    assert rules.order_breaches([class_order_fact({"max_age": 15}, ends_on=ON - timedelta(days=1))],
                                {DEAN}, [child], set(), ON) == []
    assert rules.order_breaches([class_order_fact({"max_age": 15}, starts_on=ON + timedelta(days=1))],
                                {DEAN}, [child], set(), ON) == []
    # The restricted person is never in his own class.
    assert rules.order_breaches([o], {DEAN}, [kid(DEAN, date(2015, 1, 1))], set(), ON) == []


@pytest.mark.safeguard("M3")
def test_an_unknown_age_is_an_uncertain_breach_unless_someone_else_is_certainly_in_the_class() -> None:
    o = class_order_fact({"max_age": 15})
    [b] = rules.order_breaches([o], {DEAN}, [kid(21, None, "Hal Reed")], set(), ON)
    assert not b.certain and b.person_id == 21
    [b] = rules.order_breaches([o], {DEAN}, [kid(21, None), kid(22, date(2014, 1, 1))], set(), ON)
    assert b.certain and b.person_id == 22
    assert rules.order_breaches([o], {DEAN}, [kid(22, date(1990, 1, 1))], set(), ON) == []
    assert rules.possible_breaches([o], {DEAN, 21}, set(), ON) == []  # the plain form reports certain ones only


@pytest.mark.safeguard("M3")
def test_ages_are_taken_on_the_logs_date_and_named_people_still_count() -> None:
    o = class_order_fact({"max_age": 15})
    turns_16 = kid(20, date(2010, 3, 2))
    assert rules.order_breaches([o], {DEAN}, [turns_16], set(), date(2026, 3, 5), ages_on=ON) != []
    assert rules.order_breaches([o], {DEAN}, [turns_16], set(), date(2026, 3, 5)) == []
    named = class_order_fact({"max_age": 15}, protected_person_ids=frozenset({30}))
    [b] = rules.order_breaches([named], {DEAN}, [kid(30, date(1980, 1, 1))], set(), ON)
    assert b.why == "a protected person" and b.certain


@pytest.mark.safeguard("M3")
@pytest.mark.parametrize(("given", "says"), [
    ({"sex": "F"}, "'F'"), ({"relationship": "partner", "sex": "woman"}, "'woman'"), ({"sex": None}, "None"),
    ({"max_age": 15, "colour": "red"}, "'colour'"), ({}, "at least one"),
    ("anyone under 16", "object"), ({"max_age": -1}, "max_age"), ({"max_age": 121}, "max_age"),
    ({"max_age": 15.5}, "max_age"), ({"max_age": True}, "max_age"), ({"relationship": "parent"}, "'parent'"),
    ({"relationship": "neighbour"}, "'neighbour'"),
])
def test_a_protected_class_with_an_unknown_key_or_bad_value_is_refused_naming_it(given: Any, says: str) -> None:
    with pytest.raises(Invalid) as exc:
        rules.protected_class(given)
    assert says in exc.value.message


@pytest.mark.safeguard("M3")
def test_classes_read_as_the_order_says_them() -> None:
    assert rules.protected_class({"max_age": 15}) == {"max_age": 15}
    assert rules.describe_class({"max_age": 15}) == "anyone under 16"
    assert rules.describe_class({"max_age": 17}) == "anyone under 18"
    assert rules.describe_class({"relationship": "partner"}) == "any partner"
    assert rules.describe_class({"relationship": "ex_partner", "max_age": 17}) == "any ex-partner under 18"


@pytest.mark.safeguard("M3")
def test_a_caller_not_in_the_index_is_in_an_age_class_by_the_age_they_gave() -> None:
    caller = rules.PersonFact(-1, "the caller", None, age=14)
    assert rules.in_class({"max_age": 15}, caller, DEAN, ON) is True
    assert rules.in_class({"max_age": 13}, caller, DEAN, ON) is False
    assert rules.in_class({"relationship": "partner"}, caller, DEAN, ON) is False
    [b] = rules.order_breaches([class_order_fact({"max_age": 15})], {DEAN}, [caller], set(), ON)
    assert b.certain and b.person_id == -1


# ------------------------------------------------------------------------ M3 classes by sex (issue 10)
def someone(pid: int, sex: str, dob: date | None = date(1990, 1, 1), name: str = "Someone",
            rel: frozenset[tuple[int, str]] = frozenset()) -> Any:
    return rules.PersonFact(pid, name, dob, rel, sex=sex)


PARTNER = frozenset({(DEAN, "partner")})
FEMALE_PARTNER = {"relationship": "partner", "sex": "female"}


@pytest.mark.safeguard("M3")
def test_any_female_partner_is_his_female_partners_only() -> None:
    """M3 (issue 10): "any female partner" is {"relationship": "partner", "sex": "female"}."""
    assert rules.protected_class(FEMALE_PARTNER) == FEMALE_PARTNER
    assert rules.in_class(FEMALE_PARTNER, someone(21, "female", rel=PARTNER), DEAN, ON) is True
    assert rules.in_class(FEMALE_PARTNER, someone(22, "male", rel=PARTNER), DEAN, ON) is False
    assert rules.in_class(FEMALE_PARTNER, someone(23, "female"), DEAN, ON) is False  # not his partner
    assert rules.in_class(FEMALE_PARTNER, someone(24, "female", rel=frozenset({(DEAN, "ex_partner")})),
                          DEAN, ON) is False
    assert rules.in_class({"sex": "male"}, someone(22, "male"), DEAN, ON) is True
    assert rules.in_class({"sex": "male"}, someone(21, "female"), DEAN, ON) is False


@pytest.mark.safeguard("M3")
def test_a_sex_class_combines_with_an_age() -> None:
    girls = {"max_age": 15, "sex": "female"}  # any girl under 16
    assert rules.describe_class(girls) == "any female under 16"
    assert rules.in_class(girls, someone(21, "female", date(2015, 1, 1)), DEAN, ON) is True
    assert rules.in_class(girls, someone(22, "male", date(2015, 1, 1)), DEAN, ON) is False
    assert rules.in_class(girls, someone(23, "female", date(2000, 1, 1)), DEAN, ON) is False
    # What is held decides when it rules them out; otherwise what is missing leaves it open.
    assert rules.in_class(girls, someone(24, "male", None), DEAN, ON) is False
    assert rules.in_class(girls, someone(25, "", date(2000, 1, 1)), DEAN, ON) is False
    assert rules.in_class(girls, someone(26, "", date(2015, 1, 1)), DEAN, ON) is None
    assert rules.in_class(girls, someone(27, "female", None), DEAN, ON) is None
    assert rules.class_unknowns(girls, someone(28, "", None), ON) == ("age", "sex")
    assert rules.describe_class(FEMALE_PARTNER) == "any female partner"
    assert rules.describe_class({"sex": "male"}) == "any male"
    older = {"relationship": "partner", "sex": "male", "max_age": 17}
    assert rules.describe_class(older) == "any male partner under 18"


@pytest.mark.safeguard("M3")
def test_a_partner_whose_sex_is_not_recorded_is_an_uncertain_breach_to_establish() -> None:
    o = class_order_fact(FEMALE_PARTNER)
    [b] = rules.order_breaches([o], {DEAN}, [someone(21, "", name="Ivy Cole", rel=PARTNER)], set(), ON)
    assert (b.certain, b.person_id, b.unknown) == (False, 21, ("sex",))
    assert b.why == "Ivy Cole (any female partner; sex not recorded)"
    assert rules.possible_breaches([o], {DEAN, 21}, set(), ON) == []
    # A female partner on the log is a breach whatever else is unknown; a male partner is none.
    [b] = rules.order_breaches([o], {DEAN}, [someone(21, "", rel=PARTNER), someone(22, "female", rel=PARTNER)],
                               set(), ON)
    assert b.certain and b.person_id == 22 and b.why == "Someone (any female partner)"
    assert rules.order_breaches([o], {DEAN}, [someone(23, "male", rel=PARTNER)], set(), ON) == []
    # Not his partner: out of the class, so nothing to establish.
    assert rules.order_breaches([o], {DEAN}, [someone(24, "")], set(), ON) == []
