"""The risk safeguards as pure functions over plain data (R2, R3, R5, R6, and who may work on what).

No Django: the actions gather the facts (the instrument, the answers in force, what the log records) and
ask these functions, so the same decision holds for the UI, the API and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.risk.instrument import Instrument, Question, Section, When

YES_NO = ("yes", "no", "not_known")
SOURCES = ("person", "records", "officer")  # who gave the answer: the person assessed, police records, the officer
MAX_ANSWER_TEXT = 2000
MIN_RATIONALE_WORDS = 3


@dataclass(frozen=True)
class AnswerData:
    """An answer in force. `refused`: the person declined to answer (R5); `value` may still be given from
    what police hold (`source == "records"`), or be empty."""

    value: str = ""
    refused: bool = False
    source: str = "person"

    @property
    def answered(self) -> bool:
        """R5: a refusal is an answer; so is a value."""
        return bool(self.value) or self.refused


@dataclass(frozen=True)
class LogFacts:
    """What a log records that can make a section mandatory (R2)."""

    flags: frozenset[str] = frozenset()
    category: str = ""
    text: str = ""


@dataclass(frozen=True)
class Guidance:
    """R3: the level the answers support and why."""

    level: str
    rank: int
    yes: int
    critical: int
    reasons: tuple[str, ...] = ()
    refused: int = 0
    from_records: int = 0

    @property
    def partly_from_records(self) -> bool:
        """R5: some answers came from police records (or were refused), so the guidance says so."""
        return self.refused > 0 or self.from_records > 0

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "rank": self.rank, "yes": self.yes, "critical": self.critical,
                "reasons": list(self.reasons), "refused": self.refused, "from_records": self.from_records,
                "partly_from_records": self.partly_from_records}


# ------------------------------------------------------------------------------------------ answers
def check_answer(question: Question, value: str, *, refused: bool, source: str) -> AnswerData:
    """An answer a question can take, or Invalid naming the field. R5: a refusal needs no value; a value
    given alongside a refusal is what police records hold, so its source must be records."""
    if source not in SOURCES:
        raise Invalid(f"source must be one of: {', '.join(SOURCES)}", "source")
    value = value.strip()
    if refused and value and source != "records":
        raise Invalid("R5: the person refused; a value given with a refusal comes from records (source: records)",
                      "source")
    if not value:
        if not refused:
            raise Invalid(f"{question.code}: give an answer, or record that the person refused", "value")
        return AnswerData("", True, source)
    if question.type == "yes_no" and value not in YES_NO:
        raise Invalid(f"{question.code}: answer one of: {', '.join(YES_NO)}", "value")
    if question.type == "choice":
        allowed = [o.code for o in question.options] + ["not_known"]
        if value not in allowed:
            raise Invalid(f"{question.code}: answer one of: {', '.join(allowed)}", "value")
    if len(value) > MAX_ANSWER_TEXT:
        raise Invalid(f"{question.code}: an answer is at most {MAX_ANSWER_TEXT} characters", "value")
    return AnswerData(value, refused, source)


# ------------------------------------------------------------------------------------------ R3 guidance
def compute_guidance(instrument: Instrument, answers: Mapping[str, AnswerData]) -> Guidance:
    """R3: the guidance level from the answers. Each rule counts "yes" answers (or critical items answered
    "yes"), in a section or the whole instrument; the guidance is the highest level of any rule whose count
    is reached, else the lowest level. Counts only grow when a "yes" is added, and a rule once reached stays
    reached, so adding a "yes" never lowers the guidance. R5: refusals and answers from records are counted
    so the guidance can say it was partly from records."""
    level = instrument.lowest()
    reasons: list[str] = []
    yes_in: dict[str | None, int] = {None: 0}
    critical_in: dict[str | None, int] = {None: 0}
    for section in instrument.sections:
        for q in section.questions:
            a = answers.get(q.code)
            if q.type != "yes_no" or a is None or a.value != "yes":
                continue
            for key in (None, section.code):
                yes_in[key] = yes_in.get(key, 0) + 1
                if q.critical:
                    critical_in[key] = critical_in.get(key, 0) + 1
    for rule in instrument.guidance:
        counts = yes_in if rule.count == "yes" else critical_in
        n = counts.get(rule.section, 0)
        target = instrument.level(rule.level)
        if target is None or n < rule.at_least:
            continue
        where = f" in {rule.section}" if rule.section else ""
        what = "yes answers" if rule.count == "yes" else "critical items answered yes"
        reasons.append(f"{n} {what}{where} (at least {rule.at_least}): {target.label}")
        if target.rank > level.rank:
            level = target
    known = {q.code for q in instrument.questions()}
    held = [a for code, a in answers.items() if code in known]
    return Guidance(level=level.code, rank=level.rank, yes=yes_in[None], critical=critical_in[None],
                    reasons=tuple(reasons), refused=sum(1 for a in held if a.refused),
                    from_records=sum(1 for a in held if a.source == "records" and a.value))


# ------------------------------------------------------------------------------------------ R2 mandatory
def _words_in(words: Iterable[str], text: str) -> list[str]:
    low = text.lower()
    return [w for w in words if re.search(r"(?<!\w)" + re.escape(w.lower()) + r"(?!\w)", low)]


def indicators(instrument: Instrument, answers: Mapping[str, AnswerData]) -> set[str]:
    """What the "yes" answers indicate (R2)."""
    return {i for q in instrument.questions() for i in q.indicates
            if (a := answers.get(q.code)) is not None and a.value == "yes"}


def when_holds(when: When, *, indicated: set[str], facts: LogFacts) -> list[str]:
    """Which of the conditions hold, in words (empty: none)."""
    found = [f"answer indicating {i}" for i in when.indicators if i in indicated]
    found += [f"log flag {f}" for f in when.flags if f in facts.flags]
    if facts.category and facts.category in when.categories:
        found.append(f"log category {facts.category}")
    found += [f"'{w}' in the log" for w in _words_in(when.words, facts.text)]
    return found


def mandatory_sections(instrument: Instrument, answers: Mapping[str, AnswerData],
                       facts: LogFacts) -> dict[str, list[str]]:
    """R2: each section that must be answered, with why ("always", or the conditions that hold)."""
    indicated = indicators(instrument, answers)
    out: dict[str, list[str]] = {}
    for s in instrument.sections:
        if s.mandatory:
            out[s.code] = ["always"]
        elif s.mandatory_when is not None:
            why = when_holds(s.mandatory_when, indicated=indicated, facts=facts)
            if why:
                out[s.code] = why
    return out


def unanswered(instrument: Instrument, answers: Mapping[str, AnswerData], sections: Iterable[str]) -> list[str]:
    """The questions of these sections with no answer (a refusal is an answer, R5)."""
    wanted = set(sections)
    return [q.code for s in instrument.sections if s.code in wanted for q in s.questions
            if not ((a := answers.get(q.code)) is not None and a.answered)]


# ------------------------------------------------------------------------------------------ R3 submission
def _rationale_given(rationale: str) -> bool:
    return len(rationale.split()) >= MIN_RATIONALE_WORDS


@dataclass(frozen=True)
class Submission:
    guidance: Guidance
    below_guidance: bool
    mandatory: dict[str, list[str]] = field(default_factory=dict)


def check_submission(instrument: Instrument, answers: Mapping[str, AnswerData], facts: LogFacts, *,
                     judgement: str, rationale: str) -> Submission:
    """R2 + R3: an assessment can be submitted when every mandatory section is answered; the professional
    judgement is a level of the instrument, and a judgement below the guidance needs a rationale (it then
    goes to a supervisor's review)."""
    mandatory = mandatory_sections(instrument, answers, facts)
    missing = unanswered(instrument, answers, mandatory)
    if missing:
        screens = [f"{s} ({'; '.join(why)})" for s, why in mandatory.items() if why != ["always"]
                   and set(missing) & {q.code for q in _section(instrument, s).questions}]
        raise Refusal(
            f"{len(missing)} mandatory question(s) are not answered" + (
                f"; mandatory here: {', '.join(screens)}" if screens else ""),
            safeguard="R2" if screens else "R1",
            next_step="Answer them (a refusal by the person is an answer; then add what police records hold).",
            details={"missing": missing, "mandatory": mandatory},
        )
    level = instrument.level(judgement)
    if level is None:
        raise Invalid(f"judgement must be one of: {', '.join(lv.code for lv in instrument.levels)}", "judgement")
    guidance = compute_guidance(instrument, answers)
    below = level.rank < guidance.rank
    if below and not _rationale_given(rationale):
        raise Refusal(
            f"Your judgement ({level.label}) is below the guidance the answers give "
            f"({_label(instrument, guidance.level)}): say why",
            safeguard="R3",
            next_step=f"Write a rationale of at least {MIN_RATIONALE_WORDS} words; a supervisor reviews it "
                      "with the answers.",
            details={"field": "rationale", "guidance": guidance.as_dict()},
        )
    return Submission(guidance=guidance, below_guidance=below, mandatory=mandatory)


def _section(instrument: Instrument, code: str) -> Section:
    return next(s for s in instrument.sections if s.code == code)


def _label(instrument: Instrument, code: str) -> str:
    lv = instrument.level(code)
    return lv.label if lv else code


# ------------------------------------------------------------------------------------------ R3 review
REVIEW_DECISIONS = ("agree", "raise")


def check_review(instrument: Instrument, *, judgement: str, decision: str, level: str, rationale: str,
                 reviewer_id: int | None, assessor_id: int | None) -> str:
    """R3: a supervisor reviews a judgement below the guidance: agrees (the level stands) or raises it (to a
    higher level of the instrument), always with their own rationale, and never on their own assessment.
    Returns the level in force after the review."""
    if reviewer_id is not None and reviewer_id == assessor_id:
        raise Refusal("You made this assessment; another supervisor reviews it.", safeguard="R3",
                      next_step="Ask another supervisor to review it.", status=403)
    if decision not in REVIEW_DECISIONS:
        raise Invalid(f"decision must be one of: {', '.join(REVIEW_DECISIONS)}", "decision")
    if not _rationale_given(rationale):
        raise Invalid(f"R3: give your rationale (at least {MIN_RATIONALE_WORDS} words)", "rationale")
    current = instrument.level(judgement)
    assert current is not None  # stored from the instrument
    if decision == "agree":
        return current.code
    target = instrument.level(level)
    if target is None:
        raise Invalid(f"level must be one of: {', '.join(lv.code for lv in instrument.levels)}", "level")
    if target.rank <= current.rank:
        raise Invalid(f"Raising means a level above {current.label}", "level")
    return target.code


# ------------------------------------------------------------------------------------------ who may work on it
def check_may_work_on(*, state: str, started_by_id: int | None, actor_id: int | None, actor_reviews: bool) -> None:
    """An assessment in progress is answered by the officer who started it or by a supervisor (who can take
    over a half-finished one); a submitted assessment is never changed (a reassessment is a new one)."""
    if state != "draft":
        raise Refusal("This assessment was submitted and is kept as it was.", safeguard="R1",
                      next_step="Start a new assessment (a reassessment) to record what has changed.",
                      status=409)
    if actor_id is not None and actor_id != started_by_id and not actor_reviews:
        raise Forbidden("Another officer is completing this assessment.",
                        next_step="Ask them or a supervisor, or start an assessment of your own.")


# ------------------------------------------------------------------------------------------ R6 decisions
DECISION_KINDS = {
    "arrest": "Arrest or not",
    "search": "Search of premises",
    "interview": "Interview",
    "dynamic_risk": "Dynamic risk assessment at scene",
    "protection_removed": "Removing protection",
    "level_changed": "Changing a risk level",
    "plan": "Safety or contact plan",
    "no_assessment": "Assessment could not be done (why)",
    "other": "Another risk decision",
}


def check_decision(kind: str, decision: str, rationale: str) -> None:
    """R6: every risk decision records what was decided and why."""
    if kind not in DECISION_KINDS:
        raise Invalid(f"kind must be one of: {', '.join(DECISION_KINDS)}", "kind")
    if not decision.strip():
        raise Invalid("decision is required: what was decided", "decision")
    if not _rationale_given(rationale):
        raise Refusal(f"R6: a risk decision needs its rationale (at least {MIN_RATIONALE_WORDS} words)",
                      safeguard="R6", next_step="Say why, with the facts you had then.",
                      details={"field": "rationale"}, status=400)


# ------------------------------------------------------------------------------------------ R7 police action
POLICE_ACTIONS = ("arrest", "search", "interview")


@dataclass(frozen=True)
class SuicideRiskNeed:
    """R7: an instrument for suspects that the log calls for (its words, flags or category), and whether the
    suspect has a submitted assessment with it."""

    instrument: str
    title: str
    why: tuple[str, ...]
    assessed: bool
    planned: bool = True  # a contact plan around the action is recorded (an answer, or a "plan" decision)


def check_police_action(kind: str, needs: list[SuicideRiskNeed]) -> None:
    """R7: a search, arrest or interview of a suspect the log calls a suicide-risk assessment for (an offence
    of child-abuse images or exploitation) waits for that assessment to be submitted and for a contact plan
    around the action (the assessment's contact-plan answer, or a recorded plan decision)."""
    if kind not in POLICE_ACTIONS:
        return
    missing = [n for n in needs if not n.assessed]
    if missing:
        n = missing[0]
        raise Refusal(
            f"Before a {DECISION_KINDS[kind].lower()} of this suspect, complete the {n.title} ({'; '.join(n.why)})",
            safeguard="R7",
            next_step="Start and submit the assessment, with the contact plan around the action, then record it.",
            details={"instrument": n.instrument},
        )
    unplanned = [n for n in needs if not n.planned]
    if unplanned:
        raise Refusal(
            f"Before a {DECISION_KINDS[kind].lower()} of this suspect, record the contact plan around it "
            f"(who stays in contact, when, what support is offered)",
            safeguard="R7",
            next_step="Answer the assessment's contact-plan question in a reassessment, or record a "
                      "'Safety or contact plan' risk decision for the suspect, then record the action.",
            details={"instrument": unplanned[0].instrument},
        )


def out_of_area(postcode: str, areas: Iterable[str]) -> bool:
    """R7, P11: an address lies outside the force when its postcode's area (the letters before the first
    digit) is not one the force covers. No postcode, or no areas in policy: not known to be outside."""
    m = re.match(r"\s*([A-Za-z]{1,2})\d", postcode or "")
    wanted = {a.upper() for a in areas}
    return bool(m and wanted and m.group(1).upper() not in wanted)


# ------------------------------------------------------------------------------------------ R4 what changed
def changes(instrument: Instrument, before: Mapping[str, AnswerData],
            after: Mapping[str, AnswerData]) -> list[dict[str, str]]:
    """R4: the questions whose answers differ between an earlier assessment and this one."""
    out = []
    for q in instrument.questions():
        a, b = before.get(q.code), after.get(q.code)
        was = ("refused" if a and a.refused and not a.value else a.value) if a else ""
        now = ("refused" if b and b.refused and not b.value else b.value) if b else ""
        if was != now:
            out.append({"question": q.code, "text": q.text, "before": was, "after": now})
    return out


# ------------------------------------------------------------------------------------------ P9 missing persons
MISSING_LEVELS = ("low", "medium", "high")
# P9: how often a missing person's risk level is reviewed, and by whom, per level: read from the policy key
# `missing_review_cadence` as {level: (minutes, reviewer roles)}.
Cadence = Mapping[str, tuple[int, tuple[str, ...]]]


def cadence(value: Iterable[Mapping[str, object]]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """P9: the policy value `missing_review_cadence` as {level: (minutes, reviewer roles)}."""
    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    for row in value:
        roles = row["reviewer_roles"]
        assert isinstance(roles, list)
        out[str(row["level"])] = (int(str(row["minutes"])), tuple(str(r) for r in roles))
    return out


def check_cadence(c: Cadence) -> None:
    """P9: the policy names every level exactly once (a level without a cadence would never be reviewed)."""
    if sorted(c) != sorted(MISSING_LEVELS):
        raise Invalid(f"missing_review_cadence must name each level once: {', '.join(MISSING_LEVELS)}", "value")


PLACE_STATUSES = ("searched", "ruled_out", "not_yet")
FORCED_ENTRY = ("not_needed", "forced", "not_forced")


def review_minutes(level: str, c: Cadence) -> int:
    """P9: the review cadence of a level."""
    return c[level][0]


def check_missing_reviewer(role: str, level: str, c: Cadence) -> None:
    """P9: the level under review says whose review it is (a high-risk missing person is reviewed by the duty
    inspector)."""
    roles = c[level][1]
    if role != "system" and role not in roles:
        raise Refusal(f"A {level}-risk missing person is reviewed by: {', '.join(r.replace('_', ' ') for r in roles)}",
                      safeguard="P9", next_step="Ask the reviewer for this level.", status=403)


def check_place(status: str, forced_entry: str, note: str) -> None:
    """P9: a place is searched, ruled out or not yet done; a decision to force entry, or not to, says why."""
    if status not in PLACE_STATUSES:
        raise Invalid(f"status must be one of: {', '.join(PLACE_STATUSES)}", "status")
    if forced_entry not in FORCED_ENTRY:
        raise Invalid(f"forced_entry must be one of: {', '.join(FORCED_ENTRY)}", "forced_entry")
    if forced_entry != "not_needed" and not _rationale_given(note):
        raise Refusal("P9: a decision on forcing entry records why", safeguard="P9",
                      next_step="Say why entry was or was not forced.", details={"field": "note"}, status=400)


WEATHER = ("cold", "heat", "storm", "none")
WEATHER_LABELS = {"cold": "Cold", "heat": "Heat", "storm": "Storm", "none": "No weather concern"}
VULNERABLE_FLAGS = ("vulnerable_adult", "child", "concern_for_welfare")


def check_weather(condition: str, note: str) -> None:
    if condition not in WEATHER:
        raise Invalid(f"condition must be one of: {', '.join(WEATHER)}", "condition")
    if condition != "none" and not note.strip():
        raise Invalid("Say what was recorded or forecast (for example: frost tonight, -3C)", "note")


def weather_triggers(*, level: str, weather: str, age: int | None, flags: frozenset[str]) -> list[str]:
    """P9: cold, heat or a storm recorded or forecast prompts the lead to review the level: always below high,
    and at any level for a child, someone aged 75 or over, or a log recording vulnerability (the weather then
    bears on the search itself)."""
    if weather not in ("cold", "heat", "storm"):
        return []
    vulnerable = (age is not None and (age < 18 or age >= 75)) or bool(set(VULNERABLE_FLAGS) & flags)
    what = WEATHER_LABELS[weather].lower()
    if level != "high":
        who = " and the person is vulnerable" if vulnerable else ""
        return [f"Weather: {what} recorded or forecast{who}: consider raising the level"]
    if vulnerable:
        return [f"Weather: {what} with a vulnerable person missing: review the search plan and its urgency"]
    return []


def escalation_triggers(*, level: str, age: int | None, hours_missing: float, flags: frozenset[str],
                        weather: str = "none") -> list[str]:
    """P9: what should make the lead consider raising the level (prompts, not decisions): age, time missing,
    what the log records, and the weather."""
    out = weather_triggers(level=level, weather=weather, age=age, flags=flags)
    if age is not None and age < 18 and level != "high":
        out.append(f"A child ({age}): consider raising the level")
    if age is not None and age >= 75 and level != "high":
        out.append(f"Aged {age}: consider raising the level")
    if hours_missing >= 24 and level == "low":
        out.append(f"Missing {int(hours_missing)} hours at low risk: review the level")
    for flag, what in (("vulnerable_adult", "a vulnerable adult"), ("child", "a child involved"),
                       ("concern_for_welfare", "concern for welfare")):
        if flag in flags and level == "low":
            out.append(f"The log records {what}: review the level")
    return out


# ------------------------------------------------------------------------------------------ R1 closing
@dataclass(frozen=True)
class CloseNeed:
    """R1: a flag on the log calls for an instrument's assessment before the log closes."""

    flag: str
    instrument: str


def close_needs(flags: Iterable[str], mapping: Iterable[Mapping[str, str]], loaded: set[str],
                done: set[str]) -> list[CloseNeed]:
    """R1: the instruments the log's flags call for (policy `risk_close_instruments`, only those the force
    has loaded) with no submitted assessment on the log and no recorded reason why none could be done
    (`done`: the instrument codes dealt with)."""
    have = set(flags)
    out: list[CloseNeed] = []
    for row in mapping:
        if row["flag"] in have and row["instrument"] in loaded and row["instrument"] not in done:
            need = CloseNeed(row["flag"], row["instrument"])
            if need not in out:
                out.append(need)
    return out


# ------------------------------------------------------------------------------------------ follow-ups
FOLLOWUP_KINDS = {"agency_callback": "Callback to the reporting agency", "force_referral": "Referral to another force"}


def check_followup_done(kind: str, state: str, outcome: str, acknowledged_by: str) -> None:
    """P9, R7, P11: a follow-up is done once, with its outcome; a referral to another force is done when that
    force acknowledges it, so who acknowledged it is recorded."""
    if state != "open":
        raise Refusal("This follow-up is already done and is kept as it was.", safeguard="P11"
                      if kind == "force_referral" else "P9", next_step="Open a new one if more is needed.",
                      status=409)
    if not outcome.strip():
        raise Invalid("outcome is required: what happened", "outcome")
    if kind == "force_referral" and not acknowledged_by.strip():
        raise Refusal("P11: a referral is done when the local force acknowledges it: say who acknowledged it",
                      safeguard="P11", next_step="Record the name and role of who acknowledged it at the local "
                      "force.", details={"field": "acknowledged_by"}, status=400)
