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


# ------------------------------------------------------------------------------- A4: schemes, cases, victims
def _week(at: datetime) -> date:
    day = timezone.localtime(at).date()
    return day - timedelta(days=day.weekday())


def schemes_ending(first: date, last: date, floor: str = "") -> list[dict[str, Any]]:
    """A4: special schemes (M2) ending in the range and not removed, by the week they end (Monday), each with
    the schemes behind it and whether its review is still to be done."""
    from watchkeeper.people.models import SpecialScheme

    lo, hi = _bounds(first, last)
    rows = SpecialScheme.objects.filter(ends_at__gte=lo, ends_at__lt=hi, removed_at__isnull=True)
    if floor:
        rows = rows.filter(grade_floor=floor)
    weeks: dict[date, dict[str, Any]] = {}
    for s in rows.select_related("officer", "review_task").order_by("ends_at", "pk")[:MAX_DRILL * 4]:
        week = weeks.setdefault(_week(s.ends_at), {"week": _week(s.ends_at), "count": 0, "unreviewed": 0,
                                                   "items": []})
        reviewed = s.review_task is not None and s.review_task.state == "done"
        week["count"] += 1
        week["unreviewed"] += 0 if reviewed else 1
        if len(week["items"]) < MAX_DRILL:
            week["items"].append({"id": s.pk, "person_id": s.victim_id, "ends_at": s.ends_at,
                                  "grade_floor": s.grade_floor, "officer": s.officer.display,
                                  "reviewed": reviewed})
    return [{**w, "label": f"w/c {w['week']:%d %b %Y}"} for _, w in sorted(weeks.items())]


