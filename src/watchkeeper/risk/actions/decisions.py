"""R6: the rationale of every risk decision, with the facts the system showed when it was made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions import resolve
from watchkeeper.incidents.models import Log
from watchkeeper.people.models import LogParty, Person
from watchkeeper.risk import rules
from watchkeeper.risk.actions.common import answers_in_force, definition, log_facts
from watchkeeper.risk.actions.followups import create_referral, out_of_area_force
from watchkeeper.risk.models import Assessment, Decision, Instrument


def facts(log: Log | None, person: Person | None) -> dict[str, Any]:
    """What the system shows about the log and the person now: the basis the decision is recorded with."""
    out: dict[str, Any] = {}
    if log is not None:
        out["log"] = {"reference": log.reference, "status": log.status, "grade": log.grade,
                      "category": log.category, "flags": list(log.flags or []), "summary": log.summary}
    people = [person] if person is not None else []
    if log is not None and person is None:
        people = list(Person.objects.filter(log_parties__log=log).distinct()[:20])
    out["assessments"] = [
        {"id": a.pk, "person": a.person_id, "instrument": a.instrument.code, "version": a.instrument.version,
         "state": a.state, "level": a.level, "guidance": a.guidance_level,
         "at": a.submitted_at.isoformat() if a.submitted_at else None}
        for a in Assessment.objects.filter(person__in=people).exclude(state="draft")
        .select_related("instrument").order_by("-submitted_at")[:20]]
    return out


def suicide_risk_needs(log: Log | None, person: Person | None) -> list[rules.SuicideRiskNeed]:
    """R7: for a suspect on the log, each loaded instrument for suspects that the log calls for (its words,
    flags or category), and whether the suspect has a submitted assessment with it."""
    if log is None or person is None:
        return []
    if not LogParty.objects.filter(log=log, person=person, role="suspect").exists():
        return []
    facts_now = log_facts(log)
    needs = []
    for inst in newest_by_code():
        spec = definition(inst)
        if "suspect" not in spec.subject_roles or spec.prompted_by.empty():
            continue
        why = rules.when_holds(spec.prompted_by, indicated=set(), facts=facts_now)
        if why:
            done = (Assessment.objects.filter(person=person, instrument__code=spec.code, subject_role="suspect")
                    .exclude(state="draft").order_by("-submitted_at", "-id").first())
            needs.append(rules.SuicideRiskNeed(spec.code, spec.title, tuple(why), done is not None,
                                               done is not None and _has_plan(done, person)))
    return needs


def _has_plan(assessment: Assessment, person: Person) -> bool:
    """R7: the contact plan around the action: the assessment's contact-plan answer, or a plan decision."""
    plan = answers_in_force(assessment.pk).get("contact_plan")
    if plan is not None and plan.value.strip():
        return True
    return Decision.objects.filter(person=person, kind="plan").exists()


def newest_by_code() -> list[Instrument]:
    newest: dict[str, Instrument] = {}
    for inst in Instrument.objects.order_by("code", "-loaded_at", "-id")[:500]:
        newest.setdefault(inst.code, inst)
    return list(newest.values())


def record_decision(actor: Actor, *, kind: str, decision: str, rationale: str, reference: str = "",
                    person_id: int | None = None, instrument: str = "") -> Decision:
    """R6: a risk decision (arrest or not, a search, an interview, a dynamic risk assessment, removing
    protection, changing a level) recorded with who, when, why and the facts on screen then. R7: a search,
    arrest or interview of a suspect the log calls a suicide-risk assessment for waits for it."""
    actor.require("risk.decide")
    decision = v.text(decision, "decision", max_length=2000)
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT)
    rules.check_decision(kind, decision, rationale)
    reference = v.text(reference, "reference", max_length=32, required=False)
    if not reference and person_id is None:
        raise Invalid("Say which log or which person the decision is about", "reference")
    instrument = v.text(instrument, "instrument", max_length=64, required=False)
    if kind == "no_assessment":  # R1: why an assessment the log calls for could not be done
        if not reference:
            raise Invalid("Say which log the assessment could not be done on", "reference")
        if not Instrument.objects.filter(code=instrument).exists():
            raise Invalid("Say which loaded instrument could not be used", "instrument")
    with unit_of_work():
        log = resolve(reference)[0] if reference else None
        person = None
        if person_id is not None:
            person = Person.objects.filter(pk=person_id).first()
            if person is None:
                raise Invalid(f"No person has id {person_id}", "person_id")
        rules.check_police_action(kind, suicide_risk_needs(log, person))  # R7
        shown = facts(log, person)
        if kind == "no_assessment":
            shown["instrument"] = instrument
        now = clock.now()
        d = Decision.objects.create(log=log, person=person, kind=kind, decision=decision, rationale=rationale,
                                    facts=shown, at=now, by=actor.person)
        referral = _refer_if_out_of_area(actor, kind, log, person, now)
        audit.record(actor, "risk.decision", "risk_decision", d.pk, reason=rationale,
                     after={"kind": kind, "decision": decision, "log": log.reference if log else None,
                            "person": person.pk if person else None, "instrument": instrument or None,
                            "referral": referral})
    return d


def _refer_if_out_of_area(actor: Actor, kind: str, log: Log | None, person: Person | None, now: Any) -> int | None:
    """R7, P11: police action against a suspect whose current address is outside the force area creates a
    referral to the local force (once: not while one is open), open until that force acknowledges it."""
    from watchkeeper.risk.models import FollowUp

    if kind not in rules.POLICE_ACTIONS or person is None:
        return None
    if log is not None and not LogParty.objects.filter(log=log, person=person, role="suspect").exists():
        return None
    where = out_of_area_force(person)
    if where is None or FollowUp.objects.filter(person=person, kind="force_referral", state="open").exists():
        return None
    minutes = int(current_policy()["risk_followup_minutes"]["force_referral"])
    f = create_referral(actor, person=person, log=log, force=f"The local force for {where}",
                        ask=f"{person.name} lives outside the force area ({where}): tell the local force of the "
                            f"{rules.DECISION_KINDS[kind].lower()} and the suicide-risk and contact plan (R7).",
                        owner=actor.person, now=now, due=now + timedelta(minutes=minutes))
    return f.pk
