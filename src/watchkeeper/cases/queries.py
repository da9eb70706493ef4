"""What the case pages and the API show (read models). Every list is bounded."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from watchkeeper.cases.models import (
    AgencyAction,
    AgencyReferral,
    BailCondition,
    BailNotice,
    Case,
    CaseEvent,
    CaseLog,
    CaseParty,
    CaseReview,
    ChannelPreference,
    ConflictDeclaration,
    Disclosure,
    Handover,
    PointOfContact,
    VictimContact,
    VictimUpdate,
)
from watchkeeper.cases.rules import (
    BAIL_CHANGES,
    BAIL_STATES,
    CHANNELS,
    DECISIONS,
    DISCLOSURE_DECISIONS,
    EVIDENCE_KINDS,
    FAILURES,
    HANDOVER_KINDS,
    KINDS,
    OUTCOMES,
    PARTY_ROLES,
    REFERRAL_KINDS,
    RISKS,
    STATES,
    UPDATE_KINDS,
    bail_state,
    is_stale,
)
from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.roles import allowed
from watchkeeper.people.models import Person
from watchkeeper.staff.models import User

LIST_LIMIT = 200
TIMELINE_LIMIT = 200


def _name(u: User | None) -> str:
    return (u.get_full_name() or u.username) if u is not None else "system"


def row(c: Case) -> dict[str, Any]:
    """A case as lists show it. P2: its risk, next review (overdue or not) and whether it is stale."""
    now = clock.now()
    quiet_days = (now - c.last_activity_at).total_seconds() / 86400
    open_ = c.state == "open"
    return {"risk": c.risk, "risk_label": RISKS.get(c.risk, c.risk), "review_due_at": c.review_due_at,
            "review_overdue": bool(open_ and c.review_due_at and c.review_due_at <= now),
            "stale": open_ and is_stale(quiet_days, int(current_policy()["case_stale_days"])),
            "quiet_days": int(quiet_days), "id": c.pk, "reference": c.reference, "kind": c.kind,
            "kind_label": KINDS.get(c.kind, c.kind),
            "title": c.title, "state": c.state, "state_label": STATES.get(c.state, c.state),
            "officer": _name(c.officer), "officer_id": c.officer_id, "supervisor": _name(c.supervisor),
            "supervisor_id": c.supervisor_id, "team": c.team.name if c.team else None, "queued": c.queued,
            "opened_at": c.opened_at, "last_activity_at": c.last_activity_at}


def _rows(qs: Any) -> list[dict[str, Any]]:
    return [row(c) for c in qs.select_related("officer", "supervisor", "team")
            .order_by("-last_activity_at", "-id")[:LIST_LIMIT]]


def _awaiting(user_id: int) -> list[dict[str, Any]]:
    return [handover(h) for h in Handover.objects.filter(to_user_id=user_id, acknowledged_at__isnull=True)
            .select_related("case", "from_user", "to_user").order_by("-at")[:LIST_LIMIT]]


def my_cases(user: User) -> dict[str, Any]:
    """P1: the open cases a member of staff is officer in charge of, and handovers awaiting their acknowledgement."""
    return {"cases": _rows(Case.objects.filter(officer=user, state="open")), "awaiting": _awaiting(user.pk)}


def team_cases(user: User) -> dict[str, Any]:
    """P1: the open cases a supervisor supervises or their team holds, the queued ones first."""
    where = Q(supervisor=user)
    if user.team_id is not None:
        where |= Q(team_id=user.team_id)
    qs = Case.objects.filter(where, state="open")
    rows = _rows(qs)
    rows.sort(key=lambda r: not r["queued"])
    return {"cases": rows, "awaiting": _awaiting(user.pk)}


def handover(h: Handover) -> dict[str, Any]:
    return {"id": h.pk, "case_id": h.case_id, "case": h.case.reference, "kind": h.kind,
            "kind_label": HANDOVER_KINDS.get(h.kind, h.kind), "from": _name(h.from_user), "to": _name(h.to_user),
            "to_id": h.to_user_id, "reason": h.reason, "summary": h.summary, "at": h.at,
            "acknowledged_at": h.acknowledged_at}


def case(c: Case) -> dict[str, Any]:
    """The case page: its people, logs, handovers and timeline (newest first), bounded."""
    out = row(c)
    out.update({
        "summary": c.summary, "closed_at": c.closed_at, "closing_note": c.closing_note,
        "origin": c.origin.reference if c.origin_id and c.origin else None,
        "people": [{"id": p.pk, "person_id": p.person_id, "name": p.person.name, "role": p.role,
                    "role_label": PARTY_ROLES.get(p.role, p.role), "added_at": p.added_at,
                    "contact_point": spoc(p.person_id) if p.role == "victim" else None}
                   for p in CaseParty.objects.filter(case=c).select_related("person").order_by("id")[:LIST_LIMIT]],
        "logs": [{"reference": link.log.reference, "summary": link.log.summary, "status": link.log.status,
                  "linked_at": link.linked_at}
                 for link in CaseLog.objects.filter(case=c).select_related("log").order_by("id")[:LIST_LIMIT]],
        "handovers": [handover(h) for h in Handover.objects.filter(case=c).select_related(
            "case", "from_user", "to_user").order_by("-at", "-id")[:LIST_LIMIT]],
        "reviews": [{"id": r.pk, "by": _name(r.by), "at": r.at, "note": r.note, "risk_before": r.risk_before,
                     "risk_after": r.risk_after, "no_progress": r.no_progress, "next_due_at": r.next_due_at,
                     "evidence": [{**e, "kind_label": EVIDENCE_KINDS.get(e.get("kind", ""), "")} for e in r.evidence]}
                    for r in CaseReview.objects.filter(case=c).select_related("by").order_by("-at", "-id")[:50]],
        "referrals": [{"id": r.pk, "kind": r.kind, "kind_label": REFERRAL_KINDS.get(r.kind, r.kind),
                       "meeting_at": r.meeting_at, "note": r.note, "by": _name(r.by)}
                      for r in AgencyReferral.objects.filter(case=c).select_related("by").order_by("-meeting_at")[:50]],
        "agency_actions": [agency_action(a) for a in AgencyAction.objects.filter(case=c).select_related("owner")
                           .order_by("completed_at", "due_at", "id")[:LIST_LIMIT]],
        "conflicts": [conflict(d) for d in ConflictDeclaration.objects.filter(case=c).select_related(
            "user", "person", "assessed_by").order_by("-id")[:LIST_LIMIT]],
        "updates": [update(u) for u in VictimUpdate.objects.filter(case=c).select_related("person", "by")
                    .order_by("-sent_at", "-id")[:LIST_LIMIT]],
        "contacts": [contact(x) for x in VictimContact.objects.filter(case=c).select_related("person", "by")
                     .order_by("-at", "-id")[:LIST_LIMIT]],
        "disclosures": [disclosure(d) for d in Disclosure.objects.filter(case=c).select_related(
            "victim", "suspect", "decided_by").order_by("-id")[:LIST_LIMIT]],
        "bail": bail(c),
        "bail_notices": [bail_notice(n) for n in BailNotice.objects.filter(case=c).select_related(
            "person", "condition", "update").order_by("-id")[:LIST_LIMIT]],
        "timeline": [{"kind": e.kind, "text": e.text, "at": e.at, "by": _name(e.by)}
                     for e in CaseEvent.objects.filter(case=c).select_related("by").order_by("-id")[:TIMELINE_LIMIT]],
    })
    return out


def disclosure(d: Disclosure) -> dict[str, Any]:
    """P5: a disclosure task: the victim, the suspect, the history found, and the decision (or that it is
    undecided, and overdue)."""
    return {"id": d.pk, "case_id": d.case_id, "victim_id": d.victim_id, "victim": d.victim.name,
            "suspect_id": d.suspect_id, "suspect": d.suspect.name, "history": d.history, "created_at": d.created_at,
            "due_at": d.due_at, "decided": bool(d.decision),
            "overdue": not d.decision and d.due_at <= clock.now(), "decision": d.decision,
            "decision_label": DISCLOSURE_DECISIONS.get(d.decision, "Undecided"), "rationale": d.rationale,
            "channel": d.channel, "channel_label": CHANNELS.get(d.channel, ""), "delivered_at": d.delivered_at,
            "decided_at": d.decided_at, "decided_by": _name(d.decided_by) if d.decided_by_id else None}


def bail(c: Case) -> list[dict[str, Any]]:
    """P8: the case's bail conditions, newest first, each with its state (in force, amended, ended, expired),
    rationale, dates, what it amends and why, its reviews and end, and its order on the register."""
    today = clock.local(clock.now()).date()
    rows = list(BailCondition.objects.filter(case=c).select_related("suspect", "by").prefetch_related(
        "decisions", "decisions__by", "amendments").order_by("-id")[:LIST_LIMIT])
    out = []
    for b in rows:
        decisions = sorted(b.decisions.all(), key=lambda d: d.pk)
        state = bail_state(bool(b.amendments.all()), any(d.kind == "ended" for d in decisions), b.end_on, today)
        out.append({"id": b.pk, "case_id": b.case_id, "suspect_id": b.suspect_id, "suspect": b.suspect.name,
                    "text": b.text, "rationale": b.rationale, "protected": b.protected, "places": b.places,
                    "activities": b.activities, "review_on": b.review_on, "review_due_on": b.review_due_on,
                    "review_overdue": state == "in_force" and b.review_due_on < today, "end_on": b.end_on,
                    "amends_id": b.amends_id, "reason": b.reason, "order_id": b.order_id, "at": b.at,
                    "by": _name(b.by), "state": state, "state_label": BAIL_STATES[state],
                    "decisions": [{"id": d.pk, "kind": d.kind, "note": d.note, "next_review_on": d.next_review_on,
                                   "at": d.at, "by": _name(d.by)} for d in decisions[-20:]]})
    return out


def bail_notice(n: BailNotice) -> dict[str, Any]:
    """P8, P4: a victim to be told of a bail change, and the update that told them (with its delivery)."""
    return {"id": n.pk, "condition_id": n.condition_id, "person_id": n.person_id, "person": n.person.name,
            "change": n.change, "change_label": BAIL_CHANGES.get(n.change, n.change), "created_at": n.created_at,
            "due_at": n.due_at, "told": n.update_id is not None, "update_id": n.update_id,
            "outcome": n.update.outcome if n.update else None,
            "outcome_label": OUTCOMES.get(n.update.outcome, "") if n.update else "Not told yet",
            "alerted_at": n.alerted_at}


def contact(x: VictimContact) -> dict[str, Any]:
    """P3: a contact with a victim as the case and victim pages show it."""
    return {"id": x.pk, "case_id": x.case_id, "person_id": x.person_id, "person": x.person.name,
            "channel": x.channel, "channel_label": CHANNELS.get(x.channel, x.channel), "at": x.at, "by": _name(x.by),
            "summary": x.summary, "recorded_at": x.recorded_at}


def agency_action(a: AgencyAction) -> dict[str, Any]:
    """P6: a multi-agency action: what, its owner, when due, whether overdue, and its completion."""
    return {"id": a.pk, "case_id": a.case_id, "referral_id": a.referral_id, "description": a.description,
            "owner_id": a.owner_id, "owner": a.agency or _name(a.owner), "agency": a.agency, "due_at": a.due_at,
            "overdue": a.completed_at is None and a.due_at <= clock.now(), "completed_at": a.completed_at,
            "completion_note": a.completion_note}


def conflict(d: ConflictDeclaration) -> dict[str, Any]:
    """P10: a declared conflict of interest and its assessment."""
    return {"id": d.pk, "case_id": d.case_id, "user_id": d.user_id, "user": _name(d.user),
            "person_id": d.person_id, "person": d.person.name if d.person_id and d.person else None,
            "nature": d.nature, "declared_at": d.declared_at, "decision": d.decision,
            "decision_label": DECISIONS.get(d.decision, "Awaiting assessment"), "conditions": d.conditions,
            "rationale": d.rationale, "assessed_at": d.assessed_at,
            "assessed_by": _name(d.assessed_by) if d.assessed_by_id else None}


def update(u: VictimUpdate) -> dict[str, Any]:
    """P4: an update to a victim and whether it reached them."""
    return {"id": u.pk, "case_id": u.case_id, "person_id": u.person_id, "person": u.person.name, "kind": u.kind,
            "kind_label": UPDATE_KINDS.get(u.kind, u.kind), "channel": u.channel,
            "channel_label": CHANNELS.get(u.channel, u.channel), "text": u.text, "sent_at": u.sent_at,
            "by": _name(u.by), "outcome": u.outcome, "outcome_label": OUTCOMES.get(u.outcome, u.outcome),
            "failure": u.failure, "failure_label": FAILURES.get(u.failure, ""), "outcome_note": u.outcome_note,
            "outcome_at": u.outcome_at, "escalated_at": u.escalated_at}


def channels(person_id: int) -> list[dict[str, str]]:
    """P4: the victim's preferred channels now, in order."""
    pref = ChannelPreference.objects.filter(person_id=person_id).order_by("-id").first()
    return [{"channel": c, "label": CHANNELS.get(c, c)} for c in (pref.channels if pref else [])]


