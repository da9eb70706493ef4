"""Live fan-out to many boards: `watchkeeper bench fanout`.

A real `watchkeeper serve` runs on a scratch database (SQLite file or a new PostgreSQL database). A second
process (`inside()`, so the load generator does not share the server's GIL) opens N server-sent-event
streams (500 by default) on the "board" topic with the staff's API tokens (bearer tokens, as an
integration connects), using asyncio and httpx, and waits until every stream has registered with the
server's broker (its first `retry:` line). A writer in the same process then raises logs through the API
(POST /api/logs, one at a time, spaced out), each of which publishes one `log.raised` event on the board.

With `topic="dispatch"` the streams follow the dispatch boards instead: each 999 log raised puts a row on
the dispatcher board (its grading clock, D1), and a receipt is the stream's first "row" event for that log.
With `view="dispatch.board"` as well, each stream asks for that row as the dispatcher board draws it (HTML
rendered by the server for the viewer's role; see realtime/render.py), so the run measures what the live
boards cost the server.

For every (event, client) receipt the latency is measured two ways:
- `from_event_written`: receipt time minus the event row's `at`, stamped inside the writing transaction
  before it commits: an upper bound on the time from commit (it includes the end of the transaction);
- `from_response`: receipt time minus the moment the writer's HTTP response returned (after the commit;
  it can be negative when a stream hears of the event before the writer has read its response).
The verdict uses the upper bound. `per_event_last_client` is, for each event, the time until the last of
the N clients had it. Client and server share the machine's cores; the CPU each used is reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from watchkeeper.bench.server import BENCH_ENV, Server, caller, drop, is_postgres, prepare, run_cli, scratch_url
from watchkeeper.bench.stats import summary_ms

TARGET_P99_MS = 250.0
VIEWERS = ["dispatcher", "dispatcher2", "controller", "inspector", "handler2", "supervisor"]
CONTACT = {"channel": "999", "caller_name": "Bench Caller", "caller_phone": "07700 900000",
           "account": "Caller reports a fight outside the pub, several people involved."}


def raise_nofile(wanted: int) -> dict[str, int]:
    """Raise this process's soft limit on open files towards `wanted` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    soft2, hard2 = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"soft_before": soft, "soft": soft2, "hard": hard2}


def run(db: str, workdir: Path, *, clients: int = 500, events: int = 40, spacing: float = 0.5,
        topic: str = "board", view: str | None = None) -> dict[str, Any]:
    """The fan-out benchmark on one database kind ("sqlite" or a PostgreSQL URL)."""
    from watchkeeper.bench.clocks import proc_cpu_seconds

    # The server inherits this process's limit: one descriptor per stream, plus its database and files.
    nofile = raise_nofile(clients * 2 + 256)
    load_start = [round(x, 2) for x in os.getloadavg()]
    asked = clients
    limited: dict[str, Any] | None = None
    if is_postgres(db):
        # Streams share a few database threads in the server (realtime/feed.py), so the number of streams is
        # not limited by max_connections; refuse only when the server has no room at all for this run.
        limit, used = postgres_room(db)
        if limit - used < 20:
            raise RuntimeError(f"the PostgreSQL server has {limit - used} free connections; the run needs 20")
    url = scratch_url(db, workdir, prefix="wk_fan")
    try:
        seed = prepare(url)
        server = Server(url, sweeper=True, extra_env=BENCH_ENV).start()
        try:
            assert server.proc is not None
            pid = server.proc.pid
            c0 = proc_cpu_seconds(pid)
            args = {"base": server.base, "server_pid": pid, "writer": seed["tokens"]["handler"],
                    "viewers": [seed["tokens"][n] for n in VIEWERS], "clients": clients, "events": events,
                    "spacing": spacing, "topic": topic, "view": view}
            code = f"from watchkeeper.bench.fanout import inside\ninside({json.dumps(args)!r})\n"
            out: dict[str, Any] = json.loads(run_cli(url, code=code, timeout=3600).strip().splitlines()[-1])
            out["server_cpu_seconds"] = round(proc_cpu_seconds(pid) - c0, 2)
        finally:
            server.stop()
    finally:
        drop(url)
    out["topic"], out["view"] = topic, view
    out["server_nofile"] = nofile
    out["load_average_at_start"] = load_start
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if limited:
        out["limited"] = limited
    p99 = out["latency"]["from_event_written"]["p99_ms"]
    complete = (out["missing_receipts"] == 0 and out["connected"] == asked and not out["write_errors"]
                and out["events"] == events)
    out["verdict"] = {
        "target_p99_ms": TARGET_P99_MS, "p99_ms": p99, "complete": complete,
        "meets_p99": bool(complete and p99 <= TARGET_P99_MS),
        "meets_p99_from_response": bool(complete and out["latency"]["from_response"]["p99_ms"] <= TARGET_P99_MS),
    }
    return out


