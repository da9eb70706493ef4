"""K4: lesson replays, run as queued jobs.

Asking for a replay (`request_replay`) writes a `queued` ReplayRun and one audit record, and returns at
once. The sweeper's handler (`sweep_replay_runs`) fails runs that have been running past their bound,
claims the oldest queued run with a conditional update (`queued` -> `running`, so two sweepers never run the
same job) and hands it to a worker thread (`learning.replay_worker`), which calls `execute`: the replay runs
as `watchkeeper replay NAME` in a child process, in its own throwaway database (never among real records),
and each step it prints is recorded as progress. `finish` keeps the outcome (a ReplayResult, linked) with
one audit record; a run that has been failed meanwhile (stale) is not overwritten.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM, Actor
from watchkeeper.core.errors import NotFound, Refusal
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import traceability
from watchkeeper.learning.actions.common import MAX_TEXT, _clean, _id
from watchkeeper.learning.models import Case, ReplayResult, ReplayRun
from watchkeeper.replays.engine import Replay

REPLAY_TIMEOUT_SECONDS = 300
"""A replay still going after this long is stopped and failed."""
STALE_AFTER_SECONDS = REPLAY_TIMEOUT_SECONDS + 60
"""A run still `running` after this long has lost its worker (the server stopped): the next sweep fails it."""

STEP = re.compile(r"^\s*(\d+)\.\s+(.*?)\s*$")
"""How the replay command prints a step (`engine.Run.step`): `  3. The handler closes the log`."""


# ------------------------------------------------------------------------------------------- request
def _replay_of(case_id: int) -> tuple[Case, Replay]:
    case = Case.objects.filter(pk=_id(case_id, "case")).first()
    if case is None:
        raise NotFound(f"No case {case_id}.")
    replay = traceability.replay_for(case.code)
    if replay is None or not replay.runnable:
        why = (
            "has no replay"
            if replay is None
            else "has a replay that is planned (its safeguards are not built)"
        )
        raise Refusal(
            f"Lesson {case.code or case.title} {why}.",
            safeguard="K4",
            status=409,
            next_step="Replays are listed by `watchkeeper replay --list`.",
        )
    return case, replay


def expected_steps(replay: str) -> int | None:
    """How many steps the replay took the last time it passed (progress is shown against it), if known."""
    last = ReplayRun.objects.filter(replay=replay, state="passed").order_by("-id").values_list(
        "steps_done", flat=True
    ).first()
    if last:
        return int(last)
    output = ReplayResult.objects.filter(replay=replay, passed=True).order_by("-id").values_list(
        "output", flat=True
    ).first()
    counted = sum(1 for line in (output or "").splitlines() if STEP.match(line))
    return counted or None


def request_replay(actor: Actor, case_id: int) -> ReplayRun:
    """K4: ask for the lesson's replay. It is queued (one audit record) and the sweeper runs it; the page
    and the API show its progress. A replay of the lesson already queued or running is the answer to a
    second request, and nothing more is written."""
    actor.require("learning.manage")
    case, replay = _replay_of(case_id)
    with unit_of_work():
        waiting = ReplayRun.objects.filter(replay=replay.name, state__in=["queued", "running"]).first()
        if waiting is not None:
            return waiting
        run = ReplayRun.objects.create(
            case=case,
            lesson=case.code,
            replay=replay.name,
            requested_at=clock.now(),
            requested_by=actor.user,
            steps_total=expected_steps(replay.name),
        )
        audit.record(
            actor,
            "learning.replay_requested",
            "learning_replay_run",
            run.pk,
            after={"lesson": case.code, "replay": replay.name, "case": case.pk, "state": run.state},
        )
    return run


# ------------------------------------------------------------------------------------------- sweeper
def fail_stale_runs(now: datetime) -> int:
    """K4: a run still `running` past its bound has lost its worker (the server stopped or was killed):
    it is failed, with the reason, so it never shows as running forever."""
    cutoff = now - timedelta(seconds=STALE_AFTER_SECONDS)
    failed = 0
    for pk in list(ReplayRun.objects.filter(state="running", started_at__lt=cutoff).values_list("pk", flat=True)):
        reason = (
            f"The replay was still marked running {STALE_AFTER_SECONDS} seconds after it started, so its "
            "worker had stopped (for example the server restarted); it was marked failed. Run it again."
        )
        with unit_of_work():
            claimed = ReplayRun.objects.filter(pk=pk, state="running", started_at__lt=cutoff).update(
                state="failed", finished_at=now, failure=reason, summary="Failed: its worker stopped"
            )
            if not claimed:
                continue
            run = ReplayRun.objects.get(pk=pk)
            audit.record(
                SYSTEM,
                "learning.replay_run",
                "learning_replay_run",
                pk,
                after={"lesson": run.lesson, "replay": run.replay, "passed": False, "reason": "stale"},
            )
            failed += 1
    return failed


def claim_next(now: datetime, worker: str) -> ReplayRun | None:
    """The oldest queued run, claimed for `worker` with a conditional update: whoever updates the row from
    `queued` runs it; a second sweeper finds it claimed and moves on."""
    for pk in list(ReplayRun.objects.filter(state="queued").order_by("id").values_list("pk", flat=True)[:10]):
        with unit_of_work():
            if ReplayRun.objects.filter(pk=pk, state="queued").update(
                state="running", started_at=now, worker=worker[:120]
            ):
                return ReplayRun.objects.get(pk=pk)
    return None


def sweep_replay_runs(now: datetime) -> int:
    """K4 (sweeper handler): fail stale runs, then start the next queued run on a worker thread if this
    server has a worker free. Returns how many runs it failed or started."""
    from watchkeeper.learning import replay_worker

    done = fail_stale_runs(now)
    if replay_worker.busy():
        return done
    run = claim_next(now, replay_worker.WORKER)
    if run is not None:
        replay_worker.start(run.pk)
        done += 1
    return done


# ------------------------------------------------------------------------------------------- running
def _watchkeeper_bin() -> list[str]:
    script = Path(sys.executable).parent / "watchkeeper"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "watchkeeper.cli"]


def record_progress(run_id: int, worker: str, steps_done: int, step: str) -> bool:
    """A step of a running replay completed (no audit record: progress is not a decision)."""
    with unit_of_work():
        return bool(
            ReplayRun.objects.filter(pk=run_id, state="running", worker=worker).update(
                steps_done=steps_done, current_step=_clean(step)[:300]
            )
        )


@dataclass(frozen=True)
class Outcome:
    passed: bool
    output: str
    failure: str = ""


def execute(run_id: int, worker: str) -> ReplayRun:
    """Run a claimed replay in a child process with its own throwaway database (`watchkeeper replay NAME`
    points itself at a temporary SQLite file; the server's database is not passed on), record each step
    it prints, and keep the outcome. A replay that runs past REPLAY_TIMEOUT_SECONDS is stopped."""
    run = ReplayRun.objects.get(pk=run_id)
    env = {k: val for k, val in os.environ.items() if k != "WATCHKEEPER_DATABASE_URL"}
    env["PYTHONIOENCODING"] = "utf-8"
    lines: list[str] = []
    timed_out = threading.Event()
    try:
        proc = subprocess.Popen(
            [*_watchkeeper_bin(), "replay", run.replay],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
    except OSError as exc:
        return finish(run_id, worker, Outcome(False, "", f"The replay could not be started: {exc}"))

    def stop() -> None:
        timed_out.set()
        proc.kill()

    watchdog = threading.Timer(REPLAY_TIMEOUT_SECONDS, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            step = STEP.match(line)
            if step:
                record_progress(run_id, worker, int(step.group(1)), step.group(2))
        code = proc.wait()
    finally:
        watchdog.cancel()
    output = "".join(lines)
    if timed_out.is_set():
        return finish(
            run_id, worker,
            Outcome(False, output, f"The replay did not finish within {REPLAY_TIMEOUT_SECONDS} seconds."),
        )
    if code == 0:
        return finish(run_id, worker, Outcome(True, output))
    missing = [ln.strip() for ln in lines if "✗" in ln]  # the engine marks what did not happen with ✗
    detail = missing[-20:] or [ln.rstrip() for ln in lines[-10:]] or [f"The replay exited with status {code}."]
    return finish(run_id, worker, Outcome(False, output, "\n".join(detail)))


def finish(run_id: int, worker: str, outcome: Outcome) -> ReplayRun:
    """Keep a replay's outcome: the run becomes `passed` or `failed` with a summary and the failure detail,
    and its ReplayResult (what the lesson page shows as the latest result) is written. One audit record.
    A run that is no longer this worker's (failed as stale meanwhile) is left as it is."""
    now = clock.now()
    output = _clean(outcome.output)[-MAX_TEXT * 5 :]
    with unit_of_work():
        run = ReplayRun.objects.select_for_update().get(pk=run_id)
        if run.state != "running" or run.worker != worker:
            return run
        interventions = sorted(set(re.findall(r"⛔ (\w+) intervened", output)))
        run.summary = (
            ("Passed" if outcome.passed else "Failed")
            + f" after {run.steps_done} step{'s' if run.steps_done != 1 else ''}"
            + (f"; interventions {', '.join(interventions)}" if interventions else "")
        )[:500]
        run.state = "passed" if outcome.passed else "failed"
        run.failure = "" if outcome.passed else _clean(outcome.failure or "The replay failed.")[-MAX_TEXT:]
        run.finished_at = now
        if outcome.passed:
            run.steps_total = run.steps_done
        run.result = ReplayResult.objects.create(
            lesson=run.lesson,
            replay=run.replay,
            passed=outcome.passed,
            output=output,
            started_at=run.started_at or now,
            finished_at=now,
            run_by_id=run.requested_by_id,
        )
        run.save()
        audit.record(
            SYSTEM,
            "learning.replay_run",
            "learning_replay_run",
            run.pk,
            after={
                "lesson": run.lesson,
                "replay": run.replay,
                "passed": outcome.passed,
                "steps": run.steps_done,
                "seconds": round((now - (run.started_at or now)).total_seconds(), 1),
            },
        )
    return run
