"""Response clocks at scale (D1): `watchkeeper bench clocks`.

On a scratch database (SQLite file or a new PostgreSQL database), migrated and seeded with the staff:

1. Generation. N armed response clocks (100,000 by default) on N open, graded logs of realistic shape (a
   999/101 contact, its contact entry, a grading with THRIVE and its entry, the clock and the clock change
   that armed it), written in bulk, not through the actions (one audit record records the import). Grades
   are emergency (urban 15 min, rural 20) and priority (60 min) as the policy in force sets them; each
   clock's next alert (50%, 80% or the breach) is one its contact time makes due later in the hour, and
   none falls due before the measurement is over.
2. Idle cost. A process that runs only the sweeper (`clocks.sweeper.start_thread`, exactly as `serve`
   starts it, at the configured interval) over the N armed, not-due clocks; its CPU time
   (`getrusage(RUSAGE_SELF)`) over the window, as CPU seconds per minute of wall time. The CPU of one
   idle sweep (`sweep_once`, all seven handlers) is also timed directly, and the server process's own idle
   CPU (web server and sweeper, from /proc) is reported for information.
3. Alert latency. A real `watchkeeper serve` (its sweeper at the configured interval) runs on the
   database; more clocks are armed whose next alerts fall due at a steady rate over the window (by
   default the rate N clocks spread over the hour give: 100,000/3,600 ≈ 28 alerts a second). For each,
   the latency is the alert row's `created_at` (written by the sweeper inside the transaction that
   commits it) minus the moment the alert fell due. A clock whose alert was not written is "missed".
"""

from __future__ import annotations

import json
import os
import random
import resource
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from watchkeeper.bench.server import BENCH_ENV, Server, drop, prepare, run_cli, scratch_url
from watchkeeper.bench.stats import summary_ms

# "Negligible" idle cost, as we read the spec: at most 1% of one core (0.6 CPU seconds a minute).
TARGETS = {"alert_latency_p99_ms": 1000.0, "idle_cpu_seconds_per_minute": 0.6}
GRADES = [("emergency", "urban", 0.28), ("emergency", "rural", 0.12), ("priority", "urban", 0.45),
          ("priority", "rural", 0.15)]
CATEGORIES = ["domestic_incident", "concern_for_welfare", "assault", "burglary", "public_order",
              "road_traffic_collision", "suspicious_circumstances", "mental_health_concern", "theft",
              "missing_person", "breach_of_order", "sudden_collapse"]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
           "The Crescent", "Queens Road", "Manor Close", "Green Lane"]
SERVER_IDLE_SECONDS = 15.0
WARMUP_SECONDS = 3.0
LEAD_SECONDS = 3.0
DRAIN_SECONDS = 5.0


