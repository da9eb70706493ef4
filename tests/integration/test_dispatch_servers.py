"""Dispatch against real server processes (D1): a board on one app server hears what another app server wrote
(PostgreSQL LISTEN/NOTIFY), and a response clock that fell due while the server was down breaches once
after the restart."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.live import Server, SseFrames, Template, api

pytestmark = pytest.mark.live

CONTACT = {"channel": "999", "caller_name": "Test Caller", "caller_phone": "07700 900444",
           "account": "A man has collapsed in the road and is not moving."}
THRIVE = {el: {"level": "high", "note": ""} for el in ("threat", "harm", "risk", "vulnerability")}
# Bounds a wait on a loaded machine; never a timing assertion.
WAIT = 15.0
BOARD_TABLES = ("logs", "units", "alerts", "diverts")


def _emergency(client: httpx.Client, summary: str) -> str:
    """Raise a log and grade it emergency, which arms its response clock (D1)."""
    r = client.post("/api/logs", json={"contact": CONTACT, "category": "concern_for_welfare", "summary": summary,
                                       "location": "Quay Street",
                                       # L8: one phone and place for every log here; each a separate matter.
                                       "second_call_reason": "A separate matter (test set-up)"})
    assert r.status_code == 201, r.text
    ref = str(r.json()["reference"])
    version = client.get(f"/api/logs/{ref}").json()["version"]
    r = client.post(f"/api/logs/{ref}/grade", json={"grade": "emergency", "thrive": THRIVE,
                                                    "expected_version": version})
    assert r.status_code == 200, r.text
    return ref


def _board(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/api/boards/dispatch")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _until(what: str, probe: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not seen within {timeout:.0f} s (last: {got!r})")
        time.sleep(0.1)


class Stream:
    """An SSE connection read on a thread: every line (data, ids, heartbeats) goes to a queue."""

    def __init__(self, server: Server, token: str, topics: str, since: int) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.opened = threading.Event()
        self.status = 0
        self._client = httpx.Client(base_url=server.base, timeout=httpx.Timeout(10, read=None))
        self._args = (f"/events/stream?topics={topics}&since={since}", {"Authorization": f"Bearer {token}"})
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        path, headers = self._args
        try:
            with self._client.stream("GET", path, headers=headers) as resp:
                self.status = resp.status_code
                for line in resp.iter_lines():
                    if line.startswith("retry:"):
                        self.opened.set()  # sent once the stream has registered for wake-ups
                    self.lines.put(line)
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.lines.put(None)

    def frames(self, timeout: float) -> Any:
        """Yield ("event", {...}) for each data frame and ("heartbeat", None) for each heartbeat, until the
        deadline or the end of the stream."""
        deadline = time.monotonic() + timeout
        frames = SseFrames()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return
            if line is None:
                return
            if line.startswith(": heartbeat"):
                yield "heartbeat", None
            elif (frame := frames.feed(line)) is not None:
                yield "event", frame

    def close(self) -> None:
        self._client.close()


# ------------------------------------------------------------------------------- two app servers
@pytest.mark.safeguard("D1")
def test_a_board_on_one_app_server_hears_what_another_app_server_wrote(live_template: Template) -> None:
    """Two app servers on one database (PostgreSQL: LISTEN/NOTIFY; SQLite: the file's change counter, as
    `serve --workers` processes do) wake each other's live streams."""
    url = live_template.fresh_url()
    tokens = live_template.seed["tokens"]
    one = Server(url).start()
    two = Server(url, sweeper=False).start()
    stream: Stream | None = None
    try:
        writer, reader = api(one, tokens["dispatcher"]), api(two, tokens["dispatcher"])
        # A dispatcher's board on server 2: its snapshot, then the live stream from that snapshot's sequence.
        snap = _board(reader)
        board = {t: dict(snap[t]) for t in BOARD_TABLES}
        stream = Stream(two, tokens["dispatcher"], "dispatch", snap["seq"])
        assert stream.opened.wait(WAIT) and stream.status == 200, two.log.read_text()

        # Everything is written through server 1's API.
        callsign = f"MS{uuid.uuid4().hex[:6].upper()}"
        r = writer.post("/api/units", json={"callsign": callsign, "area": "Kingsbridge town"})
        assert r.status_code == 201, r.text
        ref = _emergency(api(one, tokens["handler"]), "Two servers: man collapsed in the road")
        r = writer.post(f"/api/logs/{ref}/units", json={"callsign": callsign})
        assert r.status_code == 201, r.text
        truth = _board(writer)
        assert truth["logs"][ref]["units"][0]["callsign"] == callsign
        assert truth["units"][callsign]["assignments"][0]["reference"] == ref

        # Server 2's stream delivers every row change, applied as boards.apply does, until its board shows
        # the unit on the log exactly as server 1 has it. A stream that was not woken by the other server's
        # commit would only find the events on its next heartbeat poll: no heartbeat may come first.
        rows: list[tuple[str, str]] = []
        heartbeats_first = 0
        for kind, frame in stream.frames(WAIT):
            if kind == "heartbeat":
                heartbeats_first += 1
                continue
            assert frame["event"] == "row", frame
            payload = frame["data"]
            rows.append((payload["table"], payload["key"]))
            if payload["row"] is None:
                board[payload["table"]].pop(payload["key"], None)
            else:
                board[payload["table"]][payload["key"]] = payload["row"]
            if (board["logs"].get(ref), board["units"].get(callsign)) == (truth["logs"][ref], truth["units"][callsign]):
                break
        else:
            pytest.fail(f"server 2's board did not show {callsign} on {ref} within {WAIT:.0f} s; rows heard: {rows}")
        assert heartbeats_first == 0, f"events reached server 2 only on its heartbeat poll, not woken: {rows}"
        assert ("units", callsign) in rows and ("logs", ref) in rows
        # The board that applied the live events equals a fresh load (from either server).
        assert board == {t: truth[t] for t in BOARD_TABLES}
        assert board == {t: _board(reader)[t] for t in BOARD_TABLES}
    finally:
        if stream is not None:
            stream.close()
        two.stop()
        one.stop()


