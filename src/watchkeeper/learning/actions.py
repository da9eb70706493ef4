"""Use cases of the learning library (K1-K5): one function each.

Every action checks the actor's permission, validates its input, then inside one unit of work loads and
locks what it changes, asks the rules, changes, and writes exactly one audit record. A refusal raises
before anything is written. Ingesting the same file again (same SHA-256) changes nothing and writes
nothing: it answers with the document already held.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.errors import Conflict, Invalid, NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules, search, traceability
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    Answer,
    Case,
    CaseTheme,
    Document,
    Evidence,
    KeyQuestion,
    LearningSetting,
    Recommendation,
    RecommendationAction,
    ReplayResult,
)
from watchkeeper.learning.parsing import ParsedDocument, UnreadableDocument, parse_text
from watchkeeper.learning.parsing.extract import extract_text_with_format
from watchkeeper.staff.models import User

MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT = 20_000
REPLAY_TIMEOUT_SECONDS = 300


# ----------------------------------------------------------------------------------------- helpers
def today() -> date:
    return clock.local(clock.now()).date()


def at_start_of(day: date) -> datetime:
    """The moment a day begins in the force's local time (when that day's alert falls due)."""
    return datetime.combine(day, time(0, 0), tzinfo=clock.LONDON)


def _clean(value: Any) -> Any:
    """Stored text without NUL characters (no database keeps them safely), through lists and dicts."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(x) for x in value]
    if isinstance(value, dict):
        return {k: _clean(x) for k, x in value.items()}
    return value


def _staff(user_id: int | None, field: str) -> User:
    if user_id is None:
        raise Invalid(f"{field} is required", field)
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise Invalid(f"{field} must be the id of a member of staff", field)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid(f"No active member of staff with id {user_id}", field)
    return user


