"""Board rows as the pages draw them, one way for the page and the live stream.

`boards.py` says what a row is (plain data, the snapshot and the reducer); this module says how a page shows
it: which table of which page holds it (`place`), the words for its codes and what the viewer's role may do
with it (`decorate_*`, `viewer_context`), its order (`data-sort`, so the browser inserts a live row where a
reload would put it), and its HTML, always from the same templates (`dispatch/_*_row.html`). The page
includes those templates; the live stream renders them per event and role (`live.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse

from watchkeeper.clocks import alerts
from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.dispatch import rules
from watchkeeper.staff.roles import allowed

# Where each kind of alert starts in the escalation chain (D1/D2/D3); an alert above its start was escalated.
ALERT_ORIGIN = {"clock": "dispatcher", "breach": "dispatcher", "grading": "dispatcher", "no_units": "controller",
                "divert": "controller", "divert_approved": "duty_inspector"}
ALERT_KINDS = {"clock": "Clock", "breach": "Breach", "grading": "Ungraded", "divert": "Divert",
               "divert_approved": "Find another unit", "no_units": "No units"}
LEVELS = {"dispatcher": "Dispatcher", "controller": "Controller", "duty_inspector": "Duty inspector"}
LEVEL_SHAPES = {"dispatcher": "●", "controller": "◆", "duty_inspector": "▲"}
UNIT_SHAPES = {"available": "○", "assigned": "◐", "en_route": "▶", "at_scene": "●", "committed": "◇",
               "off_duty": "–"}
UNIT_STATUSES = {"available": "Available", "assigned": "Assigned", "en_route": "En route", "at_scene": "At scene",
                 "committed": "Committed", "off_duty": "Off duty"}
ASSIGNMENT_STATES = {"assigned": "Assigned", "en_route": "En route", "at_scene": "At scene", "cleared": "Cleared",
                     "diverted": "Diverted", "cancelled": "Cancelled"}
# What an assignment can become next from the board (D4: forward only), in the order the buttons show.
NEXT_STATES = {"assigned": ["en_route", "at_scene", "cleared"], "en_route": ["at_scene", "cleared"],
               "at_scene": ["cleared"]}
STATE_BUTTONS = {"en_route": ("En route", "e"), "at_scene": ("At scene", "s"), "cleared": ("Clear", "l")}

# The pages that show board rows (their URL names), and the row template of each kind and its variable.
PAGES = {"board": "dispatch-board", "command": "dispatch-command"}
TEMPLATES = {"logs": ("dispatch/_log_row.html", "row"), "breaches": ("dispatch/_breach_row.html", "row"),
             "units": ("dispatch/_unit_row.html", "u"), "alerts": ("dispatch/_alert_row.html", "a"),
             "alert_logs": ("dispatch/_alert_row.html", "a"), "diverts": ("dispatch/_divert_row.html", "d")}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_TARGET = 9e12  # a log with no target sorts after every log with one (seconds since 1970)


# ------------------------------------------------------------------------------------------ order
def _fact(row: dict[str, Any]) -> rules.PendingFact:
    target = datetime.fromisoformat(row["target_at"]) if row.get("target_at") else None
    return rules.PendingFact(reference=row["reference"], grade_rank=row.get("grade_rank"), target_at=target,
                             flags=row.get("flags") or [], diverted=bool(row.get("diverted")))


def ordered_logs(rows: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The dispatcher board's order (rules.pending_order_key): least time to target, then grade, then risk."""
    return sorted(rows, key=lambda r: rules.pending_order_key(_fact(r), now))


def alert_order(alert: dict[str, Any]) -> tuple[int, str, int]:
    """Alerts by level (the duty inspector's first), then the oldest first (raised together: in order)."""
    return (-rules.ESCALATION_CHAIN.index(alert["level"]), alert["created_at"], alert["id"])


def divert_order(d: dict[str, Any]) -> tuple[str, str, int]:
    """Diverts by their decision deadline (escalated ones, which have none, last), then the oldest."""
    return (d["decide_by"] or "9999", d["at"], d["id"])


def sort_key(table: str, row: dict[str, Any]) -> list[Any]:
    """A row's place in its table, as the browser compares it (element by element) to insert a live row
    where a reload puts it: the same order as `ordered_logs`, `alert_order`, `divert_order`, callsigns."""
    if table in ("logs", "breaches"):
        key = list(rules.pending_order_key(_fact(row), EPOCH))  # time to target from 1970: the target itself
        if key[0] == float("inf"):
            key[0] = NO_TARGET
        return key
    if table == "alerts":
        return list(alert_order(row))
    if table == "alert_logs":
        return alerts.group_order(row)
    if table == "diverts":
        return list(divert_order(row))
    return [row["callsign"]]


def _sorted(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "sort": json.dumps(sort_key(table, row), separators=(",", ":"))}


# ------------------------------------------------------------------------------------- who may do what
def may_acknowledge(role: str, level: str) -> bool:
    """D1: whether this person may acknowledge an alert at this level (their level or above)."""
    try:
        rules.check_acknowledger(role, level)
    except Refusal:
        return False
    return True


def escalated(alert: dict[str, Any]) -> bool:
    origin = ALERT_ORIGIN.get(alert["kind"], "dispatcher")
    return rules.ESCALATION_CHAIN.index(alert["level"]) > rules.ESCALATION_CHAIN.index(origin)


