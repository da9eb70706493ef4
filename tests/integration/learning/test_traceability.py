"""K4: each lesson lists the safeguards that answer it (with their state and whether its replay passes);
each safeguard lists its lessons; a lesson code resolves to its case."""

from __future__ import annotations

import pytest
from django.test import Client

from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Forbidden, NotFound, Refusal
from watchkeeper.learning import actions, traceability
from watchkeeper.learning.models import Case, ReplayResult, ReplayRun

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("K4")
def test_each_safeguard_lists_the_ingested_cases_it_answers(library) -> None:
    assert [c.code for c in traceability.cases_for_safeguard("L3")] == ["B31.2"]
    assert [c.code for c in traceability.cases_for_safeguard("L6")] == ["B31.1", "B31.2"]
    assert [c.code for c in traceability.cases_for_safeguard("K2")] == ["REC-ESSEX"]
    assert list(traceability.cases_for_safeguard("A3")) == []


@pytest.mark.safeguard("K4")
def _planned(monkeypatch, code: str) -> None:
    """Every lesson in the shipped documents has a runnable replay; a force's own lesson may not yet: this
    one's replay is made a planned one (its safeguards not built), as the catalogue lists such a case."""
    from dataclasses import replace

    monkeypatch.setattr(traceability, "REPLAYS", tuple(replace(r, play=None) if r.lesson == code else r
                                                       for r in traceability.REPLAYS))


def test_each_lesson_shows_its_safeguards_states_and_replay(library, monkeypatch) -> None:
    _planned(monkeypatch, "B28.8")
    trace = traceability.trace("B31.2")
    assert [s.id for s in trace.safeguards] == ["L1", "L3", "L4", "L6", "L10"]
    assert {s.state for s in trace.safeguards} == {"enforced"}
    assert trace.replay is not None and trace.replay.name == "bulletin-31-case-2"
    assert trace.replay_state == "not run yet"
    assert traceability.trace("B28.8").replay_state == "planned"
    assert traceability.trace("B53.1").replay_state == "none" and not traceability.trace("B53.1").mapped


@pytest.mark.safeguard("K4")
def test_a_replay_run_keeps_whether_it_passed(library, lead, run_now) -> None:
    case = Case.objects.get(code="B31.2")
    run = actions.request_replay(lead, case.pk)
    assert run.state == "queued" and traceability.trace("B31.2").replay_state == "not run yet"
    run_now(run)
    run.refresh_from_db()
    result = run.result
    assert run.state == "passed" and result is not None and result.passed, run.failure
    assert (result.lesson, result.replay) == ("B31.2", "bulletin-31-case-2")
    assert "L3 intervened" in result.output and "passed" in result.output
    assert result.finished_at >= result.started_at and result.run_by_id == lead.user.pk  # type: ignore[union-attr]
    assert traceability.trace("B31.2").replay_state == "passes"


@pytest.mark.safeguard("K4")
def test_a_lesson_without_a_runnable_replay_is_refused(library, lead, people, monkeypatch) -> None:
    _planned(monkeypatch, "B28.8")
    before = AuditRecord.objects.count()
    with pytest.raises(Refusal, match="planned") as refused:
        actions.request_replay(lead, Case.objects.get(code="B28.8").pk)
    assert refused.value.safeguard == "K4" and refused.value.status == 409
    with pytest.raises(Forbidden):
        actions.request_replay(people.actor("handler"), Case.objects.get(code="B31.2").pk)
    with pytest.raises(NotFound):
        actions.request_replay(lead, 99_999_999)
    assert ReplayRun.objects.count() == 0 and ReplayResult.objects.count() == 0
    assert AuditRecord.objects.count() == before


def test_lesson_codes_resolve_to_their_case_and_safeguard_pages_list_lessons(library, people) -> None:
    browser = Client()
    browser.force_login(people.handler)
    case = Case.objects.get(code="B31.2")
    response = browser.get("/learning/lessons/B31.2/")
    assert response.status_code == 302 and response["Location"] == f"/learning/cases/{case.pk}/"
    page = browser.get("/learning/safeguards/L3/").content.decode()
    assert f'href="/learning/cases/{case.pk}/"' in page and "B31.2" in page
    missing = browser.get("/learning/safeguards/L2/").content.decode()
    assert "B28.8" in missing  # its lesson is in the library
    assert browser.get("/learning/lessons/Z9.9/").status_code == 404
    unmapped = browser.get("/learning/lessons/B28.6/")
    assert unmapped.status_code == 302
