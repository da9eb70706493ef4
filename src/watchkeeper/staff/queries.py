"""What staff's pages and endpoints show: API tokens, for their owner and for an administrator."""

from __future__ import annotations

from typing import Any

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.staff.models import ApiToken


def tokens(actor: Actor, user_id: int | None = None, *, everyone: bool = False) -> list[dict[str, Any]]:
    """The actor's own tokens; someone else's (`user_id`) or everyone's need staff.manage. Never the
    secret or its hash."""
    rows = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    whose = actor.user_id if user_id is None else user_id
    if everyone or whose != actor.user_id:
        actor.require("staff.manage")
    if not everyone:
        rows = rows.filter(user_id=whose) if whose is not None else rows.none()
    now = clock.now()
    return [
        {"id": t.pk, "user_id": t.user_id, "username": t.user.username, "name": t.name, "prefix": t.prefix,
         "created_at": t.created_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at,
         "last_used_at": t.last_used_at, "state": t.state_at(now)}
        for t in rows
    ]


def staff_list() -> list[dict[str, Any]]:
    """Active staff for the staff page: who, role, team, absence (bounded by the force's establishment)."""
    from watchkeeper.staff.models import User
    from watchkeeper.staff.roles import ROLE_LABELS, Role

    return [
        {"id": u.pk, "username": u.username, "name": u.get_full_name() or u.username, "role": u.role,
         "role_label": ROLE_LABELS[Role(u.role)] if u.role in Role._value2member_map_ else u.role,
         "team": u.team.name if u.team else "", "absent": u.absent}
        for u in User.objects.filter(is_active=True).select_related("team").order_by("last_name", "username")[:2000]
    ]


def role_choices() -> list[tuple[str, str]]:
    from watchkeeper.staff.roles import ROLE_LABELS

    return [(r.value, label) for r, label in ROLE_LABELS.items()]


def team_names() -> list[str]:
    from watchkeeper.staff.models import Team

    return list(Team.objects.order_by("name").values_list("name", flat=True)[:500])
