"""Structured records produced by the learning-document parser (safeguard K1).

The dataclasses are frozen so a parsed record cannot be edited after the fact
by accident: what was read from the document is what gets stored and shown.
Every class offers ``to_dict()`` with JSON-ready values (dates as ISO
strings), because that is what ``watchkeeper ingest --json`` prints and what
the Django side stores.

Fields that a given kind of document does not have stay at their empty
default ("" / [] / None) rather than being omitted, so consumers can rely on
one stable shape.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any

KINDS = ("bulletin", "case_report", "recommendation_record", "unknown")


def _jsonable(value: Any) -> Any:
    """Convert dataclass trees into JSON-serialisable data (dates as ISO)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ParsedRecommendation:
    """One recommendation, from a case report or a recommendation record.

    ``accepted`` is True when the recommendation was accepted in full or in
    part, False when it was not accepted, and None when the document does not
    say; ``status`` keeps the nuance ("accepted", "partly accepted",
    "not accepted", "awaiting response").  ``scope`` is "local" or
    "national" for case-report recommendations and None when not stated.
    ``recommended`` (and its wording) is the date this recommendation was
    made and ``response_due`` when the force must answer it, for a
    recommendation record: its own dates where it states them, else the
    record's; a due date not stated is the statutory default (56 days after
    the date recommended) and ``response_due_is_default`` is True.
    """

    number: int
    text: str
    scope: str | None = None
    addressed_to: str = ""
    linked_bodies: list[str] = field(default_factory=list)
    accepted: bool | None = None
    status: str | None = None
    response: str = ""
    recommended: datetime.date | None = None
    recommended_text: str = ""
    response_due: datetime.date | None = None
    response_due_is_default: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-serialisable data."""
        return _jsonable(self)


@dataclass(frozen=True)
class ParsedCase:
    """One case summary inside a multi-case bulletin.

    ``themes`` come from the bulletin's theme index ("Call handling: cases
    3, 4, 5") and ``topics`` from its "Issues covered" contents list; both are
    empty when the bulletin has no such index.  ``links`` holds link prompts
    such as "Click here for a link to the full learning report", and
    ``notes`` any text in the case that is neither narrative nor one of the
    four lists, so nothing read is silently dropped.
    """

    number: int
    title: str
    narrative: str = ""
    questions_managers: list[str] = field(default_factory=list)
    questions_staff: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-serialisable data."""
        return _jsonable(self)


@dataclass(frozen=True)
class ParsedDocument:
    """A learning document parsed into one of the recognised kinds.

    kind: "bulletin", "case_report", "recommendation_record" or "unknown".
    date: bulletin month (first day of it), report publication date, or the
        date a recommendation was made.  ``date_text`` keeps the wording.
    themes: bulletin theme index names, the report's theme, or a record's
        themes.
    summary: report introduction or record summary; ``foreword`` (and
        ``foreword_author``) belong to bulletins.
    questions_managers / questions_staff / outcomes: the single-case report's
        "questions to consider" and "outcomes for officers and staff".
    response_due: when the force must respond to a recommendation record;
        if the document gives none it is the statutory default (56 days after
        the date recommended) and ``response_due_is_default`` is True.
    links: web addresses mentioned in the document plus link prompts found
        outside any case.
    back_matter: text after the last case of a bulletin (e.g. "Related
        reading"), kept so nothing read is silently dropped.
    dates: every date the document states, with what it is ("published",
        "recommended", "response due", "updated", "incident", or "" for a date
        standing alone or in a header): where two disagree the publication date
        is the document's date (a recommendation record's is the date
        recommended) and the others are kept here as what they are.
    warnings: what was expected for this kind but not found.
    """

    kind: str
    title: str = ""
    issue: int | None = None
    case_number: int | None = None
    date: datetime.date | None = None
    date_text: str = ""
    themes: list[str] = field(default_factory=list)
    summary: str = ""
    foreword: str = ""
    foreword_author: str = ""
    cases: list[ParsedCase] = field(default_factory=list)
    raising_issues: list[str] = field(default_factory=list)
    relevant_to: list[str] = field(default_factory=list)
    overview: str = ""
    investigation_type: str = ""
    findings: list[str] = field(default_factory=list)
    recommendations: list[ParsedRecommendation] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    questions_managers: list[str] = field(default_factory=list)
    questions_staff: list[str] = field(default_factory=list)
    source_label: str = ""
    force: str = ""
    reference: str = ""
    response_due: datetime.date | None = None
    response_due_is_default: bool = False
    links: list[str] = field(default_factory=list)
    back_matter: str = ""
    dates: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    source_format: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-serialisable data (what ``watchkeeper ingest --json`` prints)."""
        return _jsonable(self)