def _spoc_row(s: PointOfContact) -> dict[str, Any]:
    return {"id": s.pk, "contact_id": s.contact_id, "contact": _name(s.contact), "reason": s.reason, "at": s.at,
            "by": _name(s.by)}


def spoc(person_id: int) -> dict[str, Any] | None:
    """P3: a victim's point of contact now (the newest setting), or None."""
    s = PointOfContact.objects.filter(person_id=person_id).select_related("contact", "by").order_by("-id").first()
    return _spoc_row(s) if s is not None else None


def victim(p: Person) -> dict[str, Any]:
    """P3: the victim page: their point of contact (and its history), their cases, and every contact logged
    with them and the updates on their cases (newest first), bounded."""
    history = [_spoc_row(s) for s in PointOfContact.objects.filter(person=p).select_related("contact", "by")
               .order_by("-id")[:50]]
    cases = Case.objects.filter(parties__person=p, parties__role="victim").distinct()
    case_ids = list(cases.values_list("pk", flat=True)[:LIST_LIMIT])
    return {"id": p.pk, "name": p.name, "contact": history[0] if history else None, "history": history,
            "cases": _rows(Case.objects.filter(pk__in=case_ids)),
            "contacts": [contact(x) for x in VictimContact.objects.filter(person=p).select_related("person", "by")
                         .order_by("-at", "-id")[:LIST_LIMIT]],
            "channels": channels(p.pk),
            "victim_updates": [update(u) for u in VictimUpdate.objects.filter(person=p).select_related("person", "by")
                               .order_by("-sent_at", "-id")[:LIST_LIMIT]],
            "updates": [{"case_id": e.case_id, "case": e.case.reference, "kind": e.kind, "text": e.text, "at": e.at,
                         "by": _name(e.by)}
                        for e in CaseEvent.objects.filter(case_id__in=case_ids).select_related("case", "by")
                        .order_by("-id")[:50]]}


def receivers(limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Staff a case (or its supervision) can be handed to: active, in a role that holds or supervises cases."""
    out = []
    for u in User.objects.filter(is_active=True).select_related("team").order_by("last_name", "first_name",
                                                                                  "username")[:1000]:
        hold, sup = allowed(u.role, "case.hold"), allowed(u.role, "case.supervise")
        if hold or sup:
            out.append({"id": u.pk, "name": _name(u), "role": u.role_label, "team": u.team.name if u.team else "",
                        "hold": hold, "supervise": sup})
        if len(out) >= limit:
            break
    return out


def api(value: Any) -> Any:
    """Datetimes as ISO text, for the API."""
    if isinstance(value, dict):
        return {k: api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [api(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
