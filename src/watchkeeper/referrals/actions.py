"""Referral actions (P7, P11). One function per use case, each in one unit of work with exactly one audit
record; who may act on *this* referral is asked of referrals/rules.py inside the action, so the UI and the
API share it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.roles import allowed
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions import _notify, resolve
from watchkeeper.people.models import Person
from watchkeeper.referrals import rules
from watchkeeper.referrals.models import ImportBatch, IncomingReferral, IntelReferral, ReferralEvent
from watchkeeper.staff.models import User

MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 512 * 1024
MAX_ROW_ERRORS = 20
IMPORT_COLUMNS = ("subject_name", "summary", "dob", "address", "access_to_children", "risk_grade", "risk_score",
                  "source_reference", "checks")
# The case a referral opens, by its risk tier (cases' own risk levels).
CASE_RISK = {"children": "high", "high": "high", "medium": "medium", "unassessed": "standard", "low": "standard"}


def _name(u: User | None) -> str:
    return (u.get_full_name() or u.username) if u is not None else "system"


def _queue() -> dict[str, Any]:
    return dict(current_policy()["referral_queue"])


def _next_reference(model: Any, prefix: str) -> str:
    """Under the audit-chain lock (inside the unit of work), so two writers never take the same number."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"{prefix}-{clock.now():%y}-{last + 1:06d}"


def _event(r: IntelReferral, kind: str, text: str, by: User | None) -> None:
    ReferralEvent.objects.create(referral=r, kind=kind, text=text, at=clock.now(), by=by)


def _referral(referral_id: int, *, lock: bool = False) -> IntelReferral:
    qs = IntelReferral.objects.select_related("officer", "person", "case")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=referral_id).first()
    if found is None:
        raise NotFound(f"No referral has id {referral_id}.")
    return found


def _received(value: datetime | None, now: datetime) -> datetime:
    when = v.aware(v.sensible(value, "received_at"), "received_at") if value is not None else now
    assert when is not None
    if when > now + timedelta(minutes=5):
        raise Invalid("received_at cannot be in the future", "received_at")
    return when


def _checks(values: list[str] | None) -> list[str]:
    out = [c.strip().lower() for c in (values or []) if c and c.strip()]
    if len(out) > len(rules.CHECKS):
        raise Invalid(f"checks has at most {len(rules.CHECKS)} items", "checks")
    return sorted(set(out))