def viewer_context(page: str, role: str, policy: Policy) -> dict[str, Any]:
    """What a row template needs beside its row: the viewer's permissions, the page forms return to."""
    return {"policy": policy, "here": reverse(PAGES.get(page, "dispatch-board")), "errors": {},
            "may_assign": allowed(role, "dispatch.assign"), "may_update": allowed(role, "dispatch.update"),
            "may_decide": allowed(role, "dispatch.decide")}


# ------------------------------------------------------------------------------------------ shaping
def unit_choices(units: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units a dispatcher may send (on duty; available ones first), as the unit choosers list them. A log's
    chooser leaves out the units already on it; the page keeps the whole list (`#unit-choices`), so a
    chooser is brought up to date when units change without redrawing every log row."""
    free = [decorate_unit(u) for u in units if u["on_duty"]]
    return sorted(free, key=lambda u: (u["status"] != "available", u["callsign"]))


def decorate_log(row: dict[str, Any], policy: Policy, choices: list[dict[str, Any]],
                 table: str = "logs") -> dict[str, Any]:
    """What the log and breach templates need beside the row's own data."""
    row = _sorted(table, row)
    row["flag_labels"] = [policy.flag_label(f) for f in row.get("flags") or []]
    row["assignments"] = [{**u, "state_label": ASSIGNMENT_STATES.get(u["state"], u["state"]),
                           "next": [(s, *STATE_BUTTONS[s]) for s in NEXT_STATES.get(u["state"], [])]}
                          for u in row.get("units") or []]
    on_log = [u["callsign"] for u in row.get("units") or []]
    row["on_log"] = " ".join(on_log)
    row["choices"] = [u for u in choices if u["callsign"] not in on_log]
    return row


def decorate_unit(row: dict[str, Any]) -> dict[str, Any]:
    return {**_sorted("units", row), "status_label": UNIT_STATUSES.get(row["status"], row["status"]),
            "status_shape": UNIT_SHAPES.get(row["status"], ""),
            "assignments": [{**a, "state_label": ASSIGNMENT_STATES.get(a["state"], a["state"])}
                            for a in row.get("assignments") or []]}


def decorate_alert(row: dict[str, Any], role: str, open_diverts: Iterable[str]) -> dict[str, Any]:
    """A divert's alert is answered by deciding the divert (D2), so it links there while the divert is open."""
    return {**_sorted("alerts", row), "kind_label": ALERT_KINDS.get(row["kind"], row["kind"]),
            "decide_divert": bool(row.get("divert")) and str(row["divert"]) in set(open_diverts),
            "level_label": LEVELS.get(row["level"], row["level"]), "level_shape": LEVEL_SHAPES.get(row["level"], ""),
            "escalated": escalated(row), "may_ack": may_acknowledge(role, row["level"])}


def decorate_alert_log(row: dict[str, Any], role: str, open_diverts: Iterable[str], policy: Policy,
                       facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """D1: a log's alert row (one per log, clocks/alerts.py): its most urgent alert's words and level, the
    alerts folded under it, the log's grade and clock (`facts`), and what this person may acknowledge: the
    most urgent open alert at their level or below (acknowledging it answers those under it)."""
    head = decorate_alert(row["head"], role, open_diverts)
    shown = {**head, **{k: v for k, v in row.items() if k != "head"}, "sort": json.dumps(
        sort_key("alert_logs", row), separators=(",", ":"))}
    shown["escalated"] = head["escalated"]
    mine = [a for a in sorted((row["head"], *[h for h in row["history"] if not h.get("acknowledged_at")]),
                              key=alerts.urgency)
            if may_acknowledge(role, a["level"]) and not (a.get("divert") and str(a["divert"]) in set(open_diverts))]
    shown["ack_id"] = mine[0]["id"] if mine else None
    shown["may_ack"] = bool(mine)
    shown["history"] = [{**h, "kind_label": ALERT_KINDS.get(h["kind"], h["kind"]),
                         "level_label": LEVELS.get(h["level"], h["level"]),
                         "level_shape": LEVEL_SHAPES.get(h["level"], "")} for h in row["history"]]
    shown["reasons"] = alerts.ack_reasons(policy)
    shown["facts"] = facts or {}
    return shown


def decorate_divert(row: dict[str, Any]) -> dict[str, Any]:
    return _sorted("diverts", row)


# ------------------------------------------------------------------------------------------ placing
def place(page: str, table: str, row: dict[str, Any] | None) -> tuple[str, str] | None:
    """Which table body on this page holds a row, and which template draws it there (None: not shown)."""
    if row is None:
        return None
    if page == "board":
        if table == "logs":
            return ("pending-body" if row["pending"] else "inhand-body"), "logs"
        if table == "units":
            return "units-body", "units"
        if table == "alert_logs" and "dispatcher" in row["open_levels"]:
            return "alerts-body", "alert_logs"
        return None
    if page == "command":
        if table == "logs":
            return ("breaches-body", "breaches") if row.get("breached_at") else None
        if table == "alert_logs":
            return ("escalations-body" if escalated(row["head"]) else "alerts-body"), "alert_logs"
        if table == "diverts":
            return "diverts-body", "diverts"
    return None


def say(page: str, table: str, row: dict[str, Any]) -> str:
    """What a screen reader hears when the row first appears on this page."""
    if table == "logs" and page == "board" and row.get("pending"):
        return f"{row['reference']} is pending: no unit on it."
    if table == "logs" and page == "command":
        return f"{row['reference']}: response target breached."
    if table in ("alerts", "alert_logs"):
        return f"Alert on {row['reference']}: {row['text']}"
    if table == "diverts":
        return f"Divert of {row['unit']} from {row['from']} awaits a decision."
    return ""
