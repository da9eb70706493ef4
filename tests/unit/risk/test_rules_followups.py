"""The rules added for closing (R1), the contact plan and out-of-area suspects (R7, P11), weather and the
review cadence as policy (P9), and follow-ups that stay open until done (P9, P11)."""

from __future__ import annotations

import pytest

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy_schemas import shape_problem
from watchkeeper.risk import rules

DA_CLOSE = [{"flag": "domestic_abuse", "instrument": "domestic-abuse"}]


@pytest.mark.safeguard("R1")
def test_a_flag_calls_for_its_instrument_before_closing_only_once_loaded_and_until_dealt_with() -> None:
    need = rules.CloseNeed("domestic_abuse", "domestic-abuse")
    assert rules.close_needs({"domestic_abuse"}, DA_CLOSE, {"domestic-abuse"}, set()) == [need]
    assert rules.close_needs({"domestic_abuse"}, DA_CLOSE, set(), set()) == []  # the force has not loaded it
    assert rules.close_needs({"domestic_abuse"}, DA_CLOSE, {"domestic-abuse"}, {"domestic-abuse"}) == []
    assert rules.close_needs({"missing"}, DA_CLOSE, {"domestic-abuse"}, set()) == []
    two = [*DA_CLOSE, {"flag": "child", "instrument": "domestic-abuse"}]
    assert rules.close_needs({"domestic_abuse", "child"}, two, {"domestic-abuse"}, set()) == [
        need, rules.CloseNeed("child", "domestic-abuse")]


@pytest.mark.safeguard("R7")
def test_a_police_action_waits_for_the_contact_plan_too() -> None:
    assessed_no_plan = rules.SuicideRiskNeed("suspect-suicide", "S", ("x",), True, False)
    with pytest.raises(Refusal) as caught:
        rules.check_police_action("search", [assessed_no_plan])
    assert caught.value.safeguard == "R7" and "contact plan" in caught.value.message
    rules.check_police_action("plan", [assessed_no_plan])  # recording the plan itself is not police action
    rules.check_police_action("arrest", [rules.SuicideRiskNeed("suspect-suicide", "S", ("x",), True, True)])


@pytest.mark.safeguard("R7")
@pytest.mark.safeguard("P11")
@pytest.mark.parametrize(("postcode", "areas", "outside"), [
    ("KB1 1AA", ["KB"], False), ("kb6 2bb", ["KB"], False), ("NX1 4AB", ["KB"], True), ("B1 1AA", ["KB"], True),
    ("", ["KB"], False), ("NX1 4AB", [], False), ("not a postcode", ["KB"], False), ("K1 1AA", ["KB"], True),
])
def test_out_of_area_is_the_postcode_area_the_force_does_not_cover(postcode: str, areas: list[str],
                                                                   outside: bool) -> None:
    assert rules.out_of_area(postcode, areas) is outside


@pytest.mark.safeguard("P9")
def test_weather_prompts_by_level_and_vulnerability() -> None:
    none = frozenset[str]()
    assert rules.weather_triggers(level="low", weather="none", age=30, flags=none) == []
    assert rules.weather_triggers(level="medium", weather="cold", age=30, flags=none) == [
        "Weather: cold recorded or forecast: consider raising the level"]
    assert "vulnerable" in rules.weather_triggers(level="low", weather="storm", age=80, flags=none)[0]
    assert rules.weather_triggers(level="high", weather="heat", age=30, flags=none) == []
    assert "search plan" in rules.weather_triggers(level="high", weather="cold", age=None,
                                                   flags=frozenset({"vulnerable_adult"}))[0]
    both = rules.escalation_triggers(level="medium", age=14, hours_missing=2, flags=none, weather="cold")
    assert len(both) == 2 and both[0].startswith("Weather: cold")
    rules.check_weather("none", "")
    with pytest.raises(Invalid):
        rules.check_weather("fog", "thick")
    with pytest.raises(Invalid):
        rules.check_weather("cold", " ")  # say what was recorded


@pytest.mark.safeguard("P9")
def test_the_review_cadence_is_policy_naming_each_level_once() -> None:
    good = [{"level": "high", "minutes": 30, "reviewer_roles": ["duty_inspector"]},
            {"level": "medium", "minutes": 120, "reviewer_roles": ["supervisor"]},
            {"level": "low", "minutes": 600, "reviewer_roles": ["supervisor"]}]
    assert shape_problem("missing_review_cadence", good) is None
    rules.check_cadence(rules.cadence(good))
    with pytest.raises(Invalid):
        rules.check_cadence(rules.cadence([*good[:2], {**good[1]}]))  # medium twice, low missing
    for bad in ([{**good[0], "minutes": 0}, *good[1:]], [{**good[0], "reviewer_roles": ["chief"]}, *good[1:]],
                [{**good[0], "level": "urgent"}, *good[1:]], good[:2]):
        assert shape_problem("missing_review_cadence", bad), bad


@pytest.mark.safeguard("P9")
@pytest.mark.safeguard("P11")
def test_a_follow_up_is_done_once_with_its_outcome_and_a_referral_with_who_acknowledged_it() -> None:
    rules.check_followup_done("agency_callback", "open", "Told the ward he is still missing", "")
    rules.check_followup_done("force_referral", "open", "Acknowledged", "PS Khan, Nexshire control room")
    with pytest.raises(Refusal) as caught:
        rules.check_followup_done("force_referral", "open", "Emailed them", "")
    assert caught.value.safeguard == "P11"
    with pytest.raises(Invalid):
        rules.check_followup_done("agency_callback", "open", " ", "")
    with pytest.raises(Refusal) as done:
        rules.check_followup_done("agency_callback", "done", "Again", "")
    assert done.value.status == 409
