"""Template helpers: grades, markers, safeguards and times look the same on every page, and colour never
carries meaning alone (grades have a shape and a word, markers a label, refusals the safeguard's name).

The library is `wk` (`{% load wk %}`). It knows only the kernel: safeguards are named through
`core.errors.describe_safeguard`, which the safeguard registry fills when Django starts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from watchkeeper.core import clock
from watchkeeper.core.errors import describe_safeguard
from watchkeeper.core.policy import Policy

register = template.Library()

GRADE_SHAPES = {"emergency": "▲", "priority": "◆", "scheduled": "●", "resolution": "○"}
# Short words for dense places (the queue); the full label is on hover and for screen readers.
GRADE_SHORT = {"emergency": "Emergency", "priority": "Priority", "scheduled": "Scheduled",
               "resolution": "Resolution"}


@register.simple_tag
def grade_badge(code: str | None, policy: Policy, short: bool = False) -> SafeString:
    """A grade as shape + word on its colour; "Ungraded" dashed, so it is never mistaken for a grade."""
    if not code:
        return mark_safe('<span class="badge grade grade-none">Ungraded</span>')
    label = policy.grade_label(code)
    shown = GRADE_SHORT.get(code, label) if short else label
    return format_html(
        '<span class="badge grade grade-{}" title="Grade: {}"><span aria-hidden="true">{}</span> {}</span>',
        code, label, GRADE_SHAPES.get(code, "■"), shown,
    )


@register.simple_tag
def flag_badge(code: str, policy: Policy) -> SafeString:
    """A marker (domestic abuse, child, ...): a compact labelled badge, the same everywhere."""
    return format_html('<span class="badge flag flag-{}" title="Marker">{}</span>', code,
                       policy.flag_label(code))


@register.simple_tag
def safeguard_link(sid: str | None) -> SafeString:
    """A safeguard named as people say it ("L3 — read before close"), linking to its page and lessons."""
    if not sid:
        return mark_safe("")
    try:
        sg = describe_safeguard(sid)
    except KeyError:
        return format_html('<span class="sg">{}</span>', sid)
    link = format_html(
        '<a class="sg" href="{}" title="{} (the safeguard and its lesson)">{} — {}</a>',
        sg["url"], sg["reason"], sg["id"], sg["title"],
    )
    if not sg["lessons"]:
        return link
    # K4: the refusal or prompt links to the lesson behind it.
    lessons = format_html_join(", ", '<a href="/learning/lessons/{}/">{}</a>', ((c, c) for c in sg["lessons"]))
    return format_html('{} <span class="sg-lessons">(lesson {})</span>', link, lessons)


@register.simple_tag(takes_context=True)
def nav_link(context: Any, href: str, label: str, key: str = "", hint: str = "", exact: bool = False,
             count: int | None = None) -> SafeString:
    """A main-navigation link: marked as the current page, its shortcut in the tooltip (spec: every action
    has a shortcut shown in its tooltip)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == href if exact else path.startswith(href)
    title = f"{hint} ({key.upper()})" if key else hint
    badge = (format_html(' <span class="count">{}<span class="sr-only"> unread</span></span>', count)
             if count else "")
    return format_html(
        '<a href="{}" title="{}"{}{}>{}{}</a>',
        href, title,
        format_html(' aria-keyshortcuts="{}" data-key="{}"', key, key) if key else "",
        mark_safe(' aria-current="page"') if current else "",  # noqa: S308 - a constant
        label, badge,
    )


@register.filter
def category_label(code: str, policy: Policy) -> str:
    return policy.category_label(code)


