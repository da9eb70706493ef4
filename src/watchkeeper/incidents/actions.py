"""Use cases of incident logs: one function each.

Every action: checks the actor's permission, loads and locks what it changes, asks the rules, changes,
writes its audit record(s) and publishes live events, all inside one unit of work. A refusal raises
before anything is written, so a refused action leaves no trace but its error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.models import ReferenceCounter
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.models import (
    CHANNELS,
    Contact,
    DowngradeRequest,
    Entry,
    Grading,
    IntakeQueue,
    Link,
    Log,
    LogAssignment,
    LogSeen,
    Notification,
    ServiceRequest,
    Task,
)
from watchkeeper.realtime.models import Event
from watchkeeper.realtime.publish import publish, publish_many
from watchkeeper.staff.models import User

CHANNEL_CODES = [c for c, _ in CHANNELS]
MAX_TEXT = 20_000


# ------------------------------------------------------------------------------------------ inputs
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


def family_ids(log: Log) -> list[int]:
    """The log and every log merged into it (at any depth): their accounts and open items are its own."""
    ids = [log.pk]
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
    assignees = LogAssignment.objects.filter(log=log, active=True).values_list("user_id", flat=True)
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
    if not ReferenceCounter.objects.filter(pk=day).update(last=F("last") + 1):
        ReferenceCounter.objects.create(day=day, last=1)
    last = ReferenceCounter.objects.filter(pk=day).values_list("last", flat=True).get()
    return rules.log_reference(day, last, policy)


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


# --------------------------------------------------------------------------------------------- L1/L8
def raise_log(
    actor: Actor,
    *,
    contact: ContactIn,
    category: str,
    summary: str,
    location: str = "",
    flags: list[str] | None = None,
    source: str = "manual",
    entries: list[str] | None = None,
    parties: list[dict[str, Any]] | None = None,
    second_call_reason: str = "",
) -> Log:
    """Raise a new log from a contact (L8: the contact is recorded and attached). Automatically created
    logs (online, alarm, transfer) go to their review queue and must be owned by a person (L9).

    `parties` are the people the handler chose from the context panel, each {"person_id", "role"}: they go
    on the log as it is raised; those the context proposes that nobody chose stay on it as prompts (C1).
    L8: when the contact's phone, place or a named person is on an open log from the last
    `second_call_hours`, raising a new log needs `second_call_reason` (else refused, naming the open logs:
    attach the contact to one of them instead), and the new log is linked to each of them."""
    actor.require("log.raise")
    policy = current_policy()
    now = clock.now()
    data = _clean_contact(contact, now)
    if policy.category(category) is None:
        raise Invalid(f"Unknown category {category!r}", "category")
    summary = v.text(summary, "summary", max_length=200)
    location = v.text(location, "location", max_length=300, required=False)
    chosen_flags = [v.choice(f, "flags", policy.flag_codes()) for f in (flags or [])]
    for f in policy.category(category)["flags"]:  # type: ignore[index]
        if f not in chosen_flags:
            chosen_flags.append(f)
    v.choice(source, "source", ["manual", *policy["automatic_sources"]])
    texts = [v.text(t, "entries", max_length=MAX_TEXT) for t in (entries or [])]
    chosen = _clean_parties(parties)
    second_call_reason = v.text(second_call_reason, "second_call_reason", max_length=2000, required=False)
    automatic = source in policy["automatic_sources"]
    same = [] if automatic else hooks.open_matches(data["caller_phone"], location, data["caller_name"],
                                                   [p["person_id"] for p in chosen], policy)
    if same and not second_call_reason:
        raise Refusal(
            f"An open log from the last {int(policy['second_call_hours'])} hours matches this contact: "
            + ", ".join(f"{m['reference']} ({m['summary']})" for m in same) + ".",
            safeguard="L8",
            next_step="Attach this contact to that log, or give a reason for raising a new one (the logs are "
                      "then linked).",
            details={"matches": same},
            status=409,
        )
    queue = None
    if automatic:
        queue = IntakeQueue.objects.filter(code=source).select_related("reviewer", "deputy").first()
        if queue is None:
            raise Refusal(
                f"No review queue is configured for {source} intake.",
                safeguard="L9",
                next_step="An administrator must configure the queue's reviewer and deputy.",
            )
    with unit_of_work():
        log = Log.objects.create(
            reference=_next_reference(now, policy),
            created_at=now,
            created_by=actor.user,
            source=source,
            category=category,
            summary=summary,
            location=location,
            flags=chosen_flags,
            owner=None if automatic else actor.user,
            review_queue=queue,
            proposed_grade=rules.propose_grade(
                rules.GradeFacts(category=category, flags=tuple(chosen_flags), thrive={}), policy
            ).grade,
        )
        c = Contact.objects.create(log=log, recorded_at=now, recorded_by=actor.user, **data)
        added = _append_many(actor, log, [("contact", _contact_text(c), c, None),
                                          *[("narrative", t, None, None) for t in texts]])
        hooks.run(hooks.RAISE_PARTIES, actor, log, c, chosen, policy)
        hooks.run(hooks.AFTER_CONTACT, actor, log, c, policy)
        linked = [_link_locked(actor, log, Log.objects.select_for_update().get(reference=m["reference"]),
                               kind="related", reason=f"Second call (L8): {second_call_reason}", policy=policy)
                  for m in same]
        hooks.run(hooks.AFTER_CLASSIFICATION, actor, log, policy)
        hooks.run(hooks.AFTER_ENTRIES, actor, log, added, policy)
        _repropose(actor, log, policy)
        review = _route_review(log, queue, now, policy) if queue is not None else None
        audit.record(actor, "log.raised", "log", log.reference,
                     after={**_snapshot(log), "contact": {"id": c.pk, **data}, "entries": texts,
                            "review": review, "parties": chosen,
                            **({"second_call": {"reason": second_call_reason,
                                                "linked": [ln.to_log.reference for ln in linked]}} if same else {})})
        publish("board", "log.raised", {"reference": log.reference}, log_id=log.pk, log_version=log.version)
    return log


def _clean_parties(parties: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """C1: the people chosen from the context panel to go on a new log, each once: {"person_id", "role"}.
    The role is checked against the roles a party can have where they are attached."""
    out: list[dict[str, Any]] = []
    if parties is not None and not isinstance(parties, list):
        raise Invalid("parties must be a list of {person_id, role}", "parties")
    for p in parties or []:
        person_id, role = (p.get("person_id"), p.get("role")) if isinstance(p, dict) else (None, None)
        if not isinstance(person_id, int) or isinstance(person_id, bool) or not isinstance(role, str) or not role:
            raise Invalid("Each party needs a person_id (a whole number) and a role", "parties")
        if all(person_id != q["person_id"] for q in out):
            out.append({"person_id": person_id, "role": role})
    return out


def _escalation_owner(queue: IntakeQueue) -> User | None:
    """L9: who owns the review when the reviewer and the deputy cannot: a present supervisor of either,
    else a present duty inspector."""
    for person in (_supervisor_of(queue.reviewer), _supervisor_of(queue.deputy)):
        if person is not None and not person.absent and person.is_active:
            return person
    return User.objects.filter(role="duty_inspector", absent=False, is_active=True).order_by("pk").first()


def _route_review(log: Log, queue: IntakeQueue, now: datetime, policy: Policy) -> dict[str, str]:
    reviewer, deputy = queue.reviewer, queue.deputy
    sup = _escalation_owner(queue)
    uid, why = rules.review_assignee(reviewer.pk, reviewer.absent, deputy.pk, deputy.absent,
                                     sup.pk if sup else None)
    person = User.objects.get(pk=uid)
    log.review_assignee = person
    log.review_stage = 0 if why == "reviewer" else 1
    log.review_due_at = now + timedelta(minutes=int(policy["review_escalation_minutes"]))
    log.save(update_fields=["review_assignee", "review_stage", "review_due_at"])
    _notify(person, kind="review", safeguard="L9", log=log,
            text=f"{log.reference} ({queue.name}) needs a person to own it — you are the {why}.")
    return {"queue": queue.code, "assignee": person.username, "why": why}


def record_contact(actor: Actor, reference: str, contact: ContactIn) -> Contact:
    """L8: attach a further contact (a second caller, an agency, an email) to an existing log."""
    actor.require("contact.record")
    policy = current_policy()
    now = clock.now()
    data = _clean_contact(contact, now)
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "add a contact")
        c = Contact.objects.create(log=log, recorded_at=now, recorded_by=actor.user, **data)
        audit.record(actor, "contact.recorded", "contact", c.pk, after={"log": log.reference, **data})
        entry = _append(actor, log, "contact", _contact_text(c), contact=c, policy=policy)
        hooks.run(hooks.AFTER_CONTACT, actor, log, c, policy)
        hooks.run(hooks.AFTER_ENTRIES, actor, log, [entry], policy)
        _repropose(actor, log, policy)
    return c


def send_message(actor: Actor, addressed_to: int, contact: ContactIn) -> Contact:
    """L8: a message (email, call) for a named officer is recorded; when they are absent it goes to their
    team's queue instead of waiting unread."""
    actor.require("contact.record")
    now = clock.now()
    data = _clean_contact(contact, now)
    officer = _staff(addressed_to, "addressed_to")
    route, team_id = rules.route_message(officer.absent, officer.team_id)
    with unit_of_work():
        c = Contact.objects.create(
            recorded_at=now,
            recorded_by=actor.user,
            addressed_to=officer,
            routed_to_team_id=team_id,
            routed_reason=f"{officer.display} is absent: {officer.absence_reason or 'no reason given'}"
            if route == "team" else "",
            **data,
        )
        audit.record(actor, "message.recorded", "contact", c.pk,
                     after={"addressed_to": officer.username, "route": route, **data})
        hooks.run(hooks.AFTER_MESSAGE, actor, c, current_policy())
        who = data["caller_name"] or "unknown sender"
        if route == "team":
            _notify(None, team_id=team_id, kind="message", safeguard="L8",
                    text=f"Message for {officer.display} (absent) from {who}: {data['account'][:200]}")
        else:
            _notify(officer, kind="message", safeguard="L8", text=f"Message from {who}: {data['account'][:200]}")
    return c


