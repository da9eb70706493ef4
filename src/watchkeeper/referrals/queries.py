"""What the referral pages and the API show (read models), and the backlog the assurance reports read (A5).
Every list is bounded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.roles import allowed
from watchkeeper.referrals import rules
from watchkeeper.referrals.models import IncomingReferral, IntelReferral, ReferralEvent
from watchkeeper.staff.models import User

LIST_LIMIT = 200
# The open referrals the queue orders at once (the order is policy, applied to plain values of each).
MAX_OPEN = 20_000
OPEN_STATES = ("queued", "allocated")


def _name(u: User | None) -> str:
    return (u.get_full_name() or u.username) if u is not None else ""


def row(r: IntelReferral, position: int | None = None) -> dict[str, Any]:
    """P7: a referral as the queue shows it: its risk, its age and whether it is past its target age."""
    now = clock.now()
    open_ = r.state in OPEN_STATES
    return {"id": r.pk, "reference": r.reference, "position": position, "source": r.source,
            "operation": r.operation, "source_reference": r.source_reference, "subject_name": r.subject_name,
            "subject_dob": r.subject_dob, "subject_address": r.subject_address, "person_id": r.person_id,
            "summary": r.summary, "access": r.access, "access_label": rules.ACCESS[r.access], "grade": r.grade,
            "grade_label": rules.GRADES[r.grade], "score": r.score, "checks": list(r.checks),
            "tier": r.tier, "tier_label": rules.TIERS[r.tier], "received_at": r.received_at,
            "age_days": max(int((now - r.received_at).total_seconds() // 86400), 0), "target_at": r.target_at,
            "overdue": open_ and r.target_at <= now, "escalated": r.stage >= 2, "state": r.state,
            "state_label": rules.STATES[r.state], "officer": _name(r.officer), "officer_id": r.officer_id,
            "allocated_at": r.allocated_at, "outcome": r.outcome, "outcome_label": rules.OUTCOMES.get(r.outcome, ""),
            "outcome_note": r.outcome_note, "worked_at": r.worked_at,
            "case_id": r.case_id, "case": r.case.reference if r.case_id and r.case else None}


def queue(*, state: str = "open", tier: str = "", officer_id: int | None = None, source: str = "",
          limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """P7: referrals in the order they are to be worked (policy `referral_queue.order`: access to children
    first, by default), filtered; worked ones newest first."""
    qs = IntelReferral.objects.all()
    if tier:
        qs = qs.filter(tier=tier)
    if officer_id is not None:
        qs = qs.filter(officer__pk=officer_id)
    if source:
        qs = qs.filter(source__icontains=source[:200])
    if state == "worked":
        rows = qs.filter(state="worked").select_related("officer", "case").order_by("-worked_at", "-id")[:limit]
        return [row(r) for r in rows]
    items = [rules.QueueItem(pk, access, grade, score, received) for pk, access, grade, score, received in
             qs.filter(state__in=OPEN_STATES).values_list("pk", "access", "grade", "score", "received_at")[:MAX_OPEN]]
    ordered = [i.id for i in rules.order_queue(items, current_policy()["referral_queue"])][:limit]
    found = {r.pk: r for r in IntelReferral.objects.filter(pk__in=ordered).select_related("officer", "case")}
    return [row(found[pk], n) for n, pk in enumerate(ordered, start=1) if pk in found]


def referral(r: IntelReferral) -> dict[str, Any]:
    """P7: the referral page: the referral and its history, newest first."""
    out = row(r)
    out["events"] = [{"kind": e.kind, "text": e.text, "at": e.at, "by": _name(e.by) or "system"}
                     for e in ReferralEvent.objects.filter(referral=r).select_related("by").order_by("-id")[:200]]
    out["worked_by"] = _name(r.worked_by) if r.worked_by_id else None
    return out


def backlog() -> list[dict[str, Any]]:
    """P7, A5: each referral queue's backlog: intelligence referrals in all, per risk tier, and referrals from
    other forces not yet actioned: size, waiting for allocation (or acknowledgement), the oldest's age in days,
    and how many are past their target. The assurance reports read this."""
    now = clock.now()
    open_ = list(IntelReferral.objects.filter(state__in=OPEN_STATES)
                 .values_list("tier", "received_at", "target_at", "officer_id")[:MAX_OPEN])
    out = [rules.backlog("Intelligence referrals", ((rc, t, o is not None) for _, rc, t, o in open_), now).as_dict()]
    for code, label in rules.TIERS.items():
        b = rules.backlog(f"Intelligence referrals: {label.lower()}",
                          ((rc, t, o is not None) for tier, rc, t, o in open_ if tier == code), now)
        out.append({**b.as_dict(), "tier": code})
    incoming = IncomingReferral.objects.exclude(state="actioned").values_list("received_at", "ack_due_at", "state")
    never = now + timedelta(days=36_500)  # acknowledged: no target left, only the action
    inc = [(rc, due if st == "received" else never, st != "received") for rc, due, st in incoming[:MAX_OPEN]]
    out.append(rules.backlog("Referrals from other forces", inc, now).as_dict())
    return out


def incoming_row(x: IncomingReferral) -> dict[str, Any]:
    """P11: a referral received from another force, and how far it has got."""
    now = clock.now()
    return {"id": x.pk, "reference": x.reference, "sending_force": x.sending_force, "sender": x.sender,
            "sender_contact": x.sender_contact, "their_reference": x.their_reference,
            "received_via": x.received_via, "received_via_label": rules.RECEIVED_VIA[x.received_via],
            "received_at": x.received_at, "person_id": x.person_id, "person": x.person.name,
            "subject_role": x.subject_role, "subject_role_label": rules.SUBJECT_ROLES[x.subject_role],
            "address_given": x.address_given, "ask": x.ask, "log": x.log.reference if x.log_id and x.log else None,
            "owner": _name(x.owner), "owner_id": x.owner_id, "state": x.state,
            "state_label": rules.INCOMING_STATES[x.state], "ack_due_at": x.ack_due_at,
            "overdue": x.state == "received" and x.ack_due_at <= now, "escalated": x.stage >= 2,
            "acknowledged_at": x.acknowledged_at, "acknowledged_by": _name(x.acknowledged_by) or None,
            "ack_note": x.ack_note, "actioned_at": x.actioned_at, "actioned_by": _name(x.actioned_by) or None,
            "action_note": x.action_note, "address_attended": x.address_attended, "address_reason": x.address_reason}


def incoming(state: str = "", limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """P11: referrals from other forces: those not acknowledged first (soonest due), then the rest, newest first."""
    qs = IncomingReferral.objects.select_related("person", "owner", "log", "acknowledged_by", "actioned_by")
    if state:
        qs = qs.filter(state=state)
    rows = list(qs.filter(state="received").order_by("ack_due_at", "id")[:limit])
    rows += list(qs.exclude(state="received").order_by("-received_at", "-id")[:max(limit - len(rows), 0)])
    return [incoming_row(x) for x in rows]


def outgoing(limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """P11: referrals this force made to other forces (risk's follow-ups of kind force_referral), read only."""
    from watchkeeper.risk.models import FollowUp
    from watchkeeper.risk.queries import followups

    return followups(FollowUp.objects.filter(kind="force_referral"), limit)


def officers(limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Staff a referral can be allocated to: active, in a role that holds cases."""
    out = []
    for u in User.objects.filter(is_active=True).select_related("team").order_by("last_name", "first_name",
                                                                                  "username")[:1000]:
        if allowed(u.role, "case.hold"):
            out.append({"id": u.pk, "name": _name(u), "role": u.role_label, "team": u.team.name if u.team else ""})
        if len(out) >= limit:
            break
    return out


def api(value: Any) -> Any:
    """Dates and datetimes as ISO text, for the API."""
    if isinstance(value, dict):
        return {k: api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [api(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
