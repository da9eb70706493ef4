"""The safeguard registry: every safeguard in the catalogue with its state and the tests that prove it.

State is what the product does today: "enforced" (the system refuses), "prompt" (it shows what must be
considered and records the answer) or "planned" (not built yet). Test node IDs come from `tests.json`,
generated from the `@pytest.mark.safeguard(...)` markers in the suite (`make registry`); a test fails when
the file and the markers disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from watchkeeper.safeguards.catalogue import CATALOGUE

STATES: dict[str, str] = {
    "L1": "enforced",
    "L2": "enforced",
    "L3": "enforced",
    "L4": "enforced",
    "L5": "enforced",
    "L6": "enforced",
    "L7": "enforced",
    "L8": "enforced",
    "L9": "enforced",
    "L10": "enforced",
    "L11": "enforced",
    "L12": "enforced",
    "C1": "prompt",
    "C2": "prompt",
    "C3": "prompt",
    "C4": "enforced",
    "C5": "enforced",
    "C6": "prompt",
    "C7": "prompt",
    "C8": "prompt",
    "C9": "prompt",
    "D1": "enforced",
    "D2": "enforced",
    "D3": "enforced",
    "D4": "enforced",
    "D5": "enforced",
    "M1": "enforced",
    "M2": "enforced",
    "M3": "prompt",
    "M4": "enforced",
    "A3": "enforced",
    "K1": "enforced",
    "K2": "enforced",
    "K3": "prompt",
    "K4": "prompt",
    "K5": "enforced",
}

FAMILIES: dict[str, str] = {
    "L": "Incident log integrity",
    "C": "Call-time context and classification",
    "D": "Dispatch and response",
    "M": "Markers, schemes and orders",
    "R": "Risk assessment",
    "P": "Cases and public protection",
    "A": "Staff, access and assurance",
    "K": "Learning",
}

LESSON_NAMES: dict[str, str] = {
    "B28": "Learning the Lessons bulletin 28 (protecting vulnerable people, November 2016)",
    "B31": "Learning the Lessons bulletin 31 (general, December 2017)",
    "I41": "Learning the Lessons issue 41 (call handling, November 2022)",
    "REC-ESSEX": "Recommendation record, Essex Police, 2019",
}


@dataclass(frozen=True)
class Safeguard:
    id: str
    title: str
    reason: str
    lessons: tuple[str, ...]
    description: str
    state: str
    tests: tuple[str, ...]

    @property
    def family(self) -> str:
        return FAMILIES[self.id[0]]

    @property
    def label(self) -> str:
        return f"{self.id} — {self.title}"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "reason": self.reason,
            "lessons": list(self.lessons),
            "state": self.state,
            "tests": list(self.tests),
            "description": self.description,
        }


@cache
def _test_map() -> dict[str, list[str]]:
    try:
        raw = resources.files("watchkeeper.safeguards").joinpath("tests.json").read_text()
    except FileNotFoundError:
        return {}
    data: dict[str, list[str]] = json.loads(raw)
    return data


@cache
def all_safeguards() -> tuple[Safeguard, ...]:
    tests = _test_map()
    return tuple(
        Safeguard(
            id=sid,
            title=title,
            reason=reason,
            lessons=tuple(lessons),
            description=text,
            state=STATES.get(sid, "planned"),
            tests=tuple(tests.get(sid, [])),
        )
        for sid, title, reason, lessons, text in CATALOGUE
    )


def get(sid: str) -> Safeguard:
    for sg in all_safeguards():
        if sg.id == sid:
            return sg
    raise KeyError(sid)


def for_lesson(code: str) -> list[Safeguard]:
    """Safeguards whose catalogue entry names the lesson (e.g. "B31.2")."""
    return [sg for sg in all_safeguards() if code in sg.lessons]
