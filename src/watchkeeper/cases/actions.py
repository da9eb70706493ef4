"""Case actions (P1). One function per use case, each in one unit of work with exactly one audit record;
who may act on *this* case is asked of cases/rules.py inside the action, so the UI and the API share it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import F, Q

from watchkeeper.audit import writer as audit
from watchkeeper.cases import rules
from watchkeeper.cases.models import (
    AgencyAction,
    AgencyReferral,
    BailCondition,
    BailDecision,
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
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.core.roles import allowed
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions import _notify, resolve
from watchkeeper.incidents.models import Entry, Task
from watchkeeper.people.models import Person
from watchkeeper.risk.models import Assessment
from watchkeeper.staff.models import Team, User


def holder(user: User, role: str | None = None) -> rules.Holder:
    """A member of staff as the rules see them (with the role they would have after a move, if given)."""
    role = role if role is not None else user.role
    return rules.Holder(id=user.pk, name=user.get_full_name() or user.username, active=user.is_active,
                        may_hold=allowed(role, "case.hold"), may_supervise=allowed(role, "case.supervise"),
                        team_id=user.team_id)


def facts(case: Case) -> rules.CaseFacts:
    return rules.CaseFacts(case.pk, case.reference, case.state, case.officer_id, case.supervisor_id)


def _staff(user_id: int | None, field: str) -> User:
    found = User.objects.filter(pk=user_id).select_related("team").first() if user_id is not None else None
    if found is None:
        raise Invalid(f"No member of staff has id {user_id}.", field)
    return found


def _case(case_id: int, *, lock: bool = False) -> Case:
    qs = Case.objects.select_related("officer", "supervisor", "team")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=case_id).first()
    if found is None:
        raise NotFound(f"No case has id {case_id}.")
    return found


def _check_conflict(actor: Actor, case: Case) -> None:
    """P10: refuse the actor's action on a case on which (or on a person on which) they declared a conflict of
    interest that is not assessed yet, or was assessed as not allowed."""
    if actor.user_id is None:
        return
    people = CaseParty.objects.filter(case=case).values_list("person_id", flat=True)
    declared = ConflictDeclaration.objects.filter(Q(case=case) | Q(person_id__in=people), user_id=actor.user_id)
    rules.check_not_conflicted([rules.Declared(d.pk, d.decision) for d in declared.order_by("pk")[:50]],
                               case.reference)


def _may_work(actor: Actor, case: Case) -> None:
    """P1: the case's officer in charge, its supervisor, or anyone who supervises cases; P10: not while a
    conflict of interest they declared on it is unassessed or not allowed."""
    actor.require("case.manage")
    rules.check_may_act(actor.user_id, actor.may("case.supervise"), facts(case))
    _check_conflict(actor, case)


def _event(case: Case, kind: str, text: str, by: User | None) -> None:
    now = clock.now()
    CaseEvent.objects.create(case=case, kind=kind, text=text, at=now, by=by)
    Case.objects.filter(pk=case.pk).update(last_activity_at=now)
    case.last_activity_at = now


def _next_reference() -> str:
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"CS-{clock.now():%y}-{last + 1:06d}"


def next_review(kind: str, risk: str, after: datetime) -> datetime:
    """P2: when the next supervisory review is due (policy `case_review_days` by kind and risk)."""
    return after + timedelta(days=rules.review_days(current_policy()["case_review_days"], kind, risk))


def open_case(actor: Actor, *, kind: str, title: str, summary: str = "", reference: str = "",
              officer_id: int | None = None, supervisor_id: int | None = None, risk: str = "standard") -> Case:
    """P1: open a case, from a log (its reference) or directly, with an officer in charge (by default the
    person opening it) and a supervisor (by default the officer's team supervisor). P2: its first supervisory
    review is scheduled by its kind and risk."""
    actor.require("case.manage")
    rules.check_kind(kind)
    rules.check_risk(risk)
    title = v.text(title, "title", max_length=200)
    summary = v.text(summary, "summary", max_length=v.MAX_TEXT, required=False)
    reference = v.text(reference, "reference", max_length=32, required=False)
    with unit_of_work():
        log = resolve(reference)[0] if reference else None
        officer = _staff(officer_id, "officer_id") if officer_id is not None else actor.person
        if supervisor_id is not None:
            supervisor = _staff(supervisor_id, "supervisor_id")
        else:
            team = (Team.objects.select_related("supervisor").filter(pk=officer.team_id).first()
                    if officer.team_id is not None else None)
            if team is None or team.supervisor is None:
                raise Invalid(f"{officer.get_full_name() or officer.username} has no team supervisor: name the "
                              "case's supervisor.", "supervisor_id")
            supervisor = team.supervisor
        rules.check_owners(holder(officer), holder(supervisor))
        now = clock.now()
        case = Case.objects.create(reference=_next_reference(), kind=kind, title=title, summary=summary,
                                   officer=officer, supervisor=supervisor, team_id=officer.team_id,
                                   opened_at=now, opened_by=actor.person, origin=log, last_activity_at=now,
                                   risk=risk, review_due_at=next_review(kind, risk, now))
        if log is not None:
            CaseLog.objects.create(case=case, log=log, linked_at=now, linked_by=actor.person)
        _event(case, "opened", f"Opened ({rules.KINDS[kind]}){f' from log {log.reference}' if log else ''}; "
                               f"officer in charge {holder(officer).name}, supervisor {holder(supervisor).name}.",
               actor.person)
        if officer.pk != actor.user_id:
            _notify(officer, kind="case_allocated", safeguard="P1",
                    text=f"Case {case.reference} ({title}) is yours: you are its officer in charge.")
        audit.record(actor, "case.opened", "case", case.reference,
                     after={"kind": kind, "title": title, "risk": risk, "officer": officer.username,
                            "supervisor": supervisor.username, "log": log.reference if log else None})
    return case


def add_party(actor: Actor, case_id: int, *, person_id: int, role: str) -> CaseParty:
    """A person on the case in a role (victim, suspect, witness, ...)."""
    rules.check_party_role(role)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}.", "person_id")
        if CaseParty.objects.filter(case=case, person=person, role=role).exists():
            raise Invalid(f"{person.name} is already on the case as {rules.PARTY_ROLES[role].lower()}.", "role")
        party = CaseParty.objects.create(case=case, person=person, role=role, added_at=clock.now(),
                                         added_by=actor.person)
        _event(case, "person", f"{person.name} added as {rules.PARTY_ROLES[role].lower()}.", actor.person)
        tasks = consider_disclosure(case, actor.person) if role in ("victim", "suspect") else []  # P5
        audit.record(actor, "case.person_added", "case", case.reference,
                     after={"person": person.pk, "role": role, "disclosure_tasks": [d.pk for d in tasks]})
    return party


def start_assessment(actor: Actor, case_id: int, *, person_id: int, instrument: str, role: str = "") -> Assessment:
    """R1 from a case: a risk assessment of a person on the case, with the newest version of an instrument, on
    the case's most recently linked log (if any). The person's role on the case is their role in the assessment
    unless another is chosen; the case's timeline says it was started."""
    from watchkeeper.risk.actions.assessments import start_assessment as start

    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        party = (CaseParty.objects.filter(case=case, person__pk=person_id).select_related("person")
                 .order_by("pk").first())
        if party is None:
            raise Invalid(f"Person {person_id} is not on case {case.reference}: add them first.", "person_id")
        linked = CaseLog.objects.filter(case=case).select_related("log").order_by("-linked_at", "-pk").first()
        a = start(actor, instrument=instrument, person_id=person_id, role=role or party.role,
                  reference=linked.log.reference if linked else "", case=case.reference)
        _event(case, "assessment", f"Risk assessment started for {party.person.name}: {a.instrument.title}.",
               actor.person)
    return a


def link_log(actor: Actor, case_id: int, *, reference: str) -> CaseLog:
    """A log the case is about."""
    reference = v.text(reference, "reference", max_length=32)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        log = resolve(reference)[0]
        if CaseLog.objects.filter(case=case, log=log).exists():
            raise Invalid(f"Log {log.reference} is already on the case.", "reference")
        link = CaseLog.objects.create(case=case, log=log, linked_at=clock.now(), linked_by=actor.person)
        _event(case, "log", f"Log {log.reference} linked.", actor.person)
        tasks = consider_disclosure(case, actor.person)  # P5: victims and suspects on the log
        audit.record(actor, "case.log_linked", "case", case.reference,
                     after={"log": log.reference, "disclosure_tasks": [d.pk for d in tasks]})
    return link


def _handover(case: Case, kind: str, to: User, reason: str, summary: str, by: User | None) -> Handover:
    """Write a handover and move the case to the receiver (shared by hand_over and a supervisor's move)."""
    from_user = case.officer if kind == "officer" else case.supervisor
    h = Handover.objects.create(case=case, kind=kind, from_user=from_user, to_user=to, reason=reason,
                                summary=summary, at=clock.now(), by=by)
    if kind == "officer":
        case.officer, case.queued, case.team_id = to, to.pk == case.supervisor_id, to.team_id
        Case.objects.filter(pk=case.pk).update(officer=to, queued=case.queued, team_id=to.team_id)
        what = "queued to the supervisor" if case.queued else "handed over"
    else:
        case.supervisor = to
        Case.objects.filter(pk=case.pk).update(supervisor=to)
        what = "supervision handed over"
    name = to.get_full_name() or to.username
    _event(case, "handover", f"{what.capitalize()}: {from_user.get_full_name() or from_user.username} → {name}. "
                             f"Why: {reason}", by)
    _notify(to, kind="case_handover", safeguard="P1",
            text=f"Case {case.reference} ({case.title}): {what} to you. Acknowledge it on the case page.")
    return h


def hand_over(actor: Actor, case_id: int, *, to_user_id: int, reason: str, summary: str,
              kind: str = "officer") -> Handover:
    """P1: hand a case (kind "officer") or its supervision (kind "supervisor") to someone else, saying why,
    with a summary the receiver acknowledges. Handing it to the case's supervisor queues it to them."""
    reason = v.text(reason, "reason", max_length=2000)
    summary = v.text(summary, "summary", max_length=v.MAX_TEXT)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        receiver = _staff(to_user_id, "to_user_id")
        rules.check_handover(facts(case), kind, holder(receiver), reason, summary)
        before = {"officer": case.officer.username, "supervisor": case.supervisor.username}
        h = _handover(case, kind, receiver, reason, summary, actor.person)
        audit.record(actor, "case.handed_over", "case", case.reference, before=before, reason=reason,
                     after={"kind": kind, "to": receiver.username, "queued": case.queued, "handover": h.pk})
    return h


def acknowledge(actor: Actor, case_id: int, handover_id: int) -> Handover:
    """P1: the receiver acknowledges a handover (they have read the summary and hold the case)."""
    actor.require("case.manage")
    with unit_of_work():
        # Looked up by the case's own key (a number beyond any key finds nothing rather than failing).
        h = Handover.objects.select_for_update(of=("self",)).select_related("case").filter(
            pk=handover_id, case__pk=case_id).first()
        if h is None:
            raise NotFound(f"No handover {handover_id} on case {case_id}.")
        rules.check_acknowledge(actor.user_id, h.to_user_id, h.acknowledged_at is not None)
        _check_conflict(actor, h.case)
        h.acknowledged_at = clock.now()
        h.save(update_fields=["acknowledged_at"])
        _event(h.case, "acknowledged", f"Handover acknowledged by {actor.person.get_full_name() or actor.username}.",
               actor.person)
        audit.record(actor, "case.handover_acknowledged", "case", h.case.reference, after={"handover": h.pk})
    return h


def close_case(actor: Actor, case_id: int, *, note: str) -> Case:
    """Close a case with a note (a closed case is kept, never deleted)."""
    note = v.text(note, "note", max_length=v.MAX_TEXT)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        open_actions = AgencyAction.objects.filter(case=case, completed_at__isnull=True)
        rules.check_no_open_actions([_action_label(a) for a in open_actions.order_by("due_at")[:rules.LISTED]],
                                    open_actions.count(), f"Case {case.reference}")  # P6
        undecided = Disclosure.objects.filter(case=case, decision="").select_related("victim", "suspect")
        rules.check_no_undecided_disclosures([_disclosure_label(d) for d in undecided.order_by("due_at")[:50]],
                                             f"Case {case.reference}")  # P5
        today = clock.local(clock.now()).date()
        in_force = [c for c in BailCondition.objects.filter(case=case, amendments__isnull=True, end_on__gte=today)
                    .exclude(decisions__kind="ended").select_related("suspect")[:rules.LISTED]]
        if in_force:  # P8: bail is ended (and the victim told) before the case closes
            raise Refusal(f"Case {case.reference} has {len(in_force)} bail condition{'s' if len(in_force) != 1 else ''}"
                          f" in force: {'; '.join(f'{c.suspect.name}: {c.text[:80]}' for c in in_force)}.",
                          safeguard="P8", status=409,
                          next_step="End each condition on the case page, saying why (the victim is then told).")
        now = clock.now()
        Case.objects.filter(pk=case.pk).update(state="closed", closed_at=now, closed_by=actor.person,
                                               closing_note=note, review_due_at=None)
        case.state, case.closed_at, case.closing_note = "closed", now, note
        _event(case, "closed", f"Closed: {note}", actor.person)
        audit.record(actor, "case.closed", "case", case.reference, before={"state": "open"},
                     after={"state": "closed"}, reason=note)
    return case


# ------------------------------------------------------------------------------ P2 reviews and stale cases
def evidence_options(case: Case, limit: int = 20) -> list[dict[str, Any]]:
    """P2: what a reviewer can cite: the case's latest timeline lines, the latest entries and the tasks of its
    logs, and the risk assessments of the people on it (each list bounded)."""
    logs = list(CaseLog.objects.filter(case=case).values_list("log_id", flat=True)[:100])
    people = list(CaseParty.objects.filter(case=case).values_list("person_id", flat=True)[:100])
    out: list[dict[str, Any]] = []
    for e in CaseEvent.objects.filter(case=case).order_by("-id")[:limit]:
        out.append({"kind": "event", "id": e.pk, "text": e.text, "at": e.at})
    for en in Entry.objects.filter(log_id__in=logs).select_related("log").order_by("-at", "-id")[:limit]:
        out.append({"kind": "entry", "id": en.pk, "text": f"{en.log.reference} #{en.seq}: {en.text[:200]}",
                    "at": en.at})
    for t in Task.objects.filter(log_id__in=logs).order_by("-created_at", "-id")[:limit]:
        out.append({"kind": "task", "id": t.pk, "text": f"{t.description[:200]} ({t.state})", "at": t.created_at})
    for a in Assessment.objects.filter(person_id__in=people).exclude(state="draft").select_related(
            "instrument", "person").order_by("-started_at", "-id")[:limit]:
        out.append({"kind": "assessment", "id": a.pk, "at": a.started_at,
                    "text": f"{a.instrument.code} of {a.person.name}: {a.level or a.state}"})
    return out


def _cited(case: Case, items: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """P2: each piece of evidence cited must belong to the case; what it said then is kept with the review."""
    known = {(o["kind"], o["id"]): o for o in evidence_options(case, limit=500)}
    out = []
    for kind, ident in items:
        found = known.get((kind, ident))
        if found is None:
            raise Invalid(f"{rules.EVIDENCE_KINDS[kind]} {ident} is not part of case {case.reference}.", "evidence")
        out.append({"kind": kind, "id": ident, "text": found["text"], "at": found["at"].isoformat()})
    return out


def review_case(actor: Actor, case_id: int, *, note: str, evidence: list[str] | None = None,
                no_progress: bool = False, risk: str = "") -> CaseReview:
    """P2: a supervisory review records the evidence of progress it saw (or that there was none and what
    happens next), the risk after it, and schedules the next review by kind and risk."""
    actor.require("case.supervise")
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    items = rules.parse_evidence(evidence or [])
    with unit_of_work():
        case = _case(case_id, lock=True)
        risk_after = rules.check_risk(risk) if risk else case.risk
        rules.check_review(actor.user_id, actor.may("case.supervise"), facts(case), len(items), no_progress, note)
        _check_conflict(actor, case)
        cited = _cited(case, items)
        now = clock.now()
        due = next_review(case.kind, risk_after, now)
        r = CaseReview.objects.create(case=case, by=actor.person, at=now, note=note, risk_before=case.risk,
                                      risk_after=risk_after, no_progress=no_progress, evidence=cited, next_due_at=due)
        Case.objects.filter(pk=case.pk).update(risk=risk_after, review_due_at=due, review_stage=0)
        case.risk, case.review_due_at, case.review_stage = risk_after, due, 0
        seen = "no progress" if no_progress else f"{len(cited)} piece{'s' if len(cited) != 1 else ''} of evidence"
        _event(case, "review", f"Supervisory review ({seen}; risk {rules.RISKS[risk_after].lower()}): {note}",
               actor.person)
        audit.record(actor, "case.reviewed", "case", case.reference, reason=note,
                     before={"risk": r.risk_before}, after={"risk": risk_after, "no_progress": no_progress,
                                                            "evidence": [f"{k}:{i}" for k, i in items],
                                                            "next_due_at": due.isoformat()})
    return r


def fire_case_reviews(now: datetime, limit: int = 500) -> int:
    """P2 (sweeper): a supervisory review not made by its due time alerts the supervisor and the officer in
    charge; `case_review_escalation_days` later it escalates to the supervisor's team queue. Each stage is
    claimed with a conditional update, so two sweepers never fire it twice."""
    fired = 0
    escalate = timedelta(days=int(current_policy()["case_review_escalation_days"]))
    for stage, cutoff in ((0, now), (1, now - escalate)):
        due = Case.objects.filter(state="open", review_stage=stage, review_due_at__lte=cutoff)
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            with unit_of_work():
                if not Case.objects.filter(pk=pk, state="open", review_stage=stage,
                                           review_due_at__lte=cutoff).update(review_stage=stage + 1):
                    continue
                case = Case.objects.select_related("officer", "supervisor").get(pk=pk)
                text = (f"Supervisory review of case {case.reference} ({case.title}) overdue since "
                        f"{case.review_due_at:%d %b %Y}.")
                if stage == 0:
                    _notify(case.supervisor, kind="case_review_overdue", safeguard="P2", text=text)
                    _notify(case.officer, kind="case_review_overdue", safeguard="P2", text=text)
                elif case.supervisor.team_id:
                    _notify(None, kind="case_review_escalated", safeguard="P2", team_id=case.supervisor.team_id,
                            text=text + " Escalated: the supervisor has not reviewed it.")
                CaseEvent.objects.create(case=case, kind="review_overdue", at=now, by=None,
                                         text="Supervisory review overdue: " + ("supervisor alerted." if stage == 0
                                                                                else "escalated to the team."))
                audit.record(SYSTEM, "case.review_overdue", "case", case.reference,
                             after={"stage": stage + 1, "due": case.review_due_at})
                fired += 1
    return fired


def fire_stale_cases(now: datetime, limit: int = 500) -> int:
    """P2 (sweeper): an open case with no activity for `case_stale_days` is flagged stale once per quiet spell:
    its officer in charge and supervisor are told. (The flag and this alert are not activity.)"""
    cutoff = now - timedelta(days=int(current_policy()["case_stale_days"]))
    quiet = Case.objects.filter(Q(stale_flagged_at__isnull=True) | Q(stale_flagged_at__lt=F("last_activity_at")),
                                state="open", last_activity_at__lte=cutoff)
    fired = 0
    for pk in list(quiet.values_list("pk", flat=True)[:limit * 4]):
        if fired >= limit:
            break
        with unit_of_work():
            case = Case.objects.select_related("officer", "supervisor").filter(pk=pk).first()
            if case is None or (case.stale_flagged_at is not None and case.stale_flagged_at >= case.last_activity_at):
                continue
            if not Case.objects.filter(pk=pk, stale_flagged_at=case.stale_flagged_at).update(stale_flagged_at=now):
                continue
            text = (f"Case {case.reference} ({case.title}) has had no activity since "
                    f"{case.last_activity_at:%d %b %Y}: it is stale.")
            _notify(case.officer, kind="case_stale", safeguard="P2", text=text)
            _notify(case.supervisor, kind="case_stale", safeguard="P2", text=text)
            CaseEvent.objects.create(case=case, kind="stale", at=now, by=None, text="Flagged stale: no activity.")
            audit.record(SYSTEM, "case.stale", "case", case.reference, after={"since": case.last_activity_at})
            fired += 1
    return fired


# ------------------------------------------------------------------------------ P3 single point of contact
def _person(person_id: int) -> Person:
    found = Person.objects.filter(pk=person_id).first()
    if found is None:
        raise NotFound(f"No person has id {person_id}.")
    return found


def victim_cases(person: Person) -> Any:
    """The cases a person is a victim on."""
    return Case.objects.filter(parties__person=person, parties__role="victim").distinct()


def current_contact(person: Person) -> PointOfContact | None:
    """P3: the victim's point of contact now (the newest setting)."""
    return PointOfContact.objects.filter(person=person).select_related("contact").order_by("-id").first()


def set_point_of_contact(actor: Actor, person_id: int, *, user_id: int, reason: str) -> PointOfContact:
    """P3: name (or change) a victim's single point of contact across all their cases, saying why. Who may:
    the officer in charge or supervisor of one of the victim's open cases, or anyone who supervises cases."""
    actor.require("case.manage")
    reason = v.text(reason, "reason", max_length=v.MAX_TEXT)
    with unit_of_work():
        person = _person(person_id)
        Person.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()  # one change at a time
        cases = _may_act_for_victim(actor, person)
        contact = _staff(user_id, "user_id")
        current = current_contact(person)
        rules.check_point_of_contact(len(cases), holder(contact), current.contact_id if current else None, reason)
        spoc = PointOfContact.objects.create(person=person, contact=contact, reason=reason, at=clock.now(),
                                             by=actor.person)
        name = holder(contact).name
        for c in cases:
            _event(c, "contact_point", f"{name} is the point of contact for {person.name} (victim): {reason}",
                   actor.person)
        if contact.pk != actor.user_id:
            _notify(contact, kind="victim_contact_point", safeguard="P3",
                    text=f"You are the single point of contact for {person.name} (victim): {reason}")
        audit.record(actor, "case.contact_point_set", "person", str(person.pk), reason=reason,
                     before={"contact": current.contact.username if current else None},
                     after={"contact": contact.username, "cases": [c.reference for c in cases]})
    return spoc


def log_contact(actor: Actor, case_id: int, *, person_id: int, channel: str, summary: str,
                at: datetime | None = None) -> VictimContact:
    """P3: a contact with a victim on the case: channel, when (by default now; never in the future), who made
    it (the person recording it) and what was said."""
    rules.check_channel(channel)
    summary = v.text(summary, "summary", max_length=v.MAX_TEXT)
    when = v.aware(at, "at") or clock.now()
    if when > clock.now() + timedelta(minutes=5):
        raise Invalid("A contact is recorded once it has happened: its time is in the future.", "at")
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}.", "person_id")
        rules.check_contact(CaseParty.objects.filter(case=case, person=person, role="victim").exists(), person.name)
        contact = VictimContact.objects.create(case=case, person=person, channel=channel, at=when, by=actor.person,
                                               summary=summary, recorded_at=clock.now())
        _event(case, "victim_contact", f"Contact with {person.name} ({rules.CHANNELS[channel].lower()}, "
                                       f"{when:%d %b %Y %H:%M}): {summary}", actor.person)
        audit.record(actor, "case.victim_contacted", "case", case.reference,
                     after={"person": person.pk, "channel": channel, "at": when.isoformat(), "contact": contact.pk})
    return contact


def _may_act_for_victim(actor: Actor, person: Person) -> list[Case]:
    """P3, P4: the officer in charge or supervisor of one of the victim's open cases, or anyone who supervises
    cases, acts for the victim; returns the victim's open cases (bounded)."""
    actor.require("case.manage")
    cases = list(victim_cases(person).filter(state="open").select_related("officer", "supervisor")
                 .order_by("-last_activity_at")[:100])
    if not actor.may("case.supervise") and not any(actor.user_id in (c.officer_id, c.supervisor_id) for c in cases):
        raise Forbidden("Only the officer in charge or supervisor of one of the victim's open cases, or a "
                        "supervisor, acts for the victim.")
    return cases


# ------------------------------------------------------------------------------ P4 confirmed victim updates
def preferred_channels(person: Person | int) -> list[str]:
    """P4: the victim's preferred channels now (newest recording), in order."""
    pref = ChannelPreference.objects.filter(person=person).order_by("-id").first()
    return list(pref.channels) if pref is not None else []


def set_channels(actor: Actor, person_id: int, *, channels: list[str], note: str = "") -> ChannelPreference:
    """P4: record how a victim prefers to be told, in order (a change is a new recording)."""
    chosen = rules.check_channels(channels)
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    with unit_of_work():
        person = _person(person_id)
        cases = _may_act_for_victim(actor, person)
        if not cases and not victim_cases(person).exists():
            raise Refusal("Only a victim on a case has preferred channels recorded here.", safeguard="P4",
                          status=409, next_step="Add the person to a case as its victim first.")
        before = preferred_channels(person)
        pref = ChannelPreference.objects.create(person=person, channels=chosen, note=note, at=clock.now(),
                                                by=actor.person)
        audit.record(actor, "case.channels_set", "person", str(person.pk), before={"channels": before},
                     after={"channels": chosen}, reason=note)
    return pref


def send_update(actor: Actor, case_id: int, *, person_id: int, kind: str, channel: str, text: str,
                sent_at: datetime | None = None) -> VictimUpdate:
    """P4: an update to a victim on the case (bail change, no further action, protection ending, court
    result, other): the channel and when; its delivery is awaiting confirmation until recorded."""
    rules.check_update_kind(kind)
    rules.check_channel(channel)
    text = v.text(text, "text", max_length=v.MAX_TEXT)
    when = v.aware(sent_at, "sent_at") or clock.now()
    if when > clock.now() + timedelta(minutes=5):
        raise Invalid("An update is recorded once it is sent: its time is in the future.", "sent_at")
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}.", "person_id")
        rules.check_contact(CaseParty.objects.filter(case=case, person=person, role="victim").exists(), person.name)
        u = VictimUpdate.objects.create(case=case, person=person, kind=kind, channel=channel, text=text,
                                        sent_at=when, by=actor.person)
        told = 0
        if kind == "bail_change":  # P8: this update tells the victim of the bail changes not yet told
            told = BailNotice.objects.filter(case=case, person=person, update__isnull=True).update(update=u)
        _event(case, "victim_update", f"Update to {person.name} ({rules.UPDATE_KINDS[kind].lower()}, by "
                                      f"{rules.CHANNELS[channel].lower()}): {text}", actor.person)
        audit.record(actor, "case.victim_updated", "case", case.reference,
                     after={"update": u.pk, "person": person.pk, "kind": kind, "channel": channel,
                            "sent_at": when.isoformat(), "bail_changes_told": told})
    return u