def _person(person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    p = Person.objects.filter(pk=person_id).first()
    if p is None:
        raise Invalid(f"No person has id {person_id}.", "person_id")
    return p


def _out(r: IntelReferral) -> dict[str, Any]:
    return {"reference": r.reference, "source": r.source, "operation": r.operation, "subject": r.subject_name,
            "access": r.access, "grade": r.grade, "score": r.score, "tier": r.tier,
            "target_at": r.target_at.isoformat(), "person": r.person_id}


def _new(actor: Actor, *, now: datetime, queue: dict[str, Any], source: str, operation: str, source_reference: str,
         subject_name: str, subject_dob: date | None, subject_address: str, person: Person | None, summary: str,
         received_at: datetime, access: str, grade: str, score: int | None, checks: list[str],
         batch: ImportBatch | None) -> IntelReferral:
    r = IntelReferral.objects.create(
        reference=_next_reference(IntelReferral, "RF"), batch=batch, source=source, operation=operation,
        source_reference=source_reference, subject_name=subject_name, subject_dob=subject_dob,
        subject_address=subject_address, person=person, summary=summary, received_at=received_at, created_at=now,
        created_by=actor.person, access=access, grade=grade, score=score, checks=checks,
        tier=rules.tier(access, grade), target_at=rules.target_at(received_at, access, grade, queue))
    _event(r, "received", f"Received from {source}{f' ({operation})' if operation else ''}: "
                          f"{rules.TIERS[r.tier].lower()} tier, to be worked by {clock.local(r.target_at):%d %b %Y}.",
           actor.person)
    return r


# ------------------------------------------------------------------------------------------ P7 receiving
def create_referral(actor: Actor, *, source: str, subject_name: str, summary: str, operation: str = "",
                    source_reference: str = "", subject_dob: date | None = None, subject_address: str = "",
                    person_id: int | None = None, received_at: datetime | None = None,
                    access_to_children: str = "unknown",
                    risk_grade: str = "unassessed", risk_score: int | None = None,
                    checks: list[str] | None = None) -> IntelReferral:
    """P7: one intelligence referral, queued by its risk (policy `referral_queue`) with a target age by tier."""
    actor.require("case.manage")
    source = v.text(source, "source", max_length=200)
    operation = v.text(operation, "operation", max_length=200, required=False)
    source_reference = v.text(source_reference, "source_reference", max_length=100, required=False)
    subject_name = v.text(subject_name, "subject_name", max_length=200)
    subject_address = v.text(subject_address, "subject_address", max_length=300, required=False)
    summary = v.text(summary, "summary", max_length=v.MAX_TEXT)
    if subject_dob is not None:
        v.past_date(v.sensible(subject_dob, "subject_dob"), "subject_dob", clock.now().date())
    checked = _checks(checks)
    queue = _queue()
    rules.check_risk(access_to_children, risk_grade, risk_score, checked, queue)
    now = clock.now()
    when = _received(received_at, now)
    with unit_of_work():
        person = _person(person_id)
        r = _new(actor, now=now, queue=queue, source=source, operation=operation, source_reference=source_reference,
                 subject_name=subject_name, subject_dob=subject_dob, subject_address=subject_address, person=person,
                 summary=summary, received_at=when, access=access_to_children, grade=risk_grade, score=risk_score,
                 checks=checked, batch=None)
        audit.record(actor, "referral.received", "referral", r.reference, after=_out(r))
    return r


def _parse_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("The list is empty: paste or upload a CSV with a header row.", "text")
    if len(text.encode()) > MAX_IMPORT_BYTES:
        raise Invalid(f"The list is larger than {MAX_IMPORT_BYTES // 1024} KB; import it in parts.", "text")
    problem = v.text_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    if problem:
        raise Invalid(f"The list {problem}", "text")
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise Invalid(f"The list is not readable CSV: {exc}", "text") from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    missing = [c for c in IMPORT_COLUMNS[:2] if c not in header]
    if missing:
        raise Invalid(f"The header row must name at least the columns subject_name and summary "
                      f"({', '.join(missing)} missing); the others are {', '.join(IMPORT_COLUMNS[2:])}.", "text")
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        raise Invalid(f"Unknown columns: {', '.join(unknown[:10])}; the columns are {', '.join(IMPORT_COLUMNS)}.",
                      "text")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise Invalid("The list has a header and no rows.", "text")
    if len(body) > MAX_IMPORT_ROWS:
        raise Invalid(f"The list has {len(body)} rows; at most {MAX_IMPORT_ROWS} are imported at once.", "text")
    return header, body


def import_referrals(actor: Actor, *, source: str, text: str, operation: str = "",
                     received_at: datetime | None = None) -> ImportBatch:
    """P7: a list of referrals (CSV; header subject_name, summary and optionally dob, address, access_to_children,
    risk_grade, risk_score, source_reference, checks separated by ';'). Every row is checked first; any problem
    refuses the whole list with each row's problem named by its row number, and nothing is written."""
    actor.require("case.manage")
    source = v.text(source, "source", max_length=200)
    operation = v.text(operation, "operation", max_length=200, required=False)
    header, body = _parse_rows(text)
    index = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    queue = _queue()
    now = clock.now()
    when = _received(received_at, now)
    parsed: list[dict[str, Any]] = []
    problems: list[tuple[int, str]] = []
    for n, row in body:
        if len(row) != len(header):
            problems.append((n, f"{len(row)} fields where the header has {len(header)}"))
        else:
            def col(name: str, r: list[str] = row) -> str:
                return r[index[name]].strip() if name in index else ""
            try:
                item = _import_row(col, queue, now)
            except Invalid as exc:
                problems.append((n, exc.message))
            except Refusal as exc:
                problems.append((n, f"{exc.message} ({exc.safeguard})" if exc.safeguard else exc.message))
            else:
                parsed.append(item)
        if len(problems) >= MAX_ROW_ERRORS:
            break
    if problems:
        shown = "; ".join(f"row {n}: {p}" for n, p in problems)
        refused = Invalid(f"Nothing was imported. {shown}.", "text")
        refused.details["rows"] = [{"row": n, "problem": p} for n, p in problems]
        raise refused
    with unit_of_work():
        batch = ImportBatch.objects.create(source=source, operation=operation, rows=len(parsed), at=now,
                                           by=actor.person)
        made = [_new(actor, now=now, queue=queue, source=source, operation=operation, person=None, received_at=when,
                     batch=batch, **item) for item in parsed]
        audit.record(actor, "referral.imported", "referral_batch", batch.pk,
                     after={"source": source, "operation": operation, "rows": len(made),
                            "references": [m.reference for m in made[:50]]})
    return batch


def _import_row(col: Any, queue: dict[str, Any], now: datetime) -> dict[str, Any]:
    name = v.text(col("subject_name"), "subject_name", max_length=200)
    summary = v.text(col("summary"), "summary", max_length=v.MAX_TEXT)
    dob = None
    if col("dob"):
        try:
            dob = date.fromisoformat(col("dob"))
        except ValueError:
            raise Invalid(f"dob {col('dob')!r} is not a date (YYYY-MM-DD)", "dob") from None
        v.past_date(v.sensible(dob, "dob"), "dob", now.date())
    access = (col("access_to_children") or "unknown").lower()
    grade = (col("risk_grade") or "unassessed").lower()
    score = None
    if col("risk_score"):
        try:
            score = int(col("risk_score"))
        except ValueError:
            raise Invalid(f"risk_score {col('risk_score')!r} is not a whole number", "risk_score") from None
    checks = _checks([c for c in col("checks").split(";")])
    rules.check_risk(access, grade, score, checks, queue)
    return {"subject_name": name, "summary": summary, "subject_dob": dob,
            "subject_address": v.text(col("address"), "address", max_length=300, required=False),
            "source_reference": v.text(col("source_reference"), "source_reference", max_length=100, required=False),
            "access": access, "grade": grade, "score": score, "checks": checks}


# ------------------------------------------------------------------------------------------ P7 working
def allocate(actor: Actor, referral_id: int, *, officer_id: int, note: str = "") -> IntelReferral:
    """P7: a supervisor allocates a referral to an officer who takes charge of it (or re-allocates it); the
    officer is told."""
    actor.require("case.manage")
    rules.check_may_allocate(actor.may("case.supervise"))
    note = v.text(note, "note", max_length=2000, required=False)
    with unit_of_work():
        r = _referral(referral_id, lock=True)
        rules.check_not_worked(r.state, r.reference)
        officer = User.objects.filter(pk=officer_id).first()
        if officer is None or not officer.is_active or not allowed(officer.role, "case.hold"):
            raise Invalid(f"No active officer who holds cases has id {officer_id}.", "officer_id")
        before = {"officer": r.officer.username if r.officer else None, "state": r.state}
        now = clock.now()
        IntelReferral.objects.filter(pk=r.pk).update(officer=officer, allocated_at=now, state="allocated")
        r.officer, r.allocated_at, r.state = officer, now, "allocated"
        _event(r, "allocated", f"Allocated to {_name(officer)} by {_name(actor.person)}."
                               f"{f' {note}' if note else ''}", actor.person)
        if officer.pk != actor.user_id:
            _notify(officer, kind="referral_allocated", safeguard="P7",
                    text=f"Referral {r.reference} ({r.subject_name}, {rules.TIERS[r.tier].lower()}) is yours to "
                         f"work by {clock.local(r.target_at):%d %b %Y}.")
        audit.record(actor, "referral.allocated", "referral", r.reference, before=before,
                     after={"officer": officer.username, "state": "allocated"}, reason=note)
    return r


def assess(actor: Actor, referral_id: int, *, access_to_children: str, risk_grade: str, risk_score: int | None = None,
           checks: list[str] | None = None, note: str = "") -> IntelReferral:
    """P7: the risk as checks show it now (a DBS check, say): access to children, grade and score. The referral
    moves in the queue and its target age follows its new tier."""
    actor.require("case.manage")
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    checked = _checks(checks)
    queue = _queue()
    rules.check_risk(access_to_children, risk_grade, risk_score, checked, queue)
    with unit_of_work():
        r = _referral(referral_id, lock=True)
        rules.check_may_work(actor.user_id, r.officer_id, actor.may("case.supervise"), r.reference)
        rules.check_not_worked(r.state, r.reference)
        before = {"access": r.access, "grade": r.grade, "score": r.score, "tier": r.tier}
        target = rules.target_at(r.received_at, access_to_children, risk_grade, queue)
        stage = r.stage if target <= clock.now() and target <= r.target_at else 0
        IntelReferral.objects.filter(pk=r.pk).update(
            access=access_to_children, grade=risk_grade, score=risk_score, checks=checked,
            tier=rules.tier(access_to_children, risk_grade), target_at=target, stage=stage)
        r.refresh_from_db()
        scored = f", score {r.score}" if r.score is not None else ""
        shown = " (checks: " + ", ".join(rules.CHECKS[c] for c in checked) + ")" if checked else ""
        _event(r, "assessed", f"Risk: access to children {rules.ACCESS[r.access].lower()}, "
                              f"{rules.GRADES[r.grade].lower()} grade{scored}{shown}; now "
                              f"{rules.TIERS[r.tier].lower()} tier, due {clock.local(r.target_at):%d %b %Y}."
                              f"{' ' + note if note else ''}", actor.person)
        audit.record(actor, "referral.assessed", "referral", r.reference, before=before, reason=note,
                     after={"access": r.access, "grade": r.grade, "score": r.score, "tier": r.tier,
                            "checks": checked, "target_at": r.target_at.isoformat()})
    return r


def record_outcome(actor: Actor, referral_id: int, *, outcome: str, note: str = "") -> IntelReferral:
    """P7: the referral is worked: its outcome (visited, arrested, searched, passed on, no action with the
    reason, ...), by the allocated officer or a supervisor."""
    actor.require("case.manage")
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    rules.check_outcome(outcome, note)
    with unit_of_work():
        r = _referral(referral_id, lock=True)
        rules.check_may_work(actor.user_id, r.officer_id, actor.may("case.supervise"), r.reference)
        rules.check_not_worked(r.state, r.reference)
        now = clock.now()
        IntelReferral.objects.filter(pk=r.pk).update(state="worked", outcome=outcome, outcome_note=note,
                                                     worked_at=now, worked_by=actor.person)
        before = {"state": r.state}
        r.state, r.outcome, r.outcome_note, r.worked_at, r.worked_by = "worked", outcome, note, now, actor.person
        _event(r, "worked", f"Worked: {rules.OUTCOMES[outcome].lower()}.{f' {note}' if note else ''}", actor.person)
        audit.record(actor, "referral.worked", "referral", r.reference, before=before, reason=note,
                     after={"state": "worked", "outcome": outcome})
    return r


def open_case(actor: Actor, referral_id: int, *, kind: str = "public_protection", title: str = "") -> Any:
    """P7: a referral opens a case (cases' own action, with its one audit record naming the referral in the
    case's title); the allocated officer is its officer in charge."""
    from watchkeeper.cases.actions import open_case as open_a_case

    actor.require("case.manage")
    title = v.text(title, "title", max_length=160, required=False)
    with unit_of_work():
        r = _referral(referral_id, lock=True)
        rules.check_may_work(actor.user_id, r.officer_id, actor.may("case.supervise"), r.reference)
        rules.check_not_worked(r.state, r.reference)
        if r.case_id is not None:
            raise Refusal(f"Referral {r.reference} already opened case {r.case}.", safeguard="P7", status=409)
        case = open_a_case(actor, kind=kind, title=f"Referral {r.reference}: {title or r.subject_name}"[:200],
                           summary=f"From {r.source}{f' ({r.operation})' if r.operation else ''}: {r.summary}",
                           officer_id=r.officer_id, risk=CASE_RISK.get(r.tier, "standard"))
        IntelReferral.objects.filter(pk=r.pk).update(case=case)
        r.case = case
        _event(r, "case", f"Case {case.reference} opened.", actor.person)
    return case


def view_referral(actor: Actor, referral_id: int) -> IntelReferral:
    """Reading a referral (who it is about and what the intelligence says) is audited."""
    actor.require("case.view")
    with unit_of_work():
        r = _referral(referral_id)
        audit.record(actor, "referral.viewed", "referral", r.reference)
    return r


# ------------------------------------------------------------------------------------------ P7 timers
def _tell_overdue(r: IntelReferral, stage: int) -> None:
    who = f"allocated to {_name(r.officer)}" if r.officer else "not allocated"
    text = (f"Referral {r.reference} ({r.subject_name}, {rules.TIERS[r.tier].lower()} tier) is past its target "
            f"age ({clock.local(r.target_at):%d %b %Y}): {who}.")
    team_id = (r.officer.team_id if r.officer else None) or r.created_by.team_id
    if stage == 0:
        if r.officer is not None:
            _notify(r.officer, kind="referral_overdue", safeguard="P7", text=f"P7: {text}")
        elif team_id:
            _notify(None, kind="referral_overdue", safeguard="P7", text=f"P7: {text} Allocate it.", team_id=team_id)
        return
    if team_id:
        _notify(None, kind="referral_escalated", safeguard="P7", text=f"P7 escalated: {text}", team_id=team_id)
    for u in User.objects.filter(role="duty_inspector", is_active=True).order_by("id")[:20]:
        _notify(u, kind="referral_escalated", safeguard="P7", text=f"P7 escalated: {text}")


def fire_referral_targets(now: datetime, limit: int = 500) -> int:
    """P7 (sweeper): a referral not worked by its target age reminds its officer (or, unallocated, the team of
    whoever received it); still not worked `referral_queue.escalate_after_days` later it escalates to the team
    and the duty inspectors. Each stage is claimed with a conditional update, so it fires once."""
    fired = 0
    after = timedelta(days=int(_queue()["escalate_after_days"]))
    for stage, cutoff in ((0, now), (1, now - after)):
        due = IntelReferral.objects.filter(state__in=("queued", "allocated"), stage=stage, target_at__lte=cutoff)
        for pk in list(due.order_by("target_at").values_list("pk", flat=True)[:limit]):
            with unit_of_work():
                if not IntelReferral.objects.filter(pk=pk, state__in=("queued", "allocated"), stage=stage,
                                                    target_at__lte=cutoff).update(stage=stage + 1):
                    continue
                r = IntelReferral.objects.select_related("officer", "created_by").get(pk=pk)
                _tell_overdue(r, stage)
                _event(r, "overdue" if stage == 0 else "escalated",
                       "Past its target age: reminded." if stage == 0 else
                       "Still not worked: escalated to the team and the duty inspectors.", None)
                audit.record(SYSTEM, "referral.reminded" if stage == 0 else "referral.escalated", "referral",
                             r.reference, after={"stage": stage + 1, "target_at": r.target_at.isoformat()})
                fired += 1
    return fired


# ------------------------------------------------------------------------------------------ P11 incoming
def _incoming(incoming_id: int, *, lock: bool = False) -> IncomingReferral:
    qs = IncomingReferral.objects.select_related("person", "owner", "log")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=incoming_id).first()
    if found is None:
        raise NotFound(f"No referral from another force has id {incoming_id}.")
    return found


