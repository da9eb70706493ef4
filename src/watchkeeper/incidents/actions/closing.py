"""Closing: ready to close, close, cancel, reopen (L3, L10, L1)."""

from __future__ import annotations

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    _append,
    _changed,
    _lock,
    _require_open,
    _snapshot,
    family_ids,
    resolve,
)
from watchkeeper.incidents.actions.reading import unseen_for
from watchkeeper.incidents.models import (
    Log,
    LogAssignment,
    LogSeen,
    ServiceRequest,
    Task,
)
from watchkeeper.realtime.publish import publish


def _require_may_close(actor: Actor, log: Log, doing: str) -> None:
    """Per record: a call handler or response officer closes, cancels or reopens only a log they own or are
    assigned to; the people who run the room (`log.close_any`) any log (rules.check_may_close)."""
    assigned = frozenset(LogAssignment.objects.filter(log=log, active=True).values_list("user_id", flat=True))
    rules.check_may_close(actor.user_id, actor.may("log.close_any"),
                          rules.LogHolders(owner_id=log.owner_id, assigned_ids=assigned), doing, log.reference)


def mark_ready_to_close(actor: Actor, reference: str, *, acknowledged_through: int | None = None) -> Log:
    """L3: an instruction to close, which stands only while nothing new is added. Giving it needs the
    same reading as closing."""
    actor.require("log.close")
    with unit_of_work():
        log = _lock(reference)
        _require_may_close(actor, log, "mark ready to close")
        _require_open(log, "mark it ready to close")
        assert actor.user is not None
        acknowledged = _acknowledge(actor, log, acknowledged_through)
        log.ready_to_close_by, log.ready_to_close_at, log.ready_to_close_seq = actor.user, clock.now(), log.last_seq
        log.save(update_fields=["ready_to_close_by", "ready_to_close_at", "ready_to_close_seq"])
        audit.record(actor, "log.ready_to_close", "log", log.reference,
                     after={"through_seq": log.last_seq, "acknowledged": acknowledged})
        _changed(log, "log.changed", {"ready_to_close": True})
    return log


def _acknowledge(actor: Actor, log: Log, acknowledged_through: int | None) -> list[int]:
    """L3: refuse while this user has unseen entries they have not acknowledged; record the reading.
    Returns the sequence numbers acknowledged now (for the action's audit record)."""
    assert actor.user is not None
    unseen = unseen_for(log, actor.user)
    rules.check_read_before_close(unseen, acknowledged_through)
    if unseen:
        seen, _ = LogSeen.objects.get_or_create(log=log, user=actor.user)
        seen.seen_seq = max(seen.seen_seq, max(e.seq for e in unseen))
        seen.save(update_fields=["seen_seq"])
    return [e.seq for e in unseen]


def close_log(
    actor: Actor,
    reference: str,
    *,
    code: str,
    note: str = "",
    acknowledged_through: int | None = None,
    authorisation_rationale: str = "",
) -> Log:
    """Close a log: every entry read (L3), nothing open with other services (L6) or promised (L11), and a
    positive outcome or an authoriser's rationale for a flagged log (L10)."""
    actor.require("log.close")
    policy = current_policy()
    note = v.text(note, "note", max_length=4000, required=False)
    authorisation_rationale = v.text(authorisation_rationale, "authorisation_rationale", max_length=4000,
                                     required=False)
    with unit_of_work():
        log = _lock(reference)
        _require_may_close(actor, log, "close")
        _require_open(log, "close it")
        if actor.user is None:
            raise Refusal("Only a person can close a log.", safeguard="L3")
        # Read first (L3); then the outcome itself (L10); then what is still open (L6, L11, and the open
        # prompts and checks of other capabilities).
        acknowledged = _acknowledge(actor, log, acknowledged_through)
        fam = family_ids(log)
        authorised = rules.check_closing_outcome(
            flags=log.flags, code=code, closer_role=actor.role,
            authorisation_rationale=authorisation_rationale, policy=policy,
            dismissed=hooks.dismissed_concerns(log, fam, policy),
        )
        rules.check_nothing_open(
            [{"id": r.pk, "service": r.get_service_display(), "ask": r.ask, "condition": r.condition}
             for r in ServiceRequest.objects.filter(log_id__in=fam, state="open")],
            [{"id": t.pk, "description": t.description, "owner": t.owner.display, "due_at": t.due_at.isoformat()}
             for t in Task.objects.filter(log_id__in=fam, state="open").select_related("owner")],
        )
        for blocker in hooks.blockers(log, fam):
            raise Refusal(blocker.message, safeguard=blocker.safeguard, next_step=blocker.next_step,
                          details={"open_items": blocker.items})
        before = _snapshot(log)
        log.status, log.closed_at, log.closed_by = "closed", clock.now(), actor.user
        log.closing_code, log.closing_note = code, note
        log.closing_authorised_by = actor.user if authorised else None
        log.review_due_at = None
        log.save(update_fields=["status", "closed_at", "closed_by", "closing_code", "closing_note",
                                "closing_authorised_by", "review_due_at"])
        text = f"Closed: {policy.closing_code(code)['label']}."  # type: ignore[index]
        if note:
            text += f" {note}"
        if authorised:
            text += f" Closed without a positive outcome on supervisor's authority (L10): {authorisation_rationale}"
        _append(actor, log, "close", text, policy=policy)
        hooks.run(hooks.AFTER_CLOSE, actor, log, policy)
        audit.record(actor, "log.closed", "log", log.reference, before=before,
                     after={**_snapshot(log), "code": code, "acknowledged": acknowledged,
                            "authorised": authorised}, reason=authorisation_rationale or note)
    return log


