"""Backward migrations of kept-forever apps are refused (L1, A3).

Unapplying a migration of an app whose records are kept forever drops its tables (`migrate incidents zero`
drops every log; `migrate audit zero` the audit trail). The `migrate` command sends `pre_migrate` with its
plan before it changes anything, whichever command module runs it; a plan that would unapply a migration
of one of these apps stops there, naming the migrations, and nothing is changed. Forward migrations (and a
fresh database) are untouched.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

KEPT_FOREVER = ("audit", "core", "staff", "incidents", "people", "dispatch", "learning", "realtime", "risk",
                "assurance", "cases", "geo")


def refuse_backward(plan: list[tuple[Any, bool]] | None = None, **kwargs: Any) -> None:
    """pre_migrate receiver: refuse a plan that unapplies a migration of a kept-forever app."""
    backward = [f"{m.app_label}.{m.name}" for m, backwards in (plan or [])
                if backwards and m.app_label in KEPT_FOREVER]
    if backward:
        shown = ", ".join(backward[:5]) + (f" and {len(backward) - 5} more" if len(backward) > 5 else "")
        raise CommandError(
            f"Refused: this would unapply {shown}. The records of {', '.join(KEPT_FOREVER)} are kept "
            "forever, and migrating them backwards drops their tables. Nothing was changed. To undo a "
            "schema change, write a new forward migration.")
