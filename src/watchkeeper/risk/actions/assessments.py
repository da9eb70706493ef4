"""Assessments: start one (R1, R4), answer as you go (R1, R5), submit with a judgement (R2, R3), and a
supervisor's review of a judgement below the guidance (R3). Each is one unit of work with one audit record."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.actions import resolve
from watchkeeper.people.models import Person
from watchkeeper.risk import rules
from watchkeeper.risk.actions.common import (
    announce,
    answers_in_force,
    definition,
    get_assessment,
    log_facts,
    may_review,
)
from watchkeeper.risk.models import Answer, Assessment, Instrument, Review

MAX_NOTE = 2000


def newest_instrument(code: str) -> Instrument:
    found = Instrument.objects.filter(code=code.strip()).order_by("-loaded_at", "-id").first()
    if found is None:
        known = sorted(set(Instrument.objects.values_list("code", flat=True)))
        raise Invalid(f"No instrument {code!r} is loaded" + (f"; loaded: {', '.join(known)}" if known else ""),
                      "instrument")
    return found


def start_assessment(actor: Actor, *, instrument: str, person_id: int, role: str = "victim",
                     reference: str = "", case: str = "") -> Assessment:
    """R1: start assessing a person with the newest version of an instrument, from a log or from the person.
    R4: an earlier assessment of the same person with the same instrument is linked, so what changed shows."""
    actor.require("risk.assess")
    inst = newest_instrument(instrument)
    spec = definition(inst)
    role = v.choice(role, "role", list(spec.subject_roles))
    reference = v.text(reference, "reference", max_length=32, required=False)
    with unit_of_work():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}", "person_id")
        log = resolve(reference)[0] if reference else None
        previous = (Assessment.objects.filter(person=person, instrument__code=inst.code)
                    .exclude(state="draft").order_by("-submitted_at", "-id").first())
        a = Assessment.objects.create(instrument=inst, person=person, subject_role=role, log=log,
                                      previous=previous, started_at=clock.now(), started_by=actor.person)
        audit.record(actor, "risk.assessment_started", "risk_assessment", a.pk,
                     after={"instrument": inst.code, "version": inst.version, "person": person.pk, "role": role,
                            "log": log.reference if log else None, "previous": previous.pk if previous else None,
                            **({"case": case} if case else {})})
        announce(a, "risk_assessment")
    return a


def _require_workable(actor: Actor, a: Assessment) -> None:
    rules.check_may_work_on(state=a.state, started_by_id=a.started_by_id, actor_id=actor.user_id,
                            actor_reviews=may_review(actor))


def answer(actor: Actor, assessment_id: int, answers: list[dict[str, Any]]) -> list[Answer]:
    """R1: save answers as the officer goes, each with who and when; an unchanged answer is not saved again.
    R5: a refusal is an answer (with what police records hold, when they hold it)."""
    actor.require("risk.assess")
    if not answers:
        raise Invalid("Give at least one answer", "answers")
    with unit_of_work():
        a = get_assessment(assessment_id, lock=True)
        _require_workable(actor, a)
        spec = definition(a.instrument)
        held = answers_in_force(a.pk)
        now = clock.now()
        rows: list[Answer] = []
        seen: set[str] = set()
        for i, item in enumerate(answers):
            code = str(item.get("question", "")).strip()
            q = spec.question(code)
            if q is None:
                raise Invalid(f"answers[{i}]: {spec.code} has no question {code!r}", "question")
            if code in seen:
                raise Invalid(f"answers[{i}]: {code} is answered twice in one request", "question")
            seen.add(code)
            data = rules.check_answer(q, str(item.get("value", "")), refused=bool(item.get("refused", False)),
                                      source=str(item.get("source", "person")))
            note = v.text(item.get("note", ""), "note", max_length=MAX_NOTE, required=False)
            if held.get(code) == data and not note:
                continue
            rows.append(Answer(assessment=a, question=code, value=data.value, refused=data.refused,
                               source=data.source, note=note, at=now, by=actor.person))
        Answer.objects.bulk_create(rows)
        audit.record(actor, "risk.answered", "risk_assessment", a.pk,
                     after={"answers": {r.question: {"value": r.value, "refused": r.refused, "source": r.source}
                                        for r in rows}})
        announce(a, "risk_answers", {"saved": len(rows)})
    return rows


def record_refusal(actor: Actor, assessment_id: int, *, refused: bool = True, note: str = "") -> Assessment:
    """R5: the person refused the assessment as a whole (or that is withdrawn). The assessment goes on:
    the officer answers from what police hold, and the guidance says it was partly from records."""
    actor.require("risk.assess")
    note = v.text(note, "note", max_length=MAX_NOTE, required=refused)
    with unit_of_work():
        a = get_assessment(assessment_id, lock=True)
        _require_workable(actor, a)
        before = {"person_refused": a.person_refused, "refusal_note": a.refusal_note}
        a.person_refused, a.refusal_note = refused, note
        a.save(update_fields=["person_refused", "refusal_note"])
        audit.record(actor, "risk.refusal", "risk_assessment", a.pk, before=before,
                     after={"person_refused": refused, "refusal_note": note})
        announce(a, "risk_assessment")
    return a


def submit(actor: Actor, assessment_id: int, *, judgement: str, rationale: str = "") -> Assessment:
    """R2 + R3: submit with the officer's professional judgement. Every mandatory section must be answered
    (the stalking screen where stalking is indicated); the guidance computed from the answers is stored
    beside the judgement; a judgement below it needs a rationale and goes to a supervisor's review queue."""
    actor.require("risk.assess")
    judgement = v.text(judgement, "judgement", max_length=64)
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT, required=False)
    with unit_of_work():
        a = get_assessment(assessment_id, lock=True)
        _require_workable(actor, a)
        spec = definition(a.instrument)
        held = answers_in_force(a.pk)
        decided = rules.check_submission(spec, held, log_facts(a.log), judgement=judgement, rationale=rationale)
        guidance = decided.guidance.as_dict()
        guidance["person_refused"] = a.person_refused
        if a.person_refused:
            guidance["partly_from_records"] = True
        a.state = "awaiting_review" if decided.below_guidance else "submitted"
        a.submitted_at, a.submitted_by = clock.now(), actor.person
        a.guidance_level, a.guidance, a.mandatory = decided.guidance.level, guidance, decided.mandatory
        a.judgement_level, a.judgement_rationale = judgement, rationale
        a.below_guidance, a.level = decided.below_guidance, judgement
        a.save()
        audit.record(actor, "risk.assessment_submitted", "risk_assessment", a.pk, reason=rationale,
                     after={"state": a.state, "guidance": guidance, "judgement": judgement, "level": a.level,
                            "below_guidance": a.below_guidance, "mandatory": decided.mandatory,
                            "version": a.instrument.version})
        announce(a, "risk_review" if a.below_guidance else "risk_assessment")
    return a