def receive_from_force(actor: Actor, *, sending_force: str, sender: str, person_id: int, ask: str,
                       subject_role: str = "other", received_via: str = "email", sender_contact: str = "",
                       their_reference: str = "", address_given: str = "", reference: str = "",
                       received_at: datetime | None = None, owner_id: int | None = None,
                       ack_due_at: datetime | None = None) -> IncomingReferral:
    """P11: a referral received from another force about a person living here: the sending force, who sent it,
    what is asked and the address it gives; tracked until acknowledged here (reminders, then escalation, by
    policy `incoming_referral_minutes`)."""
    actor.require("risk.decide")
    sending_force = v.text(sending_force, "sending_force", max_length=200)
    sender = v.text(sender, "sender", max_length=200)
    sender_contact = v.text(sender_contact, "sender_contact", max_length=200, required=False)
    their_reference = v.text(their_reference, "their_reference", max_length=100, required=False)
    address_given = v.text(address_given, "address_given", max_length=300, required=False)
    ask = v.text(ask, "ask", max_length=v.MAX_TEXT)
    reference = v.text(reference, "reference", max_length=32, required=False)
    v.choice(subject_role, "subject_role", list(rules.SUBJECT_ROLES))
    v.choice(received_via, "received_via", list(rules.RECEIVED_VIA))
    now = clock.now()
    when = _received(received_at, now)
    due = v.aware(v.sensible(ack_due_at, "ack_due_at"), "ack_due_at") if ack_due_at is not None else None
    if due is None:
        due = when + timedelta(minutes=int(current_policy()["incoming_referral_minutes"]["acknowledge"]))
    elif due <= now:
        raise Invalid("ack_due_at must be in the future", "ack_due_at")
    with unit_of_work():
        person = _person(person_id)
        assert person is not None
        log = resolve(reference)[0] if reference else None
        owner = actor.person if owner_id is None else User.objects.filter(pk=owner_id, is_active=True).first()
        if owner is None or not allowed(owner.role, "risk.decide"):
            raise Invalid(f"No active member of staff who can act on it has id {owner_id}.", "owner_id")
        x = IncomingReferral.objects.create(
            reference=_next_reference(IncomingReferral, "XF"), sending_force=sending_force, sender=sender,
            sender_contact=sender_contact, their_reference=their_reference, received_via=received_via,
            received_at=when, person=person, subject_role=subject_role, address_given=address_given, ask=ask,
            log=log, created_at=now, created_by=actor.person, owner=owner, ack_due_at=due)
        if owner.pk != actor.user_id:
            _notify(owner, kind="incoming_referral", safeguard="P11", log=log,
                    text=f"P11: referral {x.reference} from {sending_force} about {person.name} is yours: "
                         f"acknowledge it by {clock.local(due):%d/%m %H:%M}.")
        audit.record(actor, "force_referral.received", "incoming_referral", x.reference,
                     after={"sending_force": sending_force, "sender": sender, "person": person.pk,
                            "owner": owner.username, "ack_due_at": due.isoformat(),
                            "log": log.reference if log else None, "address_given": address_given})
    return x


