"""Refusals: how every safeguard says no.

A refusal names what was refused, the safeguard that refused it (ID and one-line reason), what to do next,
and any details the person needs to act (for example the unseen entries for L3). Views render it beside
the control that caused it; the API returns it as a 4xx JSON body. Nothing is written when an action is
refused: actions raise before they change anything, inside their transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How a safeguard is described to the person refused: {"id", "title", "reason", "lessons", "url"}. The
# safeguard registry provides it when Django starts (SafeguardsConfig.ready); it raises KeyError for an ID
# it does not know. Until then a safeguard is named by its ID alone.
SafeguardDescriber = Callable[[str], dict[str, Any]]
_describer: SafeguardDescriber | None = None


def describe_safeguards_with(describer: SafeguardDescriber) -> None:
    """Install the function that describes a safeguard by its ID (the registry's)."""
    global _describer
    _describer = describer


def describe_safeguard(sid: str) -> dict[str, Any]:
    """The safeguard as people read it; KeyError when the registry does not know the ID."""
    if _describer is None:
        return {"id": sid, "title": sid, "reason": "", "lessons": [], "url": f"/safeguards/{sid}/"}
    return _describer(sid)


@dataclass
class Refusal(Exception):
    """An action the system will not do, and why."""

    message: str
    safeguard: str | None = None
    next_step: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    status: int = 422

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """HTTP headers the refusal's response carries (the API's and the pages' alike)."""
        return {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": "refused", "message": self.message, "next_step": self.next_step}
        if self.safeguard:
            body["safeguard"] = describe_safeguard(self.safeguard)
        if self.details:
            body["details"] = self.details
        return body


class NotFound(Refusal):
    """The thing asked for does not exist (never because it was deleted: nothing is)."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, status=404)


class Forbidden(Refusal):
    """The actor's role does not allow the action."""

    def __init__(self, message: str, next_step: str = "Ask someone with the right role.") -> None:
        super().__init__(message=message, next_step=next_step, status=403)


class Conflict(Refusal):
    """The record changed since the actor last read it (L4): nothing is overwritten."""

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(
            message=message,
            safeguard="L4",
            next_step="Read what changed, then make your change again against the current version.",
            details=details,
            status=409,
        )


class Invalid(Refusal):
    """The input itself is wrong (a missing field, an unknown code)."""

    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(
            message=message,
            next_step="Correct the input and try again.",
            details={"field": field_name} if field_name else {},
            status=400,
        )


class Busy(Refusal):
    """The system cannot take the write now (another write holds the audit-chain lock past its bound, or
    the caller sent more than its share of requests): nothing was written; try again shortly. A 503 (or
    429 for a rate limit) with `Retry-After`, never a 500."""

    def __init__(self, message: str, retry_after: int, *, status: int = 503,
                 next_step: str = "Nothing was saved. Try again in a few seconds.") -> None:
        super().__init__(message=message, next_step=next_step, status=status,
                         details={"retry_after": retry_after})
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
