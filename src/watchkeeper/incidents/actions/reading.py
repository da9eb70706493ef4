"""Reading a log: the audited view (L3, L5), what a person has not seen, circulation (L12)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    family_ids,
    resolve,
)
from watchkeeper.incidents.models import (
    Contact,
    Entry,
    Log,
    LogSeen,
    ServiceRequest,
)
from watchkeeper.realtime.models import Event
from watchkeeper.staff.models import User


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