def handle_message(actor: Actor, contact_id: int, reference: str = "", note: str = "") -> Contact:
    """L8: whoever picks a message up records it as handled, attaching it to a log where it belongs."""
    actor.require("contact.record")
    policy = current_policy()
    note = v.text(note, "note", max_length=2000, required=False)
    with unit_of_work():
        c = Contact.objects.select_for_update().filter(pk=contact_id, log__isnull=True).first()
        if c is None:
            raise NotFound(f"No unattached message with id {contact_id}.")
        if c.handled_at is not None:
            raise Refusal("This message was already handled.", status=409,
                          next_step="Open the log it was attached to.")
        c.handled_at, c.handled_by = clock.now(), actor.user
        if reference:
            log = _lock(reference)
            _require_open(log, "attach a message")
            c.log = log
            entry = _append(actor, log, "contact", _contact_text(c) + (f"\nNote: {note}" if note else ""),
                            contact=c, policy=policy)
            hooks.run(hooks.AFTER_CONTACT, actor, log, c, policy)
            hooks.run(hooks.AFTER_ENTRIES, actor, log, [entry], policy)
        c.save(update_fields=["handled_at", "handled_by", "log"])
        audit.record(actor, "message.handled", "contact", c.pk,
                     after={"log": c.log.reference if c.log else None, "note": note})
    return c