def _id(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise NotFound(f"No {what} {value}.")
    return value


def _day(value: date | None, field: str, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise Invalid(f"{field} is required", field)
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field)
    if not date(1990, 1, 1) <= value <= date(2200, 12, 31):
        raise Invalid(f"{field} is not a plausible date", field)
    return value


def learning_leads() -> list[User]:
    """Who hears about recommendations nobody owns: the learning leads (else the administrators)."""
    leads = list(User.objects.filter(role="learning_lead", is_active=True).order_by("pk"))
    return leads or list(User.objects.filter(role="administrator", is_active=True).order_by("pk"))


def _notify(recipient: User, *, kind: str, text: str) -> None:
    from watchkeeper.incidents.actions import _notify as notify

    notify(recipient, kind=kind, text=text, safeguard="K2")


def _rec_alert(rec: Recommendation, policy: rules.LearningPolicy) -> None:
    """Set the recommendation's next deadline alert from its due date (none once responded)."""
    if rec.responded or rec.response_due is None:
        rec.alert_stage, rec.alert_at = rules.ALERT_DONE, None
        return
    stage, day = rules.first_alert(rec.response_due, today(), policy.response_due_soon_days)
    rec.alert_stage, rec.alert_at = stage, (at_start_of(day) if day else None)


# ------------------------------------------------------------------------------------------ K1 ingest
@dataclass(frozen=True)
class Ingested:
    """The document held for an upload, and whether this upload created it (False: already held)."""

    document: Document
    created: bool


def fingerprint(parsed: ParsedDocument) -> str:
    """What a document says, independent of its file format: the same lesson as text, PDF or Word has
    one fingerprint, so a second format is kept as a copy rather than as duplicate cases."""
    data = parsed.to_dict()
    data.pop("sha256", None)
    data.pop("source_format", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _filename(name: str) -> str:
    name = v.text(name, "filename", max_length=1000)
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    if not base:
        raise Invalid("filename must name a file", "filename")
    return base[-255:]


def read(data: bytes, filename: str) -> tuple[str, ParsedDocument]:
    """K1: the text and parsed record of an upload. A file that cannot be read is refused (4xx) with what
    was wrong; a file that only partly fits a kind parses with warnings (never a crash)."""
    try:
        text, source_format = extract_text_with_format(data, filename)
    except UnreadableDocument as exc:
        raise Refusal(
            exc.message,
            safeguard="K1",
            status=422,
            next_step="Upload the document as plain text, PDF (with a text layer), Word .docx or HTML.",
        ) from None
    parsed = dataclasses.replace(
        parse_text(text), sha256=hashlib.sha256(data).hexdigest(), source_format=source_format
    )
    return text, parsed


def ingest(actor: Actor, data: bytes, filename: str) -> Ingested:
    """K1: store an uploaded learning document with its hash, parse it into cases, key questions and
    recommendations, and index it for search (K5). The same file again changes nothing."""
    actor.require("learning.manage")
    filename = _filename(filename)
    if not isinstance(data, bytes | bytearray):
        raise Invalid("the document must be sent as bytes", "content")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise Refusal(
            f"'{filename}' is larger than {MAX_BYTES // (1024 * 1024)} MB.",
            safeguard="K1",
            status=413,
            next_step="Split the document, or remove embedded images.",
        )
    sha = hashlib.sha256(data).hexdigest()
    held = Document.objects.filter(sha256=sha).first()
    if held is not None:
        return Ingested(held, False)
    text, parsed = read(data, filename)
    policy = current()
    print_ = fingerprint(parsed)
    with unit_of_work():
        held = Document.objects.filter(sha256=sha).first()
        if held is not None:  # another upload of the same file won the race
            return Ingested(held, False)
        original = (
            Document.objects.filter(fingerprint=print_, copy_of__isnull=True).order_by("pk").first()
            if parsed.kind != "unknown"
            else None
        )
        warnings = list(parsed.warnings)
        if original is not None:
            warnings.append(
                f"Same content as '{original.label}' (document {original.pk}, "
                f"{original.source_format}); kept as another copy of it"
            )
        record = _clean(parsed.to_dict())
        doc = Document.objects.create(
            sha256=sha,
            fingerprint=print_,
            copy_of=original,
            filename=filename,
            source_format=parsed.source_format,
            size=len(data),
            original=data,
            text=_clean(text),
            kind=parsed.kind,
            title=_clean(parsed.title)[:300],
            issue=parsed.issue,
            date=parsed.date,
            year=parsed.date.year if parsed.date else None,
            force=_clean(parsed.force)[:120],
            reference=_clean(parsed.reference)[:64],
            themes=rules.distinct_themes(_clean(parsed.themes)),
            record=record,
            warnings=_clean(warnings),
            ingested_at=clock.now(),
            ingested_by=actor.user,
        )
        made = (
            _store(doc, parsed, policy)
            if original is None
            else {"cases": 0, "questions": 0, "recommendations": 0}
        )
        audit.record(
            actor,
            "learning.document_ingested",
            "learning_document",
            doc.pk,
            after={
                "sha256": sha,
                "filename": filename,
                "kind": doc.kind,
                "title": doc.title,
                "format": doc.source_format,
                "copy_of": original.pk if original else None,
                "warnings": len(warnings),
                **made,
            },
        )
    return Ingested(doc, True)


def _store(doc: Document, parsed: ParsedDocument, policy: rules.LearningPolicy) -> dict[str, int]:
    """Cases, key questions, themes, recommendations and the search index for a new document, written in
    bulk (a bulletin's cases are a handful of statements, not one per row)."""
    p = _clean(parsed.to_dict())
    drafts: list[tuple[Case, list[str], list[str]]] = []
    if doc.kind == "bulletin":
        for c in p["cases"]:
            drafts.append(
                (
                    _case(
                        doc,
                        number=c["number"],
                        title=c["title"],
                        narrative=c["narrative"],
                        actions=c["actions"],
                        outcomes=c["outcomes"],
                        links=c["links"],
                        topics=c["topics"],
                        themes=c["themes"],
                        details={"notes": c["notes"]},
                    ),
                    c["questions_managers"],
                    c["questions_staff"],
                )
            )
    elif doc.kind in ("case_report", "recommendation_record"):
        report = doc.kind == "case_report"
        drafts.append(
            (
                _case(
                    doc,
                    number=p["case_number"] if report else None,
                    title=p["title"] or doc.filename,
                    narrative=(p["overview"] or p["summary"]) if report else p["summary"],
                    actions=[],
                    outcomes=p["outcomes"],
                    links=p["links"],
                    topics=p["raising_issues"],
                    themes=[*p["themes"], *p["relevant_to"]],
                    findings=p["findings"],
                    details={
                        "summary": p["summary"] if report else "",
                        "raising_issues": p["raising_issues"],
                        "relevant_to": p["relevant_to"],
                        "investigation_type": p["investigation_type"],
                        "source_label": p["source_label"],
                        "reference": p["reference"],
                    },
                ),
                p["questions_managers"],
                p["questions_staff"],
            )
        )
    recs = p["recommendations"] if doc.kind in ("case_report", "recommendation_record") else []
    for case, managers, staff in drafts:
        case.body = _body(
            case, [*managers, *staff], [(r["text"], r["response"], r["addressed_to"]) for r in recs]
        )
    cases = Case.objects.bulk_create([d[0] for d in drafts])
    CaseTheme.objects.bulk_create(
        [CaseTheme(case=c, key=rules.theme_key(t), label=t, year=doc.year) for c in cases for t in c.themes]
    )
    questions = [
        KeyQuestion(case=case, audience=audience, position=i, text=text)
        for case, managers, staff in drafts
        for audience, texts in (("managers", managers), ("staff", staff))
        for i, text in enumerate(texts, start=1)
        if text.strip()
    ]
    KeyQuestion.objects.bulk_create(questions)
    for r in recs:
        _recommendation(doc, cases[0], r, parsed, policy)
    search.index_cases(
        [
            search.index_row(c.pk, c.title, c.body, year=c.year, kind=c.kind, force=c.force, themes=c.themes)
            for c in cases
        ]
    )
    return {"cases": len(cases), "questions": len(questions), "recommendations": len(recs)}


def _case(
    doc: Document,
    *,
    number: int | None,
    title: str,
    narrative: str,
    actions: list[str],
    outcomes: list[str],
    links: list[str],
    topics: list[str],
    themes: list[str],
    details: dict[str, Any],
    findings: list[str] | None = None,
) -> Case:
    """An unsaved case; its lesson code is how K4 names it (a second record of a force gets its reference)."""
    code = rules.lesson_code(doc.kind, issue=doc.issue, number=number, force=doc.force)
    if (
        doc.kind == "recommendation_record"
        and code
        and (Case.objects.filter(code=code).exclude(document__reference=doc.reference).exists())
    ):
        code = f"{code}-{doc.reference}"[:64]
    return Case(
        document=doc,
        code=code,
        number=number,
        title=(title or "Untitled")[:300],
        kind=doc.kind,
        year=doc.year,
        date=doc.date,
        force=doc.force,
        narrative=narrative,
        actions_taken=actions,
        outcomes=outcomes,
        findings=findings or [],
        links=links,
        topics=topics,
        themes=rules.distinct_themes(themes),
        details=details,
    )


def _recommendation(
    doc: Document, case: Case, r: dict[str, Any], parsed: ParsedDocument, policy: rules.LearningPolicy
) -> Recommendation:
    stated = parsed.response_due if (parsed.response_due and not parsed.response_due_is_default) else None
    due = rules.response_due(doc.date, policy, stated=stated)
    acceptance = rules.acceptance_from_parsed(r["status"], r["accepted"])
    prefix = doc.reference or case.code or f"DOC{doc.pk}"
    rec = Recommendation(
        document=doc,
        case=case,
        number=r["number"],
        reference=f"{prefix}/R{r['number']}"[:100],
        scope=r["scope"] or "",
        text=r["text"],
        date_made=doc.date,
        response_due=due,
        response_due_is_default=stated is None and due is not None,
        addressed_to=r["addressed_to"][:200],
        linked_bodies=r["linked_bodies"],
        acceptance=acceptance,
        response=r["response"],
        implementation=rules.initial_implementation(acceptance),
    )
    _rec_alert(rec, policy)
    rec.save(force_insert=True)
    return rec


def _body(case: Case, questions: list[str], recs: list[tuple[str, str, str]]) -> str:
    """K5: everything a person might search a case by, as one text (the title is indexed on its own)."""
    parts: list[str] = [
        case.narrative,
        *case.topics,
        *case.themes,
        *case.actions_taken,
        *case.outcomes,
        *case.findings,
        *questions,
    ]
    parts += list(case.details.get("relevant_to") or [])
    parts += [case.details.get("investigation_type") or "", case.details.get("summary") or ""]
    for text, response, addressed_to in recs:
        parts += [text, response, addressed_to]
    return "\n".join(x for x in parts if x)


# ------------------------------------------------------------------------------------------ K2 tracker
def _lock_rec(rec_id: int) -> Recommendation:
    rec = Recommendation.objects.select_for_update().filter(pk=_id(rec_id, "recommendation")).first()
    if rec is None:
        raise NotFound(f"No recommendation {rec_id}.")
    return rec


def _tracker(rec: Recommendation) -> dict[str, Any]:
    return {
        "reference": rec.reference,
        "acceptance": rec.acceptance,
        "response": rec.response,
        "responded_on": rec.responded_on,
        "response_due": rec.response_due,
        "addressed_to": rec.addressed_to,
        "linked_bodies": list(rec.linked_bodies),
        "implementation": rec.implementation,
        "owner": rec.owner_id,
        "version": rec.version,
    }


def record_response(
    actor: Actor, rec_id: int, *, acceptance: str, response: str, responded_on: date | None = None
) -> Recommendation:
    """K2: the force's response to a recommendation: accepted, partly or not accepted, and what it will
    do. Recording it ends the response alerts; not accepting closes implementation as "not accepted"."""
    actor.require("learning.manage")
    acceptance = v.choice(acceptance, "acceptance", ["accepted", "partly", "not_accepted"])
    response = v.text(response, "response", max_length=MAX_TEXT)
    on = _day(responded_on, "responded_on", required=False) or today()
    if on > today():
        raise Invalid("responded_on cannot be in the future", "responded_on")
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        before = _tracker(rec)
        rec.acceptance, rec.response, rec.responded_on = acceptance, response, on
        rec.implementation = rules.implementation_after_acceptance(acceptance, rec.implementation)
        rec.version += 1
        _rec_alert(rec, policy)
        rec.save()
        audit.record(
            actor,
            "learning.response_recorded",
            "learning_recommendation",
            rec.pk,
            before=before,
            after=_tracker(rec),
        )
    return rec


_UNSET: Any = object()


def update_recommendation(
    actor: Actor,
    rec_id: int,
    *,
    expected_version: int,
    response_due: Any = _UNSET,
    addressed_to: Any = _UNSET,
    linked_bodies: Any = _UNSET,
    owner_id: Any = _UNSET,
    implementation: Any = _UNSET,
    reason: str = "",
) -> Recommendation:
    """K2: change the tracker fields of a recommendation. `expected_version` is the version the person
    read: a change made since is never silently overwritten."""
    actor.require("learning.manage")
    reason = v.text(reason, "reason", max_length=2000, required=False)
    changes: dict[str, Any] = {}
    if response_due is not _UNSET:
        changes["response_due"] = _day(response_due, "response_due")
    if addressed_to is not _UNSET:
        changes["addressed_to"] = v.text(addressed_to, "addressed_to", max_length=200, required=False)
    if linked_bodies is not _UNSET:
        if not isinstance(linked_bodies, list):
            raise Invalid("linked_bodies must be a list of names", "linked_bodies")
        changes["linked_bodies"] = [v.text(b, "linked_bodies", max_length=200) for b in linked_bodies][:50]
    if owner_id is not _UNSET:
        changes["owner"] = None if owner_id is None else _staff(owner_id, "owner_id")
    if implementation is not _UNSET:
        changes["implementation"] = v.choice(implementation, "implementation", list(rules.IMPLEMENTATION))
    if not changes:
        raise Invalid("nothing to change: give at least one tracker field", "body")
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        if expected_version != rec.version:
            raise Conflict(
                f"Recommendation {rec.reference} changed since you read it (version {rec.version}).",
                details={
                    "version": rec.version,
                    "current": json.loads(json.dumps(_tracker(rec), default=str)),
                },
            )
        if "implementation" in changes and changes["implementation"] != rec.implementation:
            rules.check_implementation(
                changes["implementation"],
                acceptance=rec.acceptance,
                open_actions=rec.actions.filter(state="open").count(),
                evidence=rec.evidence.count(),
            )
        before = _tracker(rec)
        for name, value in changes.items():
            setattr(rec, name, value)
        if "response_due" in changes:
            rec.response_due_is_default = False
            _rec_alert(rec, policy)
        rec.version += 1
        rec.save()
        audit.record(
            actor,
            "learning.recommendation_updated",
            "learning_recommendation",
            rec.pk,
            before=before,
            after=_tracker(rec),
            reason=reason,
        )
    return rec


def add_action(
    actor: Actor, rec_id: int, *, description: str, owner_id: int, due_date: date
) -> RecommendationAction:
    """K2: an action the force will take on a recommendation, with an owner and a due date (alerted when
    due soon and when overdue)."""
    actor.require("learning.manage")
    description = v.text(description, "description", max_length=4000)
    owner = _staff(owner_id, "owner_id")
    due = _day(due_date, "due_date")
    assert due is not None
    policy = current()
    with unit_of_work():
        rec = _lock_rec(rec_id)
        if rec.acceptance == "not_accepted":
            raise Refusal(
                "This recommendation was not accepted, so it has no actions.",
                safeguard="K2",
                status=409,
                next_step="Record a new response accepting it first.",
            )
        stage, day = rules.first_alert(due, today(), policy.action_due_soon_days)
        action = RecommendationAction.objects.create(
            recommendation=rec,
            description=description,
            owner=owner,
            due_date=due,
            created_at=clock.now(),
            created_by=actor.user,
            alert_stage=stage,
            alert_at=at_start_of(day) if day else None,
        )
        implementation = rules.implementation_after_action(rec.implementation)
        if implementation != rec.implementation:
            rec.implementation = implementation
        rec.version += 1
        rec.save(update_fields=["implementation", "version"])
        audit.record(
            actor,
            "learning.action_added",
            "learning_action",
            action.pk,
            after={
                "recommendation": rec.reference,
                "description": description,
                "owner": owner.username,
                "due_date": due,
            },
        )
        if owner.pk != actor.user_id:
            _notify(
                owner,
                kind="learning_action",
                text=f"K2 action for you on {rec.reference}, due {due:%d %b %Y}: {description}",
            )
    return action


def complete_action(actor: Actor, action_id: int, *, result: str) -> RecommendationAction:
    """K2: an action is done when its owner (or a learning lead) records what was done."""
    result = v.text(result, "result", max_length=4000)
    with unit_of_work():
        action = RecommendationAction.objects.select_for_update().filter(pk=_id(action_id, "action")).first()
        if action is None:
            raise NotFound(f"No action {action_id}.")
        if actor.user_id != action.owner_id:
            actor.require("learning.manage")
        if action.state != "open":
            raise Refusal("This action is already done.", safeguard="K2", status=409)
        rec = Recommendation.objects.select_for_update().get(pk=action.recommendation_id)
        action.state, action.completed_at, action.completed_by, action.result = (
            "done",
            clock.now(),
            actor.user,
            result,
        )
        action.alert_at = None
        action.alert_stage = rules.ALERT_DONE
        action.save()
        rec.implementation = rules.implementation_after_action(rec.implementation)
        rec.version += 1
        rec.save(update_fields=["implementation", "version"])
        audit.record(
            actor,
            "learning.action_completed",
            "learning_action",
            action.pk,
            after={"recommendation": rec.reference, "result": result},
        )
    return action


def add_evidence(
    actor: Actor, rec_id: int, *, description: str, link: str = "", action_id: int | None = None
) -> Evidence:
    """K2: evidence that a recommendation is being implemented (what it is and where it is kept)."""
    actor.require("learning.manage")
    description = v.text(description, "description", max_length=4000)
    link = v.text(link, "link", max_length=500, required=False)
    with unit_of_work():
        rec = _lock_rec(rec_id)
        action = None
        if action_id is not None:
            action = RecommendationAction.objects.filter(
                pk=_id(action_id, "action"), recommendation=rec
            ).first()
            if action is None:
                raise Invalid(f"Action {action_id} is not an action of {rec.reference}", "action_id")
        ev = Evidence.objects.create(
            recommendation=rec,
            action=action,
            description=description,
            link=link,
            added_at=clock.now(),
            added_by=actor.user,
        )
        rec.version += 1
        rec.save(update_fields=["version"])
        audit.record(
            actor,
            "learning.evidence_added",
            "learning_evidence",
            ev.pk,
            after={
                "recommendation": rec.reference,
                "description": description,
                "link": link,
                "action": action.pk if action else None,
            },
        )
    return ev


# ----------------------------------------------------------------------------------- K3 self-assessment
def answer_question(
    actor: Actor,
    question_id: int,
    *,
    answer: str,
    evidence: str = "",
    action: str = "",
    owner_id: int | None = None,
    due_date: date | None = None,
) -> Answer:
    """K3 "Could it happen here?": the force's answer to a key question, with its evidence and the action
    it will take (owner and due date). Answering again keeps the earlier answer on record."""
    actor.require("learning.manage")
    answer = v.text(answer, "answer", max_length=MAX_TEXT, required=False)
    evidence = v.text(evidence, "evidence", max_length=MAX_TEXT, required=False)
    action = v.text(action, "action", max_length=4000, required=False)
    due = _day(due_date, "due_date", required=False)
    rules.check_answer(rules.AnswerIn(answer, evidence, action, owner_id, due))
    owner = _staff(owner_id, "owner_id") if owner_id is not None else None
    with unit_of_work():
        question = (
            KeyQuestion.objects.select_for_update()
            .filter(pk=_id(question_id, "key question"))
            .select_related("case")
            .first()
        )
        if question is None:
            raise NotFound(f"No key question {question_id}.")
        previous = question.answers.order_by("-id").first()
        row = Answer.objects.create(
            question=question,
            answer=answer,
            evidence=evidence,
            action=action,
            owner=owner,
            due_date=due,
            recorded_at=clock.now(),
            recorded_by=actor.user,
        )
        audit.record(
            actor,
            "learning.question_answered",
            "learning_question",
            question.pk,
            before={"answer": previous.pk} if previous else None,
            after={
                "case": question.case.code or question.case_id,
                "answer": answer,
                "evidence": evidence,
                "action": action,
                "owner": owner.username if owner else None,
                "due_date": due,
            },
        )
    return row


# ------------------------------------------------------------------------------------- K4 replays
def _watchkeeper_bin() -> list[str]:
    script = Path(sys.executable).parent / "watchkeeper"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "watchkeeper.cli"]


def run_replay(actor: Actor, case_id: int) -> ReplayResult:
    """K4: run the lesson's replay (`watchkeeper replay NAME`, in its own throwaway database) and keep
    whether it passed, what it printed and when. The replay runs before the unit of work, so a long
    replay never holds the writers' lock."""
    actor.require("learning.manage")
    case = Case.objects.filter(pk=_id(case_id, "case")).first()
    if case is None:
        raise NotFound(f"No case {case_id}.")
    replay = traceability.replay_for(case.code)
    if replay is None or not replay.runnable:
        why = (
            "has no replay"
            if replay is None
            else "has a replay that is planned (its safeguards are not built)"
        )
        raise Refusal(
            f"Lesson {case.code or case.title} {why}.",
            safeguard="K4",
            status=409,
            next_step="Replays are listed by `watchkeeper replay --list`.",
        )
    started = clock.now()
    env = {k: val for k, val in os.environ.items() if k != "WATCHKEEPER_DATABASE_URL"}
    try:
        done = subprocess.run(
            [*_watchkeeper_bin(), "replay", replay.name],
            capture_output=True,
            text=True,
            timeout=REPLAY_TIMEOUT_SECONDS,
            env=env,
        )
        passed, output = done.returncode == 0, (done.stdout + done.stderr)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        passed, output = False, out + f"\nThe replay did not finish within {REPLAY_TIMEOUT_SECONDS} seconds."
    finished = clock.now()
    with unit_of_work():
        result = ReplayResult.objects.create(
            lesson=case.code,
            replay=replay.name,
            passed=passed,
            output=_clean(output)[-MAX_TEXT * 5 :],
            started_at=started,
            finished_at=finished,
            run_by=actor.user,
        )
        audit.record(
            actor,
            "learning.replay_run",
            "learning_case",
            case.pk,
            after={
                "lesson": case.code,
                "replay": replay.name,
                "passed": passed,
                "seconds": round((finished - started).total_seconds(), 1),
            },
        )
    return result


# ------------------------------------------------------------------------------------- settings
def set_setting(actor: Actor, key: str, value: int, reason: str) -> LearningSetting:
    """K2: change a learning setting (the response period, alert windows): a new row, audited."""
    actor.require("learning.manage")
    reason = v.text(reason, "reason", max_length=2000)
    value = rules.check_setting(key, value)
    with unit_of_work():
        before = current().as_dict().get(key)
        row = LearningSetting.objects.create(
            key=key, value=value, changed_at=clock.now(), changed_by=actor.user, reason=reason
        )
        audit.record(
            actor,
            "learning.setting_changed",
            "learning_setting",
            key,
            before=before,
            after=value,
            reason=reason,
        )
    return row


# ------------------------------------------------------------------------------ K2 alerts (sweeper)
def fire_learning_alerts(now: datetime, limit: int = 500) -> int:
    """K2: due-soon and overdue alerts for recommendations awaiting a response and for open actions. Each
    alert is claimed with a conditional update on its stage, so it fires once, whoever sweeps."""
    policy = current()
    return _fire_recommendations(now, policy, limit) + _fire_actions(now, policy, limit)


def _fire_recommendations(now: datetime, policy: rules.LearningPolicy, limit: int) -> int:
    fired = 0
    due = list(Recommendation.objects.filter(alert_at__lte=now).values_list("pk", "alert_stage")[:limit])
    for pk, stage in due:
        with unit_of_work():
            rec = Recommendation.objects.filter(pk=pk).select_related("owner", "document").first()
            if rec is None:
                continue
            live = rec.response_due is not None and not rec.responded
            fire = (
                rules.alert_to_fire(
                    stage, rec.response_due, clock.local(now).date(), policy.response_due_soon_days
                )
                if live
                else rules.ALERT_DONE
            )
            nxt = rules.next_alert(fire, rec.response_due, policy.response_due_soon_days) if live else None
            claimed = Recommendation.objects.filter(pk=pk, alert_stage=stage, alert_at__lte=now).update(
                alert_stage=fire + 1 if live else rules.ALERT_DONE, alert_at=at_start_of(nxt) if nxt else None
            )
            if not claimed or not live:
                continue
            overdue = fire >= rules.ALERT_OVERDUE
            recipients = [rec.owner] if rec.owner else learning_leads()
            text = f"K2: the response to recommendation {rec.reference} ({rec.document.label}) " + (
                f"is overdue: it was due on {rec.response_due:%d %b %Y}."
                if overdue
                else f"is due on {rec.response_due:%d %b %Y}."
            )
            for person in recipients:
                _notify(person, kind="learning_overdue" if overdue else "learning_due", text=text)
            audit.record(
                SYSTEM,
                "learning.response_overdue_alert" if overdue else "learning.response_due_alert",
                "learning_recommendation",
                pk,
                after={"to": [p.username for p in recipients]},
            )
            fired += 1
    return fired


def _fire_actions(now: datetime, policy: rules.LearningPolicy, limit: int) -> int:
    fired = 0
    due = list(
        RecommendationAction.objects.filter(alert_at__lte=now, state="open").values_list("pk", "alert_stage")[
            :limit
        ]
    )
    for pk, stage in due:
        with unit_of_work():
            action = (
                RecommendationAction.objects.filter(pk=pk)
                .select_related("owner", "recommendation__owner")
                .first()
            )
            if action is None:
                continue
            fire = rules.alert_to_fire(
                stage, action.due_date, clock.local(now).date(), policy.action_due_soon_days
            )
            nxt = rules.next_alert(fire, action.due_date, policy.action_due_soon_days)
            claimed = RecommendationAction.objects.filter(
                pk=pk, alert_stage=stage, state="open", alert_at__lte=now
            ).update(alert_stage=fire + 1, alert_at=at_start_of(nxt) if nxt else None)
            if not claimed:
                continue
            overdue = fire >= rules.ALERT_OVERDUE
            rec = action.recommendation
            recipients = [action.owner]
            if overdue and rec.owner_id and rec.owner_id != action.owner_id:
                recipients.append(rec.owner)
            text = (
                f"K2: action on {rec.reference} "
                + (
                    f"is overdue (due {action.due_date:%d %b %Y})"
                    if overdue
                    else f"is due on {action.due_date:%d %b %Y}"
                )
                + f": {action.description}"
            )
            for person in recipients:
                _notify(person, kind="learning_overdue" if overdue else "learning_due", text=text)
            audit.record(
                SYSTEM,
                "learning.action_overdue_alert" if overdue else "learning.action_due_alert",
                "learning_action",
                pk,
                after={"to": [p.username for p in recipients]},
            )
            fired += 1
    return fired