def overdue_work(first: date, last: date, team: str = "") -> list[dict[str, Any]]:
    """A4: case reviews (P2) and multi-agency actions (P6) due in the range and overdue now (a review not done
    by its date on an open case; an action not completed), each with the cases behind it."""
    from watchkeeper.cases.models import AgencyAction, Case

    lo, hi = _bounds(first, last)
    now = clock.now()
    cap = min(hi, now)
    reviews = Case.objects.filter(state="open", review_due_at__gte=lo, review_due_at__lt=cap)
    actions = AgencyAction.objects.filter(completed_at__isnull=True, due_at__gte=lo, due_at__lt=cap)
    if team:
        reviews = reviews.filter(team__name=team)
        actions = actions.filter(case__team__name=team)

    def age(due: datetime | None) -> int:
        return int((now - due).total_seconds() // 86400) if due else 0

    return [
        {"code": "reviews", "label": "Case reviews overdue (P2)", "count": reviews.count(),
         "items": [{"case_id": c.pk, "reference": c.reference, "what": c.title, "due_at": c.review_due_at,
                    "days_overdue": age(c.review_due_at), "owner": c.supervisor.display}
                   for c in reviews.select_related("supervisor").order_by("review_due_at", "pk")[:MAX_DRILL]]},
        {"code": "actions", "label": "Multi-agency actions overdue (P6)", "count": actions.count(),
         "items": [{"case_id": a.case_id, "reference": a.case.reference, "what": a.description[:200],
                    "due_at": a.due_at, "days_overdue": age(a.due_at),
                    "owner": a.owner.display if a.owner else a.agency}
                   for a in actions.select_related("case", "owner").order_by("due_at", "pk")[:MAX_DRILL]]},
    ]


def unconfirmed_updates(first: date, last: date, kind: str = "") -> list[dict[str, Any]]:
    """A4: victim updates (P4) sent in the range whose delivery is not confirmed: awaiting confirmation past
    the policy's `victim_update_confirm_hours`, or failed; by the kind of update, with the updates behind it."""
    from watchkeeper.cases.models import VictimUpdate
    from watchkeeper.cases.rules import CHANNELS, UPDATE_KINDS
    from watchkeeper.core.config import current_policy

    lo, hi = _bounds(first, last)
    late = clock.now() - timedelta(hours=current_policy()["victim_update_confirm_hours"])
    rows = VictimUpdate.objects.filter(sent_at__gte=lo, sent_at__lt=hi).filter(
        Q(outcome="pending", sent_at__lt=late) | Q(outcome="failed"))
    if kind:
        rows = rows.filter(kind=kind)
    out = []
    for code, label in UPDATE_KINDS.items():
        mine = rows.filter(kind=code)
        pending = mine.filter(outcome="pending")
        n = mine.count()
        if not n and kind != code:
            continue
        out.append({"code": code, "label": label, "count": n, "pending": pending.count(),
                    "failed": n - pending.count(), "escalated": mine.filter(escalated_at__isnull=False).count(),
                    "items": [{"case_id": u.case_id, "reference": u.case.reference, "channel":
                               CHANNELS.get(u.channel, u.channel), "sent_at": u.sent_at, "outcome": u.outcome,
                               "escalated": u.escalated_at is not None, "by": u.by.display}
                              for u in mine.select_related("case", "by").order_by("sent_at", "pk")[:MAX_DRILL]]})
    return out


# ------------------------------------------------------------------------------- A5: queues per desk
def _age(oldest: datetime | None, now: datetime) -> int:
    return max(0, int((now - oldest).total_seconds() // 60)) if oldest else 0


def referral_backlog() -> list[dict[str, Any]] | None:
    """A5: the referral queues' backlogs when the referrals app offers them (`referrals.queries.backlog`);
    None when it does not."""
    from django.apps import apps

    if not apps.is_installed("watchkeeper.referrals"):
        return None
    try:
        from watchkeeper.referrals import queries as referral_queries
    except ImportError:
        return None
    backlog = getattr(referral_queries, "backlog", None)
    if backlog is None:
        return None
    out = []
    for b in backlog():
        row = b.as_dict() if hasattr(b, "as_dict") else dict(b)
        out.append({"queue": str(row.get("queue", "")), "size": int(row.get("size", 0)),
                    "age_minutes": int(row.get("oldest_days", 0)) * 1440, "overdue": int(row.get("overdue", 0))})
    return out


def desk_queues() -> list[dict[str, Any]]:
    """A5: each desk's queues: their size and the age of the oldest item, beside how many are on that desk now
    (the roster), so a supervisor sees where the room is overloaded: logs awaiting dispatch (dispatcher),
    downgrades awaiting authorisation and risk assessments awaiting review (supervisor), case reviews due and
    cases awaiting allocation (supervisor), and the referral queues when the referrals app keeps them."""
    from watchkeeper.assurance.roster import staffing_now
    from watchkeeper.cases.models import Case
    from watchkeeper.dispatch.models import Assignment
    from watchkeeper.incidents.models import DowngradeRequest, Log
    from watchkeeper.risk.models import Assessment

    now = clock.now()
    on = {r["desk_role"]: r["count"] for r in staffing_now()["rows"]}

    def q(desk: str, queue: str, rows: Any, field: str) -> dict[str, Any]:
        agg = rows.aggregate(size=Count("pk"), oldest=Min(field))
        per = round(agg["size"] / on[desk], 1) if on.get(desk) else None
        return {"desk_role": desk, "queue": queue, "size": agg["size"], "age_minutes": _age(agg["oldest"], now),
                "on_duty": on.get(desk, 0), "per_person": per}

    busy = Assignment.objects.filter(state__in=Assignment.ACTIVE).values("log_id")
    out = [
        q("dispatcher", "Open logs awaiting dispatch (no unit assigned)",
          Log.objects.filter(status="open").exclude(pk__in=busy), "created_at"),
        q("supervisor", "Downgrades awaiting authorisation (L5)", DowngradeRequest.objects.filter(state="pending"),
          "requested_at"),
        q("supervisor", "Risk assessments awaiting review (R3)", Assessment.objects.filter(state="awaiting_review"),
          "submitted_at"),
        q("supervisor", "Case reviews due (P2)", Case.objects.filter(state="open", review_due_at__lte=now),
          "review_due_at"),
        q("supervisor", "Cases awaiting allocation (P1)", Case.objects.filter(state="open", queued=True),
          "opened_at"),
    ]
    for b in referral_backlog() or []:
        out.append({"desk_role": "referrals", "queue": f"Referrals: {b['queue']}", "size": b["size"],
                    "age_minutes": b["age_minutes"], "on_duty": None, "per_person": None})
    for row in out:
        row["label"] = f"{row['queue']}"
    return out
