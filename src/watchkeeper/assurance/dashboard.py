"""A4 assurance reports and A5 workload, as read models: each report is rows for a table (and the chart
drawn from the same rows), over a date range with filters, bounded, with the logs behind a figure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from watchkeeper.assurance.models import OverloadReport
from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid
from watchkeeper.core.uow import unit_of_work

MAX_RANGE_DAYS = 366
MAX_DRILL = 500


def date_range(start: str, end: str) -> tuple[date, date]:
    """The report's local days (inclusive); the last 30 days by default; at most a year."""
    today = timezone.localtime(clock.now()).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        raise Invalid("Dates are YYYY-MM-DD.", "from") from None
    v.sensible(first, "from")
    v.sensible(last, "to")
    if first > last:
        raise Invalid("The range must start on or before its end.", "from")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid(f"A report covers at most {MAX_RANGE_DAYS} days.", "from")
    return first, last


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(first, time.min)),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)))


def response_compliance(first: date, last: date, grade: str = "", area: str = "") -> list[dict[str, Any]]:
    """A4: response-time compliance by grade and area: clocks started in the range with a target; met
    (attended by the target), breached, still running."""
    from watchkeeper.dispatch.models import ResponseClock

    lo, hi = _bounds(first, last)
    rows = ResponseClock.objects.filter(started_at__gte=lo, started_at__lt=hi, target_at__isnull=False)
    if grade:
        rows = rows.filter(grade=grade)
    if area:
        rows = rows.filter(area_type=area)
    out = []
    for r in (rows.values("grade", "area_type").annotate(
            total=Count("pk"),
            met=Count("pk", filter=Q(attended_at__isnull=False, breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)))
            .order_by("grade", "area_type")[:200]):
        decided = r["met"] + r["breached"]
        out.append({"grade": r["grade"] or "—", "area": r["area_type"], "total": r["total"], "met": r["met"],
                    "breached": r["breached"], "running": r["total"] - decided,
                    "percent": round(100 * r["met"] / decided) if decided else None})
    return out


def response_logs(first: date, last: date, grade: str, area: str) -> list[dict[str, Any]]:
    """The logs behind a response-time figure: breached first."""
    from watchkeeper.dispatch.models import ResponseClock

    lo, hi = _bounds(first, last)
    rows = ResponseClock.objects.filter(started_at__gte=lo, started_at__lt=hi, target_at__isnull=False,
                                        grade=grade or None, area_type=area).select_related("log")
    return [{"reference": c.log.reference, "started_at": c.started_at, "target_at": c.target_at,
             "attended_at": c.attended_at, "breached": c.breached_at is not None}
            for c in rows.order_by(F("breached_at").desc(nulls_last=True), "started_at")[:MAX_DRILL]]


def log_lists(first: date, last: date) -> list[dict[str, Any]]:
    """A4: the counts of the existing lists over the range (grades below policy, downgrades, flagged closures,
    cancellations), each with the logs behind it."""
    from watchkeeper.incidents.models import Grading, Log

    lo, hi = _bounds(first, last)
    below = Grading.objects.filter(below_policy=True, at__gte=lo, at__lt=hi)
    down = Grading.objects.filter(authorised_by__isnull=False, at__gte=lo, at__lt=hi)
    flagged = Log.objects.filter(status="closed", closing_authorised_by__isnull=False, closed_at__gte=lo,
                                 closed_at__lt=hi)
    cancelled = Log.objects.filter(status="cancelled", closed_at__gte=lo, closed_at__lt=hi)
    return [
        {"code": "below", "label": "Grades below the policy grade (C4)", "count": below.count(),
         "refs": list(below.order_by("-at").values_list("log__reference", flat=True)[:MAX_DRILL])},
        {"code": "downgrades", "label": "Downgrades (L5)", "count": down.count(),
         "refs": list(down.order_by("-at").values_list("log__reference", flat=True)[:MAX_DRILL])},
        {"code": "flagged", "label": "Flagged logs closed on a supervisor's authority (L10)", "count": flagged.count(),
         "refs": list(flagged.order_by("-closed_at").values_list("reference", flat=True)[:MAX_DRILL])},
        {"code": "cancelled", "label": "Cancelled logs", "count": cancelled.count(),
         "refs": list(cancelled.order_by("-closed_at").values_list("reference", flat=True)[:MAX_DRILL])},
    ]


def queues() -> list[dict[str, Any]]:
    """A5: each team's queue: unread items and the age of the oldest."""
    from watchkeeper.incidents.models import Notification

    now = clock.now()
    rows = (Notification.objects.filter(team__isnull=False, read_at__isnull=True).values("team__name")
            .annotate(size=Count("pk"), oldest=Min("created_at")).order_by("-size")[:200])
    return [{"team": r["team__name"], "size": r["size"],
             "age_minutes": int((now - r["oldest"]).total_seconds() // 60) if r["oldest"] else 0} for r in rows]


def overload(days: int = 7) -> list[OverloadReport]:
    since = clock.now() - timedelta(days=days)
    return list(OverloadReport.objects.filter(at__gte=since).select_related("user", "team").order_by("-at")[:200])


def report_overload(actor: Actor, *, reason: str) -> OverloadReport:
    """A5: a member of staff records that they are overloaded, and why; their supervisor is told."""
    from watchkeeper.incidents.actions import _notify

    actor.require("workload.report")
    reason = v.text(reason, "reason", max_length=1000, required=True)
    user = actor.person
    with unit_of_work():
        report = OverloadReport.objects.create(user=user, team=user.team, reason=reason, at=clock.now())
        supervisor = user.team.supervisor if user.team and user.team.supervisor_id else None
        if supervisor is not None and supervisor.pk != user.pk:
            _notify(supervisor, kind="overload", safeguard="A5",
                    text=f"A5: {user.get_full_name() or user.username} reports overload: {reason}")
        audit.record(actor, "workload.overload", "overload_report", report.pk,
                     after={"team": user.team.name if user.team else None}, reason=reason)
    return report


def chart(rows: list[dict[str, Any]], label: str, value: str, scale: int | None = None) -> dict[str, Any]:
    """A horizontal bar chart drawn server-side as SVG from the same rows as its table."""
    top = scale or max([int(r[value] or 0) for r in rows] + [1])
    bars = []
    for i, r in enumerate(rows[:30]):
        n = int(r[value] or 0)
        bars.append({"y": 8 + i * 26, "label": str(r[label]), "value": n, "missing": r[value] is None,
                     "width": round(300 * n / top) if top else 0})
    return {"bars": bars, "height": 16 + 26 * len(bars), "top": top}
