"""Requests between services (L6) and tasks, promises made to callers (L11)."""

from __future__ import annotations

from datetime import datetime

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import rules
from watchkeeper.incidents.actions.common import (
    _append,
    _lock,
    _notify,
    _require_open,
    _staff,
    _supervisor_of,
)
from watchkeeper.incidents.models import (
    Log,
    ServiceRequest,
    Task,
)
from watchkeeper.staff.models import User

SERVICE_CODES = [c for c, _ in ServiceRequest.SERVICES]


def add_service_request(
    actor: Actor, reference: str, *, direction: str, service: str, requester: str, ask: str, condition: str = ""
) -> ServiceRequest:
    """L6: a request to or from another service is a structured item that someone must action."""
    actor.require("request.manage")
    policy = current_policy()
    direction = v.choice(direction, "direction", ["outbound", "inbound"])
    service = v.choice(service, "service", SERVICE_CODES)
    requester = v.text(requester, "requester", max_length=200)
    ask = v.text(ask, "ask", max_length=4000)
    condition = v.text(condition, "condition", max_length=4000, required=False)
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "add a request")
        now = clock.now()
        req = ServiceRequest.objects.create(
            log=log, direction=direction, service=service, requester=requester, ask=ask, condition=condition,
            created_at=now, created_by=actor.person, updated_at=now, updated_by=actor.person,
        )
        label = dict(ServiceRequest.SERVICES)[service]
        text = (f"Request {'to' if direction == 'outbound' else 'from'} {label} (by {requester}): {ask}"
                + (f" — condition: {condition}" if condition else ""))
        _append(actor, log, "request", text, policy=policy)
        audit.record(actor, "request.added", "service_request", req.pk,
                     after={"log": log.reference, "direction": direction, "service": service,
                            "requester": requester, "ask": ask, "condition": condition})
    return req


def update_service_request(actor: Actor, request_id: int, *, state: str, note: str) -> ServiceRequest:
    """L6: a request leaves "open" only with what was done about it."""
    actor.require("request.manage")
    policy = current_policy()
    state = v.choice(state, "state", ["actioned", "declined", "withdrawn"])
    note = v.text(note, "note", max_length=4000)
    with unit_of_work():
        req = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound(f"No service request {request_id}.")
        if req.state != "open":
            raise Refusal(f"This request is already {req.state}.", safeguard="L6", status=409)
        log = Log.objects.select_for_update().get(pk=req.log_id)
        before = {"state": req.state}
        req.state, req.state_note, req.updated_at, req.updated_by = state, note, clock.now(), actor.person
        req.save(update_fields=["state", "state_note", "updated_at", "updated_by"])
        _append(actor, log, "request",
                f"Request to/from {req.get_service_display()} {state}: {note}", policy=policy)
        audit.record(actor, "request.updated", "service_request", req.pk, before=before,
                     after={"state": state}, reason=note)
    return req


def add_task(
    actor: Actor, *, description: str, owner_id: int, due_at: datetime, reference: str = ""
) -> Task:
    """L11: a promise to a caller becomes a task with an owner and a due time."""
    actor.require("task.manage")
    policy = current_policy()
    description = v.text(description, "description", max_length=4000)
    due = v.aware(due_at, "due_at")
    assert due is not None
    owner = _staff(owner_id, "owner_id")
    with unit_of_work():
        log = None
        if reference:
            log = _lock(reference)
            _require_open(log, "add a task")
        task = _new_task(actor, log, description=description, owner=owner, due=due, policy=policy)
        audit.record(actor, "task.added", "task", task.pk,
                     after={"log": log.reference if log else None, "description": description,
                            "owner": owner.username, "due_at": due})
    return task


def _new_task(actor: Actor, log: Log | None, *, description: str, owner: User, due: datetime, policy: Policy) -> Task:
    """L11: the task itself, its line in the log and its owner told (inside the calling action's unit of work,
    which writes the audit record): shared by `add_task` and accepting a promise prompt."""
    task = Task.objects.create(
        log=log, description=description, owner=owner, due_at=due, created_at=clock.now(),
        created_by=actor.user, alert_at=rules.next_task_alert(0, due, policy),
    )
    if log is not None:
        _append(actor, log, "task", f"Task for {owner.display}, due {clock.local(due):%d/%m %H:%M}: "
                f"{description}", policy=policy)
    if owner.pk != actor.user_id:
        _notify(owner, kind="task", safeguard="L11", log=log,
                text=f"New task due {clock.local(due):%d/%m %H:%M}: {description}")
    return task


def complete_task(actor: Actor, task_id: int, *, result: str) -> Task:
    """L11: a task is done when its owner (or their supervisor) records the result."""
    actor.require("task.manage")
    policy = current_policy()
    result = v.text(result, "result", max_length=4000)
    with unit_of_work():
        task = Task.objects.select_for_update().filter(pk=task_id).select_related("owner").first()
        if task is None:
            raise NotFound(f"No task {task_id}.")
        if task.state != "open":
            raise Refusal(f"This task is already {task.state}.", status=409)
        sup = _supervisor_of(task.owner)
        if actor.user_id not in {task.owner_id, sup.pk if sup else None} and actor.role not in {
            "supervisor", "controller", "duty_inspector"
        }:
            raise Refusal("Only the task's owner or a supervisor can complete it.", safeguard="L11",
                          status=403, next_step="Ask the owner, or hand the task over.")
        task.state, task.completed_at, task.completed_by, task.result = "done", clock.now(), actor.user, result
        task.alert_at = None
        task.save(update_fields=["state", "completed_at", "completed_by", "result", "alert_at"])
        audit.record(actor, "task.completed", "task", task.pk, after={"result": result})
        if task.log_id:
            log = Log.objects.select_for_update().get(pk=task.log_id)
            _append(actor, log, "task", f"Task done ({task.description}): {result}", policy=policy)
    return task
