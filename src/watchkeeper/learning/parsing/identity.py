"""When two uploads are the same document (safeguard K1).

The same lesson arrives as text, PDF, Word and a saved web page, and sometimes again after the parser
has improved. Two tests, both on what the document says rather than on its bytes:

* ``fingerprint``: the parsed record's text normalised (case, punctuation, spacing and typographic
  variants ignored; what differs by format - hash, format, warnings - left out). Equal fingerprints are
  copies of one document.
* ``identity``: what names the document - a bulletin's issue and date, a report's issue and case number,
  a record's force and reference. A document with the same identity but another fingerprint is the same
  document read differently (another format that parsed less well, or a re-read by a better parser); it
  is never a second document.

``completeness`` says which of two readings of one document is the better one: more fields filled, fewer
warnings.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .models import ParsedDocument

_NOT_CONTENT = ("sha256", "source_format", "warnings")


def normalise(value: Any) -> Any:
    """Strings as lower-case words (letters and digits only), through lists and dicts."""
    if isinstance(value, str):
        return " ".join(re.findall(r"[^\W_]+", value.casefold()))
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    return value


def fingerprint(parsed: ParsedDocument) -> str:
    """What a document says, independent of its file format (see the module docstring)."""
    data = {key: value for key, value in parsed.to_dict().items() if key not in _NOT_CONTENT}
    encoded = json.dumps(normalise(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def identity(parsed: ParsedDocument) -> str:
    """What names the document ("" when it names itself too little to tell it from another)."""
    if parsed.kind == "bulletin" and parsed.issue is not None:
        return f"bulletin:{parsed.issue}:{parsed.date.isoformat() if parsed.date else ''}"
    if parsed.kind == "case_report" and parsed.issue is not None and parsed.case_number is not None:
        return f"case_report:{parsed.issue}:{parsed.case_number}"
    if parsed.kind == "recommendation_record" and parsed.reference:
        return f"recommendation_record:{normalise(parsed.force)}:{normalise(parsed.reference)}"
    return ""


def completeness(record: dict[str, Any]) -> int:
    """How much of a record was read: filled values (list items each) less one per warning."""

    def filled(value: Any) -> int:
        if isinstance(value, dict):
            return sum(filled(item) for item in value.values())
        if isinstance(value, list):
            return sum(max(1, filled(item)) for item in value if item not in ("", None, [], {}))
        return int(value not in ("", None, False))

    data = {key: value for key, value in record.items() if key not in ("sha256", "source_format", "warnings")}
    return filled(data) - len(record.get("warnings") or [])
