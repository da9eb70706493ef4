"""The call-time context lookup at scale (C1): `watchkeeper bench context`.

For each history size (100,000 and 1,000,000 logs by default) on each database kind, a scratch database is
migrated, seeded with staff and filled by `watchkeeper generate-history`; then a `watchkeeper serve` runs on
it and a second process (`inside()`) measures, for phone, address and name lookups:

- in process: `watchkeeper.people.context.lookup` with the policy in force, as the action calls it;
- over HTTP: GET /api/context with a handler's token (the audited action: one audit record per lookup),
  one request at a time on a keep-alive connection;
- over HTTP with `CONCURRENT_CLIENTS` clients at once (as several handlers' panels look up together), on a
  server of `workers` processes, with the server's CPU per lookup.

Lookups are drawn from the data as demand draws them (half from the keys on random logs, so busy keys
come up as often as they call) and uniformly (half from the index), with typed variations (national or
spaced numbers; abbreviated streets, lower case, no postcode; spelling variants, surname first, surname
only, with and without a date of birth) and one in ten a miss. Each set is drawn afresh, and warm-up
lookups run first (the database is warm in operation).

The heavy-history case looks up the address with 2,500 previous logs (and the busiest phone and person)
and asserts that the panel shows the newest logs, newest first, and counts all of them.
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

TARGETS = {"in_process_p99_ms": 10.0, "http_p99_ms": 25.0, "growth_max": 2.0, "concurrent_http_p99_ms": 10.0}
CONCURRENT_CLIENTS = 4
KINDS = ("phone", "address", "name")
WARMUP = 40
HEAVY_REPEATS = 100
SPELLINGS = [("John", "Jon"), ("Stephen", "Steven"), ("Smith", "Smyth"), ("Thompson", "Thomson"),
             ("Mohammed", "Muhammad"), ("Clarke", "Clark"), ("Philip", "Phillip"), ("Jane", "Jayne"),
             ("Catherine", "Kathryn"), ("Sarah", "Sara"), ("Davies", "Davis"), ("Lewis", "Louis"),
             ("Jackie", "Jacqui"), ("Reece", "Rhys"), ("Hussain", "Hussein"), ("O'Brien", "OBrien")]
ABBREVIATE = [("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave"), ("Lane", "Ln"), ("Drive", "Dr"),
              ("Close", "Cl"), ("Crescent", "Cres"), ("Gardens", "Gdns"), ("Terrace", "Tce"), ("Court", "Ct")]


# ------------------------------------------------------------------------------------- orchestration
def run(db: str, workdir: Path, *, sizes: list[int], lookups: int = 300, seed: int = 1,
        workers: int = 2) -> dict[str, Any]:
    """The context benchmark on one database kind ("sqlite" or a PostgreSQL URL), at each history size."""
    out: dict[str, Any] = {}
    for size in sizes:
        url = scratch_url(db, workdir, prefix="wk_ctx")
        try:
            seed_info = prepare(url)
            t0 = time.monotonic()
            summary = json.loads(run_cli(url, "generate-history", "--logs", str(size), "--seed", str(seed),
                                         "--quiet", timeout=4 * 3600))
            generation = {"wall_seconds": round(time.monotonic() - t0, 1), "phases": summary["seconds"],
                          "rows": summary["rows"]}
            server = Server(url, sweeper=False,
                            extra_env={**BENCH_ENV, "WATCHKEEPER_WORKERS": str(workers)}).start(timeout=120)
            try:
                args = {"base": server.base, "token": seed_info["tokens"]["handler"], "lookups": lookups,
                        "seed": seed, "heavy": summary["heavy"]}
                code = f"from watchkeeper.bench.context import inside\ninside({json.dumps(args)!r})\n"
                measured = json.loads(run_cli(url, code=code, timeout=4 * 3600).strip().splitlines()[-1])
                code = f"from watchkeeper.bench.context import concurrent\nconcurrent({json.dumps(args)!r})\n"
                cpu0 = server.cpu_seconds()
                together = json.loads(run_cli(url, code=code, timeout=3600).strip().splitlines()[-1])
                cpu = server.cpu_seconds() - cpu0
                together["server_cpu_ms_per_lookup"] = round(1000 * cpu / max(1, together["lookups"]), 2)
                together["workers"] = workers
                measured["http_concurrent"] = together
            finally:
                server.stop()
            out[str(size)] = {"generation": generation, **measured}
        finally:
            drop(url)
    out["verdict"] = verdict(out, sizes)
    return out


def verdict(out: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """Targets at the largest size, and growth from the smallest to the largest (p99 and p50)."""
    big, small = str(max(sizes)), str(min(sizes))
    result: dict[str, Any] = {"targets": TARGETS, "at": int(big)}
    ok = True
    for mode, target in (("in_process", TARGETS["in_process_p99_ms"]), ("http", TARGETS["http_p99_ms"])):
        for kind in KINDS:
            p99 = out[big][mode][kind]["p99_ms"]
            line: dict[str, Any] = {"p99_ms": p99, "meets_p99": p99 <= target}
            ok &= line["meets_p99"]
            if big != small:
                for p in ("p50_ms", "p99_ms"):
                    base = out[small][mode][kind][p]
                    line[f"growth_{p[:3]}"] = round(out[big][mode][kind][p] / base, 2) if base else None
                line["meets_growth"] = (line["growth_p99"] or 0) <= TARGETS["growth_max"]
                ok &= line["meets_growth"]
            result[f"{mode}.{kind}"] = line
    together = out[big].get("http_concurrent")
    if together:
        result["http_concurrent"] = {"p99_ms": together["p99_ms"], "clients": together["clients"],
                                     "meets_p99": together["p99_ms"] <= TARGETS["concurrent_http_p99_ms"]}
        ok &= result["http_concurrent"]["meets_p99"]
    result["all_met"] = bool(ok)
    return result


# --------------------------------------------------------------------------------- inside the database
def inside(raw: str) -> None:
    """Runs in a process whose Django database is the scratch database; prints one JSON line."""
    import httpx

    args = json.loads(raw)
    rng = random.Random(args["seed"])
    heavy = args["heavy"]
    draw = Draw(rng)
    result: dict[str, Any] = {"lookups_per_kind": args["lookups"]}
    for kind in KINDS:  # warm up connections, caches and the policy
        for q in draw.queries(kind, WARMUP):
            _in_process(q)
    result["in_process"], result["found"] = {}, {}
    for kind in KINDS:
        times, found = [], 0
        for q in draw.queries(kind, args["lookups"]):
            seconds, ctx = _in_process(q)
            times.append(seconds)
            found += bool(ctx.phones or ctx.addresses or ctx.people)
        result["in_process"][kind] = summary_ms(times)
        result["found"][kind] = round(found / len(times), 2)
    result["http"] = {}
    with httpx.Client(base_url=args["base"], headers={"Authorization": f"Bearer {args['token']}"},
                      timeout=60) as client:
        for q in draw.queries("phone", WARMUP):
            _http(client, q)
        for kind in KINDS:
            times = []
            for q in draw.queries(kind, args["lookups"]):
                seconds, _ = _http(client, q)
                times.append(seconds)
            result["http"][kind] = summary_ms(times)
        result["heavy"] = _heavy(client, heavy)
    print(json.dumps(result))


def _in_process(q: dict[str, Any]) -> tuple[float, Any]:
    from datetime import date

    from watchkeeper.core.config import current_policy
    from watchkeeper.people.context import Query, lookup

    query = Query(phone=q.get("phone", ""), address=q.get("address", ""), name=q.get("name", ""),
                  dob=date.fromisoformat(q["dob"]) if q.get("dob") else None)
    t0 = time.perf_counter()
    ctx = lookup(query, current_policy())
    return time.perf_counter() - t0, ctx


def _http(client: Any, q: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    r = client.get("/api/context", params=q)
    seconds = time.perf_counter() - t0
    if r.status_code != 200:
        raise RuntimeError(f"GET /api/context {q} -> {r.status_code}: {r.text[:300]}")
    return seconds, r.json()


def _heavy(client: Any, heavy: dict[str, Any]) -> dict[str, Any]:
    """The heavy-history case: the newest logs shown, newest first, and all of them counted."""
    from watchkeeper.core.config import current_policy
    from watchkeeper.people.models import LogParty

    limit = int(current_policy()["context_list_limit"])
    out: dict[str, Any] = {}
    cases = {"address": {"address": heavy["address"]["text"]}, "phone": {"phone": heavy["phone"]["typed"]},
             "person": {"name": heavy["person"]["name"], "dob": heavy["person"]["dob"]}}
    for name, q in cases.items():
        local = [_in_process(q) for _ in range(HEAVY_REPEATS)]
        remote = [_http(client, q) for _ in range(HEAVY_REPEATS)]
        ctx = local[-1][1]
        out[name] = {"query": q, "in_process": summary_ms([s for s, _ in local]),
                     "http": summary_ms([s for s, _ in remote]), "history_total": ctx.history_total,
                     "history_shown": len(ctx.history)}
    # The assertions the issue asks for, on the address with 2,000+ previous logs.
    address_id = heavy["address"]["id"]
    ctx = _in_process(cases["address"])[1]
    body = _http(client, cases["address"])[1]
    expected = list(LogParty.objects.filter(address_id=address_id).order_by("-at", "-id")
                    .values_list("log__reference", flat=True)[:limit])
    stored = LogParty.objects.filter(address_id=address_id).count()
    shown = [h["log"] for h in ctx.history]
    ats = [h["at"] for h in ctx.history]
    checks = {
        "previous_logs": heavy["address"]["logs"],
        "total_counted": ctx.history_total,
        "total_counted_http": body["history_total"],
        "shown": len(shown),
        "limit": limit,
        "shown_are_newest": shown == expected,
        "shown_http_are_newest": [h["log"] for h in body["history"]] == expected,
        "newest_first": ats == sorted(ats, reverse=True),
        "counted_all": ctx.history_total == stored == heavy["address"]["logs"] == body["history_total"],
    }
    checks["passed"] = bool(heavy["address"]["logs"] >= 2000 and checks["shown"] == limit and
                            checks["shown_are_newest"] and checks["shown_http_are_newest"] and
                            checks["newest_first"] and checks["counted_all"])
    out["address"]["assertions"] = checks
    if not checks["passed"] and heavy["address"]["logs"] >= 2000:
        raise AssertionError(f"heavy-history panel is wrong: {checks}")
    return out


def concurrent(raw: str) -> None:
    """Runs in a process whose Django database is the scratch database: `CONCURRENT_CLIENTS` clients look
    up at once, each on its own keep-alive connection, every kind in turn; prints one JSON line."""
    import asyncio

    import httpx

    args = json.loads(raw)
    draw = Draw(random.Random(args["seed"] + 1))
    queries = [q for kind in KINDS for q in draw.queries(kind, args["lookups"])]
    times: list[float] = []

    async def client(mine: list[dict[str, Any]]) -> None:
        async with httpx.AsyncClient(base_url=args["base"], timeout=60,
                                     headers={"Authorization": f"Bearer {args['token']}"}) as c:
            for q in mine:
                t0 = time.perf_counter()
                r = await c.get("/api/context", params=q)
                if r.status_code != 200:
                    raise RuntimeError(f"GET /api/context {q} -> {r.status_code}: {r.text[:300]}")
                times.append(time.perf_counter() - t0)

    async def main() -> float:
        t0 = time.perf_counter()
        await asyncio.gather(*[client(queries[i::CONCURRENT_CLIENTS]) for i in range(CONCURRENT_CLIENTS)])
        return time.perf_counter() - t0

    elapsed = asyncio.run(main())
    print(json.dumps({"clients": CONCURRENT_CLIENTS, "lookups": len(times),
                      "lookups_per_second": round(len(times) / elapsed, 1), **summary_ms(times)}))


# ---------------------------------------------------------------------------------------- the draws
class Draw:
    """Lookups as a handler types them, drawn from the data in the database."""

    def __init__(self, rng: random.Random) -> None:
        from watchkeeper.people.models import Address, LogParty, Person, Phone

        self.rng = rng
        self.models = {"phone": Phone, "address": Address, "name": Person}
        self.bounds = {k: _bounds(m) for k, m in self.models.items()}
        self.party_bounds = _bounds(LogParty)

    def queries(self, kind: str, n: int) -> list[dict[str, Any]]:
        return [self.one(kind) for _ in range(n)]

    def one(self, kind: str) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.1:
            return self.miss(kind)
        obj = self.by_demand(kind) if r < 0.55 else None
        if obj is None:
            obj = self.uniform(kind)
        return {"phone": self.phone, "address": self.address, "name": self.name}[kind](obj)

    def uniform(self, kind: str) -> Any:
        lo, hi = self.bounds[kind]
        return self.models[kind]._default_manager.filter(pk__gte=self.rng.randint(lo, hi)).order_by("pk").first()

    def by_demand(self, kind: str) -> Any:
        """The key on a random log party: busy keys come up as often as they are on logs."""
        from watchkeeper.people.models import LogParty

        column = {"phone": "phone", "address": "address", "name": "person"}[kind]
        lo, hi = self.party_bounds
        party = (LogParty.objects.filter(pk__gte=self.rng.randint(lo, hi), **{f"{column}__isnull": False})
                 .select_related(column).order_by("pk").first())
        return getattr(party, column) if party else None

    def phone(self, p: Any) -> dict[str, Any]:
        national = "0" + p.e164[3:] if p.e164.startswith("+44") else p.e164
        style = self.rng.random()
        typed = national if style < 0.4 else f"{national[:5]} {national[5:]}" if style < 0.8 else p.e164
        return {"phone": typed}

    def address(self, a: Any) -> dict[str, Any]:
        text, r = a.text, self.rng.random()
        if r < 0.5:
            return {"address": text}
        if r < 0.7:
            for long, short in ABBREVIATE:
                text = re.sub(rf"\b{long}\b", short, text)
            return {"address": text.lower()}
        # As first given on the phone: the number and street, no town or postcode.
        first = text.split(",")
        return {"address": ", ".join(first[:2]) if first[0].lower().startswith("flat") else first[0]}

    def name(self, p: Any) -> dict[str, Any]:
        given, family, r = p.given_names.split(" ")[0], p.family_name, self.rng.random()
        if r < 0.25:
            for a, b in SPELLINGS:
                given, family = (b if given == a else given), (b if family == a else family)
        q: dict[str, Any] = {"name": f"{given} {family}"}
        if 0.25 <= r < 0.35:
            q["name"] = f"{family}, {given}"
        elif 0.35 <= r < 0.4:
            q["name"] = family
        if p.dob and self.rng.random() < 0.3:
            q["dob"] = p.dob.isoformat()
        return q

    def miss(self, kind: str) -> dict[str, Any]:
        r = self.rng
        if kind == "phone":
            return {"phone": f"07700 9{r.randrange(10 ** 5):05d}"}
        if kind == "address":
            return {"address": f"{r.randint(900, 999)} {r.choice(['Quarry', 'Lantern', 'Orchard'])} "
                               f"{r.choice(['Wynd', 'Chase', 'Loke'])}"}
        return {"name": f"{r.choice(['Zebedee', 'Ottoline', 'Percival'])} "
                        f"{r.choice(['Quornfeather', 'Vantongeren', 'Wolstenholme-Ffrench'])}"}


def _bounds(model: Any) -> tuple[int, int]:
    ids = model.objects.order_by("pk").values_list("pk", flat=True)
    lo, hi = ids.first(), ids.last()
    if lo is None or hi is None:
        raise RuntimeError(f"no {model.__name__} rows to draw lookups from")
    return int(lo), int(hi)