def cancel_log(
    actor: Actor,
    reference: str,
    *,
    code: str,
    reason: str,
    duplicate_of: str = "",
    acknowledged_through: int | None = None,
) -> Log:
    """L1: a log raised in error or duplicated is cancelled with a code and a reason, never deleted; its
    reference keeps resolving. Cancelling is closing, so the canceller must have read it (L3)."""
    actor.require("log.cancel")
    policy = current_policy()
    v.choice(code, "code", [c["code"] for c in policy["cancellation_codes"]])
    reason = v.text(reason, "reason", max_length=4000)
    duplicate_of = v.text(duplicate_of, "duplicate_of", max_length=32, required=False)
    if duplicate_of:
        resolve(duplicate_of)  # L1: a duplicate points at a log that exists
    with unit_of_work():
        log = _lock(reference, follow_merge=False)
        _require_may_close(actor, log, "cancel")
        _require_open(log, "cancel it")
        if actor.user is None:
            raise Refusal("Only a person can cancel a log.", safeguard="L1")
        acknowledged = _acknowledge(actor, log, acknowledged_through)
        fam = family_ids(log)
        rules.check_nothing_open(
            [{"id": r.pk, "service": r.get_service_display(), "ask": r.ask}
             for r in ServiceRequest.objects.filter(log_id__in=fam, state="open")],
            [{"id": t.pk, "description": t.description}
             for t in Task.objects.filter(log_id__in=fam, state="open")],
        )
        before = _snapshot(log)
        log.status, log.closed_at, log.closed_by = "cancelled", clock.now(), actor.user
        log.closing_code, log.closing_note = code, reason + (f" (duplicate of {duplicate_of})" if duplicate_of else "")
        log.save(update_fields=["status", "closed_at", "closed_by", "closing_code", "closing_note"])
        _append(actor, log, "close", f"Cancelled ({code}): {log.closing_note}", policy=policy)
        hooks.run(hooks.AFTER_CLOSE, actor, log, policy)
        audit.record(actor, "log.cancelled", "log", log.reference, before=before,
                     after={**_snapshot(log), "code": code, "acknowledged": acknowledged}, reason=reason)
    return log


def reopen_log(actor: Actor, reference: str, *, reason: str) -> Log:
    """Reopen a closed log with a reason. The log stays open until someone closes it again through the
    close checks: nothing re-closes it by itself (D4)."""
    actor.require("log.close")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000)
    with unit_of_work():
        log = _lock(reference, follow_merge=False)
        _require_may_close(actor, log, "reopen")
        if log.status != "closed":
            raise Refusal(f"Log {log.reference} is {log.status}; only a closed log can be reopened.", status=409)
        before = _snapshot(log)
        log.status, log.closed_at, log.closed_by, log.closing_code = "open", None, None, ""
        log.closing_authorised_by = None
        log.save(update_fields=["status", "closed_at", "closed_by", "closing_code", "closing_authorised_by"])
        _append(actor, log, "system", f"Reopened: {reason}", policy=policy)
        hooks.run(hooks.AFTER_REOPEN, actor, log, policy)
        audit.record(actor, "log.reopened", "log", log.reference, before=before, after=_snapshot(log), reason=reason)
        publish("board", "log.changed", {"reference": log.reference, "status": "open"}, log_id=log.pk,
                log_version=log.version)
    return log