def record_delivery(actor: Actor, case_id: int, *, update_id: int, outcome: str, failure: str = "",
                    note: str = "") -> VictimUpdate:
    """P4: record whether an update reached the victim. A failed channel (a returned letter, an unanswered
    call, a voicemail not acknowledged) tells the officer in charge (and the victim's point of contact) to try
    another channel, naming the victim's next preferred one."""
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        u = VictimUpdate.objects.select_for_update(of=("self",)).select_related("person").filter(
            pk=update_id, case=case).first()
        if u is None:
            raise NotFound(f"No update {update_id} on case {case.reference}.")
        rules.check_outcome(u.outcome, outcome, failure)
        now = clock.now()
        VictimUpdate.objects.filter(pk=u.pk).update(outcome=outcome, failure=failure, outcome_note=note,
                                                    outcome_at=now, outcome_by=actor.person)
        u.outcome, u.failure, u.outcome_note, u.outcome_at = outcome, failure, note, now
        name = u.person.name
        if outcome == "confirmed":
            _event(case, "update_confirmed", f"Update to {name} confirmed delivered.{f' {note}' if note else ''}",
                   actor.person)
        else:
            tried = VictimUpdate.objects.filter(case=case, person=u.person, kind=u.kind).values_list("channel",
                                                                                                    flat=True)
            nxt = rules.next_channel(preferred_channels(u.person), list(tried[:50]))
            advice = (f"try {rules.CHANNELS[nxt].lower()}, their next preferred channel" if nxt else
                      "try another channel (no other preferred channel is recorded)")
            text = (f"P4: update to {name} on case {case.reference} not delivered "
                    f"({rules.FAILURES[failure].lower()} by {rules.CHANNELS[u.channel].lower()}): {advice}.")
            spoc = current_contact(u.person)
            for who in {case.officer, *([spoc.contact] if spoc is not None else [])}:
                _notify(who, kind="victim_update_failed", safeguard="P4", text=text)
            _event(case, "update_failed", text.removeprefix("P4: "), actor.person)
        audit.record(actor, "case.update_delivery", "case", case.reference, before={"outcome": "pending"},
                     after={"update": u.pk, "outcome": outcome, "failure": failure}, reason=note)
    return u


