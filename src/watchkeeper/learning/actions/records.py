"""K1: the versions of a document's parsed record: a better reading of the same document (another format
of it, or the same file read again by an improved parser) and a learning lead's correction of one field.

Each is a new `RecordVersion` (the parser's original is version 1, or the document's stored record for a
document ingested before versions were kept); nothing is overwritten in place except the derived rows
(cases, key questions, recommendations) that show the current record, and those only where the record
says something different. A field corrected by hand is never undone by a later re-reading.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass
from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Conflict, Invalid, NotFound
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules, search
from watchkeeper.learning.actions.common import MAX_TEXT, _clean, _id
from watchkeeper.learning.models import Case, CaseTheme, Document, KeyQuestion, Recommendation, RecordVersion
from watchkeeper.learning.parsing.identity import completeness, normalise

NOT_COMPARED = ("sha256", "source_format", "warnings")
_PATH_RE = re.compile(
    r"^(?:(?P<list>cases|recommendations)\.(?P<index>\d{1,3})\.)?(?P<key>[a-z_]{1,40})(?:\.(?P<item>\d{1,3}))?$"
)
CORRECTABLE = {
    "title", "date", "themes", "summary", "foreword", "overview", "investigation_type", "findings", "outcomes",
    "questions_managers", "questions_staff", "raising_issues", "relevant_to", "force", "reference",
    "response_due",
}  # fmt: skip
CASE_CORRECTABLE = {"title", "narrative", "questions_managers", "questions_staff", "actions", "outcomes", "themes"}
REC_CORRECTABLE = {"text", "addressed_to", "response"}
MAX_ITEMS = 200


@dataclass(frozen=True)
class Current:
    """The record as it stands: its version number (0 when no version row exists yet), the record and
    where its fields came from."""

    number: int
    record: dict[str, Any]
    provenance: dict[str, Any]
    hand: frozenset[str]
    read_from_id: int | None = None  # the upload whose text the provenance points into (None: the document)


def current_record(doc: Document) -> Current:
    """The record as it stands, with its version and where its fields came from."""
    return current(doc)


def current(doc: Document) -> Current:
    versions = list(doc.versions.order_by("number"))
    hand = frozenset(change["field"] for ver in versions if ver.source == "hand" for change in ver.changes)
    if not versions:
        return Current(0, doc.record, {}, hand)
    newest = versions[-1]
    return Current(newest.number, newest.record, newest.provenance, hand, newest.read_from_id)


def record_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two readings of a record, field by field ("cases.2.narrative")."""
    changes: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new)):
        if key in NOT_COMPARED:
            continue
        before, after = old.get(key), new.get(key)
        if key in ("cases", "recommendations") and isinstance(before, list) and isinstance(after, list):
            for index in range(max(len(before), len(after))):
                a = before[index] if index < len(before) else {}
                b = after[index] if index < len(after) else {}
                for sub in sorted(set(a) | set(b)):
                    if a.get(sub) != b.get(sub):
                        changes.append({"field": f"{key}.{index}.{sub}", "before": a.get(sub), "after": b.get(sub)})
        elif before != after:
            changes.append({"field": key, "before": before, "after": after})
    return changes


