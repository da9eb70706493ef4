"""Bulletin 28 case 2 runs through the whole stack (in process, on this test database): the refused DASH is
still done from records (R5), the marker shows on the second call (M1), the assault prompts a reassessment
(R4), one point of contact holds her across units (P3), the MARAC's open action keeps the log open (P6) and a
decision not to arrest needs its rationale (R6). Each quote is what the lesson says."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchkeeper.core.actor import Actor
from watchkeeper.replays.catalogue import get
from watchkeeper.replays.drivers import InProcessDriver
from watchkeeper.root.demo import seed_staff
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db(transaction=False)
LESSONS = Path(__file__).resolve().parents[2].parent / "shared" / "lessons"


@pytest.mark.safeguard(*get("bulletin-28-case-2").safeguards)
def test_bulletin_28_case_2_refusal_marker_reassessment_contact_marac_and_rationale() -> None:
    replay = get("bulletin-28-case-2")
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    staff = seed_staff()
    tokens = {n: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for n, u in staff.items()}
    lines: list[str] = []
    run = replay.run(InProcessDriver(tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    assert {i.safeguard for i in run.interventions} >= {"M1", "R4", "R5", "R6", "P3", "P6"}
