"""The duty roster and staffing over the API. Thin: bodies are validated against the schemas the pages use
(assurance/schemas.py) and run through assurance/operations.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from watchkeeper.assurance import roster
from watchkeeper.assurance.models import Shift
from watchkeeper.assurance.operations import OPERATIONS
from watchkeeper.assurance.schemas import (
    CaseIn,
    ImportIn,
    OutcomeIn,
    OverloadIn,
    OverrideIn,
    ShiftCancelIn,
    ShiftIn,
    TrainingIn,
    WatchIn,
)
from watchkeeper.core import validate as v
from watchkeeper.web.forms import actor_of

router = Router(tags=["assurance"])


def shift_out(s: Shift) -> dict[str, Any]:
    return {"id": s.pk, "user_id": s.user_id, "username": s.user.username, "desk_role": s.desk_role or None,
            "desk": s.desk, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
            "absence": s.absence, "reason": s.reason, "cancelled": s.cancelled_at is not None}


def day_window(day: date | None) -> tuple[datetime, datetime]:
    day = day or timezone.localdate()
    v.sensible(day, "day")
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@router.get("/roster", summary="The duty roster for one local day (shifts and rostered absences, at most 2000)")
def list_roster(request: HttpRequest, day: date | None = None) -> dict[str, Any]:
    actor_of(request, via="api").require("roster.view")
    start, end = day_window(day)
    return {"from": start.isoformat(), "to": end.isoformat(),
            "shifts": [shift_out(s) for s in roster.roster_shifts(start, end)]}


@router.post("/roster/shifts", response={201: dict},
             summary="Roster a shift on a desk role, or a rostered absence (marks the person absent: L8, L9)")
def add_shift(request: HttpRequest, body: ShiftIn) -> Status[dict[str, Any]]:
    s: Shift = OPERATIONS["shift"].run(actor_of(request, via="api"), body)
    return Status(201, shift_out(s))


@router.post("/roster/shifts/{shift_id}/cancel", summary="Cancel a shift with a reason (the row is kept)")
def cancel_shift(request: HttpRequest, shift_id: int, body: ShiftCancelIn) -> dict[str, Any]:
    s: Shift = OPERATIONS["cancel"].run(actor_of(request, via="api"), body, shift_id=shift_id)
    return shift_out(s)


@router.post("/roster/import", response={201: dict},
             summary="Import a roster as CSV: every row checked, all or nothing, problems named by row number")
def import_roster(request: HttpRequest, body: ImportIn) -> Status[dict[str, Any]]:
    shifts: list[Shift] = OPERATIONS["import"].run(actor_of(request, via="api"), body)
    return Status(201, {"imported": len(shifts)})


@router.get("/staffing", summary="Each desk role now against its minimum (policy minimum_staffing), open alerts")
def staffing(request: HttpRequest) -> dict[str, Any]:
    actor_of(request, via="api").require("roster.view")
    data = roster.staffing_now()
    return {"at": data["at"].isoformat(), "in_use": data["in_use"], "desks": data["rows"],
            "alerts": [{"desk_role": a.desk_role, "required": a.required, "on_duty": a.on_duty,
                        "short_from": a.short_from.isoformat(), "missing": a.missing, "text": a.text}
                       for a in data["alerts"]]}


# ------------------------------------------------------------------------------------- A1 training
def lapse_out(lapse: Any) -> dict[str, Any]:
    return {"id": lapse.pk, "username": lapse.user.username, "action": lapse.action, "courses": lapse.courses,
            "log": lapse.log.reference if lapse.log else None, "at": lapse.at.isoformat(),
            "override_reason": lapse.override_reason or None,
            "overridden_at": lapse.overridden_at.isoformat() if lapse.overridden_at else None}


@router.get("/training/compliance", summary="A1: who holds the training their role needs, lapsing soonest first")
def training_compliance(request: HttpRequest, team: str = "", state: str = "") -> dict[str, Any]:
    from watchkeeper.assurance import training

    rows = training.compliance(actor_of(request, via="api"), team=team[:100], state=state[:16])
    for r in rows:
        r["expires_on"] = r["expires_on"].isoformat() if r["expires_on"] else None
    return {"summary": training.summary(rows), "rows": rows}


@router.post("/training/records", response={201: dict}, summary="A1: record a course completed (expiry from policy)")
def record_training(request: HttpRequest, body: TrainingIn) -> Status[dict[str, Any]]:
    r = OPERATIONS["training"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": r.pk, "user_id": r.user_id, "course": r.course,
                        "completed_on": r.completed_on.isoformat(), "expires_on": r.expires_on.isoformat()})


@router.get("/training/lapses", summary="A1: training warnings: your own, your team's, or all (training.view)")
def training_lapses(request: HttpRequest) -> list[dict[str, Any]]:
    from watchkeeper.assurance import training

    return [lapse_out(lapse) for lapse in training.lapses(actor_of(request, via="api"))]


@router.post("/training/lapses/{lapse_id}/override",
             summary="A1: the person warned records why they went ahead without current training")
def training_override(request: HttpRequest, lapse_id: int, body: OverrideIn) -> dict[str, Any]:
    lapse = OPERATIONS["override"].run(actor_of(request, via="api"), body, lapse_id=lapse_id)
    return lapse_out(lapse)


# ------------------------------------------------------------------------------------- A2 anomalies
@router.get("/anomalies", summary="A2: professional standards' queue of anomaly flags (state: open, case, closed)")
def anomaly_queue(request: HttpRequest, state: str = "open") -> list[dict[str, Any]]:
    from watchkeeper.assurance import anomalies

    return [anomalies.describe(f) for f in anomalies.queue(actor_of(request, via="api"), state=state[:8])]


@router.post("/anomalies/{flag_id}/case", summary="A2: open a case on a flag (professional standards)")
def anomaly_case(request: HttpRequest, flag_id: int, body: CaseIn) -> dict[str, Any]:
    from watchkeeper.assurance import anomalies

    return anomalies.describe(OPERATIONS["case"].run(actor_of(request, via="api"), body, flag_id=flag_id))


@router.post("/anomalies/{flag_id}/outcome", summary="A2: record a flag's outcome (professional standards)")
def anomaly_outcome(request: HttpRequest, flag_id: int, body: OutcomeIn) -> dict[str, Any]:
    from watchkeeper.assurance import anomalies

    return anomalies.describe(OPERATIONS["outcome"].run(actor_of(request, via="api"), body, flag_id=flag_id))


@router.post("/anomalies/watch-list", response={201: dict},
             summary="A2: put a person's record on the watch list (a colleague, a neighbour, a public figure)")
def anomaly_watch(request: HttpRequest, body: WatchIn) -> Status[dict[str, Any]]:
    w = OPERATIONS["watch"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": w.pk, "person_id": w.person_id, "kind": w.kind})


# ------------------------------------------------------------------------------------- A4, A5
@router.get("/reports", summary="A4: assurance reports over a date range (response-time compliance by grade and "
                                 "area, the lists of logs, training compliance, staffing against minimum)")
def reports(request: HttpRequest, start: str = "", end: str = "", grade: str = "", area: str = "") -> dict[str, Any]:
    from watchkeeper.assurance import dashboard, training

    actor = actor_of(request, via="api")
    actor.require("reports.view")
    first, last = dashboard.date_range(start[:10], end[:10])
    comp = training.compliance(actor)
    staffing = roster.staffing_now()
    return {"from": first.isoformat(), "to": last.isoformat(),
            "response": dashboard.response_compliance(first, last, grade[:32], area[:10]),
            "lists": [{k: r[k] for k in ("code", "label", "count")} for r in dashboard.log_lists(first, last)],
            "training": training.summary(comp), "staffing": staffing["rows"]}


@router.get("/workload", summary="A5: queue sizes and ages per team, and overload reported in the last 7 days")
def workload(request: HttpRequest) -> dict[str, Any]:
    from watchkeeper.assurance import dashboard

    actor_of(request, via="api").require("reports.view")
    return {"queues": dashboard.queues(),
            "overload": [{"id": o.pk, "username": o.user.username, "team": o.team.name if o.team else None,
                          "reason": o.reason, "at": o.at.isoformat()} for o in dashboard.overload()]}


@router.post("/workload/overload", response={201: dict}, summary="A5: report that you are overloaded, and why")
def report_overload(request: HttpRequest, body: OverloadIn) -> Status[dict[str, Any]]:
    o = OPERATIONS["overload"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": o.pk, "at": o.at.isoformat()})


# ------------------------------------------------------------------------------------- A2 run, A4, A5 more
def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_iso(x) for x in value]
    return value.isoformat() if isinstance(value, date | datetime) else value


@router.post("/anomalies/run", summary="A2: run the anomaly rules now over what is new since the last run "
                                       "(professional standards)")
def anomaly_run(request: HttpRequest) -> dict[str, Any]:
    from watchkeeper.assurance import anomalies

    done = anomalies.run_now(actor_of(request, via="api"))
    if done is None:
        return {"ran": False}
    return {"ran": True, "id": done.pk, "from_seq": done.from_seq, "to_seq": done.to_seq, "scanned": done.scanned,
            "flagged": done.flagged}


def _report_range(request: HttpRequest, start: str, end: str) -> tuple[date, date]:
    from watchkeeper.assurance import dashboard

    actor_of(request, via="api").require("reports.view")
    return dashboard.date_range(start[:10], end[:10])


@router.get("/reports/schemes-ending", summary="A4: special schemes ending in the range, by week, with the schemes "
                                               "behind each figure (filter: grade floor)")
def report_schemes(request: HttpRequest, start: str = "", end: str = "", floor: str = "") -> dict[str, Any]:
    from watchkeeper.assurance import dashboard

    first, last = _report_range(request, start, end)
    return {"from": first.isoformat(), "to": last.isoformat(),
            "weeks": _iso(dashboard.schemes_ending(first, last, floor[:32]))}


@router.get("/reports/overdue", summary="A4: case reviews (P2) and multi-agency actions (P6) due in the range and "
                                        "overdue now, with the cases behind each figure (filter: team)")
def report_overdue(request: HttpRequest, start: str = "", end: str = "", team: str = "") -> dict[str, Any]:
    from watchkeeper.assurance import dashboard

    first, last = _report_range(request, start, end)
    return {"from": first.isoformat(), "to": last.isoformat(),
            "lists": _iso(dashboard.overdue_work(first, last, team[:100]))}


@router.get("/reports/victim-updates", summary="A4: victim updates (P4) sent in the range and not confirmed, by kind, "
                                               "with the updates behind each figure (filter: kind)")
def report_updates(request: HttpRequest, start: str = "", end: str = "", kind: str = "") -> dict[str, Any]:
    from watchkeeper.assurance import dashboard

    first, last = _report_range(request, start, end)
    return {"from": first.isoformat(), "to": last.isoformat(),
            "kinds": _iso(dashboard.unconfirmed_updates(first, last, kind[:32]))}


@router.get("/workload/desks", summary="A5: each desk's queues: size, age of the oldest and how many are on the "
                                       "desk now (referral backlogs when kept)")
def workload_desks(request: HttpRequest) -> dict[str, Any]:
    from watchkeeper.assurance import dashboard

    actor_of(request, via="api").require("reports.view")
    return {"desks": dashboard.desk_queues(), "referrals_kept": dashboard.referral_backlog() is not None}
