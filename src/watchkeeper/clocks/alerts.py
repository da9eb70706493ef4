"""Alerts as the boards show them (D1): one row per log, at its most urgent open alert, with the log's other
alerts (earlier thresholds, escalations, acknowledged ones) folded under it; and the reasons a person gives
when acknowledging.

Alerts are kept forever (acknowledging one fills in who, when and why; nothing is deleted): grouping is how
they are read, not a change to what is stored. `urgency` orders both the rows of a board and the alerts of
one log (its head first): breaches first, then the highest level of the chain, then the kind, then the
oldest. The pure part (`urgency`, `group`, `ack_reasons`, `check_reason`) takes plain rows; `log_groups`
reads them from the database for some logs in two bounded queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watchkeeper.core.errors import Invalid
from watchkeeper.core.policy import Policy

CHAIN = ("dispatcher", "controller", "duty_inspector")
# After a breach, the kinds that ask for a decision now, then warnings.
KIND_RANK = {"breach": 0, "divert": 1, "no_units": 2, "divert_approved": 3, "grading": 4, "clock": 5}
# The alerts of one log shown under its row (newest first): earlier thresholds and escalations.
HISTORY_LIMIT = 20
OTHER = "other"
OTHER_MAX = 500


def urgency(row: dict[str, Any]) -> tuple[int, int, int, str, int]:
    """D1: breaches first, then the highest level of the chain (the duty inspector's first), then what asks
    for a decision before warnings, then the oldest (raised together: in order)."""
    level = CHAIN.index(row["level"]) if row["level"] in CHAIN else 0
    return (0 if row["kind"] == "breach" else 1, -level, KIND_RANK.get(row["kind"], 9), row["created_at"], row["id"])


def group(reference: str, alerts: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """One log's alert row: its most urgent open alert (`head`), how many are open and at which levels, and
    the rest of its alerts, newest first (bounded); None when none is open (the row leaves the board)."""
    every = list(alerts)
    open_ = sorted((a for a in every if not a.get("acknowledged_at")), key=urgency)
    if not open_:
        return None
    head = open_[0]
    history = sorted((a for a in every if a["id"] != head["id"]), key=lambda a: (a["created_at"], a["id"]),
                     reverse=True)[:HISTORY_LIMIT]
    return {
        "reference": reference,
        "head": head,
        "id": head["id"], "kind": head["kind"], "level": head["level"], "text": head["text"],
        "created_at": head["created_at"], "escalate_at": head.get("escalate_at"), "divert": head.get("divert"),
        "open": [a["id"] for a in open_],
        "open_levels": sorted({a["level"] for a in open_}, key=lambda lv: CHAIN.index(lv) if lv in CHAIN else 0),
        "count": len(open_),
        "breach": any(a["kind"] == "breach" for a in open_),
        "history": history,
    }


def group_order(row: dict[str, Any]) -> list[Any]:
    """A board's alert rows in the order of their heads (see `urgency`)."""
    return list(urgency(row["head"]))


# ------------------------------------------------------------------------------------ ack reasons
def ack_reasons(policy: Policy) -> list[dict[str, str]]:
    """D1: the reasons offered when acknowledging, then "other" (free text)."""
    configured = policy["alert_ack_reasons"]  # D1: the force's list (policy), then "other"
    found = [{"code": str(r["code"]), "label": str(r["label"])} for r in configured
             if isinstance(r, dict) and r.get("code") and r.get("label") and r.get("code") != OTHER][:20]
    return [*found, {"code": OTHER, "label": "Other (say what)"}]


def check_reason(reason: str, note: str, policy: Policy) -> tuple[str, str]:
    """D1: the reason code and the words recorded for an acknowledgement. A code must be one of the list;
    "other" needs the words (bounded). No code with words is "other"; neither is refused."""
    reason = (reason or "").strip()
    note = (note or "").strip()
    if len(note) > OTHER_MAX:
        raise Invalid(f"note: at most {OTHER_MAX} characters", "note")
    if not reason:
        if not note:
            raise Invalid("reason: choose what you are doing about the alert, or say it in the note", "reason")
        return OTHER, note
    labels = {r["code"]: r["label"] for r in ack_reasons(policy)}
    if reason not in labels:
        raise Invalid(f"reason: {reason[:64]!r} is not one of: {', '.join(labels)}", "reason")
    if reason == OTHER:
        if not note:
            raise Invalid("note: say what you are doing (the reason is \"other\")", "note")
        return OTHER, note
    return reason, labels[reason] + (f": {note}" if note else "")


# ------------------------------------------------------------------------------------------- reading
def alert_dict(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "level": a.level, "text": a.text, "created_at": a.created_at.isoformat(),
            "escalate_at": a.escalate_at.isoformat() if a.escalate_at else None, "divert": a.divert_id,
            "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
            "acknowledged_by": getattr(a.acknowledged_by, "username", None) if a.acknowledged_by_id else None,
            "note": a.note}


def log_groups(log_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The alert row of each of these logs that has an open alert (keyed by log id), read together (the
    logs' alerts, bounded per log)."""
    from watchkeeper.dispatch.models import Alert

    ids = list(dict.fromkeys(log_ids))
    if not ids:
        return {}
    found: dict[int, list[Any]] = {}
    refs: dict[int, Any] = {}
    qs = (Alert.objects.filter(log_id__in=ids).select_related("log", "acknowledged_by")
          .order_by("-created_at", "-pk")[: (HISTORY_LIMIT + 10) * len(ids)])
    for a in qs:
        found.setdefault(a.log_id, []).append(a)
        refs[a.log_id] = a.log
    # An open alert older than the bounded read is still read (an open alert is never left off the board).
    seen = {a.pk for rows in found.values() for a in rows}
    for a in (Alert.objects.filter(log_id__in=ids, acknowledged_at__isnull=True).exclude(pk__in=seen)
              .select_related("log", "acknowledged_by")[:1000]):
        found.setdefault(a.log_id, []).append(a)
        refs[a.log_id] = a.log
    out = {}
    for log_id, alerts in found.items():
        row = group(refs[log_id].reference, [alert_dict(a) for a in alerts])
        if row is not None:
            out[log_id] = row
    return out


def log_facts(references: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What an alert row shows of its log beside its alerts (grade, category, flags, the response clock) and
    the board's filters match, read for the page and each live row (not part of the row's data: those
    change without any alert changing)."""
    from watchkeeper.dispatch.models import Assignment, Divert, ResponseClock
    from watchkeeper.incidents.models import Log

    refs = list(dict.fromkeys(references))[:2000]
    if not refs:
        return {}
    logs = list(Log.objects.filter(reference__in=refs).only("pk", "reference", "grade", "category", "flags",
                                                            "status"))
    pks = [lg.pk for lg in logs]
    clocks = {c.log_id: c for c in ResponseClock.objects.filter(log_id__in=pks)}
    manned = set(Assignment.objects.filter(log_id__in=pks, state__in=Assignment.ACTIVE)
                 .values_list("log_id", flat=True))
    diverted = set(Divert.objects.filter(from_log_id__in=pks).values_list("from_log_id", flat=True))
    out = {}
    for log in logs:
        clk = clocks.get(log.pk)
        out[log.reference] = {
            "grade": log.grade, "category_code": log.category, "flags": list(log.flags or []),
            "area_type": clk.area_type if clk else None,
            "started_at": clk.started_at.isoformat() if clk else None,
            "target_at": clk.target_at.isoformat() if clk and clk.target_at else None,
            "attended_at": clk.attended_at.isoformat() if clk and clk.attended_at else None,
            "breached_at": clk.breached_at.isoformat() if clk and clk.breached_at else None,
            "ungraded": bool(clk and clk.kind == "grading"), "units": [],
            "pending": log.pk not in manned and not (clk and clk.attended_at),
            "diverted": log.pk in diverted and log.pk not in manned,
        }
    return out


def open_log_ids() -> list[int]:
    """The logs with an open alert."""
    from watchkeeper.dispatch.models import Alert

    return list(Alert.objects.filter(acknowledged_at__isnull=True).values_list("log_id", flat=True).distinct())
