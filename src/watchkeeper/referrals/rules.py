"""The referral safeguards as pure functions over plain data and policy values (no Django).

P7: intelligence referrals (a national agency's list of online offenders, say) are worked in order of risk,
not arrival: the order is policy (`referral_queue.order`: access to children first, then the risk grade, the
risk score and the age); each referral has a target age by risk tier, past which it escalates; "no access to
children" stands only on the checks that show it (a DBS check by default); supervisors allocate, and the
allocated officer (or a supervisor) records the outcome.

P11: a referral received from another force is tracked until it is acknowledged here (who, when) and then
actioned; actioning it at an address other than the one the referral gives needs the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from watchkeeper.core.errors import Invalid, Refusal

ACCESS: dict[str, str] = {"yes": "Yes", "unknown": "Not known yet", "no": "No"}
GRADES: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low", "unassessed": "Not assessed"}
TIERS: dict[str, str] = {"children": "Access to children", **GRADES}
ORDER_KEYS: dict[str, str] = {"access_to_children": "Access to children", "risk_grade": "Risk grade",
                              "risk_score": "Risk score", "age": "Age (oldest first)"}
STATES: dict[str, str] = {"queued": "Waiting for allocation", "allocated": "Allocated", "worked": "Worked"}
OUTCOMES: dict[str, str] = {"visited": "Visited", "arrested": "Arrested", "searched": "Searched under warrant",
                            "case_opened": "Investigation opened", "passed_on": "Passed to another force or unit",
                            "no_action": "No action"}
CHECKS: dict[str, str] = {"dbs": "DBS check", "pnc": "Police national computer", "visor": "ViSOR",
                          "local": "Local intelligence", "address": "Children at the address",
                          "social_care": "Social care"}
MAX_SCORE = 100

# P11
SUBJECT_ROLES: dict[str, str] = {"suspect": "Suspect", "victim": "Victim", "witness": "Witness",
                                 "vulnerable": "Person at risk", "other": "Other"}
RECEIVED_VIA: dict[str, str] = {"email": "Email", "phone": "Phone", "letter": "Letter", "system": "System transfer",
                                "in_person": "In person"}
INCOMING_STATES: dict[str, str] = {"received": "Not acknowledged", "acknowledged": "Acknowledged",
                                   "actioned": "Actioned"}


# ------------------------------------------------------------------------------------------ P7 the queue
@dataclass(frozen=True)
class QueueItem:
    """What the queue order reads of a referral."""

    id: int
    access: str
    grade: str
    score: int | None
    received_at: datetime


def tier(access: str, grade: str) -> str:
    """P7: the risk tier whose target age applies: access to children above all, else the risk grade."""
    return "children" if access == "yes" else grade


def _rank(value: str, order: Sequence[str]) -> int:
    return order.index(value) if value in order else len(order)


def sort_key(item: QueueItem, queue: Mapping[str, Any]) -> tuple[Any, ...]:
    """P7: the referral's place in the queue by policy `referral_queue.order` (each key most urgent first:
    access yes before not known before no; grades as `grade_order`; higher scores first; older first),
    with its id last so the order is total."""
    parts: list[Any] = []
    for key in queue["order"]:
        if key == "access_to_children":
            parts.append(_rank(item.access, queue["access_order"]))
        elif key == "risk_grade":
            parts.append(_rank(item.grade, queue["grade_order"]))
        elif key == "risk_score":
            parts.append(-(item.score if item.score is not None else -1))
        elif key == "age":
            parts.append(item.received_at.timestamp())
    return (*parts, item.id)


def order_queue(items: Iterable[QueueItem], queue: Mapping[str, Any]) -> list[QueueItem]:
    """P7: referrals in the order they are to be worked: by risk as policy says, never by arrival alone."""
    return sorted(items, key=lambda i: sort_key(i, queue))


def target_at(received_at: datetime, access: str, grade: str, queue: Mapping[str, Any]) -> datetime:
    """P7: when a referral in this tier should have been worked (policy `referral_queue.target_days`)."""
    return received_at + timedelta(days=int(queue["target_days"][tier(access, grade)]))


def escalation_due(target: datetime, queue: Mapping[str, Any]) -> datetime:
    """P7: a referral still not worked this long after its reminder escalates to the team and duty inspectors."""
    return target + timedelta(days=int(queue["escalate_after_days"]))


def check_risk(access: str, grade: str, score: int | None, checks: Sequence[str], queue: Mapping[str, Any]) -> None:
    """P7: a risk recorded on a referral: known values; and "no access to children" only on the checks that
    show it (policy `referral_queue.no_access_checks`, a DBS check by default): no children at the home
    address does not show that someone has no access to children through work."""
    if access not in ACCESS:
        raise Invalid(f"access_to_children must be one of: {', '.join(ACCESS)}", "access_to_children")
    if grade not in GRADES:
        raise Invalid(f"risk_grade must be one of: {', '.join(GRADES)}", "risk_grade")
    if score is not None and not 0 <= score <= MAX_SCORE:
        raise Invalid(f"risk_score must be between 0 and {MAX_SCORE}", "risk_score")
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise Invalid(f"checks must be among: {', '.join(CHECKS)} ({', '.join(unknown)} not known)", "checks")
    needed = [c for c in queue["no_access_checks"] if c not in checks]
    if access == "no" and needed:
        names = ", ".join(CHECKS.get(c, c) for c in needed)
        raise Refusal(
            f"'No access to children' needs the {names} that shows it; without it, access is not known yet.",
            safeguard="P7",
            next_step=f"Record access as 'not known yet' until the {names} is back, or record it with the check.",
            details={"field": "access_to_children", "checks_needed": needed}, status=400)


# ------------------------------------------------------------------------------------------ P7 who may act
def check_may_allocate(is_supervisor: bool) -> None:
    """P7: a supervisor allocates (and re-allocates) referrals, so each has an officer who takes charge."""
    if not is_supervisor:
        raise Refusal("Only a supervisor allocates referrals.", safeguard="P7",
                      next_step="Ask your supervisor to allocate it.", status=403)


def check_may_work(actor_id: int | None, officer_id: int | None, is_supervisor: bool, reference: str) -> None:
    """P7: the officer the referral is allocated to, or a supervisor, records its risk and its outcome."""
    if is_supervisor or actor_id is None:
        return
    if officer_id is None:
        raise Refusal(f"Referral {reference} is not allocated yet.", safeguard="P7",
                      next_step="A supervisor allocates it first.", status=403)
    if officer_id != actor_id:
        raise Refusal(f"Referral {reference} is allocated to someone else.", safeguard="P7",
                      next_step="The allocated officer or a supervisor records it.", status=403)


def check_not_worked(state: str, reference: str) -> None:
    if state == "worked":
        raise Refusal(f"Referral {reference} is already worked; its outcome is recorded.", safeguard="P7",
                      status=409)


def check_outcome(outcome: str, reason: str) -> None:
    """P7: the outcome of working a referral; "no action" says why."""
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of: {', '.join(OUTCOMES)}", "outcome")
    if outcome == "no_action" and not reason.strip():
        raise Refusal("'No action' needs the reason.", safeguard="P7", next_step="Say why no action is taken.",
                      details={"field": "reason"}, status=400)


# ------------------------------------------------------------------------------------------ P7 backlog
@dataclass(frozen=True)
class Backlog:
    """P7, A5: one queue's size, how many wait for allocation, the age of the oldest and how many are past
    their target age."""

    queue: str
    size: int
    unallocated: int
    oldest_days: int
    overdue: int

    def as_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "size": self.size, "unallocated": self.unallocated,
                "oldest_days": self.oldest_days, "overdue": self.overdue}


def backlog(queue: str, open_items: Iterable[tuple[datetime, datetime, bool]], now: datetime) -> Backlog:
    """P7, A5: from each open referral's (received_at, target_at, allocated)."""
    size = unallocated = overdue = 0
    oldest: datetime | None = None
    for received, target, allocated in open_items:
        size += 1
        unallocated += 0 if allocated else 1
        overdue += 1 if target <= now else 0
        oldest = received if oldest is None or received < oldest else oldest
    days = int((now - oldest).total_seconds() // 86400) if oldest is not None else 0
    return Backlog(queue, size, unallocated, max(days, 0), overdue)


# ------------------------------------------------------------------------------------------ P11 incoming
def same_address(a: str, b: str) -> bool:
    """Two addresses as written by different people: the same when their letters and digits agree."""
    def norm(s: str) -> str:
        return re.sub(r"[^a-z0-9]+", "", s.lower())
    return norm(a) == norm(b)


def check_acknowledge(state: str, reference: str) -> None:
    """P11: a referral from another force is acknowledged once."""
    if state != "received":
        raise Refusal(f"Referral {reference} is already acknowledged.", safeguard="P11", status=409)


def check_actioned(state: str, reference: str, address_given: str, address_attended: str, reason: str) -> None:
    """P11: a referral from another force is actioned once, after it is acknowledged; actioned at an address
    other than the one the referral gives, the reason is recorded (the address given is the one the other
    force knows to be current, not necessarily the one held here)."""
    if state == "received":
        raise Refusal(f"Referral {reference} is not acknowledged yet.", safeguard="P11", status=409,
                      next_step="Acknowledge it first: the sending force is told who has it.")
    if state == "actioned":
        raise Refusal(f"Referral {reference} is already actioned.", safeguard="P11", status=409)
    if address_given and address_attended and not same_address(address_given, address_attended) \
            and not reason.strip():
        raise Refusal(
            f"The referral gives the address as {address_given!r}; the action records {address_attended!r}.",
            safeguard="P11",
            next_step="Act at the address the referral gives, or say why that address is wrong.",
            details={"field": "address_reason", "address_given": address_given}, status=400)
