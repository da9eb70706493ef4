"""Live views: events as a page draws them, rendered by the server.

Events are stored as data (a "row" event carries the row as JSON), and that is what integrations and the
API read. A page that shows rows from templates asks its stream for a view (`?view=dispatch.board`); the
app that owns the page registers a renderer for it (`register`, from the app's `ready()`), which turns each
event into what the page needs (the row's HTML from the same templates the page includes, where it goes),
so the browser never rebuilds a template. Realtime imports no app.

Rows differ by viewer only in what the viewer's role may do and in the form's CSRF token. So a renderer
renders an event once per (view, role) (cached here, shared by every stream in the process), with
`CSRF_SLOT` where the token goes; each stream puts its own session's token in (`for_stream`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

# Where a rendered form's CSRF token goes until a stream puts its own in (letters only: JSON leaves it be).
CSRF_SLOT = "wkCsrfSlotForTheStreamsOwnToken"
CACHE_SIZE = 4096  # rendered events kept: (view, role, seq)

# A renderer: (events, role) -> {seq: the data to send for that event}; an event it leaves out is sent as it
# is (its JSON). It runs on the stream's database threads (see feed.py) and may read the database.
Renderer = Callable[[list[dict[str, Any]], str], dict[int, dict[str, Any]]]

VIEWS: dict[str, Renderer] = {}
_cache: OrderedDict[tuple[str, str, int], str | None] = OrderedDict()
_lock = threading.Lock()


def register(view: str, renderer: Renderer) -> None:
    VIEWS[view] = renderer


def frames(view: str, role: str, events: list[dict[str, Any]]) -> list[str | None]:
    """For each event, the data line to send in this view for this role (None: the event's own JSON).
    Rendered once per (view, role, event) in the process: the streams waiting for the same events find
    them rendered by the first."""
    renderer = VIEWS[view]
    with _lock:  # one renderer at a time: a second stream waiting here then finds its events in the cache
        missing = [ev for ev in events if (view, role, ev["seq"]) not in _cache]
        if missing:
            rendered = renderer(missing, role)
            for ev in missing:
                data = rendered.get(ev["seq"])
                _cache[(view, role, ev["seq"])] = None if data is None else json.dumps(data)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return [_cache.get((view, role, ev["seq"])) for ev in events]


def for_stream(data: str, csrf: str) -> str:
    """A rendered event with this stream's CSRF token in its forms."""
    return data.replace(CSRF_SLOT, csrf)
