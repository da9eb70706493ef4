"""The administrators' policy page: every key, its value in force and its versions; edit (JSON), preview
against current data, save with a reason, or roll back to an earlier version.

The page calls the same functions as the API (`core.config`), so it accepts and refuses the same values.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from watchkeeper.core.config import (
    current_policy,
    policy_versions,
    preview_policy,
    rollback_policy,
    set_policy,
)
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.models import PolicySetting
from watchkeeper.core.policy import DEFAULTS
from watchkeeper.web.forms import actor_of


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@login_required
def policy_index(request: HttpRequest) -> HttpResponse:
    """Every policy key with its value in force and how many versions it has had."""
    actor = actor_of(request)
    actor.require("policy.manage")
    policy = current_policy()
    counts: dict[str, int] = {}
    for key in PolicySetting.objects.values_list("key", flat=True):
        counts[key] = counts.get(key, 0) + 1
    keys = [{"key": key, "value": _pretty(policy[key]), "versions": counts.get(key, 0),
             "changed": policy[key] != DEFAULTS[key]} for key in DEFAULTS]
    return render(request, "web/policy.html", {"keys": keys})


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Invalid(f"The value is not JSON: {exc}", "value") from exc


@login_required
def policy_key(request: HttpRequest, key: str) -> HttpResponse:
    """One key: edit -> preview -> save with a reason; or roll back to a version."""
    actor = actor_of(request)
    actor.require("policy.manage")
    if key not in DEFAULTS:
        raise Http404("No such policy key")
    text = _pretty(current_policy()[key])
    preview: dict[str, Any] | None = None
    error: Refusal | None = None
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step in ("preview", "save"):
        text = request.POST.get("value", "")
    try:
        if step == "preview":
            preview = preview_policy(actor, key, _parse(text))
        elif step == "save":
            set_policy(actor, key, _parse(text), request.POST.get("reason", ""))
            return redirect(reverse("policy-key", args=[key]) + "?saved=1")
        elif step == "rollback":
            version = request.POST.get("version_id", "")
            if not version.isdigit():
                raise Invalid("Choose a version to roll back to", "version_id")
            rollback_policy(actor, key, int(version), request.POST.get("reason", ""))
            return redirect(reverse("policy-key", args=[key]) + "?saved=1")
    except Refusal as exc:
        error = exc
    versions = policy_versions(actor, key)
    for v in versions:
        v["pretty"] = _pretty(v["value"])
    context = {"key": key, "text": text, "preview": preview, "error": error, "step": step,
               "versions": versions, "saved": request.GET.get("saved") == "1",
               "reason": request.POST.get("reason", "") if request.method == "POST" else ""}
    return render(request, "web/policy_key.html", context, status=error.status if error else 200)
