"""Read models of the learning library: the tracker board (K2), self-assessment progress (K3), themes
across years (K5) and the choices search filters offer. Reads of published learning are not sensitive, so
they write no audit record."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, Q

from watchkeeper.learning import rules
from watchkeeper.learning.actions import today
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    Answer,
    Case,
    CaseTheme,
    Document,
    KeyQuestion,
    Recommendation,
    RecommendationAction,
)


# ------------------------------------------------------------------------------------------ K2 board
@dataclass
class TrackerRow:
    rec: Recommendation
    response_status: str
    rag: rules.Rag
    open_actions: int
    done_actions: int
    overdue_actions: int
    next_action_due: date | None
    evidence: int

    @property
    def acceptance_label(self) -> str:
        return rules.ACCEPTANCE.get(self.rec.acceptance, self.rec.acceptance)

    @property
    def implementation_label(self) -> str:
        return rules.IMPLEMENTATION.get(self.rec.implementation, self.rec.implementation)


RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def _recommendations() -> Any:
    return (
        Recommendation.objects.select_related("document", "case", "owner")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=RecommendationAction.objects.only("id", "recommendation_id", "due_date", "state"),
            )
        )
        .annotate(evidence_count=Count("evidence", distinct=True))
    )


def _row(rec: Recommendation, policy: rules.LearningPolicy, now: date) -> TrackerRow:
    acts = list(rec.actions.all())
    facts = rules.RecommendationFacts(
        acceptance=rec.acceptance,
        implementation=rec.implementation,
        response_due=rec.response_due,
        responded=rec.responded,
        actions=tuple(rules.ActionFacts(a.due_date, a.state == "done") for a in acts),
    )
    open_due = sorted(a.due_date for a in acts if a.state == "open")
    return TrackerRow(
        rec=rec,
        response_status=rules.response_status(rec.response_due, rec.responded, now),
        rag=rules.rag(facts, now, policy),
        open_actions=len(open_due),
        done_actions=sum(1 for a in acts if a.state == "done"),
        overdue_actions=sum(1 for d in open_due if d < now),
        next_action_due=open_due[0] if open_due else None,
        evidence=rec.evidence_count,  # type: ignore[attr-defined]  # annotated by the tracker's query
    )


def tracker(*, force: str = "", rag: str = "", status: str = "") -> list[TrackerRow]:
    """K2: every recommendation with its response status and red/amber/green, worst first."""
    policy, now = current(), today()
    qs = _recommendations()
    if force:
        qs = qs.filter(Q(document__force=force) | Q(addressed_to=force))
    rows = [_row(rec, policy, now) for rec in qs]
    if rag:
        rows = [r for r in rows if r.rag.colour == rag]
    if status:
        rows = [r for r in rows if r.response_status == status]
    rows.sort(key=lambda r: (RAG_ORDER[r.rag.colour], r.rec.response_due or date.max, r.rec.pk))
    return rows


def tracker_row(rec_id: int) -> TrackerRow | None:
    rec = _recommendations().filter(pk=rec_id).first()
    return _row(rec, current(), today()) if rec else None


def rag_counts(rows: list[TrackerRow]) -> dict[str, int]:
    return {c: sum(1 for r in rows if r.rag.colour == c) for c in ("red", "amber", "green")}


CSV_COLUMNS = [
    "reference",
    "document",
    "lesson",
    "number",
    "recommendation",
    "date_made",
    "response_due",
    "response_due_is_default",
    "response_status",
    "addressed_to",
    "linked_bodies",
    "acceptance",
    "response",
    "responded_on",
    "implementation",
    "rag",
    "rag_reason",
    "owner",
    "open_actions",
    "overdue_actions",
    "done_actions",
    "next_action_due",
    "evidence",
]


def tracker_csv(rows: list[TrackerRow]) -> str:
    """K2: the tracker as CSV, one recommendation a row (cells that look like formulas are kept as text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        rec = r.rec
        writer.writerow(
            [
                rules.csv_cell(x)
                for x in (
                    rec.reference,
                    rec.document.label,
                    rec.case.code if rec.case else "",
                    rec.number,
                    rec.text,
                    rec.date_made or "",
                    rec.response_due or "",
                    "yes" if rec.response_due_is_default else "no",
                    r.response_status,
                    rec.addressed_to,
                    "; ".join(rec.linked_bodies),
                    r.acceptance_label,
                    rec.response,
                    rec.responded_on or "",
                    r.implementation_label,
                    r.rag.label,
                    r.rag.reason,
                    rec.owner.username if rec.owner else "",
                    r.open_actions,
                    r.overdue_actions,
                    r.done_actions,
                    r.next_action_due or "",
                    r.evidence,
                )
            ]
        )
    return out.getvalue()


def tracker_json(r: TrackerRow) -> dict[str, Any]:
    rec = r.rec
    return {
        "id": rec.pk,
        "reference": rec.reference,
        "document": rec.document_id,
        "document_title": rec.document.label,
        "lesson": rec.case.code if rec.case else "",
        "number": rec.number,
        "scope": rec.scope or None,
        "text": rec.text,
        "date_made": rec.date_made,
        "response_due": rec.response_due,
        "response_due_is_default": rec.response_due_is_default,
        "response_status": r.response_status,
        "addressed_to": rec.addressed_to,
        "linked_bodies": list(rec.linked_bodies),
        "acceptance": rec.acceptance,
        "response": rec.response,
        "responded_on": rec.responded_on,
        "implementation": rec.implementation,
        "owner": rec.owner.username if rec.owner else None,
        "version": rec.version,
        "rag": {"colour": r.rag.colour, "reason": r.rag.reason},
        "actions": {
            "open": r.open_actions,
            "overdue": r.overdue_actions,
            "done": r.done_actions,
            "next_due": r.next_action_due,
        },
        "evidence": r.evidence,
    }


# ---------------------------------------------------------------------------------- K3 progress
@dataclass
class QuestionView:
    question: KeyQuestion
    current: Answer | None
    history: int

    @property
    def status(self) -> str:
        if self.current is None:
            return rules.question_status(False, "")
        return rules.question_status(True, self.current.action)


def questions_of(case: Case) -> list[QuestionView]:
    """Each key question of a case with its current (newest) answer and how many answers came before."""
    questions = list(case.questions.all())
    answers: dict[int, list[Answer]] = defaultdict(list)
    for a in (
        Answer.objects.filter(question__case=case).select_related("owner", "recorded_by").order_by("-id")
    ):
        answers[a.question_id].append(a)
    return [QuestionView(q, answers[q.pk][0] if answers[q.pk] else None, max(len(answers[q.pk]) - 1, 0))
            for q in questions]


@dataclass
class ProgressRow:
    key: str
    label: str
    progress: rules.Progress
    actions: int
    link: str = ""
    year: int | None = None


def _answered_ids() -> set[int]:
    return set(Answer.objects.values_list("question_id", flat=True).distinct())


def _actions_planned() -> set[int]:
    latest = Answer.objects.values("question_id").annotate(last=Max("id")).values_list("last", flat=True)
    return set(
        Answer.objects.filter(pk__in=list(latest)).exclude(action="").values_list("question_id", flat=True)
    )


def progress_by_document() -> list[ProgressRow]:
    """K3: key questions answered, per document (documents without key questions are left out)."""
    answered, planned = _answered_ids(), _actions_planned()
    per_doc: dict[int, list[int]] = defaultdict(list)
    for qid, doc_id in KeyQuestion.objects.values_list("pk", "case__document_id"):
        per_doc[doc_id].append(qid)
    docs = Document.objects.in_bulk(list(per_doc))
    rows = [
        ProgressRow(
            str(d),
            docs[d].label,
            rules.progress(q in answered for q in qids),
            sum(1 for q in qids if q in planned),
            f"/learning/documents/{d}/",
            docs[d].year,
        )
        for d, qids in per_doc.items()
    ]
    return sorted(rows, key=lambda r: (-(r.year or 0), r.label))


def progress_by_theme() -> list[ProgressRow]:
    """K3: key questions answered, per theme (a question counts under every theme of its case)."""
    answered, planned = _answered_ids(), _actions_planned()
    per_case: dict[int, list[int]] = defaultdict(list)
    for qid, case_id in KeyQuestion.objects.values_list("pk", "case_id"):
        per_case[case_id].append(qid)
    per_theme: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    for key, label, case_id in (
        CaseTheme.objects.filter(case_id__in=list(per_case))
        .values_list("key", "label", "case_id")
        .order_by("id")
    ):
        labels.setdefault(key, label)
        per_theme[key].extend(per_case[case_id])
    rows = [
        ProgressRow(
            k,
            labels[k],
            rules.progress(q in answered for q in qids),
            sum(1 for q in qids if q in planned),
            f"/learning/search/?theme={labels[k]}",
        )
        for k, qids in per_theme.items()
    ]
    return sorted(rows, key=lambda r: r.label.casefold())


def case_progress(case: Case) -> rules.Progress:
    answered = set(Answer.objects.filter(question__case=case).values_list("question_id", flat=True))
    return rules.progress(q in answered for q in case.questions.values_list("pk", flat=True))


def document_progress(doc: Document) -> rules.Progress:
    qids = list(KeyQuestion.objects.filter(case__document=doc).values_list("pk", flat=True))
    answered = set(Answer.objects.filter(question_id__in=qids).values_list("question_id", flat=True))
    return rules.progress(q in answered for q in qids)


# ---------------------------------------------------------------------------------- K5 themes
@dataclass
class ThemeSeries:
    key: str
    label: str
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def years(self) -> int:
        return sum(1 for c in self.counts.values() if c)


@dataclass
class ThemeChart:
    years: list[int]
    series: list[ThemeSeries]
    recurring: list[str]

    @property
    def max_count(self) -> int:
        return max((c for s in self.series for c in s.counts.values()), default=0)


def themes_by_year(limit: int = 20) -> ThemeChart:
    """K5: cases per theme per year (documents without a date are left out), themes seen in the most
    years first; `recurring` names those seen in two or more years."""
    rows = (
        CaseTheme.objects.filter(year__isnull=False)
        .values("key", "year")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
    )
    labels = dict(CaseTheme.objects.order_by("-id").values_list("key", "label"))
    series: dict[str, ThemeSeries] = {}
    for r in rows:
        s = series.setdefault(r["key"], ThemeSeries(r["key"], labels.get(r["key"], r["key"])))
        s.counts[int(r["year"])] = int(r["n"])
    recurring = rules.recurring(
        rules.ThemeYear(k, y, n) for k, s in series.items() for y, n in s.counts.items()
    )
    ordered = sorted(series.values(), key=lambda s: (-s.years, -s.total, s.label.casefold()))[:limit]
    years = sorted({y for s in ordered for y in s.counts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    return ThemeChart(years, ordered, [series[k].label for k in recurring])


# ----------------------------------------------------------------------------------- filters
@dataclass
class FilterChoices:
    themes: list[tuple[str, str]]
    years: list[int]
    kinds: list[tuple[str, str]]
    forces: list[str]


def filter_choices() -> FilterChoices:
    from watchkeeper.learning.models import KIND_CHOICES

    labels: dict[str, str] = {}
    for key, label in CaseTheme.objects.order_by("id").values_list("key", "label"):
        labels.setdefault(key, label)
    years = sorted({y for y in Case.objects.values_list("year", flat=True).distinct() if y}, reverse=True)
    forces = sorted({f for f in Case.objects.exclude(force="").values_list("force", flat=True).distinct()})
    return FilterChoices(
        sorted(((k, v) for k, v in labels.items()), key=lambda kv: kv[1].casefold()),
        years,
        [k for k in KIND_CHOICES if k[0] != "unknown"],
        forces,
    )


# ------------------------------------------------------------------------------------------ K1 record
@dataclass(frozen=True)
class FieldRow:
    """One field of a document's record beside where it came from: its page and line in the text read,
    and those lines of the text, so it can be checked against the original; corrected fields show what
    the parser read."""

    path: str
    label: str
    value: Any
    page: int | None
    line: int | None
    excerpt: str
    corrected: bool
    parser_value: Any
    is_list: bool


@dataclass(frozen=True)
class RecordView:
    version: int
    record: dict[str, Any]
    rows: list[FieldRow]
    versions: list[Any]
    text_document_id: int
    provenance: dict[str, Any]


_LABELS = {
    "title": "Title", "date": "Date", "issue": "Issue", "case_number": "Case number", "themes": "Themes",
    "summary": "Summary", "foreword": "Foreword", "overview": "Overview of incident",
    "investigation_type": "Type of investigation", "findings": "Findings", "outcomes": "Outcomes",
    "questions_managers": "Questions for managers", "questions_staff": "Questions for officers and staff",
    "raising_issues": "Raising issues about", "relevant_to": "Relevant to", "force": "Force",
    "reference": "Reference", "response_due": "Response due", "narrative": "Narrative", "actions": "Actions taken",
    "text": "Recommendation", "addressed_to": "Addressed to", "response": "Response",
}  # fmt: skip
_EXCERPT_LINES = 3
MAX_FIELD_ROWS = 400


def _field_label(path: str) -> str:
    parts = path.split(".")
    if parts[0] in ("cases", "recommendations") and len(parts) >= 3:
        owner = f"{'Case' if parts[0] == 'cases' else 'Recommendation'} {int(parts[1]) + 1}"
        return f"{owner}: {_LABELS.get(parts[2], parts[2])}"
    return _LABELS.get(parts[0], parts[0].replace("_", " ").capitalize())


def _excerpt(lines: list[str], line: int | None) -> str:
    if not line:
        return ""
    start = max(line - 1, 0)
    return "\n".join(text.replace("\x0c", "") for text in lines[start : start + _EXCERPT_LINES]).strip()


def record_view(doc: Document) -> RecordView:
    """K1: the current record of a document, field by field beside the lines of the original it came
    from, and every version of it (the parser's reading, better readings, hand corrections)."""
    from watchkeeper.learning.actions.records import (
        CASE_CORRECTABLE,
        CORRECTABLE,
        REC_CORRECTABLE,
        current_record,
        value_at,
    )

    held = current_record(doc)
    versions = list(doc.versions.select_related("made_by", "read_from").order_by("number"))
    original = versions[0].record if versions else doc.record
    text_doc = Document.objects.filter(pk=held.read_from_id).first() if held.read_from_id else doc
    lines = (text_doc or doc).text.split("\n")
    paths: list[str] = [p for p in CORRECTABLE if p in held.record and held.record[p] not in ("", None, [])]
    for c, case in enumerate(held.record.get("cases") or []):
        paths += [f"cases.{c}.{k}" for k in sorted(CASE_CORRECTABLE) if case.get(k) not in ("", None, [])]
    for r, rec in enumerate(held.record.get("recommendations") or []):
        paths += [f"recommendations.{r}.{k}" for k in sorted(REC_CORRECTABLE) if rec.get(k) not in ("", None, [])]
    rows = []
    for path in paths[:MAX_FIELD_ROWS]:
        value = value_at(held.record, path)
        where = held.provenance.get(path) or held.provenance.get(f"{path}.0") or {}
        rows.append(
            FieldRow(
                path=path,
                label=_field_label(path),
                value=value,
                page=where.get("page"),
                line=where.get("line"),
                excerpt=_excerpt(lines, where.get("line")),
                corrected=path in held.hand,
                parser_value=value_at(original, path),
                is_list=isinstance(value, list),
            )
        )
    return RecordView(max(held.number, 1), held.record, rows, versions, (text_doc or doc).pk, held.provenance)