# ------------------------------------------------------------------------------------------ reading
@dataclass
class LogView:
    log: Log
    resolved_from: str | None


def view_log(actor: Actor, reference: str, *, purpose: str = "", mark_read: bool = True) -> LogView:
    """Open a log: audited (who looked, when, why), and recorded as read to its latest entry (L3, L5).

    A live refresh, or a page shown again after a refusal, passes mark_read=False: still a view (audited),
    but what arrived since the person last opened the log stays unseen until they open it or acknowledge it.
    """
    actor.require("log.view")
    purpose = v.text(purpose, "purpose", max_length=200, required=False)
    with unit_of_work():
        log, resolved_from = resolve(reference)
        if actor.user is not None and mark_read:
            seen, _ = LogSeen.objects.get_or_create(log=log, user=actor.user)
            seen.seen_seq = max(seen.seen_seq, log.last_seq)
            seen.opened_at = clock.now()
            seen.opened_seq = log.last_seq
            seen.save()
        audit.record(actor, "log.viewed", "log", log.reference, reason=purpose,
                     after={"through_seq": log.last_seq, "asked_for": resolved_from or log.reference,
                            "marked_read": mark_read})
    return LogView(log, resolved_from)


def unseen_for(log: Log, user: User) -> list[rules.EntryFact]:
    """L3: the entries of this log added by others after the furthest point this user read."""
    seen = LogSeen.objects.filter(log=log, user=user).values_list("seen_seq", flat=True).first() or 0
    rows = Entry.objects.filter(log=log, seq__gt=seen).exclude(author=user).order_by("seq")
    facts = [rules.EntryFact(e.seq, e.author_id, e.kind, e.text, e.at) for e in rows]
    return rules.unseen_entries(facts, seen, user.pk)


