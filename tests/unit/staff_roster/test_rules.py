"""The duty roster's rules (A4 staffing against minimum): bands across midnight and the clock changes, who is
on duty, and the gap named with the moment it opened."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.assurance import rules
from watchkeeper.assurance.rules import RosterShift

LONDON = ZoneInfo("Europe/London")


def local(at: datetime) -> datetime:
    return at.astimezone(LONDON)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def shift(uid: int, name: str, role: str, start: str, end: str, absence: bool = False) -> RosterShift:
    return RosterShift(uid, name, role, at(start), at(end), absence)


BANDS = [
    {"desk_role": "support_operator", "start": "07:00", "end": "22:00", "minimum": 1},
    {"desk_role": "call_handler", "start": "22:00", "end": "07:00", "minimum": 2},
    {"desk_role": "call_handler", "start": "07:00", "end": "22:00", "minimum": 3},
]


@pytest.mark.safeguard("A4")
@pytest.mark.parametrize(("start", "end", "clock", "inside"), [
    ("07:00", "22:00", time(7, 0), True),
    ("07:00", "22:00", time(22, 0), False),
    ("07:00", "22:00", time(6, 59), False),
    ("22:00", "07:00", time(23, 30), True),
    ("22:00", "07:00", time(3, 0), True),
    ("22:00", "07:00", time(7, 0), False),
    ("22:00", "07:00", time(12, 0), False),
    ("00:00", "24:00", time(23, 59), True),
    ("08:00", "08:00", time(2, 0), True),
])
def test_a_band_holds_its_hours_and_runs_past_midnight_when_it_ends_before_it_starts(
        start: str, end: str, clock: time, inside: bool) -> None:
    assert rules.band_covers(start, end, clock) is inside


@pytest.mark.safeguard("A4")
def test_the_minimum_is_the_highest_band_holding_the_time_and_zero_without_one() -> None:
    assert rules.required(BANDS, "call_handler", time(23, 0)) == 2
    assert rules.required(BANDS, "call_handler", time(9, 0)) == 3
    assert rules.required(BANDS, "dispatcher", time(9, 0)) == 0
    both = [*BANDS, {"desk_role": "call_handler", "start": "08:00", "end": "10:00", "minimum": 5}]
    assert rules.required(both, "call_handler", time(9, 0)) == 5


@pytest.mark.safeguard("A4")
def test_a_rostered_absence_takes_the_person_off_their_desk() -> None:
    shifts = [shift(1, "Ann", "call_handler", "2026-12-07T07:00", "2026-12-07T19:00"),
              shift(1, "Ann", "", "2026-12-07T12:00", "2026-12-07T13:00", absence=True)]
    assert [s.name for s in rules.on_duty(shifts, "call_handler", at("2026-12-07T11:00"))] == ["Ann"]
    assert rules.on_duty(shifts, "call_handler", at("2026-12-07T12:30")) == []
    assert rules.on_duty(shifts, "call_handler", at("2026-12-07T19:00")) == []  # the end is not on duty


@pytest.mark.safeguard("A4")
def test_a_support_operators_shift_ending_opens_a_gap_naming_them_and_the_time() -> None:
    """I41.2: the shift with no support operator is seen, with who went off and when."""
    shifts = [shift(1, "Sam Support", "support_operator", "2026-12-07T07:00", "2026-12-07T15:00")]
    now = at("2026-12-07T16:10")
    gaps = rules.gaps(shifts, BANDS[:1], now, local)
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.desk_role, gap.required, gap.on_duty) == ("support_operator", 1, ())
    assert gap.short_from == at("2026-12-07T15:00")
    assert gap.missing == ("Sam Support",)
    assert "Support / intelligence operator 0 on duty of 1 needed, since 15:00 on 07 Dec (Sam Support no longer on)" \
        in gap.sentence(local)
    # Before the shift ended, nothing was short.
    assert rules.gaps(shifts, BANDS[:1], at("2026-12-07T14:59"), local) == []


@pytest.mark.safeguard("A4")
def test_a_gap_opened_by_a_band_starting_dates_from_the_band() -> None:
    shifts = [shift(i, f"H{i}", "call_handler", "2026-12-07T00:00", "2026-12-07T23:59") for i in (1, 2)]
    gaps = rules.gaps(shifts, BANDS, at("2026-12-07T09:00"), local)
    assert [(g.desk_role, g.required, len(g.on_duty)) for g in gaps] == [
        ("call_handler", 3, 2), ("support_operator", 1, 0)]
    handlers = gaps[0]
    assert handlers.short_from == at("2026-12-07T07:00") and handlers.missing == ()


@pytest.mark.safeguard("A4")
def test_bands_follow_the_wall_clock_across_the_clock_change() -> None:
    """On 29 March 2026 the clocks go forward at 01:00 UTC: 07:00 local is 06:00 UTC after it."""
    bands = [{"desk_role": "support_operator", "start": "07:00", "end": "22:00", "minimum": 1}]
    before = datetime(2026, 3, 29, 5, 59, tzinfo=UTC)  # 06:59 BST
    after = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 07:00 BST
    assert rules.gaps([], bands, before, local) == []
    gap = rules.gaps([], bands, after, local)[0]
    assert gap.short_from == after
    # A night shift across the change keeps its real length: 22:00 GMT to 07:00 BST is 8 hours.
    night = RosterShift(1, "N", "call_handler", datetime(2026, 3, 28, 22, 0, tzinfo=UTC),
                        datetime(2026, 3, 29, 6, 0, tzinfo=UTC))
    assert rules.shift_problem("call_handler", night.starts_at, night.ends_at, False, "") is None
    assert night.covers(datetime(2026, 3, 29, 5, 0, tzinfo=UTC))


@pytest.mark.safeguard("A4")
def test_shift_problems_are_named() -> None:
    s, e = at("2026-12-07T07:00"), at("2026-12-07T19:00")
    assert rules.shift_problem("call_handler", s, e, False, "") is None
    assert "desk role" in (rules.shift_problem("tea_maker", s, e, False, "") or "")
    assert "after the start" in (rules.shift_problem("call_handler", e, s, False, "") or "")
    assert "at most 24 hours" in (rules.shift_problem("call_handler", s, s + timedelta(hours=25), False, "") or "")
    assert "reason" in (rules.shift_problem("", s, e, True, " ") or "")
    assert rules.shift_problem("", s, s + timedelta(days=14), True, "Annual leave") is None


# ------------------------------------------------------------------------------------- A1 training
TRAINING = {
    "courses": [{"code": "ech", "label": "Emergency call handling", "valid_months": 12, "roles": ["call_handler"]},
                {"code": "sg", "label": "Safeguarding refresher", "valid_months": 24, "roles": ["call_handler"]}],
    "gates": [{"action": "emergency_call", "courses": ["ech"], "flags": []},
              {"action": "safeguarding", "courses": ["sg"], "flags": ["child"]}],
    "untrained_gated": False,
}


@pytest.mark.safeguard("A1")
def test_a_course_is_current_to_the_day_before_its_anniversary_and_month_ends_are_kept() -> None:
    assert rules.expiry(date(2025, 12, 7), 12) == date(2026, 12, 6)
    assert rules.expiry(date(2024, 2, 29), 12) == date(2025, 2, 27)
    assert rules.expiry(date(2025, 8, 31), 6) == date(2026, 2, 27)
    held = [rules.Held("ech", date(2025, 12, 7), date(2026, 12, 6))]
    assert rules.course_state(held, "ech", date(2026, 12, 6)) == ("expiring", date(2026, 12, 6))
    assert rules.course_state(held, "ech", date(2026, 12, 7)) == ("lapsed", date(2026, 12, 6))
    assert rules.course_state(held, "ech", date(2026, 6, 1)) == ("current", date(2026, 12, 6))
    assert rules.course_state(held, "sg", date(2026, 6, 1)) == ("none", None)
    renewed = [*held, rules.Held("ech", date(2026, 12, 1), date(2027, 11, 30))]
    assert rules.course_state(renewed, "ech", date(2026, 12, 7))[0] == "current"


@pytest.mark.safeguard("A1")
def test_a_gate_names_lapsed_courses_and_counts_no_record_only_when_policy_says() -> None:
    lapsed = [rules.Held("ech", date(2024, 1, 1), date(2024, 12, 31))]
    today = date(2026, 12, 7)
    assert rules.gate_shortfalls("emergency_call", TRAINING, lapsed, today) == [
        {"course": "ech", "label": "Emergency call handling", "state": "lapsed", "expired_on": "2024-12-31"}]
    assert rules.gate_shortfalls("emergency_call", TRAINING, [], today) == []
    strict = {**TRAINING, "untrained_gated": True}
    assert [s["state"] for s in rules.gate_shortfalls("emergency_call", strict, [], today)] == ["none"]
    # A safeguarding gate applies only on a log with one of its flags.
    assert rules.gate_shortfalls("safeguarding", strict, [], today, flags=["weapons"]) == []
    assert [s["course"] for s in rules.gate_shortfalls("safeguarding", strict, [], today, flags=["child"])] == ["sg"]
    current = [rules.Held("ech", date(2026, 1, 1), date(2026, 12, 31))]
    assert rules.gate_shortfalls("emergency_call", strict, current, today) == []
