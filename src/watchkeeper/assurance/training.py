"""A1 training gates: training records with expiry, the gates that warn someone acting without current
training (and tell their supervisor), the override they record with its reason, and the compliance report.

The gates run inside incidents' own actions through its extension points (raise_parties, after_contact,
after_classification): they warn and record, never refuse, so a call is never lost for want of a
certificate. What they write commits with the action; the action's own audit record covers it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from watchkeeper.assurance import rules
from watchkeeper.assurance.models import TrainingLapse, TrainingRecord
from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.core.uow import created_any, memo, unit_of_work
from watchkeeper.staff.models import User

MAX_ROWS = 2000


def _today() -> date:
    return timezone.localtime(clock.now()).date()


def record_training(actor: Actor, *, user_id: int, course: str, completed_on: date, note: str = "") -> TrainingRecord:
    """A1: a course completed. Its last valid day follows from the policy's validity for the course."""
    actor.require("training.manage")
    policy = current_policy()
    courses = {c["code"]: c for c in policy["training"]["courses"]}
    v.choice(course, "course", list(courses))
    note = v.text(note, "note", max_length=500, required=False)
    v.sensible(completed_on, "completed_on")
    if completed_on > _today():
        raise Invalid("completed_on cannot be in the future.", "completed_on")
    with unit_of_work():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound(f"No active member of staff {user_id}.")
        record = TrainingRecord.objects.create(
            user=user, course=course, completed_on=completed_on,
            expires_on=rules.expiry(completed_on, courses[course]["valid_months"]), note=note,
            recorded_at=clock.now(), recorded_by=actor.user)
        audit.record(actor, "training.recorded", "training_record", record.pk,
                     after={"user": user.username, "course": course, "completed_on": completed_on.isoformat(),
                            "expires_on": record.expires_on.isoformat()})
    return record


def record_override(actor: Actor, lapse_id: int, *, reason: str) -> TrainingLapse:
    """A1: the person who acted without current training records why they went ahead (once)."""
    reason = v.text(reason, "reason", max_length=2000, required=True)
    with unit_of_work():
        lapse = TrainingLapse.objects.select_for_update().filter(pk=lapse_id).first()
        if lapse is None:
            raise NotFound(f"No training warning {lapse_id}.")
        if lapse.user_id != actor.user_id:
            raise Forbidden("A1: only the person warned records why they went ahead.",
                            next_step="Ask them to record it on the log or their training page.")
        if lapse.overridden_at is not None:
            raise Refusal("A1: the reason has already been recorded.", safeguard="A1", status=409)
        lapse.override_reason, lapse.overridden_at = reason, clock.now()
        lapse.save(update_fields=["override_reason", "overridden_at"])
        audit.record(actor, "training.override", "training_lapse", lapse.pk,
                     after={"action": lapse.action, "courses": [c["course"] for c in lapse.courses]},
                     reason=reason)
    return lapse


def held(user_id: int) -> list[rules.Held]:
    """The person's training records, newest first (read once per unit of work: an action's gates share it)."""
    def read() -> list[rules.Held]:
        return [rules.Held(c, s, e) for c, s, e in TrainingRecord.objects.filter(user_id=user_id)
                .order_by("-completed_on").values_list("course", "completed_on", "expires_on")[:500]]

    return read() if created_any(TrainingRecord) else memo((HELD, user_id), read)


HELD = "assurance:training-held"


