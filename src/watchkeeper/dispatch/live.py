"""The dispatch boards' live stream: each "row" event on the "dispatch" topic as the board page draws it.

A board page follows `/events/stream?topics=dispatch&view=dispatch.board` (or `dispatch.command`). For each
row event the stream sends, for the viewer's role, the row's HTML rendered by the same template the page
includes (`rows.TEMPLATES`), the table body that holds it on that page (or none: the row leaves the page),
and what a screen reader hears when it first appears. The browser swaps the row in (boards.js), where its
`data-sort` puts it; it draws nothing itself but the clocks. A units event also brings the list the unit
choosers offer. Registered with the stream in `hooks.register`; rendered once per event and role
(realtime/render.py), so the cost does not grow with the number of open boards.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from watchkeeper.core.config import current_policy
from watchkeeper.dispatch import rows
from watchkeeper.dispatch.boards import TOPIC
from watchkeeper.dispatch.models import Divert, Unit
from watchkeeper.realtime.render import CSRF_SLOT


def current_choices() -> list[dict[str, Any]]:
    """The unit choosers' list as it is now (one read)."""
    return rows.unit_choices([dict(u) for u in Unit.objects.values("callsign", "status", "area", "on_duty")])


def open_diverts() -> set[str]:
    return {str(pk) for pk in Divert.objects.filter(state__in=["awaiting", "escalated"]).values_list("pk", flat=True)}


def render_row(page: str, role: str, table: str, row: dict[str, Any] | None, *, policy: Any, choices: Any,
               diverts: Any, csrf: str = CSRF_SLOT) -> dict[str, Any]:
    """One row event for this page and role: where the row goes and its HTML (both None: it leaves)."""
    frame: dict[str, Any] = {"table": table, "tbody": None, "html": None, "say": ""}
    where = rows.place(page, table, row)
    if where is None or row is None:
        return frame
    tbody, kind = where
    if kind in ("logs", "breaches"):
        shown = rows.decorate_log(row, policy, choices(), table=kind)
    elif kind == "units":
        shown = rows.decorate_unit(row)
    elif kind == "alerts":
        shown = rows.decorate_alert(row, role, diverts())
    elif kind == "alert_logs":
        from watchkeeper.clocks.alerts import log_facts

        shown = rows.decorate_alert_log(row, role, diverts(), policy, log_facts([row["reference"]]).get(
            row["reference"]))
    else:
        shown = rows.decorate_divert(row)
    template, var = rows.TEMPLATES[kind]
    ctx = {**rows.viewer_context(page, role, policy), "csrf_token": csrf, var: shown}
    frame.update(tbody=tbody, html=render_to_string(template, ctx).strip(), say=rows.say(page, table, row))
    return frame


def render(page: str, events: list[dict[str, Any]], role: str) -> dict[int, dict[str, Any]]:
    """The row events among `events` as this page shows them to this role (see the module docstring)."""
    found = [ev for ev in events if ev["topic"] == TOPIC and ev["kind"] == "row"]
    if not found:
        return {}
    policy = current_policy()
    read: dict[str, Any] = {}

    def choices() -> list[dict[str, Any]]:  # read once for all the events, and only when a row needs it
        if "choices" not in read:
            read["choices"] = current_choices()
        return list(read["choices"])

    def diverts() -> set[str]:
        if "diverts" not in read:
            read["diverts"] = open_diverts()
        return set(read["diverts"])

    out = {}
    for ev in found:
        p = ev["payload"]
        frame = render_row(page, role, p["table"], p["row"], policy=policy, choices=choices, diverts=diverts)
        frame["key"] = p["key"]
        if page == "board" and p["table"] == "units":
            frame["choices"] = render_to_string("dispatch/_unit_choices.html", {"choices": choices()})
        out[ev["seq"]] = frame
    return out


def board(events: list[dict[str, Any]], role: str) -> dict[int, dict[str, Any]]:
    return render("board", events, role)


def command(events: list[dict[str, Any]], role: str) -> dict[int, dict[str, Any]]:
    return render("command", events, role)


def register() -> None:
    from watchkeeper.realtime import render as stream

    stream.register("dispatch.board", board)
    stream.register("dispatch.command", command)
