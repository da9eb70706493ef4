"""Template context every page needs: the signed-in person's unread count and what the navigation offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.db.models import Q

    from watchkeeper.incidents.models import Notification
    from watchkeeper.staff.roles import allowed

    mine = Q(recipient=user) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
    return {
        "unread_count": Notification.objects.filter(mine, read_at__isnull=True).count(),
        # The navigation offers only what the person's role may open.
        "may_view_reports": allowed(user.role, "reports.view"),
        "may_manage_intake": allowed(user.role, "intake.manage"),
    }
