"""Pages of the learning library (K1-K5). Thin: parse the form, call one action, render. A refusal is shown
beside the form that caused it, naming its safeguard, with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.learning import actions, charts, queries, rules, search, traceability
from watchkeeper.learning.config import current
from watchkeeper.learning.models import KIND_CHOICES, Case, Document, Recommendation, ReplayResult, ReplayRun
from watchkeeper.learning.operations import OPERATIONS, RECOMMENDATION_OPERATIONS
from watchkeeper.safeguards.registry import get as get_safeguard
from watchkeeper.staff.models import User
from watchkeeper.web.forms import actor_of, int_param, operation, parse_form

KIND_LABELS = dict(KIND_CHOICES)


def _base(request: HttpRequest, section: str) -> dict[str, Any]:
    actor = actor_of(request)
    actor.require("learning.view")
    return {"section": section, "may_manage": actor.may("learning.manage"), "kind_labels": KIND_LABELS}


def _staff() -> list[User]:
    return list(User.objects.filter(is_active=True).order_by("role", "last_name", "username"))


# ------------------------------------------------------------------------------------------ library
@login_required
def index(request: HttpRequest, error: Refusal | None = None, status: int = 200) -> HttpResponse:
    """K1: the library: upload, and every document held with what was read from it."""
    ctx = _base(request, "library")
    docs = list(Document.objects.order_by("-date", "-id").select_related("copy_of")[:500])
    counts = dict(Document.objects.values_list("pk").annotate(n=Count("cases")))
    for d in docs:
        d.case_count = counts.get(d.pk, 0)  # type: ignore[attr-defined]
    ctx.update(documents=docs, error=error)
    return render(request, "learning/index.html", ctx, status=status)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """K1: a learning lead uploads one or more documents; each is read, parsed and stored (or found)."""
    files = request.FILES.getlist("documents")
    try:
        if not files:
            raise Invalid("Choose a document to upload", "documents")
        results = [actions.ingest(actor_of(request), f.read(), f.name or "upload") for f in files]
    except Refusal as exc:
        return index(request, error=exc, status=exc.status)
    if len(results) == 1:
        r = results[0]
        query = "" if r.created else "?held=1"
        if r.updated is not None:
            query += ("&" if query else "?") + f"reread={r.updated.number}"
        return HttpResponseRedirect(reverse("learning:document", args=[r.document.pk]) + query)
    return HttpResponseRedirect(reverse("learning:index"))


@login_required
def document(
    request: HttpRequest, document_id: int, error: Refusal | None = None, status: int = 200
) -> HttpResponse:
    ctx = _base(request, "library")
    doc = Document.objects.filter(pk=document_id).select_related("copy_of", "ingested_by").first()
    if doc is None:
        raise Http404("No such document")
    source = doc.copy_of or doc
    cases = list(source.cases.all())
    progress = {c.pk: queries.case_progress(c) for c in cases}
    for c in cases:
        c.progress = progress[c.pk]  # type: ignore[attr-defined]
    ctx.update(
        doc=doc,
        source=source,
        cases=cases,
        recommendations=list(source.recommendations.all()),
        progress=queries.document_progress(source),
        held=request.GET.get("held") == "1",
        reread=int_param(request.GET.get("reread"), "reread"),
        copies=list(source.copies.all()),
        record=queries.record_view(source) if source.kind != "unknown" else None,
        correction_error=error,
        form=request.POST if error else {},
    )
    return render(request, "learning/document.html", ctx, status=status)


@login_required
@require_POST
def correct(request: HttpRequest, document_id: int) -> HttpResponse:
    """K1: a learning lead corrects one field of the record, beside the original's lines; the API's
    schema and action, as the API runs them."""
    try:
        version = OPERATIONS["correction"].from_form(actor_of(request), request.POST, document_id=document_id)
    except Refusal as exc:
        if not Document.objects.filter(pk=document_id).exists():
            raise Http404("No such document") from None
        return document(request, document_id, error=exc, status=exc.status)
    return HttpResponseRedirect(
        reverse("learning:document", args=[document_id]) + f"?corrected={version.number}#record"
    )


@login_required
def original(request: HttpRequest, document_id: int) -> HttpResponse:
    """The file exactly as it was uploaded (its SHA-256 is on the document page)."""
    _base(request, "library")
    doc = Document.objects.filter(pk=document_id).only("original", "filename", "source_format").first()
    if doc is None:
        raise Http404("No such document")
    types = {
        "pdf": "application/pdf",
        "html": "text/html",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    response = HttpResponse(bytes(doc.original), content_type=types.get(doc.source_format, "text/plain"))
    response["Content-Disposition"] = f'attachment; filename="{doc.filename.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    response.verbatim = True  # type: ignore[attr-defined]  # the file as uploaded, not a display of it
    return response


# ------------------------------------------------------------------------------------------ cases
def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    ctx = _base(request, "library")
    ctx.update(
        case=case,
        doc=case.document,
        questions=queries.questions_of(case),
        progress=queries.case_progress(case),
        trace=traceability.trace(case.code),
        recommendations=list(case.recommendations.all()),
        staff=_staff(),
        errors={},
        form={},
        results=list(case_replays(case)),
        replay_run=latest_run(case),
    )
    return ctx


def case_replays(case: Case) -> Any:
    return ReplayResult.objects.filter(lesson=case.code).exclude(lesson="").select_related("run_by")[:5]


def latest_run(case: Case) -> ReplayRun | None:
    """The lesson's newest replay run (K4): shown with its progress while queued or running, and with its
    outcome once done."""
    if not case.code:
        return None
    return ReplayRun.objects.filter(lesson=case.code).select_related("requested_by", "result").first()


@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = Case.objects.filter(pk=case_id).select_related("document").first()
    if case is None:
        raise Http404("No such case")
    return render(request, "learning/case.html", _case_context(request, case))


@login_required
def lesson(request: HttpRequest, code: str) -> HttpResponse:
    """K4: a lesson by its code (B31.2): its case, or what is known of it when it is not ingested yet. A
    refusal or prompt that names a safeguard can link here for the lesson behind it."""
    ctx = _base(request, "library")
    cases = list(Case.objects.filter(code=code[:64]).select_related("document").order_by("id"))
    if len(cases) == 1:
        return HttpResponseRedirect(reverse("learning:case", args=[cases[0].pk]))
    trace = traceability.trace(code[:64])
    if not cases and not trace.mapped:
        raise Http404("No such lesson")
    ctx.update(code=code, cases=cases, trace=trace, document_name=traceability.document_name(code))
    return render(request, "learning/lesson.html", ctx)


@login_required
@require_POST
def answer(request: HttpRequest, question_id: int) -> HttpResponse:
    """K3: record the force's answer to one key question."""
    from watchkeeper.learning.models import KeyQuestion

    question = KeyQuestion.objects.filter(pk=question_id).select_related("case__document").first()
    if question is None:
        raise Http404("No such question")
    try:
        OPERATIONS["answer"].from_form(actor_of(request), request.POST, question_id=question_id)
    except Refusal as exc:
        ctx = _case_context(request, question.case)
        ctx["errors"] = {question.pk: exc}
        ctx["form"] = request.POST
        return render(request, "learning/case.html", ctx, status=exc.status)
    return HttpResponseRedirect(reverse("learning:case", args=[question.case_id]) + f"#q{question.pk}")


