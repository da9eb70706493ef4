"""The referral rules (P7, P11) at unit speed: the queue order by policy, target ages and escalation timing,
"no access to children" only on a DBS check, who may allocate and work a referral, and actioning a referral
from another force at the address it gives."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import DEFAULTS
from watchkeeper.core.policy_schemas import shape_problem
from watchkeeper.referrals import rules
from watchkeeper.referrals.rules import QueueItem

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
QUEUE = DEFAULTS["referral_queue"]


def item(pk: int, access: str = "unknown", grade: str = "unassessed", score: int | None = None,
         days: int = 0) -> QueueItem:
    return QueueItem(pk, access, grade, score, NOW - timedelta(days=days))


@pytest.mark.safeguard("P7")
def test_access_to_children_comes_first_then_grade_then_score_then_age() -> None:
    listed = [item(1, "no", "high", 90, days=30), item(2, "unknown", "low", days=40), item(3, "yes", "low", days=1),
              item(4, "unknown", "high", 20, days=2), item(5, "unknown", "high", 70, days=1),
              item(6, "unknown", "high", 70, days=5)]
    assert [i.id for i in rules.order_queue(listed, QUEUE)] == [3, 6, 5, 4, 2, 1]


@pytest.mark.safeguard("P7")
def test_the_order_is_policy_age_alone_is_arrival_order() -> None:
    queue = {**QUEUE, "order": ["age"]}
    listed = [item(1, "yes", "high", days=1), item(2, "no", "low", days=9), item(3, "unknown", days=5)]
    assert [i.id for i in rules.order_queue(listed, queue)] == [2, 3, 1]
    by_grade = {**QUEUE, "order": ["risk_grade", "age"], "grade_order": ["low", "medium", "high", "unassessed"]}
    assert [i.id for i in rules.order_queue(listed, by_grade)] == [2, 1, 3]


def test_equal_referrals_keep_a_total_order_by_id() -> None:
    listed = [item(3), item(1), item(2)]
    assert [i.id for i in rules.order_queue(listed, QUEUE)] == [1, 2, 3]


@pytest.mark.safeguard("P7")
@pytest.mark.parametrize(("access", "grade", "days"), [("yes", "low", 2), ("no", "high", 7), ("unknown", "medium", 28),
                                                       ("unknown", "unassessed", 14), ("no", "low", 56)])
def test_target_age_follows_the_tier(access: str, grade: str, days: int) -> None:
    assert rules.target_at(NOW, access, grade, QUEUE) == NOW + timedelta(days=days)
    assert rules.tier(access, grade) == ("children" if access == "yes" else grade)


@pytest.mark.safeguard("P7")
def test_escalation_comes_escalate_after_days_after_the_target() -> None:
    target = rules.target_at(NOW, "no", "high", QUEUE)
    assert rules.escalation_due(target, QUEUE) == NOW + timedelta(days=9)
    assert rules.escalation_due(target, {**QUEUE, "escalate_after_days": 5}) == NOW + timedelta(days=12)


@pytest.mark.safeguard("P7")
def test_no_access_to_children_needs_a_dbs_check() -> None:
    with pytest.raises(Refusal) as refused:
        rules.check_risk("no", "low", None, ["address", "pnc"], QUEUE)
    assert refused.value.safeguard == "P7" and refused.value.status == 400
    assert refused.value.details["checks_needed"] == ["dbs"]
    rules.check_risk("no", "low", None, ["dbs"], QUEUE)
    rules.check_risk("unknown", "low", None, [], QUEUE)
    rules.check_risk("no", "low", None, [], {**QUEUE, "no_access_checks": []})


@pytest.mark.parametrize(("access", "grade", "score", "checks", "field"), [
    ("maybe", "low", None, [], "access_to_children"), ("no", "severe", None, ["dbs"], "risk_grade"),
    ("yes", "low", 101, [], "risk_score"), ("yes", "low", -1, [], "risk_score"),
    ("yes", "low", None, ["tarot"], "checks")])
def test_unknown_risk_values_are_refused_naming_the_field(access: str, grade: str, score: int | None,
                                                         checks: list[str], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        rules.check_risk(access, grade, score, checks, QUEUE)
    assert refused.value.details["field"] == field


@pytest.mark.safeguard("P7")
def test_only_supervisors_allocate_and_only_the_allocated_officer_or_a_supervisor_works_it() -> None:
    with pytest.raises(Refusal) as refused:
        rules.check_may_allocate(False)
    assert refused.value.status == 403 and refused.value.safeguard == "P7"
    rules.check_may_allocate(True)
    rules.check_may_work(7, 7, False, "RF-1")
    rules.check_may_work(8, 7, True, "RF-1")
    rules.check_may_work(8, None, True, "RF-1")
    for actor, officer in ((8, 7), (8, None)):
        with pytest.raises(Refusal) as refused:
            rules.check_may_work(actor, officer, False, "RF-1")
        assert refused.value.status == 403


@pytest.mark.safeguard("P7")
def test_no_action_needs_the_reason_and_a_worked_referral_is_not_worked_again() -> None:
    with pytest.raises(Refusal):
        rules.check_outcome("no_action", "  ")
    rules.check_outcome("no_action", "Deceased before the referral arrived")
    rules.check_outcome("visited", "")
    with pytest.raises(Invalid):
        rules.check_outcome("forgotten", "")
    with pytest.raises(Refusal) as refused:
        rules.check_not_worked("worked", "RF-1")
    assert refused.value.status == 409


@pytest.mark.safeguard("P7")
def test_backlog_counts_size_unallocated_oldest_and_past_target() -> None:
    b = rules.backlog("q", [(NOW - timedelta(days=40), NOW - timedelta(days=1), True),
                            (NOW - timedelta(days=3), NOW + timedelta(days=4), False),
                            (NOW - timedelta(days=10), NOW, False)], NOW)
    assert (b.size, b.unallocated, b.oldest_days, b.overdue) == (3, 2, 40, 2)
    assert rules.backlog("q", [], NOW).as_dict() == {"queue": "q", "size": 0, "unallocated": 0, "oldest_days": 0,
                                                     "overdue": 0}


@pytest.mark.safeguard("P11")
def test_a_referral_from_another_force_is_actioned_after_acknowledgement_at_the_address_it_gives() -> None:
    given = "Flat 4, 9 Orchard Rise, Eastleigh EA1 7FF"
    with pytest.raises(Refusal) as refused:
        rules.check_actioned("received", "XF-1", given, given, "")
    assert refused.value.status == 409
    with pytest.raises(Refusal) as refused:
        rules.check_actioned("acknowledged", "XF-1", given, "27 Canal Street, Kingsbridge KB2 3CC", "")
    assert refused.value.safeguard == "P11" and refused.value.status == 400
    rules.check_actioned("acknowledged", "XF-1", given, "27 Canal Street, Kingsbridge KB2 3CC", "She moved back")
    rules.check_actioned("acknowledged", "XF-1", given, "flat 4 9 orchard rise eastleigh ea1 7ff", "")
    rules.check_actioned("acknowledged", "XF-1", "", "Anywhere", "")
    with pytest.raises(Refusal):
        rules.check_actioned("actioned", "XF-1", given, given, "")
    with pytest.raises(Refusal):
        rules.check_acknowledge("acknowledged", "XF-1")
    rules.check_acknowledge("received", "XF-1")


def test_the_policy_keys_have_strict_schemas() -> None:
    assert shape_problem("referral_queue", QUEUE) is None
    assert shape_problem("incoming_referral_minutes", DEFAULTS["incoming_referral_minutes"]) is None
    bad = copy.deepcopy(QUEUE)
    bad["order"] = ["age", "age"]
    assert "repeated" in (shape_problem("referral_queue", bad) or "")
    bad = copy.deepcopy(QUEUE)
    bad["target_days"]["children"] = 0
    assert "target_days.children" in (shape_problem("referral_queue", bad) or "")
    assert shape_problem("referral_queue", {**QUEUE, "order": ["colour"]})
    assert shape_problem("incoming_referral_minutes", {"acknowledge": 1, "escalate_after": 60})
