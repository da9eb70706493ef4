"""Follow-ups that stay open until done (P9, R7, P11): a callback to the agency that reported a missing
person, and a referral to the local force for a suspect who lives outside the force area, done only when
that force acknowledges it (who, when). Each falls due; the sweeper reminds the owner at the due time and
escalates to their team and the duty inspectors when it is still open later (policy
`risk_followup_minutes`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions import _notify, resolve
from watchkeeper.incidents.models import Log
from watchkeeper.people.models import Person, Residence
from watchkeeper.risk import rules
from watchkeeper.risk.models import FollowUp, MissingPerson
from watchkeeper.staff.models import User

MAX_PARTY = 200


def _owner(actor: Actor, owner_id: int | None) -> User:
    owner = actor.person if owner_id is None else User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise Invalid(f"No active member of staff with id {owner_id}", "owner_id")
    return owner


def _due(kind: str, due_at: datetime | None, now: datetime) -> datetime:
    due = v.aware(due_at, "due_at")
    if due is None:
        return now + timedelta(minutes=int(current_policy()["risk_followup_minutes"][kind]))
    if due <= now:
        raise Invalid("due_at must be in the future", "due_at")
    return due


def _out(f: FollowUp) -> dict[str, Any]:
    return {"kind": f.kind, "party": f.party, "contact": f.contact, "ask": f.ask, "owner": f.owner_id,
            "due_at": f.due_at, "missing": f.missing_id, "person": f.person_id,
            "log": f.log.reference if f.log else None}


def add_callback(actor: Actor, missing_id: int, *, agency: str, ask: str, contact: str = "",
                 due_at: datetime | None = None, owner_id: int | None = None) -> FollowUp:
    """P9: a callback to the agency that reported the person missing (a hospital, a care home) is a task
    with an owner and a due time that stays open until its outcome is recorded."""
    actor.require("risk.assess")
    agency = v.text(agency, "agency", max_length=MAX_PARTY)
    contact = v.text(contact, "contact", max_length=MAX_PARTY, required=False)
    ask = v.text(ask, "ask", max_length=v.MAX_TEXT)
    now = clock.now()
    due = _due("agency_callback", due_at, now)
    with unit_of_work():
        m = MissingPerson.objects.select_related("person", "log").filter(pk=missing_id).first()
        if m is None:
            raise NotFound(f"No missing-person record has id {missing_id}.")
        owner = _owner(actor, owner_id)
        f = FollowUp.objects.create(kind="agency_callback", missing=m, person=m.person, log=m.log, party=agency,
                                    contact=contact, ask=ask, created_at=now, created_by=actor.person,
                                    owner=owner, due_at=due)
        audit.record(actor, "risk.followup_added", "risk_followup", f.pk, after=_out(f))
        if owner.pk != actor.user_id:
            _notify(owner, kind="risk_followup", safeguard="P9", log=m.log,
                    text=f"Call {agency} back about {m.person.name} (missing) by {clock.local(due):%d/%m %H:%M}.")
    return f


def create_referral(actor: Actor, *, person: Person, log: Log | None, force: str, ask: str, owner: User,
                    now: datetime, due: datetime, contact: str = "") -> FollowUp:
    """R7, P11: the referral row itself (inside the caller's unit of work and audit record)."""
    return FollowUp.objects.create(kind="force_referral", person=person, log=log, party=force, ask=ask,
                                   contact=contact, created_at=now, created_by=actor.person, owner=owner,
                                   due_at=due)


def refer_to_force(actor: Actor, *, person_id: int, force: str, ask: str, reference: str = "", contact: str = "",
                   due_at: datetime | None = None, owner_id: int | None = None) -> FollowUp:
    """R7, P11: a suspect (or anyone at risk) living outside the force area is referred to the local force:
    a task that stays open until that force acknowledges it."""
    actor.require("risk.decide")
    force = v.text(force, "force", max_length=MAX_PARTY)
    contact = v.text(contact, "contact", max_length=MAX_PARTY, required=False)
    ask = v.text(ask, "ask", max_length=v.MAX_TEXT)
    reference = v.text(reference, "reference", max_length=32, required=False)
    now = clock.now()
    due = _due("force_referral", due_at, now)
    with unit_of_work():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}", "person_id")
        log = resolve(reference)[0] if reference else None
        owner = _owner(actor, owner_id)
        f = create_referral(actor, person=person, log=log, force=force, ask=ask, owner=owner, now=now, due=due,
                            contact=contact)
        audit.record(actor, "risk.followup_added", "risk_followup", f.pk, after=_out(f))
    return f


