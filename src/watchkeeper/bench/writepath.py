"""The write path over HTTP: raising logs with three narrative entries, sustained.

Two shapes are measured against a real `watchkeeper serve` on a scratch database:
- "single_request": POST /api/logs carrying the contact and three entries (one transaction);
- "four_steps": POST /api/logs, then three POST /api/logs/{ref}/entries (four transactions), with the
  latency of each step.
The load generator runs in this process (asyncio + httpx, keep-alive connections) on the same machine, so
its CPU is part of the cost.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from watchkeeper.bench.server import Server, drop, prepare, scratch_url
from watchkeeper.bench.stats import summary_ms

CONTACT = {
    "channel": "999",
    "caller_name": "Bench Caller",
    "caller_phone": "07700 900000",
    "account": "Caller reports a man shouting in the street and banging on doors.",
}


async def _worker(client: httpx.AsyncClient, shape: str, deadline: float, lat: dict[str, list[float]],
                  counts: dict[str, int]) -> None:
    n = 0
    while time.monotonic() < deadline:
        n += 1
        entries = [f"Update {i}: caller still on the line, describing events." for i in range(3)]
        t0 = time.perf_counter()
        body: dict[str, Any] = {"contact": CONTACT, "category": "public_order", "summary": f"Bench log {n}"}
        if shape == "single_request":
            body["entries"] = entries
        r = await client.post("/api/logs", json=body)
        t1 = time.perf_counter()
        if r.status_code != 201:
            counts["errors"] += 1
            continue
        lat["create"].append(t1 - t0)
        if shape == "four_steps":
            ref = r.json()["reference"]
            for i, text in enumerate(entries):
                s0 = time.perf_counter()
                e = await client.post(f"/api/logs/{ref}/entries", json={"text": text})
                if e.status_code != 201:
                    counts["errors"] += 1
                lat[f"entry_{i + 1}"].append(time.perf_counter() - s0)
        lat["log_total"].append(time.perf_counter() - t0)
        counts["logs"] += 1


async def _drive(base: str, token: str, shape: str, seconds: float, concurrency: int) -> dict[str, Any]:
    lat: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=60) as client:
        start = time.monotonic()
        await asyncio.gather(*[_worker(client, shape, start + seconds, lat, counts) for _ in range(concurrency)])
        elapsed = time.monotonic() - start
    return {
        "shape": shape,
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "logs": counts["logs"],
        "errors": counts["errors"],
        "logs_per_second": round(counts["logs"] / elapsed, 1),
        "latency": {k: summary_ms(v) for k, v in lat.items()},
    }


def run(db: str, workdir: Path, *, seconds: float, concurrency: int, shapes: list[str]) -> dict[str, Any]:
    """Benchmark the write path on one database kind ("sqlite" or a PostgreSQL URL)."""
    results: dict[str, Any] = {}
    for shape in shapes:
        url = scratch_url(db, workdir, prefix="wk_bench")
        try:
            seed = prepare(url)
            server = Server(url, sweeper=True).start()
            try:
                results[shape] = asyncio.run(_drive(server.base, seed["tokens"]["handler"], shape, seconds,
                                                    concurrency))
            finally:
                server.stop()
        finally:
            drop(url)
    return results