def acknowledge_from_force(actor: Actor, incoming_id: int, *, note: str = "") -> IncomingReferral:
    """P11: the referral is acknowledged here: who and when (and what the sending force was told)."""
    actor.require("risk.decide")
    note = v.text(note, "note", max_length=2000, required=False)
    with unit_of_work():
        x = _incoming(incoming_id, lock=True)
        rules.check_acknowledge(x.state, x.reference)
        now = clock.now()
        IncomingReferral.objects.filter(pk=x.pk).update(state="acknowledged", acknowledged_at=now,
                                                        acknowledged_by=actor.person, ack_note=note)
        x.state, x.acknowledged_at, x.acknowledged_by, x.ack_note = "acknowledged", now, actor.person, note
        audit.record(actor, "force_referral.acknowledged", "incoming_referral", x.reference,
                     before={"state": "received"}, after={"state": "acknowledged"}, reason=note)
    return x


def action_from_force(actor: Actor, incoming_id: int, *, note: str, address_attended: str = "",
                      address_reason: str = "", reference: str = "") -> IncomingReferral:
    """P11: the referral is actioned (what was done, and at which address: the one it gives, or why not)."""
    actor.require("risk.decide")
    note = v.text(note, "note", max_length=v.MAX_TEXT)
    address_attended = v.text(address_attended, "address_attended", max_length=300, required=False)
    address_reason = v.text(address_reason, "address_reason", max_length=2000, required=False)
    reference = v.text(reference, "reference", max_length=32, required=False)
    with unit_of_work():
        x = _incoming(incoming_id, lock=True)
        log = resolve(reference)[0] if reference else x.log
        attended = address_attended or (log.location if log is not None and reference else "")
        rules.check_actioned(x.state, x.reference, x.address_given, attended, address_reason)
        now = clock.now()
        IncomingReferral.objects.filter(pk=x.pk).update(state="actioned", actioned_at=now, actioned_by=actor.person,
                                                        action_note=note, address_attended=attended,
                                                        address_reason=address_reason, log=log)
        x.state, x.actioned_at, x.action_note, x.address_attended = "actioned", now, note, attended
        audit.record(actor, "force_referral.actioned", "incoming_referral", x.reference,
                     before={"state": "acknowledged"}, reason=note,
                     after={"state": "actioned", "address_attended": attended, "address_reason": address_reason,
                            "log": log.reference if log else None})
    return x


