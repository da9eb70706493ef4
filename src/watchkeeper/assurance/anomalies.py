"""A2 access audit: the anomaly rules over the audit trail's views of people's records, run incrementally
(from the last run's high-water mark) by `watchkeeper anomalies` and nightly by the sweeper; the flags go to
professional standards only, who open a case on one and record its outcome. The person flagged is never told:
nothing here notifies them, and the queue refuses anyone but professional standards (and never shows a member
of professional standards a flag about themselves)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from watchkeeper.assurance import rules
from watchkeeper.assurance.models import AnomalyFlag, AnomalyRun, Shift, WatchedPerson
from watchkeeper.audit import writer as audit
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import NotFound, Refusal
from watchkeeper.core.uow import unit_of_work

BATCH = 5000
VIEW_ACTION = "person.viewed"
CONTACT_ACTION = "case.victim_contacted"  # P3: a contact logged on a case (its `after` names the person)
SEARCH_ACTIONS = ("search.performed", "context.viewed")  # a log search, a call-time look-up by name
SCANNED = (VIEW_ACTION, CONTACT_ACTION, *SEARCH_ACTIONS)
MAX_SEQS = 200
MAX_SEARCH_TEXT = 400
MAX_PRIOR = 10_000  # earlier contacts read for one pair: far above any threshold


def high_water_mark() -> int:
    return AnomalyRun.objects.aggregate(m=Max("to_seq"))["m"] or 0


def setting(policy_rules: dict[str, Any], name: str) -> dict[str, Any]:
    """A rule's settings: a stored policy from before the rule existed runs it with its defaults."""
    from watchkeeper.core.policy import DEFAULTS

    found = policy_rules.get(name)
    return dict(found if found is not None else DEFAULTS["anomaly_rules"][name])


