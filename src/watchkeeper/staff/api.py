"""Staff over the API: who can be named as an authoriser, owner or assignee; API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from watchkeeper.staff.models import User

router = Router(tags=["staff"])


@router.get("", summary="Active staff: id, username, name, role, team, absence")
def list_staff(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": u.pk, "username": u.username, "name": u.get_full_name(), "role": u.role,
         "team": u.team.name if u.team else None, "absent": u.absent}
        for u in User.objects.filter(is_active=True).select_related("team").order_by("username")
    ]


class AbsenceIn(Schema):
    absent: bool
    reason: str = ""


@router.post("/{user_id}/absence", summary="Mark someone absent or back (L8, L9 reroute their work)")
def absence(request: HttpRequest, user_id: int, body: AbsenceIn) -> dict[str, Any]:
    from watchkeeper.staff.actions import set_absence
    from watchkeeper.web.forms import actor_of

    u = set_absence(actor_of(request, via="api"), user_id, absent=body.absent, reason=body.reason)
    return {"id": u.pk, "username": u.username, "absent": u.absent, "reason": u.absence_reason}


class MoveIn(Schema):
    team: str = ""
    role: str
    reason: str


@router.post("/{user_id}/move", summary="Move someone to another team or role (P1: their cases go first)")
def move(request: HttpRequest, user_id: int, body: MoveIn) -> dict[str, Any]:
    from watchkeeper.staff.actions import move_staff
    from watchkeeper.web.forms import actor_of

    u = move_staff(actor_of(request, via="api"), user_id, team=body.team, role=body.role, reason=body.reason)
    return {"id": u.pk, "username": u.username, "role": u.role, "team": u.team.name if u.team else None}


class TokenOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    state: str


@router.get("/tokens", response=list[TokenOut],
            summary="API tokens: your own; another's (user_id) or everyone's (everyone=true) need staff.manage")
def list_tokens(request: HttpRequest, user_id: int | None = None, everyone: bool = False) -> list[dict[str, Any]]:
    from watchkeeper.staff.queries import tokens
    from watchkeeper.web.forms import actor_of

    return tokens(actor_of(request, via="api"), user_id, everyone=everyone)


@router.post("/tokens/{token_id}/revoke", response=TokenOut,
             summary="Revoke an API token: its owner, or an administrator (staff.manage)")
def revoke_token(request: HttpRequest, token_id: int) -> dict[str, Any]:
    from watchkeeper.staff import actions
    from watchkeeper.staff.queries import tokens
    from watchkeeper.web.forms import actor_of

    actor = actor_of(request, via="api")
    token = actions.revoke_token(actor, token_id)
    return next(t for t in tokens(actor, token.user_id) if t["id"] == token.pk)
