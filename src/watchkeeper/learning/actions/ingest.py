"""K1: ingest a learning document: read it, parse it, store the document, its cases, key questions,
themes and recommendations, and index it for search.

One document, whatever its format: an upload whose record says the same as a held document's (its
normalised text: `parsing/identity.py`), or that names itself the same way (a bulletin's issue and date,
a report's issue and case number, a record's force and reference), is kept as another copy of the held
document, never as a second case or duplicate recommendations. If that copy reads better than the held
record (more found, fewer warnings) it becomes the record's next version, shown and audited
(`actions/records.py`). The same file again is read again: a better reading (after the parser improved)
is a new version too; otherwise nothing changes and nothing is written."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules, search
from watchkeeper.learning.actions.common import (
    _clean,
    _rec_alert,
    upload_max_bytes,
)
from watchkeeper.learning.actions.records import add_reading, first_version
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    Case,
    CaseTheme,
    Document,
    KeyQuestion,
    Recommendation,
    RecordVersion,
)
from watchkeeper.learning.parsing import ParsedDocument, UnreadableDocument
from watchkeeper.learning.parsing import identity as same
from watchkeeper.learning.parsing.isolated import DEFAULT_SECONDS, read_isolated_located


@dataclass(frozen=True)
class Ingested:
    """The document held for an upload, and whether this upload created it (False: already held)."""

    document: Document
    created: bool
    updated: RecordVersion | None = None


def fingerprint(parsed: ParsedDocument) -> str:
    """What a document says, independent of its file format and typography: the same lesson as text,
    PDF or Word has one fingerprint, so a second format is kept as a copy rather than as duplicate cases."""
    return same.fingerprint(parsed)


def _same_document(parsed: ParsedDocument) -> Document | None:
    """The held original that names itself as this document does (see `parsing/identity.py`)."""
    if not same.identity(parsed):
        return None
    originals = Document.objects.filter(kind=parsed.kind, copy_of__isnull=True).order_by("pk")
    if parsed.kind == "bulletin":
        return originals.filter(issue=parsed.issue, date=parsed.date).first()
    if parsed.kind == "case_report":
        return originals.filter(issue=parsed.issue, cases__number=parsed.case_number).first()
    return originals.filter(force__iexact=parsed.force[:120], reference__iexact=parsed.reference[:64]).first()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _filename(name: str) -> str:
    name = v.text(name, "filename", max_length=1000)
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    if not base:
        raise Invalid("filename must name a file", "filename")
    return base[-255:]


def read(data: bytes, filename: str) -> tuple[str, ParsedDocument]:
    """K1: the text and parsed record of an upload (see `read_located`)."""
    text, parsed, _ = read_located(data, filename)
    return text, parsed


def read_located(data: bytes, filename: str) -> tuple[str, ParsedDocument, dict[str, Any]]:
    """K1: the text and parsed record of an upload. A file that cannot be read is refused (4xx) with what
    was wrong; a file that only partly fits a kind parses with warnings (never a crash).

    Reading runs in a child process with a time limit (WATCHKEEPER_DOCUMENT_PARSE_SECONDS) and a memory
    cap, after the bounds on inflated size, pages and text (`learning/parsing/limits.py`, `isolated.py`),
    and before any lock is taken."""
    try:
        text, source_format, parsed, where = read_isolated_located(
            data, filename, seconds=float(getattr(settings, "DOCUMENT_PARSE_SECONDS", DEFAULT_SECONDS))
        )
    except UnreadableDocument as exc:
        raise Refusal(
            exc.message,
            safeguard="K1",
            status=422,
            next_step="Upload the document as plain text, PDF (with a text layer), Word .docx or HTML.",
        ) from None
    parsed = dataclasses.replace(parsed, sha256=hashlib.sha256(data).hexdigest(), source_format=source_format)
    return text, parsed, where


def ingest(actor: Actor, data: bytes, filename: str) -> Ingested:
    """K1: store an uploaded learning document with its hash, parse it into cases, key questions and
    recommendations, and index it for search (K5). The same file again changes nothing."""
    actor.require("learning.manage")
    filename = _filename(filename)
    if not isinstance(data, bytes | bytearray):
        raise Invalid("the document must be sent as bytes", "content")
    data = bytes(data)
    max_bytes = upload_max_bytes()
    if len(data) > max_bytes:
        raise Refusal(
            f"'{filename}' is larger than {_size(max_bytes)}, the largest document accepted.",
            safeguard="K1",
            status=413,
            next_step="Split the document, or remove embedded images.",
        )
    sha = hashlib.sha256(data).hexdigest()
    text, parsed, where = read_located(data, filename)
    policy = current()
    print_ = fingerprint(parsed)
    with unit_of_work():
        held = Document.objects.filter(sha256=sha).first()
        if held is not None:  # the same file again: a better reading is the record's next version
            target = held.copy_of or held
            if parsed.kind != target.kind:
                return Ingested(held, False)
            locked = Document.objects.select_for_update().get(pk=target.pk)
            version = add_reading(actor, locked, parsed.to_dict(), where, read_from=held)
            return Ingested(held, False, version)
        original, how = None, "content"
        if parsed.kind != "unknown":
            originals = Document.objects.filter(fingerprint=print_, copy_of__isnull=True).order_by("pk")
            original = originals.first()
            if original is None:
                original, how = _same_document(parsed), "document"
        warnings = list(parsed.warnings)
        if original is not None:
            warnings.append(
                f"Same {how} as '{original.label}' (document {original.pk}, "
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
        if original is None:
            made = _store(doc, parsed, policy)
            if doc.kind != "unknown":
                first_version(actor, doc, record, where)
        else:
            made = {"cases": 0, "questions": 0, "recommendations": 0}
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
        version = None
        if original is not None and original.kind == doc.kind:
            locked = Document.objects.select_for_update().get(pk=original.pk)
            version = add_reading(actor, locked, record, where, read_from=doc)
    return Ingested(doc, True, version)


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
        case.body = _body(case, [*managers, *staff], [(r["text"], r["response"], r["addressed_to"]) for r in recs])
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
    made, due, due_is_default = rules.recommendation_dates(r, doc.date, stated, policy)
    acceptance = rules.acceptance_from_parsed(r["status"], r["accepted"])
    prefix = doc.reference or case.code or f"DOC{doc.pk}"
    rec = Recommendation(
        document=doc,
        case=case,
        number=r["number"],
        reference=f"{prefix}/R{r['number']}"[:100],
        scope=r["scope"] or "",
        text=r["text"],
        date_made=made,
        response_due=due,
        response_due_is_default=due_is_default,
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
