"""K4 traceability: which safeguards answer which lesson, and back.

`LESSON_SAFEGUARDS` is curated by the team, in code, so a change to it is reviewed like any other: for
every case of the shared learning documents it names the safeguards that would have intervened. It
agrees with the safeguard catalogue (every safeguard that names a lesson is listed under that lesson; a
test checks it) and with the lesson replays. Each entry is shown with the safeguard's state from the
registry and whether the lesson's replay passes (the latest stored run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from watchkeeper.replays.catalogue import REPLAYS
from watchkeeper.replays.engine import Replay
from watchkeeper.safeguards.registry import LESSON_NAMES, get

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from watchkeeper.learning.models import Case, ReplayResult

LESSON_SAFEGUARDS: dict[str, tuple[str, ...]] = {
    # Bulletin 28 (protecting vulnerable people, November 2016)
    "B28.1": ("L7", "L8", "C1", "C8", "M1", "M4", "R2", "R4", "A1"),
    "B28.2": ("M1", "R4", "R5", "R6", "P3", "P6"),
    "B28.3": ("L8", "L10", "C4", "D3", "M3"),
    "B28.4": ("L9", "L11", "C3", "C6", "D1", "P9"),
    "B28.5": ("L8", "L10", "C1", "C7", "P6", "P9", "P11"),
    "B28.6": ("P1", "P2"),
    "B28.7": ("R7", "P7", "A5"),
    "B28.8": ("L2", "R3", "P4", "P5", "P8"),
    # Bulletin 31 (general, December 2017)
    "B31.1": ("L5", "L6", "C4"),
    "B31.2": ("L1", "L3", "L4", "L6", "L10"),
    "B31.3": ("L11", "C2"),
    "B31.4": ("A2",),
    "B31.5": ("P10",),
    "B31.6": ("R6", "R7", "P11"),
    "B31.7": ("P8",),
    # Issue 41, case 2 (call handling, November 2022)
    "I41.2": ("L8", "L12", "C1", "C3", "C4", "C5", "C8", "D1", "D2", "D5", "M2", "P4", "A4"),
    # The Essex recommendation record (2019/127918)
    "REC-ESSEX": ("C5", "C9", "M3", "K2"),
}


def safeguard_ids(code: str) -> tuple[str, ...]:
    """The safeguards that answer a lesson (empty when the lesson is not mapped yet)."""
    return LESSON_SAFEGUARDS.get(code, ())


def lessons_for(sid: str) -> list[str]:
    """Every lesson a safeguard answers, in mapping order."""
    return [code for code, ids in LESSON_SAFEGUARDS.items() if sid in ids]


def replay_for(code: str) -> Replay | None:
    """The lesson's replay, if the replay catalogue has one."""
    return next((r for r in REPLAYS if r.lesson == code), None)


def document_name(code: str) -> str:
    return LESSON_NAMES.get(code.split(".")[0], code)


@dataclass(frozen=True)
class SafeguardState:
    id: str
    title: str
    state: str
    reason: str

    @property
    def url(self) -> str:
        return f"/safeguards/{self.id}/"


@dataclass(frozen=True)
class LessonTrace:
    """A lesson with its safeguards (and their states), its replay, and the latest replay result."""

    code: str
    safeguards: tuple[SafeguardState, ...]
    replay: Replay | None
    last_run: ReplayResult | None

    @property
    def mapped(self) -> bool:
        return bool(self.safeguards)

    @property
    def replay_state(self) -> str:
        """ "passes", "fails", "not run yet", "planned" (its safeguards are not built) or "none"."""
        if self.replay is None:
            return "none"
        if not self.replay.runnable:
            return "planned"
        if self.last_run is None:
            return "not run yet"
        return "passes" if self.last_run.passed else "fails"


def states(ids: tuple[str, ...]) -> tuple[SafeguardState, ...]:
    out = []
    for sid in ids:
        try:
            sg = get(sid)
        except KeyError:
            out.append(SafeguardState(sid, "not in the catalogue", "unknown", ""))
            continue
        out.append(SafeguardState(sg.id, sg.title, sg.state, sg.reason))
    return tuple(out)


def trace(code: str) -> LessonTrace:
    from watchkeeper.learning.models import ReplayResult

    last = ReplayResult.objects.filter(lesson=code).order_by("-id").first() if code else None
    return LessonTrace(code, states(safeguard_ids(code)), replay_for(code) if code else None, last)


def cases_for_safeguard(sid: str) -> QuerySet[Case]:
    """K4: the ingested lesson cases a safeguard answers (each safeguard lists its lessons)."""
    from watchkeeper.learning.models import Case

    return Case.objects.filter(code__in=lessons_for(sid)).select_related("document").order_by("code", "id")