def _ago(value: datetime, now: datetime) -> str:
    """Durations as people say them in a control room: "just now", "12 min ago", "3 h 5 min ago"."""
    seconds = int((now - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        text = "just now" if not future else "in under a minute"
        return text
    minutes = seconds // 60
    if minutes < 60:
        text = f"{minutes} min"
    elif minutes < 24 * 60:
        text = f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"
    else:
        text = f"{minutes // (24 * 60)} d"
    return f"in {text}" if future else f"{text} ago"


@register.filter
def when(value: datetime | str | None) -> SafeString | str:
    """Local absolute time, the relative time beside it, the full timestamp on hover."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    now = clock.now()
    local = clock.local(value)
    today = local.date() == clock.local(now).date()
    shown = local.strftime("%H:%M") if today else local.strftime("%d/%m %H:%M")
    return format_html(
        '<time datetime="{}" title="{}">{} <span class="ago">{}</span></time>',
        value.isoformat(), local.strftime("%a %d %b %Y %H:%M:%S %Z"), shown, _ago(value, now),
    )


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def level_of(thrive: dict[str, Any] | None, element: str) -> str:
    return ((thrive or {}).get(element) or {}).get("level", "") or ""


@register.filter
def note_of(thrive: dict[str, Any] | None, element: str) -> str:
    return ((thrive or {}).get(element) or {}).get("note", "") or ""


@register.filter
def last_seq(entries: list[Any]) -> int:
    """The highest sequence number among entries (what an acknowledgement covers)."""
    return max((e.seq for e in entries), default=0)


@register.simple_tag
def invalid_attrs(error: Any, field: str, described_by: str = "form-error") -> SafeString:
    """Marks the field an `Invalid` refusal names: announced as invalid, described by the refusal, and
    focused, so the person lands on what to correct."""
    details = getattr(error, "details", None) or {}
    if details.get("field") != field:
        return mark_safe("")
    return format_html(' aria-invalid="true" aria-describedby="{}" autofocus', described_by)


# Nominal markers, grouped so a glance tells risk to officers from a need for care; each group has its own
# shape as well as its colour, and every badge carries its words.
MARKER_GROUPS = {
    "firearms": ("risk", "▲"), "firearms_certificate": ("risk", "▲"), "weapons": ("risk", "▲"),
    "violence": ("risk", "▲"), "domestic_abuse_perpetrator": ("risk", "▲"), "registered_offender": ("risk", "▲"),
    "domestic_abuse_victim": ("care", "◆"), "vulnerability": ("care", "◆"), "mental_health": ("care", "◆"),
    "child_protection": ("care", "◆"), "order": ("order", "●"), "scheme": ("scheme", "■"),
}


@register.simple_tag
def marker_badge(kind: str, label: str, ended: bool = False, note: str = "") -> SafeString:
    """A marker on a person, address or phone (M1): the same compact labelled badge on every page. An ended
    marker stays visible, struck through and saying "ended", so its history is never mistaken for a live
    warning or lost."""
    group, shape = MARKER_GROUPS.get(kind, ("care", "◆"))
    state = " ended" if ended else ""
    title = f"Marker: {label}" + (" (ended)" if ended else "") + (f" — {note}" if note else "")
    return format_html(
        '<span class="badge marker mk-{} mk-{}{}" title="{}"><span aria-hidden="true">{}</span> '
        '<span class="mk-label">{}</span>{}</span>',
        group, kind, state, title, shape, label,
        mark_safe(' <span class="mk-state">ended</span>') if ended else "",
    )


SCHEME_STATES = {"active": "active", "review_overdue": "in force, REVIEW OVERDUE", "expired": "EXPIRED",
                 "removed": "REMOVED", "future": "not yet started"}


@register.simple_tag
def scheme_badge(state: str) -> SafeString:
    """A special scheme (M2) and its state in words: an expired or removed scheme says so in capitals, so a
    handler never reads a lapsed protection as a live one (or misses that one has lapsed)."""
    live = state in ("active", "review_overdue")  # M2: past its end and undecided, it is still in force
    return format_html(
        '<span class="badge marker mk-scheme sch-{}{}" title="Special scheme ({})"><span aria-hidden="true">'
        '■</span> Special scheme <span class="mk-state">{}</span></span>',
        state, "" if live else " ended", SCHEME_STATES.get(state, state), SCHEME_STATES.get(state, state),
    )


@register.simple_tag
def order_badge(label: str, in_force: bool = True) -> SafeString:
    """An order or bail conditions (M3), with whether it is in force."""
    return format_html(
        '<span class="badge marker mk-order{}" title="Order: {}"><span aria-hidden="true">●</span> {}{}</span>',
        "" if in_force else " ended", label, label,
        "" if in_force else mark_safe(' <span class="mk-state">not in force</span>'),
    )


@register.filter
def grade_label(code: str | None, policy: Policy) -> str:
    return policy.grade_label(code) if code else ""


@register.filter
def day(value: Any) -> str:
    """A calendar date as people write it here (dd/mm/yyyy), from a date, a datetime or ISO text."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = clock.local(value) if value.tzinfo else value
    return str(value.strftime("%d/%m/%Y"))


@register.simple_tag
def filter_attrs(facts: dict[str, Any] | None) -> SafeString:
    """A board row's facts as the data attributes the board's script tests a live row against the queue's
    filters with (web/board_filters.py)."""
    from watchkeeper.web.board_filters import row_attrs

    attrs = row_attrs(facts or {})
    return format_html_join(" ", 'data-f-{}="{}"', ((k, v) for k, v in attrs.items()))


@register.simple_tag
def filter_query(filters: dict[str, str] | None) -> str:
    """The queue's filters as a URL query ("?grade=emergency&flag=firearms"), or nothing."""
    from urllib.parse import urlencode

    return ("?" + urlencode(filters)) if filters else ""


@register.filter
def absolute(value: datetime | str | None) -> str:
    """A time as printed (en-GB, 24-hour, local): "02/03/2026 09:15", for paper where "12 min ago" means
    nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        parsed = value
    return f"{clock.local(parsed):%d/%m/%Y %H:%M}"


@register.filter
def grouped(notifications: Any) -> list[dict[str, Any]]:
    """Notifications of the same kind about the same log shown as one row (the newest, "3 like this"), the
    earlier ones folded under it, newest group first. Nothing is merged or removed: each keeps its own
    read state. Notifications about no log are never grouped."""
    groups: dict[Any, dict[str, Any]] = {}
    for n in notifications or []:
        key = (n.kind, n.log_id) if n.log_id else ("single", n.pk)
        group = groups.get(key)
        if group is None:
            groups[key] = {"n": n, "earlier": [], "count": 1, "unread": 0 if n.read_at else 1}
        else:
            group["earlier"].append(n)
            group["count"] += 1
            group["unread"] += 0 if n.read_at else 1
    return list(groups.values())