def fire_incoming_acks(now: datetime, limit: int = 500) -> int:
    """P11 (sweeper): a referral from another force not acknowledged by its due time reminds its owner (stage
    1); still not acknowledged `incoming_referral_minutes.escalate_after` later it escalates to the owner's
    team and the duty inspectors (stage 2). Claimed with a conditional update, so each fires once."""
    fired = 0
    after = timedelta(minutes=int(current_policy()["incoming_referral_minutes"]["escalate_after"]))
    for stage, cutoff in ((0, now), (1, now - after)):
        due = IncomingReferral.objects.filter(state="received", stage=stage, ack_due_at__lte=cutoff)
        for pk in list(due.order_by("ack_due_at").values_list("pk", flat=True)[:limit]):
            with unit_of_work():
                if not IncomingReferral.objects.filter(pk=pk, state="received", stage=stage,
                                                       ack_due_at__lte=cutoff).update(stage=stage + 1):
                    continue
                x = IncomingReferral.objects.select_related("owner", "person", "log").get(pk=pk)
                what = (f"referral {x.reference} from {x.sending_force} about {x.person.name} is not acknowledged "
                        f"(due {clock.local(x.ack_due_at):%d/%m %H:%M})")
                if stage == 0:
                    _notify(x.owner, kind="incoming_referral_due", safeguard="P11", log=x.log,
                            text=f"P11: {what}: acknowledge it to {x.sender}.")
                else:
                    text = f"P11 escalated: {what}; owner {_name(x.owner)}."
                    if x.owner.team_id:
                        _notify(None, kind="incoming_referral_overdue", safeguard="P11", log=x.log, text=text,
                                team_id=x.owner.team_id)
                    for u in User.objects.filter(role="duty_inspector", is_active=True).order_by("id")[:20]:
                        _notify(u, kind="incoming_referral_overdue", safeguard="P11", log=x.log, text=text)
                audit.record(SYSTEM, "force_referral.reminded" if stage == 0 else "force_referral.escalated",
                             "incoming_referral", x.reference, after={"stage": stage + 1})
                fired += 1
    return fired
