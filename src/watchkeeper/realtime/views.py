"""The live event stream (server-sent events).

A client connects with the topics it wants and the last sequence number it has (the `Last-Event-ID`
header, or `?since=`); it is first replayed what it missed from the database, then woken by the broker for
each commit. Each event carries its sequence number as its SSE id, so a reconnecting browser resumes exactly
where it stopped. Connecting to a log's topic also announces presence (L4: who else has it open).

`?view=<name>` asks for the events as a page draws them (render.py): a dispatch board's stream receives
each row as HTML rendered from the page's own templates for the viewer's role, with the session's CSRF
token in its forms. Without a view, events are their JSON, as integrations read them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.middleware.csrf import get_token

from watchkeeper.core import clock
from watchkeeper.core.validate import neutralise_bidi
from watchkeeper.realtime import render
from watchkeeper.realtime.broker import broker, start_listener
from watchkeeper.realtime.feed import BATCH, feed, latest_seq, pool
from watchkeeper.realtime.models import Presence
from watchkeeper.staff.roles import allowed

HEARTBEAT_SECONDS = 15.0


async def _db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Database work of a stream, on the threads all streams share (see feed.py: connections must not grow
    with the number of open boards)."""

    def run() -> Any:
        close_old_connections()
        return fn(*args, **kwargs)

    return await asyncio.get_running_loop().run_in_executor(pool, run)


def _allowed_topics(user: Any, wanted: list[str]) -> list[str]:
    ok: list[str] = []
    for t in wanted:
        if t == f"user:{user.pk}" or (t == f"team:{user.team_id}" and user.team_id):
            ok.append(t)
        elif t in ("board", "dispatch") and allowed(user.role, "log.view"):
            ok.append(t)
        elif t.startswith("log:") and t[4:].isdigit() and allowed(user.role, "log.view"):
            ok.append(t)
    return ok


def _touch_presence(user_id: int, log_ids: list[int], *, joined: bool) -> None:
    """L4: a stream on a log marks its person present (and keeps them so on each heartbeat)."""
    from django.db.models import F

    from watchkeeper.core.uow import unit_of_work
    from watchkeeper.realtime.publish import publish

    now = clock.now()
    with unit_of_work():  # events are written in sequence order with every other writer's
        for log_id in log_ids:
            row, created = Presence.objects.get_or_create(
                log_id=log_id, user_id=user_id,
                defaults={"connected_at": now, "last_seen": now, "connections": 1 if joined else 0},
            )
            if not created:
                changes: dict[str, Any] = {"last_seen": now}
                if joined:
                    changes.update(connections=F("connections") + 1, connected_at=now)
                Presence.objects.filter(pk=row.pk).update(**changes)
            if joined:
                publish(f"log:{log_id}", "presence", {"user_id": user_id, "present": True}, log_id=log_id)


def _leave(user_id: int, log_ids: list[int]) -> None:
    """A stream closed: the person stays present while another of their streams is open on the log."""
    from django.db.models import F

    from watchkeeper.core.uow import unit_of_work
    from watchkeeper.realtime.publish import publish

    with unit_of_work():
        for log_id in log_ids:
            Presence.objects.filter(log_id=log_id, user_id=user_id, connections__gt=0).update(
                connections=F("connections") - 1
            )
            still = Presence.objects.filter(log_id=log_id, user_id=user_id, connections__gt=0).exists()
            if not still:
                publish(f"log:{log_id}", "presence", {"user_id": user_id, "present": False}, log_id=log_id)


def _format(event: dict[str, Any], data: str | None = None) -> bytes:
    """One SSE frame. The stream is for display, so bidi controls in it are shown as marks (as on pages)."""
    if data is None:
        payload = {"kind": event["kind"], "topic": event["topic"], **event["payload"]}
        data = json.dumps(payload, ensure_ascii=False)
    name = event["kind"].replace(".", "_")
    return f"id: {event['seq']}\nevent: {name}\ndata: {neutralise_bidi(data)}\n\n".encode()


def _next(topics: list[str], since: int, view: str, role: str) -> list[tuple[dict[str, Any], str | None]]:
    """A stream's next events, each with its rendering in the stream's view (None: sent as JSON)."""
    events = feed.after(topics, since)
    if not view:
        return [(ev, None) for ev in events]
    return list(zip(events, render.frames(view, role, events), strict=True))


def _session_user(request: HttpRequest) -> Any:
    user = request.user  # read here, on the shared threads, not on a thread of this request's own
    return user if user.is_authenticated else None


def _token_user(header: str) -> Any:
    """The same token check as the API's (staff/auth.py): expired, revoked, disabled or locked-out is refused."""
    from watchkeeper.staff.auth import user_for_token

    return user_for_token(header[7:]) if header.startswith("Bearer ") else None


async def stream(request: HttpRequest) -> HttpResponseBase:
    """Browsers authenticate with their session; integrations (a mobile terminal) with a bearer token."""
    header = request.headers.get("Authorization", "")
    user = await _db(_token_user, header) if header else await _db(_session_user, request)
    if user is None or not user.is_authenticated:
        return HttpResponse("Sign in first, or send a valid API token.", status=401)
    wanted = [t for t in request.GET.get("topics", "").split(",") if t]
    topics = _allowed_topics(user, wanted)
    if not topics:
        return HttpResponse("No topics you may follow.", status=400)
    view = request.GET.get("view", "")
    if view and view not in render.VIEWS:
        return HttpResponse(f"No view {view!r}; expected one of: {', '.join(sorted(render.VIEWS))}.", status=400)
    csrf = get_token(request) if view and not header else ""  # the session's: its forms post as the page's do
    raw_since = request.headers.get("Last-Event-ID") or request.GET.get("since") or ""
    start_listener()
    since = int(raw_since) if raw_since.isdigit() else await _db(latest_seq)
    log_ids = [int(t[4:]) for t in topics if t.startswith("log:")]

    async def body() -> AsyncIterator[bytes]:
        nonlocal since
        entry = broker.register()
        loop_, wake = entry
        try:
            if log_ids:
                await _db(_touch_presence, user.pk, log_ids, joined=True)
            yield b"retry: 2000\n\n"
            while True:
                wake.clear()
                events = await _db(_next, topics, since, view, user.role)
                for ev, data in events:
                    since = ev["seq"]
                    yield _format(ev, None if data is None else render.for_stream(data, csrf))
                if len(events) == BATCH:
                    continue
                try:
                    await asyncio.wait_for(wake.wait(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield b": heartbeat\n\n"
                    if log_ids:
                        await _db(_touch_presence, user.pk, log_ids, joined=False)
        finally:
            broker.unregister(entry)
            if log_ids:
                try:
                    await _db(_leave, user.pk, log_ids)
                except Exception:  # the heartbeat window ends the presence anyway
                    pass

    response = StreamingHttpResponse(body(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
