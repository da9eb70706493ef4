"""The safeguard registry: every safeguard in the catalogue with its state and what proves it.

State is what the product does today: "enforced" (the system refuses), "prompt" (it shows what must be
considered and records the answer), "partial" (part of it is built and enforced; `BUILT` says which part)
or "planned" (not built yet).

Each built safeguard is proven twice over:
- tests: unit and integration test node IDs from `tests.json`, generated from the test-level
  `@pytest.mark.safeguard(...)` markers in the suite (`make registry`); a test fails when the file and the
  markers disagree;
- replays: the lesson replays (`replays/catalogue.py`) that name it among the safeguards that must
  intervene (a replay fails when one of them does not), or, where no replay can show it, the reason in
  `NO_REPLAY`.
`tests/unit/safeguards/test_registry_tests.py` fails when a built safeguard lacks either.
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
    "R1": "partial",
    "R2": "enforced",
    "R3": "enforced",
    "R4": "prompt",
    "R5": "enforced",
    "R6": "partial",
    "R7": "partial",
    "P9": "partial",
    "A2": "partial",
    "A3": "enforced",
    "K1": "enforced",
    "K2": "enforced",
    "K3": "prompt",
    "K4": "prompt",
    "K5": "enforced",
}

STATE_NAMES = ("enforced", "prompt", "partial", "planned")
BUILT_STATES = ("enforced", "prompt", "partial")

# What is built today, where that is less than the catalogue entry describes.
BUILT: dict[str, str] = {
    "A2": "Every view of a log or a person's record, and every call-time context look-up, writes an audit "
          "record naming who looked and the purpose they gave; a person's record does not open without a "
          "purpose. The anomaly rules (repeated views of a vulnerable person's record with no task on it, "
          "a high volume of contact between one member of staff and a vulnerable person) are not built yet, "
          "so nothing is flagged to professional standards.",
    "R1": "Risk instruments are versioned data files, validated on load and never changed once loaded; the "
          "product ships illustrative domestic abuse (with its stalking screen), missing person, child "
          "concern, suspect suicide risk and internet-offender instruments. Assessments are started from a "
          "log or a person, keep their version, and save every answer with who and when. A log whose flags "
          "or category call for an instrument shows it on the log page; closing such a log without one is "
          "not refused yet, assessments are not started from a case, and THRIVE grading is not yet an "
          "instrument of this kind.",
    "R6": "A risk decision (arrest or not, a dynamic risk assessment, removing protection, changing a level, "
          "a plan) is recorded from a log or a person only with a rationale, with the facts the system held "
          "then; a supervisor's review of an assessment level records its own. The other places a risk "
          "decision is made (a special scheme removed, a grade lowered) keep the reasons they already "
          "require and are not yet written as risk decisions.",
    "R7": "A search, arrest or interview of a suspect, recorded as a risk decision, is refused while the log "
          "calls for a suicide-risk instrument for suspects (its words, such as indecent images, or its "
          "flags) and the suspect has no submitted assessment with it; the shipped instrument asks for the "
          "contact plan around the action. A suspect outside the force area does not yet create a task for "
          "the local force.",
    "P9": "A missing-person record (from a log or a person) has a risk level, a review cadence and a "
          "reviewer's role per level (a review by another role is refused); an overdue review escalates "
          "once to the lead and their team; new information on the linked log tells the lead; places are "
          "recorded as searched, ruled out or not yet done, with the decision on forcing entry and why; age, "
          "time missing and what the log records are shown as escalation prompts. Callbacks to the "
          "reporting agency are not yet tasks, weather is not yet a trigger, a concern-for-welfare log is "
          "not yet prompted to convert, and the cadence is not yet force policy.",
}

# Built safeguards no lesson replay shows intervening, and why. A replay acts out a lesson's case through
# the API; these hold whatever a case does, or belong to the learning library rather than the control room.
NO_REPLAY: dict[str, str] = {
    "R1": "Its lesson replays (B28.1, B28.2, B28.8) also need safeguards that are planned (P3 to P6), so they "
          "cannot run yet; loading, validating and versioning instruments and keeping every answer are "
          "proven by its unit and integration tests.",
    "R2": "The replay of B28.1 lists the stalking screen as planned until its other steps run; the screen "
          "made mandatory by an answer, a category or the log's words is proven by its tests and in the "
          "browser.",
    "R3": "The replay of B28.8 (a standard level the answers did not support) also needs disclosure and "
          "victim updates (P4, P5), which are planned; guidance, the rationale and the supervisor's review "
          "are proven by its tests and in the browser.",
    "R4": "The replays of B28.1 and B28.2 that would show a reassessment also need planned safeguards (P3, "
          "P6); the reassessment prompt on a new log and what changed are proven by its tests.",
    "R5": "The replay of B28.2 (a victim's refusal treated as the end) also needs P3 and P6, which are "
          "planned; a refusal recorded as an answer and the assessment completed from records are proven by "
          "its tests.",
    "R6": "The replays of B28.2 and B31.6 also need planned safeguards (P3, P6, P11); the rationale and "
          "the facts recorded with each risk decision are proven by its tests.",
    "P9": "The replays of B28.4 and B28.5 list it as planned until their other safeguards (C3 cue families, "
          "P6, P11) run; the cadence, the reviewer's role, escalation and places are proven by its tests.",
    "R7": "The replay of B31.6 also needs the cross-border referral (P11), which is planned; the search "
          "refused until the suspect's suicide-risk assessment is submitted is proven by its tests.",
    "L2": "The lesson behind it (B28.8, a record and a notebook that disagreed) is a disclosure case whose "
          "other safeguards are planned, so its replay cannot run yet. Entries cannot be edited whatever a "
          "case does: there is no edit route and the database refuses UPDATE and DELETE on entries; the "
          "tests prove both.",
    "D4": "The unit register is what dispatch works with rather than a decision that can go wrong: no lesson "
          "cites it. The replays that send units (I41.2, B28.3) use it; its tests prove the register and "
          "its live statuses.",
    "A2": "Its lesson (B31.4, abuse of position) needs the anomaly rules, which are not built, so its replay "
          "cannot run yet. The purpose recorded with every view is proven by its tests.",
    "A3": "No lesson case turns on the audit trail being altered; the chain holds under every replay. Its "
          "tests prove the database refuses UPDATE and DELETE and that verify-audit names the first broken "
          "record.",
    "K1": "The learning library is where the lessons come from, not something a control-room case does: "
          "every replay's quotes are checked against the ingested documents, and its tests prove ingestion "
          "of each format.",
    "K2": "The recommendation tracker follows a recommendation over weeks after a case, not during a call; "
          "the Essex record's replay acts out the call and lists the tracker as planned for it. Its tests "
          "prove the statutory due date, the responses and the alerts.",
    "K3": "Answering 'could it happen here?' is a force's review of a lesson, not a step in a case; its tests "
          "prove the answers, evidence and actions.",
    "K4": "Traceability is the map between lessons and safeguards that the replays themselves are built from; "
          "its tests check the registry against the specification, lesson by lesson.",
    "K5": "Search and themes serve people reading the library, not a case; its tests prove the search and "
          "the recurring themes.",
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
    replays: tuple[str, ...] = ()
    no_replay: str = ""
    built: str = ""

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
            "replays": list(self.replays),
            "no_replay": self.no_replay,
            "built": self.built,
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


def replays_by_safeguard() -> dict[str, list[str]]:
    """{safeguard id: names of the runnable replays that name it among the safeguards that must intervene},
    from the replays' own data (lesson cases first, then the team's exercises)."""
    from watchkeeper.replays.catalogue import every

    found: dict[str, list[str]] = {}
    for replay in every():
        if replay.runnable:
            for sid in replay.safeguards:
                found.setdefault(sid, []).append(replay.name)
    return found


@cache
def all_safeguards() -> tuple[Safeguard, ...]:
    tests = _test_map()
    replays = replays_by_safeguard()
    return tuple(
        Safeguard(
            id=sid,
            title=title,
            reason=reason,
            lessons=tuple(lessons),
            description=text,
            state=STATES.get(sid, "planned"),
            tests=tuple(tests.get(sid, [])),
            replays=tuple(replays.get(sid, [])),
            no_replay=NO_REPLAY.get(sid, ""),
            built=BUILT.get(sid, ""),
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
