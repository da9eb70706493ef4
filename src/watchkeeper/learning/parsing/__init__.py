"""Learning-library document parser - safeguard K1.

Safeguard K1: lessons from past failures must reach the control room in a
form that can be searched, assigned and followed up.  A learning lead
uploads the documents they are sent (plain text, PDF, Word .docx or HTML);
this package turns each into a structured record of one of three kinds:

* ``bulletin`` - a multi-case "Learning the Lessons" bulletin;
* ``case_report`` - a single-case learning report;
* ``recommendation_record`` - the recommendations made to a force and its
  responses.

Design rules, each for a reason:

* The same document in any format gives the same record: every reader
  produces the same loose text shape and the parser normalises it
  (``text.py``), so a PDF upload cannot quietly lose a recommendation that
  the Word copy has.
* Reading a file can fail (``UnreadableDocument``, shown to the uploader as
  a 4xx); parsing text never raises.  A document that fits a kind only partly
  is kept, with warnings naming what was not found, never as a silent
  half-record.
* Pure Python and no Django, so the parser can be tested and run from the
  command line on its own.

Public API::

    extract_text(data: bytes, filename: str) -> str
    parse_text(text: str) -> ParsedDocument
    parse_document(data: bytes, filename: str) -> ParsedDocument
    ParsedDocument, ParsedCase, ParsedRecommendation, UnreadableDocument
"""

from .errors import UnreadableDocument
from .extract import extract_text
from .models import KINDS, ParsedCase, ParsedDocument, ParsedRecommendation
from .parse import parse_document, parse_text

__all__ = [
    "KINDS",
    "ParsedCase",
    "ParsedDocument",
    "ParsedRecommendation",
    "UnreadableDocument",
    "extract_text",
    "parse_document",
    "parse_text",
]