def view_unseen(actor: Actor, reference: str) -> tuple[Log, list[rules.EntryFact]]:
    """L3: show a person the entries they have not seen (the close dialog). Audited as a view; it does not
    count as reading them: only acknowledging them (or opening the whole log) does."""
    actor.require("log.view")
    if actor.user is None:
        raise Refusal("Only a person has unseen entries.", safeguard="L3")
    with unit_of_work():
        log, _ = resolve(reference)
        rows = unseen_for(log, actor.user)
        audit.record(actor, "log.unseen_viewed", "log", log.reference, after={"seqs": [e.seq for e in rows]})
    return log, rows


def changes_since(log: Log, version: int) -> list[dict[str, Any]]:
    """L4: what changed on a log after a version, for a 409 body and the conflict dialog."""
    return [
        {"version": e.log_version, "kind": e.kind, "at": e.at.isoformat(), **e.payload}
        for e in Event.objects.filter(topic=f"log:{log.pk}", log_version__gt=version).order_by("seq")[:200]
    ]


def circulation(log: Log, policy: Policy | None = None) -> dict[str, Any]:
    """L12: the full current picture of a log, as every assignee receives it."""
    policy = policy or current_policy()
    fam = family_ids(log)
    contacts = Contact.objects.filter(log_id__in=fam).select_related("log").order_by("received_at")
    allegations = [
        {
            "log": c.log.reference if c.log else "",
            "caller": c.caller_name or "Caller",
            "party": c.party,
            "channel": c.get_channel_display(),
            "received_at": c.received_at.isoformat(),
            "allegation": c.allegation,
            "account": c.account,
        }
        for c in contacts
    ]
    n = int(policy["circulation_latest_entries"])
    latest = [
        {"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "text": e.text}
        for e in reversed(Entry.objects.filter(log=log).order_by("-seq")[:n])
    ]
    open_requests = [
        {"service": r.get_service_display(), "ask": r.ask, "condition": r.condition, "direction": r.direction}
        for r in ServiceRequest.objects.filter(log_id__in=fam, state="open")
    ]
    return rules.circulation_summary(
        reference=log.reference,
        category_label=policy.category_label(log.category),
        grade_label=policy.grade_label(log.grade),
        status=log.status,
        location=log.location,
        flags=[policy.flag_label(f) for f in log.flags],
        risks=log.thrive,
        allegations=allegations,
        latest_entries=latest,
        open_requests=open_requests,
        risk_summary=hooks.risk_summary(log),
    )


# --------------------------------------------------------------------------------------- narrative
def add_entry(
    actor: Actor,
    reference: str,
    text: str,
    *,
    corrects_seq: int | None = None,
    add_flags: list[str] | None = None,
) -> Entry:
    """Add to the narrative (L2: append only). A correction is a new entry pointing at the one it corrects.
    Appends never overwrite each other, so they need no version; everyone concerned is told (L4)."""
    actor.require("entry.add")
    policy = current_policy()
    text = v.text(text, "text", max_length=MAX_TEXT)
    flags = [v.choice(f, "add_flags", policy.flag_codes()) for f in (add_flags or [])]
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "add an entry")
        corrects = None
        if corrects_seq is not None:
            corrects = Entry.objects.filter(log=log, seq=corrects_seq).first()
            if corrects is None:
                raise Invalid(f"Log {log.reference} has no entry {corrects_seq} to correct", "corrects_seq")
        entry = _append(actor, log, "correction" if corrects else "narrative", text, corrects=corrects,
                        policy=policy)
        new_flags = [f for f in flags if f not in log.flags]
        if new_flags:
            log.flags = [*log.flags, *new_flags]
            log.save(update_fields=["flags"])
            _changed(log, "log.changed", {"flags": log.flags})
            hooks.run(hooks.AFTER_CLASSIFICATION, actor, log, policy)
        hooks.run(hooks.AFTER_ENTRIES, actor, log, [entry], policy)
        audit.record(actor, "entry.added", "entry", f"{log.reference}/{entry.seq}",
                     after={"text": text, "corrects": corrects_seq, "flags_added": new_flags})
        _repropose(actor, log, policy)
    return entry


