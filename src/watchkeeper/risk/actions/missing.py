"""P9: missing-person records: reported (from a log or directly), reviewed on the level's cadence by the
level's reviewer, places searched or ruled out (with the decision on forcing entry), found; overdue reviews
escalate (the sweeper), and new information on the linked log tells the lead."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.uow import created_any, is_new, unit_of_work
from watchkeeper.incidents.actions import _notify, resolve
from watchkeeper.people.models import Person
from watchkeeper.risk import rules
from watchkeeper.risk.models import MissingPerson, MissingPlace, MissingReview, MissingWeather
from watchkeeper.staff.models import User


def _record(missing_id: int, *, lock: bool = False) -> MissingPerson:
    qs = MissingPerson.objects.select_related("person", "lead", "log")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=missing_id).first()
    if found is None:
        raise NotFound(f"No missing-person record has id {missing_id}.")
    return found


def cadence() -> dict[str, tuple[int, tuple[str, ...]]]:
    """P9: the review cadence and reviewer roles per level, from policy `missing_review_cadence`."""
    return rules.cadence(current_policy()["missing_review_cadence"])


def _open(m: MissingPerson) -> None:
    if m.state != "missing":
        raise Refusal(f"{m.person.name} was found; the record is kept as it was.", safeguard="P9",
                      next_step="Report them missing again if they go missing again.", status=409)


def report_missing(actor: Actor, *, person_id: int, level: str, lead_id: int | None = None, reference: str = "",
                   reported_at: datetime | None = None) -> MissingPerson:
    """P9: a missing-person record with its risk level; the first review falls due on the level's cadence."""
    actor.require("risk.assess")
    level = v.choice(level, "level", list(rules.MISSING_LEVELS))
    reference = v.text(reference, "reference", max_length=32, required=False)
    now = clock.now()
    reported = v.aware(reported_at, "reported_at") or now
    if reported > now:
        raise Invalid("reported_at cannot be in the future", "reported_at")
    with unit_of_work():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise Invalid(f"No person has id {person_id}", "person_id")
        if MissingPerson.objects.filter(person=person, state="missing").exists():
            raise Refusal(f"{person.name} is already recorded as missing.", safeguard="P9",
                          next_step="Open their missing-person record.", status=409)
        lead = actor.person if lead_id is None else User.objects.filter(pk=lead_id, is_active=True).first()
        if lead is None:
            raise Invalid(f"No active member of staff with id {lead_id}", "lead_id")
        log = resolve(reference)[0] if reference else None
        m = MissingPerson.objects.create(person=person, log=log, reported_at=reported, created_at=now,
                                         created_by=actor.person, lead=lead, level=level,
                                         review_due_at=now + timedelta(minutes=rules.review_minutes(level, cadence())))
        audit.record(actor, "missing.reported", "missing_person", m.pk,
                     after={"person": person.pk, "level": level, "lead": lead.pk,
                            "log": log.reference if log else None, "review_due_at": m.review_due_at})
        if lead.pk != actor.user_id:
            _notify(lead, kind="missing_lead", safeguard="P9", log=log,
                    text=f"You lead the search for {person.name} (missing, {level} risk).")
    return m


def review_missing(actor: Actor, missing_id: int, *, level: str, note: str) -> MissingReview:
    """P9: review the level. The level being reviewed says whose review it is; the next review falls due on
    the new level's cadence."""
    actor.require("risk.review")
    level = v.choice(level, "level", list(rules.MISSING_LEVELS))
    note = v.text(note, "note", max_length=v.MAX_TEXT)
    with unit_of_work():
        m = _record(missing_id, lock=True)
        _open(m)
        c = cadence()
        rules.check_missing_reviewer(actor.role, m.level, c)
        now = clock.now()
        r = MissingReview.objects.create(record=m, at=now, by=actor.person, from_level=m.level, level=level,
                                         note=note)
        before = {"level": m.level, "review_due_at": m.review_due_at, "review_stage": m.review_stage}
        m.level, m.review_stage = level, 0
        m.review_due_at = now + timedelta(minutes=rules.review_minutes(level, c))
        m.save(update_fields=["level", "review_stage", "review_due_at"])
        audit.record(actor, "missing.reviewed", "missing_person", m.pk, before=before, reason=note,
                     after={"level": level, "review_due_at": m.review_due_at, "review": r.pk})
    return r