def fire_unconfirmed_updates(now: datetime, limit: int = 500) -> int:
    """P4 (sweeper): an update whose delivery is not confirmed within `victim_update_confirm_hours` escalates
    once to the case's supervisor and officer in charge (claimed with a conditional update)."""
    cutoff = now - timedelta(hours=int(current_policy()["victim_update_confirm_hours"]))
    pending = VictimUpdate.objects.filter(outcome="pending", escalated_at__isnull=True, sent_at__lte=cutoff)
    fired = 0
    for pk in list(pending.order_by("sent_at").values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not VictimUpdate.objects.filter(pk=pk, outcome="pending", escalated_at__isnull=True).update(
                    escalated_at=now):
                continue
            u = VictimUpdate.objects.select_related("case", "case__officer", "case__supervisor", "person").get(pk=pk)
            text = (f"P4: update to {u.person.name} on case {u.case.reference} "
                    f"({rules.UPDATE_KINDS[u.kind].lower()}, sent {u.sent_at:%d %b %Y %H:%M} by "
                    f"{rules.CHANNELS[u.channel].lower()}) is not confirmed delivered.")
            _notify(u.case.supervisor, kind="victim_update_unconfirmed", safeguard="P4", text=text)
            _notify(u.case.officer, kind="victim_update_unconfirmed", safeguard="P4", text=text)
            CaseEvent.objects.create(case=u.case, kind="update_unconfirmed", at=now, by=None,
                                     text=text.removeprefix("P4: ") + " Escalated to the supervisor.")
            audit.record(SYSTEM, "case.update_unconfirmed", "case", u.case.reference,
                         after={"update": u.pk, "sent_at": u.sent_at.isoformat()})
            fired += 1
    return fired


# ------------------------------------------------------------------------------ P10 conflicts of interest
def declare_conflict(actor: Actor, case_id: int, *, nature: str, person_id: int | None = None) -> ConflictDeclaration:
    """P10: a member of staff declares a conflict of interest on a case, or on a person on it (then every case
    that person is on). Until a supervisor assesses it, their actions on those cases are refused."""
    actor.require("case.manage")
    nature = v.text(nature, "nature", max_length=v.MAX_TEXT)
    with unit_of_work():
        case = _case(case_id, lock=True)
        person = None
        if person_id is not None:
            person = Person.objects.filter(pk=person_id, case_parties__case=case).first()
            if person is None:
                raise Invalid(f"Person {person_id} is not on case {case.reference}.", "person_id")
        d = ConflictDeclaration.objects.create(case=case, person=person, user=actor.person, nature=nature,
                                               declared_at=clock.now())
        who = actor.person.get_full_name() or actor.username
        about = f" (concerning {person.name})" if person else ""
        _event(case, "conflict", f"{who} declared a conflict of interest{about}: awaiting a supervisor's "
                                 "assessment.", actor.person)
        if case.supervisor_id != actor.user_id:
            _notify(case.supervisor, kind="conflict_declared", safeguard="P10",
                    text=f"{who} declared a conflict of interest on case {case.reference}{about}: assess it.")
        audit.record(actor, "case.conflict_declared", "case", case.reference,
                     after={"declaration": d.pk, "person": person.pk if person else None})
    return d


def assess_conflict(actor: Actor, case_id: int, *, conflict_id: int, decision: str, rationale: str,
                    conditions: str = "") -> ConflictDeclaration:
    """P10: a supervisor (not the declarer) assesses a declaration once: allowed, allowed with conditions or
    not allowed, with the rationale. The declarer is told."""
    actor.require("case.supervise")
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT, required=False)
    conditions = v.text(conditions, "conditions", max_length=v.MAX_TEXT, required=False)
    with unit_of_work():
        case = _case(case_id, lock=True)
        d = ConflictDeclaration.objects.select_for_update(of=("self",)).select_related("user").filter(
            pk=conflict_id, case=case).first()
        if d is None:
            raise NotFound(f"No declaration {conflict_id} on case {case.reference}.")
        rules.check_assessment(actor.user_id, d.user_id, bool(d.decision), decision, conditions, rationale)
        _check_conflict(actor, case)
        now = clock.now()
        ConflictDeclaration.objects.filter(pk=d.pk).update(decision=decision, conditions=conditions,
                                                           rationale=rationale, assessed_at=now,
                                                           assessed_by=actor.person)
        d.decision, d.conditions, d.rationale, d.assessed_at = decision, conditions, rationale, now
        label = rules.DECISIONS[decision].lower()
        _event(case, "conflict_assessed", f"Conflict of interest of {d.user.get_full_name() or d.user.username} "
                                          f"assessed: {label}.{f' Conditions: {conditions}' if conditions else ''}",
               actor.person)
        _notify(d.user, kind="conflict_assessed", safeguard="P10",
                text=f"Your conflict of interest on case {case.reference} was assessed: {label}. {rationale}")
        audit.record(actor, "case.conflict_assessed", "case", case.reference, reason=rationale,
                     after={"declaration": d.pk, "decision": decision, "conditions": conditions})
    return d


