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
MAX_SEQS = 200


def high_water_mark() -> int:
    return AnomalyRun.objects.aggregate(m=Max("to_seq"))["m"] or 0


def _involved(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(user, person) pairs where the user has a log (owner, assigned, recorded a contact) or a task on a
    log the person is on."""
    from watchkeeper.incidents.models import Contact, Log, LogAssignment, Task
    from watchkeeper.people.models import LogParty

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
    return {(u, p) for u, p in pairs if any(u in users_on.get(log, ()) for log in logs_of.get(p, ()))}


def _facts(views: list[rules.View], policy_rules: dict[str, Any], upto: int) -> dict[str, Any]:
    from watchkeeper.people.models import Marker

    pairs = {(x.user_id, x.person_id) for x in views}
    persons = {p for _, p in pairs}
    vulnerable = set(Marker.objects.filter(person_id__in=persons, kind__in=policy_rules["vulnerable_markers"],
                                           ended_at__isnull=True).values_list("person_id", flat=True))
    watched = dict(WatchedPerson.objects.filter(person_id__in=persons, ended_at__isnull=True)
                   .values_list("person_id", "kind"))
    involved = _involved({(u, p) for u, p in pairs if p in vulnerable or p in watched})
    window = timedelta(days=policy_rules["repeat_views"]["window_days"])
    earliest = min(x.at for x in views)
    prior: dict[tuple[int, int], int] = {}
    for user, person in pairs:
        if person in vulnerable and (user, person) not in involved:
            prior[(user, person)] = AuditRecord.objects.filter(
                object_type="person", object_id=str(person), action=VIEW_ACTION, actor_id=user,
                at__gte=earliest - window, seq__lte=upto).count()
    users = {u for u, p in pairs if p in vulnerable and (u, p) not in involved}
    shifts: dict[int, list[tuple[datetime, datetime]]] = {}
    latest = max(x.at for x in views)
    for user, s, e in Shift.objects.filter(user_id__in=users, absence=False, cancelled_at__isnull=True,
                                           starts_at__lt=latest + timedelta(days=1),
                                           ends_at__gt=earliest - timedelta(days=1)).values_list(
            "user_id", "starts_at", "ends_at"):
        shifts.setdefault(user, []).append((s, e))
    return {"vulnerable": vulnerable, "watched": watched, "involved": involved, "prior_counts": prior,
            "shifts": shifts}


def run(*, via: str = "command", limit: int | None = None) -> AnomalyRun | None:
    """Read the views newer than the high-water mark (at most the policy's `max_records_per_run`), apply the
    rules, raise or add to flags and move the mark, all in one unit of work with one audit record. Returns
    None when another run moved the mark first."""
    policy_rules = current_policy()["anomaly_rules"]
    cap = limit or policy_rules["max_records_per_run"]
    started = clock.now()
    start = mark = high_water_mark()
    last_seq = AuditRecord.objects.aggregate(m=Max("seq"))["m"] or 0
    scanned = 0
    findings: list[rules.Finding] = []
    while scanned < cap:
        rows = list(AuditRecord.objects.filter(seq__gt=mark, seq__lte=last_seq, action=VIEW_ACTION,
                                               object_type="person", actor__isnull=False)
                    .order_by("seq").values_list("seq", "at", "actor_id", "object_id")[:min(BATCH, cap - scanned)])
        if not rows:
            mark = last_seq if scanned < cap else mark
            break
        views = [rules.View(seq, at, actor, int(obj)) for seq, at, actor, obj in rows if str(obj).isdigit()]
        scanned += len(rows)
        mark = rows[-1][0]
        if views:
            findings += rules.anomalies(views, rules_policy=policy_rules, **_facts(views, policy_rules, mark))
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
        audit.record(SYSTEM, "anomalies.run", "anomaly_run", done.pk,
                     after={"from_seq": start, "to_seq": mark, "scanned": scanned, "flagged": flagged,
                            "findings": len(findings)})
    return done


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