def complete_followup(actor: Actor, followup_id: int, *, outcome: str, acknowledged_by: str = "") -> FollowUp:
    """P9, P11: a follow-up is done with its outcome; a referral only once the other force acknowledged it
    (who acknowledged it there, and when it was recorded)."""
    actor.require("risk.assess")
    outcome = v.text(outcome, "outcome", max_length=v.MAX_TEXT)
    acknowledged_by = v.text(acknowledged_by, "acknowledged_by", max_length=MAX_PARTY, required=False)
    with unit_of_work():
        f = FollowUp.objects.select_for_update(of=("self",)).filter(pk=followup_id).first()
        if f is None:
            raise NotFound(f"No follow-up has id {followup_id}.")
        rules.check_followup_done(f.kind, f.state, outcome, acknowledged_by)
        before = {"state": f.state, "stage": f.stage}
        f.state, f.done_at, f.done_by, f.outcome = "done", clock.now(), actor.person, outcome
        f.acknowledged_by = acknowledged_by
        f.save(update_fields=["state", "done_at", "done_by", "outcome", "acknowledged_by"])
        audit.record(actor, "risk.followup_done", "risk_followup", f.pk, before=before, reason=outcome,
                     after={"state": "done", "outcome": outcome, "acknowledged_by": acknowledged_by})
    return f


def out_of_area_force(person: Person) -> str | None:
    """R7, P11: the person's current address lies outside the force's postcode areas (policy
    `force_postcode_areas`): the postcode it lies in, else None."""
    areas = current_policy()["force_postcode_areas"]
    for r in Residence.objects.filter(person=person, current=True).select_related("address").order_by("-id")[:5]:
        if rules.out_of_area(r.address.postcode or r.address.text.split(",")[-1], areas):
            return r.address.postcode or r.address.text
    return None


def fire_followups(now: datetime, limit: int = 500) -> int:
    """P9, P11: a follow-up still open at its due time reminds its owner (stage 1); still open
    `escalate_after` minutes later it escalates to the owner's team and the duty inspectors (stage 2).
    Each stage is claimed with a conditional update, so two sweepers never fire it twice."""
    fired = 0
    after = timedelta(minutes=int(current_policy()["risk_followup_minutes"]["escalate_after"]))
    for stage, cutoff in ((0, now), (1, now - after)):
        due = FollowUp.objects.filter(state="open", stage=stage, due_at__lte=cutoff)
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            with unit_of_work():
                if not FollowUp.objects.filter(pk=pk, state="open", stage=stage, due_at__lte=cutoff).update(
                        stage=stage + 1):
                    continue
                f = FollowUp.objects.select_related("owner", "log", "person").get(pk=pk)
                sg = "P9" if f.kind == "agency_callback" else "P11"
                who = f.person.name if f.person else ""
                what = (f"Callback to {f.party} about {who}" if f.kind == "agency_callback"
                        else f"Referral of {who} to {f.party} not yet acknowledged")
                if stage == 0:
                    _notify(f.owner, kind="risk_followup_due", safeguard=sg, log=f.log, text=f"Due now: {what}.")
                else:
                    text = f"Overdue: {what} (owner {f.owner.display})."
                    if f.owner.team_id:
                        _notify(None, kind="risk_followup_overdue", safeguard=sg, log=f.log, text=text,
                                team_id=f.owner.team_id)
                    for u in User.objects.filter(role="duty_inspector", is_active=True).order_by("id")[:20]:
                        _notify(u, kind="risk_followup_overdue", safeguard=sg, log=f.log, text=text)
                audit.record(SYSTEM, "risk.followup_reminded" if stage == 0 else "risk.followup_escalated",
                             "risk_followup", pk, after={"stage": stage + 1, "due": f.due_at})
                fired += 1
    return fired