# ------------------------------------------------------------------------------ P6 multi-agency actions
def _action_label(a: AgencyAction) -> str:
    owner = a.agency or (a.owner.get_full_name() or a.owner.username if a.owner else "")
    return f"{a.description[:80]} ({owner}, due {a.due_at:%d %b %Y})"


def record_referral(actor: Actor, case_id: int, *, kind: str, meeting_at: datetime,
                    note: str = "") -> AgencyReferral:
    """P6: a referral to, or meeting of, a multi-agency forum (MARAC, MAPPA, strategy meeting) on the case."""
    rules.check_referral_kind(kind)
    when = v.aware(v.sensible(meeting_at, "meeting_at"), "meeting_at")
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    if when is None:
        raise Invalid("Give the date of the referral or meeting.", "meeting_at")
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        r = AgencyReferral.objects.create(case=case, kind=kind, meeting_at=when, note=note, at=clock.now(),
                                          by=actor.person)
        _event(case, "referral", f"{rules.REFERRAL_KINDS[kind]} on {when:%d %b %Y}.{f' {note}' if note else ''}",
               actor.person)
        audit.record(actor, "case.referral_recorded", "case", case.reference,
                     after={"referral": r.pk, "kind": kind, "meeting_at": when.isoformat()})
    return r


def add_agency_action(actor: Actor, case_id: int, *, description: str, due_at: datetime,
                      owner_id: int | None = None, agency: str = "", referral_id: int | None = None) -> AgencyAction:
    """P6: an action agreed with partner agencies, with one owner (a member of staff or a partner agency by
    name) and a due date. While open, the case and its logs do not close."""
    description = v.text(description, "description", max_length=v.MAX_TEXT)
    agency = v.text(agency, "agency", max_length=200, required=False)
    due = v.aware(v.sensible(due_at, "due_at"), "due_at")
    if due is None:
        raise Invalid("Give the action's due date.", "due_at")
    rules.check_action_owner(owner_id is not None, agency)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        owner = _staff(owner_id, "owner_id") if owner_id is not None else None
        if owner is not None and not owner.is_active:
            raise Invalid(f"{owner.get_full_name() or owner.username} is not at work.", "owner_id")
        referral = None
        if referral_id is not None:
            referral = AgencyReferral.objects.filter(pk=referral_id, case=case).first()
            if referral is None:
                raise Invalid(f"No referral {referral_id} on case {case.reference}.", "referral_id")
        a = AgencyAction.objects.create(case=case, referral=referral, description=description, owner=owner,
                                        agency=agency, due_at=due, created_at=clock.now(), by=actor.person)
        _event(case, "agency_action", f"Multi-agency action: {_action_label(a)}.", actor.person)
        if owner is not None and owner.pk != actor.user_id:
            _notify(owner, kind="agency_action", safeguard="P6",
                    text=f"Case {case.reference}: a multi-agency action is yours: {_action_label(a)}.")
        audit.record(actor, "case.agency_action_added", "case", case.reference,
                     after={"action": a.pk, "owner": owner.username if owner else None, "agency": agency,
                            "due_at": due.isoformat()})
    return a


