"""K4: a replay asked for from the learning library runs as a queued job, off the request: the request
queues it (one audit record), a sweep claims it (once, whoever sweeps), the replay runs in its own
throwaway database recording each step, and the outcome is kept. A run left running past its bound is
failed with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from watchkeeper.audit.models import AuditRecord
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions, replay_worker
from watchkeeper.learning.actions import replays
from watchkeeper.learning.models import Case, ReplayResult, ReplayRun
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db

SHORT = "B31.1"  # bulletin-31-case-1: the shortest runnable replay of the shared bulletins
HANDLER = "queued lesson replays (K4)"


def _case() -> Case:
    return Case.objects.get(code=SHORT)


def _audit_after(seq: int) -> list[tuple[str, int | None]]:
    """The learning library's audit records since `seq` (the sweeper's other jobs write their own)."""
    return list(AuditRecord.objects.filter(seq__gt=seq, action__startswith="learning.").order_by("seq")
                .values_list("action", "actor_id"))


def _last_seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.safeguard("K4")
def test_start_queues_a_sweep_claims_it_progress_is_recorded_and_it_passes(
    library, lead, run_now, monkeypatch
) -> None:
    before = _last_seq()
    run = actions.request_replay(lead, _case().pk)
    assert (run.state, run.lesson, run.replay, run.steps_done) == ("queued", SHORT, "bulletin-31-case-1", 0)
    assert run.started_at is None and run.result is None
    assert _audit_after(before) == [("learning.replay_requested", lead.user.pk)]  # type: ignore[union-attr]

    seen: list[tuple[str, int]] = []
    record = replays.record_progress

    def watch(run_id: int, worker: str, steps_done: int, step: str) -> bool:
        ok = record(run_id, worker, steps_done, step)
        row = ReplayRun.objects.get(pk=run_id)
        seen.append((row.state, row.steps_done))
        return ok

    monkeypatch.setattr(replays, "record_progress", watch)
    assert run_now()[HANDLER] == 1
    run.refresh_from_db()
    assert run.state == "passed", run.failure
    assert len(seen) >= 3 and all(state == "running" for state, _ in seen)
    assert [n for _, n in seen] == list(range(1, len(seen) + 1))  # each step recorded as it completed
    assert run.steps_done == run.steps_total == len(seen) and run.percent == 100
    assert run.started_at is not None and run.finished_at is not None and run.finished_at >= run.started_at
    assert run.worker == replay_worker.WORKER
    assert run.summary.startswith(f"Passed after {len(seen)} steps") and "L5" in run.summary
    assert run.result is not None and run.result.passed and "L5 intervened" in run.result.output
    assert run.result.run_by_id == lead.user.pk  # type: ignore[union-attr]
    assert _audit_after(before) == [
        ("learning.replay_requested", lead.user.pk),  # type: ignore[union-attr]
        ("learning.replay_run", None),  # the sweeper's outcome
    ]
    # The replay acted out its incidents in its own database, never among these records.
    from watchkeeper.incidents.models import Log

    assert Log.objects.count() == 0
    # The next request for it knows how many steps to expect; nothing is left to claim meanwhile.
    assert run_now()[HANDLER] == 0
    again = actions.request_replay(lead, _case().pk)
    assert again.pk != run.pk and again.steps_total == run.steps_done


@pytest.mark.safeguard("K4")
def test_two_sweeps_never_run_the_same_job(library, lead, monkeypatch) -> None:
    started: list[int] = []
    monkeypatch.setattr(replay_worker, "start", started.append)
    run = actions.request_replay(lead, _case().pk)
    assert actions.request_replay(lead, _case().pk).pk == run.pk  # asked twice: still one job
    assert ReplayRun.objects.count() == 1
    now = clock.now()
    assert sweep_once(now)[HANDLER] == 1
    assert sweep_once(now)[HANDLER] == 0
    assert started == [run.pk]
    # Two sweepers racing for the same row: the conditional update lets only the first through.
    other = actions.request_replay(lead, Case.objects.get(code="B31.2").pk)
    first = actions.claim_next(now, "server-a")
    second = actions.claim_next(now, "server-b")
    assert first is not None and first.pk == other.pk and first.worker == "server-a" and second is None
    assert ReplayRun.objects.get(pk=other.pk).worker == "server-a"


@pytest.mark.safeguard("K4")
def test_a_stale_running_job_is_failed_with_a_reason_and_a_late_worker_cannot_revive_it(
    library, lead, monkeypatch
) -> None:
    monkeypatch.setattr(replay_worker, "start", lambda run_id: None)  # its worker dies with the server
    run = actions.request_replay(lead, _case().pk)
    then = clock.now()
    assert sweep_once(then)[HANDLER] == 1
    assert ReplayRun.objects.get(pk=run.pk).state == "running"
    assert sweep_once(then + timedelta(seconds=actions.STALE_AFTER_SECONDS - 1))[HANDLER] == 0
    before = _last_seq()
    assert sweep_once(then + timedelta(seconds=actions.STALE_AFTER_SECONDS + 1))[HANDLER] == 1
    run.refresh_from_db()
    assert run.state == "failed" and run.finished_at is not None
    assert "worker had stopped" in run.failure and run.summary == "Failed: its worker stopped"
    assert _audit_after(before) == [("learning.replay_run", None)]
    late = replays.finish(run.pk, replay_worker.WORKER, replays.Outcome(True, "  1. too late\n"))
    assert late.state == "failed" and ReplayResult.objects.count() == 0
    assert _audit_after(before) == [("learning.replay_run", None)]


@pytest.mark.safeguard("K4")
def test_a_replay_past_its_time_is_stopped_and_failed(library, lead, run_now, monkeypatch) -> None:
    monkeypatch.setattr(replays, "REPLAY_TIMEOUT_SECONDS", 0.2)
    run = actions.request_replay(lead, _case().pk)
    run_now()
    run.refresh_from_db()
    assert run.state == "failed" and "did not finish within 0.2 seconds" in run.failure
    assert run.result is not None and not run.result.passed


@pytest.mark.safeguard("K4")
def test_a_failed_replay_keeps_what_did_not_happen(library, lead, monkeypatch) -> None:
    monkeypatch.setattr(replay_worker, "start", lambda run_id: None)
    run = actions.request_replay(lead, _case().pk)
    sweep_once()
    printed = "  1. The dispatcher downgrades\n      ✗ EXPECTED INTERVENTION MISSING: L6 never intervened\n"
    done = replays.finish(run.pk, replay_worker.WORKER, replays.Outcome(False, printed, "L6 never intervened"))
    assert done.state == "failed" and done.failure == "L6 never intervened"
    assert done.summary.startswith("Failed") and done.result is not None and not done.result.passed


def _api(user: Any) -> Client:
    _, secret = issue_token(Actor(None), user.pk, "t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.safeguard("K4")
def test_the_api_starts_with_202_and_reports_status(library, lead, people, monkeypatch) -> None:
    monkeypatch.setattr(replay_worker, "start", lambda run_id: None)
    api = _api(people.learning)
    started = api.post(f"/api/learning/cases/{_case().pk}/replay")
    assert started.status_code == 202, started.content
    body = started.json()
    assert (body["state"], body["replay"], body["passed"]) == ("queued", "bulletin-31-case-1", None)
    assert body["progress"] == {"steps_done": 0, "steps_total": None, "current_step": ""}
    sweep_once()
    status = _api(people.handler).get(f"/api/learning/replay-runs/{body['id']}")
    assert status.status_code == 200 and status.json()["state"] == "running"
    replays.record_progress(body["id"], replay_worker.WORKER, 2, "The caller rings back")
    progress = api.get(f"/api/learning/replay-runs/{body['id']}").json()["progress"]
    assert progress == {"steps_done": 2, "steps_total": None, "current_step": "The caller rings back"}
    assert api.get("/api/learning/replay-runs/99999999").status_code == 404


@pytest.mark.safeguard("K4")
def test_the_case_page_shows_the_run_and_polls_until_it_is_done(library, lead, people, monkeypatch) -> None:
    monkeypatch.setattr(replay_worker, "start", lambda run_id: None)
    page = Client()
    page.force_login(people.learning)
    case = _case()
    asked = page.post(f"/learning/cases/{case.pk}/replay/")
    assert asked.status_code == 302 and asked["Location"] == f"/learning/cases/{case.pk}/#replay"
    run = ReplayRun.objects.get()
    html = page.get(f"/learning/cases/{case.pk}/").content.decode()
    assert 'data-state="queued"' in html and f'hx-get="/learning/replay-runs/{run.pk}/"' in html
    sweep_once()
    replays.record_progress(run.pk, replay_worker.WORKER, 3, "The dispatcher downgrades")
    fragment = page.get(f"/learning/replay-runs/{run.pk}/").content.decode()
    assert 'data-state="running"' in fragment and "The dispatcher downgrades" in fragment and "hx-get" in fragment
    replays.finish(run.pk, replay_worker.WORKER, replays.Outcome(True, "  1. a\n  2. b\n  3. c\n"))
    done = page.get(f"/learning/replay-runs/{run.pk}/").content.decode()
    assert 'data-state="passed"' in done and "hx-get" not in done and "Passed after 3 steps" in done
    handler = Client()
    handler.force_login(people.handler)
    assert handler.post(f"/learning/cases/{case.pk}/replay/").status_code == 403
    assert ReplayRun.objects.count() == 1
