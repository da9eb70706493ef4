"""The safeguards of dispatch and response: pure functions over plain data (no Django imports).

Times come in; decisions come out. Targets, alert fractions, escalation delays and who decides come from
the force's policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy

ESCALATION_CHAIN = ("dispatcher", "controller", "duty_inspector")


# ---------------------------------------------------------------------------------------------- D1
def target_minutes(grade: str | None, area_type: str, policy: Policy) -> int | None:
    """D1: the target attendance time for a grade in an area type; None when the grade has no clock
    (scheduled appointments, resolution without deployment)."""
    if grade is None:
        return None
    targets: dict[str, Any] = policy["response_targets"]
    by_area = targets.get(grade)
    if not by_area:
        return None
    minutes = by_area.get(area_type, by_area.get("urban"))
    return int(minutes) if minutes else None


def target_at(started_at: datetime, minutes: int | None) -> datetime | None:
    """D1: the clock runs from the first contact, not from grading or dispatch."""
    return started_at + timedelta(minutes=minutes) if minutes else None


@dataclass(frozen=True)
class ClockAlert:
    stage: int
    fraction: float
    at: datetime
    breach: bool


def alert_schedule(started_at: datetime, target: datetime | None, policy: Policy) -> list[ClockAlert]:
    """D1: when the clock's alerts fall: at each configured fraction of the time allowed; the last is the
    breach (fraction 1)."""
    if target is None:
        return []
    allowed = target - started_at
    return [ClockAlert(stage=i + 1, fraction=f, at=started_at + allowed * f, breach=f >= 1.0)
            for i, f in enumerate(alert_fractions(policy))]


def alert_fractions(policy: Policy) -> list[float]:
    """D1: the configured fractions before the target, once each and in order, then the breach (1.0), which
    is always there whatever the configuration says: a breach is never left unraised."""
    before = set()
    for f in policy["clock_alert_fractions"]:
        if isinstance(f, int | float) and not isinstance(f, bool) and 0 < f < 1:
            before.add(float(f))
    return [*sorted(before), 1.0]


def _outstanding(schedule: list[ClockAlert], stage: int, breached: bool) -> list[ClockAlert]:
    """The alerts not yet given: those after `stage`, and the breach whenever none has been recorded (should
    the policy's fractions change under a running clock, the breach still comes)."""
    return [a for a in schedule if a.stage > stage or (a.breach and not breached)]


def next_alert(
    started_at: datetime, target: datetime | None, stage: int, policy: Policy, breached: bool = False
) -> ClockAlert | None:
    """The first alert after `stage` (alerts already fired are not fired again after a re-grade)."""
    pending = _outstanding(alert_schedule(started_at, target, policy), stage, breached)
    return pending[0] if pending else None


def latest_due_alert(
    started_at: datetime, target: datetime | None, stage: int, now: datetime, policy: Policy,
    breached: bool = False,
) -> ClockAlert | None:
    """The most advanced alert due at `now` after `stage`: after downtime a clock that has passed 50%, 80%
    and its target raises the breach once, not three alerts at the same moment."""
    due = [a for a in _outstanding(alert_schedule(started_at, target, policy), stage, breached) if a.at <= now]
    return due[-1] if due else None


def is_emergency_channel(channel: str, policy: Policy) -> bool:
    """D1: whether a contact came in on a channel the force treats as an emergency (999 by default): such a
    log must be graded within the grading deadline."""
    return channel in set(policy["emergency_channels"])


def grading_deadline(first_contact: datetime, policy: Policy) -> datetime:
    """D1: when a log from an emergency channel must be graded by: minutes from policy after its FIRST
    contact (not from when it was raised or last touched)."""
    return first_contact + timedelta(minutes=int(policy["grading_deadline_minutes"]))


def remaining(target: datetime | None, now: datetime) -> timedelta | None:
    return None if target is None else target - now


# ------------------------------------------------------------------------------------- escalation
def next_level(level: str) -> str | None:
    """D1: dispatcher → controller → duty inspector; the inspector is the end of the chain."""
    i = ESCALATION_CHAIN.index(level)
    return ESCALATION_CHAIN[i + 1] if i + 1 < len(ESCALATION_CHAIN) else None


def escalate_at(created: datetime, level: str, policy: Policy, kind: str = "") -> datetime | None:
    """When an unacknowledged alert goes up the chain. None at the end of the chain, and for a divert
    awaiting a decision: its own decision deadline escalates it (D2), so it is never escalated twice."""
    if next_level(level) is None or kind == "divert":
        return None
    return created + timedelta(minutes=int(policy["alert_escalation_minutes"]))


def still_escalates(kind: str, log_open: bool, attended: bool, has_unit: bool, graded: bool = True) -> bool:
    """D1/D3: whether an unacknowledged alert still goes up the chain at its deadline. A breach always does
    (a missed target, or a grading deadline missed, is for command to know, even once attended or graded); a
    clock warning stops mattering once the log is attended or no longer open; a grading warning once the log
    is graded; "no units" and "find another unit" once a unit is on the log."""
    if kind == "breach":
        return True
    if not log_open:
        return False
    if kind == "clock":
        return not attended
    if kind == "grading":
        return not graded
    if kind in ("no_units", "divert_approved"):
        return not (attended or has_unit)
    return True


def check_acknowledger(role: str | None, level: str) -> None:
    """D1: an alert is acknowledged by a person at its level of the chain or above, so an escalation
    cannot be answered by the person it went past."""
    if role is None:
        raise Refusal("An alert is acknowledged by a person.", safeguard="D1", status=403,
                      next_step="Acknowledge it as a member of staff.")
    if role not in ESCALATION_CHAIN or ESCALATION_CHAIN.index(role) < ESCALATION_CHAIN.index(level):
        raise Refusal(f"This alert is for the {level.replace('_', ' ')}; it is acknowledged at that level or "
                      "above.", safeguard="D1", status=403,
                      next_step=f"Leave it to the {level.replace('_', ' ')}, or tell them.")


# ---------------------------------------------------------------------------------------------- D4
ORDER = {"at_scene": 4, "en_route": 3, "assigned": 2, "committed": 1}


def unit_status(on_duty: bool, active: Iterable[tuple[str, bool]]) -> str:
    """D4: a unit's status from its active assignments (state, is a scheduled appointment): the most
    advanced one wins, so a change on one assignment never rewrites another. An appointment that is only
    assigned makes the unit committed, never en route."""
    if not on_duty:
        return "off_duty"
    best, best_rank = "available", 0
    for state, scheduled in active:
        status = "committed" if scheduled and state == "assigned" else state
        rank = ORDER.get(status, 0)
        if rank > best_rank:
            best, best_rank = status, rank
    return best


TRANSITIONS = {
    "assigned": {"en_route", "at_scene", "cleared", "cancelled"},
    "en_route": {"at_scene", "cleared", "cancelled"},
    "at_scene": {"cleared"},
}


def check_transition(current: str, new: str) -> None:
    """D4: an assignment moves forward only (assigned → en route → at scene → cleared); one that has ended
    (cleared, diverted, cancelled) stays ended."""
    if new not in TRANSITIONS.get(current, set()):
        raise Refusal(f"An assignment that is {current.replace('_', ' ')} cannot become {new.replace('_', ' ')}.",
                      safeguard="D4", status=409,
                      next_step="Reload the unit's assignments; assign the unit again if it is needed.")


def check_assignment_updater(crews_unit: bool, dispatcher: bool, callsign: str) -> None:
    """D1, D4: an assignment is moved on (en route, at scene, cleared) by the crew of its unit, who are
    there, or by someone with a dispatcher's permission (`dispatch.assign`). "At scene" stops the log's
    response clock, so an officer of another unit marking it would silence the clock of an emergency nobody
    has reached: refused (403) before anything is written."""
    if crews_unit or dispatcher:
        return
    raise Refusal(f"Only {callsign}'s crew or a dispatcher may update this assignment: marking it at scene "
                  "or cleared stops the log's response clock.",
                  safeguard="D1", status=403,
                  next_step="Update your own unit's assignment, or ask the dispatcher to update this one.")


def check_assignable(on_duty: bool, log_status: str, already: bool) -> None:
    """D4: a unit on duty goes to an open log it is not already on."""
    if log_status != "open":
        raise Refusal(f"The log is {log_status}; units are assigned to open logs.", safeguard="D4", status=409,
                      next_step="Reopen the log with a reason, or raise a new one.")
    if not on_duty:
        raise Refusal("That unit is off duty.", safeguard="D4", next_step="Choose a unit on duty.", status=409)
    if already:
        raise Refusal("That unit is already assigned to this log.", safeguard="D4", status=409,
                      next_step="Update its existing assignment instead.")


# ---------------------------------------------------------------------------------------------- D2
def check_divert(from_state: str | None, reason: str) -> None:
    """D2: a divert moves a unit that is actively assigned to A, and says why."""
    if from_state not in ("assigned", "en_route", "at_scene"):
        raise Refusal("That unit is not on the first log; there is nothing to divert.", safeguard="D2",
                      status=409, next_step="Assign the unit to the new log instead.")
    if not reason.strip():
        raise Refusal("A divert needs a reason (the comparative risk).", safeguard="D2",
                      next_step="Say why the second incident needs this unit more.")


def divert_deadline(at: datetime, policy: Policy) -> datetime:
    """D2: the controller decides within the configured time, or the divert goes to the duty inspector."""
    return at + timedelta(minutes=int(policy["divert_decision_minutes"]))


def check_decidable(state: str) -> None:
    """D2: a divert is decided once (by the controller, or by the duty inspector once escalated)."""
    if state not in ("awaiting", "escalated"):
        raise Refusal(f"This divert was already {state}.", safeguard="D2", status=409,
                      next_step="See the divert list for the decision and what happened to the first log.")


def check_override(first_log_status: str, on_duty: bool) -> None:
    """D2: an override sends the unit back to the first log, so that log must still be open and the unit
    on duty; otherwise there is nothing to send it back to and the divert can only be approved."""
    if first_log_status != "open":
        raise Refusal(f"The first log is {first_log_status}: there is nothing to send the unit back to.",
                      safeguard="D2", status=409, next_step="Approve the divert instead.")
    if not on_duty:
        raise Refusal("The unit has gone off duty: it cannot be sent back.", safeguard="D2", status=409,
                      next_step="Approve the divert; the duty inspector is asked to find another unit.")


def leaving_state(state: str) -> str:
    """D2: how a unit's assignment on the second log ends when an override takes it away: one that got
    there is cleared (it attended); one still on its way is cancelled."""
    return "cleared" if state == "at_scene" else "cancelled"


# ----------------------------------------------------------------------------------------- boards
@dataclass(frozen=True)
class PendingFact:
    reference: str
    grade_rank: int | None
    target_at: datetime | None
    flags: Sequence[str]
    diverted: bool


def pending_order_key(p: PendingFact, now: datetime) -> tuple[float, int, int, str]:
    """The dispatcher board's order: least time to target first (breached first of all), then the most
    urgent grade, then safeguarding flags, then reference."""
    left = (p.target_at - now).total_seconds() if p.target_at else float("inf")
    return (left, p.grade_rank or 99, -len(p.flags) - (1 if p.diverted else 0), p.reference)
