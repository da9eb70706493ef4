"""Read models for pages and the API: everything a log view shows, gathered in a few queries.

Reads only; the audit record of the view is written by `actions.view_log`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.incidents import actions, hooks, rules
from watchkeeper.incidents.models import (
    Contact,
    DowngradeRequest,
    Entry,
    Link,
    Log,
    ServiceRequest,
    Task,
)
from watchkeeper.realtime.models import Presence
from watchkeeper.staff.models import User

PRESENCE_WINDOW = timedelta(seconds=45)
LOG_STATUSES = ("open", "closed", "cancelled", "merged", "all")


def logs(actor: Actor, status: str = "open", limit: int = 100) -> list[Log]:
    """The logs a list shows, newest first: the queue page, the board's rows and `GET /api/logs` all read
    through this one function, so a role the API refuses (`log.view`) sees no list in the UI either."""
    actor.require("log.view")
    qs = Log.objects.select_related("owner", "merged_into").order_by("-created_at")
    if status != "all":
        qs = qs.filter(status=status)
    return list(qs[: max(1, min(limit, 500))])


def awaiting_review(actor: Actor, limit: int = 500) -> list[Log]:
    """L9: automatically created logs nobody owns yet, oldest first: the review page and
    `GET /api/review-queue` read through this one function, with the one permission (`review.own`)."""
    actor.require("review.own")
    qs = Log.objects.filter(review_queue__isnull=False, review_owned_at__isnull=True, status="open")
    return list(qs.select_related("review_queue", "review_assignee", "owner").order_by("created_at")[:limit])


@dataclass
class LogDetail:
    log: Log
    entries: list[Entry]
    accounts: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    links: list[dict[str, Any]]
    merged_from: list[str]
    viewers: list[dict[str, Any]]
    proposal: dict[str, Any]
    pending_downgrade: dict[str, Any] | None
    unseen_seqs: list[int] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


def viewers_of(log: Log, exclude_user_id: int | None = None) -> list[dict[str, Any]]:
    """L4: who else has this log open now."""
    since = clock.now() - PRESENCE_WINDOW
    rows = Presence.objects.filter(log_id=log.pk, last_seen__gte=since, connections__gt=0).select_related("user")
    return [
        {"user": p.user.username, "name": p.user.display, "editing": p.editing}
        for p in rows
        if p.user_id != exclude_user_id
    ]


def log_detail(log: Log, user: User | None) -> LogDetail:
    policy = current_policy()
    fam = actions.family_ids(log)
    entries = list(
        Entry.objects.filter(log=log).select_related("author", "corrects").order_by("seq")
    )
    accounts = [
        {
            "id": c.pk,
            "log": c.log.reference if c.log else "",
            "channel": c.channel,
            "channel_label": c.get_channel_display(),
            "received_at": c.received_at.isoformat(),
            "caller_name": c.caller_name,
            "caller_phone": c.caller_phone,
            "party": c.party,
            "account": c.account,
            "allegation": c.allegation,
        }
        for c in Contact.objects.filter(log_id__in=fam).select_related("log").order_by("received_at")
    ]
    reqs = [
        {
            "id": r.pk,
            "direction": r.direction,
            "service": r.service,
            "service_label": r.get_service_display(),
            "requester": r.requester,
            "ask": r.ask,
            "condition": r.condition,
            "state": r.state,
            "state_note": r.state_note,
            "log": r.log.reference,
        }
        for r in ServiceRequest.objects.filter(log_id__in=fam).select_related("log").order_by("created_at")
    ]
    now = clock.now()
    tasks = [
        {
            "id": t.pk,
            "description": t.description,
            "owner": t.owner.display,
            "owner_id": t.owner_id,
            "due_at": t.due_at.isoformat(),
            "overdue": t.state == "open" and t.due_at < now,
            "state": t.state,
            "result": t.result,
        }
        for t in Task.objects.filter(log_id__in=fam).select_related("owner").order_by("due_at")
    ]
    links = []
    for lk in Link.objects.filter(Q(from_log=log) | Q(to_log=log)).select_related("from_log", "to_log"):
        other = lk.to_log if lk.from_log_id == log.pk else lk.from_log
        links.append({"kind": lk.kind, "kind_label": lk.get_kind_display(), "reference": other.reference,
                      "summary": other.summary, "status": other.status, "reason": lk.reason})
    merged_from = list(Log.objects.filter(pk__in=fam).exclude(pk=log.pk).values_list("reference", flat=True))
    proposal = rules.propose_grade(actions.grade_facts(log, policy), policy)
    pending = DowngradeRequest.objects.filter(log=log, state="pending").select_related("authoriser").first()
    unseen = [e.seq for e in actions.unseen_for(log, user)] if user is not None else []
    return LogDetail(
        log=log,
        entries=entries,
        accounts=accounts,
        requests=reqs,
        tasks=tasks,
        links=links,
        merged_from=merged_from,
        viewers=viewers_of(log, user.pk if user else None),
        proposal={"grade": proposal.grade, "label": policy.grade_label(proposal.grade),
                  "reasons": list(proposal.reasons)},
        pending_downgrade=(
            {"id": pending.pk, "to_grade": pending.to_grade, "authoriser": pending.authoriser.username,
             "authoriser_name": pending.authoriser.display, "reason": pending.reason,
             "authoriser_id": pending.authoriser_id}
            if pending else None
        ),
        unseen_seqs=unseen,
        extras=hooks.details(log),
    )