def server_resources(pid: int) -> dict[str, Any]:
    """The server's threads and database connections while the streams are open (run in the load
    generator's process, which has the scratch database configured)."""
    from django.db import connection

    status = Path(f"/proc/{pid}/status").read_text()
    threads = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()")
            row = cur.fetchone()
            cur.execute("SHOW max_connections")
            limit = cur.fetchone()
        conns: Any = int(row[0]) if row else None
        out: dict[str, Any] = {"threads": threads, "db_connections": conns,
                               "postgres_max_connections": int(limit[0]) if limit else None}
    else:
        name = str(connection.settings_dict["NAME"])
        fds = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                fds += os.readlink(fd) == name
            except OSError:
                pass
        out = {"threads": threads, "db_connections": fds}
    connection.close()
    return out


def postgres_room(url: str) -> tuple[int, int]:
    """(max_connections, connections in use) on the PostgreSQL server."""
    import psycopg

    from watchkeeper.bench.server import with_dbname

    with psycopg.connect(with_dbname(url, "postgres"), autocommit=True) as conn:
        limit = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
        used = int(conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0])  # type: ignore[index]
    return limit, used


# --------------------------------------------------------------------------------- the load generator
class Streams:
    def __init__(self, n: int, path: str = "/events/stream?topics=board") -> None:
        self.n = n
        self.path = path
        self.connected = 0
        self.all_connected = asyncio.Event()
        self.receipts: dict[str, list[float]] = defaultdict(list)  # reference -> receipt times
        self.rendered = 0  # receipts that came as the page draws them (HTML), in a view
        self.errors: list[str] = []

    async def client(self, http: Any, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        try:
            async with http.stream("GET", self.path, headers=headers) as resp:
                if resp.status_code != 200:
                    self.errors.append(f"HTTP {resp.status_code}")
                    return
                buf = b""
                seen: set[str] = set()  # logs this stream has had (a log's first row counts on the boards)
                async for chunk in resp.aiter_raw():
                    now = time.time()  # the moment the bytes arrived, before any parsing
                    buf += chunk
                    while b"\n\n" in buf:
                        block, buf = buf.split(b"\n\n", 1)
                        self._block(block, now, seen)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # reported, not hidden: a dropped stream shows as missing receipts
            self.errors.append(f"{type(e).__name__}: {e}")

    def _block(self, block: bytes, at: float, seen: set[str]) -> None:
        for line in block.split(b"\n"):
            if line.startswith(b"retry:"):
                self.connected += 1
                if self.connected == self.n:
                    self.all_connected.set()
            elif line.startswith(b"data:"):
                data = json.loads(line[5:])
                if data.get("kind") == "log.raised":
                    self.receipts[data["reference"]].append(at)
                elif data.get("table") == "logs" and data.get("key") not in seen:  # a dispatch board's row
                    seen.add(data["key"])
                    self.receipts[data["key"]].append(at)
                    self.rendered += "html" in data


async def _main(args: dict[str, Any]) -> dict[str, Any]:
    import httpx

    n, events = args["clients"], args["events"]
    path = f"/events/stream?topics={args.get('topic') or 'board'}"
    if args.get("view"):
        path += f"&view={args['view']}"
    streams = Streams(n, path)
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    timeout = httpx.Timeout(60.0, read=None)
    written: dict[str, tuple[float, float]] = {}
    write_ms: list[float] = []
    write_errors: list[str] = []
    server: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=args["base"], limits=limits, timeout=timeout) as http, \
            httpx.AsyncClient(base_url=args["base"], timeout=60,
                              headers={"Authorization": f"Bearer {args['writer']}"}) as writer:
        t0 = time.monotonic()
        tasks = []
        for i in range(n):  # connect in waves, as boards come up over a shift change
            tasks.append(asyncio.create_task(streams.client(http, args["viewers"][i % len(args["viewers"])])))
            if i % 50 == 49:
                await asyncio.sleep(0.2)
        try:
            await asyncio.wait_for(streams.all_connected.wait(), timeout=180)
        except TimeoutError:
            pass
        connect_seconds = time.monotonic() - t0
        await asyncio.sleep(1.0)
        server = await asyncio.to_thread(server_resources, args["server_pid"])
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        for k in range(events):
            body = {"contact": caller(CONTACT), "category": "public_order", "summary": f"Fan-out bench {k + 1}"}
            sent = time.time()
            r = await writer.post("/api/logs", json=body)
            returned = time.time()
            if r.status_code != 201:
                write_errors.append(f"POST /api/logs -> {r.status_code}: {r.text[:200]}")
                break
            written[r.json()["reference"]] = (sent, returned)
            write_ms.append(returned - sent)
            await asyncio.sleep(args["spacing"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(len(streams.receipts[ref]) < streams.connected for ref in written):
            await asyncio.sleep(0.1)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"written": written, "receipts": dict(streams.receipts), "rendered": streams.rendered,
            "connected": streams.connected,
            "errors": streams.errors, "connect_seconds": connect_seconds, "write": write_ms,
            "write_errors": write_errors, "server": server,
            "client_cpu": (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)}


def inside(raw: str) -> None:
    """Runs in its own process with the scratch database configured; prints one JSON line."""
    from watchkeeper.realtime.models import Event

    args = json.loads(raw)
    nofile = raise_nofile(args["clients"] * 2 + 256)
    res = asyncio.run(_main(args))
    if (args.get("topic") or "board") == "board":
        at = {e.payload.get("reference"): e.at.timestamp()
              for e in Event.objects.filter(topic="board", kind="log.raised")}
    else:  # a log's first row on the dispatch board
        at = {}
        for e in Event.objects.filter(topic="dispatch", kind="row").order_by("seq"):
            if e.payload.get("table") == "logs":
                at.setdefault(e.payload.get("key"), e.at.timestamp())
    from_event: list[float] = []
    from_response: list[float] = []
    last_client: list[float] = []
    for ref, (_sent, returned) in res["written"].items():
        got = res["receipts"].get(ref, [])
        from_event.extend(t - at[ref] for t in got)
        from_response.extend(t - returned for t in got)
        if got:
            last_client.append(max(got) - at[ref])
    expected = len(res["written"]) * res["connected"]
    received = sum(len(res["receipts"].get(ref, [])) for ref in res["written"])
    print(json.dumps({
        "clients": args["clients"], "connected": res["connected"], "events": len(res["written"]),
        "spacing_seconds": args["spacing"], "connect_seconds": round(res["connect_seconds"], 1),
        "receipts": received, "rendered_receipts": res["rendered"],
        "missing_receipts": expected - received + (args["clients"] - res["connected"]) * len(res["written"]),
        "stream_errors": res["errors"][:10], "stream_error_count": len(res["errors"]),
        "latency": {"from_event_written": summary_ms(from_event), "from_response": summary_ms(from_response),
                    "per_event_last_client": summary_ms(last_client)},
        "write_request": summary_ms(res["write"]), "write_errors": res["write_errors"],
        "server_with_all_streams_open": res["server"],
        "client_process_cpu_seconds": round(res["client_cpu"], 2), "client_nofile": nofile,
    }))
