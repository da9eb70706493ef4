"""The duty roster's decisions, as pure functions over plain data and the policy (no Django).

Minimum staffing (policy `minimum_staffing`): for each desk role, bands of the day in local wall time
("HH:MM"; "24:00" is midnight; a band whose end is before its start runs past midnight). Shifts are
instants (aware datetimes), so a band is found from the local time of day of the moment asked about: on the
nights the clocks change a shift keeps its real length and the band its wall-clock hours.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

DESK_ROLES: dict[str, str] = {
    "call_handler": "Call handler",
    "dispatcher": "Dispatcher",
    "controller": "Controller",
    "support_operator": "Support / intelligence operator",
    "duty_inspector": "Duty inspector",
    "supervisor": "Supervisor",
}
# The longest shift or rostered absence one row may hold; longer absences are rostered as several rows.
MAX_SHIFT_HOURS = 24
MAX_ABSENCE_DAYS = 31
# How far back a gap is traced to say since when the roster has been short.
LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class RosterShift:
    """One shift or rostered absence, as the rules see it."""

    user_id: int
    name: str
    desk_role: str
    starts_at: datetime
    ends_at: datetime
    absence: bool = False

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Gap:
    """A desk role below its minimum: how many are on, how many are needed, since when, and who is missing
    (whose shift ended or absence began when the gap opened)."""

    desk_role: str
    required: int
    on_duty: tuple[str, ...]
    short_from: datetime
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return DESK_ROLES.get(self.desk_role, self.desk_role)

    def sentence(self, local: Any = None) -> str:
        when = (local(self.short_from) if local else self.short_from).strftime("%H:%M on %d %b")
        who = f" ({', '.join(self.missing)} no longer on)" if self.missing else ""
        return (f"Below minimum staffing: {self.label} {len(self.on_duty)} on duty of {self.required} needed, "
                f"since {when}{who}.")


def _hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def band_covers(start: str, end: str, local_time: time) -> bool:
    """True when the band [start, end) holds this local time of day; an end before the start runs past
    midnight, and a band from a time to the same time is the whole day."""
    minute = local_time.hour * 60 + local_time.minute
    s, e = _hhmm(start), _hhmm(end)
    if s == e or (s == 0 and e == 24 * 60):
        return True
    if s < e:
        return s <= minute < e
    return minute >= s or minute < e


def required(bands: Iterable[dict[str, Any]], desk_role: str, local_time: time) -> int:
    """The minimum for a desk role at a local time: the highest of the bands that hold it (0 when none)."""
    return max((int(b["minimum"]) for b in bands
                if b["desk_role"] == desk_role and band_covers(b["start"], b["end"], local_time)), default=0)


def on_duty(shifts: Iterable[RosterShift], desk_role: str, at: datetime) -> list[RosterShift]:
    """The people on a desk role at an instant: a duty shift covering it, and no rostered absence covering
    it for the same person."""
    shifts = list(shifts)
    away = {s.user_id for s in shifts if s.absence and s.covers(at)}
    seen: dict[int, RosterShift] = {}
    for s in shifts:
        if not s.absence and s.desk_role == desk_role and s.covers(at) and s.user_id not in away:
            seen.setdefault(s.user_id, s)
    return list(seen.values())


def staffing(shifts: Sequence[RosterShift], bands: Sequence[dict[str, Any]], at: datetime,
             local: Any) -> list[dict[str, Any]]:
    """Each desk role at `at`: who is on, the minimum and whether it is met. `local` turns an instant into
    the force's local time."""
    t = local(at).time()
    out = []
    for code, label in DESK_ROLES.items():
        people = on_duty(shifts, code, at)
        need = required(bands, code, t)
        out.append({"desk_role": code, "label": label, "on_duty": sorted(p.name for p in people),
                    "count": len(people), "minimum": need, "short": max(0, need - len(people)),
                    "met": len(people) >= need})
    return out


