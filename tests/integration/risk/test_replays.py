"""The risk lesson replays run through the whole stack (in process, on this test database) and every
safeguard they name intervenes: B28.4's missing-person record (C6, P9) and B31.6 (R6, R7, P11). Each quote
is what the lesson actually says."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchkeeper.core.actor import Actor
from watchkeeper.replays.catalogue import get
from watchkeeper.replays.drivers import InProcessDriver
from watchkeeper.root.demo import seed_staff
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db(transaction=False)
LESSONS = Path(__file__).resolve().parents[3].parent / "shared" / "lessons"


def _run(name: str) -> set[str]:
    replay = get(name)
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    staff = seed_staff()
    tokens = {n: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for n, u in staff.items()}
    lines: list[str] = []
    run = replay.run(InProcessDriver(tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    return {i.safeguard for i in run.interventions}


@pytest.mark.safeguard(*get("bulletin-31-case-6").safeguards)
def test_bulletin_31_case_6_search_waits_for_the_suicide_risk_assessment_and_the_local_force_is_told() -> None:
    assert _run("bulletin-31-case-6") >= {"R6", "R7", "P11"}


@pytest.mark.safeguard(*get("bulletin-28-case-4-missing").safeguards)
def test_bulletin_28_case_4_missing_record_callbacks_forced_entry_and_weather() -> None:
    assert _run("bulletin-28-case-4-missing") >= {"C6", "P9"}


@pytest.mark.safeguard("R1", *get("bulletin-28-case-1-risk").safeguards)
def test_bulletin_28_case_1_close_waits_for_the_assessment_stalking_screen_and_reassessment() -> None:
    assert _run("bulletin-28-case-1-risk") >= {"R1", "R2", "R4"}  # R1 too: the close waits for the assessment
