"""K4: the curated lesson -> safeguard mapping agrees with the catalogue and the replays, and covers every
case of the shared learning documents."""

from __future__ import annotations

import pytest

from watchkeeper.learning import traceability
from watchkeeper.replays.catalogue import REPLAYS
from watchkeeper.safeguards.catalogue import CATALOGUE

SHARED_CASES = [*(f"B28.{n}" for n in range(1, 9)), *(f"B31.{n}" for n in range(1, 8)), "I41.2", "REC-ESSEX"]


@pytest.mark.safeguard("K4")
def test_every_case_of_the_shared_documents_is_mapped() -> None:
    assert sorted(traceability.LESSON_SAFEGUARDS) == sorted(SHARED_CASES)
    assert all(traceability.safeguard_ids(code) for code in SHARED_CASES)


@pytest.mark.safeguard("K4")
def test_every_mapped_safeguard_exists_in_the_catalogue() -> None:
    ids = {row[0] for row in CATALOGUE}
    unknown = {sid for sids in traceability.LESSON_SAFEGUARDS.values() for sid in sids} - ids
    assert unknown == set()


@pytest.mark.safeguard("K4")
def test_each_safeguard_that_names_a_lesson_is_listed_under_it() -> None:
    missing = [
        (sid, lesson)
        for sid, _, _, lessons, _ in CATALOGUE
        for lesson in lessons
        if sid not in traceability.safeguard_ids(lesson)
    ]
    assert missing == []


@pytest.mark.safeguard("K4")
def test_every_safeguard_a_replay_shows_or_plans_is_mapped_to_its_lesson() -> None:
    missing = [
        (r.lesson, sid)
        for r in REPLAYS
        for sid in (*r.safeguards, *getattr(r, "planned", ()))
        if sid not in traceability.safeguard_ids(r.lesson)
    ]
    assert missing == []


@pytest.mark.safeguard("K4")
def test_lessons_for_a_safeguard_and_back() -> None:
    assert traceability.lessons_for("L3") == ["B31.2"]
    assert set(traceability.lessons_for("L10")) == {"B28.3", "B28.5", "B31.2"}
    assert "REC-ESSEX" in traceability.lessons_for("K2")
    assert traceability.safeguard_ids("B99.9") == ()


@pytest.mark.safeguard("K4")
def test_states_come_from_the_registry() -> None:
    states = {s.id: s.state for s in traceability.states(("L3", "K4", "Z9"))}
    assert states["L3"] == "enforced"
    assert states["Z9"] == "unknown"
    assert states["K4"] in {"enforced", "prompt", "planned"}
