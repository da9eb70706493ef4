"""L9: the reviewer and deputy of each automatic intake queue."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import rules
from watchkeeper.incidents.actions.common import _escalation_owner
from watchkeeper.incidents.models import IntakeQueue
from watchkeeper.staff.models import User


def intake_queues(policy: Policy | None = None) -> list[dict[str, Any]]:
    """L9: each automatic intake channel's review queue: its reviewer and deputy, and who a log arriving
    now would reach (the reviewer, or when away the deputy, or when both are away a supervisor)."""
    policy = policy or current_policy()
    held = {q.code: q for q in IntakeQueue.objects.select_related("reviewer", "deputy")}
    out: list[dict[str, Any]] = []
    for code in policy["automatic_sources"]:
        q = held.get(code)
        if q is None:
            out.append({"code": code, "name": code.replace("_", " ").capitalize(), "configured": False,
                        "reviewer": None, "deputy": None, "routes_to": None})
            continue
        sup = _escalation_owner(q)
        uid, why = rules.review_assignee(q.reviewer.pk, q.reviewer.absent, q.deputy.pk, q.deputy.absent,
                                         sup.pk if sup else None)
        person = {q.reviewer.pk: q.reviewer, q.deputy.pk: q.deputy}.get(uid) or sup
        out.append({"code": code, "name": q.name, "configured": True,
                    "reviewer": _staff_brief(q.reviewer), "deputy": _staff_brief(q.deputy),
                    "routes_to": {**_staff_brief(person), "why": why} if person else None})
    return out


def _staff_brief(u: User) -> dict[str, Any]:
    return {"id": u.pk, "username": u.username, "name": u.display, "absent": u.absent}


def _reviewer_fact(user_id: Any, field_name: str) -> tuple[User, rules.ReviewerFact]:
    from watchkeeper.staff.roles import allowed

    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise Invalid(f"{field_name} must be the id of a member of staff", field_name)
    u = User.objects.filter(pk=user_id).first()
    if u is None:
        raise Refusal(f"No member of staff {user_id} ({field_name}).", safeguard="L9", status=400,
                      next_step="Choose someone from the staff list.", details={"field": field_name})
    return u, rules.ReviewerFact(u.pk, u.display, u.role_label, u.is_active, allowed(u.role, "review.own"))


def set_intake_reviewers(actor: Actor, code: str, *, reviewer_id: int, deputy_id: int, name: str = "") -> IntakeQueue:
    """L9: an administrator sets who reviews a channel of automatic intake and who deputises when the
    reviewer is away. Routing of every log raised from that channel afterwards follows it."""
    actor.require("intake.manage")
    policy = current_policy()
    code = v.text(code, "code", max_length=32)
    name = v.text(name, "name", max_length=100, required=False)
    if code not in policy["automatic_sources"]:
        raise NotFound(f"No automatic intake queue {code!r} (queues: {', '.join(policy['automatic_sources'])}).")
    reviewer, rfact = _reviewer_fact(reviewer_id, "reviewer_id")
    deputy, dfact = _reviewer_fact(deputy_id, "deputy_id")
    rules.check_intake_reviewers(rfact, dfact)
    with unit_of_work():
        queue = IntakeQueue.objects.select_for_update().filter(code=code).select_related("reviewer", "deputy").first()
        before = ({"name": queue.name, "reviewer": queue.reviewer.username, "deputy": queue.deputy.username}
                  if queue is not None else None)
        if queue is None:
            queue = IntakeQueue(code=code, name=name or code.replace("_", " ").capitalize())
        elif name:
            queue.name = name
        queue.reviewer, queue.deputy = reviewer, deputy
        queue.save()
        audit.record(actor, "intake.reviewers_set", "intake_queue", code, before=before,
                     after={"name": queue.name, "reviewer": reviewer.username, "deputy": deputy.username})
    return queue
