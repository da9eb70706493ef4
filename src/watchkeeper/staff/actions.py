"""Staff use cases: creating staff, absence, API tokens. Audited like every other action."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.staff.models import ApiToken, Team, User
from watchkeeper.staff.roles import Role


def create_staff(
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    team: str = "",
) -> User:
    actor.require("staff.manage")
    username = v.text(username, "username", max_length=150)
    v.choice(role, "role", [r.value for r in Role])
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        # Checked against the person too: a password like their username or name is refused.
        validate_password(password, User(username=username, first_name=first_name, last_name=last_name))
    except ValidationError as exc:
        raise Invalid("; ".join(exc.messages), "password") from exc
    with unit_of_work():
        if User.objects.filter(username=username).exists():
            raise Refusal(f"A member of staff called {username!r} already exists.", status=409)
        team_obj = Team.objects.get_or_create(name=team)[0] if team else None
        user = User(username=username, role=role, first_name=first_name, last_name=last_name, team=team_obj)
        user.set_password(password)
        user.save()
        audit.record(actor, "staff.created", "user", user.username,
                     after={"role": role, "team": team, "name": user.get_full_name()})
    return user


def set_absence(actor: Actor, user_id: int, *, absent: bool, reason: str = "") -> User:
    """L8/L9: marking someone absent redirects their messages to the team and their reviews to a deputy."""
    actor.require("staff.set_absence")
    reason = v.text(reason, "reason", max_length=200, required=absent)
    with unit_of_work():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(f"No member of staff {user_id}.")
        before = {"absent": user.absent, "reason": user.absence_reason}
        user.absent, user.absence_reason = absent, reason if absent else ""
        user.save(update_fields=["absent", "absence_reason"])
        audit.record(actor, "staff.absence", "user", user.username, before=before,
                     after={"absent": absent, "reason": reason})
    return user


def move_staff(actor: Actor, user_id: int, *, team: str, role: str, reason: str) -> User:
    """Move a member of staff to another team or role. Every registered move guard is asked first (P1: their
    cases are handed over or queued to their supervisor before they go); the move and its reason are audited."""
    actor.require("staff.move")
    reason = v.text(reason, "reason", max_length=500, required=True)
    team = v.text(team, "team", max_length=100)
    v.choice(role, "role", [r.value for r in Role])
    from watchkeeper.staff.hooks import MOVE_GUARDS

    with unit_of_work():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound(f"No active member of staff {user_id}.")
        new_team = Team.objects.get_or_create(name=team)[0] if team else None
        before = {"team": user.team.name if user.team else None, "role": user.role}
        after = {"team": new_team.name if new_team else None, "role": role}
        if before == after:
            raise Invalid(f"{user.get_full_name() or user.username} is already {role} in {team or 'no team'}.",
                          "team")
        for guard in MOVE_GUARDS:
            guard(actor, user, new_team, role)
        user.team, user.role = new_team, role
        user.save(update_fields=["team", "role"])
        audit.record(actor, "staff.moved", "user", user.username, before=before, after=after,
                     reason=reason)
    return user


def issue_token(actor: Actor, user_id: int, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A per-user API token. The secret is shown once; only its hash is kept. It expires after `days`
    (at most, and by default, WATCHKEEPER_API_TOKEN_DAYS)."""
    name = v.text(name, "name", max_length=100)
    longest = settings.API_TOKEN_MAX_DAYS
    if days is None:
        days = longest
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise Invalid(f"A token lasts between 1 and {longest} days, not {days!r}.", "days")
    if actor.user_id != user_id:
        actor.require("staff.manage")
    with unit_of_work():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound(f"No active member of staff {user_id}.")
        secret = ApiToken.new_secret()
        now = clock.now()
        token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], token_hash=ApiToken.hash(secret),
                                        created_at=now, expires_at=now + timedelta(days=days))
        audit.record(actor, "token.issued", "api_token", token.pk,
                     after={"user": user.username, "name": name, "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(actor: Actor, token_id: int) -> ApiToken:
    """Its owner or an administrator (staff.manage) revokes a token; the row is kept."""
    with unit_of_work():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise NotFound(f"No token {token_id}.")
        if token.user_id != actor.user_id:
            actor.require("staff.manage")
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, "token.revoked", "api_token", token.pk, after={"user_id": token.user_id})
    return token