def complete_agency_action(actor: Actor, case_id: int, *, action_id: int, note: str) -> AgencyAction:
    """P6: record that a multi-agency action is done, and what was done (once)."""
    note = v.text(note, "note", max_length=v.MAX_TEXT)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        a = AgencyAction.objects.select_for_update(of=("self",)).select_related("owner").filter(
            pk=action_id, case=case).first()
        if a is None:
            raise NotFound(f"No multi-agency action {action_id} on case {case.reference}.")
        if a.completed_at is not None:
            raise Refusal("This action is already recorded as complete.", safeguard="P6", status=409)
        now = clock.now()
        AgencyAction.objects.filter(pk=a.pk).update(completed_at=now, completed_by=actor.person, completion_note=note)
        a.completed_at, a.completion_note = now, note
        _event(case, "agency_action_done", f"Multi-agency action complete: {a.description[:80]}: {note}",
               actor.person)
        audit.record(actor, "case.agency_action_completed", "case", case.reference, reason=note,
                     after={"action": a.pk})
    return a


class _Alert(NamedTuple):
    """What a sweeper's alert about one record of a case says, and to whom (see `_alert_each_once`)."""

    case: Any
    safeguard: str
    kind: str  # the notifications', the timeline event's and the audit record's kind
    text: str  # "P5: ..." (the timeline's text leaves the safeguard out)
    recipients: list[Any]
    after: dict[str, Any]