def gaps(shifts: Sequence[RosterShift], bands: Sequence[dict[str, Any]], at: datetime, local: Any) -> list[Gap]:
    """Every desk role below its minimum at `at`, with the moment it fell short: the earliest point, tracing
    back through the roster's changes (shift edges and band edges) within LOOKBACK, since which it has been
    short throughout."""
    found = []
    for code in DESK_ROLES:
        need = required(bands, code, local(at).time())
        people = on_duty(shifts, code, at)
        if len(people) >= need:
            continue
        since = _short_since(shifts, bands, code, at, local)
        missing = sorted({s.name for s in shifts
                          if (not s.absence and s.desk_role == code and s.ends_at == since)
                          or (s.absence and s.starts_at == since
                              and any(d.user_id == s.user_id and d.desk_role == code and not d.absence
                                      and d.covers(since) for d in shifts))})
        found.append(Gap(code, need, tuple(sorted(p.name for p in people)), since, tuple(missing)))
    return found


def _edges(shifts: Sequence[RosterShift], bands: Sequence[dict[str, Any]], code: str, at: datetime,
           local: Any) -> list[datetime]:
    """Instants at or before `at` (within LOOKBACK) where the count or the minimum may change."""
    floor = at - LOOKBACK
    points = {floor}
    for s in shifts:
        for p in (s.starts_at, s.ends_at):
            if floor <= p <= at:
                points.add(p)
    # Band edges: every whole minute where a band of this role starts or ends, found hour by hour.
    minutes = {_hhmm(b[k]) % (24 * 60) for b in bands if b["desk_role"] == code for k in ("start", "end")}
    probe = floor.replace(second=0, microsecond=0)
    while probe <= at:
        lt = local(probe)
        for m in minutes:
            if lt.hour == m // 60:
                edge = probe + timedelta(minutes=m % 60 - lt.minute)
                if floor <= edge <= at:
                    points.add(edge)
        probe += timedelta(hours=1)
    return sorted(points, reverse=True)


def _short_since(shifts: Sequence[RosterShift], bands: Sequence[dict[str, Any]], code: str, at: datetime,
                 local: Any) -> datetime:
    since = at
    for edge in _edges(shifts, bands, code, at, local):
        if len(on_duty(shifts, code, edge)) < required(bands, code, local(edge).time()):
            since = edge
        else:
            break
    return since


# ------------------------------------------------------------------------------------- the roster's rows
@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


def shift_problem(desk_role: str, starts_at: datetime, ends_at: datetime, absence: bool, reason: str) -> str | None:
    """Why a shift or rostered absence cannot be rostered, or None."""
    if not absence and desk_role not in DESK_ROLES:
        return f"desk role must be one of: {', '.join(DESK_ROLES)}"
    if ends_at <= starts_at:
        return "the end must be after the start"
    longest = timedelta(days=MAX_ABSENCE_DAYS) if absence else timedelta(hours=MAX_SHIFT_HOURS)
    if ends_at - starts_at > longest:
        return (f"a rostered absence is at most {MAX_ABSENCE_DAYS} days" if absence
                else f"a shift is at most {MAX_SHIFT_HOURS} hours")
    if absence and not reason.strip():
        return "a rostered absence needs a reason (leave, training, sickness)"
    return None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


# ------------------------------------------------------------------------------------- A1 training
@dataclass(frozen=True)
class Held:
    """A training record as the rules see it: the course, when it was completed, its last valid day."""

    course: str
    completed_on: date
    expires_on: date


EXPIRING_DAYS = 30


def expiry(completed_on: date, valid_months: int) -> date:
    """A1: the last day a course completed on `completed_on` is current: the day before the same date
    `valid_months` later (the end of the month when that month is shorter)."""
    month = completed_on.month - 1 + valid_months
    year, month = completed_on.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(completed_on.day, last)) - timedelta(days=1)


def course_state(records: Iterable[Held], course: str, today: date) -> tuple[str, date | None]:
    """A1: "current", "expiring" (current, ending within EXPIRING_DAYS), "lapsed" or "none", with the last
    valid day of the newest completion."""
    newest = max((r for r in records if r.course == course), key=lambda r: (r.completed_on, r.expires_on),
                 default=None)
    if newest is None:
        return "none", None
    if today > newest.expires_on:
        return "lapsed", newest.expires_on
    if (newest.expires_on - today).days < EXPIRING_DAYS:
        return "expiring", newest.expires_on
    return "current", newest.expires_on


