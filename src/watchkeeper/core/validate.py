"""Input checks shared by every action: a clear 4xx naming the field, never a 500 or a partial write."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from pydantic import AfterValidator, Field

from watchkeeper.core import clock
from watchkeeper.core.errors import Invalid


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored (a NUL, or a lone surrogate that is not UTF-8), or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid Unicode"
    return None


def first_bad_text(data: Any, path: str = "") -> tuple[str, str] | None:
    """The first string anywhere in JSON data (keys included) that cannot be stored: (path, problem)."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (path, problem) if problem else None
    if isinstance(data, dict):
        for key, item in data.items():
            found = first_bad_text(key, path) or first_bad_text(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(data, list):
        for i, item in enumerate(data):
            found = first_bad_text(item, f"{path}[{i}]")
            if found:
                return found
    return None


def text(value: object, field: str, *, max_length: int, required: bool = True) -> str:
    """A trimmed string within its length that a database can store."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text", field)
    problem = text_problem(value)
    if problem:
        raise Invalid(f"{field} {problem}", field)
    value = value.strip()
    if required and not value:
        raise Invalid(f"{field} is required", field)
    if len(value) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters", field)
    return value


def choice(value: object, field: str, allowed: list[str] | set[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(f"{field} must be one of: {', '.join(sorted(allowed))}", field)
    return value


def aware(value: datetime | None, field: str) -> datetime | None:
    """Times without a zone are read as the force's local time."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise Invalid(f"{field} must be a date and time", field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def past_date(value: date | None, field: str, today: date) -> date | None:
    if value is not None and value > today:
        raise Invalid(f"{field} cannot be in the future", field)
    return value


# --------------------------------------------------------------------------- bounded input
# Every request body is bounded field by field, so no single request can hold the audit-chain lock for long
# or fill the database: each text at most MAX_TEXT characters (an action may allow less and says so),
# each list at most its own number of items. The input schemas of every app are built from these types;
# `tests/unit/bounds` fails when a schema has a list, text or mapping without a bound.
MAX_TEXT = 20_000
MAX_ITEMS = 50  # a list of codes, ids or short texts
MAX_ENTRIES = 200  # narrative entries sent with a new log

# Bidirectional embedding, override and isolate controls. Ordinary right-to-left text (Arabic or Hebrew
# names) needs none of them: the Unicode bidi algorithm orders it. Shown on a page they only make what is
# seen differ from what was typed ("exe.jpg" shown for "gpj.exe"), or spill their direction into the page
# around them. The record keeps exactly what was sent (it is evidence); everything that displays text (the
# pages, CSV exports and the live stream, `core.middleware.BidiDisplayMiddleware`) shows each control as a
# visible mark instead.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_MARKS = {ord(c): f"[U+{ord(c):04X}]" for c in BIDI_CONTROLS}
# The same controls in UTF-8 (U+202A-E are E2 80 AA-AE, U+2066-9 are E2 81 A6-A9).
_BIDI_UTF8 = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def neutralise_bidi(value: str) -> str:
    """The text with each bidi embedding/override/isolate control written as a visible, lossless mark
    (`[U+202E]`): what is shown is what was typed, and the mark still says exactly what was sent."""
    return value.translate(_BIDI_MARKS) if any(c in value for c in BIDI_CONTROLS) else value


def neutralise_bidi_bytes(content: bytes) -> bytes:
    """`neutralise_bidi` for UTF-8 encoded content (a rendered page or export)."""
    return _BIDI_UTF8.sub(lambda m: f"[U+{ord(m.group().decode()):04X}]".encode(), content)


Text = Annotated[str, Field(max_length=MAX_TEXT)]
"""Free text in an input schema: bounded (kept as sent; bidi controls are neutralised on display)."""

OptionalText = Annotated[str | None, Field(max_length=MAX_TEXT)]
"""Free text that may be left out (None: unchanged)."""


# --------------------------------------------------------------------------- dates that make sense
# A date or time sent to the system is checked against now: a call received in year 1 or a task due in
# 9999 is a typing or integration error, refused naming the field, never stored. Dates of birth reach back
# further than anything else, so the past bound is a lifetime; nothing is planned further ahead than the
# future bound (orders without an end leave it blank).
PAST_YEARS = 150
FUTURE_YEARS = 30


def date_problem(value: date | datetime) -> str | None:
    """Why a date or time is not sensible (too far in the past or the future), or None."""
    today = clock.now().date()
    day = value.date() if isinstance(value, datetime) else value
    if day.year < today.year - PAST_YEARS:
        return f"is more than {PAST_YEARS} years in the past"
    if day.year > today.year + FUTURE_YEARS:
        return f"is more than {FUTURE_YEARS} years in the future"
    return None


def _sensible(value: Any) -> Any:
    if isinstance(value, date):
        problem = date_problem(value)
        if problem:
            raise ValueError(f"{value.isoformat()} {problem}")
    return value


def sensible(value: date | datetime | None, field: str) -> Any:
    """For actions called without a schema: a date or time that makes sense, or Invalid naming `field`."""
    if isinstance(value, date):
        problem = date_problem(value)
        if problem:
            raise Invalid(f"{field} {problem}", field)
    return value


Day = Annotated[date, AfterValidator(_sensible)]
"""A date in an input schema, refused when it is not sensible (see `date_problem`)."""

Moment = Annotated[datetime, AfterValidator(_sensible)]
"""A date and time in an input schema, refused when it is not sensible."""
