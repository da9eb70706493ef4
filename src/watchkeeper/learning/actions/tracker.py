"""K2: the recommendations tracker: the force's response, tracker fields, actions and evidence."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Conflict, Invalid, NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules
from watchkeeper.learning.actions.common import (
    MAX_TEXT,
    _day,
    _id,
    _notify,
    _rec_alert,
    _staff,
    at_start_of,
    today,
)
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    Evidence,
    Recommendation,
    RecommendationAction,
)


def _lock_rec(rec_id: int) -> Recommendation:
    rec = Recommendation.objects.select_for_update().filter(pk=_id(rec_id, "recommendation")).first()
    if rec is None:
        raise NotFound(f"No recommendation {rec_id}.")
    return rec


def _tracker(rec: Recommendation) -> dict[str, Any]:
    return {
        "reference": rec.reference,
        "acceptance": rec.acceptance,
        "response": rec.response,
        "responded_on": rec.responded_on,
        "response_due": rec.response_due,
        "addressed_to": rec.addressed_to,
        "linked_bodies": list(rec.linked_bodies),
        "implementation": rec.implementation,
        "owner": rec.owner_id,
        "version": rec.version,
    }


def record_response(
    actor: Actor, rec_id: int, *, acceptance: str, response: str, responded_on: date | None = None
) -> Recommendation:
    """K2: the force's response to a recommendation: accepted, partly or not accepted, and what it will
    do. Recording it ends the response alerts; not accepting closes implementation as "not accepted"."""
    actor.require("learning.manage")
    acceptance = v.choice(acceptance, "acceptance", ["accepted", "partly", "not_accepted"])
    response = v.text(response, "response", max_length=MAX_TEXT)
    on = _day(responded_on, "responded_on", required=False) or today()
    if on > today():
        raise Invalid("responded_on cannot be in the future", "responded_on")
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        before = _tracker(rec)
        rec.acceptance, rec.response, rec.responded_on = acceptance, response, on
        rec.implementation = rules.implementation_after_acceptance(acceptance, rec.implementation)
        rec.version += 1
        _rec_alert(rec, policy)
        rec.save()
        audit.record(
            actor,
            "learning.response_recorded",
            "learning_recommendation",
            rec.pk,
            before=before,
            after=_tracker(rec),
        )
    return rec


_UNSET: Any = object()


def update_recommendation(
    actor: Actor,
    rec_id: int,
    *,
    expected_version: int,
    response_due: Any = _UNSET,
    addressed_to: Any = _UNSET,
    linked_bodies: Any = _UNSET,
    owner_id: Any = _UNSET,
    implementation: Any = _UNSET,
    reason: str = "",
) -> Recommendation:
    """K2: change the tracker fields of a recommendation. `expected_version` is the version the person
    read: a change made since is never silently overwritten."""
    actor.require("learning.manage")
    reason = v.text(reason, "reason", max_length=2000, required=False)
    changes: dict[str, Any] = {}
    if response_due is not _UNSET:
        changes["response_due"] = _day(response_due, "response_due")
    if addressed_to is not _UNSET:
        changes["addressed_to"] = v.text(addressed_to, "addressed_to", max_length=200, required=False)
    if linked_bodies is not _UNSET:
        if not isinstance(linked_bodies, list):
            raise Invalid("linked_bodies must be a list of names", "linked_bodies")
        changes["linked_bodies"] = [v.text(b, "linked_bodies", max_length=200) for b in linked_bodies][:50]
    if owner_id is not _UNSET:
        changes["owner"] = None if owner_id is None else _staff(owner_id, "owner_id")
    if implementation is not _UNSET:
        changes["implementation"] = v.choice(implementation, "implementation", list(rules.IMPLEMENTATION))
    if not changes:
        raise Invalid("nothing to change: give at least one tracker field", "body")
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        if expected_version != rec.version:
            raise Conflict(
                f"Recommendation {rec.reference} changed since you read it (version {rec.version}).",
                details={
                    "version": rec.version,
                    "current": json.loads(json.dumps(_tracker(rec), default=str)),
                },
            )
        if "implementation" in changes and changes["implementation"] != rec.implementation:
            rules.check_implementation(
                changes["implementation"],
                acceptance=rec.acceptance,
                open_actions=rec.actions.filter(state="open").count(),
                evidence=rec.evidence.count(),
            )
        before = _tracker(rec)
        for name, value in changes.items():
            setattr(rec, name, value)
        if "response_due" in changes:
            rec.response_due_is_default = False
            _rec_alert(rec, policy)
        rec.version += 1
        rec.save()
        audit.record(
            actor,
            "learning.recommendation_updated",
            "learning_recommendation",
            rec.pk,
            before=before,
            after=_tracker(rec),
            reason=reason,
        )
    return rec


def add_action(
    actor: Actor, rec_id: int, *, description: str, owner_id: int, due_date: date
) -> RecommendationAction:
    """K2: an action the force will take on a recommendation, with an owner and a due date (alerted when
    due soon and when overdue)."""
    actor.require("learning.manage")
    description = v.text(description, "description", max_length=4000)
    owner = _staff(owner_id, "owner_id")
    due = _day(due_date, "due_date")
    assert due is not None
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        if rec.acceptance == "not_accepted":
            raise Refusal(
                "This recommendation was not accepted, so it has no actions.",
                safeguard="K2",
                status=409,
                next_step="Record a new response accepting it first.",
            )
        stage, day = rules.first_alert(due, today(), policy.action_due_soon_days)
        action = RecommendationAction.objects.create(
            recommendation=rec,
            description=description,
            owner=owner,
            due_date=due,
            created_at=clock.now(),
            created_by=actor.user,
            alert_stage=stage,
            alert_at=at_start_of(day) if day else None,
        )
        implementation = rules.implementation_after_action(rec.implementation)
        if implementation != rec.implementation:
            rec.implementation = implementation
        rec.version += 1
        rec.save(update_fields=["implementation", "version"])
        audit.record(
            actor,
            "learning.action_added",
            "learning_action",
            action.pk,
            after={
                "recommendation": rec.reference,
                "description": description,
                "owner": owner.username,
                "due_date": due,
            },
        )
        if owner.pk != actor.user_id:
            _notify(
                owner,
                kind="learning_action",
                text=f"K2 action for you on {rec.reference}, due {due:%d %b %Y}: {description}",
            )
    return action


def complete_action(actor: Actor, action_id: int, *, result: str) -> RecommendationAction:
    """K2: an action is done when its owner (or a learning lead) records what was done."""
    result = v.text(result, "result", max_length=4000)
    with unit_of_work():
        action = RecommendationAction.objects.select_for_update().filter(pk=_id(action_id, "action")).first()
        if action is None:
            raise NotFound(f"No action {action_id}.")
        if actor.user_id != action.owner_id:
            actor.require("learning.manage")
        if action.state != "open":
            raise Refusal("This action is already done.", safeguard="K2", status=409)
        rec = Recommendation.objects.select_for_update().get(pk=action.recommendation_id)
        action.state, action.completed_at, action.completed_by, action.result = (
            "done",
            clock.now(),
            actor.user,
            result,
        )
        action.alert_at = None
        action.alert_stage = rules.ALERT_DONE
        action.save()
        rec.implementation = rules.implementation_after_action(rec.implementation)
        rec.version += 1
        rec.save(update_fields=["implementation", "version"])
        audit.record(
            actor,
            "learning.action_completed",
            "learning_action",
            action.pk,
            after={"recommendation": rec.reference, "result": result},
        )
    return action


def add_evidence(
    actor: Actor, rec_id: int, *, description: str, link: str = "", action_id: int | None = None
) -> Evidence:
    """K2: evidence that a recommendation is being implemented (what it is and where it is kept)."""
    actor.require("learning.manage")
    description = v.text(description, "description", max_length=4000)
    link = v.text(link, "link", max_length=500, required=False)
    with unit_of_work():
        rec = _lock_rec(rec_id)
        action = None
        if action_id is not None:
            action = RecommendationAction.objects.filter(
                pk=_id(action_id, "action"), recommendation=rec
            ).first()
            if action is None:
                raise Invalid(f"Action {action_id} is not an action of {rec.reference}", "action_id")
        ev = Evidence.objects.create(
            recommendation=rec,
            action=action,
            description=description,
            link=link,
            added_at=clock.now(),
            added_by=actor.user,
        )
        rec.version += 1
        rec.save(update_fields=["version"])
        audit.record(
            actor,
            "learning.evidence_added",
            "learning_evidence",
            ev.pk,
            after={
                "recommendation": rec.reference,
                "description": description,
                "link": link,
                "action": action.pk if action else None,
            },
        )
    return ev

