"""Inputs and the helpers every use case of a log shares: resolving and locking a log, staff, notifications,
the audit snapshot, appending entries, the next reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection

from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.models import ReferenceCounter
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import is_new
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.models import (
    CHANNELS,
    Contact,
    Entry,
    IntakeQueue,
    Log,
    LogAssignment,
    Notification,
)
from watchkeeper.realtime.publish import publish, publish_many
from watchkeeper.staff.models import User

CHANNEL_CODES = [c for c, _ in CHANNELS]
MAX_TEXT = 20_000


@dataclass(frozen=True)
class ContactIn:
    """What a contact brings: channel, when, who, what they said, and any allegation."""

    channel: str
    account: str
    received_at: datetime | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_dob: date | None = None
    caller_age: int | None = None
    caller_age_reason: str = ""
    party: str = ""
    allegation: str = ""


def _clean_contact(c: ContactIn, now: datetime) -> dict[str, Any]:
    received = v.aware(c.received_at, "received_at") or now
    if received > now + timedelta(minutes=5):
        raise Invalid("received_at cannot be in the future", "received_at")
    if c.caller_age is not None and not 0 <= c.caller_age <= 130:
        raise Invalid("caller_age must be between 0 and 130", "caller_age")
    return {
        "channel": v.choice(c.channel, "channel", CHANNEL_CODES),
        "received_at": received,
        "account": v.text(c.account, "account", max_length=MAX_TEXT),
        "caller_name": v.text(c.caller_name, "caller_name", max_length=200, required=False),
        "caller_phone": v.text(c.caller_phone, "caller_phone", max_length=40, required=False),
        "caller_dob": v.past_date(c.caller_dob, "caller_dob", clock.local(now).date()),
        "caller_age": c.caller_age,
        "caller_age_reason": v.text(c.caller_age_reason, "caller_age_reason", max_length=200, required=False),
        "party": v.text(c.party, "party", max_length=100, required=False),
        "allegation": v.text(c.allegation, "allegation", max_length=MAX_TEXT, required=False),
    }


# ----------------------------------------------------------------------------------------- helpers
def resolve(reference: str) -> tuple[Log, str | None]:
    """L1: every reference ever issued resolves. A merged log resolves to the log that survived it.

    Returns (log, the reference asked for when it was merged away, else None)."""
    log = Log.objects.filter(reference=reference.strip()).first()
    if log is None:
        raise NotFound(f"No log has reference {reference!r}.")
    asked = log.reference
    hops = 0
    while log.merged_into_id is not None and hops < 50:
        log = Log.objects.get(pk=log.merged_into_id)
        hops += 1
    return log, (asked if log.reference != asked else None)


def _lock(reference: str, *, follow_merge: bool = True) -> Log:
    """Load and lock the log for this unit of work (following a merge to the survivor, L1)."""
    log = Log.objects.select_for_update().filter(reference=reference.strip()).first()
    if log is None:
        raise NotFound(f"No log has reference {reference!r}.")
    if follow_merge and log.merged_into_id is not None:
        survivor, _ = resolve(reference)
        log = Log.objects.select_for_update().get(pk=survivor.pk)
    return log


def _require_open(log: Log, doing: str) -> None:
    if log.status != "open":
        raise Refusal(
            f"Log {log.reference} is {log.status}; you cannot {doing}.",
            next_step="Raise a new log, or link one to this reference.",
            status=409,
        )


def _staff(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("team").first()
    if user is None:
        raise Invalid(f"No active member of staff with id {user_id}", field)
    return user


def _supervisor_of(user: User | None) -> User | None:
    if user is None or user.team_id is None:
        return None
    team = user.team
    return team.supervisor if team and team.supervisor_id else None


def _escalation_owner(queue: IntakeQueue) -> User | None:
    """L9: who owns the review when the reviewer and the deputy cannot: a present supervisor of either,
    else a present duty inspector."""
    for person in (_supervisor_of(queue.reviewer), _supervisor_of(queue.deputy)):
        if person is not None and not person.absent and person.is_active:
            return person
    return User.objects.filter(role="duty_inspector", absent=False, is_active=True).order_by("pk").first()


def family_ids(log: Log) -> list[int]:
    """The log and every log merged into it (at any depth): their accounts and open items are its own."""
    ids = [log.pk]
    if is_new(log):  # raised in this unit of work: nothing is merged into it yet
        return ids
    frontier = [log.pk]
    while frontier:
        children = list(Log.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        ids.extend(children)
        frontier = children
    return ids


def _snapshot(log: Log) -> dict[str, Any]:
    return {
        "reference": log.reference,
        "status": log.status,
        "category": log.category,
        "summary": log.summary,
        "location": log.location,
        "flags": list(log.flags),
        "grade": log.grade,
        "proposed_grade": log.proposed_grade,
        "owner": log.owner_id,
        "version": log.version,
        "last_seq": log.last_seq,
    }


def _notify(
    recipient: User | None,
    *,
    kind: str,
    text: str,
    log: Log | None = None,
    safeguard: str = "",
    team_id: int | None = None,
) -> Notification:
    note = Notification.objects.create(
        recipient=recipient,
        team_id=team_id,
        log=log,
        kind=kind,
        safeguard=safeguard,
        text=text,
        created_at=clock.now(),
    )
    topic = f"user:{recipient.pk}" if recipient else f"team:{team_id}"
    publish(
        topic,
        "notification",
        {"id": note.pk, "kind": kind, "text": text, "safeguard": safeguard,
         "log": log.reference if log else None},
    )
    return note


def _changed(log: Log, kind: str, payload: dict[str, Any]) -> None:
    """Bump the log's version and tell everyone watching it and the boards. The caller holds the log's
    lock (or created it in this unit of work), so the increment cannot race."""
    log.version += 1
    log.save(update_fields=["version"])
    body = {"reference": log.reference, **payload}
    publish(f"log:{log.pk}", kind, body, log_id=log.pk, log_version=log.version)
    publish("board", kind, body, log_id=log.pk, log_version=log.version)


def grade_floor(log: Log, policy: Policy) -> str | None:
    """D5: the most urgent floor any capability sets for this log (an active special scheme)."""
    found = hooks.floors(log, policy)
    return min(found, key=lambda g: policy.grade_rank(g) or 99) if found else None


def grade_facts(log: Log, policy: Policy, thrive: dict[str, Any] | None = None) -> rules.GradeFacts:
    return rules.GradeFacts(category=log.category, flags=tuple(log.flags),
                            thrive=log.thrive or {} if thrive is None else thrive, floor=grade_floor(log, policy))


def _repropose(actor: Actor, log: Log, policy: Policy) -> None:
    """C6 (first part): re-run the policy grade after new information; tell the owner and the supervisor
    when it now asks for more urgency than the log has."""
    proposal = rules.propose_grade(grade_facts(log, policy), policy)
    if proposal.grade == log.proposed_grade:
        return
    log.proposed_grade = proposal.grade
    log.save(update_fields=["proposed_grade"])
    prompt = rules.regrade_prompt(log.grade, proposal, policy)
    if prompt:
        owner = log.owner
        supervisor = _supervisor_of(owner) or _supervisor_of(actor.user)
        for person in {p.pk: p for p in (owner, supervisor) if p is not None}.values():
            _notify(person, kind="regrade", text=f"{log.reference}: {prompt}", log=log, safeguard="C6")


def _append(
    actor: Actor,
    log: Log,
    kind: str,
    text: str,
    *,
    contact: Contact | None = None,
    corrects: Entry | None = None,
    policy: Policy,
) -> Entry:
    """Add one entry (see `_append_many`)."""
    return _append_many(actor, log, [(kind, text, contact, corrects)])[0]


def _append_many(
    actor: Actor, log: Log, items: list[tuple[str, str, Contact | None, Entry | None]]
) -> list[Entry]:
    """Add entries in order: next sequence numbers, one new version, the owner and assignees told (L4), a
    standing close instruction voided (L3), live viewers updated. The caller holds the log's lock."""
    now = clock.now()
    entries = []
    for kind, text, contact, corrects in items:
        log.last_seq += 1
        entries.append(Entry(log=log, seq=log.last_seq, at=now, author=actor.user, kind=kind, text=text,
                             contact=contact, corrects=corrects))
    log.last_entry_at = now
    log.version += 1
    fields = ["last_seq", "last_entry_at", "version"]
    instructed_by = None
    if log.ready_to_close_seq is not None and not rules.close_instruction_stands(
        log.ready_to_close_seq, log.last_seq
    ):
        instructed_by = log.ready_to_close_by
        log.ready_to_close_by = None
        log.ready_to_close_at = None
        log.ready_to_close_seq = None
        fields += ["ready_to_close_by", "ready_to_close_at", "ready_to_close_seq"]
    log.save(update_fields=fields)
    Entry.objects.bulk_create(entries)
    if instructed_by is not None and instructed_by.pk != actor.user_id:
        _notify(instructed_by, kind="close_instruction_void", safeguard="L3", log=log,
                text=f"{log.reference}: new information was added after your close instruction; "
                "it no longer stands.")
    author = actor.user.display if actor.user else "System"
    assignees = [] if is_new(log) else LogAssignment.objects.filter(log=log, active=True).values_list(
        "user_id", flat=True)
    recipients = rules.notify_on_addition(actor.user_id, log.owner_id, assignees)
    if recipients:
        summary = " / ".join(e.text[:140] for e in entries)
        for person in User.objects.filter(pk__in=recipients):
            _notify(person, kind="log_updated", safeguard="L4", log=log,
                    text=f"{log.reference}: {author} added — {summary[:280]}")
    publish_many([
        (f"log:{log.pk}", "entry.added",
         {"reference": log.reference, "seq": e.seq, "kind": e.kind, "author": author, "text": e.text[:500]},
         log.pk, log.version)
        for e in entries
    ])
    return entries


def _next_reference(now: datetime, policy: Policy) -> str:
    """L1: the next reference for today. The counter row is updated in this transaction, so two writers
    never get the same number and a rolled-back log's number is simply never used."""
    day = clock.local(now).date()
    with connection.cursor() as cur:  # one statement: the number taken and read together
        cur.execute(f"UPDATE {ReferenceCounter._meta.db_table} SET last = last + 1 WHERE day = %s RETURNING last",
                    [connection.ops.adapt_datefield_value(day)])
        row = cur.fetchone()
    if row is None:
        ReferenceCounter.objects.create(day=day, last=1)
        return rules.log_reference(day, 1, policy)
    return rules.log_reference(day, int(row[0]), policy)


def _contact_text(c: Contact) -> str:
    who = c.caller_name or "Caller"
    label = dict(CHANNELS).get(c.channel, c.channel)
    line = f"[{label}] {who}"
    if c.caller_phone:
        line += f" ({c.caller_phone})"
    line += f": {c.account}"
    if c.allegation:
        line += f"\nAllegation: {c.allegation}"
    return line
