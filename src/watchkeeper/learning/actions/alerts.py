"""K2: due-soon and overdue alerts, fired by the sweeper."""

from __future__ import annotations

from datetime import datetime

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules
from watchkeeper.learning.actions.common import (
    _notify,
    at_start_of,
    learning_leads,
)
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    Recommendation,
    RecommendationAction,
)


def fire_learning_alerts(now: datetime, limit: int = 500) -> int:
    """K2: due-soon and overdue alerts for recommendations awaiting a response and for open actions. Each
    alert is claimed with a conditional update on its stage, so it fires once, whoever sweeps."""
    policy = current()
    return _fire_recommendations(now, policy, limit) + _fire_actions(now, policy, limit)


def _fire_recommendations(now: datetime, policy: rules.LearningPolicy, limit: int) -> int:
    fired = 0
    due = list(Recommendation.objects.filter(alert_at__lte=now).values_list("pk", "alert_stage")[:limit])
    for pk, stage in due:
        with unit_of_work():
            rec = Recommendation.objects.filter(pk=pk).select_related("owner", "document").first()
            if rec is None:
                continue
            due_on = rec.response_due
            live = due_on is not None and not rec.responded
            fire = (
                rules.alert_to_fire(stage, due_on, clock.local(now).date(), policy.response_due_soon_days)
                if due_on is not None and live
                else rules.ALERT_DONE
            )
            nxt = rules.next_alert(fire, due_on, policy.response_due_soon_days) if due_on is not None and live else None
            claimed = Recommendation.objects.filter(pk=pk, alert_stage=stage, alert_at__lte=now).update(
                alert_stage=fire + 1 if live else rules.ALERT_DONE, alert_at=at_start_of(nxt) if nxt else None
            )
            if not claimed or not live:
                continue
            overdue = fire >= rules.ALERT_OVERDUE
            recipients = [rec.owner] if rec.owner else learning_leads()
            text = f"K2: the response to recommendation {rec.reference} ({rec.document.label}) " + (
                f"is overdue: it was due on {rec.response_due:%d %b %Y}."
                if overdue
                else f"is due on {rec.response_due:%d %b %Y}."
            )
            for person in recipients:
                _notify(person, kind="learning_overdue" if overdue else "learning_due", text=text)
            audit.record(
                SYSTEM,
                "learning.response_overdue_alert" if overdue else "learning.response_due_alert",
                "learning_recommendation",
                pk,
                after={"to": [p.username for p in recipients]},
            )
            fired += 1
    return fired


def _fire_actions(now: datetime, policy: rules.LearningPolicy, limit: int) -> int:
    fired = 0
    due = list(
        RecommendationAction.objects.filter(alert_at__lte=now, state="open").values_list("pk", "alert_stage")[
            :limit
        ]
    )
    for pk, stage in due:
        with unit_of_work():
            action = (
                RecommendationAction.objects.filter(pk=pk)
                .select_related("owner", "recommendation__owner")
                .first()
            )
            if action is None:
                continue
            fire = rules.alert_to_fire(
                stage, action.due_date, clock.local(now).date(), policy.action_due_soon_days
            )
            nxt = rules.next_alert(fire, action.due_date, policy.action_due_soon_days)
            claimed = RecommendationAction.objects.filter(
                pk=pk, alert_stage=stage, state="open", alert_at__lte=now
            ).update(alert_stage=fire + 1, alert_at=at_start_of(nxt) if nxt else None)
            if not claimed:
                continue
            overdue = fire >= rules.ALERT_OVERDUE
            rec = action.recommendation
            recipients = [action.owner]
            if overdue and rec.owner is not None and rec.owner_id != action.owner_id:
                recipients.append(rec.owner)
            text = (
                f"K2: action on {rec.reference} "
                + (
                    f"is overdue (due {action.due_date:%d %b %Y})"
                    if overdue
                    else f"is due on {action.due_date:%d %b %Y}"
                )
                + f": {action.description}"
            )
            for person in recipients:
                _notify(person, kind="learning_overdue" if overdue else "learning_due", text=text)
            audit.record(
                SYSTEM,
                "learning.action_overdue_alert" if overdue else "learning.action_due_alert",
                "learning_action",
                pk,
                after={"to": [p.username for p in recipients]},
            )
            fired += 1
    return fired