# ----------------------------------------------------------------------------------------- restart
def _alerts_on(board: dict[str, Any], ref: str) -> list[dict[str, Any]]:
    return sorted((a for a in board["alerts"].values() if a["reference"] == ref), key=lambda a: a["id"])


def _offset_server(url: str, offset: float) -> Server:
    """`watchkeeper serve` with its sweeper, its clock moved `offset` seconds on (WATCHKEEPER_CLOCK_OFFSET_SECONDS)."""
    return Server(url, extra_env={"WATCHKEEPER_CLOCK_OFFSET_SECONDS": f"{offset:.3f}"}).start()


@pytest.mark.safeguard("D1")
def test_a_clock_that_fell_due_while_the_server_was_down_breaches_once_after_the_restart(
    live_template: Template,
) -> None:
    url = live_template.fresh_url()
    tokens = live_template.seed["tokens"]
    first = Server(url).start()
    try:
        ref = _emergency(api(first, tokens["handler"]), "Restart: man collapsed in the road")
        before = _board(api(first, tokens["dispatcher"]))
    finally:
        first.stop()
    row = before["logs"][ref]
    target = datetime.fromisoformat(row["target_at"])
    assert row["breached_at"] is None and _alerts_on(before, ref) == []
    assert target > datetime.now(UTC)

    # While the server is down, time passes the 50% and 80% alerts and the target itself.
    offset = (target - datetime.now(UTC)).total_seconds() + 120
    second = _offset_server(url, offset)
    try:
        dispatcher = api(second, tokens["dispatcher"])
        alerts = _until(f"the breach of {ref} after the restart",
                        lambda: _alerts_on(_board(dispatcher), ref))
        after = _board(dispatcher)
    finally:
        second.stop()
    # The clock survived the restart unchanged, and the most advanced alert due is raised once: the breach,
    # to the dispatcher, recorded at the moment the target passed (not when the sweep saw it).
    assert (after["logs"][ref]["started_at"], after["logs"][ref]["target_at"]) == (row["started_at"],
                                                                                   row["target_at"])
    assert [(a["kind"], a["level"]) for a in alerts] == [("breach", "dispatcher")], alerts
    assert "BREACHED" in alerts[0]["text"]
    assert datetime.fromisoformat(after["logs"][ref]["breached_at"]) == target

    # Restart again, later still (past the alert's escalation deadline): the sweeper runs again and escalates
    # the unacknowledged breach to the controller, and the breach itself is never raised a second time.
    third = _offset_server(url, offset + 15 * 60)
    try:
        dispatcher = api(third, tokens["dispatcher"])
        escalated = _until(f"the escalation of {ref}'s breach to the controller",
                           lambda: [a for a in _alerts_on(_board(dispatcher), ref) if a["level"] == "controller"])
        final = _alerts_on(_board(dispatcher), ref)
        with api(third, tokens["dispatcher"]) as c:
            notes = c.get("/api/notifications", params={"unread": "false"}).json()
    finally:
        third.stop()
    assert [(a["kind"], a["level"]) for a in escalated] == [("breach", "controller")]
    assert [(a["id"], a["kind"], a["level"]) for a in final] == [
        (alerts[0]["id"], "breach", "dispatcher"), (escalated[0]["id"], "breach", "controller")]
    # The dispatcher was told of the breach once.
    breach_notes = [n for n in notes if n["kind"] == "alert_breach" and n["log"] == ref]
    assert len(breach_notes) == 1, breach_notes
