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


# A2, the rules added to the views: contact volume, area, searches of the watch list.
@dataclass(frozen=True)
class Touch:
    """A contact between a member of staff and a person that the audit trail holds: a view of their record
    ("view") or a contact logged on a case ("contact")."""

    seq: int
    at: datetime
    user_id: int
    person_id: int
    kind: str = "view"
    ref: int | None = None  # the contact logged (its id), for a contact


@dataclass(frozen=True)
class Search:
    """A search or call-time look-up by name (its audit record): who, when, and the words they typed."""

    seq: int
    at: datetime
    user_id: int
    text: str


def name_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words of letters (an apostrophe or hyphen joins a name: O'Neil, Smith-Jones)."""
    words, word = [], []
    for ch in text.lower():
        if ch.isalpha():
            word.append(ch)
        elif ch in "'’-" and word:
            continue
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return tuple(words)


def searched_for(text: str, given_names: str, family_name: str) -> bool:
    """A2: a search names a person when it holds every word of their family name and one of their given names
    (in any order, any case). A family name alone is too common to say who was searched for."""
    words = set(name_tokens(text))
    family, given = name_tokens(family_name), name_tokens(given_names)
    return bool(family) and bool(given) and set(family) <= words and any(g in words for g in given)


def outward(postcode: str) -> str:
    """The outward code of a UK postcode ("KB3 7QL" -> "KB3"; "kb37ql" -> "KB3")."""
    compact = "".join(postcode.split()).upper()
    return compact[:-3] if len(compact) > 4 else compact


def area_of(postcode: str, areas: Sequence[dict[str, Any]]) -> str | None:
    """A2: the area (policy `anomaly_rules.outside_area.areas`) whose outward codes hold this postcode."""
    code = outward(postcode) if postcode.strip() else ""
    if not code:
        return None
    for area in areas:
        if code in {outward(c) for c in area["postcodes"]}:
            return str(area["area"])
    return None


def _on(rules_policy: dict[str, Any], name: str) -> dict[str, Any] | None:
    rule = rules_policy.get(name)
    return rule if rule and rule.get("enabled") else None


def high_contact(touches: Sequence[Touch], *, rule: dict[str, Any], vulnerable: set[int],
                 involved: set[tuple[int, int]], prior: dict[tuple[int, int], list[datetime]]) -> list[Finding]:
    """A2 high_contact: one member of staff's contact with a vulnerable person within any `window_days` (views
    of their record and contacts logged on a case, each at the time it happened; `prior` holds the times of
    those read before this batch). With no log, task or case involving them, `at_least` is a high volume; a
    log or case justifies contact, but not any amount of it: `involved_at_least` is more than a case needs
    (B31.4: the officer in charge of the woman's case)."""
    window = timedelta(days=rule["window_days"])
    found: list[Finding] = []
    by_pair: dict[tuple[int, int], list[Touch]] = {}
    for t in touches:
        if t.person_id in vulnerable:
            by_pair.setdefault((t.user_id, t.person_id), []).append(t)
    for (user, person), seen in sorted(by_pair.items()):
        # The most contacts in any window ending at one of this batch's (earlier windows were judged before).
        times = sorted([*((at, False) for at in prior.get((user, person), [])), *((t.at, True) for t in seen)])
        most, lo = 0, 0
        for hi, (at, new) in enumerate(times):
            while times[lo][0] <= at - window:
                lo += 1
            if new:
                most = max(most, hi - lo + 1)
        justified = (user, person) in involved
        need = rule["involved_at_least"] if justified else rule["at_least"]
        if most >= need:
            why = ("even with a log or case involving them (more than it needs)" if justified
                   else "with no log, task or case involving them")
            found.append(Finding("high_contact", user, person, tuple(t.seq for t in seen),
                                 f"{most} contacts with a vulnerable person within {rule['window_days']} days "
                                 f"(views of the record and contacts logged), {why}"))
    return found


def outside_area(views: Sequence[View], *, vulnerable: set[int], user_areas: dict[int, set[str]],
                 person_areas: dict[int, str]) -> list[Finding]:
    """A2 outside_area: views of a vulnerable person's record living in one area by someone who works in
    others (the areas of the units they crew), with no log, task or case involving them. Someone with no area
    (the control room covers the whole force) or a person whose area is not known is never flagged."""
    found: list[Finding] = []
    by_pair: dict[tuple[int, int], list[View]] = {}
    for v in views:
        by_pair.setdefault((v.user_id, v.person_id), []).append(v)
    for (user, person), seen in sorted(by_pair.items()):
        theirs, home = user_areas.get(user), person_areas.get(person)
        if person in vulnerable and theirs and home and home not in theirs:
            found.append(Finding("outside_area", user, person, tuple(v.seq for v in seen),
                                 f"{len(seen)} view(s) of the record of a vulnerable person living in {home} by "
                                 f"someone working in {', '.join(sorted(theirs))}, with no log, task or case "
                                 "involving them"))
    return found


def watch_list_searches(searches: Sequence[Search], *, watched_names: dict[int, tuple[str, str, str]],
                        involved: set[tuple[int, int]]) -> list[Finding]:
    """A2 watch_list_searches: a search or call-time look-up naming a person on the watch list (given names,
    family name, kind), by someone with no log, task or case involving them."""
    found: dict[tuple[int, int], list[Search]] = {}
    for s in searches:
        for person, (given, family, _kind) in watched_names.items():
            if (s.user_id, person) not in involved and searched_for(s.text, given, family):
                found.setdefault((s.user_id, person), []).append(s)
    return [Finding("watch_list_searches", user, person, tuple(s.seq for s in seen),
                    f"{len(seen)} search(es) naming a person on the watch list ({watched_names[person][2]}), with "
                    "no log, task or case involving them")
            for (user, person), seen in sorted(found.items())]


def more_anomalies(views: Sequence[View], *, rules_policy: dict[str, Any], vulnerable: set[int],
                   involved: set[tuple[int, int]], touches: Sequence[Touch] = (),
                   touch_prior: dict[tuple[int, int], list[datetime]] | None = None, searches: Sequence[Search] = (),
                   watched_names: dict[int, tuple[str, str, str]] | None = None,
                   user_areas: dict[int, set[str]] | None = None,
                   person_areas: dict[int, str] | None = None) -> list[Finding]:
    """A2: the rules beyond the views' own (high_contact, outside_area, watch_list_searches), each on only when
    the policy holds it enabled. Only high_contact ever flags a pair with a log, task or case involving them,
    and only at its own higher `involved_at_least`."""
    found: list[Finding] = []
    rule = _on(rules_policy, "high_contact")
    if rule:
        found += high_contact(touches, rule=rule, vulnerable=vulnerable, involved=involved, prior=touch_prior or {})
    if _on(rules_policy, "outside_area"):
        free = [v for v in views if (v.user_id, v.person_id) not in involved]
        found += outside_area(free, vulnerable=vulnerable, user_areas=user_areas or {},
                              person_areas=person_areas or {})
    if _on(rules_policy, "watch_list_searches"):
        found += watch_list_searches(searches, watched_names=watched_names or {}, involved=involved)
    return found
