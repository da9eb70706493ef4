"""The dispatch and response safeguards as pure rules (no database): clock maths (D1), the escalation chain,
unit status from assignments (D4), transitions, divert rules (D2) and the dispatcher board's order.

Numbers come from `Policy`; tests build policies from the defaults and from variations of them, and
property tests check the clock maths against an independent reading of the policy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.policy import policy
from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.dispatch import rules
from watchkeeper.dispatch.rules import PendingFact

PROPERTY = settings(deadline=None, database=None)
POLICY = Policy()
T0 = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# ------------------------------------------------------------------------------------------ targets
@pytest.mark.safeguard("D1")
@pytest.mark.parametrize(("grade", "area", "expected"), [
    ("emergency", "urban", 15), ("emergency", "rural", 20), ("priority", "urban", 60), ("priority", "rural", 60),
    ("scheduled", "urban", None), ("resolution", "rural", None), (None, "urban", None),
])
def test_target_minutes_by_grade_and_area_type(grade, area, expected):
    assert rules.target_minutes(grade, area, POLICY) == expected


@pytest.mark.safeguard("D1")
def test_targets_are_policy_not_constants():
    p = policy(response_targets={"emergency": {"urban": 10, "rural": 25}, "scheduled": {"urban": 240}})
    assert rules.target_minutes("emergency", "urban", p) == 10
    assert rules.target_minutes("emergency", "rural", p) == 25
    # An area type the force did not configure falls back to the urban target.
    assert rules.target_minutes("scheduled", "rural", p) == 240
    assert rules.target_minutes("priority", "urban", p) is None


@pytest.mark.safeguard("D1")
def test_the_clock_runs_from_the_first_contact():
    assert rules.target_at(T0, 15) == T0 + minutes(15)
    assert rules.target_at(T0, None) is None


# ---------------------------------------------------------------------------------------- fractions
@pytest.mark.safeguard("D1")
def test_default_alerts_at_half_four_fifths_and_breach():
    schedule = rules.alert_schedule(T0, T0 + minutes(60), POLICY)
    assert [(a.stage, a.fraction, a.at, a.breach) for a in schedule] == [
        (1, 0.5, T0 + minutes(30), False),
        (2, 0.8, T0 + minutes(48), False),
        (3, 1.0, T0 + minutes(60), True),
    ]


@pytest.mark.safeguard("D1")
def test_emergency_rural_schedule():
    target = rules.target_at(T0, rules.target_minutes("emergency", "rural", POLICY))
    assert [a.at for a in rules.alert_schedule(T0, target, POLICY)] == [
        T0 + minutes(10), T0 + minutes(16), T0 + minutes(20)]


@pytest.mark.safeguard("D1")
@pytest.mark.parametrize(("fractions", "expected"), [
    ([0.25, 0.75], [0.25, 0.75, 1.0]),           # the breach is always raised, configured or not
    ([0.9, 0.5, 1.0], [0.5, 0.9, 1.0]),          # in order
    ([0.5, 0.5, 1.0, 1.0], [0.5, 1.0]),          # once each
    ([], [1.0]),
    ([0.5, 1.5, 0, -1, True, "x"], [0.5, 1.0]),  # nothing past or at zero, nothing that is not a number
])
def test_custom_fractions(fractions, expected):
    p = policy(clock_alert_fractions=fractions)
    schedule = rules.alert_schedule(T0, T0 + minutes(100), p)
    assert [a.fraction for a in schedule] == expected
    assert [a.breach for a in schedule] == [f == 1.0 for f in expected]
    assert [a.stage for a in schedule] == list(range(1, len(expected) + 1))


def test_no_target_no_alerts():
    assert rules.alert_schedule(T0, None, POLICY) == []
    assert rules.next_alert(T0, None, 0, POLICY) is None
    assert rules.latest_due_alert(T0, None, 0, T0 + minutes(500), POLICY) is None


@pytest.mark.safeguard("D1")
def test_the_breach_is_the_target():
    target = T0 + minutes(15)
    breach = rules.alert_schedule(T0, target, POLICY)[-1]
    assert breach.breach and breach.at == target
    assert rules.latest_due_alert(T0, target, 2, target - timedelta(seconds=1), POLICY) is None
    assert rules.latest_due_alert(T0, target, 2, target, POLICY) == breach


@pytest.mark.safeguard("D1")
def test_next_alert_follows_the_stage_given():
    target = T0 + minutes(60)
    assert rules.next_alert(T0, target, 0, POLICY).at == T0 + minutes(30)
    assert rules.next_alert(T0, target, 1, POLICY).at == T0 + minutes(48)
    assert rules.next_alert(T0, target, 2, POLICY).breach
    assert rules.next_alert(T0, target, 3, POLICY, breached=True) is None


@pytest.mark.safeguard("D1")
def test_after_downtime_the_latest_due_alert_fires_once():
    target = T0 + minutes(15)
    # Down from before 50% until after the breach: only the breach is raised, once.
    late = rules.latest_due_alert(T0, target, 0, T0 + minutes(40), POLICY)
    assert late is not None and late.breach and late.stage == 3
    assert rules.next_alert(T0, target, late.stage, POLICY, breached=True) is None
    # Down across 50% and 80% only: the 80% alert, then the breach is still to come.
    mid = rules.latest_due_alert(T0, target, 0, T0 + minutes(13), POLICY)
    assert (mid.stage, mid.fraction) == (2, 0.8)
    assert rules.next_alert(T0, target, mid.stage, POLICY).breach
    # Nothing due yet.
    assert rules.latest_due_alert(T0, target, 0, T0 + minutes(7), POLICY) is None


@pytest.mark.safeguard("D1")
def test_a_breach_is_never_skipped_when_the_fractions_change_under_a_running_clock():
    target = T0 + minutes(60)
    fewer = policy(clock_alert_fractions=[0.5, 1.0])
    # Stage 2 was the 80% alert under the old policy; under the new one stage 2 is the breach.
    nxt = rules.next_alert(T0, target, 2, fewer, breached=False)
    assert nxt is not None and nxt.breach
    assert rules.latest_due_alert(T0, target, 2, target, fewer, breached=False).breach
    assert rules.latest_due_alert(T0, target, 2, target, fewer, breached=True) is None


# --------------------------------------------------------------------------------------- re-grading
@pytest.mark.safeguard("D1")
def test_regrade_up_after_the_new_target_passed_raises_the_breach_once():
    """Priority at first contact; upgraded to emergency 20 minutes in: the emergency target (15 minutes from
    the first contact) has passed, so the next sweep raises the breach, once."""
    priority = rules.target_at(T0, rules.target_minutes("priority", "urban", POLICY))
    emergency = rules.target_at(T0, rules.target_minutes("emergency", "urban", POLICY))
    now = T0 + minutes(20)
    assert rules.latest_due_alert(T0, priority, 0, now, POLICY) is None
    nxt = rules.next_alert(T0, emergency, 0, POLICY)
    assert nxt is not None and nxt.at <= now  # due at once: the sweeper picks it up
    fired = rules.latest_due_alert(T0, emergency, 0, now, POLICY)
    assert fired.breach and fired.at == emergency


@pytest.mark.safeguard("D1")
def test_regrade_up_part_way_fires_the_stage_reached_then_continues():
    emergency = T0 + minutes(15)
    now = T0 + minutes(10)  # past 50% (7.5) not 80% (12)
    fired = rules.latest_due_alert(T0, emergency, 0, now, POLICY)
    assert fired.stage == 1
    assert rules.next_alert(T0, emergency, fired.stage, POLICY).at == T0 + minutes(12)


@pytest.mark.safeguard("D1")
def test_regrade_down_does_not_repeat_alerts_already_given():
    emergency_50 = rules.latest_due_alert(T0, T0 + minutes(15), 0, T0 + minutes(8), POLICY)
    assert emergency_50.stage == 1
    # Downgraded to priority (60): its 50% (30 min) is not raised again; the next is its 80%.
    nxt = rules.next_alert(T0, T0 + minutes(60), emergency_50.stage, POLICY)
    assert (nxt.stage, nxt.at) == (2, T0 + minutes(48))


@PROPERTY
@given(
    target_min=st.integers(min_value=1, max_value=600),
    fractions=st.lists(st.floats(min_value=0.01, max_value=0.99, allow_nan=False), max_size=5),
    stage=st.integers(min_value=0, max_value=6),
    elapsed=st.integers(min_value=0, max_value=1200),
)
def test_clock_maths_against_an_independent_reading(target_min, fractions, stage, elapsed):
    p = policy(clock_alert_fractions=fractions)
    target = T0 + minutes(target_min)
    now = T0 + minutes(elapsed)
    wanted = sorted(set(fractions)) + [1.0]
    times = [T0 + minutes(target_min) * f for f in wanted]
    due = [i + 1 for i, t in enumerate(times) if i + 1 > stage and t <= now]
    got = rules.latest_due_alert(T0, target, stage, now, p, breached=stage >= len(wanted))
    assert (got.stage if got else None) == (due[-1] if due else None)
    upcoming = [i + 1 for i in range(len(wanted)) if i + 1 > stage]
    nxt = rules.next_alert(T0, target, stage, p, breached=stage >= len(wanted))
    assert (nxt.stage if nxt else None) == (upcoming[0] if upcoming else None)
    # The breach is always the last alert and falls on the target.
    last = rules.alert_schedule(T0, target, p)[-1]
    assert last.breach and last.at == target


def test_remaining():
    assert rules.remaining(T0 + minutes(15), T0 + minutes(5)) == minutes(10)
    assert rules.remaining(T0, T0 + minutes(1)) == -minutes(1)
    assert rules.remaining(None, T0) is None


# ----------------------------------------------------------------------------------------- escalation
@pytest.mark.safeguard("D1")
def test_escalation_chain_dispatcher_controller_inspector():
    assert rules.next_level("dispatcher") == "controller"
    assert rules.next_level("controller") == "duty_inspector"
    assert rules.next_level("duty_inspector") is None


@pytest.mark.safeguard("D1")
def test_escalation_deadline_from_policy_and_none_at_the_end_of_the_chain():
    assert rules.escalate_at(T0, "dispatcher", POLICY) == T0 + minutes(5)
    assert rules.escalate_at(T0, "controller", policy(alert_escalation_minutes=2)) == T0 + minutes(2)
    assert rules.escalate_at(T0, "duty_inspector", POLICY) is None


@pytest.mark.safeguard("D2")
def test_a_divert_alert_is_escalated_by_its_decision_deadline_not_twice():
    assert rules.escalate_at(T0, "controller", POLICY, "divert") is None
    assert rules.escalate_at(T0, "controller", POLICY, "no_units") == T0 + minutes(5)


@pytest.mark.safeguard("D1", "D3")
@pytest.mark.parametrize(("kind", "log_open", "attended", "has_unit", "expected"), [
    ("breach", False, True, False, True),     # a breach always goes up until someone acknowledges it
    ("clock", True, False, True, True),       # a unit on the way may still miss the target
    ("clock", True, True, True, False),       # attended: the warning has passed
    ("clock", False, False, False, False),    # the log is closed
    ("no_units", True, False, False, True),
    ("no_units", True, False, True, False),   # a unit was found
    ("divert_approved", True, False, False, True),
    ("divert_approved", True, True, False, False),
    ("divert", True, False, False, True),
])
def test_what_still_escalates(kind, log_open, attended, has_unit, expected):
    assert rules.still_escalates(kind, log_open, attended, has_unit) is expected


@pytest.mark.safeguard("D1")
def test_an_alert_is_acknowledged_by_a_person_at_its_level_or_above():
    rules.check_acknowledger("dispatcher", "dispatcher")
    rules.check_acknowledger("duty_inspector", "dispatcher")
    rules.check_acknowledger("controller", "controller")
    for role, level in [("dispatcher", "controller"), ("controller", "duty_inspector"),
                        ("response_officer", "dispatcher"), ("supervisor", "dispatcher")]:
        with pytest.raises(Refusal) as refused:
            rules.check_acknowledger(role, level)
        assert refused.value.safeguard == "D1" and refused.value.status == 403
    with pytest.raises(Refusal, match="by a person"):
        rules.check_acknowledger(None, "dispatcher")


# ------------------------------------------------------------------------------------------- D4 status
@pytest.mark.safeguard("D4")
def test_unit_status_from_its_assignments():
    assert rules.unit_status(True, []) == "available"
    assert rules.unit_status(False, []) == "off_duty"
    assert rules.unit_status(False, [("at_scene", False)]) == "off_duty"
    assert rules.unit_status(True, [("assigned", False)]) == "assigned"
    assert rules.unit_status(True, [("en_route", False)]) == "en_route"
    assert rules.unit_status(True, [("at_scene", False)]) == "at_scene"


@pytest.mark.safeguard("D4")
def test_a_change_on_one_assignment_never_bleeds_into_another():
    """The status is derived from every active assignment (the most advanced wins); moving one never
    rewrites the other, and when it ends the unit shows what the other still is."""
    both = [("en_route", False), ("assigned", False)]
    assert rules.unit_status(True, both) == "en_route"
    assert rules.unit_status(True, [("at_scene", False), ("assigned", False)]) == "at_scene"
    # The en route one is cleared (no longer active): the other is still only assigned.
    assert rules.unit_status(True, [("assigned", False)]) == "assigned"
    # Order does not matter.
    assert rules.unit_status(True, list(reversed(both))) == "en_route"


@pytest.mark.safeguard("D4")
def test_a_scheduled_appointment_commits_the_unit_never_en_route():
    assert rules.unit_status(True, [("assigned", True)]) == "committed"
    # An immediate job outranks a later appointment; a unit moving to its appointment is en route.
    assert rules.unit_status(True, [("assigned", True), ("assigned", False)]) == "assigned"
    assert rules.unit_status(True, [("en_route", True)]) == "en_route"
    assert rules.unit_status(True, [("assigned", True), ("at_scene", False)]) == "at_scene"


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["assigned", "en_route", "at_scene"]), st.booleans()), max_size=6))
def test_unit_status_is_the_most_advanced_of_its_assignments(active):
    rank = {"available": 0, "committed": 1, "assigned": 2, "en_route": 3, "at_scene": 4}
    shown = ["committed" if sched and state == "assigned" else state for state, sched in active]
    expected = max(shown, key=rank.__getitem__) if shown else "available"
    assert rules.unit_status(True, active) == expected


# ------------------------------------------------------------------------------------------ transitions
@pytest.mark.safeguard("D4")
@pytest.mark.parametrize(("current", "new"), [
    ("assigned", "en_route"), ("assigned", "at_scene"), ("assigned", "cleared"), ("assigned", "cancelled"),
    ("en_route", "at_scene"), ("en_route", "cleared"), ("en_route", "cancelled"), ("at_scene", "cleared"),
])
def test_assignments_move_forward(current, new):
    rules.check_transition(current, new)


@pytest.mark.safeguard("D4")
@pytest.mark.parametrize(("current", "new"), [
    ("en_route", "assigned"), ("at_scene", "en_route"), ("at_scene", "cancelled"), ("cleared", "en_route"),
    ("cancelled", "at_scene"), ("diverted", "en_route"), ("diverted", "cleared"), ("assigned", "assigned"),
    ("assigned", "diverted"),
])
def test_assignments_never_move_back_or_out_of_an_end(current, new):
    with pytest.raises(Refusal) as refused:
        rules.check_transition(current, new)
    assert refused.value.safeguard == "D4" and refused.value.status == 409


@pytest.mark.safeguard("D4")
def test_check_assignable():
    rules.check_assignable(True, "open", False)
    for args, match in [((True, "closed", False), "closed"), ((False, "open", False), "off duty"),
                        ((True, "open", True), "already")]:
        with pytest.raises(Refusal, match=match) as refused:
            rules.check_assignable(*args)
        assert refused.value.safeguard == "D4"


# ------------------------------------------------------------------------------------------------ D2
@pytest.mark.safeguard("D2")
@pytest.mark.parametrize("state", ["assigned", "en_route", "at_scene"])
def test_divert_moves_an_active_unit_with_a_reason(state):
    rules.check_divert(state, "Armed suspect at the second address")


@pytest.mark.safeguard("D2")
@pytest.mark.parametrize(("state", "reason", "match"), [
    (None, "reason", "not on the first log"), ("cleared", "reason", "not on the first log"),
    ("diverted", "reason", "not on the first log"), ("assigned", "   ", "needs a reason"),
])
def test_divert_refused(state, reason, match):
    with pytest.raises(Refusal, match=match) as refused:
        rules.check_divert(state, reason)
    assert refused.value.safeguard == "D2"


@pytest.mark.safeguard("D2")
def test_divert_decision_deadline_from_policy():
    assert rules.divert_deadline(T0, POLICY) == T0 + minutes(5)
    assert rules.divert_deadline(T0, policy(divert_decision_minutes=12)) == T0 + minutes(12)


@pytest.mark.safeguard("D2")
def test_a_divert_is_decided_once():
    rules.check_decidable("awaiting")
    rules.check_decidable("escalated")
    for state in ("approved", "overridden"):
        with pytest.raises(Refusal, match=state) as refused:
            rules.check_decidable(state)
        assert refused.value.safeguard == "D2" and refused.value.status == 409


@pytest.mark.safeguard("D2")
def test_an_override_needs_an_open_first_log_and_a_unit_on_duty():
    rules.check_override("open", True)
    with pytest.raises(Refusal, match="closed"):
        rules.check_override("closed", True)
    with pytest.raises(Refusal, match="off duty"):
        rules.check_override("open", False)
    assert rules.leaving_state("at_scene") == "cleared"
    assert rules.leaving_state("en_route") == "cancelled"
    assert rules.leaving_state("assigned") == "cancelled"


# -------------------------------------------------------------------------------------------- boards
@pytest.mark.safeguard("D1")
def test_board_order_least_time_to_target_first_then_grade_then_risk():
    now = T0 + minutes(10)

    def fact(ref: str, target: int | None, rank: int | None = 1, flags: tuple[str, ...] = (),
             diverted: bool = False) -> PendingFact:
        return PendingFact(ref, rank, T0 + minutes(target) if target is not None else None, flags, diverted)

    rows = [
        fact("no-target", None, 3),
        fact("later", 60, 2),
        fact("breached", 5),
        fact("soon", 15),
        fact("soon-flagged", 15, flags=("domestic_abuse",)),
        fact("soon-diverted-flagged", 15, flags=("domestic_abuse",), diverted=True),
        fact("soon-priority", 15, 2),
        fact("no-target-emergency", None, 1),
        fact("ungraded", None, None),
    ]
    ordered = [p.reference for p in sorted(rows, key=lambda p: rules.pending_order_key(p, now))]
    assert ordered == ["breached", "soon-diverted-flagged", "soon-flagged", "soon", "soon-priority", "later",
                       "no-target-emergency", "no-target", "ungraded"]


# ------------------------------------------------------------------------------------- per record
@pytest.mark.safeguard("D1")
def test_an_assignment_is_moved_on_by_its_units_crew_or_a_dispatcher() -> None:
    rules.check_assignment_updater(crews_unit=True, dispatcher=False, callsign="KQ1")
    rules.check_assignment_updater(crews_unit=False, dispatcher=True, callsign="KQ1")


@pytest.mark.safeguard("D1")
def test_another_units_officer_may_not_stop_the_clock() -> None:
    """An officer of another unit marking this one at scene would stop an emergency's clock unattended."""
    with pytest.raises(Refusal) as exc:
        rules.check_assignment_updater(crews_unit=False, dispatcher=False, callsign="KQ1")
    assert exc.value.status == 403 and exc.value.safeguard == "D1"
    assert "KQ1" in exc.value.message and "clock" in exc.value.message