def update_log(
    actor: Actor,
    reference: str,
    *,
    expected_version: int | None,
    category: str | None = None,
    summary: str | None = None,
    location: str | None = None,
    flags: list[str] | None = None,
    reason: str = "",
) -> Log:
    """Change a log's header (category, summary, location, flags). Refused with what changed when made
    against an old version (L4). Removing a safeguarding flag needs a reason."""
    actor.require("log.update")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "change it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        before = _snapshot(log)
        changes: list[str] = []
        if category is not None and category != log.category:
            if policy.category(category) is None:
                raise Invalid(f"Unknown category {category!r}", "category")
            changes.append(f"category {policy.category_label(log.category)} → {policy.category_label(category)}")
            log.category = category
            for f in policy.category(category)["flags"]:  # type: ignore[index]
                if f not in log.flags:
                    log.flags = [*log.flags, f]
        if summary is not None and summary.strip() != log.summary:
            log.summary = v.text(summary, "summary", max_length=200)
            changes.append(f"summary: {log.summary}")
        if location is not None and location.strip() != log.location:
            log.location = v.text(location, "location", max_length=300, required=False)
            changes.append(f"location: {log.location}")
        if flags is not None:
            wanted = [v.choice(f, "flags", policy.flag_codes()) for f in flags]
            removed = [f for f in log.flags if f not in wanted]
            if removed and not reason:
                raise Refusal("Removing a safeguarding flag needs a reason.", safeguard="L10",
                              next_step="Say why the flag no longer applies.")
            if set(wanted) != set(log.flags):
                changes.append("flags: " + (", ".join(policy.flag_label(f) for f in wanted) or "none"))
                log.flags = wanted
        if not changes:
            return log
        log.save(update_fields=["category", "summary", "location", "flags"])
        audit.record(actor, "log.updated", "log", log.reference, before=before, after=_snapshot(log),
                     reason=reason)
        _append(actor, log, "system", "Log updated: " + "; ".join(changes) + (f" (reason: {reason})"
                if reason else ""), policy=policy)
        hooks.run(hooks.AFTER_CLASSIFICATION, actor, log, policy)
        _repropose(actor, log, policy)
    return log


# ----------------------------------------------------------------------------------------- grading
def grade_log(
    actor: Actor,
    reference: str,
    *,
    grade: str,
    thrive: dict[str, Any],
    rationale: str = "",
    expected_version: int | None,
) -> Grading:
    """C4: grade with THRIVE against the policy grade. Lower than policy needs a rationale and is reported.
    Lowering an existing grade is a downgrade and goes through an authoriser (L5)."""
    actor.require("log.grade")
    policy = current_policy()
    rationale = v.text(rationale, "rationale", max_length=4000, required=False)
    clean_thrive = rules.validate_thrive(thrive, policy)
    if policy.grade_rank(grade) is None:
        raise Invalid(f"Unknown grade {grade!r}", "grade")
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "grade it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        if rules.less_urgent(grade, log.grade, policy):
            raise Refusal(
                f"{policy.grade_label(grade)} is lower than the current grade "
                f"({policy.grade_label(log.grade)}): that is a downgrade.",
                safeguard="L5",
                next_step="Request the downgrade with a reason and a named authoriser.",
            )
        return _apply_grade(actor, log, grade, clean_thrive, rationale, policy)


