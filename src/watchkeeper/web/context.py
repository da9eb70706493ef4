"""Template context every page needs: what the navigation offers the signed-in person, and what apps add
to it (the incidents app's unread count), registered when Django starts with `add_navigation`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from watchkeeper.core.roles import allowed

NavigationPart = Callable[[HttpRequest, Any], dict[str, Any]]
_PARTS: list[NavigationPart] = []


@dataclass(frozen=True)
class NavLink:
    """A main-navigation link an app adds (cases, staff, ...) without the base template naming it: shown to
    roles that hold `permission`, in `order` after the built-in links."""

    url_name: str
    label: str
    hint: str
    permission: str
    order: int = 100


_LINKS: list[NavLink] = []


def add_nav_link(link: NavLink) -> None:
    if link not in _LINKS:
        _LINKS.append(link)
        _LINKS.sort(key=lambda item: item.order)


def add_navigation(part: NavigationPart) -> None:
    """Add to every page's context: `part(request, user)` returns names for the templates (idempotent)."""
    if part not in _PARTS:
        _PARTS.append(part)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict[str, Any] = {
        # The navigation offers only what the person's role may open.
        "may_view_logs": allowed(user.role, "log.view"),
        "may_raise": allowed(user.role, "log.raise"),
        "may_view_people": allowed(user.role, "person.view"),
        "may_review": allowed(user.role, "review.own"),
        "may_view_reports": allowed(user.role, "reports.view"),
        "may_manage_intake": allowed(user.role, "intake.manage"),
        "may_manage_policy": allowed(user.role, "policy.manage"),
    }
    context["nav_links"] = [
        {"href": reverse(link.url_name), "label": link.label, "hint": link.hint}
        for link in _LINKS if allowed(user.role, link.permission)
    ]
    for part in _PARTS:
        context.update(part(request, user))
    return context
