"""Bulletin 31, case 4 (abuse of position) replayed end to end over HTTP against a real server: A2's rules see
the officer's contact with a vulnerable woman on his own case as more than the case needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.live import Server
from watchkeeper.replays.catalogue import get
from watchkeeper.replays.drivers import HttpDriver

LESSONS = Path(__file__).resolve().parents[3].parent / "shared" / "lessons"


@pytest.mark.safeguard(*get("bulletin-31-case-4").safeguards)
def test_bulletin_31_case_4_contact_beyond_what_a_case_needs_is_flagged_to_professional_standards(
        server: Server, tokens: dict[str, str]) -> None:
    replay = get("bulletin-31-case-4")
    text = " ".join((LESSONS / replay.document).read_text(encoding="utf-8").split())
    for quote in replay.quotes:
        assert " ".join(quote.split()) in text, quote
    lines: list[str] = []
    run = replay.run(HttpDriver(server.base, tokens), printer=lines.append)
    assert run.ok, "\n".join(lines)
    assert {i.safeguard for i in run.interventions} == {"A2"}
    assert any("even with a log or case involving them" in i.message for i in run.interventions), lines
