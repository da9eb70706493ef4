"""JSON endpoints for incident logs. Thin: parse, call one action, render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.schema import DjangoGetter
from pydantic import model_validator

from watchkeeper.api import actor_of
from watchkeeper.core import validate as v
from watchkeeper.core.config import current_policy
from watchkeeper.incidents import actions, queries
from watchkeeper.incidents.models import Entry, Log, Notification

router = Router(tags=["logs"])

Level = Literal["none", "low", "medium", "high"]


# -------------------------------------------------------------------------------------------- schemas
class ContactSchema(Schema):
    channel: str = Field(description="999, 101, switchboard, front_counter, email, online, partner_agency, "
                         "alarm, police_generated")
    account: str = Field(description="What the caller said, in their words")
    received_at: datetime | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_dob: date | None = None
    caller_age: int | None = Field(None, ge=0, le=130)
    caller_age_reason: str = ""
    party: str = Field("", description="Which party the caller is (L7)")
    allegation: str = ""

    def to_input(self) -> actions.ContactIn:
        return actions.ContactIn(**self.dict())


class PartyChoice(Schema):
    person_id: int
    role: str = Field(description="caller, victim, suspect, subject, witness or mentioned")


class RaiseLogIn(Schema):
    contact: ContactSchema
    category: str
    summary: str
    location: str = ""
    flags: list[str] = []
    source: str = "manual"
    entries: list[str] = []
    parties: list[PartyChoice] = Field([], description="C1: people from the context panel to put on the log")
    second_call_reason: str = Field("", description="L8: why a new log, when an open log from the last hours "
                                    "has this phone, place or person (refused with 409 and the matches otherwise)")


class EntryIn(Schema):
    text: str
    corrects_seq: int | None = None
    add_flags: list[str] = []


class UpdateLogIn(Schema):
    expected_version: int
    category: str | None = None
    summary: str | None = None
    location: str | None = None
    flags: list[str] | None = None
    reason: str = ""


class ThriveElement(Schema):
    level: Level | None = None
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def must_be_an_object(cls, data: Any) -> Any:
        inner = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(inner, dict | ThriveElement):
            raise ValueError("each THRIVE element must be an object with a level and/or a note")
        return data


class ThriveIn(Schema):
    threat: ThriveElement
    harm: ThriveElement
    risk: ThriveElement
    investigation: ThriveElement = ThriveElement()
    vulnerability: ThriveElement
    engagement: ThriveElement = ThriveElement()


class GradeIn(Schema):
    grade: str
    thrive: ThriveIn
    rationale: str = ""
    expected_version: int


class DowngradeIn(Schema):
    grade: str
    thrive: ThriveIn
    reason: str = ""
    authoriser_id: int | None = None
    expected_version: int


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class AckIn(Schema):
    acknowledged_through: int | None = None


class CloseIn(Schema):
    code: str
    note: str = ""
    acknowledged_through: int | None = None
    authorisation_rationale: str = ""


class ReopenIn(Schema):
    reason: str


class CancelIn(Schema):
    code: str
    reason: str
    duplicate_of: str = ""
    acknowledged_through: int | None = None


class ServiceRequestIn(Schema):
    direction: Literal["outbound", "inbound"]
    service: str
    requester: str
    ask: str
    condition: str = ""


class ServiceRequestUpdateIn(Schema):
    state: Literal["actioned", "declined", "withdrawn"]
    note: str


class TaskIn(Schema):
    description: str
    owner_id: int
    due_at: datetime
    reference: str = ""


class TaskDoneIn(Schema):
    result: str


class LinkIn(Schema):
    other: str
    kind: Literal["same_event", "related", "counter_allegation"]
    reason: str = ""


class MergeIn(Schema):
    into: str
    reason: str


class AssignIn(Schema):
    user_id: int


class MessageIn(Schema):
    addressed_to: int
    contact: ContactSchema


class HandleMessageIn(Schema):
    reference: str = ""
    note: str = ""


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
    actor_of(request).require("log.view")
    v.choice(status, "status", ["open", "closed", "cancelled", "merged", "all"])
    qs = Log.objects.select_related("owner", "merged_into").order_by("-created_at")
    if status != "all":
        qs = qs.filter(status=status)
    return [log_out(x) for x in qs[: max(1, min(limit, 500))]]


@router.post("/logs", response={201: dict}, summary="Raise a log from a contact")
def raise_log(request: HttpRequest, body: RaiseLogIn) -> Status[dict[str, Any]]:
    log = actions.raise_log(
        actor_of(request),
        contact=body.contact.to_input(),
        category=body.category,
        summary=body.summary,
        location=body.location,
        flags=body.flags,
        source=body.source,
        entries=body.entries,
        parties=[p.dict() for p in body.parties],
        second_call_reason=body.second_call_reason,
    )
    return Status(201, log_out(log))


@router.get("/logs/{reference}", summary="Open a log (audited; marks it read to its latest entry)")
def get_log(request: HttpRequest, reference: str, purpose: str = "") -> dict[str, Any]:
    view = actions.view_log(actor_of(request), reference, purpose=purpose)
    return detail_out(request, view.log, view.resolved_from)


@router.patch("/logs/{reference}", summary="Change the header (needs expected_version; L4)")
def update_log(request: HttpRequest, reference: str, body: UpdateLogIn) -> dict[str, Any]:
    log = actions.update_log(actor_of(request), reference, **body.dict())
    return log_out(log)


@router.post("/logs/{reference}/contacts", response={201: dict}, summary="Attach another contact (L8)")
def add_contact(request: HttpRequest, reference: str, body: ContactSchema) -> Status[dict[str, Any]]:
    c = actions.record_contact(actor_of(request), reference, body.to_input())
    return Status(201, {"id": c.pk, "log": c.log.reference if c.log else None})


@router.post("/logs/{reference}/entries", response={201: dict}, summary="Add a narrative entry (L2, L4)")
def add_entry(request: HttpRequest, reference: str, body: EntryIn) -> Status[dict[str, Any]]:
    e = actions.add_entry(actor_of(request), reference, body.text, corrects_seq=body.corrects_seq,
                          add_flags=body.add_flags)
    return Status(201, {**entry_out(e), "log": e.log.reference, "version": e.log.version})


@router.post("/logs/{reference}/grade", summary="Grade with THRIVE (C4); a lower grade is refused (L5)")
def grade(request: HttpRequest, reference: str, body: GradeIn) -> dict[str, Any]:
    g = actions.grade_log(actor_of(request), reference, grade=body.grade, thrive=body.thrive.dict(),
                          rationale=body.rationale, expected_version=body.expected_version)
    return {"grade": g.grade, "proposed_grade": g.proposed_grade, "below_policy": g.below_policy,
            "reasons": g.proposal_reasons, "version": g.log.version}


@router.post("/logs/{reference}/downgrade-requests", response={201: dict}, summary="Ask to lower the grade (L5)")
def downgrade(request: HttpRequest, reference: str, body: DowngradeIn) -> Status[dict[str, Any]]:
    r = actions.request_downgrade(actor_of(request), reference, grade=body.grade, thrive=body.thrive.dict(),
                                  reason=body.reason, authoriser_id=body.authoriser_id,
                                  expected_version=body.expected_version)
    return Status(201, {"id": r.pk, "state": r.state, "authoriser": r.authoriser.username})


@router.post("/downgrade-requests/{request_id}/decision", summary="Authorise or refuse a downgrade (L5)")
def decide(request: HttpRequest, request_id: int, body: DecisionIn) -> dict[str, Any]:
    r = actions.decide_downgrade(actor_of(request), request_id, approve=body.approve, note=body.note)
    return {"id": r.pk, "state": r.state, "grade": r.log.grade}


@router.get("/logs/{reference}/unseen", summary="Entries on this log you have not seen (L3)")
def unseen(request: HttpRequest, reference: str) -> dict[str, Any]:
    log, rows = actions.view_unseen(actor_of(request), reference)
    return {"reference": log.reference, "last_seq": log.last_seq,
            "unseen": [{"seq": e.seq, "kind": e.kind, "text": e.text, "at": e.at.isoformat()} for e in rows]}


@router.post("/logs/{reference}/ready-to-close", summary="Instruct close; void once anything is added (L3)")
def ready(request: HttpRequest, reference: str, body: AckIn) -> dict[str, Any]:
    return log_out(actions.mark_ready_to_close(actor_of(request), reference,
                                               acknowledged_through=body.acknowledged_through))


@router.post("/logs/{reference}/close", summary="Close (L3, L6, L10, L11)")
def close(request: HttpRequest, reference: str, body: CloseIn) -> dict[str, Any]:
    return log_out(actions.close_log(actor_of(request), reference, **body.dict()))


@router.post("/logs/{reference}/reopen", summary="Reopen a closed log with a reason")
def reopen(request: HttpRequest, reference: str, body: ReopenIn) -> dict[str, Any]:
    return log_out(actions.reopen_log(actor_of(request), reference, reason=body.reason))


@router.post("/logs/{reference}/cancel", summary="Cancel a duplicate or error, never delete (L1)")
def cancel(request: HttpRequest, reference: str, body: CancelIn) -> dict[str, Any]:
    return log_out(actions.cancel_log(actor_of(request), reference, **body.dict()))


@router.post("/logs/{reference}/service-requests", response={201: dict}, summary="Request to/from a service (L6)")
def add_request(request: HttpRequest, reference: str, body: ServiceRequestIn) -> Status[dict[str, Any]]:
    r = actions.add_service_request(actor_of(request), reference, **body.dict())
    return Status(201, {"id": r.pk, "state": r.state})


@router.post("/service-requests/{request_id}", summary="Action, decline or withdraw a request (L6)")
def update_request(request: HttpRequest, request_id: int, body: ServiceRequestUpdateIn) -> dict[str, Any]:
    r = actions.update_service_request(actor_of(request), request_id, state=body.state, note=body.note)
    return {"id": r.pk, "state": r.state}


@router.post("/tasks", response={201: dict}, summary="A commitment with owner and due time (L11)")
def add_task(request: HttpRequest, body: TaskIn) -> Status[dict[str, Any]]:
    t = actions.add_task(actor_of(request), description=body.description, owner_id=body.owner_id,
                         due_at=body.due_at, reference=body.reference)
    return Status(201, {"id": t.pk, "state": t.state, "due_at": t.due_at.isoformat()})


@router.post("/tasks/{task_id}/complete", summary="Record a task's result (L11)")
def complete_task(request: HttpRequest, task_id: int, body: TaskDoneIn) -> dict[str, Any]:
    t = actions.complete_task(actor_of(request), task_id, result=body.result)
    return {"id": t.pk, "state": t.state}


@router.post("/logs/{reference}/links", response={201: dict}, summary="Link two logs (L7)")
def link(request: HttpRequest, reference: str, body: LinkIn) -> Status[dict[str, Any]]:
    lk = actions.link_logs(actor_of(request), reference, body.other, kind=body.kind, reason=body.reason)
    return Status(201, {"id": lk.pk, "kind": lk.kind})


@router.post("/logs/{reference}/merge", summary="Merge a true duplicate into another log (L7, L1)")
def merge(request: HttpRequest, reference: str, body: MergeIn) -> dict[str, Any]:
    return log_out(actions.merge_logs(actor_of(request), reference, body.into, reason=body.reason))


@router.post("/logs/{reference}/assignments", response={201: dict}, summary="Assign staff (L12, L4)")
def assign(request: HttpRequest, reference: str, body: AssignIn) -> Status[dict[str, Any]]:
    a = actions.assign_staff(actor_of(request), reference, body.user_id)
    return Status(201, {"id": a.pk, "summary": a.summary})


@router.get("/logs/{reference}/circulation", summary="The full circulation summary (L12)")
def circulation(request: HttpRequest, reference: str) -> dict[str, Any]:
    view = actions.view_log(actor_of(request), reference, purpose="circulation summary")
    return actions.circulation(view.log)


@router.post("/logs/{reference}/review", summary="Take an automatically created log from review (L9)")
def take_review(request: HttpRequest, reference: str) -> dict[str, Any]:
    return log_out(actions.take_review(actor_of(request), reference))


@router.get("/review-queue", summary="Automatically created logs awaiting a person (L9)")
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request).require("review.own")
    qs = Log.objects.filter(review_queue__isnull=False, review_owned_at__isnull=True, status="open")
    return [{**log_out(x), "assignee": x.review_assignee.username if x.review_assignee else None}
            for x in qs.select_related("review_assignee", "owner").order_by("created_at")[:500]]


@router.post("/messages", response={201: dict}, summary="A message for a named officer (L8)")
def message(request: HttpRequest, body: MessageIn) -> Status[dict[str, Any]]:
    c = actions.send_message(actor_of(request), body.addressed_to, body.contact.to_input())
    return Status(201, {"id": c.pk, "routed_to_team": c.routed_to_team.name if c.routed_to_team else None})


@router.post("/messages/{contact_id}/handle", summary="Handle a message, attaching it to a log (L8)")
def handle(request: HttpRequest, contact_id: int, body: HandleMessageIn) -> dict[str, Any]:
    c = actions.handle_message(actor_of(request), contact_id, body.reference, body.note)
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
    n = actions.read_notification(actor_of(request), notification_id)
    return {"id": n.pk, "read_at": n.read_at.isoformat() if n.read_at else None}


# ------------------------------------------------------------------------------- L9 intake reviewers
@router.get("/intake/queues", summary="Automatic intake queues: reviewer, deputy and who a log reaches now (L9)")
def intake_queues(request: HttpRequest) -> list[dict[str, Any]]:
    return actions.intake_queues()


class IntakeReviewersIn(Schema):
    reviewer_id: int
    deputy_id: int
    name: str = ""


@router.put("/intake/queues/{code}", summary="Set a queue's reviewer and deputy (administrators, L9)")
def set_intake_reviewers(request: HttpRequest, code: str, body: IntakeReviewersIn) -> dict[str, Any]:
    actions.set_intake_reviewers(actor_of(request), code, reviewer_id=body.reviewer_id, deputy_id=body.deputy_id,
                                 name=body.name)
    return next(q for q in actions.intake_queues() if q["code"] == code)
