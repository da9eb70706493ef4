"""Page render over HTTP: the log page, the dispatch board and the command board (spec/ui.md: pages render in
under 200 ms), p50/p99 and the server's CPU per request.

On each database kind a scratch database is migrated and seeded with staff; a `watchkeeper serve` runs on it
(no sweeper: nothing changes the board while it is measured); the board is filled through the API as a
control room fills it: `--page-logs` logs raised with entries and graded (emergency and priority), a unit
assigned to every third, "no units" declared on every fifth (a controller's alert row). Then a dispatcher
signs in (a session, as a browser) and fetches each page `--page-requests` times, one at a time on a
keep-alive connection, after a warm-up. Every log page view is audited, as in service. The server's CPU (its
process tree, from /proc) across each page's run divided by the requests is its CPU per request, which a
busy machine disturbs far less than wall time.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path
from typing import Any

import httpx

from watchkeeper.bench.server import BENCH_ENV, Server, caller, drop, prepare, scratch_url
from watchkeeper.bench.stats import summary_ms

TARGET_P99_MS = 200.0
WARMUP = 10
PAGES = ("log_page", "dispatch_board", "command_board")
CONTACT = {"channel": "999", "caller_name": "Bench Caller", "caller_phone": "07700 900000",
           "account": "Caller reports two men fighting outside the shop, one may have a knife."}
THRIVE = {k: {"level": "high", "note": ""} for k in ("threat", "harm", "risk", "vulnerability")}


def _ok(r: httpx.Response, what: str, status: int = 200) -> dict[str, Any]:
    if r.status_code != status:
        raise RuntimeError(f"{what} -> {r.status_code}: {r.text[:300]}")
    body: dict[str, Any] = r.json()
    return body


def fill(base: str, tokens: dict[str, str], logs: int, seed: int = 1) -> list[str]:
    """The board as a busy hour leaves it; returns the logs' references."""
    rng = random.Random(seed)
    handler = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['handler']}"}, timeout=60)
    dispatcher = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['dispatcher']}"}, timeout=60)
    refs = []
    try:
        units = [f"BP{i:02d}" for i in range(max(2, logs // 3))]
        for callsign in units:
            _ok(dispatcher.post("/api/units", json={"callsign": callsign, "area": "Central"}), "unit", 201)
        for n in range(logs):
            log = _ok(handler.post("/api/logs", json={
                "contact": caller(CONTACT), "category": "public_order", "summary": f"Bench page log {n}",
                "entries": [f"Update {i}: caller still on the line, describing what they see." for i in range(4)]}),
                "raise", 201)
            ref = log["reference"]
            grade = "emergency" if rng.random() < 0.6 else "priority"
            _ok(handler.post(f"/api/logs/{ref}/grade", json={
                "grade": grade, "thrive": THRIVE, "rationale": "Fight in progress, a knife mentioned.",
                "expected_version": log["version"]}), "grade")
            if n % 3 == 0 and units:
                _ok(dispatcher.post(f"/api/logs/{ref}/units", json={"callsign": units.pop()}), "assign", 201)
            elif n % 5 == 0:
                _ok(dispatcher.post(f"/api/logs/{ref}/no-units", json={"note": "All committed"}), "no units", 201)
            refs.append(ref)
    finally:
        handler.close()
        dispatcher.close()
    return refs


def _signed_in(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    page = client.get("/login/")
    token = client.cookies.get("csrftoken") or ""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    r = client.post("/login/", data={"username": username, "password": password,
                                     "csrfmiddlewaretoken": found.group(1) if found else token},
                    headers={"Referer": base + "/login/"})
    if r.status_code not in (302, 303):
        raise RuntimeError(f"sign-in as {username} -> {r.status_code}")
    return client


def measure(server: Server, client: httpx.Client, refs: list[str], requests: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    paths = {"log_page": lambda: f"/logs/{rng.choice(refs)}/?purpose=bench",
             "dispatch_board": lambda: "/dispatch/", "command_board": lambda: "/dispatch/command/"}
    out: dict[str, Any] = {}
    for page in PAGES:
        for _ in range(WARMUP):
            client.get(paths[page]())
        times, sizes = [], []
        cpu0 = server.cpu_seconds()
        for _ in range(requests):
            path = paths[page]()
            t0 = time.perf_counter()
            r = client.get(path)
            times.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise RuntimeError(f"GET {path} -> {r.status_code}: {r.text[:300]}")
            sizes.append(len(r.content))
        cpu = server.cpu_seconds() - cpu0
        out[page] = {**summary_ms(times), "server_cpu_ms_per_request": round(1000 * cpu / requests, 2),
                     "bytes": int(sum(sizes) / len(sizes))}
    return out


def run(db: str, workdir: Path, *, logs: int = 60, requests: int = 100, seed: int = 1) -> dict[str, Any]:
    url = scratch_url(db, workdir, prefix="wk_pages")
    try:
        seed_info = prepare(url)
        server = Server(url, sweeper=False, extra_env=BENCH_ENV).start(timeout=120)
        try:
            t0 = time.monotonic()
            refs = fill(server.base, seed_info["tokens"], logs, seed)
            filled = round(time.monotonic() - t0, 1)
            client = _signed_in(server.base, "dispatcher", seed_info["passwords"]["dispatcher"])
            try:
                measured = measure(server, client, refs, requests, seed)
            finally:
                client.close()
        finally:
            server.stop()
        worst = max(m["p99_ms"] for m in measured.values())
        return {"logs": logs, "requests_per_page": requests, "fill_seconds": filled, "http": measured,
                "verdict": {"target_p99_ms": TARGET_P99_MS, "worst_p99_ms": worst, "meets_p99": worst <= TARGET_P99_MS}}
    finally:
        drop(url)