def gate(actor: Actor, action: str, log: Any, policy: Any, flags: Any = ()) -> TrainingLapse | None:
    """A1: inside an action: the courses `action` needs that the actor does not hold current. When short,
    once per person, action and log: the warning is recorded, the person and their team's supervisor are
    told. Never refuses."""
    if actor.user is None:
        return None
    training = policy["training"]
    if not any(g["action"] == action for g in training["gates"]):
        return None
    short = rules.gate_shortfalls(action, training, held(actor.user.pk), _today(), flags)
    if not short:
        return None
    if TrainingLapse.objects.filter(user=actor.user, action=action, log=log).exists():
        return None
    from watchkeeper.incidents.actions import _notify

    user = actor.user
    supervisor = user.team.supervisor if user.team_id and user.team and user.team.supervisor_id else None
    lapse = TrainingLapse.objects.create(user=user, action=action, courses=short, log=log, at=clock.now(),
                                         supervisor=supervisor)
    names = ", ".join(f"{s['label']} ({'lapsed ' + s['expired_on'] if s['expired_on'] else 'no record'})"
                      for s in short)
    what = ACTION_LABELS.get(action, action)
    _notify(user, kind="training_warning", safeguard="A1", log=log,
            text=f"A1: you {what} without current training: {names}. Record why you went ahead.")
    if supervisor is not None and supervisor.pk != user.pk:
        _notify(supervisor, kind="training_lapse", safeguard="A1", log=log,
                text=f"A1: {user.get_full_name() or user.username} {what.replace('you ', '')} without current "
                     f"training: {names}.")
    return lapse


ACTION_LABELS = {"emergency_call": "took an emergency call", "log.raise": "raised a log",
                 "safeguarding": "acted on a safeguarding log"}


# ------------------------------------------------------------------------------ incidents' hooks
def on_raise(actor: Actor, log: Any, contact: Any, parties: Any, policy: Any) -> None:
    gate(actor, "log.raise", log, policy)


def on_contact(actor: Actor, log: Any, contact: Any, policy: Any) -> None:
    if contact.channel in policy["emergency_channels"]:
        gate(actor, "emergency_call", log, policy)


def on_classification(actor: Actor, log: Any, policy: Any) -> None:
    if log.flags:
        gate(actor, "safeguarding", log, policy, flags=list(log.flags))


# ------------------------------------------------------------------------------------- reading
def compliance(actor: Actor, *, team: str = "", state: str = "") -> list[dict[str, Any]]:
    """A1: every active member of staff against the courses their role needs: state and last valid day,
    lapsing soonest first (bounded)."""
    actor.require("training.view")
    training = current_policy()["training"]
    today = _today()
    users = User.objects.filter(is_active=True).select_related("team").order_by("username")
    if team:
        users = users.filter(team__name=team)
    users_list = list(users[:MAX_ROWS])
    records: dict[int, list[rules.Held]] = {}
    for uid, c, s, e in (TrainingRecord.objects.filter(user_id__in=[u.pk for u in users_list])
                         .values_list("user_id", "course", "completed_on", "expires_on")):
        records.setdefault(uid, []).append(rules.Held(c, s, e))
    rows = []
    for u in users_list:
        for course in rules.required_courses(training, u.role):
            st, until = rules.course_state(records.get(u.pk, []), course["code"], today)
            if state and st != state:
                continue
            rows.append({"user_id": u.pk, "username": u.username, "name": u.get_full_name() or u.username,
                         "role": u.role, "team": u.team.name if u.team else "", "course": course["code"],
                         "label": course["label"], "state": st, "expires_on": until})
    order = {"lapsed": 0, "none": 1, "expiring": 2, "current": 3}
    rows.sort(key=lambda r: (order[r["state"]], r["expires_on"] or date.max, r["username"]))
    return rows[:MAX_ROWS]


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {"current": 0, "expiring": 0, "lapsed": 0, "none": 0}
    for r in rows:
        out[r["state"]] += 1
    return out


def lapses(actor: Actor, *, days: int = 90) -> list[TrainingLapse]:
    """A1: training warnings: one's own; a supervisor's team's; everyone's for those who hold training.view."""
    since = clock.now() - timedelta(days=days)
    rows = TrainingLapse.objects.filter(at__gte=since).select_related("user", "log").order_by("-at")
    if not actor.may("training.view"):
        rows = rows.filter(Q(user_id=actor.user_id) | Q(supervisor_id=actor.user_id))
    return list(rows[:500])


def open_warnings(user_id: int | None, log: Any) -> list[TrainingLapse]:
    if user_id is None:
        return []
    return list(TrainingLapse.objects.filter(user_id=user_id, log=log, overridden_at__isnull=True)[:10])
