"""Input checks shared by every action: a clear 4xx naming the field, never a 500 or a partial write."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

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
