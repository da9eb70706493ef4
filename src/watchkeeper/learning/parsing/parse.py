"""Entry points: text or uploaded bytes -> ParsedDocument (safeguard K1).

``parse_text`` never raises: a document that does not fit a known kind, or
fits only partly, comes back with warnings naming what was not found, so a
learning lead sees the gap instead of a crash or a silently half-filled
record.  ``parse_document`` adds reading the file (which *can* fail, with
:class:`UnreadableDocument`) and records the SHA-256 of the original bytes so
the library can tell a re-upload from a new document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from typing import Any

from .bulletin import parse_bulletin
from .case_report import parse_case_report
from .classify import classify
from .dates import labelled_dates, publication_date
from .extract import extract_text_with_format
from .models import ParsedDocument
from .provenance import locate
from .record import parse_recommendation_record
from .text import Unit, title_like, to_units

logger = logging.getLogger(__name__)

_PARSERS = {
    "bulletin": parse_bulletin,
    "case_report": parse_case_report,
    "recommendation_record": parse_recommendation_record,
}
PARSER_FAILURE_PREFIX = "Parsing failed"
UNKNOWN_WARNING = (
    "Document does not match a known kind (Learning the Lessons bulletin, single-case learning report "
    "or recommendation record); it was stored as text only"
)


def _unknown(units: list[Unit], warning: str) -> ParsedDocument:
    """An "unknown" record, titled by its first title-like line so it can still be found."""
    title = next((unit.text for unit in units if title_like(unit.text)), "")
    return ParsedDocument(kind="unknown", title=title[:200], warnings=[warning])


_DATE_NOT_FOUND = ("Bulletin date not found", "Case report: publication date not found")


def _with_dates(parsed: ParsedDocument, units: list[Unit]) -> ParsedDocument:
    """Every date the document states, kept as what it is; the publication date is a bulletin's or a
    report's date whatever else its header or footer says (a record's date is the date recommended)."""
    texts = [unit.text for unit in units[:400]]
    found = labelled_dates(texts)
    published = publication_date(texts)
    if published is None or parsed.kind not in ("bulletin", "case_report"):
        return dataclasses.replace(parsed, dates=found)
    warnings = [w for w in parsed.warnings if w not in _DATE_NOT_FOUND]
    return dataclasses.replace(parsed, dates=found, date=published[0], date_text=published[1], warnings=warnings)


def _parse_units(units: list[Unit]) -> ParsedDocument:
    kind = classify(units)
    parser = _PARSERS.get(kind)
    if parser is None:
        return _unknown(units, UNKNOWN_WARNING)
    try:
        return _with_dates(parser(units), units)
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose the upload
        logger.exception("learning document parser failed for kind %s", kind)
        return _unknown(units, f"{PARSER_FAILURE_PREFIX} as a {kind} ({type(error).__name__}); stored as text only")


def parse_text(text: str) -> ParsedDocument:
    """Parse document text into a structured record; never raises."""
    return _parse_units(to_units(text))


def parse_text_located(text: str) -> tuple[ParsedDocument, dict[str, dict[str, Any]]]:
    """`parse_text`, and where each filled field starts in the text (page and line; `provenance.py`)."""
    units = to_units(text)
    parsed = _parse_units(units)
    try:
        where = locate(parsed, units)
    except Exception:  # noqa: BLE001 - provenance is an aid; its failure must not lose the upload
        logger.exception("learning document provenance failed")
        where = {}
    return parsed, where


def parse_document(data: bytes, filename: str) -> ParsedDocument:
    """Extract text from an uploaded file, parse it, and record its hash and format.

    Raises UnreadableDocument if the file cannot be read as a supported format.
    """
    text, source_format = extract_text_with_format(data, filename)
    parsed = parse_text(text)
    return dataclasses.replace(parsed, sha256=hashlib.sha256(data).hexdigest(), source_format=source_format)
