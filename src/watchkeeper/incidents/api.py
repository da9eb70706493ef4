"""JSON endpoints for incident logs. Thin: the body is validated against its schema (`schemas.py`), the
change runs through the same operation the UI's forms use (`operations.py`), the result is rendered."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Status

from watchkeeper.core import validate as v
from watchkeeper.core.config import current_policy
from watchkeeper.incidents import actions, queries
from watchkeeper.incidents.models import Entry, Log, Notification
from watchkeeper.incidents.operations import HANDLE_MESSAGE, INTAKE_REVIEWERS, MESSAGE, OPERATIONS, RAISE
from watchkeeper.incidents.schemas import (
    AckIn,
    AssignIn,
    CancelIn,
    CloseIn,
    ContactSchema,
    DecisionIn,
    DowngradeIn,
    EntryIn,
    GradeIn,
    HandleMessageIn,
    IntakeReviewersIn,
    LinkIn,
    MergeIn,
    MessageIn,
    RaiseLogIn,
    ReopenIn,
    ServiceRequestIn,
    ServiceRequestUpdateIn,
    TakeReviewIn,
    TaskDoneIn,
    TaskIn,
    UpdateLogIn,
)
from watchkeeper.web.forms import actor_of

router = Router(tags=["logs"])

# ------------------------------------------------------------------------------------------ renders
def log_out(log: Log) -> dict[str, Any]:
    policy = current_policy()
    return {
        "id": log.pk,
        "reference": log.reference,
        "status": log.status,
        "category": log.category,
        "category_label": policy.category_label(log.category),
        "summary": log.summary,
        "location": log.location,
        "flags": list(log.flags),
        "grade": log.grade,
        "proposed_grade": log.proposed_grade,
        "source": log.source,
        "owner": log.owner.username if log.owner_id and log.owner else None,
        "version": log.version,
        "last_seq": log.last_seq,
        "created_at": log.created_at.isoformat(),
        "merged_into": log.merged_into.reference if log.merged_into_id and log.merged_into else None,
        "closing_code": log.closing_code or None,
        "awaiting_review": log.awaiting_review,
        "ready_to_close": log.ready_to_close_seq is not None,
    }


def entry_out(e: Entry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "kind": e.kind,
        "text": e.text,
        "author": e.author.username if e.author_id and e.author else None,
        "corrects": e.corrects.seq if e.corrects_id and e.corrects else None,
    }


def detail_out(request: HttpRequest, log: Log, resolved_from: str | None) -> dict[str, Any]:
    d = queries.log_detail(log, request.auth)  # type: ignore[attr-defined]
    return {
        **log_out(log),
        "resolved_from": resolved_from,
        "entries": [entry_out(e) for e in d.entries],
        "accounts": d.accounts,
        "service_requests": d.requests,
        "tasks": d.tasks,
        "links": d.links,
        "merged_from": d.merged_from,
        "viewers": d.viewers,
        "proposal": d.proposal,
        "pending_downgrade": d.pending_downgrade,
        **d.extras,
    }


# ---------------------------------------------------------------------------------------- endpoints
@router.get("/logs", summary="Open logs (the queue), newest first")
def list_logs(request: HttpRequest, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    actor = actor_of(request, via="api")
    actor.require("log.view")
    v.choice(status, "status", ["open", "closed", "cancelled", "merged", "all"])
    return [log_out(x) for x in queries.logs(actor, status, limit)]  # the same read as the queue page


@router.post("/logs", response={201: dict}, summary="Raise a log from a contact")
def raise_log(request: HttpRequest, body: RaiseLogIn) -> Status[dict[str, Any]]:
    log = RAISE.run(actor_of(request, via="api"), body)
    return Status(201, log_out(log))


@router.get("/logs/{reference}", summary="Open a log (audited; marks it read to its latest entry)")
def get_log(request: HttpRequest, reference: str, purpose: str = "") -> dict[str, Any]:
    view = actions.view_log(actor_of(request, via="api"), reference, purpose=purpose)
    return detail_out(request, view.log, view.resolved_from)


@router.patch("/logs/{reference}", summary="Change the header (needs expected_version; L4)")
def update_log(request: HttpRequest, reference: str, body: UpdateLogIn) -> dict[str, Any]:
    log = OPERATIONS["update"].run(actor_of(request, via="api"), body, reference=reference)
    return log_out(log)


@router.post("/logs/{reference}/contacts", response={201: dict}, summary="Attach another contact (L8)")
def add_contact(request: HttpRequest, reference: str, body: ContactSchema) -> Status[dict[str, Any]]:
    c = OPERATIONS["contact"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": c.pk, "log": c.log.reference if c.log else None})


@router.post("/logs/{reference}/entries", response={201: dict}, summary="Add a narrative entry (L2, L4)")
def add_entry(request: HttpRequest, reference: str, body: EntryIn) -> Status[dict[str, Any]]:
    e = OPERATIONS["entry"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {**entry_out(e), "log": e.log.reference, "version": e.log.version})


@router.post("/logs/{reference}/grade", summary="Grade with THRIVE (C4); a lower grade is refused (L5)")
def grade(request: HttpRequest, reference: str, body: GradeIn) -> dict[str, Any]:
    g = OPERATIONS["grade"].run(actor_of(request, via="api"), body, reference=reference)
    return {"grade": g.grade, "proposed_grade": g.proposed_grade, "below_policy": g.below_policy,
            "reasons": g.proposal_reasons, "version": g.log.version}


@router.post("/logs/{reference}/downgrade-requests", response={201: dict}, summary="Ask to lower the grade (L5)")
def downgrade(request: HttpRequest, reference: str, body: DowngradeIn) -> Status[dict[str, Any]]:
    r = OPERATIONS["downgrade"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": r.pk, "state": r.state, "authoriser": r.authoriser.username})


@router.post("/downgrade-requests/{request_id}/decision", summary="Authorise or refuse a downgrade (L5)")
def decide(request: HttpRequest, request_id: int, body: DecisionIn) -> dict[str, Any]:
    r = OPERATIONS["decide"].run(actor_of(request, via="api"), body, request_id=request_id)
    return {"id": r.pk, "state": r.state, "grade": r.log.grade}


@router.get("/logs/{reference}/unseen", summary="Entries on this log you have not seen (L3)")
def unseen(request: HttpRequest, reference: str) -> dict[str, Any]:
    log, rows = actions.view_unseen(actor_of(request, via="api"), reference)
    return {"reference": log.reference, "last_seq": log.last_seq,
            "unseen": [{"seq": e.seq, "kind": e.kind, "text": e.text, "at": e.at.isoformat()} for e in rows]}


@router.post("/logs/{reference}/ready-to-close", summary="Instruct close; void once anything is added (L3)")
def ready(request: HttpRequest, reference: str, body: AckIn) -> dict[str, Any]:
    return log_out(OPERATIONS["ready"].run(actor_of(request, via="api"), body, reference=reference))


@router.post("/logs/{reference}/close", summary="Close (L3, L6, L10, L11)")
def close(request: HttpRequest, reference: str, body: CloseIn) -> dict[str, Any]:
    return log_out(OPERATIONS["close"].run(actor_of(request, via="api"), body, reference=reference))


@router.post("/logs/{reference}/reopen", summary="Reopen a closed log with a reason")
def reopen(request: HttpRequest, reference: str, body: ReopenIn) -> dict[str, Any]:
    return log_out(OPERATIONS["reopen"].run(actor_of(request, via="api"), body, reference=reference))


@router.post("/logs/{reference}/cancel", summary="Cancel a duplicate or error, never delete (L1)")
def cancel(request: HttpRequest, reference: str, body: CancelIn) -> dict[str, Any]:
    return log_out(OPERATIONS["cancel"].run(actor_of(request, via="api"), body, reference=reference))


@router.post("/logs/{reference}/service-requests", response={201: dict}, summary="Request to/from a service (L6)")
def add_request(request: HttpRequest, reference: str, body: ServiceRequestIn) -> Status[dict[str, Any]]:
    r = OPERATIONS["request"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": r.pk, "state": r.state})


@router.post("/service-requests/{request_id}", summary="Action, decline or withdraw a request (L6)")
def update_request(request: HttpRequest, request_id: int, body: ServiceRequestUpdateIn) -> dict[str, Any]:
    r = OPERATIONS["request_update"].run(actor_of(request, via="api"), body, request_id=request_id)
    return {"id": r.pk, "state": r.state}


@router.post("/tasks", response={201: dict}, summary="A commitment with owner and due time (L11)")
def add_task(request: HttpRequest, body: TaskIn) -> Status[dict[str, Any]]:
    t = OPERATIONS["task"].run(actor_of(request, via="api"), body)
    return Status(201, {"id": t.pk, "state": t.state, "due_at": t.due_at.isoformat()})


@router.post("/tasks/{task_id}/complete", summary="Record a task's result (L11)")
def complete_task(request: HttpRequest, task_id: int, body: TaskDoneIn) -> dict[str, Any]:
    t = OPERATIONS["task_done"].run(actor_of(request, via="api"), body, task_id=task_id)
    return {"id": t.pk, "state": t.state}


@router.post("/logs/{reference}/links", response={201: dict}, summary="Link two logs (L7)")
def link(request: HttpRequest, reference: str, body: LinkIn) -> Status[dict[str, Any]]:
    lk = OPERATIONS["link"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": lk.pk, "kind": lk.kind})


@router.post("/logs/{reference}/merge", summary="Merge a true duplicate into another log (L7, L1)")
def merge(request: HttpRequest, reference: str, body: MergeIn) -> dict[str, Any]:
    return log_out(OPERATIONS["merge"].run(actor_of(request, via="api"), body, reference=reference))


@router.post("/logs/{reference}/assignments", response={201: dict}, summary="Assign staff (L12, L4)")
def assign(request: HttpRequest, reference: str, body: AssignIn) -> Status[dict[str, Any]]:
    a = OPERATIONS["assign"].run(actor_of(request, via="api"), body, reference=reference)
    return Status(201, {"id": a.pk, "summary": a.summary})


@router.get("/logs/{reference}/circulation", summary="The full circulation summary (L12)")
def circulation(request: HttpRequest, reference: str) -> dict[str, Any]:
    view = actions.view_log(actor_of(request, via="api"), reference, purpose="circulation summary")
    return actions.circulation(view.log)


@router.post("/logs/{reference}/review", summary="Take an automatically created log from review (L9)")
def take_review(request: HttpRequest, reference: str) -> dict[str, Any]:
    return log_out(OPERATIONS["review"].run(actor_of(request, via="api"), TakeReviewIn(), reference=reference))


@router.get("/review-queue", summary="Automatically created logs awaiting a person (L9)")
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [{**log_out(x), "assignee": x.review_assignee.username if x.review_assignee else None}
            for x in queries.awaiting_review(actor_of(request, via="api"))]  # the same read as the review page


@router.post("/messages", response={201: dict}, summary="A message for a named officer (L8)")
def message(request: HttpRequest, body: MessageIn) -> Status[dict[str, Any]]:
    c = MESSAGE.run(actor_of(request, via="api"), body)
    return Status(201, {"id": c.pk, "routed_to_team": c.routed_to_team.name if c.routed_to_team else None})


@router.post("/messages/{contact_id}/handle", summary="Handle a message, attaching it to a log (L8)")
def handle(request: HttpRequest, contact_id: int, body: HandleMessageIn) -> dict[str, Any]:
    c = HANDLE_MESSAGE.run(actor_of(request, via="api"), body, contact_id=contact_id)
    return {"id": c.pk, "log": c.log.reference if c.log else None}


@router.get("/notifications", summary="My notifications and my team's queue")
def notifications(request: HttpRequest, unread: bool = True) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    mine = Q(recipient=user) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
    qs = Notification.objects.filter(mine).select_related("log").order_by("-id")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [{"id": n.pk, "kind": n.kind, "text": n.text, "safeguard": n.safeguard,
             "log": n.log.reference if n.log else None, "team": n.team_id is not None,
             "created_at": n.created_at.isoformat()} for n in qs[:200]]


@router.post("/notifications/{notification_id}/read", summary="Mark a notification read")
def read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    n = actions.read_notification(actor_of(request, via="api"), notification_id)
    return {"id": n.pk, "read_at": n.read_at.isoformat() if n.read_at else None}


# ------------------------------------------------------------------------------- L9 intake reviewers
@router.get("/intake/queues", summary="Automatic intake queues: reviewer, deputy and who a log reaches now (L9)")
def intake_queues(request: HttpRequest) -> list[dict[str, Any]]:
    return actions.intake_queues()


@router.put("/intake/queues/{code}", summary="Set a queue's reviewer and deputy (administrators, L9)")
def set_intake_reviewers(request: HttpRequest, code: str, body: IntakeReviewersIn) -> dict[str, Any]:
    INTAKE_REVIEWERS.run(actor_of(request, via="api"), body, code=code)
    return next(q for q in actions.intake_queues() if q["code"] == code)
