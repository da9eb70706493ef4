"""Bulletin 28 cases 7 and 5, acted out over HTTP against a real server whose own sweeper fires the timers: the
referral queue by risk, its escalation and the backlog the supervisor sees (P7, A5, R7), and the neighbouring
force's email tracked as a referral until acknowledged and actioned at the address it gives (P11)."""

from __future__ import annotations

import pytest

from tests.scenarios.test_replays import _replay
from watchkeeper.replays.catalogue import get


@pytest.mark.safeguard(*get("bulletin-28-case-7").safeguards)
def test_bulletin_28_case_7_acting_on_intelligence_by_risk_over_http(server, tokens):
    assert _replay("bulletin-28-case-7", server, tokens) >= {"P7", "R7", "A5"}


@pytest.mark.safeguard(*get("bulletin-28-case-5").safeguards)
def test_bulletin_28_case_5_force_referral_tracked_until_acknowledged_over_http(server, tokens):
    assert _replay("bulletin-28-case-5", server, tokens) >= {"C1", "C7", "L10", "L8", "P11"}