# ------------------------------------------------------------------------------------- orchestration
def run(db: str, workdir: Path, *, clocks: int = 100_000, seconds: float = 60.0, rate: float | None = None,
        seed: int = 1) -> dict[str, Any]:
    """The clocks benchmark on one database kind ("sqlite" or a PostgreSQL URL)."""
    from django.conf import settings

    interval = float(settings.SWEEPER_INTERVAL_SECONDS)
    rate = rate if rate is not None else clocks / 3600
    stream_count = max(20, round(rate * seconds))
    # Nothing generated may fall due before the measurement is over: generation, the idle window, the
    # server's start and idle window, the stream and its drain, with room to spare.
    hold = clocks / 400 + seconds * 2 + SERVER_IDLE_SECONDS + WARMUP_SECONDS + LEAD_SECONDS + DRAIN_SECONDS + 90
    url = scratch_url(db, workdir, prefix="wk_clk")
    out: dict[str, Any] = {"clocks": clocks, "sweeper_interval_seconds": interval,
                           "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        prepare(url)
        gen_args = {"clocks": clocks, "hold_seconds": hold, "seed": seed}
        out["generation"] = _inside(url, "generate", gen_args)
        out["idle_sweeper"] = _inside(url, "idle", {"seconds": seconds, "warmup": WARMUP_SECONDS})
        env = {**BENCH_ENV, "WATCHKEEPER_SWEEPER_INTERVAL": str(interval)}
        server = Server(url, sweeper=True, extra_env=env).start()
        try:
            assert server.proc is not None
            pid = server.proc.pid
            time.sleep(WARMUP_SECONDS)
            c0, w0 = proc_cpu_seconds(pid), time.monotonic()
            time.sleep(min(SERVER_IDLE_SECONDS, seconds))
            cpu, wall = proc_cpu_seconds(pid) - c0, time.monotonic() - w0
            out["server_idle"] = {"seconds": round(wall, 1), "cpu_seconds": round(cpu, 3),
                                  "cpu_seconds_per_minute": round(cpu / wall * 60, 3),
                                  "note": "the whole serve process (Uvicorn and sweeper), no requests, nothing due"}
            out["alerts"] = _inside(url, "stream", {"count": stream_count, "seconds": seconds, "seed": seed + 1,
                                                    "server_pid": pid, "rate": rate})
        finally:
            server.stop()
    finally:
        drop(url)
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["verdict"] = verdict(out)
    return out


def verdict(out: dict[str, Any]) -> dict[str, Any]:
    p99 = out["alerts"]["latency"]["p99_ms"]
    idle = out["idle_sweeper"]["cpu_seconds_per_minute"]
    result = {
        "targets": TARGETS,
        "alert_latency_p99_ms": p99,
        "meets_alert_latency": bool(p99 <= TARGETS["alert_latency_p99_ms"] and out["alerts"]["missed"] == 0),
        "idle_cpu_seconds_per_minute": idle,
        "meets_idle_cpu": bool(idle <= TARGETS["idle_cpu_seconds_per_minute"] and out["idle_sweeper"]["nothing_due"]),
    }
    result["all_met"] = result["meets_alert_latency"] and result["meets_idle_cpu"]
    return result


def _inside(url: str, fn: str, args: dict[str, Any]) -> dict[str, Any]:
    code = f"from watchkeeper.bench.clocks import {fn}\n{fn}({json.dumps(args)!r})\n"
    result: dict[str, Any] = json.loads(run_cli(url, code=code, timeout=4 * 3600).strip().splitlines()[-1])
    return result


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------- inside the database
def _specs(rng: random.Random, n: int, now: datetime, lo: datetime, hi: datetime | None) -> list[dict[str, Any]]:
    """N clocks whose next alert falls due in [lo, hi] (hi: as late as the clock allows), never started
    after `now`: the grade and area type decide the target, the stage which alert is next."""
    from watchkeeper.core.config import current_policy
    from watchkeeper.dispatch import rules

    policy = current_policy()
    fractions = rules.alert_fractions(policy)
    grades = [(g, a) for g, a, _ in GRADES]
    weights = [w for _, _, w in GRADES]
    out = []
    for _ in range(n):
        grade, area = rng.choices(grades, weights)[0]
        minutes = rules.target_minutes(grade, area, policy)
        assert minutes
        allowed = timedelta(minutes=minutes)
        # Stages whose alert can fall in the window on a clock started by now.
        feasible = [s for s, f in enumerate(fractions) if now + allowed * f >= lo]
        stage = rng.choice(feasible) if feasible else len(fractions) - 1
        offset = allowed * fractions[stage]
        top = now + offset if hi is None else min(hi, now + offset)
        top = max(top, lo)
        due = lo + (top - lo) * rng.random()
        started = due - offset
        out.append({"grade": grade, "area": area, "stage": stage, "due": due, "started": started,
                    "target": started + allowed})
    return out


def _insert(rng: random.Random, specs: list[dict[str, Any]], now: datetime) -> list[tuple[int, datetime]]:
    """Logs of realistic shape with their armed clocks, in bulk; returns (log id, due) for each."""
    from django.db import transaction
    from django.db.models import F

    from watchkeeper.core import clock
    from watchkeeper.core.config import current_policy
    from watchkeeper.core.models import ReferenceCounter
    from watchkeeper.dispatch.models import ClockChange, ResponseClock
    from watchkeeper.incidents import rules as log_rules
    from watchkeeper.incidents.models import Contact, Entry, Grading, Log
    from watchkeeper.staff.models import User

    policy = current_policy()
    handler = User.objects.get(username="handler")
    flags = {c["code"]: list(c["flags"]) for c in policy["categories"]}
    day = clock.local(now).date()
    n = len(specs)
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(day=day, defaults={"last": 0})
        first = counter.last + 1
        ReferenceCounter.objects.filter(pk=day).update(last=F("last") + n)
    result: list[tuple[int, datetime]] = []
    chunk = 5000
    for start in range(0, n, chunk):
        part = specs[start:start + chunk]
        with transaction.atomic():
            logs, contacts, thrives = [], [], []
            for i, s in enumerate(part):
                cat = rng.choice(CATEGORIES)
                graded = min(s["started"] + timedelta(seconds=rng.randint(30, 150)), now)
                s["graded"] = graded
                level = "high" if s["grade"] == "emergency" else "medium"
                thrive = {k: {"level": level, "note": ""} for k in ("threat", "harm", "risk", "vulnerability")}
                thrives.append(thrive)
                logs.append(Log(
                    reference=log_rules.log_reference(day, first + start + i, policy), created_at=s["started"],
                    created_by=handler, source="manual", category=cat,
                    summary=f"{cat.replace('_', ' ').capitalize()} reported by caller",
                    location=f"{rng.randint(1, 200)} {rng.choice(STREETS)}", flags=flags.get(cat, []),
                    grade=s["grade"], graded_at=graded, proposed_grade=s["grade"], thrive=thrive, status="open",
                    owner=handler, version=2, last_seq=2, last_entry_at=graded))
            Log.objects.bulk_create(logs, batch_size=1000)
            for s, log in zip(part, logs, strict=True):
                contacts.append(Contact(
                    channel=rng.choice(["999", "999", "101"]), received_at=s["started"], recorded_at=s["started"],
                    recorded_by=handler, log=log, caller_name="Bench Caller", caller_phone="07700 900000",
                    account="Caller reports an incident in progress and asks for police to attend."))
            Contact.objects.bulk_create(contacts, batch_size=1000)
            entries, gradings, clocks_ = [], [], []
            for s, log, c, thrive in zip(part, logs, contacts, thrives, strict=True):
                entries.append(Entry(log=log, seq=1, at=s["started"], author=handler, kind="contact", contact=c,
                                     text=f"[999 emergency call] Bench Caller (07700 900000): {c.account}"))
                entries.append(Entry(log=log, seq=2, at=s["graded"], author=handler, kind="grading",
                                     text=f"Graded {s['grade']}."))
                gradings.append(Grading(log=log, at=s["graded"], graded_by=handler, grade=s["grade"],
                                        proposed_grade=s["grade"], thrive=thrive))
                clocks_.append(ResponseClock(log=log, grade=s["grade"], area_type=s["area"], started_at=s["started"],
                                             target_at=s["target"], stage=s["stage"], next_alert_at=s["due"]))
            Entry.objects.bulk_create(entries, batch_size=1000)
            Grading.objects.bulk_create(gradings, batch_size=1000)
            ResponseClock.objects.bulk_create(clocks_, batch_size=1000)
            ClockChange.objects.bulk_create(
                [ClockChange(clock=k, at=s["graded"], by=handler, grade=s["grade"], target_at=s["target"],
                             reason=f"Graded {s['grade']}") for s, k in zip(part, clocks_, strict=True)],
                batch_size=1000)
        result.extend((log.pk, s["due"]) for s, log in zip(part, logs, strict=True))
    return result


def generate(raw: str) -> None:
    """The N armed clocks, none due for `hold_seconds`; prints one JSON line."""
    from django.db import transaction

    from watchkeeper.audit import writer as audit
    from watchkeeper.core import clock
    from watchkeeper.core.actor import Actor
    from watchkeeper.dispatch.models import ResponseClock

    args = json.loads(raw)
    rng = random.Random(args["seed"])
    t0 = time.perf_counter()
    now = clock.now()
    specs = _specs(rng, args["clocks"], now, now + timedelta(seconds=args["hold_seconds"]), None)
    _insert(rng, specs, now)
    with transaction.atomic():
        audit.record(Actor(None, via="setup"), "bench.clocks_generated", "bench", "clocks",
                     after={"clocks": args["clocks"], "seed": args["seed"]})
    armed = ResponseClock.objects.filter(next_alert_at__isnull=False)
    first_due = armed.order_by("next_alert_at").values_list("next_alert_at", flat=True).first()
    stages = {str(s): armed.filter(stage=s).count() for s in range(3)}
    margin = round((first_due - clock.now()).total_seconds(), 1) if first_due else None
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 1), "armed": armed.count(),
                      "by_stage_next_alert": {"50%": stages["0"], "80%": stages["1"], "breach": stages["2"]},
                      "first_due_in_seconds": margin, "rows_per_clock": 7}))