def review(actor: Actor, assessment_id: int, *, decision: str, level: str = "", rationale: str) -> Review:
    """R3: a supervisor reviews a judgement below the guidance, with the answers and the rationale in front
    of them: agrees (the level stands) or raises it, always with their own rationale."""
    actor.require("risk.review")
    rationale = v.text(rationale, "rationale", max_length=v.MAX_TEXT)
    with unit_of_work():
        a = get_assessment(assessment_id, lock=True)
        if a.state != "awaiting_review":
            raise Refusal(f"This assessment is {a.get_state_display().lower()}, not awaiting review.",
                          safeguard="R3", next_step="Open the review queue for those that are.", status=409)
        spec = definition(a.instrument)
        to_level = rules.check_review(spec, judgement=a.judgement_level, decision=decision, level=level,
                                      rationale=rationale, reviewer_id=actor.user_id, assessor_id=a.started_by_id)
        r = Review.objects.create(assessment=a, at=clock.now(), by=actor.person, decision=decision,
                                  from_level=a.level, to_level=to_level, rationale=rationale)
        before = {"state": a.state, "level": a.level}
        a.state, a.level = "reviewed", to_level
        a.save(update_fields=["state", "level"])
        audit.record(actor, "risk.assessment_reviewed", "risk_assessment", a.pk, before=before, reason=rationale,
                     after={"state": a.state, "level": a.level, "decision": decision, "review": r.pk})
        announce(a, "risk_assessment")
    return r


def view_assessment(actor: Actor, assessment_id: int) -> Assessment:
    """Reading an assessment (its answers about a person) is audited (A2)."""
    actor.require("risk.view")
    a = get_assessment(assessment_id)
    with unit_of_work():
        audit.record(actor, "risk.assessment_viewed", "risk_assessment", a.pk)
    return a
