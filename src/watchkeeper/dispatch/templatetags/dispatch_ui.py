"""Template helpers for the dispatch pages: a refusal beside the control that caused it (found by the form's
key, so a page shown again after a refusal puts it back in the same place), and the response clock as the
browser draws it."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from watchkeeper.web.templatetags.wk import when

register = template.Library()


@register.simple_tag
def refusal_for(errors: dict[str, Any] | None, prefix: str, key: Any) -> SafeString:
    """The refusal for the form `prefix-key`, if the last submission of that form was refused."""
    error = (errors or {}).get(f"{prefix}-{key}")
    if error is None:
        return mark_safe("")
    return mark_safe(render_to_string("_refusal.html", {"error": error}))  # noqa: S308 - a rendered template


@register.simple_tag
def countdown(row: dict[str, Any]) -> SafeString:
    """D1: the response clock of a board row. The browser redraws it every second from these times (no
    per-second push); without a script it says the target time."""
    appointment = next((u["appointment_at"] for u in row.get("units") or [] if u.get("appointment_at")), "")
    if row.get("attended_at"):
        shown = format_html("Attended {}", when(row["attended_at"]))
    elif row.get("target_at"):
        shown = format_html("Target {}", when(row["target_at"]))
    else:
        shown = mark_safe("No target")
    return format_html(
        '<span class="countdown" data-started="{}" data-target="{}" data-attended="{}" data-breached="{}" '
        'data-appointment="{}">{}</span>',
        row.get("started_at") or "", row.get("target_at") or "", row.get("attended_at") or "",
        row.get("breached_at") or "", appointment, shown,
    )


@register.simple_tag
def deadline(at: str | None, kind: str, none_text: str = "") -> SafeString:
    """A decision or escalation deadline, redrawn every second by the browser ("escalates in 3:20")."""
    return format_html('<span class="deadline" data-deadline="{}" data-kind="{}">{}</span>', at or "", kind,
                       when(at) if at else none_text)