@login_required
@require_POST
def replay(request: HttpRequest, case_id: int) -> HttpResponse:
    """K4: ask for the lesson's replay. It is queued and the sweeper runs it; the case page shows its
    progress and then whether it passed."""
    case = Case.objects.filter(pk=case_id).select_related("document").first()
    if case is None:
        raise Http404("No such case")
    try:
        actions.request_replay(actor_of(request), case_id)
    except Refusal as exc:
        ctx = _case_context(request, case)
        ctx["errors"] = {"replay": exc}
        return render(request, "learning/case.html", ctx, status=exc.status)
    return HttpResponseRedirect(reverse("learning:case", args=[case_id]) + "#replay")


@login_required
def replay_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """K4: a replay run's state and progress (the case page polls this while the run is queued or running)."""
    _base(request, "library")
    run = ReplayRun.objects.filter(pk=run_id).select_related("requested_by", "result").first()
    if run is None:
        raise Http404("No such replay run")
    return render(request, "learning/_replay_run.html", {"replay_run": run})


# ------------------------------------------------------------------------------------------ search
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """K5: full-text search with highlighted snippets and filters by theme, year, kind and force."""
    ctx = _base(request, "search")
    g = request.GET
    q = g.get("q", "")[:500]
    year = g.get("year", "")
    filters = search.Filters(
        theme=g.get("theme", "")[:120],
        year=int(year) if year.isdigit() and 1900 <= int(year) <= 2200 else None,
        kind=g.get("kind", "")[:24],
        force=g.get("force", "")[:120],
    )
    page = max(1, min(int_param(g.get("page"), "page") or 1, 500))
    hits: list[tuple[Case, Any]] = []
    results = None
    if q.strip():
        results = search.search(q, filters, limit=20, offset=(page - 1) * 20)
        cases = Case.objects.select_related("document").in_bulk([h.case_id for h in results.hits])
        hits = [(cases[h.case_id], h.snippet) for h in results.hits if h.case_id in cases]
    elif filters.active:
        qs = Case.objects.select_related("document").order_by("-year", "code", "id")
        if filters.year:
            qs = qs.filter(year=filters.year)
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        if filters.force:
            qs = qs.filter(force=filters.force)
        if filters.theme:
            qs = qs.filter(theme_rows__key=rules.theme_key(filters.theme))
        hits = [(c, None) for c in qs.distinct()[:200]]
    ctx.update(
        q=q,
        filters=filters,
        choices=queries.filter_choices(),
        results=results,
        hits=hits,
        page=page,
        engine=search.engine(),
    )
    return render(request, "learning/search.html", ctx)