def _alert_each_once(model: Any, due: Any, order: str, claim: dict[str, Any], claimed: dict[str, Any],
                     related: tuple[str, ...], now: datetime, limit: int, describe: Callable[[Any], _Alert]) -> int:
    """A sweeper's alert (P4, P5, P6, P8): each record `due`, oldest first (`order`), is claimed with a
    conditional update (`claim`: still unclaimed -> set `claimed`), so it alerts once however many sweepers
    run; its recipients are told (each once), the case's timeline and the audit trail record it."""
    fired = 0
    for pk in list(due.order_by(order).values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not model.objects.filter(pk=pk, **claim).update(**claimed):
                continue
            alert = describe(model.objects.select_related("case", "case__officer", "case__supervisor",
                                                          *related).get(pk=pk))
            for who in dict.fromkeys(alert.recipients):
                _notify(who, kind=alert.kind, safeguard=alert.safeguard, text=alert.text)
            CaseEvent.objects.create(case=alert.case, kind=alert.kind, at=now, by=None,
                                     text=alert.text.removeprefix(f"{alert.safeguard}: "))
            audit.record(SYSTEM, f"case.{alert.kind}", "case", alert.case.reference, after=alert.after)
            fired += 1
    return fired


def fire_overdue_actions(now: datetime, limit: int = 500) -> int:
    """P6 (sweeper): an open multi-agency action past its due date alerts its owner (or, for a partner
    agency's action, the officer in charge) and the case's supervisor, once."""
    due = AgencyAction.objects.filter(completed_at__isnull=True, overdue_alerted_at__isnull=True, due_at__lte=now)

    def describe(a: AgencyAction) -> _Alert:
        return _Alert(a.case, "P6", "agency_action_overdue",
                      f"P6: multi-agency action on case {a.case.reference} overdue: {_action_label(a)}.",
                      [a.owner or a.case.officer, a.case.supervisor], {"action": a.pk})

    return _alert_each_once(AgencyAction, due, "due_at", {"completed_at__isnull": True,
                            "overdue_alerted_at__isnull": True}, {"overdue_alerted_at": now}, ("owner",), now,
                            limit, describe)


def log_close_blockers(log: Any, family: list[int]) -> list[Any]:
    """P6 (incidents close blocker): a log linked to a case with open multi-agency actions is not closed."""
    from watchkeeper.incidents.hooks import Blocker

    cases = CaseLog.objects.filter(log_id__in=family).values_list("case_id", flat=True)
    open_actions = AgencyAction.objects.filter(case_id__in=cases, completed_at__isnull=True).select_related(
        "case", "owner")
    total = open_actions.count()
    if not total:
        return []
    listed = list(open_actions.order_by("due_at")[:rules.LISTED])
    refs = sorted({a.case.reference for a in listed})
    return [Blocker(safeguard="P6",
                    message=f"This log is linked to case{'s' if len(refs) != 1 else ''} {', '.join(refs)} with "
                            f"{total} open multi-agency action{'s' if total != 1 else ''}.",
                    next_step="Record each action's completion on the case first.",
                    items=[{"case": a.case.reference, "action": _action_label(a)} for a in listed])]


def view_victim(actor: Actor, person_id: int) -> Person:
    """P3: reading a victim's page (their point of contact, cases and contacts) is audited."""
    actor.require("case.view")
    with unit_of_work():
        person = _person(person_id)
        audit.record(actor, "case.victim_viewed", "person", str(person.pk))
    return person


def view_case(actor: Actor, case_id: int) -> Case:
    """Reading a case is audited (who looked)."""
    actor.require("case.view")
    with unit_of_work():
        case = _case(case_id)
        audit.record(actor, "case.viewed", "case", case.reference)
    return case


# ------------------------------------------------------------------------------ staff moves (P1)
def guard_move(actor: Actor, user: User, new_team: Team | None, new_role: str) -> None:
    """P1 (staff.hooks move guard): refuse moving an officer in charge of open cases until each is handed over
    or queued to the supervisor; a supervisor who leaves supervising (or their team) hands supervision of
    their open cases to the team's supervisor after the move, or the move is refused naming what to do."""
    name = user.get_full_name() or user.username
    held = Case.objects.filter(officer=user, state="open")
    total = held.count()
    rules.check_officer_move(name, held.order_by("reference").values_list("reference", flat=True)[:rules.LISTED],
                             total)
    supervised = Case.objects.filter(supervisor=user, state="open")
    count = supervised.count()
    if not count:
        return
    leaves = not allowed(new_role, "case.supervise") or (new_team.pk if new_team else None) != user.team_id
    old_team = (Team.objects.select_related("supervisor").filter(pk=user.team_id).first()
                if user.team_id is not None else None)
    successor = old_team.supervisor if old_team is not None else None
    refs = list(supervised.order_by("reference").values_list("reference", flat=True)[:rules.LISTED])
    officers = set(supervised.values_list("officer_id", flat=True))
    plan = rules.plan_supervisor_move(holder(user, new_role), leaves,
                                      holder(successor) if successor is not None else None, refs, count, officers)
    if plan.to is None or successor is None:
        return
    reason = f"{name} moved ({new_role.replace('_', ' ')}{f', {new_team.name}' if new_team else ''})."
    for case in supervised.select_related("officer", "supervisor").select_for_update(of=("self",)):
        _handover(case, "supervisor", successor, reason,
                  f"Supervision passes to the team's supervisor when {name} moves.", actor.user)
    audit.record(actor, "case.supervision_handed_over", "user", user.username,
                 after={"to": successor.username, "cases": refs, "count": count})


def summary_of(h: Handover) -> dict[str, Any]:
    return {"id": h.pk, "kind": h.kind, "from": h.from_user.username, "to": h.to_user.username, "reason": h.reason,
            "summary": h.summary, "at": h.at.isoformat(), "acknowledged_at":
            h.acknowledged_at.isoformat() if h.acknowledged_at else None}


# ------------------------------------------------------------------------------ P5 disclosure decisions
def _history(suspect: Person, case: Case) -> list[rules.HistoryItem]:
    """What the force holds about a suspect that may be relevant history (newest first, each source bounded):
    markers (ended ones too), orders that restricted them (not this case's own bail), and earlier logs they
    were a suspect or subject on (not this case's logs)."""
    from watchkeeper.people.models import LogParty, Marker, Order

    items: list[rules.HistoryItem] = []
    marker_labels, order_labels = dict(Marker.KINDS), dict(Order.KINDS)
    for m in Marker.objects.filter(person=suspect).order_by("-created_at", "-id")[:50]:
        ended = f", ended {m.ended_at:%d %b %Y}" if m.ended_at else ""
        items.append(rules.HistoryItem("marker", (m.kind,), f"Marker: {marker_labels.get(m.kind, m.kind)} "
                                                           f"(source: {m.source[:120]}{ended})"))
    own = BailCondition.objects.filter(case=case, order__isnull=False).values_list("order_id", flat=True)
    for o in Order.objects.filter(restricted=suspect).exclude(pk__in=own).order_by("-starts_on", "-id")[:50]:
        items.append(rules.HistoryItem("order", (o.kind,), f"{order_labels.get(o.kind, o.kind)} from "
                                                           f"{o.starts_on:%d %b %Y}: {o.conditions[:160]}"))
    logs = CaseLog.objects.filter(case=case).values_list("log_id", flat=True)
    seen: set[int] = set()
    for lp in (LogParty.objects.filter(person=suspect, role__in=("suspect", "subject"), log__isnull=False)
               .exclude(log_id__in=logs).select_related("log").order_by("-at", "-id")[:100]):
        if lp.log is None or lp.log.pk in seen:
            continue
        seen.add(lp.log.pk)
        items.append(rules.HistoryItem("log", tuple(lp.log.flags or ()),
                                       f"Log {lp.log.reference} ({lp.log.created_at:%d %b %Y}, "
                                       f"{', '.join(lp.log.flags or ()) or 'no flags'}): {lp.log.summary[:120]}"))
    return items


def _pairs(case: Case) -> tuple[list[Person], list[Person]]:
    """The victims and suspects linked on a case: people in those roles on it, or on its logs (bounded)."""
    from watchkeeper.people.models import LogParty

    logs = list(CaseLog.objects.filter(case=case).values_list("log_id", flat=True)[:100])
    found: dict[str, dict[int, Person]] = {"victim": {}, "suspect": {}}
    for party in CaseParty.objects.filter(case=case, role__in=found).select_related("person").order_by("pk")[:200]:
        found[party.role][party.person_id] = party.person
    for lp in (LogParty.objects.filter(log_id__in=logs, role__in=list(found), person__isnull=False)
               .select_related("person").order_by("pk")[:200]):
        assert lp.person is not None
        found[lp.role].setdefault(lp.person.pk, lp.person)
    return list(found["victim"].values()), list(found["suspect"].values())


def consider_disclosure(case: Case, by: User | None) -> list[Disclosure]:
    """P5: for every victim and suspect linked on the case, a suspect with relevant history (policy
    `disclosure_markers`, `disclosure_flags`, any order) makes considering disclosure to that victim a task on
    the case, due in `disclosure_decision_days`; the officer in charge is told. Once per victim and suspect.
    Runs inside the calling action's unit of work (a person added, a log linked)."""
    victims, suspects = _pairs(case)
    if not victims or not suspects:
        return []
    policy = current_policy()
    existing = set(Disclosure.objects.filter(case=case).values_list("victim_id", "suspect_id"))
    created: list[Disclosure] = []
    now = clock.now()
    for suspect in suspects:
        todo = [v for v in victims if v.pk != suspect.pk and (v.pk, suspect.pk) not in existing]
        if not todo:
            continue
        found = rules.relevant_history(_history(suspect, case), policy["disclosure_markers"],
                                       policy["disclosure_flags"])
        if not found:
            continue
        history = [{"source": h.source, "codes": list(h.codes), "text": h.text} for h in found]
        for victim in todo:
            d = Disclosure.objects.create(case=case, victim=victim, suspect=suspect, history=history,
                                          created_at=now,
                                          due_at=now + timedelta(days=int(policy["disclosure_decision_days"])))
            created.append(d)
            text = (f"Consider disclosing {suspect.name}'s history to {victim.name}: {len(history)} relevant "
                    f"item{'s' if len(history) != 1 else ''} ({history[0]['text'][:120]}"
                    f"{'; ...' if len(history) > 1 else ''}). Decide by {d.due_at:%d %b %Y}.")
            _event(case, "disclosure_task", text, by)
            _notify(case.officer, kind="disclosure_task", safeguard="P5",
                    text=f"P5: case {case.reference}: {text}")
    return created


def _disclosure_label(d: Disclosure) -> str:
    return f"{d.suspect.name} → {d.victim.name} (due {d.due_at:%d %b %Y})"


def decide_disclosure(actor: Actor, case_id: int, *, disclosure_id: int, decision: str, rationale: str,
                      channel: str = "", delivered_at: datetime | None = None) -> Disclosure:
    """P5: record the decision on considering disclosure (once): disclose or not, by whom (the person
    recording it), why, and for a disclosure how it was delivered and when (also logged as a contact with the
    victim, P3)."""
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT, required=False)
    channel = v.text(channel, "channel", max_length=32, required=False)
    when = v.aware(delivered_at, "delivered_at")
    if when is not None and when > clock.now() + timedelta(minutes=5):
        raise Invalid("A disclosure is recorded once it is delivered: its time is in the future.", "delivered_at")
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        d = Disclosure.objects.select_for_update(of=("self",)).select_related("victim", "suspect").filter(
            pk=disclosure_id, case=case).first()
        if d is None:
            raise NotFound(f"No disclosure task {disclosure_id} on case {case.reference}.")
        rules.check_disclosure_decision(bool(d.decision), decision, rationale, channel, when is not None)
        now = clock.now()
        Disclosure.objects.filter(pk=d.pk).update(decision=decision, rationale=rationale, channel=channel,
                                                  delivered_at=when, decided_at=now, decided_by=actor.person)
        d.decision, d.rationale, d.channel, d.delivered_at, d.decided_at = decision, rationale, channel, when, now
        d.decided_by = actor.person
        who = actor.person.get_full_name() or actor.username
        if decision == "disclose":
            assert when is not None
            VictimContact.objects.create(case=case, person=d.victim, channel=channel, at=when, by=actor.person,
                                         summary=f"Disclosure of {d.suspect.name}'s relevant history: {rationale}",
                                         recorded_at=now)
            text = (f"Disclosure decision: {d.suspect.name}'s history disclosed to {d.victim.name} by {who} "
                    f"({rules.CHANNELS[channel].lower()}, {when:%d %b %Y %H:%M}). Why: {rationale}")
        else:
            text = f"Disclosure decision: {d.suspect.name}'s history not disclosed to {d.victim.name} ({who}). " \
                   f"Why: {rationale}"
        _event(case, "disclosure_decided", text, actor.person)
        audit.record(actor, "case.disclosure_decided", "case", case.reference, reason=rationale,
                     after={"disclosure": d.pk, "victim": d.victim_id, "suspect": d.suspect_id, "decision": decision,
                            "channel": channel, "delivered_at": when.isoformat() if when else None})
    return d


