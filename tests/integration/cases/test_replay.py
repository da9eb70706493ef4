"""Bulletin 28 case 6 runs through the whole stack (in process, on this test database) and P1 and P2 both
intervene: the CID officer's move and his line manager's wait for their handovers, and a review with no
evidence of progress is refused. Each quote is what the lesson actually says."""

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


@pytest.mark.safeguard(*get("bulletin-28-case-6").safeguards)
def test_bulletin_28_case_6_moves_wait_for_handovers_and_a_review_needs_evidence() -> None:
    replay = get("bulletin-28-case-6")
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    staff = seed_staff()
    tokens = {n: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for n, u in staff.items()}
    where = {n: (u.role, u.team_id) for n, u in staff.items()}
    lines: list[str] = []
    run = replay.run(InProcessDriver(tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    assert [i.safeguard for i in run.interventions] == ["P1", "P1", "P2"]
    # Other replays use the same staff: the two who moved are back where they were.
    for name, user in staff.items():
        user.refresh_from_db()
        assert (user.role, user.team_id) == where[name], name


def _run(name: str) -> tuple[list[str], list[str]]:
    replay = get(name)
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    staff = seed_staff()
    tokens = {n: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for n, u in staff.items()}
    lines: list[str] = []
    run = replay.run(InProcessDriver(tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    return [i.safeguard for i in run.interventions], lines


@pytest.mark.safeguard(*get("bulletin-28-case-8").safeguards)
def test_bulletin_28_case_8_a_correction_a_disclosure_task_justified_bail_and_a_failed_voicemail() -> None:
    seen, lines = _run("bulletin-28-case-8")
    assert seen == ["L2", "P5", "P8", "P5", "P4"], "\n".join(lines)


@pytest.mark.safeguard(*get("bulletin-31-case-7").safeguards)
def test_bulletin_31_case_7_bail_needs_a_rationale_and_an_amendment_is_a_new_record() -> None:
    seen, lines = _run("bulletin-31-case-7")
    assert seen == ["P8", "P8", "P8"], "\n".join(lines)


@pytest.mark.safeguard(*get("bulletin-31-case-5").safeguards)
def test_bulletin_31_case_5_a_declared_conflict_holds_the_declarers_work_until_a_supervisor_assesses_it() -> None:
    seen, lines = _run("bulletin-31-case-5")
    assert seen == ["P10", "P10"], "\n".join(lines)
    assert any("refused (403)" in line for line in lines), "\n".join(lines)  # a colleague cannot assess it