def record_place(actor: Actor, missing_id: int, *, place: str, status: str, forced_entry: str = "not_needed",
                 note: str = "") -> MissingPlace:
    """P9: a place searched, ruled out or not yet done, with the decision on forcing entry and who made it."""
    actor.require("risk.assess")
    place = v.text(place, "place", max_length=300)
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    rules.check_place(status, forced_entry, note)
    with unit_of_work():
        m = _record(missing_id, lock=True)
        _open(m)
        p = MissingPlace.objects.create(record=m, at=clock.now(), by=actor.person, place=place, status=status,
                                        forced_entry=forced_entry, note=note)
        audit.record(actor, "missing.place", "missing_person", m.pk, reason=note,
                     after={"place": place, "status": status, "forced_entry": forced_entry, "entry": p.pk})
    return p


def record_weather(actor: Actor, missing_id: int, *, condition: str, note: str = "") -> MissingWeather:
    """P9: the weather recorded or forecast where the person may be; cold, heat or a storm is an escalation
    prompt by level and vulnerability, and the lead is told when someone else records it."""
    actor.require("risk.assess")
    note = v.text(note, "note", max_length=v.MAX_TEXT, required=False)
    rules.check_weather(condition, note)
    with unit_of_work():
        m = _record(missing_id, lock=True)
        _open(m)
        w = MissingWeather.objects.create(record=m, at=clock.now(), by=actor.person, condition=condition, note=note)
        audit.record(actor, "missing.weather", "missing_person", m.pk, reason=note,
                     after={"condition": condition, "note": note, "entry": w.pk})
        if condition != "none" and m.lead_id != actor.user_id:
            _notify(m.lead, kind="missing_weather", safeguard="P9", log=m.log,
                    text=f"Weather for {m.person.name} (missing, {m.level} risk): {condition}. {note} "
                         "Review the level.")
    return w


def record_found(actor: Actor, missing_id: int, *, note: str) -> MissingPerson:
    """P9: the person is found; reviews stop, the record is kept."""
    actor.require("risk.assess")
    note = v.text(note, "note", max_length=v.MAX_TEXT)
    with unit_of_work():
        m = _record(missing_id, lock=True)
        _open(m)
        m.state, m.found_at, m.found_note, m.review_due_at = "found", clock.now(), note, None
        m.save(update_fields=["state", "found_at", "found_note", "review_due_at"])
        audit.record(actor, "missing.found", "missing_person", m.pk, reason=note, after={"state": "found"})
        if m.lead_id != actor.user_id:
            _notify(m.lead, kind="missing_found", safeguard="P9", log=m.log, text=f"{m.person.name} was found.")
    return m


def fire_missing_reviews(now: datetime, limit: int = 500) -> int:
    """P9: a review not recorded by its due time escalates once: the lead and the reviewers' team queue are
    told. Claimed with a conditional update, so two sweepers never fire it twice."""
    fired = 0
    c = cadence()
    due = MissingPerson.objects.filter(state="missing", review_stage=0, review_due_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with unit_of_work():
            if not MissingPerson.objects.filter(pk=pk, state="missing", review_stage=0,
                                                review_due_at__lte=now).update(review_stage=1):
                continue
            m = MissingPerson.objects.select_related("person", "lead", "log").get(pk=pk)
            roles = " or ".join(r.replace("_", " ") for r in c[m.level][1])
            text = f"Review overdue: {m.person.name}, missing at {m.level} risk. A {roles} must review the level."
            _notify(m.lead, kind="missing_review_overdue", safeguard="P9", log=m.log, text=text)
            if m.lead.team_id:
                _notify(None, kind="missing_review_overdue", safeguard="P9", log=m.log, text=text,
                        team_id=m.lead.team_id)
            audit.record(SYSTEM, "missing.review_overdue", "missing_person", pk,
                         after={"level": m.level, "due": m.review_due_at})
            fired += 1
    return fired


def new_information(actor: Actor, log: Any, entries: Any, policy: Any) -> None:
    """P9 (incidents' after_entries): new information on a log linked to an open missing-person record tells
    the lead, and asks for the level to be looked at again."""
    if is_new(log) and not created_any(MissingPerson):  # a log raised in this unit of work has no record yet
        return
    for m in MissingPerson.objects.filter(log=log, state="missing").select_related("person", "lead"):
        if m.lead_id != actor.user_id:
            _notify(m.lead, kind="missing_new_information", safeguard="P9", log=log,
                    text=f"New information on {log.reference} about {m.person.name} (missing): "
                         "review the risk level.")