def fire_overdue_disclosures(now: datetime, limit: int = 500) -> int:
    """P5 (sweeper): a disclosure task undecided past its due time alerts the officer in charge and the case's
    supervisor, once (claimed with a conditional update)."""
    due = Disclosure.objects.filter(decision="", overdue_alerted_at__isnull=True, due_at__lte=now)

    def describe(d: Disclosure) -> _Alert:
        return _Alert(d.case, "P5", "disclosure_overdue",
                      f"P5: disclosure decision on case {d.case.reference} overdue: {_disclosure_label(d)}.",
                      [d.case.officer, d.case.supervisor], {"disclosure": d.pk})

    return _alert_each_once(Disclosure, due, "due_at", {"decision": "", "overdue_alerted_at__isnull": True},
                            {"overdue_alerted_at": now}, ("victim", "suspect"), now, limit, describe)


# ------------------------------------------------------------------------------ P8 bail
def _in_force(c: BailCondition, today: date) -> bool:
    """P8: not amended (no newer version), not ended, not past its end."""
    return rules.bail_state(c.amendments.exists(), c.decisions.filter(kind="ended").exists(), c.end_on,
                            today) == "in_force"


def _bail_text(c: BailCondition) -> str:
    return f"{c.text[:200]} (review {c.review_due_on:%d %b %Y}, ends {c.end_on:%d %b %Y})"


def _tell_victims(case: Case, c: BailCondition, change: str, now: datetime) -> list[BailNotice]:
    """P8, P4: each victim on the case is to be told of the change by an update (kind "bail change")."""
    hours = int(current_policy()["bail_victim_notice_hours"])
    victims = CaseParty.objects.filter(case=case, role="victim").select_related("person").order_by("pk")[:50]
    return [BailNotice.objects.create(case=case, condition=c, person=p.person, change=change, created_at=now,
                                      due_at=now + timedelta(hours=hours)) for p in victims]


def _impose(actor: Actor, case: Case, *, suspect_id: int, text: str, rationale: str, review_on: date, end_on: date,
            places: list[str], activities: list[str], protect_victims: bool, amends: BailCondition | None = None,
            reason: str = "") -> BailCondition:
    """P8: a condition (new or amending another) with its rationale, dates and the order that puts it on the
    orders register (M3) through the people app, protecting the case's victims and the places named."""
    from watchkeeper.people import actions as people

    suspect = Person.objects.filter(pk=suspect_id, case_parties__case=case, case_parties__role="suspect").first()
    if suspect is None:
        raise Invalid(f"Person {suspect_id} is not a suspect on case {case.reference}: add them as a suspect "
                      "first.", "suspect_id")
    victims = (list(CaseParty.objects.filter(case=case, role="victim").exclude(person=suspect)
                    .order_by("pk").values_list("person_id", flat=True)[:20]) if protect_victims else [])
    today = clock.local(clock.now()).date()
    rules.check_bail_condition(text=text, rationale=rationale, review_on=review_on, end_on=end_on, today=today,
                               max_review_days=int(current_policy()["bail_review_max_days"]),
                               protects=len(victims) + len(places) + len(activities))
    order = people.create_order(
        actor, kind="bail_conditions", restricted_id=suspect.pk, starts_on=today, ends_on=end_on,
        conditions=f"{text} (bail, case {case.reference}; review {review_on:%d/%m/%Y})",
        protected_person_ids=victims, protected_addresses=places, activities=activities)
    now = clock.now()
    c = BailCondition.objects.create(case=case, suspect=suspect, text=text, rationale=rationale, protected=victims,
                                     places=places, activities=activities, review_on=review_on, end_on=end_on,
                                     amends=amends, reason=reason, order=order, at=now, by=actor.person,
                                     review_due_on=review_on)
    notices = _tell_victims(case, c, "amended" if amends else "set", now)
    told = f" Victims to be told (P4): {', '.join(n.person.name for n in notices)}." if notices else ""
    if amends is None:
        _event(case, "bail", f"Bail condition for {suspect.name}: {_bail_text(c)}. Proportionality: {rationale} "
                             f"On the orders register (order {order.pk}).{told}", actor.person)
    else:
        _event(case, "bail_amended", f"Bail condition for {suspect.name} amended: {_bail_text(c)} (was: "
                                     f"{amends.text[:200]}). Why: {reason} Proportionality: {rationale} "
                                     f"On the orders register (order {order.pk}).{told}", actor.person)
    return c