def _apply_grade(
    actor: Actor,
    log: Log,
    grade: str,
    thrive: dict[str, Any],
    rationale: str,
    policy: Policy,
    *,
    graded_by: User | None = None,
    authorised_by: User | None = None,
    request: DowngradeRequest | None = None,
) -> Grading:
    facts = grade_facts(log, policy, thrive)
    proposal = rules.propose_grade(facts, policy)
    below = rules.check_grade_choice(grade, proposal, rationale, policy, floor=facts.floor)
    previous = log.grade
    before = _snapshot(log)
    log.grade, log.thrive, log.graded_at, log.proposed_grade = grade, thrive, clock.now(), proposal.grade
    log.save(update_fields=["grade", "thrive", "graded_at", "proposed_grade"])
    g = Grading.objects.create(
        log=log, at=log.graded_at, graded_by=graded_by or actor.user, grade=grade, previous_grade=previous,
        proposed_grade=proposal.grade, proposal_reasons=list(proposal.reasons), below_policy=below,
        rationale=rationale, thrive=thrive, authorised_by=authorised_by, downgrade_request=request,
    )
    text = f"Graded {policy.grade_label(grade)}"
    if previous:
        text += f" (was {policy.grade_label(previous)})"
    text += f"; policy grade {policy.grade_label(proposal.grade)}."
    if below:
        text += f" Below policy — rationale: {rationale}"
    if authorised_by:
        text += f" Downgrade authorised by {authorised_by.display}."
    text += " THRIVE: " + ", ".join(
        f"{k} {val['level']}" for k, val in thrive.items() if "level" in val
    )
    _append(actor, log, "grading", text, policy=policy)
    hooks.run(hooks.AFTER_GRADING, actor, log, policy, previous,
              f"{'Downgrade authorised' if request else 'Graded'} {policy.grade_label(grade)}")
    audit.record(actor, "downgrade.authorised" if request else "log.graded", "log", log.reference,
                 before=before, after={**_snapshot(log), "below_policy": below, "thrive": thrive,
                                       "request": request.pk if request else None}, reason=rationale)
    return g


def request_downgrade(
    actor: Actor,
    reference: str,
    *,
    grade: str,
    thrive: dict[str, Any],
    reason: str,
    authoriser_id: int | None,
    expected_version: int | None,
) -> DowngradeRequest:
    """L5: ask a named authoriser to lower the grade. They must open the log themselves to decide."""
    actor.require("log.grade")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=4000, required=False)
    clean_thrive = rules.validate_thrive(thrive, policy)
    authoriser = _staff(authoriser_id, "authoriser_id") if authoriser_id is not None else None
    rules.check_downgrade_request(reason, authoriser.role if authoriser else None, policy)
    assert authoriser is not None
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "downgrade it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        if not rules.less_urgent(grade, log.grade, policy):
            raise Invalid(f"{policy.grade_label(grade)} is not lower than {policy.grade_label(log.grade)}",
                          "grade")
        DowngradeRequest.objects.filter(log=log, state="pending").update(state="superseded")
        req = DowngradeRequest.objects.create(
            log=log, requested_at=clock.now(), requested_by=actor.user, from_grade=log.grade, to_grade=grade,
            reason=reason, thrive=clean_thrive, authoriser=authoriser,
        )
        audit.record(actor, "downgrade.requested", "log", log.reference, reason=reason,
                     after={"request": req.pk, "from": log.grade, "to": grade, "authoriser": authoriser.username})
        _append(actor, log, "grading", f"Downgrade to {policy.grade_label(grade)} requested from "
                f"{authoriser.display}: {reason}", policy=policy)
        _notify(authoriser, kind="downgrade", safeguard="L5", log=log,
                text=f"{log.reference}: downgrade to {policy.grade_label(grade)} needs your authorisation. "
                "Open the log and read it first.")
    return req


def decide_downgrade(actor: Actor, request_id: int, *, approve: bool, note: str = "") -> DowngradeRequest:
    """L5: the named authoriser decides, having opened the log after its latest entry."""
    policy = current_policy()
    note = v.text(note, "note", max_length=4000, required=False)
    with unit_of_work():
        req = DowngradeRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound(f"No downgrade request {request_id}.")
        if actor.user_id != req.authoriser_id:
            raise Refusal("Only the named authoriser can decide this downgrade.", safeguard="L5", status=403,
                          next_step="Ask the authoriser to open the log and decide.")
        if actor.role not in policy["downgrade_authoriser_roles"]:
            raise Refusal("Your role can no longer authorise downgrades.", safeguard="L5", status=403,
                          next_step="Ask for a new request naming a current authoriser.")
        if req.state != "pending":
            raise Refusal(f"This request is already {req.state}.", status=409)
        log = Log.objects.select_for_update().get(pk=req.log_id)
        _require_open(log, "downgrade it")
        if approve:
            seen = LogSeen.objects.filter(log=log, user=actor.user).first()
            rules.check_authoriser_has_looked(seen.opened_seq if seen and seen.opened_at else None,
                                              log.last_seq)
            if log.grade != req.from_grade:
                raise Refusal("The grade changed after this request was made.", safeguard="L5", status=409,
                              next_step="Ask for a new downgrade request against the current grade.")
        req.state = "authorised" if approve else "refused"
        req.decided_at = clock.now()
        req.decision_note = note
        req.save(update_fields=["state", "decided_at", "decision_note"])
        if not approve:
            audit.record(actor, "downgrade.refused", "log", log.reference, reason=note,
                         after={"request": req.pk, "to": req.to_grade})
        if approve:
            _apply_grade(actor, log, req.to_grade, req.thrive, req.reason, policy,
                         graded_by=req.requested_by, authorised_by=actor.user, request=req)
        else:
            _append(actor, log, "grading", f"Downgrade to {policy.grade_label(req.to_grade)} refused"
                    + (f": {note}" if note else "."), policy=policy)
        _notify(req.requested_by, kind="downgrade_decided", safeguard="L5", log=log,
                text=f"{log.reference}: downgrade {req.state} by {actor.username}.")
    return req


