"""The live boards: dispatcher (pending logs by time to target and risk; units) and command (alerts,
breaches, diverts awaiting a decision). A board is a set of rows keyed by reference, callsign or id; every
change publishes the row as it now is (or its removal) on the "dispatch" topic, so a board that applies
the events after its snapshot's sequence number equals a fresh snapshot. The rows are data (the API and
integrations read them as JSON); the pages draw them with rows.py and the templates, and a board page's
stream receives each one rendered the same way (live.py)."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.config import current_policy
from watchkeeper.core.uow import collect, created_any, new_pks
from watchkeeper.dispatch.models import Alert, Assignment, Divert, ResponseClock, Unit
from watchkeeper.incidents import hooks
from watchkeeper.incidents.models import Log
from watchkeeper.realtime.models import Event
from watchkeeper.realtime.publish import publish, publish_many

TOPIC = "dispatch"


class Held:
    """What dispatch holds on some logs, read together for their rows: clocks, active assignments (with
    their units, oldest first) and which have been diverted from."""

    def __init__(self, ids: list[int]) -> None:
        self.clocks = {c.log_id: c for c in ResponseClock.objects.filter(log_id__in=ids)}
        self.active: dict[int, list[Assignment]] = {}
        # A log raised in this unit of work has no unit assigned and was never diverted from: not read.
        older = [pk for pk in ids if pk not in new_pks(Log)]
        if older:
            for a in (Assignment.objects.filter(log_id__in=older, state__in=Assignment.ACTIVE).select_related("unit")
                      .order_by("assigned_at", "pk")):
                self.active.setdefault(a.log_id, []).append(a)
        self.diverted = (set(Divert.objects.filter(from_log_id__in=older).values_list("from_log_id", flat=True))
                         if older else set())

    def on_board(self) -> set[int]:
        return set(self.clocks) | set(self.active)


def log_row(log: Log, risk: dict[str, Any] | None = None, held: Held | None = None) -> dict[str, Any] | None:
    """A log's board row; None when it is not on the board (closed, or neither graded, nor waiting to be
    graded (D1), nor assigned). It carries the log's officer-safety summary (L12), so a row drawn from a live
    event shows the same badges as a reloaded board; `risk` is that summary and `held` what dispatch holds
    on it when read with other rows."""
    if log.status != "open":
        return None
    held = held or Held([log.pk])
    clk = held.clocks.get(log.pk)
    active = held.active.get(log.pk, [])
    if clk is None and not active:
        return None
    if risk is None:
        risk = hooks.risk_summary(log)
    policy = current_policy()
    diverted = log.pk in held.diverted and not active
    return {
        "reference": log.reference,
        "grade": log.grade,
        "grade_label": policy.grade_label(log.grade),
        "grade_rank": policy.grade_rank(log.grade),
        "category": policy.category_label(log.category),
        "category_code": log.category,
        "summary": log.summary,
        "location": log.location,
        "flags": list(log.flags),
        "vulnerability": ((log.thrive or {}).get("vulnerability") or {}).get("level"),
        "started_at": clk.started_at.isoformat() if clk else None,
        "target_at": clk.target_at.isoformat() if clk and clk.target_at else None,
        "attended_at": clk.attended_at.isoformat() if clk and clk.attended_at else None,
        "breached_at": clk.breached_at.isoformat() if clk and clk.breached_at else None,
        "area_type": clk.area_type if clk else None,
        "units": [{"callsign": a.unit.callsign, "state": a.state, "appointment_at":
                   a.appointment_at.isoformat() if a.appointment_at else None, "assignment": a.pk} for a in active],
        "pending": not active and not (clk and clk.attended_at),
        "diverted": diverted,
        # D1: an emergency-channel log not yet graded: its clock runs to the grading deadline.
        "ungraded": bool(clk and clk.kind == "grading"),
        "risk_summary": risk,
    }


def unit_row(unit: Unit) -> dict[str, Any]:
    active = Assignment.objects.filter(unit=unit, state__in=Assignment.ACTIVE).select_related("log")
    return {
        "callsign": unit.callsign, "status": unit.status, "status_at": unit.status_at.isoformat(),
        "area": unit.area, "area_type": unit.area_type, "skills": list(unit.skills), "on_duty": unit.on_duty,
        "assignments": [{"reference": a.log.reference, "state": a.state, "assignment": a.pk} for a in
                        active.order_by("assigned_at")],
    }


def alert_row(alert: Alert) -> dict[str, Any] | None:
    if alert.acknowledged_at is not None:
        return None
    return {"id": alert.pk, "reference": alert.log.reference, "kind": alert.kind, "level": alert.level,
            "text": alert.text, "created_at": alert.created_at.isoformat(),
            "escalate_at": alert.escalate_at.isoformat() if alert.escalate_at else None,
            "divert": alert.divert_id}


def divert_row(d: Divert) -> dict[str, Any] | None:
    if d.state not in ("awaiting", "escalated"):
        return None
    return {"id": d.pk, "unit": d.unit.callsign, "from": d.from_log.reference, "to": d.to_log.reference,
            "reason": d.reason, "state": d.state, "at": d.at.isoformat(),
            "decide_by": d.decide_by.isoformat() if d.decide_by else None}


def _publish(table: str, key: str, row: dict[str, Any] | None) -> None:
    publish(TOPIC, "row", {"table": table, "key": key, "row": row})


def publish_log(log: Log) -> None:
    publish_logs([log])


def publish_logs(logs: list[Log]) -> None:
    """These logs' rows, as they are when the action's unit of work ends: a row several steps of one action
    change (a contact, its grading clock, its category) is computed and published once, and the rows of
    one action together, their officer-safety summaries read in one go (L12)."""
    collect("dispatch:log-rows", [(log.pk, False) for log in logs], _publish_log_rows)


def publish_logs_if_tracked(logs: list[Log]) -> None:
    """`publish_logs` for logs that may never have been on the board: those dispatch holds nothing on (no
    clock, no unit) publish nothing. Whether they are on the board is decided once, at the end of the unit
    of work, for all of them together (not with two reads per hook that asks)."""
    collect("dispatch:log-rows", [(log.pk, True) for log in logs], _publish_log_rows)


def _publish_log_rows(asked: list[tuple[int, bool]]) -> None:
    """Each log asked for once, in the order first asked; one asked for only if tracked is left out when
    dispatch holds nothing on it (unless also asked for outright: a log leaving the board)."""
    ids = list(dict.fromkeys(pk for pk, _ in asked))
    outright = {pk for pk, only_if_tracked in asked if not only_if_tracked}
    held = Held(ids)
    on_board = held.on_board()
    ids = [pk for pk in ids if pk in outright or pk in on_board]
    if not ids:
        return
    found = Log.objects.in_bulk(ids)
    logs = [found[pk] for pk in ids if pk in found]
    risks = hooks.risk_summaries([log.pk for log in logs if log.status == "open" and log.pk in on_board])
    # A log's alert row shows its grade and clock: drawn again with it when the log has an open alert.
    # A log raised in this unit of work has no alert unless one was made in it: not read.
    fresh = set() if created_any(Alert) else new_pks(Log)
    older = [log.pk for log in logs if log.pk not in fresh]
    alerted = (list(Alert.objects.filter(log_id__in=older, acknowledged_at__isnull=True)
                    .values_list("log_id", flat=True).distinct()) if older else [])
    if alerted:
        collect("dispatch:alert-logs", alerted, _publish_alert_logs)
    publish_many([(TOPIC, "row", {"table": "logs", "key": log.reference,
                                  "row": log_row(log, risks.get(log.pk), held)}, None, None) for log in logs])


def publish_unit(unit: Unit) -> None:
    _publish("units", unit.callsign, unit_row(unit))


def publish_alert(alert: Alert) -> None:
    """The alert's own row, and its log's alert row (one per log, clocks/alerts.py) as it is when the unit of
    work ends."""
    _publish("alerts", str(alert.pk), alert_row(alert))
    collect("dispatch:alert-logs", [alert.log_id], _publish_alert_logs)


def _publish_alert_logs(ids: list[int]) -> None:
    from watchkeeper.clocks.alerts import log_groups

    groups = log_groups(ids)
    refs = dict(Log.objects.filter(pk__in=ids).values_list("pk", "reference"))
    publish_many([(TOPIC, "row", {"table": "alert_logs", "key": refs[pk], "row": groups.get(pk)}, None, None)
                  for pk in ids if pk in refs])


def publish_divert(d: Divert) -> None:
    _publish("diverts", str(d.pk), divert_row(d))


def snapshot() -> dict[str, Any]:
    """The whole board now, with the sequence number it is current to."""
    seq = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    candidates = Log.objects.filter(status="open").filter(
        pk__in=ResponseClock.objects.values("log_id")) | Log.objects.filter(
        status="open", pk__in=Assignment.objects.filter(state__in=Assignment.ACTIVE).values("log_id"))
    logs = {}
    found = list(candidates.distinct())
    risks = hooks.risk_summaries([log.pk for log in found])  # read together: not one read per row
    held = Held([log.pk for log in found])
    for log in found:
        row = log_row(log, risks.get(log.pk), held)
        if row is not None:
            logs[log.reference] = row
    open_alerts = list(Alert.objects.filter(acknowledged_at__isnull=True).select_related("log"))
    alerts = {str(a.pk): alert_row(a) for a in open_alerts}
    diverts = {str(d.pk): divert_row(d) for d in Divert.objects.filter(state__in=["awaiting", "escalated"])
               .select_related("unit", "from_log", "to_log")}
    from watchkeeper.clocks.alerts import log_groups

    # D1: one alert row per log, at its most urgent open alert, the rest folded under it.
    alert_logs = {g["reference"]: g for g in log_groups({a.log_id for a in open_alerts}).values()}
    return {"seq": seq, "logs": logs, "units": {u.callsign: unit_row(u) for u in Unit.objects.all()},
            "alerts": alerts, "alert_logs": alert_logs, "diverts": diverts}


def apply(board: dict[str, Any], payload: dict[str, Any]) -> None:
    """Apply one "row" event to a board (as an integration does; a board page applies the same event
    rendered, see live.py)."""
    table = board[payload["table"]]
    if payload["row"] is None:
        table.pop(payload["key"], None)
    else:
        table[payload["key"]] = payload["row"]
