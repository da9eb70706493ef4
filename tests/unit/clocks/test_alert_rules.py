"""The pure part of the boards' alert rows and filters (clocks/alerts.py, web/board_filters.py)."""

from __future__ import annotations

import pytest

from watchkeeper.clocks import alerts
from watchkeeper.core.errors import Invalid
from watchkeeper.core.policy import Policy
from watchkeeper.web import board_filters


def a(pk: int, kind: str, level: str = "dispatcher", at: str = "2026-03-02T09:00", acked: bool = False) -> dict:
    return {"id": pk, "kind": kind, "level": level, "text": f"{kind} {pk}", "created_at": at,
            "acknowledged_at": "2026-03-02T10:00" if acked else None}


@pytest.mark.safeguard("D1")
def test_the_head_is_the_breach_then_the_highest_level_then_the_oldest():
    row = alerts.group("R1", [a(1, "clock", at="09:01"), a(2, "clock", "controller", at="09:05"),
                              a(3, "breach", at="09:10"), a(4, "clock", acked=True, at="09:00")])
    assert row is not None
    assert (row["id"], row["count"], row["open_levels"]) == (3, 3, ["dispatcher", "controller"])
    assert [h["id"] for h in row["history"]] == [2, 1, 4]  # newest first, the acknowledged one kept
    no_breach = alerts.group("R2", [a(1, "clock", at="09:01"), a(2, "clock", "controller", at="09:05")])
    assert no_breach is not None and no_breach["id"] == 2
    assert alerts.group("R3", [a(1, "clock", acked=True)]) is None


@pytest.mark.safeguard("D1")
def test_rows_order_breaches_first():
    breach = alerts.group("B", [a(1, "breach", at="09:30")])
    high = alerts.group("H", [a(2, "clock", "duty_inspector", at="09:00")])
    assert sorted([high, breach], key=alerts.group_order) == [breach, high]


@pytest.mark.safeguard("D1")
def test_history_is_bounded():
    many = [a(i, "clock", at=f"09:{i:02d}") for i in range(60)]
    row = alerts.group("R", many)
    assert row is not None and len(row["history"]) == alerts.HISTORY_LIMIT


@pytest.mark.safeguard("D1")
def test_ack_reasons_come_from_policy_with_other_always_last():
    policy = Policy()
    assert alerts.ack_reasons(policy)[-1]["code"] == "other"
    policy.values["alert_ack_reasons"] = [{"code": "seen", "label": "Seen"}, {"code": "other", "label": "x"}]
    assert [r["code"] for r in alerts.ack_reasons(policy)] == ["seen", "other"]
    assert alerts.check_reason("seen", "", policy) == ("seen", "Seen")
    assert alerts.check_reason("", "Doing it", policy) == ("other", "Doing it")
    for reason, note, field in [("nope", "", "reason"), ("other", "", "note"), ("", "", "reason"),
                                ("seen", "x" * 501, "note")]:
        with pytest.raises(Invalid) as refused:
            alerts.check_reason(reason, note, policy)
        assert refused.value.details == {"field": field}


def test_filters_parse_and_match():
    policy = Policy()
    assert board_filters.parse({"grade": "emergency", "flag": ""}, policy) == {"grade": "emergency"}
    with pytest.raises(Invalid):
        board_filters.parse({"grade": "nope"}, policy)
    facts = {"grade": "emergency", "area_type": "urban", "category_code": "other", "flags": ["weapons"],
             "pending": True, "breached_at": "x"}
    assert board_filters.matches({"status": "breached", "flag": "weapons"}, facts)
    assert board_filters.matches({"status": "pending"}, facts)
    assert not board_filters.matches({"status": "in_hand"}, facts)
    assert not board_filters.matches({"grade": "none"}, facts)
    assert board_filters.matches({"grade": "none"}, {"grade": None})
    assert board_filters.row_attrs(facts)["status"] == "breached pending"


@pytest.mark.safeguard("D1")
def test_the_reasons_list_is_policy_checked_before_it_is_kept():
    from watchkeeper.core.policy_schemas import shape_problem

    assert shape_problem("alert_ack_reasons", [{"code": "seen", "label": "Seen"}]) is None
    assert "other" in (shape_problem("alert_ack_reasons", [{"code": "other", "label": "Other"}]) or "")
    assert shape_problem("alert_ack_reasons", []) is not None
    assert shape_problem("alert_ack_reasons", [{"code": "seen", "label": "Seen"}] * 2) is not None
