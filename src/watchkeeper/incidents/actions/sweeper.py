"""What the sweeper fires: task alerts (L11) and review escalations (L9)."""

from __future__ import annotations

from datetime import datetime, timedelta

from watchkeeper.audit import writer as audit
from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.config import current_policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import rules
from watchkeeper.incidents.actions.common import (
    _escalation_owner,
    _notify,
    _supervisor_of,
)
from watchkeeper.incidents.models import (
    Log,
    Task,
)


def fire_task_alerts(now: datetime, limit: int = 500) -> int:
    """L11: alert the owner of a task that fell due, then their supervisor. Each step is claimed with a
    conditional update, so two sweepers (or a restart) never alert twice and never miss one."""
    policy = current_policy()
    fired = 0
    due = list(Task.objects.filter(alert_at__lte=now, state="open").values_list("pk", "stage")[:limit])
    for pk, stage in due:
        with unit_of_work():
            task = Task.objects.filter(pk=pk).select_related("owner", "log").first()
            if task is None:
                continue
            nxt = rules.next_task_alert(stage + 1, task.due_at, policy)
            claimed = Task.objects.filter(pk=pk, stage=stage, state="open", alert_at__lte=now).update(
                stage=stage + 1, alert_at=nxt
            )
            if not claimed:
                continue
            where = f" ({task.log.reference})" if task.log else ""
            if stage == 0:
                _notify(task.owner, kind="task_overdue", safeguard="L11", log=task.log,
                        text=f"Overdue{where}: {task.description}")
                audit.record(SYSTEM, "task.overdue_alert", "task", pk, after={"to": task.owner.username})
            else:
                sup = _supervisor_of(task.owner)
                recipient = sup or task.owner
                _notify(recipient, kind="task_escalated", safeguard="L11", log=task.log,
                        text=f"Escalated: {task.owner.display}'s task is overdue{where}: {task.description}")
                audit.record(SYSTEM, "task.escalated", "task", pk, after={"to": recipient.username})
            fired += 1
    return fired


def fire_review_escalations(now: datetime, limit: int = 500) -> int:
    """L9: an automatically created log still unowned at its deadline escalates: to the named deputy, then
    to the supervisor."""
    policy = current_policy()
    fired = 0
    # `status || ''` keeps the planner on the partial review-deadline index: without statistics SQLite would
    # otherwise pick the status index and walk every open log on every sweep.
    due = list(
        Log.objects.filter(review_due_at__lte=now, review_owned_at__isnull=True)
        .extra(where=["\"incidents_log\".\"status\" || '' = %s"], params=["open"])
        .values_list("pk", "review_stage")[:limit]
    )
    for pk, stage in due:
        with unit_of_work():
            log = Log.objects.filter(pk=pk).select_related("review_queue__reviewer", "review_queue__deputy").first()
            if log is None or log.review_queue is None:
                continue
            queue = log.review_queue
            target = queue.deputy if stage == 0 else (_escalation_owner(queue) or queue.deputy)
            next_due = now + timedelta(minutes=int(policy["review_escalation_minutes"])) if stage == 0 else None
            claimed = Log.objects.filter(
                pk=pk, review_stage=stage, review_owned_at__isnull=True, review_due_at__lte=now
            ).update(review_stage=stage + 1, review_due_at=next_due, review_assignee=target)
            if not claimed:
                continue
            _notify(target, kind="review_escalated", safeguard="L9", log=log,
                    text=f"{log.reference} ({queue.name}) is still unowned — escalated to you.")
            audit.record(SYSTEM, "review.escalated", "log", log.reference, after={"to": target.username})
            fired += 1
    return fired
