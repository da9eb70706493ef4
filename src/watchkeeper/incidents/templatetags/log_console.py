"""Template helpers for the log page's header (the operator's console)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def overdue_count(tasks: Iterable[dict[str, Any]] | None) -> int:
    """L11: how many promises on the log are open past their time."""
    return sum(1 for t in tasks or [] if t.get("overdue") and t.get("state") == "open")