def entries_since_last_grading(log: Log) -> list[Entry]:
    """L5: what the authoriser must see: everything added since the grade in force was set."""
    last = Grading.objects.filter(log=log).order_by("-at").first()
    qs = Entry.objects.filter(log=log).select_related("author")
    if last is not None:
        qs = qs.filter(at__gte=last.at)
    return list(qs.order_by("seq"))


# ------------------------------------------------------------------------------------------ closing
def mark_ready_to_close(actor: Actor, reference: str, *, acknowledged_through: int | None = None) -> Log:
    """L3: an instruction to close, which stands only while nothing new is added. Giving it needs the
    same reading as closing."""
    actor.require("log.close")
    with unit_of_work():
        log = _lock(reference)
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


# ------------------------------------------------------------------------------- requests and tasks
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
            created_at=now, created_by=actor.user, updated_at=now, updated_by=actor.user,
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
        req.state, req.state_note, req.updated_at, req.updated_by = state, note, clock.now(), actor.user
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


# ----------------------------------------------------------------------------------- links, merges
def link_logs(actor: Actor, reference: str, other: str, *, kind: str, reason: str = "") -> Link:
    """L7: logs about the same or related events are linked; a counter-allegation is always a link."""
    actor.require("log.link")
    policy = current_policy()
    kind = v.choice(kind, "kind", [k for k, _ in Link.KINDS])
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        a, _ = resolve(reference)
        b, _ = resolve(other)
        if a.pk == b.pk:
            raise Invalid("A log cannot be linked to itself", "other")
        first, second = sorted([a, b], key=lambda x: x.pk)
        first = Log.objects.select_for_update().get(pk=first.pk)
        second = Log.objects.select_for_update().get(pk=second.pk)
        a, b = (first, second) if a.pk == first.pk else (second, first)
        if Link.objects.filter(Q(from_log=a, to_log=b) | Q(from_log=b, to_log=a), kind=kind).exists():
            raise Refusal("These logs are already linked that way.", status=409)
        link = _link_locked(actor, a, b, kind=kind, reason=reason, policy=policy)
        audit.record(actor, "log.linked", "log", a.reference,
                     after={"other": b.reference, "kind": kind, "reason": reason})
    return link


def _link_locked(actor: Actor, a: Log, b: Log, *, kind: str, reason: str, policy: Policy) -> Link:
    """L7: link two locked logs; each open one says so in its narrative (the caller writes the audit)."""
    link = Link.objects.create(from_log=a, to_log=b, kind=kind, reason=reason, created_at=clock.now(),
                               created_by=actor.user)
    label = dict(Link.KINDS)[kind]
    for x, y in ((a, b), (b, a)):
        if x.status == "open":
            _append(actor, x, "link", f"Linked to {y.reference} ({label})" + (f": {reason}" if reason else ""),
                    policy=policy)
    return link


def _merge_facts(log: Log) -> rules.MergeFacts:
    family = family_ids(log)
    contacts = Contact.objects.filter(log_id__in=family)
    callers: set[str] = set()
    for c in contacts:
        callers |= rules.normalise_caller(c.caller_name, c.caller_phone)
    parties = {c.party.casefold() for c in contacts if c.party} | hooks.merge_parties(family)
    return rules.MergeFacts(
        reference=log.reference,
        status=log.status,
        callers=frozenset(callers),
        parties=frozenset(parties),
        allegations=frozenset(rules.normalise_allegation(c.allegation) for c in contacts),
    )


