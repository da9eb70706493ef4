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
    "R7": "enforced",
    "P9": "enforced",
    "P11": "enforced",
    "P7": "enforced",
    "P1": "enforced",
    "P2": "enforced",
    "P3": "enforced",
    "P4": "enforced",
    "P5": "enforced",
    "P8": "partial",
    "P10": "enforced",
    "P6": "enforced",
    "A1": "partial",
    "A2": "partial",
    "A3": "enforced",
    "A4": "partial",
    "A5": "partial",
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
    "A5": "Anyone at work can say they are overloaded, with the reason (from the roster page or the API); "
          "their team's supervisor is told, and supervisors and those who run the room see the reports of "
          "the last week with each team queue's size and the age of its oldest unread item on the assurance "
          "dashboard and over the API, with each desk's queues (open logs awaiting dispatch, downgrades awaiting "
          "authorisation, risk assessments awaiting review, case reviews due, cases awaiting allocation, and the "
          "referral queues' backlogs where kept): size, age of the oldest and how many are on the desk now, with "
          "CSV export. No alert is raised when a queue passes a size or age: the policy sets no such threshold.",
    "A1": "Training records (emergency call handling, safeguarding refresher, stalking, firearms licensing "
          "awareness) carry their last valid day from the policy's validity (`training`). Raising a log, "
          "taking a call on an emergency channel, or acting on a log with a safeguarding flag without the "
          "current course a gate names warns the person (a notification and a panel on the log), tells their "
          "team's supervisor and asks the person for the reason they went ahead, which is recorded once and "
          "audited; the action itself is never refused. By default only lapsed training is gated (someone "
          "with no record at all is listed by the compliance report; `untrained_gated` gates them too). The "
          "warning comes as the action is recorded, not before it on the new-call page.",
    "A4": "The assurance dashboard (the Reports page): response-time compliance by grade and area, the "
          "lists of logs (grades below policy, downgrades, flagged closures, cancellations, and the divert "
          "list), staffing against minimum now and training compliance (A1), each a server-drawn SVG chart "
          "with its table, over a date range with grade and area filters, each figure opening the logs behind "
          "it, with CSV export. Staffing comes from a duty roster (shifts by desk role from the roster page, "
          "the API or a CSV import checked row by row, all or nothing) against the policy's minimum per desk "
          "role and band of the day (`minimum_staffing`); the command board shows each desk against its "
          "minimum, and a desk falling below it tells the duty inspector once, naming who is no longer on and "
          "since when. Special schemes ending (by week, the schemes behind each figure), case reviews (P2) and "
          "multi-agency actions (P6) overdue, and victim updates (P4) not confirmed are reports of the same kind "
          "(charts, tables, filters, the records behind a figure, CSV, and the API). The divert list is linked "
          "from the dashboard rather than charted on it.",
    "A2": "Every view of a log or a person's record, and every call-time context look-up, writes an audit "
          "record naming who looked and the purpose they gave; a person's record does not open without a "
          "purpose. The anomaly rules (policy `anomaly_rules`, thresholds as data) run over the audit trail from "
          "the last run's high-water mark, by `watchkeeper anomalies`, nightly by the sweeper, or at once by "
          "professional standards (page or API): repeated views of a vulnerable person's record (an active "
          "vulnerability marker) by someone with no log, task or case (P1) involving them; a high volume of "
          "contact between one member of staff and a vulnerable person (views of the record and contacts logged "
          "on a case within a window: a log or case justifies contact, but not beyond a higher threshold); views "
          "of a vulnerable person's record by someone working elsewhere (the area of the units they crew against "
          "that of the person's current postcode); views of a watch-listed person (a colleague, a neighbour, a "
          "public figure) and searches or look-ups naming one; and views of a vulnerable person's record by "
          "rostered staff while off shift. Flags go to professional standards only (never a flag about "
          "themselves), who open a case and record the outcome; the person flagged is not told. What is not "
          "built: views of a case are audited without a purpose and no rule reads them, staff carry no area of "
          "their own (only the units they crew do), and contact outside the system (email, phone) is not seen.",
    "R1": "Risk instruments are versioned data files, validated on load and never changed once loaded; the "
          "product ships illustrative domestic abuse (with its stalking screen), missing person, child "
          "concern, suspect suicide risk and internet-offender instruments. Assessments are started from a "
          "log or a person, keep their version, and save every answer with who and when. A log whose flags "
          "or category call for an instrument shows it on the log page, and a log whose flag policy ties to "
          "a loaded instrument (`risk_close_instruments`: domestic abuse by default) is not closed until that "
          "assessment is submitted on it or a risk decision records why none could be done. Assessments are "
          "also started from a case, for a person on it. THRIVE grading is not yet an instrument of this kind.",
    "R6": "A risk decision (arrest or not, a dynamic risk assessment, removing protection, changing a level, "
          "a plan) is recorded from a log or a person only with a rationale, with the facts the system held "
          "then; a supervisor's review of an assessment level records its own. The other places a risk "
          "decision is made (a special scheme removed, a grade lowered) keep the reasons they already "
          "require and are not yet written as risk decisions.",
    "P8": "A bail condition on a suspect on a case is refused without its proportionality rationale, and has a "
          "review date (within `bail_review_max_days`) and an end date; an overdue review alerts the officer in "
          "charge and the supervisor. An amendment is a new record naming the condition it replaces and why; "
          "reviews and ends are new records and the database refuses changes to all of them. Each condition "
          "puts a bail-conditions order on the orders register (M3: protecting the case's victims and the places "
          "named, restricting the activities named), so a later log with the suspect and a protected person or "
          "place shows a possible breach. Every change (set, amended, ended) is to be told to each victim by a "
          "P4 update of kind bail change; a victim not told within `bail_victim_notice_hours` alerts. Not built: "
          "the register cannot end an order early (an order's end date is never changed), so an amended or "
          "ended condition's order stays on the register until its own end date.",
}

# Built safeguards no lesson replay shows intervening, and why. A replay acts out a lesson's case through
# the API; these hold whatever a case does, or belong to the learning library rather than the control room.
NO_REPLAY: dict[str, str] = {
    "A1": "Its lesson (B28.1) is a case whose other safeguards (P3 to P6) are planned, so its replay cannot "
          "run yet; the warning, the supervisor told and the reason recorded when lapsed training meets a "
          "999 call are proven by its tests.",
    "A4": "The replay of I41.2 acts out the call and the dispatch; the shift without a support operator is a "
          "roster fact, proven by its tests and in the browser (the command board below minimum when the "
          "support operator's shift ends, the duty inspector told).",
    "R1": "No lesson names it among its safeguards (the lessons name the stalking screen, R2, and the "
          "reassessment, R4), so no replay claims it; the replay of B28.1's risk assessment "
          "(bulletin-28-case-1-risk) still sees the close of the domestic-abuse log refused until the "
          "assessment is submitted, and loading, versioning and every answer are proven by its tests.",
    "R3": "The replay of B28.8 runs, but the answers the lesson records (four yes, none of them critical) give "
          "standard guidance under the shipped illustrative instrument, so the supervisor's 'standard' was not "
          "below the guidance and R3 has nothing to refuse there; guidance, the rationale below it and the "
          "supervisor's review with the answers are proven by its tests and in the browser.",
    "D4": "The unit register is what dispatch works with rather than a decision that can go wrong: no lesson "
          "cites it. The replays that send units (I41.2, B28.3) use it; its tests prove the register and "
          "its live statuses.",
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