def _same_words(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Do two readings differ only in typography (quotes, dashes, spacing, case)? Then neither is better."""

    def words(record: dict[str, Any]) -> Any:
        return normalise({k: val for k, val in record.items() if k not in NOT_COMPARED})

    return bool(words(old) == words(new))


def value_at(record: dict[str, Any], path: str) -> Any:
    current_value: Any = record
    for part in path.split("."):
        if isinstance(current_value, list):
            index = int(part)
            current_value = current_value[index] if index < len(current_value) else None
        elif isinstance(current_value, dict):
            current_value = current_value.get(part)
        else:
            return None
    return current_value


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target: Any = record
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


# ------------------------------------------------------------------------------------- derived rows
def _case_fields(kind: str, record: dict[str, Any], index: int) -> dict[str, Any] | None:
    """What a case row shows, from the record (None when the record has no such case)."""
    if kind == "bulletin":
        cases = record.get("cases") or []
        if index >= len(cases):
            return None
        c = cases[index]
        return {
            "number": c.get("number"),
            "title": (c.get("title") or "Untitled")[:300],
            "narrative": c.get("narrative") or "",
            "actions_taken": c.get("actions") or [],
            "outcomes": c.get("outcomes") or [],
            "links": c.get("links") or [],
            "topics": c.get("topics") or [],
            "themes": rules.distinct_themes(c.get("themes") or []),
            "managers": c.get("questions_managers") or [],
            "staff": c.get("questions_staff") or [],
        }
    if index > 0:
        return None
    report = kind == "case_report"
    return {
        "number": record.get("case_number") if report else None,
        "title": (record.get("title") or "Untitled")[:300],
        "narrative": (record.get("overview") or record.get("summary") or "") if report else record.get("summary") or "",
        "actions_taken": [],
        "outcomes": record.get("outcomes") or [],
        "links": record.get("links") or [],
        "topics": record.get("raising_issues") or [],
        "themes": rules.distinct_themes([*(record.get("themes") or []), *(record.get("relevant_to") or [])]),
        "findings": record.get("findings") or [],
        "managers": record.get("questions_managers") or [],
        "staff": record.get("questions_staff") or [],
    }


def _sync_questions(case: Case, managers: list[str], staff: list[str]) -> int:
    changed = 0
    held = {(q.audience, q.position): q for q in case.questions.all()}
    for audience, texts in (("managers", managers), ("staff", staff)):
        for position, text in enumerate(texts, start=1):
            if not text.strip():
                continue
            question = held.get((audience, position))
            if question is None:
                KeyQuestion.objects.create(case=case, audience=audience, position=position, text=text)
                changed += 1
            elif question.text != text:
                question.text = text
                question.save(update_fields=["text"])
                changed += 1
    return changed


def apply_record(doc: Document, record: dict[str, Any]) -> dict[str, int]:
    """Make the document's cases, key questions and recommendations show `record` (K1): changed fields
    updated, new cases, questions and recommendations added; nothing removed. The search index follows."""
    from watchkeeper.learning.actions.ingest import _body, _case

    cases = list(doc.cases.order_by("number", "id"))
    touched: list[Case] = []
    added_cases = 0
    index = 0
    while (fields := _case_fields(doc.kind, record, index)) is not None:
        managers, staff = fields.pop("managers"), fields.pop("staff")
        findings = fields.pop("findings", None)
        case = (
            next((c for c in cases if c.number == fields["number"]), None)
            if doc.kind == "bulletin"
            else (cases[0] if cases else None)
        )
        if case is None:
            case = _case(
                doc,
                number=fields["number"],
                title=fields["title"],
                narrative=fields["narrative"],
                actions=fields["actions_taken"],
                outcomes=fields["outcomes"],
                links=fields["links"],
                topics=fields["topics"],
                themes=fields["themes"],
                details={},
                findings=findings,
            )
            case.save(force_insert=True)
            added_cases += 1
        else:
            for name, value in fields.items():
                setattr(case, name, value)
            if findings is not None:
                case.findings = findings
            case.save()
        known = set(case.theme_rows.values_list("key", flat=True))
        CaseTheme.objects.bulk_create(
            [
                CaseTheme(case=case, key=rules.theme_key(t), label=t, year=doc.year)
                for t in case.themes
                if rules.theme_key(t) not in known
            ]
        )
        _sync_questions(case, managers, staff)
        touched.append(case)
        index += 1
    recs = _sync_recommendations(doc, record, touched[0] if touched else None)
    for case in touched:
        questions = list(case.questions.order_by("audience", "position").values_list("text", flat=True))
        case.body = _body(
            case,
            questions,
            [(r.text, r.response, r.addressed_to) for r in doc.recommendations.all()] if doc.kind != "bulletin" else [],
        )
        case.save(update_fields=["body"])
    search.reindex_cases(
        [
            search.index_row(c.pk, c.title, c.body, year=c.year, kind=c.kind, force=c.force, themes=c.themes)
            for c in touched
        ]
    )
    return {"cases": len(touched), "cases_added": added_cases, "recommendations_added": recs}


def _sync_recommendations(doc: Document, record: dict[str, Any], case: Case | None) -> int:
    """Recommendation text from the record; the tracker fields only while nobody has changed them."""
    from watchkeeper.learning.actions.common import _rec_alert
    from watchkeeper.learning.config import current as policy_now

    if doc.kind == "bulletin" or case is None:
        return 0
    held = {(r.number, r.scope): r for r in doc.recommendations.all()}
    added = 0
    policy = policy_now()
    for item in record.get("recommendations") or []:
        key = (item["number"], item.get("scope") or "")
        rec = held.get(key)
        if rec is None:
            acceptance = rules.acceptance_from_parsed(item.get("status"), item.get("accepted"))
            due_text = record.get("response_due")
            stated = (
                datetime.date.fromisoformat(due_text)
                if due_text and not record.get("response_due_is_default")
                else None
            )
            record_made = datetime.date.fromisoformat(record["date"]) if record.get("date") else doc.date
            made, due, due_is_default = rules.recommendation_dates(item, record_made, stated, policy)
            rec = Recommendation(
                document=doc,
                case=case,
                number=item["number"],
                reference=f"{doc.reference or case.code or f'DOC{doc.pk}'}/R{item['number']}"[:100],
                scope=item.get("scope") or "",
                text=item.get("text") or "",
                date_made=made,
                response_due=due,
                response_due_is_default=due_is_default,
                addressed_to=(item.get("addressed_to") or "")[:200],
                linked_bodies=item.get("linked_bodies") or [],
                acceptance=acceptance,
                response=item.get("response") or "",
                implementation=rules.initial_implementation(acceptance),
            )
            _rec_alert(rec, policy)
            rec.save(force_insert=True)
            added += 1
            continue
        changed = rec.text != (item.get("text") or "")
        rec.text = item.get("text") or ""
        if rec.version == 1:  # the tracker is as it was read: the reading may still correct it
            for name, value in (
                ("addressed_to", (item.get("addressed_to") or "")[:200]),
                ("linked_bodies", item.get("linked_bodies") or []),
                ("response", item.get("response") or ""),
            ):
                changed = changed or getattr(rec, name) != value
                setattr(rec, name, value)
        if changed:
            rec.save()
    return added


# ------------------------------------------------------------------------------------- the actions
def add_reading(
    actor: Actor, doc: Document, record: dict[str, Any], provenance: dict[str, Any], *, read_from: Document | None
) -> RecordVersion | None:
    """Inside the caller's unit of work: a better reading of `doc` becomes its next version (fields
    corrected by hand kept as corrected), shown and audited; a reading no better than the current one,
    or no different, changes nothing (None)."""
    held = current(doc)
    record = copy.deepcopy(_clean(record))
    for path in held.hand:
        corrected = value_at(held.record, path)
        try:
            _set(record, path, corrected)
        except (KeyError, IndexError, ValueError, TypeError):
            continue
    changes = record_changes(held.record, record)
    if not changes or completeness(record) < completeness(held.record) or _same_words(held.record, record):
        return None
    if held.number == 0:
        _version(doc, 1, "parser", held.record, {}, [], "", None, None)
    version = _version(doc, max(held.number, 1) + 1, "reparse", record, provenance, changes, "", read_from, actor)
    made = apply_record(doc, record)
    audit.record(
        actor,
        "learning.record_reread",
        "learning_document",
        doc.pk,
        before={"version": max(held.number, 1)},
        after={
            "version": version.number,
            "read_from": read_from.pk if read_from else None,
            "fields": [c["field"] for c in changes][:100],
            **made,
        },
    )
    return version


def _version(
    doc: Document,
    number: int,
    source: str,
    record: dict[str, Any],
    provenance: dict[str, Any],
    changes: list[dict[str, Any]],
    reason: str,
    read_from: Document | None,
    actor: Actor | None,
) -> RecordVersion:
    return RecordVersion.objects.create(
        document=doc,
        number=number,
        source=source,
        record=record,
        provenance=provenance,
        changes=_clean(changes),
        reason=reason,
        read_from=read_from,
        made_at=clock.now(),
        made_by=actor.user if actor else None,
    )


def first_version(actor: Actor, doc: Document, record: dict[str, Any], provenance: dict[str, Any]) -> RecordVersion:
    """Version 1: what the parser read at ingest, with where each field came from."""
    return _version(doc, 1, "parser", record, _clean(provenance), [], "", None, actor)


def _check_path(doc: Document, record: dict[str, Any], path: str) -> None:
    match = _PATH_RE.match(path)
    if not match:
        raise Invalid("field must name a field of the record, such as 'title' or 'cases.0.narrative'", "field")
    allowed = {"cases": CASE_CORRECTABLE, "recommendations": REC_CORRECTABLE}.get(match["list"] or "", CORRECTABLE)
    if match["key"] not in allowed:
        raise Invalid(f"'{match['key']}' cannot be corrected here", "field")
    if match["list"] == "cases" and doc.kind != "bulletin":
        raise Invalid("only a bulletin has cases", "field")
    holder = record if not match["list"] else value_at(record, f"{match['list']}.{match['index']}")
    if not isinstance(holder, dict) or match["key"] not in holder:
        raise Invalid(f"the record has no field '{path}'", "field")
    if match["item"] is not None:
        items = holder[match["key"]]
        if not isinstance(items, list) or int(match["item"]) >= len(items):
            raise Invalid(f"the record has no field '{path}'", "field")


def _check_value(record: dict[str, Any], path: str, value: Any) -> Any:
    before = value_at(record, path)
    key = path.rsplit(".", 1)[-1]
    if key in ("date", "response_due"):
        if not isinstance(value, str):
            raise Invalid("a date must be given as YYYY-MM-DD", "value")
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid("a date must be given as YYYY-MM-DD", "value") from None
        if not datetime.date(1990, 1, 1) <= day <= datetime.date(2200, 12, 31):
            raise Invalid("value is not a plausible date", "value")
        return day.isoformat()
    if isinstance(before, list):
        if isinstance(value, str):  # a form's text area: one item a line
            value = [line.strip() for line in value.splitlines() if line.strip()]
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise Invalid(f"value must be a list of at most {MAX_ITEMS} texts", "value")
        return [v.text(item, "value", max_length=MAX_TEXT) for item in value]
    return v.text(value, "value", max_length=MAX_TEXT, required=key in ("title", "text"))


def correct_field(
    actor: Actor, document_id: int, *, field: str, value: Any, reason: str, expected_version: int
) -> RecordVersion:
    """K1: a learning lead corrects one field of a document's record by hand. The correction is a new
    version (the parser's original and every earlier version kept), audited with before and after; the
    cases, questions and recommendations showing the record follow it. `expected_version` is the version
    the person read: a change made since is never silently overwritten."""
    actor.require("learning.manage")
    field = v.text(field, "field", max_length=120)
    reason = v.text(reason, "reason", max_length=2000)
    with unit_of_work():
        doc = Document.objects.select_for_update().filter(pk=_id(document_id, "document")).first()
        if doc is None:
            raise NotFound(f"No document {document_id}.")
        if doc.copy_of_id is not None:
            raise Invalid(
                f"document {doc.pk} is a copy of document {doc.copy_of_id}; correct the record there", "document"
            )
        if doc.kind == "unknown":
            raise Invalid("a document of no known kind has no record to correct", "document")
        held = current(doc)
        if expected_version != max(held.number, 1):
            raise Conflict(
                f"The record of document {doc.pk} changed since you read it (version {max(held.number, 1)}).",
                details={"version": max(held.number, 1)},
            )
        _check_path(doc, held.record, field)
        new_value = _check_value(held.record, field, _clean(value))
        before = value_at(held.record, field)
        if new_value == before:
            raise Invalid("the value is the same as the record's; nothing to correct", "value")
        record = copy.deepcopy(held.record)
        _set(record, field, new_value)
        if field == "response_due":
            record["response_due_is_default"] = False
        if held.number == 0:
            _version(doc, 1, "parser", held.record, {}, [], "", None, None)
        change = {"field": field, "before": before, "after": new_value}
        version = _version(doc, max(held.number, 1) + 1, "hand", record, held.provenance, [change], reason, None, actor)
        made = apply_record(doc, record)
        audit.record(
            actor,
            "learning.record_corrected",
            "learning_document",
            doc.pk,
            before={"version": max(held.number, 1), "field": field, "value": before},
            after={"version": version.number, "field": field, "value": new_value, "reason": reason, **made},
        )
    return version
