"""How risk plugs into incident logs (through incidents/hooks.py) and the pages: the log page's risk panel,
which shows the log's assessments and decisions and prompts a reassessment of a victim or suspect assessed
before (R4), and what the navigation offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from watchkeeper.core.roles import allowed
from watchkeeper.incidents import hooks
from watchkeeper.web.context import add_navigation


def navigation(request: HttpRequest, user: Any) -> dict[str, Any]:
    """What the navigation offers: the risk pages, and the review queue to those who review (R3)."""
    return {"may_view_risk": allowed(user.role, "risk.view"), "may_review_risk": allowed(user.role, "risk.review")}


def register() -> None:
    from watchkeeper.risk.actions.missing import new_information

    hooks.add_panel(hooks.Panel("main", "risk/_log_panel.html", order=30))
    if new_information not in hooks.AFTER_ENTRIES:
        hooks.AFTER_ENTRIES.append(new_information)  # P9: new information tells the lead
    add_navigation(navigation)
