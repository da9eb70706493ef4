"""Contacts: raising a log (L1, L8), a further contact on a log, messages for an officer (L8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import mark_new, unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    MAX_TEXT,
    ContactIn,
    _append,
    _append_many,
    _clean_contact,
    _contact_text,
    _escalation_owner,
    _lock,
    _next_reference,
    _notify,
    _repropose,
    _require_open,
    _snapshot,
    _staff,
)
from watchkeeper.incidents.actions.links import _link_locked
from watchkeeper.incidents.models import (
    Contact,
    IntakeQueue,
    Log,
)
from watchkeeper.realtime.publish import publish
from watchkeeper.staff.models import User


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
        mark_new(log, c)
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
    """L8: the person a message is for (its addressee, their team's queue when it was routed there, their
    supervisor, or a controller or duty inspector) records it as handled, attaching it to a log where it
    belongs."""
    actor.require("contact.record")
    policy = current_policy()
    note = v.text(note, "note", max_length=2000, required=False)
    with unit_of_work():
        c = Contact.objects.select_for_update().filter(pk=contact_id, log__isnull=True).first()
        if c is None:
            raise NotFound(f"No unattached message with id {contact_id}.")
        addressee = (User.objects.select_related("team").filter(pk=c.addressed_to_id).first()
                     if c.addressed_to_id is not None else None)
        rules.check_may_handle_message(
            actor.user_id, actor.user.team_id if actor.user else None, actor.may("message.handle_any"),
            rules.MessageFacts(
                addressee_id=c.addressed_to_id, routed_team_id=c.routed_to_team_id,
                addressee_supervisor_id=addressee.team.supervisor_id if addressee and addressee.team else None))
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