@login_required
def themes(request: HttpRequest) -> HttpResponse:
    """K5: recurring themes across years, as a picture and as a table."""
    ctx = _base(request, "themes")
    chart = queries.themes_by_year()
    ctx.update(
        chart=chart,
        svg=charts.themes_svg(chart),
        rows=[(s, [s.counts.get(y, 0) for y in chart.years]) for s in chart.series],
    )
    return render(request, "learning/themes.html", ctx)


# ------------------------------------------------------------------------------------------ tracker
@login_required
def tracker(request: HttpRequest) -> HttpResponse:
    """K2: the learning board: every recommendation, red/amber/green with the reason in words."""
    ctx = _base(request, "tracker")
    g = request.GET
    rows = queries.tracker(
        force=g.get("force", "")[:120], rag=g.get("rag", "")[:8], status=g.get("status", "")[:12]
    )
    ctx.update(
        rows=rows,
        counts=queries.rag_counts(rows),
        force=g.get("force", ""),
        rag=g.get("rag", ""),
        status=g.get("status", ""),
        forces=queries.filter_choices().forces,
        policy=current(),
        query=request.GET.urlencode(),
    )
    return render(request, "learning/tracker.html", ctx)


@login_required
def tracker_csv(request: HttpRequest) -> HttpResponse:
    """K2: the tracker (as filtered) as a CSV file."""
    _base(request, "tracker")
    g = request.GET
    rows = queries.tracker(
        force=g.get("force", "")[:120], rag=g.get("rag", "")[:8], status=g.get("status", "")[:12]
    )
    response = HttpResponse(queries.tracker_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recommendations.csv"'
    return response


def _rec_context(request: HttpRequest, rec: Recommendation) -> dict[str, Any]:
    ctx = _base(request, "tracker")
    row = queries.tracker_row(rec.pk)
    today = actions.today()
    items = list(rec.actions.select_related("owner", "completed_by"))
    for a in items:
        a.status = rules.action_status(a.due_date, a.state == "done", today)  # type: ignore[attr-defined]
    ctx.update(
        rec=rec,
        row=row,
        action_items=items,
        evidence=list(rec.evidence.select_related("added_by")),
        staff=_staff(),
        errors={},
        form={},
        acceptance=rules.ACCEPTANCE,
        implementation=rules.IMPLEMENTATION,
    )
    return ctx


@login_required
def recommendation(request: HttpRequest, rec_id: int) -> HttpResponse:
    rec = Recommendation.objects.filter(pk=rec_id).select_related("document", "case", "owner").first()
    if rec is None:
        raise Http404("No such recommendation")
    return render(request, "learning/recommendation.html", _rec_context(request, rec))


def _do(request: HttpRequest, rec: Recommendation, what: str) -> None:
    """One of the recommendation page's forms, parsed into the API's schema and run as the API runs it."""
    op = operation(RECOMMENDATION_OPERATIONS, what)
    actor, form = actor_of(request), request.POST
    if what == "action_done":  # the action is named in the API's URL; the page's form carries it
        action_id = int_param(form.get("action_id"), "action_id") or 0
        op.from_form(actor, form, action_id=action_id)
    elif what == "tracker" and form.get("owner_id") == "":
        # The owner list's "— none —" clears the owner, as the API's explicit null does.
        op.run(actor, parse_form(op.schema, form, owner_id=None), rec_id=rec.pk)
    else:
        op.from_form(actor, form, rec_id=rec.pk)


@login_required
@require_http_methods(["POST"])
def recommendation_do(request: HttpRequest, rec_id: int, what: str) -> HttpResponse:
    rec = Recommendation.objects.filter(pk=rec_id).select_related("document", "case", "owner").first()
    if rec is None:
        raise Http404("No such recommendation")
    try:
        _do(request, rec, what)
    except Refusal as exc:
        rec.refresh_from_db()
        ctx = _rec_context(request, rec)
        ctx["errors"] = {what: exc}
        ctx["form"] = request.POST
        return render(request, "learning/recommendation.html", ctx, status=exc.status)
    return HttpResponseRedirect(reverse("learning:recommendation", args=[rec_id]) + f"#{what}")


# ------------------------------------------------------------------------------------------ progress
@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """K3: how far the force has answered "Could it happen here?", per document and per theme."""
    ctx = _base(request, "progress")
    ctx.update(documents=queries.progress_by_document(), themes=queries.progress_by_theme())
    return render(request, "learning/progress.html", ctx)


# ------------------------------------------------------------------------------------------ K4
@login_required
def safeguard_lessons(request: HttpRequest, sid: str) -> HttpResponse:
    """K4: each safeguard lists its lessons, with the ingested cases to open."""
    ctx = _base(request, "library")
    try:
        sg = get_safeguard(sid.upper()[:8])
    except KeyError:
        raise Http404("No such safeguard") from None
    cases = list(traceability.cases_for_safeguard(sg.id))
    codes = traceability.lessons_for(sg.id)
    held = {c.code for c in cases}
    ctx.update(
        sg=sg, cases=cases, missing=[(c, traceability.document_name(c)) for c in codes if c not in held]
    )
    return render(request, "learning/safeguard.html", ctx)