def idle(raw: str) -> None:
    """Only the sweeper, as `serve` starts it, over armed clocks none of which is due; prints one JSON line."""
    from django.conf import settings
    from django.db import connection

    from watchkeeper.clocks import sweeper
    from watchkeeper.core import clock
    from watchkeeper.dispatch.models import Alert, ResponseClock

    args = json.loads(raw)
    armed = ResponseClock.objects.filter(next_alert_at__isnull=False)
    n_armed = armed.count()
    alerts_before = Alert.objects.count()
    connection.close()
    thread, stop = sweeper.start_thread()
    time.sleep(args["warmup"])
    r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    time.sleep(args["seconds"])
    r1, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - w0
    stop.set()
    thread.join(timeout=30)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    # One idle sweep (all seven handlers), timed directly in this thread.
    cpu_ms, wall_ms = [], []
    for _ in range(200):
        c, w = time.thread_time(), time.perf_counter()
        fired = sweeper.sweep_once()
        cpu_ms.append(time.thread_time() - c)
        wall_ms.append(time.perf_counter() - w)
        assert not any(fired.values()), fired
    first_due = armed.order_by("next_alert_at").values_list("next_alert_at", flat=True).first()
    alerts_after = Alert.objects.count()
    print(json.dumps({
        "armed": n_armed, "seconds": round(wall, 1), "interval_seconds": settings.SWEEPER_INTERVAL_SECONDS,
        "cpu_seconds": round(cpu, 3), "cpu_seconds_per_minute": round(cpu / wall * 60, 3),
        "percent_of_one_core": round(cpu / wall * 100, 2),
        "one_sweep": {"cpu": summary_ms(cpu_ms), "wall": summary_ms(wall_ms)},
        "alerts_fired": alerts_after - alerts_before,
        "first_due_in_seconds_at_end": round((first_due - clock.now()).total_seconds(), 1) if first_due else None,
        "nothing_due": alerts_after == alerts_before and (first_due is None or first_due > clock.now()),
    }))