def merge_logs(actor: Actor, source: str, target: str, *, reason: str) -> Log:
    """L7 and L1: merge a true duplicate into the surviving log. Every account stays visible; the merged
    log keeps its reference, which resolves to the survivor forever."""
    actor.require("log.merge")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=2000, required=False)
    with unit_of_work():
        src = Log.objects.filter(reference=source.strip()).first()
        tgt, _ = resolve(target)
        if src is None:
            raise NotFound(f"No log has reference {source!r}.")
        first, second = sorted([src, tgt], key=lambda x: x.pk)
        locked = {x.pk: Log.objects.select_for_update().get(pk=x.pk) for x in (first, second)}
        src, tgt = locked[src.pk], locked[tgt.pk]
        kinds = Link.objects.filter(
            Q(from_log=src, to_log=tgt) | Q(from_log=tgt, to_log=src)
        ).values_list("kind", flat=True)
        rules.check_merge(_merge_facts(src), _merge_facts(tgt), kinds, reason)
        before = _snapshot(src)
        src.status, src.merged_into = "merged", tgt
        src.save(update_fields=["status", "merged_into"])
        for f in src.flags:
            if f not in tgt.flags:
                tgt.flags = [*tgt.flags, f]
        tgt.save(update_fields=["flags"])
        _append(actor, src, "system", f"Merged into {tgt.reference}: {reason}", policy=policy)
        _append(actor, tgt, "system", f"{src.reference} merged into this log: {reason}. Its callers' accounts "
                "are shown under Accounts.", policy=policy)
        audit.record(actor, "log.merged", "log", src.reference, before=before, after=_snapshot(src),
                     reason=reason)
        hooks.run(hooks.AFTER_CLASSIFICATION, actor, tgt, policy)
        _repropose(actor, tgt, policy)
    return tgt


# ------------------------------------------------------------------------------ assignment, review
def assign_staff(actor: Actor, reference: str, user_id: int) -> LogAssignment:
    """L12: a member of staff assigned to a log receives the full circulation summary, and is told of every
    addition afterwards (L4)."""
    actor.require("log.assign_staff")
    policy = current_policy()
    person = _staff(user_id, "user_id")
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "assign staff")
        if LogAssignment.objects.filter(log=log, user=person, active=True).exists():
            raise Refusal(f"{person.display} is already assigned.", status=409)
        summary = circulation(log, policy)
        a = LogAssignment.objects.create(log=log, user=person, assigned_at=clock.now(), assigned_by=actor.user,
                                         summary=summary)
        allegations = "; ".join(x["allegation"] or x["account"][:80] for x in summary["allegations"])
        _notify(person, kind="assigned", safeguard="L12", log=log,
                text=f"Assigned to {log.reference} — {summary['category']}, {summary['grade']}. "
                f"Flags: {', '.join(summary['flags']) or 'none'}. Allegations: {allegations}")
        _append(actor, log, "system", f"{person.display} assigned.", policy=policy)
        audit.record(actor, "log.staff_assigned", "log", log.reference, after={"user": person.username})
    return a


def take_review(actor: Actor, reference: str) -> Log:
    """L9: a person takes ownership of an automatically created log out of the review queue."""
    actor.require("review.own")
    policy = current_policy()
    with unit_of_work():
        log = _lock(reference)
        if log.review_queue_id is None:
            raise Refusal("This log was not created automatically; it has no review.", status=409)
        if log.review_owned_at is not None:
            raise Refusal(f"Already owned by {log.owner.display if log.owner else 'someone'}.", status=409)
        log.owner, log.review_owned_at, log.review_due_at = actor.user, clock.now(), None
        log.save(update_fields=["owner", "review_owned_at", "review_due_at"])
        _append(actor, log, "system", f"Taken from the review queue by {actor.user.display if actor.user else ''}.",
                policy=policy)
        audit.record(actor, "review.owned", "log", log.reference)
    return log


def read_notification(actor: Actor, notification_id: int) -> Notification:
    with unit_of_work():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None:
            raise NotFound(f"No notification {notification_id}.")
        mine = note.recipient_id == actor.user_id or (
            note.team_id is not None and actor.user is not None and note.team_id == actor.user.team_id
        )
        if not mine:
            raise NotFound(f"No notification {notification_id}.")
        if note.read_at is None:
            note.read_at, note.read_by = clock.now(), actor.user
            note.save(update_fields=["read_at", "read_by"])
            audit.record(actor, "notification.read", "notification", note.pk)
    return note


# ------------------------------------------------------------------------------------ the sweeper
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


# ------------------------------------------------------------------------------- L9 intake reviewers
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
