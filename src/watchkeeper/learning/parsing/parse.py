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

from .bulletin import parse_bulletin
from .case_report import parse_case_report
from .classify import classify
from .extract import extract_text_with_format
from .models import ParsedDocument
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


def parse_text(text: str) -> ParsedDocument:
    """Parse document text into a structured record; never raises."""
    units = to_units(text)
    kind = classify(units)
    parser = _PARSERS.get(kind)
    if parser is None:
        return _unknown(units, UNKNOWN_WARNING)
    try:
        return parser(units)
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose the upload
        logger.exception("learning document parser failed for kind %s", kind)
        return _unknown(
            units, f"{PARSER_FAILURE_PREFIX} as a {kind} ({type(error).__name__}); stored as text only"
        )


def parse_document(data: bytes, filename: str) -> ParsedDocument:
    """Extract text from an uploaded file, parse it, and record its hash and format.

    Raises UnreadableDocument if the file cannot be read as a supported format.
    """
    text, source_format = extract_text_with_format(data, filename)
    parsed = parse_text(text)
    return dataclasses.replace(parsed, sha256=hashlib.sha256(data).hexdigest(), source_format=source_format)
