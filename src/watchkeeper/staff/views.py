"""Signing in and out, and a person's own API tokens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from watchkeeper.core.errors import Refusal
from watchkeeper.staff import actions
from watchkeeper.staff.models import ApiToken
from watchkeeper.web.forms import actor_of, signed_in_user


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    user = signed_in_user(request)
    ctx: dict[str, object] = {}
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                actions.revoke_token(actor, int(request.POST["revoke"]))
            else:
                ctx["secret"] = actions.issue_token(actor, user.pk, request.POST.get("name", ""))[1]
        except (Refusal, ValueError) as exc:
            ctx["error"] = exc if isinstance(exc, Refusal) else Refusal(str(exc), status=400)
    ctx["tokens"] = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "staff/tokens.html", ctx, status=getattr(ctx.get("error"), "status", 200))
