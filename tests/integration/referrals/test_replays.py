"""Bulletin 28 cases 7 and 5 run through the whole stack (in process, on this test database) and the referral
safeguards intervene: B28.7's list is worked by risk with "no access to children" needing a DBS check, overdue
referrals escalate, the overload and the backlog reach the supervisor, and the search waits for the
suicide-risk assessment (P7, A5, R7); B28.5's email is a referral from another force, reminded when not
acknowledged and actioned only at the address it gives or with the reason (P11). Each quote is what the lesson
actually says."""

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


def _run(name: str) -> list[str]:
    replay = get(name)
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    staff = seed_staff()
    tokens = {n: issue_token(Actor(None, via="replay"), u.pk, "replay")[1] for n, u in staff.items()}
    lines: list[str] = []
    run = replay.run(InProcessDriver(tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    return [i.safeguard for i in run.interventions]


@pytest.mark.safeguard(*get("bulletin-28-case-7").safeguards)
def test_bulletin_28_case_7_list_worked_by_risk_dbs_before_no_access_backlog_seen_suicide_risk_first() -> None:
    seen = _run("bulletin-28-case-7")
    assert seen == ["P7", "P7", "P7", "A5", "P7", "P7", "R7"]


@pytest.mark.safeguard(*get("bulletin-28-case-5").safeguards)
def test_bulletin_28_case_5_email_is_a_force_referral_reminded_and_actioned_at_the_address_it_gives() -> None:
    seen = _run("bulletin-28-case-5")
    assert set(seen) >= {"C1", "C7", "L10", "L8", "P11"}
    assert seen.count("P11") == 2
