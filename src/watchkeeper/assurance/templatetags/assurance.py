"""`{% staffing_panel %}`: staffing against minimum, for boards that include it (the command board)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("assurance/_staffing_panel.html", takes_context=True)
def staffing_panel(context: template.Context) -> dict[str, Any]:
    from watchkeeper.assurance.roster import staffing_now
    from watchkeeper.core.roles import allowed

    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and allowed(getattr(user, "role", ""), "roster.view"))
    return {"show": show, "staffing": staffing_now() if show else None}


@register.inclusion_tag("assurance/_training_warnings.html", takes_context=True)
def training_warnings(context: template.Context, log: Any) -> dict[str, Any]:
    """A1: the signed-in person's training warnings on this log that still need their reason."""
    from watchkeeper.assurance.training import open_warnings

    request = context.get("request")
    user = getattr(request, "user", None)
    uid = user.pk if user is not None and user.is_authenticated else None
    return {"warnings": open_warnings(uid, log), "request": request}