def stream(raw: str) -> None:
    """Arm clocks whose next alerts fall due at a steady rate while the server's sweeper runs; measure from
    each due time to its alert row. Prints one JSON line."""
    from watchkeeper.core import clock
    from watchkeeper.dispatch.models import Alert, ResponseClock

    args = json.loads(raw)
    rng = random.Random(args["seed"])
    t0 = time.perf_counter()
    now = clock.now()
    lo = now + timedelta(seconds=LEAD_SECONDS)
    hi = lo + timedelta(seconds=args["seconds"])
    specs = _specs(rng, args["count"], now, lo, hi)
    specs.sort(key=lambda s: s["due"])
    due = dict(_insert(rng, specs, now))
    insert_seconds = time.perf_counter() - t0
    inserted_at = clock.now()
    if inserted_at > lo:
        raise RuntimeError(f"inserting the stream took {insert_seconds:.1f}s, past the first due time")
    armed = ResponseClock.objects.filter(next_alert_at__isnull=False).count()
    pid = args["server_pid"]
    c0, w0 = proc_cpu_seconds(pid), time.monotonic()
    end = hi + timedelta(seconds=DRAIN_SECONDS)
    while clock.now() < end:
        time.sleep(0.5)
    cpu, wall = proc_cpu_seconds(pid) - c0, time.monotonic() - w0
    first: dict[int, datetime] = {}
    for log_id, created in (Alert.objects.filter(log_id__in=list(due), kind__in=("clock", "breach"))
                            .order_by("created_at").values_list("log_id", "created_at")):
        first.setdefault(log_id, created)
    lat = [(first[i] - d).total_seconds() for i, d in due.items() if i in first]
    others = Alert.objects.filter(created_at__gte=now).exclude(log_id__in=list(due)).count()
    kinds = dict.fromkeys(("50%", "80%", "breach"), 0)
    for s in specs:
        kinds[["50%", "80%", "breach"][s["stage"]]] += 1
    print(json.dumps({
        "due_in_window": len(due), "window_seconds": args["seconds"], "rate_per_second": round(len(due) /
                                                                                             args["seconds"], 2),
        "by_kind": kinds, "armed_during_window": armed, "insert_seconds": round(insert_seconds, 2),
        "fired": len(lat), "missed": len(due) - len(lat), "other_alerts_fired": others,
        "latency": summary_ms(lat), "min_ms": round(min(lat) * 1000, 2) if lat else None,
        "server_cpu_seconds_per_minute": round(cpu / wall * 60, 2),
        "measured_as": "alert.created_at (written in the sweeper's transaction) minus the alert's due time",
    }))
