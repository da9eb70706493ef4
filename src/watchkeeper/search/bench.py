"""Search across logs at scale: `watchkeeper bench-search` (the command `bench_search`).

On each database kind a scratch database is migrated, seeded with staff and filled by `watchkeeper
generate-history --logs N` (the search index is filled by its triggers as the history is written, as in
service); then a `watchkeeper serve` runs on it and a second process (`inside()`) sends GET /api/search with a
handler's token, one request at a time on a keep-alive connection, and reports p50/p99 per kind of search:

- word: one word from what was said on a random log; words: two of them; phrase: two adjacent words quoted;
- person: a party's name; phone: a phone as a caller would type it; address: a place's street;
- filtered: a word with a status, a category and a date range; reference: a log's reference.

Warm-up searches run first (the database is warm in operation); each search is audited, as in service.
"""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from typing import Any

from watchkeeper.bench.server import BENCH_ENV, Server, drop, prepare, run_cli, scratch_url
from watchkeeper.bench.stats import summary_ms

TARGET_P99_MS = 50.0
KINDS = ("word", "words", "phrase", "person", "phone", "address", "filtered", "reference")
WARMUP = 30
ANALYZE = ("from django.db import connection\n"
           "with connection.cursor() as cur:\n"
           "    cur.execute('ANALYZE search_logtext' if connection.vendor == 'postgresql' else 'ANALYZE')\n")


def run(db: str, workdir: Path, *, logs: int, searches: int = 200, seed: int = 1) -> dict[str, Any]:
    url = scratch_url(db, workdir, prefix="wk_search")
    try:
        seed_info = prepare(url)
        t0 = time.monotonic()
        summary = json.loads(run_cli(url, "generate-history", "--logs", str(logs), "--seed", str(seed), "--quiet",
                                     timeout=4 * 3600))
        generation = {"wall_seconds": round(time.monotonic() - t0, 1), "rows": summary["rows"]}
        # The history is written in bulk; in service the database's own statistics (autovacuum on PostgreSQL)
        # would have seen the index table by now, and the planner chooses by them.
        run_cli(url, code=ANALYZE)
        server = Server(url, sweeper=False, extra_env=BENCH_ENV).start(timeout=120)
        try:
            args = {"base": server.base, "token": seed_info["tokens"]["handler"], "searches": searches,
                    "seed": seed}
            code = f"from watchkeeper.search.bench import inside\ninside({json.dumps(args)!r})\n"
            measured = json.loads(run_cli(url, code=code, timeout=4 * 3600).strip().splitlines()[-1])
        finally:
            server.stop()
        worst = max(m["p99_ms"] for m in measured["http"].values())
        return {"logs": logs, "generation": generation, **measured,
                "verdict": {"target_p99_ms": TARGET_P99_MS, "worst_p99_ms": worst,
                            "meets_p99": worst <= TARGET_P99_MS}}
    finally:
        drop(url)


# --------------------------------------------------------------------------------- inside the database
def _sample(sql: str, n: int, rng: random.Random) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT max(log_id) FROM search_logtext")
        top = int(cur.fetchone()[0] or 0)
        rows: list[tuple[Any, ...]] = []
        for _ in range(n * 3):
            if len(rows) >= n or not top:
                break
            cur.execute(sql, [rng.randint(1, top)])
            row = cur.fetchone()
            if row and all(row):
                rows.append(tuple(row))
        return rows


def queries(n: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """n searches of each kind, drawn from the data (so each finds something)."""
    said = _sample("SELECT said, ref FROM search_logtext WHERE log_id >= %s AND said <> '' ORDER BY log_id LIMIT 1",
                   n * 2, rng)
    words = [[w for w in re.findall(r"[A-Za-z]{4,}", s)] or ["call"] for s, _ in said]
    people = _sample("SELECT p.given_names || ' ' || p.family_name FROM people_logparty lp JOIN people_person p "
                     "ON p.id = lp.person_id WHERE lp.log_id >= %s ORDER BY lp.log_id LIMIT 1", n, rng)
    phones = _sample("SELECT ph.e164 FROM people_logparty lp JOIN people_phone ph ON ph.id = lp.phone_id "
                     "WHERE lp.log_id >= %s ORDER BY lp.log_id LIMIT 1", n, rng)
    places = _sample("SELECT a.street_key FROM people_logparty lp JOIN people_address a ON a.id = lp.address_id "
                     "WHERE lp.log_id >= %s ORDER BY lp.log_id LIMIT 1", n, rng)
    refs = _sample("SELECT reference, category FROM incidents_log WHERE id >= %s ORDER BY id LIMIT 1", n, rng)

    def pick(i: int) -> list[str]:
        return words[i % len(words)] if words else ["call"]

    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for i in range(n):
        w = pick(i)
        out["word"].append({"q": rng.choice(w)})
        out["words"].append({"q": " ".join(rng.sample(w, 2)) if len(w) > 1 else w[0]})
        j = rng.randrange(max(1, len(w) - 1))
        out["phrase"].append({"q": '"' + " ".join(w[j:j + 2]) + '"'})
        if people:
            out["person"].append({"person": people[i % len(people)][0]})
        if phones:
            e164 = str(phones[i % len(phones)][0])
            out["phone"].append({"phone": "0" + e164[3:] if e164.startswith("+44") else e164})
        if places:
            out["address"].append({"address": " ".join(str(places[i % len(places)][0]).split()[:2])})
        if refs:
            ref, category = refs[i % len(refs)]
            out["reference"].append({"q": ref})
            out["filtered"].append({"q": rng.choice(w), "status": rng.choice(["open", "closed"]),
                                    "category": category, "date_from": "2000-01-01"})
    return {k: v for k, v in out.items() if v}


def inside(raw: str) -> None:
    """Runs in a process whose Django database is the scratch database; prints one JSON line."""
    import httpx

    args = json.loads(raw)
    rng = random.Random(args["seed"])
    drawn = queries(args["searches"], rng)
    result: dict[str, Any] = {"searches_per_kind": args["searches"], "http": {}, "found": {}}
    with httpx.Client(base_url=args["base"], headers={"Authorization": f"Bearer {args['token']}"},
                      timeout=60) as client:
        for q in [q for qs in drawn.values() for q in qs][:WARMUP]:
            _http(client, q)
        for kind, qs in drawn.items():
            times, found = [], 0
            for q in qs:
                seconds, body = _http(client, q)
                times.append(seconds)
                found += bool(body["results"])
            result["http"][kind] = summary_ms(times)
            result["found"][kind] = round(found / len(qs), 2)
    print(json.dumps(result))


def _http(client: Any, q: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    r = client.get("/api/search", params=q)
    seconds = time.perf_counter() - t0
    if r.status_code != 200:
        raise RuntimeError(f"GET /api/search {q} -> {r.status_code}: {r.text[:300]}")
    return seconds, r.json()