def _involved(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(user, person) pairs where the user has a log (owner, assigned, recorded a contact) or a task on a
    log the person is on, or works on a case the person is on (P1: officer in charge, supervisor, a handover
    received, or anything done on its timeline)."""
    from watchkeeper.cases.models import Case, CaseEvent, CaseParty, Handover
    from watchkeeper.incidents.models import Contact, Log, LogAssignment, Task
    from watchkeeper.people.models import LogParty

    if not pairs:
        return set()
    persons = {p for _, p in pairs}
    users = {u for u, _ in pairs}
    logs_of: dict[int, set[int]] = {}
    for person, log in LogParty.objects.filter(person_id__in=persons, log__isnull=False).values_list(
            "person_id", "log_id"):
        logs_of.setdefault(person, set()).add(log)
    all_logs = set().union(*logs_of.values()) if logs_of else set()
    users_on: dict[int, set[int]] = {}

    def add(rows: Any) -> None:
        for log, user in rows:
            if user in users:
                users_on.setdefault(log, set()).add(user)

    add(Log.objects.filter(pk__in=all_logs, owner__isnull=False).values_list("pk", "owner_id"))
    add(LogAssignment.objects.filter(log_id__in=all_logs, user_id__in=users).values_list("log_id", "user_id"))
    add(Contact.objects.filter(log_id__in=all_logs, recorded_by_id__in=users).values_list("log_id", "recorded_by_id"))
    add(Task.objects.filter(log_id__in=all_logs, owner_id__in=users).values_list("log_id", "owner_id"))
    found = {(u, p) for u, p in pairs if any(u in users_on.get(log, ()) for log in logs_of.get(p, ()))}
    # P1 cases as involvement: the people on a case and those who work on it.
    cases_of: dict[int, set[int]] = {}
    for person, case in CaseParty.objects.filter(person_id__in=persons).values_list("person_id", "case_id"):
        cases_of.setdefault(person, set()).add(case)
    all_cases = set().union(*cases_of.values()) if cases_of else set()
    on_case: dict[int, set[int]] = {}
    for case, officer, supervisor in Case.objects.filter(pk__in=all_cases).values_list("pk", "officer_id",
                                                                                      "supervisor_id"):
        on_case.setdefault(case, set()).update({officer, supervisor})
    for rows in (Handover.objects.filter(case_id__in=all_cases, to_user_id__in=users).values_list("case_id",
                                                                                                "to_user_id"),
                 CaseEvent.objects.filter(case_id__in=all_cases, by_id__in=users).values_list("case_id", "by_id")
                 .distinct()):
        for case, user in rows:
            on_case.setdefault(case, set()).add(user)
    found |= {(u, p) for u, p in pairs if any(u in on_case.get(c, ()) for c in cases_of.get(p, ()))}
    return found


def _user_areas(users: set[int]) -> dict[int, set[str]]:
    """A2: a member of staff's areas: those of the units they crew (staff and teams carry no area)."""
    from watchkeeper.dispatch.models import Unit

    out: dict[int, set[str]] = {}
    for user, area in Unit.crew.through.objects.filter(user_id__in=users).values_list("user_id", "unit__area"):
        if area:
            out.setdefault(user, set()).add(area)
    return out


def _person_areas(persons: set[int], areas: list[dict[str, Any]]) -> dict[int, str]:
    """A2: a person's area: that of their current address's postcode (policy `outside_area.areas`)."""
    from watchkeeper.people.models import Residence

    out: dict[int, str] = {}
    for person, postcode in Residence.objects.filter(person_id__in=persons, current=True).order_by(
            "-pk").values_list("person_id", "address__postcode"):
        area = rules.area_of(postcode or "", areas)
        if area and person not in out:
            out[person] = area
    return out


def _facts(views: list[rules.View], touches: list[rules.Touch], searches: list[rules.Search],
           policy_rules: dict[str, Any], first: int, upto: int) -> dict[str, Any]:
    from watchkeeper.people.models import Marker, Person

    pairs = {(x.user_id, x.person_id) for x in views} | {(t.user_id, t.person_id) for t in touches}
    persons = {p for _, p in pairs}
    vulnerable = set(Marker.objects.filter(person_id__in=persons, kind__in=policy_rules["vulnerable_markers"],
                                           ended_at__isnull=True).values_list("person_id", flat=True))
    watched = dict(WatchedPerson.objects.filter(person_id__in=persons, ended_at__isnull=True)
                   .values_list("person_id", "kind"))
    watched_names: dict[int, tuple[str, str, str]] = {}
    if searches and setting(policy_rules, "watch_list_searches")["enabled"]:
        for person, kind in WatchedPerson.objects.filter(ended_at__isnull=True).values_list("person_id", "kind")[:2000]:
            watched_names[person] = ("", "", kind)
        for pk, given, family in Person.objects.filter(pk__in=watched_names).values_list("pk", "given_names",
                                                                                      "family_name"):
            watched_names[pk] = (given, family, watched_names[pk][2])
        # Only the watched people some search names: their involvement is all that needs looking up.
        watched_names = {p: n for p, n in watched_names.items()
                         if any(rules.searched_for(s.text, n[0], n[1]) for s in searches)}
    searchers = {s.user_id for s in searches}
    involved = _involved({(u, p) for u, p in pairs if p in vulnerable or p in watched}
                         | {(u, p) for u in searchers for p in watched_names})
    window = timedelta(days=policy_rules["repeat_views"]["window_days"])
    stamps = [x.at for x in views] + [t.at for t in touches] + [s.at for s in searches]
    earliest, latest = min(stamps), max(stamps)
    prior: dict[tuple[int, int], int] = {}
    for user, person in {(x.user_id, x.person_id) for x in views}:
        if person in vulnerable and (user, person) not in involved:
            prior[(user, person)] = AuditRecord.objects.filter(
                object_type="person", object_id=str(person), action=VIEW_ACTION, actor_id=user,
                at__gte=earliest - window, seq__lt=first).count()
    contact_rule = setting(policy_rules, "high_contact")
    touch_prior: dict[tuple[int, int], list[datetime]] = {}
    if contact_rule["enabled"]:
        from watchkeeper.cases.models import VictimContact

        reach = timedelta(days=contact_rule["window_days"])
        logged = {t.ref for t in touches if t.ref is not None}
        for user, person in pairs:
            if person not in vulnerable:
                continue
            mine = [t.at for t in touches if (t.user_id, t.person_id) == (user, person)]
            lo, hi = min(mine) - reach, max(mine)
            touch_prior[(user, person)] = [
                *AuditRecord.objects.filter(action=VIEW_ACTION, object_type="person", object_id=str(person),
                                            actor_id=user, at__gt=lo, at__lte=hi, seq__lt=first)
                .values_list("at", flat=True)[:MAX_PRIOR],
                *VictimContact.objects.filter(by_id=user, person_id=person, at__gt=lo, at__lte=hi)
                .exclude(pk__in=logged).values_list("at", flat=True)[:MAX_PRIOR]]
    area_rule = setting(policy_rules, "outside_area")
    user_areas: dict[int, set[str]] = {}
    person_areas: dict[int, str] = {}
    if area_rule["enabled"]:
        free = {(u, p) for u, p in {(x.user_id, x.person_id) for x in views} if p in vulnerable
                and (u, p) not in involved}
        user_areas = _user_areas({u for u, _ in free})
        person_areas = _person_areas({p for u, p in free if u in user_areas}, area_rule["areas"])
    users = {u for u, p in pairs if p in vulnerable and (u, p) not in involved}
    shifts: dict[int, list[tuple[datetime, datetime]]] = {}
    for user, s, e in Shift.objects.filter(user_id__in=users, absence=False, cancelled_at__isnull=True,
                                           starts_at__lt=latest + timedelta(days=1),
                                           ends_at__gt=earliest - timedelta(days=1)).values_list(
            "user_id", "starts_at", "ends_at"):
        shifts.setdefault(user, []).append((s, e))
    return {"vulnerable": vulnerable, "watched": watched, "involved": involved, "prior_counts": prior,
            "shifts": shifts, "touch_prior": touch_prior, "watched_names": watched_names,
            "user_areas": user_areas, "person_areas": person_areas}


def _search_text(after: Any) -> str:
    """The names a search or look-up asked for, as typed (its audit record's `after`)."""
    if not isinstance(after, dict):
        return ""
    query = after.get("query")
    asked: dict[str, Any] = query if isinstance(query, dict) else after
    parts = [str(asked.get(k) or "") for k in ("q", "person", "name")]
    return " ".join(p for p in parts if p)[:MAX_SEARCH_TEXT]


def _when(text: Any, default: datetime) -> datetime:
    """When a logged contact happened (its audit record's `after.at`), else when it was recorded."""
    try:
        found = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        found = None
    return found if found is not None and found.tzinfo is not None else default


def _read(rows: list[tuple[Any, ...]]) -> tuple[list[rules.View], list[rules.Touch], list[rules.Search]]:
    views, touches, searches = [], [], []
    for seq, at, actor, action, obj, after in rows:
        if action == VIEW_ACTION and str(obj).isdigit():
            views.append(rules.View(seq, at, actor, int(obj)))
            touches.append(rules.Touch(seq, at, actor, int(obj), "view"))
        elif action == CONTACT_ACTION and isinstance(after, dict) and isinstance(after.get("person"), int):
            ref = after.get("contact") if isinstance(after.get("contact"), int) else None
            touches.append(rules.Touch(seq, _when(after.get("at"), at), actor, after["person"], "contact", ref))
        elif action in SEARCH_ACTIONS:
            text = _search_text(after)
            if text.strip():
                searches.append(rules.Search(seq, at, actor, text))
    return views, touches, searches


def run(*, via: str = "command", limit: int | None = None, actor: Actor = SYSTEM) -> AnomalyRun | None:
    """Read the audit records newer than the high-water mark that the rules read (views of people's records,
    contacts logged on cases, searches and look-ups by name; at most the policy's `max_records_per_run`),
    apply the rules, raise or add to flags and move the mark, all in one unit of work with one audit record.
    Returns None when another run moved the mark first."""
    policy_rules = current_policy()["anomaly_rules"]
    cap = limit or policy_rules["max_records_per_run"]
    started = clock.now()
    start = mark = high_water_mark()
    last_seq = AuditRecord.objects.aggregate(m=Max("seq"))["m"] or 0
    scanned = 0
    findings: list[rules.Finding] = []
    while scanned < cap:
        rows = list(AuditRecord.objects.filter(seq__gt=mark, seq__lte=last_seq, action__in=SCANNED,
                                               actor__isnull=False)
                    .order_by("seq").values_list("seq", "at", "actor_id", "action", "object_id", "after")
                    [:min(BATCH, cap - scanned)])
        if not rows:
            mark = last_seq if scanned < cap else mark
            break
        views, touches, searches = _read(rows)
        scanned += len(rows)
        first, mark = rows[0][0], rows[-1][0]
        if views or touches or searches:
            facts = _facts(views, touches, searches, policy_rules, first, mark)
            findings += rules.anomalies(views, rules_policy=policy_rules, **{
                k: facts[k] for k in ("vulnerable", "watched", "involved", "prior_counts", "shifts")})
            effective = {**policy_rules, **{name: setting(policy_rules, name)
                                            for name in ("high_contact", "outside_area", "watch_list_searches")}}
            findings += rules.more_anomalies(
                views, rules_policy=effective, vulnerable=facts["vulnerable"], involved=facts["involved"],
                touches=touches, touch_prior=facts["touch_prior"], searches=searches,
                watched_names=facts["watched_names"], user_areas=facts["user_areas"],
                person_areas=facts["person_areas"])
    with unit_of_work():
        if high_water_mark() != start:
            return None
        flagged = 0
        for f in findings:
            flag = AnomalyFlag.objects.select_for_update().filter(rule=f.rule, user_id=f.user_id,
                                                                  person_id=f.person_id, state="open").first()
            if flag is None:
                AnomalyFlag.objects.create(rule=f.rule, user_id=f.user_id, person_id=f.person_id, detail=f.detail,
                                           seqs=list(f.seqs)[-MAX_SEQS:], raised_at=clock.now())
                flagged += 1
            else:
                flag.seqs = (list(flag.seqs) + list(f.seqs))[-MAX_SEQS:]
                flag.detail = f.detail
                flag.save(update_fields=["seqs", "detail"])
        done = AnomalyRun.objects.create(started_at=started, finished_at=clock.now(), from_seq=start, to_seq=mark,
                                         scanned=scanned, flagged=flagged, via=via)
        audit.record(actor, "anomalies.run", "anomaly_run", done.pk,
                     after={"from_seq": start, "to_seq": mark, "scanned": scanned, "flagged": flagged,
                            "findings": len(findings)})
    return done


def run_now(actor: Actor) -> AnomalyRun | None:
    """A2: professional standards run the rules now rather than wait for the night."""
    actor.require("anomaly.review")
    return run(via=actor.via[:16], actor=actor)


NIGHT_HOURS = range(1, 5)


def fire_nightly(now: datetime) -> int:
    """The sweeper's nightly run: once a night (local 01:00-05:00) when the last run is a day old."""
    if timezone.localtime(now).hour not in NIGHT_HOURS:
        return 0
    last = AnomalyRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    if last is not None and now - last < timedelta(hours=20):
        return 0
    done = run(via="sweeper")
    return done.flagged if done else 0


# ------------------------------------------------------------------------------- professional standards
def _flag_for(actor: Actor, flag_id: int, lock: bool = False) -> AnomalyFlag:
    actor.require("anomaly.review")
    rows = AnomalyFlag.objects.select_for_update() if lock else AnomalyFlag.objects
    flag = rows.filter(pk=flag_id).first()
    if flag is None or flag.user_id == actor.user_id:  # A2: never a flag about oneself
        raise NotFound(f"No flag {flag_id}.")
    return flag


def queue(actor: Actor, *, state: str = "open") -> list[AnomalyFlag]:
    """A2: professional standards' queue (bounded); a member never sees a flag about themselves."""
    actor.require("anomaly.review")
    rows = AnomalyFlag.objects.select_related("user", "person")
    if actor.user_id is not None:
        rows = rows.exclude(user_id=actor.user_id)
    if state:
        v.choice(state, "state", [s for s, _ in AnomalyFlag.STATES])
        rows = rows.filter(state=state)
    return list(rows.order_by("-raised_at", "-pk")[:500])


def open_case(actor: Actor, flag_id: int, *, note: str) -> AnomalyFlag:
    """A2: professional standards open a case on a flag, saying why."""
    note = v.text(note, "note", max_length=2000, required=True)
    with unit_of_work():
        flag = _flag_for(actor, flag_id, lock=True)
        if flag.state != "open":
            raise Refusal("A2: a case is already open on this flag.", safeguard="A2", status=409)
        flag.state, flag.case_opened_at, flag.case_opened_by, flag.case_note = "case", clock.now(), actor.user, note
        flag.save(update_fields=["state", "case_opened_at", "case_opened_by", "case_note"])
        audit.record(actor, "anomaly.case_opened", "anomaly_flag", flag.pk, after={"rule": flag.rule},
                     reason=note)
    return flag


def record_outcome(actor: Actor, flag_id: int, *, outcome: str, note: str) -> AnomalyFlag:
    """A2: the outcome of a flag (with or without a case opened first); the flag is then closed."""
    v.choice(outcome, "outcome", [o for o, _ in AnomalyFlag.OUTCOMES])
    note = v.text(note, "note", max_length=2000, required=True)
    with unit_of_work():
        flag = _flag_for(actor, flag_id, lock=True)
        if flag.state == "closed":
            raise Refusal("A2: this flag's outcome is already recorded.", safeguard="A2", status=409)
        flag.state, flag.outcome, flag.outcome_note = "closed", outcome, note
        flag.outcome_at, flag.outcome_by = clock.now(), actor.user
        flag.save(update_fields=["state", "outcome", "outcome_note", "outcome_at", "outcome_by"])
        audit.record(actor, "anomaly.outcome", "anomaly_flag", flag.pk, after={"rule": flag.rule,
                                                                              "outcome": outcome}, reason=note)
    return flag


def watch(actor: Actor, *, person_id: int, kind: str, reason: str) -> WatchedPerson:
    """A2: put a person's record on the watch list (a colleague, a neighbour of staff, a public figure)."""
    from watchkeeper.people.models import Person

    actor.require("anomaly.review")
    v.choice(kind, "kind", [k for k, _ in WatchedPerson.KINDS])
    reason = v.text(reason, "reason", max_length=500, required=True)
    with unit_of_work():
        if not Person.objects.filter(pk=person_id).exists():
            raise NotFound(f"No person {person_id}.")
        if WatchedPerson.objects.filter(person_id=person_id, ended_at__isnull=True).exists():
            raise Refusal("A2: this person is already on the watch list.", safeguard="A2", status=409)
        w = WatchedPerson.objects.create(person_id=person_id, kind=kind, reason=reason, added_at=clock.now(),
                                         added_by=actor.person)
        audit.record(actor, "anomaly.watched", "watched_person", w.pk, after={"person_id": person_id, "kind": kind},
                     reason=reason)
    return w


def describe(flag: AnomalyFlag) -> dict[str, Any]:
    return {"id": flag.pk, "rule": flag.rule, "user": flag.user.username, "user_name": flag.user.get_full_name(),
            "person_id": flag.person_id, "person": str(flag.person), "detail": flag.detail,
            "views": len(flag.seqs), "raised_at": flag.raised_at.isoformat(), "state": flag.state,
            "case_note": flag.case_note or None, "outcome": flag.outcome or None,
            "outcome_note": flag.outcome_note or None}

