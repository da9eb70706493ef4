"""Each risk action through the real database: permission, rules, rows, one audit record, live events
(R1-R6). Run on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction

from tests.integration.risk.support import (
    CURRENT,
    DA,
    RATIONALE,
    STALKING,
    answers,
    da_log,
    load,
    started,
    victim,
)
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Refusal
from watchkeeper.realtime.models import Event
from watchkeeper.risk import actions, queries
from watchkeeper.risk.actions.common import definition
from watchkeeper.risk.models import Answer, Assessment, Instrument

pytestmark = pytest.mark.django_db


def _audits(action: str) -> int:
    return AuditRecord.objects.filter(action=action).count()


def _state() -> tuple[int, int, int, list[Any]]:
    return (AuditRecord.objects.count(), Answer.objects.count(), Event.objects.count(),
            list(Assessment.objects.order_by("pk").values_list("state", "level", "person_refused")))


# ------------------------------------------------------------------------------------------ R1 instruments
@pytest.mark.safeguard("R1")
def test_an_instrument_is_loaded_once_per_version_validated_and_audited(people: Personas) -> None:
    admin = people.actor("admin")
    row = actions.load_instrument(admin, shipped_code="domestic-abuse")
    assert (row.code, row.version) == ("domestic-abuse", "2026.1") and row.definition["sections"]
    assert _audits("risk.instrument_loaded") == 1
    with pytest.raises(Refusal) as again:
        actions.load_instrument(admin, shipped_code="domestic-abuse")
    assert again.value.status == 409
    changed = dict(row.definition, title="Edited without a new version")
    import json

    with pytest.raises(Refusal, match="other content"):
        actions.load_instrument(admin, document=json.dumps(changed))
    newer = actions.load_instrument(admin, document=json.dumps(dict(changed, version="2026.2")))
    assert actions.newest_instrument("domestic-abuse").pk == newer.pk
    with pytest.raises(Refusal) as bad:
        actions.load_instrument(admin, document=json.dumps(dict(changed, version="3", levels=[])))
    assert bad.value.status == 400 and bad.value.details["field"] == "definition.levels"
    with pytest.raises(Refusal) as who:
        actions.load_instrument(people.actor("supervisor"), shipped_code="missing-person")
    assert who.value.status == 403
    assert Instrument.objects.count() == 2 and _audits("risk.instrument_loaded") == 2
    with pytest.raises(DatabaseError), transaction.atomic():
        Instrument.objects.filter(pk=row.pk).update(title="changed behind the actions' back")


@pytest.mark.safeguard("R1")
def test_an_assessment_keeps_its_version_and_answers_are_saved_as_you_go(people: Personas) -> None:
    load()
    log = da_log(people, person := victim(people))
    a = started(people, log=log, person=person)
    assert a.instrument.version == "2026.1" and a.log_id == log.pk and a.state == "draft"
    events = Event.objects.count()
    saved = actions.answer(people.actor("officer"), a.pk, answers(["injured", "frightened"], "yes"))
    assert [s.question for s in saved] == ["injured", "frightened"]
    assert all(s.by_id == people.officer.pk and s.at for s in saved)
    assert _audits("risk.answered") == 1 and Event.objects.count() > events
    # unchanged answers are not saved again; a changed one is a new row, the old one kept
    assert actions.answer(people.actor("officer"), a.pk, answers(["injured"], "yes")) == []
    actions.answer(people.actor("officer"), a.pk, answers(["injured"], "no"))
    assert list(Answer.objects.filter(assessment=a, question="injured").values_list("value", flat=True)) == [
        "yes", "no"]
    sheet = queries.assessment(a)
    q = next(q for s in sheet["sections"] for q in s["questions"] if q["code"] == "injured")
    assert (q["value"], q["changes"], q["by"]) == ("no", 2, people.officer.display)
    # a version of a loaded instrument later does not change this assessment
    with pytest.raises(DatabaseError), transaction.atomic():
        Answer.objects.filter(assessment=a).delete()


def test_bad_answers_are_refused_naming_the_field_and_nothing_is_written(people: Personas) -> None:
    load()
    a = started(people)
    before = _state()
    for bad, field in [([{"question": "nope", "value": "yes"}], "question"),
                       ([{"question": "injured", "value": "maybe"}], "value"),
                       ([{"question": "injured", "value": "yes"}, {"question": "weapon", "value": "x"}], "value"),
                       ([{"question": "injured", "value": "yes", "source": "gossip"}], "source")]:
        with pytest.raises(Refusal) as caught:
            actions.answer(people.actor("officer"), a.pk, bad)
        assert caught.value.status == 400 and caught.value.details["field"] == field
    assert _state() == before


def test_only_the_assessor_or_a_supervisor_answers_a_draft(people: Personas) -> None:
    load()
    a = started(people)
    before = _state()
    with pytest.raises(Refusal) as other:
        actions.answer(people.actor("investigator"), a.pk, answers(["injured"]))
    assert other.value.status == 403 and _state() == before
    with pytest.raises(Refusal) as qa:
        actions.answer(people.actor("qa"), a.pk, answers(["injured"]))
    assert qa.value.status == 403
    actions.answer(people.actor("supervisor"), a.pk, answers(["injured"]))  # takes over a half-finished one


# ------------------------------------------------------------------------------------------ R2, R3
@pytest.mark.safeguard("R2")
def test_stalking_words_on_the_log_make_the_screen_mandatory_before_submission(people: Personas) -> None:
    load()
    log = da_log(people, person := victim(people), account="Her ex keeps turning up at her work and texting")
    a = started(people, log=log, person=person)
    actions.answer(people.actor("officer"), a.pk, answers(CURRENT))
    before = _state()
    with pytest.raises(Refusal) as caught:
        actions.submit(people.actor("officer"), a.pk, judgement="standard")
    assert caught.value.safeguard == "R2" and caught.value.details["missing"] == STALKING
    assert "'keeps turning up' in the log" in caught.value.details["mandatory"]["stalking"]
    assert _state() == before
    actions.answer(people.actor("officer"), a.pk, answers(STALKING))
    done = actions.submit(people.actor("officer"), a.pk, judgement="standard")
    assert done.state == "submitted" and "stalking" in done.mandatory


@pytest.mark.safeguard("R2")
def test_a_stalking_answer_makes_the_screen_mandatory_without_any_log(people: Personas) -> None:
    load()
    a = started(people)
    actions.answer(people.actor("officer"), a.pk, answers(CURRENT, followed="yes"))
    with pytest.raises(Refusal) as caught:
        actions.submit(people.actor("officer"), a.pk, judgement="high")
    assert caught.value.safeguard == "R2"


@pytest.mark.safeguard("R3")
def test_a_judgement_below_the_guidance_needs_a_rationale_and_lands_in_the_review_queue(people: Personas) -> None:
    load()
    log = da_log(people, person := victim(people))
    a = started(people, log=log, person=person)
    actions.answer(people.actor("officer"), a.pk,
                   answers(CURRENT, strangulation="yes", threats_to_kill="yes", weapon="yes"))
    before = _state()
    with pytest.raises(Refusal) as caught:
        actions.submit(people.actor("officer"), a.pk, judgement="standard", rationale="")
    assert caught.value.safeguard == "R3" and _state() == before
    events = Event.objects.count()
    done = actions.submit(people.actor("officer"), a.pk, judgement="standard", rationale=RATIONALE)
    assert (done.state, done.guidance_level, done.judgement_level, done.level) == (
        "awaiting_review", "high", "standard", "standard")
    assert done.below_guidance and done.guidance["critical"] == 3
    assert _audits("risk.assessment_submitted") == 1
    assert Event.objects.count() > events
    assert Event.objects.filter(kind="risk_review", topic=f"team:{people.officer.team_id}").exists()
    queue = queries.review_queue()
    assert [q["id"] for q in queue] == [a.pk]
    shown = {x["text"]: x["answer"] for x in queue[0]["answers"]}
    assert shown[DA.question("strangulation").text] == "yes"  # type: ignore[union-attr]
    assert queue[0]["rationale"] == RATIONALE and queue[0]["guidance"] == "High"
    with pytest.raises(Refusal) as kept:
        actions.answer(people.actor("officer"), a.pk, answers(["injured"], "yes"))
    assert kept.value.status == 409


@pytest.mark.safeguard("R3")
def test_a_supervisor_agrees_or_raises_with_their_rationale_never_their_own(people: Personas) -> None:
    load()
    why = "Strangulation and threats to kill: this is high whatever the custody position"
    assessments = []
    for who in ("officer", "supervisor"):
        a = started(people, who)
        actions.answer(people.actor(who), a.pk, answers(CURRENT, strangulation="yes", weapon="yes",
                                                        threats_to_kill="yes"))
        actions.submit(people.actor(who), a.pk, judgement="medium", rationale=RATIONALE)
        assessments.append(a)
    mine, own = assessments
    with pytest.raises(Refusal) as officer:
        actions.review(people.actor("officer"), mine.pk, decision="agree", rationale=why)
    assert officer.value.status == 403
    with pytest.raises(Refusal) as self_review:
        actions.review(people.actor("supervisor"), own.pk, decision="agree", rationale=why)
    assert self_review.value.safeguard == "R3" and self_review.value.status == 403
    r = actions.review(people.actor("supervisor"), mine.pk, decision="raise", level="high", rationale=why)
    mine.refresh_from_db()
    assert (r.from_level, r.to_level, mine.state, mine.level) == ("medium", "high", "reviewed", "high")
    assert mine.judgement_level == "medium"  # the officer's judgement is kept beside the review
    with pytest.raises(Refusal) as twice:
        actions.review(people.actor("supervisor"), mine.pk, decision="agree", rationale=why)
    assert twice.value.status == 409
    agreed = actions.review(people.actor("inspector"), own.pk, decision="agree", rationale=why)
    assert agreed.to_level == "medium"
    assert [q["id"] for q in queries.review_queue()] == []


# ------------------------------------------------------------------------------------------ R5
@pytest.mark.safeguard("R5")
def test_a_refusal_is_recorded_and_the_assessment_completed_from_records(people: Personas) -> None:
    load()
    a = started(people)
    actions.record_refusal(people.actor("officer"), a.pk, note="She did not want to answer questions tonight")
    rows = [{"question": c, "value": "", "refused": True} for c in CURRENT]
    rows[CURRENT.index("previous_police")] = {"question": "previous_police", "value": "yes", "refused": True,
                                               "source": "records"}
    actions.answer(people.actor("officer"), a.pk, rows)
    done = actions.submit(people.actor("officer"), a.pk, judgement="standard")
    assert done.state == "submitted" and done.person_refused
    assert done.guidance["partly_from_records"] and done.guidance["from_records"] == 1
    assert done.guidance["refused"] == len(CURRENT)
    assert _audits("risk.refusal") == 1


# ------------------------------------------------------------------------------------------ R4
@pytest.mark.safeguard("R4")
def test_a_new_log_with_the_same_victim_prompts_a_reassessment_showing_the_earlier_one(people: Personas) -> None:
    load()
    person = victim(people)
    first_log = da_log(people, person)
    first = started(people, log=first_log, person=person)
    actions.answer(people.actor("officer"), first.pk, answers(CURRENT))
    actions.submit(people.actor("officer"), first.pk, judgement="standard")
    second_log = da_log(people, person, account="He came back and pushed her down the stairs.")
    panel = queries.log_panel(second_log)
    assert [r["person_id"] for r in panel["reassess"]] == [person.pk]
    assert panel["reassess"][0]["earlier"][0]["id"] == first.pk
    assert panel["called_for"][0]["code"] == "domestic-abuse"
    second = started(people, log=second_log, person=person)
    assert second.previous_id == first.pk
    actions.answer(people.actor("officer"), second.pk, answers(CURRENT, injured="yes"))
    changed = queries.assessment(second)["changed"]
    assert [c["question"] for c in changed] == ["injured"] and changed[0]["before"] == "no"
    assert queries.log_panel(second_log)["reassess"] == []
    assert [r["id"] for r in queries.person_timeline(person.pk)] == [second.pk, first.pk]


# ------------------------------------------------------------------------------------------ R6
@pytest.mark.safeguard("R6")
def test_a_risk_decision_is_recorded_with_its_rationale_and_the_facts_then(people: Personas) -> None:
    load()
    person = victim(people)
    log = da_log(people, person)
    a = started(people, log=log, person=person)
    actions.answer(people.actor("officer"), a.pk, answers(CURRENT))
    actions.submit(people.actor("officer"), a.pk, judgement="medium")
    with pytest.raises(Refusal) as caught:
        actions.record_decision(people.actor("officer"), kind="arrest", decision="No arrest", rationale="no",
                                reference=log.reference)
    assert caught.value.safeguard == "R6"
    d = actions.record_decision(people.actor("officer"), kind="arrest", decision="No arrest tonight",
                                rationale="He had left before we arrived; she is staying with her sister",
                                reference=log.reference)
    assert d.facts["log"]["reference"] == log.reference
    assert d.facts["assessments"][0]["level"] == "medium"
    assert _audits("risk.decision") == 1
    rows = queries.log_panel(log)["timeline"]
    assert {r["kind"] for r in rows} == {"assessment", "decision"}
    with pytest.raises(Refusal) as who:
        actions.record_decision(people.actor("qa"), kind="arrest", decision="x", rationale="a b c d",
                                person_id=person.pk)
    assert who.value.status == 403


# ------------------------------------------------------------------------------------------ R7
@pytest.mark.safeguard("R7")
def test_a_search_of_an_indecent_images_suspect_waits_for_the_suicide_risk_assessment(people: Personas) -> None:
    load("suspect-suicide")
    suspect = victim(people, family="Suspect")
    log = da_log(people, suspect, role="suspect",
                 account="Intelligence that he is downloading indecent images of children at home")
    why = "Warrant granted; he lives alone and the images are on devices at the address"
    before = _state()
    with pytest.raises(Refusal) as caught:
        actions.record_decision(people.actor("investigator"), kind="search", decision="Search the address at 7am",
                                rationale=why, reference=log.reference, person_id=suspect.pk)
    assert caught.value.safeguard == "R7" and _state() == before
    a = actions.start_assessment(people.actor("investigator"), instrument="suspect-suicide", person_id=suspect.pk,
                                 role="suspect", reference=log.reference)
    spec = definition(a.instrument)
    actions.answer(people.actor("investigator"), a.pk, [
        {"question": q.code, "value": "no" if q.type == "yes_no" else "Officer stays; GP and helpline told",
         "source": "officer"} for q in spec.questions()])
    actions.submit(people.actor("investigator"), a.pk, judgement="low")
    d = actions.record_decision(people.actor("investigator"), kind="search", decision="Search the address at 7am",
                                rationale=why, reference=log.reference, person_id=suspect.pk)
    assert d.facts["assessments"][0]["instrument"] == "suspect-suicide"
