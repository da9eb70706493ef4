"""Assignment, taking a review (L9) and reading a notification."""

from __future__ import annotations

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions.common import (
    _append,
    _lock,
    _notify,
    _require_open,
    _staff,
)
from watchkeeper.incidents.actions.reading import circulation
from watchkeeper.incidents.models import (
    Log,
    LogAssignment,
    Notification,
)


def assign_staff(actor: Actor, reference: str, user_id: int) -> LogAssignment:
    """L12: a member of staff assigned to a log receives the full circulation summary, and is told of every
    addition afterwards (L4)."""
    actor.require("log.assign_staff")
    policy = current_policy()
    person = _staff(user_id, "user_id")
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "assign staff")
        if LogAssignment.objects.filter(log=log, user=person, active=True).exists():
            raise Refusal(f"{person.display} is already assigned.", status=409)
        summary = circulation(log, policy)
        a = LogAssignment.objects.create(log=log, user=person, assigned_at=clock.now(), assigned_by=actor.user,
                                         summary=summary)
        allegations = "; ".join(x["allegation"] or x["account"][:80] for x in summary["allegations"])
        _notify(person, kind="assigned", safeguard="L12", log=log,
                text=f"Assigned to {log.reference} — {summary['category']}, {summary['grade']}. "
                f"Flags: {', '.join(summary['flags']) or 'none'}. Allegations: {allegations}")
        _append(actor, log, "system", f"{person.display} assigned.", policy=policy)
        audit.record(actor, "log.staff_assigned", "log", log.reference, after={"user": person.username})
    return a


def take_review(actor: Actor, reference: str) -> Log:
    """L9: a person takes ownership of an automatically created log out of the review queue."""
    actor.require("review.own")
    policy = current_policy()
    with unit_of_work():
        log = _lock(reference)
        if log.review_queue_id is None:
            raise Refusal("This log was not created automatically; it has no review.", status=409)
        if log.review_owned_at is not None:
            raise Refusal(f"Already owned by {log.owner.display if log.owner else 'someone'}.", status=409)
        log.owner, log.review_owned_at, log.review_due_at = actor.user, clock.now(), None
        log.save(update_fields=["owner", "review_owned_at", "review_due_at"])
        _append(actor, log, "system", f"Taken from the review queue by {actor.user.display if actor.user else ''}.",
                policy=policy)
        audit.record(actor, "review.owned", "log", log.reference)
    return log


def read_notification(actor: Actor, notification_id: int) -> Notification:
    with unit_of_work():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None:
            raise NotFound(f"No notification {notification_id}.")
        mine = note.recipient_id == actor.user_id or (
            note.team_id is not None and actor.user is not None and note.team_id == actor.user.team_id
        )
        if not mine:
            raise NotFound(f"No notification {notification_id}.")
        if note.read_at is None:
            note.read_at, note.read_by = clock.now(), actor.user
            note.save(update_fields=["read_at", "read_by"])
            audit.record(actor, "notification.read", "notification", note.pk)
    return note