def gate_shortfalls(action: str, training: dict[str, Any], records: Iterable[Held], today: date,
                    flags: Iterable[str] = ()) -> list[dict[str, Any]]:
    """A1: the courses an action needs that the person does not hold current. A gate with flags applies only
    when the log carries one of them. No record at all counts only when the policy says `untrained_gated`."""
    records = list(records)
    labels = {c["code"]: c["label"] for c in training["courses"]}
    flags = set(flags)
    short: list[dict[str, Any]] = []
    for gate in training["gates"]:
        if gate["action"] != action or (gate["flags"] and not flags & set(gate["flags"])):
            continue
        for course in gate["courses"]:
            state, until = course_state(records, course, today)
            if state == "lapsed" or (state == "none" and training["untrained_gated"]):
                if all(s["course"] != course for s in short):
                    short.append({"course": course, "label": labels.get(course, course), "state": state,
                                  "expired_on": until.isoformat() if until else None})
    return short


def required_courses(training: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """A1: the courses a role must hold current."""
    return [c for c in training["courses"] if role in c["roles"]]


# ------------------------------------------------------------------------------------- A2 anomalies
@dataclass(frozen=True)
class View:
    """One audited view of a person's record: the audit record's sequence number, when, who, whose record."""

    seq: int
    at: datetime
    user_id: int
    person_id: int


@dataclass(frozen=True)
class Finding:
    """What a rule found: the rule, who, whose record, the views behind it, and a sentence for professional
    standards (never shown to the person flagged)."""

    rule: str
    user_id: int
    person_id: int
    seqs: tuple[int, ...]
    detail: str


def anomalies(views: Sequence[View], *, rules_policy: dict[str, Any], vulnerable: set[int],
              involved: set[tuple[int, int]], watched: dict[int, str], prior_counts: dict[tuple[int, int], int],
              shifts: dict[int, list[tuple[datetime, datetime]]]) -> list[Finding]:
    """A2: the anomaly rules over a batch of views. A view by someone with a log or task involving the person
    (`involved`, (user, person) pairs) is never flagged by any rule.

    - repeat_views: someone with no involvement viewed a vulnerable person's record at least `at_least` times
      within the window (`prior_counts`: their views of that record earlier in the window, before the batch);
    - watch_list_views: a view, with no involvement, of a person on the watch list (a colleague, a neighbour,
      a public figure);
    - outside_shift: someone who is rostered (`shifts` holds their shifts around the batch) viewed a
      vulnerable person's record, with no involvement, when not on shift (give or take `grace_minutes`).
    """
    found: list[Finding] = []
    free = [v for v in views if (v.user_id, v.person_id) not in involved]
    by_pair: dict[tuple[int, int], list[View]] = {}
    for v in free:
        by_pair.setdefault((v.user_id, v.person_id), []).append(v)
    repeat = rules_policy["repeat_views"]
    if repeat["enabled"]:
        for (user, person), seen in sorted(by_pair.items()):
            if person not in vulnerable:
                continue
            total = prior_counts.get((user, person), 0) + len(seen)
            if total >= repeat["at_least"]:
                found.append(Finding("repeat_views", user, person, tuple(v.seq for v in seen),
                                     f"{total} views of a vulnerable person's record within "
                                     f"{repeat['window_days']} days, with no log or task involving them"))
    if rules_policy["watch_list_views"]["enabled"]:
        for (user, person), seen in sorted(by_pair.items()):
            if person in watched:
                found.append(Finding("watch_list_views", user, person, tuple(v.seq for v in seen),
                                     f"{len(seen)} view(s) of a person on the watch list ({watched[person]}), "
                                     "with no log or task involving them"))
    outside = rules_policy["outside_shift"]
    if outside["enabled"]:
        grace = timedelta(minutes=outside["grace_minutes"])
        for (user, person), seen in sorted(by_pair.items()):
            if person not in vulnerable or user not in shifts:
                continue
            off = [v for v in seen if not any(s - grace <= v.at < e + grace for s, e in shifts[user])]
            if off:
                found.append(Finding("outside_shift", user, person, tuple(v.seq for v in off),
                                     f"{len(off)} view(s) of a vulnerable person's record while not on shift, "
                                     "with no log or task involving them"))
    return found
