"""JSON endpoints of the learning library (K1-K5), under /api/learning. Thin: parse, call one action or
read model, render. Writes need learning.manage (learning lead, administrator); reads learning.view."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from watchkeeper.core.errors import Invalid, NotFound
from watchkeeper.learning import actions, queries, rules, search, traceability
from watchkeeper.learning.config import current
from watchkeeper.learning.models import Case, Document, Recommendation, ReplayRun
from watchkeeper.learning.operations import OPERATIONS
from watchkeeper.learning.schemas import (
    ActionDoneIn,
    ActionIn,
    AnswerIn,
    CorrectionIn,
    DocumentIn,
    EvidenceIn,
    ResponseIn,
    SettingIn,
    TrackerIn,
)
from watchkeeper.web.forms import actor_of

router = Router(tags=["learning"])


# ------------------------------------------------------------------------------------------- renders
def _get(model: Any, pk: int, what: str) -> Any:
    if not 0 < pk < 2**63:
        raise NotFound(f"No {what} {pk}.")
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No {what} {pk}.")
    return row


def document_out(d: Document, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": d.pk,
        "kind": d.kind,
        "title": d.title,
        "label": d.label,
        "filename": d.filename,
        "format": d.source_format,
        "size": d.size,
        "sha256": d.sha256,
        "issue": d.issue,
        "date": d.date,
        "force": d.force or None,
        "reference": d.reference or None,
        "themes": list(d.themes),
        "warnings": list(d.warnings),
        "copy_of": d.copy_of_id,
        "ingested_at": d.ingested_at,
    }
    if full:
        out["record"] = d.record
        out["cases"] = [
            {"id": c.pk, "code": c.code, "number": c.number, "title": c.title} for c in d.cases.all()
        ]
    return out


def case_out(c: Case) -> dict[str, Any]:
    trace = traceability.trace(c.code)
    return {
        "id": c.pk,
        "code": c.code,
        "number": c.number,
        "title": c.title,
        "kind": c.kind,
        "year": c.year,
        "date": c.date,
        "force": c.force or None,
        "document": c.document_id,
        "document_title": c.document.label,
        "narrative": c.narrative,
        "themes": list(c.themes),
        "topics": list(c.topics),
        "actions_taken": list(c.actions_taken),
        "outcomes": list(c.outcomes),
        "findings": list(c.findings),
        "links": list(c.links),
        "details": c.details,
        "questions": [question_out(q) for q in queries.questions_of(c)],
        "recommendations": [{"id": r.pk, "reference": r.reference} for r in c.recommendations.all()],
        "safeguards": [
            {"id": s.id, "title": s.title, "state": s.state, "url": s.url} for s in trace.safeguards
        ],
        "replay": {
            "name": trace.replay.name if trace.replay else None,
            "state": trace.replay_state,
            "last_run": trace.last_run.finished_at if trace.last_run else None,
        },
    }


def question_out(qv: queries.QuestionView) -> dict[str, Any]:
    a = qv.current
    return {
        "id": qv.question.pk,
        "audience": qv.question.audience,
        "position": qv.question.position,
        "text": qv.question.text,
        "status": qv.status,
        "earlier_answers": qv.history,
        "answer": None
        if a is None
        else {
            "id": a.pk,
            "answer": a.answer,
            "evidence": a.evidence,
            "action": a.action,
            "owner": a.owner.username if a.owner else None,
            "due_date": a.due_date,
            "recorded_at": a.recorded_at,
            "recorded_by": a.recorded_by.username if a.recorded_by else None,
        },
    }


def _tracker_out(rec_id: int) -> dict[str, Any]:
    row = queries.tracker_row(rec_id)
    if row is None:
        raise NotFound(f"No recommendation {rec_id}.")
    return queries.tracker_json(row)


# ----------------------------------------------------------------------------------------- documents
@router.get("/documents", summary="Learning documents in the library (K1)")
def list_documents(request: HttpRequest, kind: str = "", limit: int = 100) -> list[dict[str, Any]]:
    actor_of(request, via="api").require("learning.view")
    qs = Document.objects.order_by("-date", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    return [document_out(d) for d in qs[: max(1, min(limit, 500))]]


@router.post(
    "/documents",
    response={200: dict, 201: dict},
    summary="Ingest a document (K1): text, PDF, Word or HTML; the same file again changes nothing",
    description=(
        "201 with the new document, 200 when the same file is already held. 413 when the file is larger "
        "than the upload limit (WATCHKEEPER_UPLOAD_MAX_MB, the same as the library page's). 422 when it "
        "cannot be read within its bounds: a Word file that would inflate too far, more PDF pages or more "
        "text than a document may have, or reading that passes its time limit (nothing is stored)."
    ),
)
def ingest(request: HttpRequest, body: DocumentIn) -> Status[dict[str, Any]]:
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("content_base64 is not base64", "content_base64") from None
    result = actions.ingest(actor_of(request, via="api"), data, body.filename)
    body_out = {
        **document_out(result.document, full=True),
        "created": result.created,
        "record_updated": version_out(result.updated) if result.updated else None,
    }
    return Status(201 if result.created else 200, body_out)


def version_out(ver: Any) -> dict[str, Any]:
    return {
        "number": ver.number,
        "source": ver.source,
        "changes": ver.changes,
        "reason": ver.reason,
        "read_from": ver.read_from_id,
        "made_at": ver.made_at,
        "made_by": ver.made_by_id,
    }


@router.get(
    "/documents/{document_id}/record",
    summary="A document's current record, where each field came from (page, line), and its versions (K1)",
)
def document_record(request: HttpRequest, document_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    doc = _get(Document, document_id, "document")
    source = doc.copy_of or doc
    view = queries.record_view(source)
    return {
        "document": source.pk,
        "version": view.version,
        "record": view.record,
        "provenance": view.provenance,
        "text_document": view.text_document_id,
        "corrected": [row.path for row in view.rows if row.corrected],
        "versions": [version_out(ver) for ver in view.versions],
    }


@router.post(
    "/documents/{document_id}/corrections",
    response={201: dict},
    summary="Correct one field of a document's record by hand: a new version, the parser's kept (K1)",
)
def correct(request: HttpRequest, document_id: int, body: CorrectionIn) -> Status[dict[str, Any]]:
    ver = OPERATIONS["correction"].run(actor_of(request, via="api"), body, document_id=document_id)
    return Status(201, version_out(ver))


@router.get("/documents/{document_id}", summary="A document with its parsed record and cases (K1)")
def get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    return document_out(_get(Document, document_id, "document"), full=True)


@router.get("/cases/{case_id}", summary="A lesson case: questions and answers (K3), safeguards (K4)")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    return case_out(_get(Case, case_id, "case"))


def replay_run_out(r: ReplayRun) -> dict[str, Any]:
    result = r.result
    return {
        "id": r.pk,
        "lesson": r.lesson,
        "replay": r.replay,
        "case": r.case_id,
        "state": r.state,
        "requested_at": r.requested_at,
        "requested_by": r.requested_by.username if r.requested_by else None,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "progress": {"steps_done": r.steps_done, "steps_total": r.steps_total, "current_step": r.current_step},
        "summary": r.summary,
        "failure": r.failure,
        "passed": None if not r.done else r.state == "passed",
        "output": result.output if result else None,
    }


@router.post(
    "/cases/{case_id}/replay",
    response={202: dict},
    summary="Ask for the lesson's replay (K4): it is queued and runs off the request; poll its status",
)
def replay(request: HttpRequest, case_id: int) -> Status[dict[str, Any]]:
    run = actions.request_replay(actor_of(request, via="api"), case_id)
    return Status(202, replay_run_out(run))


@router.get("/replay-runs/{run_id}", summary="A replay run: queued, running (steps done), passed or failed (K4)")
def replay_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    run = _get(ReplayRun, run_id, "replay run")
    return replay_run_out(run)


@router.get("/lessons/{code}", summary="A lesson by its code (e.g. B31.2): its cases and safeguards (K4)")
def lesson(request: HttpRequest, code: str) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    code = code.strip()[:64]
    trace = traceability.trace(code)
    cases = list(Case.objects.filter(code=code).order_by("id")[:50])
    if not cases and not trace.mapped:
        raise NotFound(f"No lesson {code!r}.")
    return {
        "code": code,
        "cases": [{"id": c.pk, "title": c.title, "document": c.document_id} for c in cases],
        "safeguards": [{"id": s.id, "title": s.title, "state": s.state} for s in trace.safeguards],
        "replay": {"name": trace.replay.name if trace.replay else None, "state": trace.replay_state},
    }


@router.get("/safeguards/{sid}/lessons", summary="The lessons a safeguard answers (K4)")
def safeguard_lessons(request: HttpRequest, sid: str) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    from watchkeeper.safeguards.registry import get

    try:
        sg = get(sid.strip().upper()[:8])
    except KeyError:
        raise NotFound(f"No safeguard {sid!r}.") from None
    held = list(traceability.cases_for_safeguard(sg.id))
    return {
        "safeguard": sg.id,
        "state": sg.state,
        "lessons": traceability.lessons_for(sg.id),
        "cases": [{"id": c.pk, "code": c.code, "title": c.title, "document": c.document.label} for c in held],
    }


# -------------------------------------------------------------------------------------- K5 search
@router.get("/search", summary="Full-text search with highlighted snippets (K5)")
def search_cases(
    request: HttpRequest,
    q: str = "",
    theme: str = "",
    year: int | None = None,
    kind: str = "",
    force: str = "",
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    if year is not None and not 1900 <= year <= 2200:
        raise Invalid("year must be a year such as 2017", "year")
    filters = search.Filters(theme=theme[:120], year=year, kind=kind[:24], force=force[:120])
    results = search.search(q, filters, limit=limit, offset=offset)
    cases = Case.objects.select_related("document").in_bulk([h.case_id for h in results.hits])
    return {
        "query": q,
        "engine": search.engine(),
        "total": results.total,
        "more": results.more,
        "fuzzy": results.fuzzy,
        "order": "relevance" if results.by_relevance else "newest",
        "hits": [
            {
                "case": h.case_id,
                "code": cases[h.case_id].code,
                "title": cases[h.case_id].title,
                "document": cases[h.case_id].document.label,
                "year": cases[h.case_id].year,
                "snippet_html": str(h.snippet),
                "rank": round(h.rank, 4),
            }
            for h in results.hits
            if h.case_id in cases
        ],
    }


@router.get("/themes", summary="Recurring themes across years (K5)")
def themes(request: HttpRequest) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    chart = queries.themes_by_year()
    return {
        "years": chart.years,
        "recurring": chart.recurring,
        "themes": [
            {
                "theme": s.label,
                "total": s.total,
                "years": s.years,
                "by_year": {str(y): s.counts.get(y, 0) for y in chart.years},
            }
            for s in chart.series
        ],
    }


# ------------------------------------------------------------------------------------- K2 tracker
@router.get(
    "/recommendations",
    summary="The recommendations tracker with red/amber/green (K2); ?format=csv for the CSV export",
)
def recommendations(
    request: HttpRequest, force: str = "", rag: str = "", status: str = "", format: str = "json"
) -> Any:
    actor_of(request, via="api").require("learning.view")
    rows = queries.tracker(force=force[:120], rag=rag[:8], status=status[:12])
    if format == "csv":
        response = HttpResponse(queries.tracker_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recommendations.csv"'
        return response
    return [queries.tracker_json(r) for r in rows]


@router.get("/recommendations/{rec_id}", summary="A recommendation with its actions and evidence (K2)")
def recommendation(request: HttpRequest, rec_id: int) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    rec = _get(Recommendation, rec_id, "recommendation")
    return {
        **_tracker_out(rec.pk),
        "action_items": [
            {
                "id": a.pk,
                "description": a.description,
                "owner": a.owner.username,
                "due_date": a.due_date,
                "state": a.state,
                "result": a.result,
                "status": rules.action_status(a.due_date, a.state == "done", actions.today()),
            }
            for a in rec.actions.select_related("owner")
        ],
        "evidence_items": [
            {
                "id": e.pk,
                "description": e.description,
                "link": e.link,
                "action": e.action_id,
                "added_at": e.added_at,
            }
            for e in rec.evidence.all()
        ],
    }


@router.post("/recommendations/{rec_id}/response", summary="Record the force's response (K2)")
def respond(request: HttpRequest, rec_id: int, body: ResponseIn) -> dict[str, Any]:
    rec = OPERATIONS["response"].run(actor_of(request, via="api"), body, rec_id=rec_id)
    return _tracker_out(rec.pk)


@router.patch("/recommendations/{rec_id}", summary="Change tracker fields (needs expected_version) (K2)")
def update(request: HttpRequest, rec_id: int, body: TrackerIn) -> dict[str, Any]:
    rec = OPERATIONS["tracker"].run(actor_of(request, via="api"), body, rec_id=rec_id)
    return _tracker_out(rec.pk)


@router.post(
    "/recommendations/{rec_id}/actions",
    response={201: dict},
    summary="An action with an owner and a due date (K2)",
)
def add_action(request: HttpRequest, rec_id: int, body: ActionIn) -> Status[dict[str, Any]]:
    a = OPERATIONS["action"].run(actor_of(request, via="api"), body, rec_id=rec_id)
    return Status(201, {"id": a.pk, "state": a.state, "due_date": a.due_date, "owner": a.owner.username})


@router.post("/actions/{action_id}/complete", summary="Record what an action did (K2)")
def complete_action(request: HttpRequest, action_id: int, body: ActionDoneIn) -> dict[str, Any]:
    a = OPERATIONS["action_done"].run(actor_of(request, via="api"), body, action_id=action_id)
    return {"id": a.pk, "state": a.state}


@router.post("/recommendations/{rec_id}/evidence", response={201: dict}, summary="Add evidence (K2)")
def add_evidence(request: HttpRequest, rec_id: int, body: EvidenceIn) -> Status[dict[str, Any]]:
    e = OPERATIONS["evidence"].run(actor_of(request, via="api"), body, rec_id=rec_id)
    return Status(201, {"id": e.pk, "description": e.description})


# ---------------------------------------------------------------------------------- K3 answers
@router.post(
    "/questions/{question_id}/answers",
    response={201: dict},
    summary="Answer a key question: could it happen here? (K3)",
)
def answer(request: HttpRequest, question_id: int, body: AnswerIn) -> Status[dict[str, Any]]:
    a = OPERATIONS["answer"].run(actor_of(request, via="api"), body, question_id=question_id)
    return Status(
        201,
        {
            "id": a.pk,
            "question": a.question_id,
            "answer": a.answer,
            "action": a.action,
            "due_date": a.due_date,
        },
    )


@router.get("/progress", summary="Self-assessment progress per document and per theme (K3)")
def progress(request: HttpRequest) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")

    def rows(items: list[queries.ProgressRow]) -> list[dict[str, Any]]:
        return [
            {
                "name": r.label,
                "answered": r.progress.answered,
                "questions": r.progress.total,
                "percent": r.progress.percent,
                "actions_planned": r.actions,
            }
            for r in items
        ]

    return {"documents": rows(queries.progress_by_document()), "themes": rows(queries.progress_by_theme())}


# ------------------------------------------------------------------------------------- settings
@router.get("/settings", summary="The learning settings in force (K2)")
def settings(request: HttpRequest) -> dict[str, Any]:
    actor_of(request, via="api").require("learning.view")
    return current().as_dict()


@router.post("/settings", summary="Change a learning setting, audited (K2)")
def change_setting(request: HttpRequest, body: SettingIn) -> dict[str, Any]:
    OPERATIONS["setting"].run(actor_of(request, via="api"), body)
    return current().as_dict()
