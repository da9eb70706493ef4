"""What the risk pages and endpoints show (read models). Views and the API only render these."""

from __future__ import annotations

from typing import Any

from watchkeeper.core import clock
from watchkeeper.core.errors import NotFound
from watchkeeper.incidents.actions import family_ids
from watchkeeper.incidents.models import Log
from watchkeeper.people.models import LogParty, Person, Prompt
from watchkeeper.risk import rules
from watchkeeper.risk.actions import shipped
from watchkeeper.risk.actions.common import answers_in_force, definition, log_facts
from watchkeeper.risk.actions.decisions import newest_by_code
from watchkeeper.risk.actions.missing import cadence
from watchkeeper.risk.hooks import close_blockers
from watchkeeper.risk.instrument import Instrument as Definition
from watchkeeper.risk.models import Answer, Assessment, Decision, FollowUp, Instrument, MissingPerson

MAX_LISTED = 200
ASSESSED_ROLES = ("victim", "suspect", "subject")


def _label(spec: Definition, code: str) -> str:
    lv = spec.level(code) if code else None
    return lv.label if lv else code


def _shown(a: rules.AnswerData | None) -> str:
    if a is None:
        return ""
    if a.refused and not a.value:
        return "refused"
    return a.value


def assessment(a: Assessment) -> dict[str, Any]:
    """An assessment as its page and the API show it: every question with the answer in force (who, when,
    from whom), the sections mandatory now and why (R2), the guidance the answers give now beside the
    judgement (R3), refusals (R5), the reviews, and what changed since the previous assessment (R4)."""
    spec = definition(a.instrument)
    held = answers_in_force(a.pk)
    latest: dict[str, Answer] = {}
    history: dict[str, int] = {}
    for row in Answer.objects.filter(assessment=a).select_related("by").order_by("id"):
        latest[row.question] = row
        history[row.question] = history.get(row.question, 0) + 1
    facts = log_facts(a.log)
    mandatory = rules.mandatory_sections(spec, held, facts) if a.state == "draft" else (a.mandatory or {})
    guidance = rules.compute_guidance(spec, held)
    missing = set(rules.unanswered(spec, held, mandatory))
    sections = []
    for s in spec.sections:
        questions = []
        for q in s.questions:
            got = latest.get(q.code)
            questions.append({
                "code": q.code, "text": q.text, "type": q.type, "help": q.help, "critical": q.critical,
                "options": [{"code": o.code, "label": o.label} for o in q.options],
                "value": got.value if got else "", "refused": got.refused if got else False,
                "source": got.source if got else "person", "note": got.note if got else "",
                "shown": _shown(held.get(q.code)),
                "by": got.by.display if got else "", "at": got.at if got else None,
                "changes": history.get(q.code, 0), "missing": q.code in missing,
            })
        sections.append({"code": s.code, "title": s.title, "questions": questions,
                         "mandatory": mandatory.get(s.code), "optional": s.code not in mandatory})
    changed: list[dict[str, str]] = []
    if a.previous_id is not None:
        changed = rules.changes(spec, answers_in_force(a.previous_id), held)
    stored = a.guidance or {}
    return {
        "id": a.pk, "state": a.state, "state_label": a.get_state_display(),
        "instrument": {"code": spec.code, "version": spec.version, "title": spec.title},
        "levels": [{"code": lv.code, "label": lv.label, "rank": lv.rank} for lv in spec.levels],
        "person": {"id": a.person_id, "name": a.person.name}, "role": a.subject_role,
        "log": a.log.reference if a.log else None,
        "started_at": a.started_at, "started_by": a.started_by.display, "started_by_id": a.started_by_id,
        "person_refused": a.person_refused, "refusal_note": a.refusal_note,
        "sections": sections,
        "mandatory": mandatory, "missing": sorted(missing),
        "guidance_now": {**guidance.as_dict(), "label": _label(spec, guidance.level),
                         "partly_from_records": guidance.partly_from_records or a.person_refused},
        "submitted_at": a.submitted_at, "submitted_by": a.submitted_by.display if a.submitted_by else None,
        "guidance": {**stored, "label": _label(spec, a.guidance_level)} if a.guidance_level else None,
        "judgement": a.judgement_level, "judgement_label": _label(spec, a.judgement_level),
        "judgement_rationale": a.judgement_rationale, "below_guidance": a.below_guidance,
        "level": a.level, "level_label": _label(spec, a.level),
        "reviews": [{"at": r.at, "by": r.by.display, "decision": r.decision, "from": _label(spec, r.from_level),
                     "to": _label(spec, r.to_level), "rationale": r.rationale}
                    for r in a.reviews.select_related("by").order_by("id")],
        "previous": a.previous_id, "changed": changed,
    }


