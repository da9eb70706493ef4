"""The boards' live rows: a board page patched by the rows its stream renders (dispatch/live.py), applied as
boards.js applies them, equals the same page loaded afresh, for each board and the roles that use it.

The same random sequences of real actions as test_boards.py drive the board; after every step the new
"dispatch" events are rendered for each (page, role), as the live stream does, and applied to the page's
HTML: the row replaced by key, inserted where its data-sort puts it in the table body the event names (or
removed), the unit choosers brought up to date from the page's list of units. Left out of the comparison:
the relative times the browser redraws ("12 min ago") and the CSRF token (a new mask on every request).
"""

from __future__ import annotations

import html
import json
import random
import re
from typing import Any

import pytest
from django.test import Client

from tests.integration.dispatch.test_boards import CALLSIGNS, Driver
from watchkeeper.dispatch import live
from watchkeeper.realtime import render
from watchkeeper.realtime.models import Event

pytestmark = pytest.mark.django_db

VIEWERS = [("board", "dispatcher", "/dispatch/"), ("command", "controller", "/dispatch/command/"),
           ("command", "inspector", "/dispatch/command/")]
TBODY = re.compile(r'<tbody id="([\w-]+)"[^>]*>(.*?)</tbody>', re.S)
ROW = re.compile(r'<tr id="[^"]*" data-table="(\w+)" data-key="([^"]*)".*?</tr>', re.S)
SORT = re.compile(r'data-sort="([^"]*)"')
SELECT = re.compile(r'(<select [^>]*data-exclude="([^"]*)"[^>]*>)(.*?)(</select>)', re.S)
OPTION = re.compile(r'<option value="([^"]*)">.*?</option>', re.S)
CHOICES = re.compile(r'<template id="unit-choices">(.*?)</template>', re.S)


class Board:
    """A page's row tables, as boards.js holds them: table body -> rows in order, and the unit choosers'
    list."""

    def __init__(self, page: str) -> None:
        self.tbodies: dict[str, list[tuple[str, str, str]]] = {}  # tbody -> [(table, key, html)]
        self.choices = ""
        self.seq = 0
        doc = page
        for tbody, body in TBODY.findall(doc):
            self.tbodies[tbody] = [(m.group(1), m.group(2), m.group(0)) for m in ROW.finditer(body)]
        found = CHOICES.search(doc)
        self.choices = found.group(1) if found else ""
        self.seq = json.loads(re.search(r'<script id="board-data" type="application/json">(.*?)</script>',
                                        doc, re.S).group(1))["seq"]

    @staticmethod
    def _sort(row_html: str) -> list[Any]:
        return json.loads(html.unescape(SORT.search(row_html).group(1)))

    def apply(self, frame: dict[str, Any]) -> None:
        if "choices" in frame:
            self.choices = frame["choices"]
        for rows in self.tbodies.values():
            rows[:] = [r for r in rows if (r[0], r[1]) != (frame["table"], frame["key"])]
        if frame["tbody"] is None:
            return
        rows = self.tbodies[frame["tbody"]]
        key = self._sort(frame["html"])
        at = next((i for i, r in enumerate(rows) if key < self._sort(r[2])), len(rows))
        rows.insert(at, (frame["table"], frame["key"], frame["html"]))

    def normalised(self) -> dict[str, list[str]]:
        offered = [(v, m.group(0)) for m in OPTION.finditer(self.choices) for v in [m.group(1)]]

        def chooser(m: re.Match[str]) -> str:
            exclude = m.group(2).split()
            return m.group(1) + "".join(o for v, o in offered if v not in exclude) + m.group(4)

        out = {}
        for tbody, rows in self.tbodies.items():
            shown = []
            for _t, _k, row in rows:
                row = SELECT.sub(chooser, row) if self.choices else row
                row = re.sub(r'<span class="ago">[^<]*</span>', '<span class="ago"></span>', row)
                row = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', row)
                shown.append(row)
            out[tbody] = shown
        return out


def _load(who: Any, path: str) -> str:
    c = Client()
    c.force_login(who)
    r = c.get(path)
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


@pytest.mark.safeguard("D1", "D2", "D4")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_board_patched_by_its_rendered_live_rows_equals_a_fresh_load(desk, at, seed):
    rnd = random.Random(seed)
    for callsign in CALLSIGNS:
        desk.unit(callsign)
    drive = Driver(desk, at, rnd)
    for _ in range(3):
        drive.raise_()
    boards = {(page, role): Board(_load(getattr(desk.people, role), path)) for page, role, path in VIEWERS}
    applied = 0
    for _ in range(30):
        drive.step()
        for (page, role), board in boards.items():
            events = [{"seq": e.seq, "topic": e.topic, "kind": e.kind, "payload": e.payload}
                      for e in Event.objects.filter(topic="dispatch", seq__gt=board.seq).order_by("seq")]
            frames = live.render(page, events, getattr(desk.people, role).role)
            for ev in events:
                board.apply(frames[ev["seq"]])
                board.seq = ev["seq"]
                applied += 1
    for page, role, path in VIEWERS:
        fresh = Board(_load(getattr(desk.people, role), path))
        assert boards[(page, role)].normalised() == fresh.normalised(), (page, role, drive.done)
    assert applied >= 30 and sum(1 for d in drive.done if "(" not in d) >= 8, drive.done


def test_rows_are_rendered_once_per_event_and_role_with_each_streams_own_csrf_token(desk):
    desk.unit("AB11")
    log = desk.log()
    events = [{"seq": e.seq, "topic": e.topic, "kind": e.kind, "payload": e.payload}
              for e in Event.objects.filter(topic="dispatch").order_by("seq")]
    calls = []

    def counting(evs: list[dict[str, Any]], role: str) -> dict[int, dict[str, Any]]:
        calls.append((len(evs), role))
        return live.board(evs, role)

    render.register("test.board", counting)
    try:
        first = render.frames("test.board", "dispatcher", events)
        again = render.frames("test.board", "dispatcher", events)
        other = render.frames("test.board", "handler", events)
    finally:
        render.VIEWS.pop("test.board")
    assert calls == [(len(events), "dispatcher"), (len(events), "handler")]
    assert first == again
    row = json.loads(next(f for f in first if f and log.reference in f))
    assert row["tbody"] == "pending-body" and render.CSRF_SLOT in row["html"]
    assert f'action="/dispatch/do/assign/{log.reference}/"' in row["html"]
    mine = render.for_stream(json.dumps(row), "token-of-this-stream")
    assert render.CSRF_SLOT not in mine and "token-of-this-stream" in json.loads(mine)["html"]
    # A call handler sees the board but may not assign: the row drawn for them has no dispatch forms.
    theirs = json.loads(next(f for f in other if f and log.reference in f))
    assert 'name="callsign"' not in theirs["html"] and "<form" not in theirs["html"]
