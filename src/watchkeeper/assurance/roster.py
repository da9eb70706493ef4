"""Duty roster use cases: rostering a shift or an absence, cancelling one, importing a roster (CSV), and the
sweeper's staffing watch. Each is one unit of work with one audit record."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from watchkeeper.assurance import rules
from watchkeeper.assurance.models import Shift, StaffingAlert
from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.staff.models import User

MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 512 * 1024
MAX_ROW_ERRORS = 50
IMPORT_COLUMNS = ("username", "desk_role", "desk", "starts_at", "ends_at", "absence", "reason")


def local(at: datetime) -> datetime:
    return timezone.localtime(at)


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # the force's local time
    v.sensible(value, field)
    return value


def _clash(user_id: int, starts_at: datetime, ends_at: datetime, absence: bool, exclude: list[Any]) -> Shift | None:
    """A duty shift of the same person overlapping this one (absences may overlap shifts: they win)."""
    if absence:
        return None
    return (Shift.objects.filter(user_id=user_id, absence=False, cancelled_at__isnull=True,
                                 starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(pk__in=exclude).first())


def _new(actor: Actor, user: User, desk_role: str, desk: str, starts_at: datetime, ends_at: datetime,
         absence: bool, reason: str, source: str, now: datetime) -> Shift:
    return Shift(user=user, desk_role="" if absence else desk_role, desk=desk, starts_at=starts_at,
                 ends_at=ends_at, absence=absence, reason=reason, source=source, created_at=now,
                 created_by=actor.user, absence_start_due=starts_at if absence else None,
                 absence_end_due=ends_at if absence else None)


def _brief(s: Shift) -> dict[str, Any]:
    return {"id": s.pk, "user": s.user.username, "desk_role": s.desk_role, "desk": s.desk,
            "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(), "absence": s.absence,
            "reason": s.reason}


def add_shift(actor: Actor, *, user_id: int, desk_role: str = "", desk: str = "", starts_at: datetime,
              ends_at: datetime, absence: bool = False, reason: str = "") -> Shift:
    """Roster someone on a desk role, or a rostered absence (which marks them absent while it lasts, L8/L9)."""
    actor.require("roster.manage")
    desk = v.text(desk, "desk", max_length=100, required=False)
    reason = v.text(reason, "reason", max_length=200, required=False)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    problem = rules.shift_problem(desk_role, starts_at, ends_at, absence, reason)
    if problem:
        raise Invalid(problem[0].upper() + problem[1:] + ".", "ends_at" if "end" in problem else "desk_role")
    with unit_of_work():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound(f"No active member of staff {user_id}.")
        clash = _clash(user.pk, starts_at, ends_at, absence, [])
        if clash:
            raise Refusal(f"{user.username} is already rostered as {clash.get_desk_role_display()} from "
                          f"{local(clash.starts_at):%d %b %H:%M} to {local(clash.ends_at):%d %b %H:%M}.",
                          status=409, next_step="Cancel that shift first, or roster a different time.")
        shift = _new(actor, user, desk_role, desk, starts_at, ends_at, absence, reason, "form", clock.now())
        shift.save()
        audit.record(actor, "roster.absence_added" if absence else "roster.shift_added", "shift", shift.pk,
                     after=_brief(shift))
    return shift


def cancel_shift(actor: Actor, shift_id: int, *, reason: str) -> Shift:
    """A correction: the shift is cancelled with its reason and kept. A rostered absence already begun
    ends at the next sweep (the person is marked back)."""
    actor.require("roster.manage")
    reason = v.text(reason, "reason", max_length=500, required=True)
    with unit_of_work():
        shift = Shift.objects.select_for_update().filter(pk=shift_id).select_related("user").first()
        if shift is None:
            raise NotFound(f"No shift {shift_id}.")
        if shift.cancelled_at is not None:
            raise Refusal("This shift is already cancelled.", status=409)
        now = clock.now()
        shift.cancelled_at, shift.cancelled_by, shift.cancel_reason = now, actor.user, reason
        fields = ["cancelled_at", "cancelled_by", "cancel_reason"]
        if shift.absence:
            # Not yet begun: it never will. Begun: it ends now (the sweeper marks them back).
            shift.absence_start_due = None
            if shift.absence_end_due is not None and shift.starts_at <= now:
                shift.absence_end_due = now
            elif shift.starts_at > now:
                shift.absence_end_due = None
            fields += ["absence_start_due", "absence_end_due"]
        shift.save(update_fields=fields)
        audit.record(actor, "roster.cancelled", "shift", shift.pk, before=_brief(shift),
                     after={"cancelled": True}, reason=reason)
    return shift


def _parse_moment(raw: str) -> datetime:
    raw = raw.strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date and time (YYYY-MM-DD HH:MM)") from None


def import_roster(actor: Actor, *, text: str) -> list[Shift]:
    """A roster as CSV (header: username, desk_role, desk, starts_at, ends_at, absence, reason). Every row is
    checked first; any problem refuses the whole import with every row's problem named by its row number,
    and nothing is written. Bounded: at most MAX_IMPORT_ROWS rows and MAX_IMPORT_BYTES."""
    actor.require("roster.manage")
    if not isinstance(text, str) or not text.strip():
        raise Invalid("The roster is empty: paste or upload a CSV with a header row.", "text")
    if len(text.encode()) > MAX_IMPORT_BYTES:
        raise Invalid(f"The roster is larger than {MAX_IMPORT_BYTES // 1024} KB; import it in parts.", "text")
    problem = v.text_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    if problem:
        raise Invalid(f"The roster {problem}", "text")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise Invalid(f"The roster is not readable CSV: {exc}", "text") from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    absent_cols = [c for c in IMPORT_COLUMNS[:5] if c not in header]
    if absent_cols:
        raise Invalid(f"The header row must name the columns {', '.join(IMPORT_COLUMNS)} "
                      f"({', '.join(absent_cols)} missing).", "text")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise Invalid("The roster has a header and no rows.", "text")
    if len(body) > MAX_IMPORT_ROWS:
        raise Invalid(f"The roster has {len(body)} rows; at most {MAX_IMPORT_ROWS} are imported at once.", "text")
    index = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    usernames = {r[index["username"]].strip() for _, r in body if len(r) > index["username"]}
    with unit_of_work():
        users = {u.username: u for u in User.objects.filter(username__in=list(usernames)[:MAX_IMPORT_ROWS],
                                                            is_active=True)}
        problems: list[rules.RowProblem] = []
        parsed: list[tuple[int, User, str, str, datetime, datetime, bool, str]] = []
        for n, r in body:
            if len(r) != len(header):
                problems.append(rules.RowProblem(n, f"{len(r)} fields where the header has {len(header)}"))
                continue

            def col(name: str, row: list[str] = r) -> str:
                return row[index[name]].strip() if name in index else ""

            user = users.get(col("username"))
            if user is None:
                problems.append(rules.RowProblem(n, f"no active member of staff {col('username')!r}"))
                continue
            flag = col("absence").lower()
            if flag not in ("", "yes", "no", "true", "false", "1", "0", "y", "n"):
                problems.append(rules.RowProblem(n, f"absence must be yes or no, not {flag!r}"))
                continue
            absence = flag in ("yes", "true", "1", "y")
            desk, reason = col("desk"), col("reason")
            if len(desk) > 100 or len(reason) > 200:
                problems.append(rules.RowProblem(n, "desk is at most 100 and reason 200 characters"))
                continue
            try:
                starts_at = _aware(_parse_moment(col("starts_at")), "starts_at")
                ends_at = _aware(_parse_moment(col("ends_at")), "ends_at")
            except (ValueError, Invalid) as exc:
                problems.append(rules.RowProblem(n, getattr(exc, "message", str(exc))))
                continue
            row_problem = rules.shift_problem(col("desk_role"), starts_at, ends_at, absence, reason)
            if row_problem:
                problems.append(rules.RowProblem(n, row_problem))
                continue
            for m, other, _role, _desk, s2, e2, a2, _r in parsed:
                if other.pk == user.pk and not absence and not a2 and rules.overlaps(starts_at, ends_at, s2, e2):
                    problems.append(rules.RowProblem(n, f"overlaps row {m} for {user.username}"))
                    break
            else:
                clash = _clash(user.pk, starts_at, ends_at, absence, [])
                if clash:
                    problems.append(rules.RowProblem(
                        n, f"{user.username} is already rostered from {local(clash.starts_at):%d %b %H:%M} "
                           f"to {local(clash.ends_at):%d %b %H:%M}"))
                    continue
                parsed.append((n, user, col("desk_role"), desk, starts_at, ends_at, absence, reason))
            if len(problems) >= MAX_ROW_ERRORS:
                break
        if problems:
            shown = "; ".join(str(p) for p in problems[:MAX_ROW_ERRORS])
            more = " (the first problems only)" if len(problems) >= MAX_ROW_ERRORS else ""
            refused = Invalid(f"Nothing was imported. {shown}{more}.", "text")
            refused.details["rows"] = [{"row": p.row, "problem": p.message} for p in problems]
            raise refused
        now = clock.now()
        shifts = Shift.objects.bulk_create([
            _new(actor, user, role, desk, s, e, a, reason, "import", now)
            for _n, user, role, desk, s, e, a, reason in parsed])
        audit.record(actor, "roster.imported", "roster", now.isoformat(),
                     after={"rows": len(shifts), "people": len({p[1].pk for p in parsed}),
                            "from": min(p[4] for p in parsed).isoformat(),
                            "to": max(p[5] for p in parsed).isoformat()})
    return shifts


# ------------------------------------------------------------------------------------- reading
def roster_shifts(start: datetime, end: datetime, limit: int = 2000) -> list[Shift]:
    return list(Shift.objects.filter(cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start)
                .select_related("user").order_by("starts_at", "pk")[:limit])


def as_rule_shifts(shifts: list[Shift]) -> list[rules.RosterShift]:
    return [rules.RosterShift(s.user_id, s.user.get_full_name() or s.user.username, s.desk_role, s.starts_at,
                              s.ends_at, s.absence) for s in shifts]


def in_use(now: datetime) -> bool:
    """The roster is in use when anything is rostered within a day either side of now. A force that keeps
    no roster here is not told it is below minimum."""
    return Shift.objects.filter(cancelled_at__isnull=True, starts_at__lt=now + timedelta(days=1),
                                ends_at__gt=now - timedelta(days=1)).exists()


def staffing_now(now: datetime | None = None) -> dict[str, Any]:
    """Each desk role now against its minimum (policy `minimum_staffing`), and the open alerts."""
    now = now or clock.now()
    policy = current_policy()
    shifts = as_rule_shifts(roster_shifts(now - rules.LOOKBACK, now + timedelta(minutes=1)))
    rows = rules.staffing(shifts, policy["minimum_staffing"], now, local)
    return {"at": now, "in_use": in_use(now), "rows": rows, "short": [r for r in rows if not r["met"]],
            "alerts": list(StaffingAlert.objects.filter(resolved_at__isnull=True).order_by("raised_at")[:20])}


# ------------------------------------------------------------------------------------- the sweeper
def fire_absences(now: datetime, limit: int = 200) -> int:
    """L8/L9: a rostered absence that has begun marks its person absent (staff's set_absence: messages to
    the team's queue, reviews to the deputy); one that has ended marks them back, unless another absence
    still covers them. Claimed with a conditional update, so two sweepers never fire one twice."""
    from watchkeeper.staff.actions import set_absence

    fired = 0
    for pk in list(Shift.objects.filter(absence_start_due__lte=now).values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not Shift.objects.filter(pk=pk, absence_start_due__lte=now).update(absence_start_due=None):
                continue
            shift = Shift.objects.select_related("user").get(pk=pk)
            if shift.cancelled_at is None and shift.ends_at > now:
                set_absence(SYSTEM, shift.user_id, absent=True, reason=f"Rostered: {shift.reason}"[:200])
                fired += 1
    for pk in list(Shift.objects.filter(absence_end_due__lte=now).values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not Shift.objects.filter(pk=pk, absence_end_due__lte=now).update(absence_end_due=None):
                continue
            shift = Shift.objects.select_related("user").get(pk=pk)
            still = Shift.objects.filter(user_id=shift.user_id, absence=True, cancelled_at__isnull=True,
                                         starts_at__lte=now, ends_at__gt=now).exclude(pk=pk).exists()
            if not still and shift.user.absent and shift.user.absence_reason.startswith("Rostered: "):
                set_absence(SYSTEM, shift.user_id, absent=False)
                fired += 1
    return fired


def fire_staffing(now: datetime) -> int:
    """A desk role below its minimum raises one alert: the duty inspectors on duty (every active duty
    inspector when none is rostered) are told which desk, how many short, since when and who is no longer
    on. It is resolved when the roster is back at the minimum."""
    from watchkeeper.incidents.actions import _notify

    if not in_use(now):
        return 0
    policy = current_policy()
    shifts = as_rule_shifts(roster_shifts(now - rules.LOOKBACK, now + timedelta(minutes=1)))
    found = {g.desk_role: g for g in rules.gaps(shifts, policy["minimum_staffing"], now, local)}
    changed = 0
    for alert in list(StaffingAlert.objects.filter(resolved_at__isnull=True)):
        if alert.desk_role not in found:
            with unit_of_work():
                if StaffingAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
                    audit.record(SYSTEM, "roster.staffing_restored", "staffing_alert", alert.pk,
                                 after={"desk_role": alert.desk_role})
                    changed += 1
    open_roles = set(StaffingAlert.objects.filter(resolved_at__isnull=True).values_list("desk_role", flat=True))
    for code, gap in found.items():
        if code in open_roles:
            continue
        text = gap.sentence(local)
        try:
            with unit_of_work():
                alert = StaffingAlert.objects.create(
                    desk_role=code, required=gap.required, on_duty=len(gap.on_duty), short_from=gap.short_from,
                    missing=list(gap.missing), text=text, raised_at=now)
                inspectors = [s.user_id for s in shifts if s.desk_role == "duty_inspector" and not s.absence
                              and s.covers(now)]
                told = list(User.objects.filter(pk__in=inspectors, is_active=True)) or list(
                    User.objects.filter(role="duty_inspector", is_active=True).order_by("pk")[:20])
                for person in told:
                    _notify(person, kind="staffing_below_minimum", safeguard="A4", text=text)
                audit.record(SYSTEM, "roster.below_minimum", "staffing_alert", alert.pk,
                             after={"desk_role": code, "required": gap.required, "on_duty": list(gap.on_duty),
                                    "short_from": gap.short_from.isoformat(), "missing": list(gap.missing),
                                    "told": [u.username for u in told]})
                changed += 1
        except IntegrityError:  # another sweeper raised it first
            continue
    return changed