def api_assessment(a: Assessment) -> dict[str, Any]:
    """The same, JSON-ready (times as ISO text)."""
    data = assessment(a)

    def iso(value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    for key in ("started_at", "submitted_at"):
        data[key] = iso(data[key])
    for s in data["sections"]:
        for q in s["questions"]:
            q["at"] = iso(q["at"])
    for r in data["reviews"]:
        r["at"] = iso(r["at"])
    return data


def review_queue(limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """R3: judgements below the guidance awaiting a supervisor, oldest first, each with its answers (the
    "yes" answers and refusals named) and the assessor's rationale, not just the level."""
    rows = (Assessment.objects.filter(state="awaiting_review").select_related("instrument", "person", "log",
                                                                              "started_by", "started_by__team")
            .order_by("submitted_at", "id")[:limit])
    out = []
    for a in rows:
        spec = definition(a.instrument)
        held = answers_in_force(a.pk)
        answered = [{"text": q.text, "answer": _shown(held.get(q.code)), "critical": q.critical,
                     "source": held[q.code].source}
                    for q in spec.questions() if q.code in held]
        out.append({
            "id": a.pk, "instrument": spec.title, "version": spec.version, "person": a.person.name,
            "person_id": a.person_id, "log": a.log.reference if a.log else None,
            "assessor": a.started_by.display, "team": a.started_by.team.name if a.started_by.team else "",
            "submitted_at": a.submitted_at, "guidance": _label(spec, a.guidance_level),
            "judgement": _label(spec, a.judgement_level), "rationale": a.judgement_rationale,
            "guidance_detail": a.guidance or {}, "answers": answered,
            "levels": [{"code": lv.code, "label": lv.label} for lv in spec.levels
                       if (cur := spec.level(a.judgement_level)) is not None and lv.rank > cur.rank],
        })
    return out


def _timeline_rows(assessments: list[Assessment], decisions: list[Decision]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for a in assessments:
        spec = definition(a.instrument)
        rows.append({"kind": "assessment", "at": a.submitted_at or a.started_at, "id": a.pk,
                     "title": spec.title, "version": spec.version, "state": a.state,
                     "state_label": a.get_state_display(), "person": a.person.name, "person_id": a.person_id,
                     "role": a.subject_role, "log": a.log.reference if a.log else None,
                     "level": _label(spec, a.level), "guidance": _label(spec, a.guidance_level),
                     "below_guidance": a.below_guidance, "by": a.started_by.display})
    for d in decisions:
        rows.append({"kind": "decision", "at": d.at, "id": d.pk, "title": d.get_kind_display(),
                     "decision": d.decision, "rationale": d.rationale, "by": d.by.display,
                     "log": d.log.reference if d.log else None, "person": d.person.name if d.person else None,
                     "person_id": d.person_id})
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows


def person_timeline(person_id: int, limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """A person's assessments and risk decisions, newest first (NotFound for no such person)."""
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound(f"No person has id {person_id}.")
    assessments = list(Assessment.objects.filter(person_id=person_id).select_related(
        "instrument", "person", "log", "started_by").order_by("-started_at")[:limit])
    decisions = list(Decision.objects.filter(person_id=person_id).select_related("by", "log", "person")
                     .order_by("-at")[:limit])
    return _timeline_rows(assessments, decisions)[:limit]


def log_panel(log: Log, limit: int = 50) -> dict[str, Any]:
    """The log page's risk panel: this log's assessments and decisions; R4, for each victim, suspect or
    subject on it already assessed on another log and not yet on this one, a prompt to reassess showing
    the earlier assessments; and the instruments this log's flags or category call for (R1)."""
    on_log = list(Assessment.objects.filter(log=log).select_related("instrument", "person", "log", "started_by")
                  .order_by("-started_at")[:limit])
    decisions = list(Decision.objects.filter(log=log).select_related("by", "log", "person").order_by("-at")[:limit])
    parties = list(LogParty.objects.filter(log=log, person__isnull=False, role__in=ASSESSED_ROLES)
                   .select_related("person").order_by("id")[:50])
    assessed_here = {(a.person_id, a.instrument.code) for a in on_log}
    reassess = []
    for p in parties:
        assert p.person is not None and p.person_id is not None  # filtered on a person
        earlier = [a for a in Assessment.objects.filter(person_id=p.person_id).exclude(log=log)
                   .exclude(state="draft").select_related("instrument", "log", "person", "started_by")
                   .order_by("-submitted_at")[:5]]
        earlier = [a for a in earlier if (p.person_id, a.instrument.code) not in assessed_here]
        if earlier:
            reassess.append({"person": p.person.name, "person_id": p.person_id, "role": p.role,
                             "earlier": _timeline_rows(earlier, []),
                             "instrument": earlier[0].instrument.code})
    facts = log_facts(log)
    called_for = []
    for inst in newest_instruments():
        spec = definition(inst)
        why = rules.when_holds(spec.prompted_by, indicated=set(), facts=facts)
        if why and not any(code == spec.code for _, code in assessed_here):
            called_for.append({"code": spec.code, "title": spec.title, "why": why})
    chosen = (called_for[0]["code"] if called_for else reassess[0]["instrument"] if reassess else "")
    return {"timeline": _timeline_rows(on_log, decisions), "reassess": reassess, "called_for": called_for,
            "chosen": chosen, "convert": _convert(log, parties),
            "close_needs": [i for b in close_blockers(log, family_ids(log)) for i in b.items],
            "followups": followups(FollowUp.objects.filter(log=log)),
            "parties": [{"id": p.person_id, "name": p.person.name if p.person else "", "role": p.role}
                        for p in parties]}


def _convert(log: Log, parties: list[LogParty]) -> dict[str, Any] | None:
    """C6, P9: a concern-for-welfare log whose entries met the missing-person criteria (an open reclassify
    prompt), or a log classified as a missing person, with no one recorded missing from it: open a
    missing-person record from it in one step (the subject first)."""
    if MissingPerson.objects.filter(log=log).exists():
        return None
    prompt = Prompt.objects.filter(log=log, kind="reclassify_missing", state="open").order_by("-id").first()
    if prompt is None and "missing" not in (log.flags or []) and log.category != "missing_person":
        return None
    ordered = sorted(parties, key=lambda p: {"subject": 0, "victim": 1}.get(p.role, 2))
    return {"why": prompt.text if prompt else "This log is about a missing person.",
            "safeguard": "C6" if prompt else "P9",
            "parties": [{"id": p.person_id, "name": p.person.name if p.person else "", "role": p.role}
                        for p in ordered if p.role != "suspect"]}


def newest_instruments() -> list[Instrument]:
    """The newest loaded version of each instrument (what new assessments use)."""
    return newest_by_code()


def instruments() -> dict[str, Any]:
    """Every loaded version, and the shipped instruments not loaded yet."""
    loaded = list(Instrument.objects.select_related("loaded_by").order_by("code", "-loaded_at")[:500])
    held = {(i.code, i.version) for i in loaded}
    ship = []
    for code, text in shipped().items():
        from watchkeeper.risk.instrument import parse

        spec = parse(text)
        ship.append({"file": code, "code": spec.code, "version": spec.version, "title": spec.title,
                     "loaded": (spec.code, spec.version) in held})
    newest = {i.pk for i in newest_instruments()}
    return {"loaded": [{"id": i.pk, "code": i.code, "version": i.version, "title": i.title, "at": i.loaded_at,
                        "by": i.loaded_by.display if i.loaded_by else "system", "newest": i.pk in newest,
                        "questions": len(definition(i).questions())} for i in loaded],
            "shipped": ship}


# ------------------------------------------------------------------------------------------ P9 missing persons
def _age(dob: Any, today: Any) -> int | None:
    if dob is None:
        return None
    return int(today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day)))


def missing(missing_id: int) -> dict[str, Any]:
    """P9: a missing-person record: the level and its next review (cadence and reviewer's role), reviews,
    places searched or ruled out, and the escalation prompts that apply now."""
    m = MissingPerson.objects.select_related("person", "lead", "log", "created_by").filter(pk=missing_id).first()
    if m is None:
        raise NotFound(f"No missing-person record has id {missing_id}.")
    now = clock.now()
    hours = (now - m.reported_at).total_seconds() / 3600
    flags = frozenset(m.log.flags or []) if m.log else frozenset()
    minutes, roles = cadence()[m.level]
    weather = m.weather.select_related("by").order_by("-id").first()
    return {
        "id": m.pk, "person": {"id": m.person_id, "name": m.person.name}, "state": m.state,
        "state_label": m.get_state_display(), "level": m.level, "level_label": m.get_level_display(),
        "lead": m.lead.display, "lead_id": m.lead_id, "log": m.log.reference if m.log else None,
        "reported_at": m.reported_at, "created_by": m.created_by.display,
        "review_due_at": m.review_due_at, "overdue": m.review_stage > 0, "cadence_minutes": minutes,
        "reviewer_roles": [r.replace("_", " ") for r in roles], "hours_missing": round(hours, 1),
        "found_at": m.found_at, "found_note": m.found_note,
        "triggers": rules.escalation_triggers(level=m.level, age=_age(m.person.dob, clock.local(now).date()),
                                              hours_missing=hours, flags=flags,
                                              weather=weather.condition if weather else "none")
        if m.state == "missing" else [],
        "weather": {"condition": weather.condition, "label": weather.get_condition_display(), "note": weather.note,
                    "at": weather.at, "by": weather.by.display} if weather else None,
        "followups": followups(FollowUp.objects.filter(missing=m)),
        "reviews": [{"at": r.at, "by": r.by.display, "from": r.from_level, "level": r.level, "note": r.note}
                    for r in m.reviews.select_related("by").order_by("-id")[:MAX_LISTED]],
        "places": [{"at": p.at, "by": p.by.display, "place": p.place, "status": p.get_status_display(),
                    "forced_entry": p.get_forced_entry_display(), "note": p.note}
                   for p in m.places.select_related("by").order_by("-id")[:MAX_LISTED]],
    }


def api_missing(missing_id: int) -> dict[str, Any]:
    data = missing(missing_id)
    for key in ("reported_at", "review_due_at", "found_at"):
        data[key] = data[key].isoformat() if data[key] else None
    for row in data["reviews"] + data["places"] + ([data["weather"]] if data["weather"] else []):
        row["at"] = row["at"].isoformat()
    data["followups"] = api_followups(data["followups"])
    return data


def followups(qs: Any, limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """P9, R7, P11: follow-ups, open ones first (soonest due first), then those done (newest first)."""
    now = clock.now()
    rows = list(qs.select_related("owner", "done_by", "person", "log").order_by("state", "due_at", "-id")[:limit])
    return [{"id": f.pk, "kind": f.kind, "kind_label": f.get_kind_display(), "party": f.party, "contact": f.contact,
             "ask": f.ask, "owner": f.owner.display, "owner_id": f.owner_id, "due_at": f.due_at, "state": f.state,
             "overdue": f.state == "open" and f.due_at <= now, "escalated": f.stage >= 2,
             "person": f.person.name if f.person else None, "person_id": f.person_id,
             "log": f.log.reference if f.log else None, "missing_id": f.missing_id,
             "done_at": f.done_at, "done_by": f.done_by.display if f.done_by else None, "outcome": f.outcome,
             "acknowledged_by": f.acknowledged_by} for f in rows]


def api_followups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        for key in ("due_at", "done_at"):
            r[key] = r[key].isoformat() if r[key] else None
    return rows


def open_followups(limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """Every open follow-up, the soonest due first (the risk home page)."""
    return followups(FollowUp.objects.filter(state="open"), limit)


def open_missing(limit: int = MAX_LISTED) -> list[MissingPerson]:
    """P9: everyone missing now, the most overdue review first."""
    return list(MissingPerson.objects.filter(state="missing").select_related("person", "lead", "log")
                .order_by("-review_stage", "review_due_at", "id")[:limit])
