"""The product's safeguard registry matches the safeguards specification, entry for entry (K4).

The specification (safeguards.md) is parsed here, so a safeguard added to or changed in the specification
without the registry following (or the other way round) fails this test. Traceability from a lesson to the
code and back depends on the IDs, titles and lessons agreeing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from watchkeeper.safeguards import registry

SPEC = Path("/work/shared/spec/safeguards.md")
FAMILY_SIZES = {"L": 12, "C": 9, "D": 5, "M": 4, "R": 7, "P": 11, "A": 5, "K": 5}
EXPECTED_IDS = [f"{family}{n}" for family, size in FAMILY_SIZES.items() for n in range(1, size + 1)]
LESSON_CODE = re.compile(r"B\d+\.\d+|I\d+\.\d+|REC-[A-Z]+")


@dataclass(frozen=True)
class SpecEntry:
    id: str
    title: str
    description: str
    lessons: tuple[str, ...]


def parse_spec(text: str) -> dict[str, SpecEntry]:
    """Entries are bullets `- **ID title.** description ... Lessons: codes.` that may wrap over lines; a
    title ending in a question mark has no full stop."""
    pattern = re.compile(r"^- \*\*([A-Z]\d+) (.+?)\.?\*\* (.*?)(?=^- \*\*|^## |\Z)", re.S | re.M)
    entries: dict[str, SpecEntry] = {}
    for sid, title, body in pattern.findall(text):
        body = " ".join(body.split())
        description, _, lessons = body.partition(" Lessons: ")
        assert sid not in entries, f"{sid} appears twice in the specification"
        entries[sid] = SpecEntry(sid, title, description.strip(), tuple(LESSON_CODE.findall(lessons)))
    return entries


SPEC_ENTRIES = parse_spec(SPEC.read_text(encoding="utf-8"))
BY_ID = {sg.id: sg for sg in registry.all_safeguards()}


def test_specification_lists_every_expected_id() -> None:
    """Guards the parser itself: it must find all 58 entries in the specification."""
    assert sorted(SPEC_ENTRIES) == sorted(EXPECTED_IDS)


def test_registry_holds_exactly_the_specification_ids_once_each() -> None:
    ids = [sg.id for sg in registry.all_safeguards()]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(SPEC_ENTRIES)


@pytest.mark.safeguard("K4")
@pytest.mark.parametrize("sid", EXPECTED_IDS)
def test_entry_has_title_reason_state_and_matches_the_specification(sid: str) -> None:
    sg = registry.get(sid)
    spec = SPEC_ENTRIES[sid]
    assert sg.title.strip() and sg.reason.strip()
    assert sg.state in registry.STATE_NAMES
    assert sg.title == spec.title
    assert sg.description == spec.description
    assert spec.description.startswith(sg.reason.rstrip("."))
    assert sg.lessons == spec.lessons
    assert sg.family == registry.FAMILIES[sid[0]]
    assert sg.label == f"{sid} — {spec.title}"


def test_states_name_only_catalogue_safeguards_with_a_known_state() -> None:
    assert set(registry.STATES) <= set(BY_ID)
    assert set(registry.STATES.values()) <= set(registry.STATE_NAMES)
    assert set(registry.STATE_NAMES) == {"enforced", "prompt", "partial", "planned"}


def test_safeguards_not_yet_built_are_planned() -> None:
    for sid, sg in BY_ID.items():
        assert sg.state == registry.STATES.get(sid, "planned")


def test_every_lesson_cited_has_a_name() -> None:
    for sg in BY_ID.values():
        for lesson in sg.lessons:
            assert lesson.split(".")[0] in registry.LESSON_NAMES, (sg.id, lesson)


@pytest.mark.safeguard("K4")
@pytest.mark.parametrize("lesson", sorted({code for e in SPEC_ENTRIES.values() for code in e.lessons}))
def test_each_lesson_lists_the_safeguards_the_specification_gives_it(lesson: str) -> None:
    cited_by = [e.id for e in SPEC_ENTRIES.values() if lesson in e.lessons]
    assert [sg.id for sg in registry.for_lesson(lesson)] == cited_by


def test_lesson_nobody_cites_lists_nothing() -> None:
    assert registry.for_lesson("B99.9") == []


def test_unknown_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        registry.get("Z1")


def test_as_dict_carries_what_the_registry_page_shows() -> None:
    body = registry.get("L3").as_dict()
    assert body["id"] == "L3" and body["title"] == "read before close"
    assert body["family"] == "Incident log integrity" and body["state"] == "enforced"
    assert body["lessons"] == ["B31.2"] and isinstance(body["tests"], list)