def _bail_lists(places: list[str] | None, activities: list[str] | None) -> tuple[list[str], list[str]]:
    out_places = list(dict.fromkeys(v.text(p, "places", max_length=300) for p in (places or []) if str(p).strip()))
    out_acts = list(dict.fromkeys(v.text(a, "activities", max_length=300) for a in (activities or [])
                                  if str(a).strip()))
    if len(out_places) > rules.MAX_PLACES or len(out_acts) > rules.MAX_PLACES:
        raise Invalid(f"At most {rules.MAX_PLACES} places and {rules.MAX_PLACES} activities per condition.", "places")
    return out_places, out_acts


def _dates(review_on: date | None, end_on: date | None) -> tuple[date, date]:
    if not isinstance(review_on, date):
        raise Invalid("Give the date the condition is next reviewed.", "review_on")
    if not isinstance(end_on, date):
        raise Invalid("Give the date the condition ends.", "end_on")
    return v.sensible(review_on, "review_on"), v.sensible(end_on, "end_on")


def set_bail(actor: Actor, case_id: int, *, suspect_id: int, text: str, rationale: str, review_on: date,
             end_on: date, places: list[str] | None = None, activities: list[str] | None = None,
             protect_victims: bool = True) -> BailCondition:
    """P8: a bail condition on a suspect on the case, with its proportionality rationale, review and end dates;
    it goes on the orders register (M3: people's order, so a contact with the suspect and a protected person
    or place shows "possible breach"), and every victim on the case is to be told (P4). The order's record
    (order.created) is this action's audit record; the condition itself is kept forever on the case. Needs
    `order.manage` as well as being one who works the case."""
    actor.require("order.manage")
    text = v.text(text, "text", max_length=4000)
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT, required=False)
    review, end = _dates(review_on, end_on)
    places_, acts = _bail_lists(places, activities)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        return _impose(actor, case, suspect_id=suspect_id, text=text, rationale=rationale, review_on=review,
                       end_on=end, places=places_, activities=acts, protect_victims=protect_victims)


def _condition(case: Case, condition_id: int) -> BailCondition:
    c = (BailCondition.objects.select_for_update(of=("self",)).select_related("suspect")
         .filter(pk=condition_id, case=case).first())
    if c is None:
        raise NotFound(f"No bail condition {condition_id} on case {case.reference}.")
    return c


def amend_bail(actor: Actor, case_id: int, *, condition_id: int, text: str, rationale: str, reason: str,
               review_on: date, end_on: date, places: list[str] | None = None, activities: list[str] | None = None,
               protect_victims: bool = True) -> BailCondition:
    """P8: amend a condition in force: a new condition (its own rationale and dates, a new order on the
    register) that records the one it replaces and why; nothing is changed in place. Every victim on the case
    is to be told (P4)."""
    actor.require("order.manage")
    text = v.text(text, "text", max_length=4000)
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT, required=False)
    reason = v.text(reason, "reason", max_length=v.MAX_TEXT, required=False)
    review, end = _dates(review_on, end_on)
    places_, acts = _bail_lists(places, activities)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        old = _condition(case, condition_id)
        rules.check_bail_change(_in_force(old, clock.local(clock.now()).date()), reason, "amended")
        return _impose(actor, case, suspect_id=old.suspect_id, text=text, rationale=rationale, review_on=review,
                       end_on=end, places=places_, activities=acts, protect_victims=protect_victims, amends=old,
                       reason=reason)


def review_bail(actor: Actor, case_id: int, *, condition_id: int, note: str, next_review_on: date) -> BailDecision:
    """P8: a review of a condition in force: why it is still necessary and proportionate, and the next review
    (within `bail_review_max_days`, by its end). A condition that is no longer right is amended or ended."""
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    if not isinstance(next_review_on, date):
        raise Invalid("Give the date of the next review.", "next_review_on")
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        c = _condition(case, condition_id)
        today = clock.local(clock.now()).date()
        rules.check_bail_change(_in_force(c, today), note, "still necessary and proportionate")
        rules.check_bail_condition(text=c.text, rationale=note, review_on=next_review_on, end_on=c.end_on,
                                   today=today, max_review_days=int(current_policy()["bail_review_max_days"]),
                                   protects=1)
        d = BailDecision.objects.create(condition=c, kind="reviewed", note=note, next_review_on=next_review_on,
                                        at=clock.now(), by=actor.person)
        BailCondition.objects.filter(pk=c.pk).update(review_due_on=next_review_on, review_alerted_on=None)
        _event(case, "bail_reviewed", f"Bail condition for {c.suspect.name} reviewed: {note} Next review "
                                      f"{next_review_on:%d %b %Y}.", actor.person)
        audit.record(actor, "case.bail_reviewed", "case", case.reference, reason=note,
                     after={"condition": c.pk, "next_review_on": next_review_on.isoformat()})
    return d


def end_bail(actor: Actor, case_id: int, *, condition_id: int, reason: str) -> BailDecision:
    """P8: end a condition in force (bail cancelled, no further action, charged and remanded), saying why;
    every victim on the case is to be told (P4)."""
    reason = v.text(reason, "reason", max_length=v.MAX_TEXT, required=False)
    with unit_of_work():
        case = _case(case_id, lock=True)
        _may_work(actor, case)
        rules.check_open(facts(case))
        c = _condition(case, condition_id)
        rules.check_bail_change(_in_force(c, clock.local(clock.now()).date()), reason, "ended")
        now = clock.now()
        d = BailDecision.objects.create(condition=c, kind="ended", note=reason, at=now, by=actor.person)
        notices = _tell_victims(case, c, "ended", now)
        told = f" Victims to be told (P4): {', '.join(n.person.name for n in notices)}." if notices else ""
        _event(case, "bail_ended", f"Bail condition for {c.suspect.name} ended: {c.text[:200]}. Why: {reason}{told}",
               actor.person)
        audit.record(actor, "case.bail_ended", "case", case.reference, reason=reason,
                     after={"condition": c.pk, "order": c.order_id, "notices": [n.pk for n in notices]})
    return d


def fire_bail_reviews(now: datetime, limit: int = 500) -> int:
    """P8 (sweeper): a condition in force whose review date has passed alerts the officer in charge and the
    supervisor, once per review date (a review sets the next one)."""
    today = clock.local(now).date()
    due = BailCondition.objects.filter(review_due_on__lt=today, review_alerted_on__isnull=True, end_on__gte=today,
                                       amendments__isnull=True).exclude(decisions__kind="ended")

    def describe(c: BailCondition) -> _Alert:
        return _Alert(c.case, "P8", "bail_review_overdue",
                      f"P8: review of the bail condition for {c.suspect.name} on case {c.case.reference} overdue "
                      f"since {c.review_due_on:%d %b %Y}: {c.text[:120]}.",
                      [c.case.officer, c.case.supervisor], {"condition": c.pk})

    return _alert_each_once(BailCondition, due, "review_due_on", {"review_alerted_on__isnull": True},
                            {"review_alerted_on": today}, ("suspect",), now, limit, describe)


def fire_untold_bail_changes(now: datetime, limit: int = 500) -> int:
    """P8, P4 (sweeper): a victim not sent an update about a bail change within `bail_victim_notice_hours`
    alerts the officer in charge, the supervisor and the victim's point of contact, once."""
    due = BailNotice.objects.filter(update__isnull=True, alerted_at__isnull=True, due_at__lte=now)

    def describe(n: BailNotice) -> _Alert:
        spoc = current_contact(n.person)
        return _Alert(n.case, "P8", "bail_victim_untold",
                      f"P8: {n.person.name} has not been told of a bail change on case {n.case.reference} "
                      f"({rules.BAIL_CHANGES[n.change].lower()}: {n.condition.text[:120]}): send them an update "
                      "(P4).",
                      [n.case.officer, n.case.supervisor, *([spoc.contact] if spoc is not None else [])],
                      {"notice": n.pk})

    return _alert_each_once(BailNotice, due, "due_at", {"update__isnull": True, "alerted_at__isnull": True},
                            {"alerted_at": now}, ("person", "condition"), now, limit, describe)
