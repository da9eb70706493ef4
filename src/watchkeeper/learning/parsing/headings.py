"""Section headings shared by bulletins and case reports (safeguard K1).

Publishers word the same section in several ways ("Key questions for policy
makers/managers", "Questions for managers", "What the force did"), and the
wording has changed between issues, so each section is recognised by a
pattern rather than an exact string.  Keeping the vocabulary in one place
means a new wording is added once and both parsers benefit.
"""

from __future__ import annotations

import re

from .text import Unit, strip_colon

MANAGERS = "questions_managers"
STAFF = "questions_staff"
ACTIONS = "actions"
OUTCOMES = "outcomes"

SECTION_LABELS = {
    MANAGERS: "key questions for policy makers/managers",
    STAFF: "key questions for police officers/staff",
    ACTIONS: "action taken by the force",
    OUTCOMES: "outcomes for the officers/staff involved",
}

_QUESTIONS_RE = re.compile(r"^(?:key\s+)?questions?\s+(?:for|to\s+ask)\s+(?P<audience>.+)$", re.I)
_MANAGER_WORDS = re.compile(r"manag|polic(?:y|ies)[\s-]*makers?|leaders?|senior|supervisor|commander", re.I)
_STAFF_WORDS = re.compile(r"officer|staff|frontline|practitioner|call\s+handler|\byou\b", re.I)
_ACTIONS_RE = re.compile(
    r"^(?:(?:the\s+)?actions?\s+taken(?:\s+by\b.*)?"
    r"|what\s+(?:the|this)\s+(?:police\s+)?force\s+(?:did|has\s+done|is\s+doing|has\s+changed)"
    r"|(?:force|organisational)\s+actions?"
    r"|changes\s+made(?:\s+by\b.*)?)$",
    re.I,
)
_OUTCOMES_RE = re.compile(
    r"^(?:outcomes?(?:\s+for\b.*)?"
    r"|what\s+happened\s+to\s+the\s+(?:officers?|staff|people)\b.*"
    r"|(?:misconduct|disciplinary)\s+outcomes?)$",
    re.I,
)
_MAX_HEADING_CHARS = 100


def question_audience(unit: Unit) -> str | None:
    """MANAGERS or STAFF if the unit heads a list of questions for them."""
    if unit.bullet or len(unit.text) > _MAX_HEADING_CHARS:
        return None
    match = _QUESTIONS_RE.match(strip_colon(unit.text))
    if not match:
        return None
    audience = match.group("audience")
    if _MANAGER_WORDS.search(audience):
        return MANAGERS
    if _STAFF_WORDS.search(audience):
        return STAFF
    return None


def section_key(unit: Unit) -> str | None:
    """Which bulletin-style list section (if any) this unit is the heading of."""
    if unit.bullet or len(unit.text) > _MAX_HEADING_CHARS:
        return None
    audience = question_audience(unit)
    if audience:
        return audience
    text = strip_colon(unit.text)
    if _ACTIONS_RE.match(text):
        return ACTIONS
    if _OUTCOMES_RE.match(text):
        return OUTCOMES
    return None


def is_outcomes_heading(unit: Unit) -> bool:
    """True for "Outcomes for officers and staff" and its variants."""
    return (
        not unit.bullet
        and len(unit.text) <= _MAX_HEADING_CHARS
        and bool(_OUTCOMES_RE.match(strip_colon(unit.text)))
    )
