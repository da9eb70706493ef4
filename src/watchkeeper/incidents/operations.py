"""Every state change of incident logs as the API and the UI both reach it: its input schema and the call
to its one action (see `watchkeeper.web.forms`). The API endpoint validates its JSON body against the
schema and calls `OPERATIONS[what].run(actor, body, **path)`; the log page's `/do/<what>/` view parses the
posted form against the same schema and makes the same call. Permission, rules and the audit record are
the action's."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.incidents import actions
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
from watchkeeper.web.forms import Operation


# ----------------------------------------------------------------------------------- raising, contacts
def _raise(actor: Actor, body: RaiseLogIn, **_: Any) -> Any:
    return actions.raise_log(
        actor,
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


def _contact(actor: Actor, body: ContactSchema, *, reference: str) -> Any:
    return actions.record_contact(actor, reference, body.to_input())


def _message(actor: Actor, body: MessageIn, **_: Any) -> Any:
    return actions.send_message(actor, body.addressed_to, body.contact.to_input())


def _handle_message(actor: Actor, body: HandleMessageIn, *, contact_id: int, **_: Any) -> Any:
    return actions.handle_message(actor, contact_id, body.reference, body.note)


# ------------------------------------------------------------------------------- narrative and header
def _entry(actor: Actor, body: EntryIn, *, reference: str) -> Any:
    return actions.add_entry(actor, reference, body.text, corrects_seq=body.corrects_seq, add_flags=body.add_flags)


def _update(actor: Actor, body: UpdateLogIn, *, reference: str) -> Any:
    return actions.update_log(actor, reference, **body.dict())


# -------------------------------------------------------------------------------------------- grading
def _grade(actor: Actor, body: GradeIn, *, reference: str) -> Any:
    return actions.grade_log(actor, reference, grade=body.grade, thrive=body.thrive.dict(),
                             rationale=body.rationale, expected_version=body.expected_version)


def _downgrade(actor: Actor, body: DowngradeIn, *, reference: str) -> Any:
    return actions.request_downgrade(actor, reference, grade=body.grade, thrive=body.thrive.dict(),
                                     reason=body.reason, authoriser_id=body.authoriser_id,
                                     expected_version=body.expected_version)


def _decide(actor: Actor, body: DecisionIn, *, request_id: int, **_: Any) -> Any:
    return actions.decide_downgrade(actor, request_id, approve=body.approve, note=body.note)


# -------------------------------------------------------------------------------------------- closing
def _ready(actor: Actor, body: AckIn, *, reference: str) -> Any:
    return actions.mark_ready_to_close(actor, reference, acknowledged_through=body.acknowledged_through)


def _close(actor: Actor, body: CloseIn, *, reference: str) -> Any:
    return actions.close_log(actor, reference, **body.dict())


def _cancel(actor: Actor, body: CancelIn, *, reference: str) -> Any:
    return actions.cancel_log(actor, reference, **body.dict())


def _reopen(actor: Actor, body: ReopenIn, *, reference: str) -> Any:
    return actions.reopen_log(actor, reference, reason=body.reason)


# --------------------------------------------------------------------------------- requests and tasks
def _request(actor: Actor, body: ServiceRequestIn, *, reference: str) -> Any:
    return actions.add_service_request(actor, reference, **body.dict())


def _request_update(actor: Actor, body: ServiceRequestUpdateIn, *, request_id: int, **_: Any) -> Any:
    return actions.update_service_request(actor, request_id, state=body.state, note=body.note)


def _task(actor: Actor, body: TaskIn, *, reference: str = "") -> Any:
    """A task on the log the page shows (UI), or on the log the body names (API), or on none."""
    return actions.add_task(actor, description=body.description, owner_id=body.owner_id, due_at=body.due_at,
                            reference=reference or body.reference)


def _task_done(actor: Actor, body: TaskDoneIn, *, task_id: int, **_: Any) -> Any:
    return actions.complete_task(actor, task_id, result=body.result)


# --------------------------------------------------------------------------- links, merges, assignment
def _link(actor: Actor, body: LinkIn, *, reference: str) -> Any:
    return actions.link_logs(actor, reference, body.other, kind=body.kind, reason=body.reason)


def _merge(actor: Actor, body: MergeIn, *, reference: str) -> Any:
    """Returns the surviving log."""
    return actions.merge_logs(actor, reference, body.into, reason=body.reason)


def _assign(actor: Actor, body: AssignIn, *, reference: str) -> Any:
    return actions.assign_staff(actor, reference, body.user_id)


def _review(actor: Actor, body: TakeReviewIn, *, reference: str) -> Any:
    return actions.take_review(actor, reference)


def _intake(actor: Actor, body: IntakeReviewersIn, *, code: str) -> Any:
    return actions.set_intake_reviewers(actor, code, reviewer_id=body.reviewer_id, deputy_id=body.deputy_id,
                                        name=body.name)


# What the log page's forms post to `/logs/<reference>/do/<what>/` (each also has its API endpoint).
OPERATIONS: dict[str, Operation[Any]] = {
    "contact": Operation(ContactSchema, _contact),
    "entry": Operation(EntryIn, _entry),
    "update": Operation(UpdateLogIn, _update),
    "grade": Operation(GradeIn, _grade),
    "downgrade": Operation(DowngradeIn, _downgrade),
    "decide": Operation(DecisionIn, _decide),
    "ready": Operation(AckIn, _ready),
    "close": Operation(CloseIn, _close),
    "cancel": Operation(CancelIn, _cancel),
    "reopen": Operation(ReopenIn, _reopen),
    "request": Operation(ServiceRequestIn, _request),
    "request_update": Operation(ServiceRequestUpdateIn, _request_update),
    "task": Operation(TaskIn, _task),
    "task_done": Operation(TaskDoneIn, _task_done),
    "link": Operation(LinkIn, _link),
    "merge": Operation(MergeIn, _merge),
    "assign": Operation(AssignIn, _assign),
    "review": Operation(TakeReviewIn, _review),
}

# The other pages' changes (New contact, messages, intake reviewers): the same pattern, their own views.
RAISE = Operation(RaiseLogIn, _raise)
MESSAGE = Operation(MessageIn, _message)
HANDLE_MESSAGE = Operation(HandleMessageIn, _handle_message)
INTAKE_REVIEWERS = Operation(IntakeReviewersIn, _intake)

# A `/do/<what>/` form that acts on a request or task of the log names it in a hidden field (in the API it
# is part of the path): the view reads it as a path value, not as part of the action's input.
FORM_PATH_IDS: dict[str, str] = {"decide": "request_id", "request_update": "request_id", "task_done": "task_id"}
