"""A person's own API tokens, and every token for an administrator."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.staff import actions, queries
from watchkeeper.web.forms import actor_of, signed_in_user


def _days(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"Days must be a whole number, not {raw!r}.", "days") from None


@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    """The staff list; a supervisor, duty inspector or administrator moves someone to another team or role
    from it (P1: refused, with what to do, while the person still holds cases)."""
    actor = actor_of(request)
    ctx: dict[str, object] = {"may_move": actor.may("staff.move"), "may_roster": actor.may("roster.view")}
    if request.method == "POST":
        try:
            moved = actions.move_staff(actor, _whole(request.POST.get("move", ""), "move"),
                                       team=request.POST.get("team", ""), role=request.POST.get("role", ""),
                                       reason=request.POST.get("reason", ""))
            ctx["moved"] = moved
        except Refusal as exc:
            ctx["error"] = exc
            ctx["tried"] = request.POST
    ctx["staff"] = queries.staff_list()
    ctx["roles"] = queries.role_choices()
    ctx["teams"] = queries.team_names()
    return render(request, "staff/people.html", ctx, status=getattr(ctx.get("error"), "status", 200))


def _whole(raw: str, field: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"{field} must be a member of staff's number, not {raw!r}.", field) from None


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    user = signed_in_user(request)
    ctx: dict[str, object] = {"max_days": settings.API_TOKEN_MAX_DAYS}
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                actions.revoke_token(actor, int(request.POST["revoke"]))
            else:
                ctx["secret"] = actions.issue_token(actor, user.pk, request.POST.get("name", ""),
                                                    _days(request.POST.get("days", "")))[1]
        except (Refusal, ValueError) as exc:
            ctx["error"] = exc if isinstance(exc, Refusal) else Refusal(str(exc), status=400)
    ctx["tokens"] = queries.tokens(actor)
    if actor.may("staff.manage"):
        ctx["all_tokens"] = [t for t in queries.tokens(actor, everyone=True) if t["user_id"] != user.pk]
    return render(request, "staff/tokens.html", ctx, status=getattr(ctx.get("error"), "status", 200))
