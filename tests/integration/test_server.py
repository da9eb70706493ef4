"""Against a real server process: concurrent writers, live events, and crash safety."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.live import Server, SseFrames, Template, api
from watchkeeper.bench.server import run_cli

CONTACT = {"channel": "999", "caller_name": "Test Caller", "account": "Man shouting in the street."}


def _raise(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/logs", json={"contact": CONTACT, "category": "public_order", "summary": "Shouting",
                                       **extra})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.safeguard("L4")
def test_two_concurrent_writers_never_overwrite_each_other(server: Server, tokens: dict[str, str]) -> None:
    a, b = api(server, tokens["handler"]), api(server, tokens["handler2"])
    ref = _raise(a)["reference"]
    start = a.get(f"/api/logs/{ref}").json()

    # Appends from both at once: every entry kept, sequence numbers unique and gapless.
    def add(client: httpx.Client, who: str, i: int) -> int:
        return client.post(f"/api/logs/{ref}/entries", json={"text": f"{who} update {i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda i: add(a if i % 2 else b, "A" if i % 2 else "B", i), range(20)))
    assert codes == [201] * 20
    entries = a.get(f"/api/logs/{ref}").json()["entries"]
    seqs = [e["seq"] for e in entries]
    assert seqs == list(range(1, len(entries) + 1))
    assert {e["text"] for e in entries if "update" in e["text"]} == (
        {f"A update {i}" for i in range(1, 20, 2)} | {f"B update {i}" for i in range(0, 20, 2)}
    )

    # Two header edits against the same version at the same moment: one wins, the other gets a 409 that
    # shows what changed; nothing is silently overwritten.
    version = a.get(f"/api/logs/{ref}").json()["version"]
    barrier = threading.Barrier(2)

    def edit(client: httpx.Client, summary: str) -> httpx.Response:
        barrier.wait()
        return client.patch(f"/api/logs/{ref}", json={"expected_version": version, "summary": summary})

    with ThreadPoolExecutor(max_workers=2) as pool:
        ra, rb = pool.map(lambda args: edit(*args), [(a, "Summary from A"), (b, "Summary from B")])
    assert sorted([ra.status_code, rb.status_code]) == [200, 409]
    loser = ra if ra.status_code == 409 else rb
    winner_summary = "Summary from A" if ra.status_code == 200 else "Summary from B"
    body = loser.json()
    assert body["safeguard"]["id"] == "L4"
    assert any(winner_summary in (c.get("text") or "") for c in body["details"]["changes"])
    assert a.get(f"/api/logs/{ref}").json()["summary"] == winner_summary
    assert start["version"] < body["details"]["current_version"]


def _read_events(resp: httpx.Response, want: int, timeout: float) -> list[dict[str, Any]]:
    """Parse SSE frames until `want` data events arrive (or time runs out)."""
    events: list[dict[str, Any]] = []
    frames = SseFrames()
    deadline = time.monotonic() + timeout
    for line in resp.iter_lines():
        frame = frames.feed(line)
        if frame is not None:
            events.append(frame)
            if len(events) >= want:
                break
        if time.monotonic() > deadline:
            break
    return events


@pytest.mark.safeguard("L4")
def test_live_events_arrive_and_a_reconnecting_client_is_replayed_what_it_missed(
    server: Server, tokens: dict[str, str]
) -> None:
    a = api(server, tokens["handler"])
    log = _raise(a)
    ref, topic = log["reference"], f"log:{log['id']}"
    headers = {"Authorization": f"Bearer {tokens['dispatcher']}"}
    result: dict[str, Any] = {}
    connected = threading.Event()

    def listen() -> None:
        with httpx.Client(base_url=server.base, timeout=30) as c:
            with c.stream("GET", f"/events/stream?topics={topic}", headers=headers) as resp:
                result["status"] = resp.status_code
                connected.set()
                result["events"] = _read_events(resp, 3, 15)

    t = threading.Thread(target=listen)
    t.start()
    assert connected.wait(10)
    time.sleep(0.5)  # the stream has registered with the broker
    a.post(f"/api/logs/{ref}/entries", json={"text": "First live entry"})
    a.post(f"/api/logs/{ref}/entries", json={"text": "Second live entry"})
    t.join(20)
    assert result["status"] == 200
    added = [e for e in result.get("events", []) if e["event"] == "entry_added"]
    assert [e["data"]["text"] for e in added] == ["First live entry", "Second live entry"], result
    presence = [e for e in result["events"] if e["event"] == "presence"]
    assert presence and presence[0]["data"]["present"] is True  # L4: the viewer announced itself

    # Reconnect from the first entry's event id: the second is replayed from the database.
    with httpx.Client(base_url=server.base, timeout=30) as c:
        with c.stream("GET", f"/events/stream?topics={topic}",
                      headers={**headers, "Last-Event-ID": str(added[0]["id"])}) as resp:
            replayed = _read_events(resp, 2, 10)
    assert [e["data"]["text"] for e in replayed if e["event"] == "entry_added"] == ["Second live entry"]

    # A topic the person may not follow is refused.
    denied = httpx.get(f"{server.base}/events/stream?topics=user:999999", headers=headers, timeout=10)
    assert denied.status_code == 400


@pytest.mark.safeguard("L1", "A3")
@pytest.mark.parametrize("workers", [1, 2])
def test_kill_9_mid_stream_loses_no_acknowledged_write(live_template: Template, workers: int) -> None:
    """Acknowledged means committed: every 2xx survives kill -9 of the whole server, one process or several
    sharing the port (their writes queued on one database)."""
    url = live_template.fresh_url()
    token = live_template.seed["tokens"]["handler"]
    server = Server(url, extra_env={"WATCHKEEPER_WORKERS": str(workers)}).start()
    acknowledged: list[tuple[str, list[str]]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def writer(n: int) -> None:
        client = api(server, token)
        i = 0
        while not stop.is_set():
            i += 1
            texts = [f"w{n} log {i} entry {k}" for k in range(3)]
            try:
                r = client.post("/api/logs", json={"contact": CONTACT, "category": "public_order",
                                                   "summary": f"w{n}-{i}", "entries": texts}, timeout=30)
            except httpx.HTTPError:
                return  # the server died mid-request: that write was never acknowledged
            if r.status_code == 201:
                with lock:
                    acknowledged.append((r.json()["reference"], texts))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    # Kill mid-stream once a fair number of writes were acknowledged (on a busy machine that takes longer
    # than on a quiet one; the writers are still sending when the process dies either way).
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with lock:
            if len(acknowledged) > 20:
                break
        time.sleep(0.2)
    time.sleep(0.5)
    server.kill(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acknowledged) > 10

    restarted = Server(url).start()
    try:
        client = api(restarted, token)
        for ref, texts in acknowledged:
            body = client.get(f"/api/logs/{ref}").json()
            assert body["reference"] == ref
            assert [e["text"] for e in body["entries"] if e["kind"] == "narrative"] == texts
    finally:
        restarted.stop()
    out = run_cli(url, "verify-audit")
    assert "audit chain valid" in out
