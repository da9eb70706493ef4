"""The learning safeguards as pure functions: K2 (the recommendation tracker) and K3 ("Could it happen
here?"). Plain data in, a decision out; no Django, no clock. Numbers come from `LearningPolicy`, whose
defaults a force can change (each change an audited row, see `learning.config`).

Statuses are words the board shows beside their colour, never colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from watchkeeper.core.errors import Invalid, Refusal

# ------------------------------------------------------------------------------------------ policy
DEFAULTS: dict[str, int] = {
    # K2: the statutory period for a force's response to a recommendation, in days after the date made.
    "response_days": 56,
    # K2: how long before a response is due the board turns amber and the due alert fires.
    "response_due_soon_days": 14,
    # K2/K3: how long before an action is due its owner is alerted and the board turns amber.
    "action_due_soon_days": 7,
}
LIMITS: dict[str, tuple[int, int]] = {
    "response_days": (1, 366),
    "response_due_soon_days": (0, 120),
    "action_due_soon_days": (0, 120),
}


@dataclass(frozen=True)
class LearningPolicy:
    """The learning library's configuration in force (defaults overlaid with stored changes)."""

    response_days: int = DEFAULTS["response_days"]
    response_due_soon_days: int = DEFAULTS["response_due_soon_days"]
    action_due_soon_days: int = DEFAULTS["action_due_soon_days"]

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> LearningPolicy:
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in values.items() if k in known})

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


def check_setting(key: str, value: object) -> int:
    """A learning setting must be a whole number within its range, so a change can never break a rule."""
    if key not in DEFAULTS:
        raise Invalid(f"Unknown learning setting {key!r}; known: {', '.join(sorted(DEFAULTS))}", "key")
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"{key} must be a whole number of days", "value")
    low, high = LIMITS[key]
    if not low <= value <= high:
        raise Invalid(f"{key} must be between {low} and {high} days", "value")
    return value


# ---------------------------------------------------------------------------------------- K2 dates
def response_due(date_made: date | None, policy: LearningPolicy, stated: date | None = None) -> date | None:
    """K2: when the force must respond. A date the document states wins; otherwise the statutory default
    (56 days after the date the recommendation was made). No date made, no due date."""
    if stated is not None:
        return stated
    if date_made is None:
        return None
    return date_made + timedelta(days=policy.response_days)


def _iso_day(value: Any) -> date | None:
    """A day held as a date or an ISO string; anything else is no day."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def recommendation_dates(
    item: Mapping[str, Any], record_made: date | None, record_stated: date | None, policy: LearningPolicy
) -> tuple[date | None, date | None, bool]:
    """K2: (date made, response due, due is the default) of one recommendation as read. Its own dates win
    ("Recommended 4 Jun 2025" under the recommendation), else the record's; a due date stated nowhere is
    the date made plus the response period."""
    made = _iso_day(item.get("recommended")) or record_made
    own_due = None if item.get("response_due_is_default") else _iso_day(item.get("response_due"))
    stated = own_due or record_stated
    due = response_due(made, policy, stated=stated)
    return made, due, stated is None and due is not None


RESPONSE_STATUSES = ("open", "responded", "overdue")


def response_status(due: date | None, responded: bool, today: date) -> str:
    """K2: "responded" once the force's response is recorded; "overdue" when the due date has passed
    without one; "open" otherwise (including when no due date is known)."""
    if responded:
        return "responded"
    if due is not None and today > due:
        return "overdue"
    return "open"


# ------------------------------------------------------------------------------- K2 acceptance
ACCEPTANCE = {
    "pending": "Awaiting decision",
    "accepted": "Accepted",
    "partly": "Partly accepted",
    "not_accepted": "Not accepted",
}


def acceptance_from_parsed(status: str | None, accepted: bool | None) -> str:
    """K2: the tracker's acceptance from what the document says ("accepted", "partly accepted", "not
    accepted", "awaiting response", or nothing)."""
    words = (status or "").casefold()
    if "partly" in words or "partial" in words:
        return "partly"
    if words.startswith("not") or accepted is False:
        return "not_accepted"
    if words.startswith("accept") or accepted is True:
        return "accepted"
    return "pending"


# --------------------------------------------------------------------------- K2 implementation
IMPLEMENTATION = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "not_accepted": "Not accepted",
}


def initial_implementation(acceptance: str) -> str:
    return "not_accepted" if acceptance == "not_accepted" else "not_started"


def implementation_after_acceptance(acceptance: str, current: str) -> str:
    """K2: deciding not to accept closes implementation as "not accepted"; accepting (again) reopens a
    recommendation that was marked not accepted."""
    if acceptance == "not_accepted":
        return "not_accepted"
    if current == "not_accepted":
        return "not_started"
    return current


def implementation_after_action(current: str) -> str:
    """K2: planning or completing an action means implementation has started."""
    return "in_progress" if current == "not_started" else current


def check_implementation(new: str, *, acceptance: str, open_actions: int, evidence: int) -> None:
    """K2: a recommendation is "implemented" only when no action is still open and evidence shows it;
    "not accepted" only when the force did not accept it."""
    if new not in IMPLEMENTATION:
        raise Invalid(f"implementation must be one of: {', '.join(IMPLEMENTATION)}", "implementation")
    if new == "not_accepted" and acceptance != "not_accepted":
        raise Refusal(
            "Only a recommendation the force did not accept can be marked not accepted.",
            safeguard="K2",
            next_step="Record the decision not to accept it with the response.",
            status=409,
        )
    if new != "not_accepted" and acceptance == "not_accepted":
        raise Refusal(
            "This recommendation was not accepted; record a new decision before tracking it.",
            safeguard="K2",
            next_step="Record the response again with the new decision.",
            status=409,
        )
    if new == "implemented" and open_actions:
        raise Refusal(
            f"{open_actions} action(s) are still open.",
            safeguard="K2",
            next_step="Complete the open actions first, or record why they are no longer needed.",
            status=409,
        )
    if new == "implemented" and not evidence:
        raise Refusal(
            "Implementation needs evidence.",
            safeguard="K2",
            next_step="Add the evidence that shows the change is in place (a policy, a briefing, an "
            "audit), then mark it implemented.",
            status=409,
        )


# ---------------------------------------------------------------------------------- K2 actions
def action_status(due: date, done: bool, today: date) -> str:
    """An action is "done", "overdue" once its due date has passed, or "open"."""
    if done:
        return "done"
    return "overdue" if today > due else "open"


# ---------------------------------------------------------------------------------------- K2 RAG
@dataclass(frozen=True)
class ActionFacts:
    due: date
    done: bool


@dataclass(frozen=True)
class RecommendationFacts:
    acceptance: str
    implementation: str
    response_due: date | None
    responded: bool
    actions: tuple[ActionFacts, ...] = ()


@dataclass(frozen=True)
class Rag:
    """A board colour with the words that say why (colour never carries meaning alone)."""

    colour: str  # red | amber | green
    label: str  # Red | Amber | Green
    reason: str


def rag(facts: RecommendationFacts, today: date, policy: LearningPolicy) -> Rag:
    """K2: the learning board's red/amber/green.

    Red: the response is overdue, or an action is overdue. Green: implemented, or not accepted with the
    response recorded, or responded with every action on time and none due soon. Amber: everything that
    needs attention soon: a response due within the warning window, no response yet, an accepted
    recommendation with no action planned, or an action due soon.
    """
    status = response_status(facts.response_due, facts.responded, today)
    if status == "overdue":
        return Rag("red", "Red", f"Response overdue since {facts.response_due:%d %b %Y}")
    late = [a for a in facts.actions if action_status(a.due, a.done, today) == "overdue"]
    if late:
        return Rag("red", "Red", f"{len(late)} action(s) overdue")
    if facts.implementation == "implemented":
        return Rag("green", "Green", "Implemented")
    if facts.implementation == "not_accepted" and facts.responded:
        return Rag("green", "Green", "Not accepted; response recorded")
    if not facts.responded:
        if facts.response_due is None:
            return Rag("amber", "Amber", "Awaiting response (no due date known)")
        days = (facts.response_due - today).days
        if days <= policy.response_due_soon_days:
            return Rag("amber", "Amber", f"Response due in {days} day(s)")
        return Rag("amber", "Amber", f"Awaiting response, due {facts.response_due:%d %b %Y}")
    open_actions = [a for a in facts.actions if not a.done]
    if not facts.actions:
        if facts.acceptance in ("accepted", "partly"):
            return Rag("amber", "Amber", "Accepted but no action planned")
        return Rag("amber", "Amber", "Responded; acceptance and actions not recorded")
    soon = [a for a in open_actions if (a.due - today).days <= policy.action_due_soon_days]
    if soon:
        return Rag("amber", "Amber", f"{len(soon)} action(s) due soon")
    if open_actions:
        return Rag("green", "Green", "On track")
    return Rag("amber", "Amber", "Actions complete; mark implemented with evidence")


# ------------------------------------------------------------------------------------ K2 alerts
ALERT_DUE_SOON, ALERT_OVERDUE, ALERT_DONE = 0, 1, 2


def alert_dates(due: date, soon_days: int) -> tuple[date, date]:
    """K2: the day the "due soon" alert fires and the day the "overdue" alert fires (the day after due)."""
    return due - timedelta(days=soon_days), due + timedelta(days=1)


def first_alert(due: date | None, today: date, soon_days: int) -> tuple[int, date | None]:
    """K2: the first alert a new deadline needs, as (stage, day). A deadline already past skips straight
    to its overdue alert; a deadline with no date has none."""
    if due is None:
        return ALERT_DONE, None
    soon, overdue = alert_dates(due, soon_days)
    if today >= overdue:
        return ALERT_OVERDUE, overdue
    return ALERT_DUE_SOON, soon


def alert_to_fire(stage: int, due: date, today: date, soon_days: int) -> int:
    """K2: which alert a claimed deadline sends now: a "due soon" alert claimed only after the deadline
    has passed (the server was down, or the alert was set late) is sent as the overdue alert instead."""
    if stage == ALERT_DUE_SOON and today >= alert_dates(due, soon_days)[1]:
        return ALERT_OVERDUE
    return stage


def next_alert(stage: int, due: date, soon_days: int) -> date | None:
    """K2: after firing `stage`, the day of the next alert (None when none remains)."""
    if stage == ALERT_DUE_SOON:
        return alert_dates(due, soon_days)[1]
    return None


# -------------------------------------------------------------------------------------------- K3
@dataclass(frozen=True)
class AnswerIn:
    answer: str
    evidence: str = ""
    action: str = ""
    owner_id: int | None = None
    due: date | None = None


def check_answer(a: AnswerIn) -> None:
    """K3: "Could it happen here?" is answered in words; an action the force will take has an owner and a
    due date, or it is not an action."""
    if not a.answer.strip():
        raise Invalid("answer is required: say how your force would meet this question", "answer")
    if a.action.strip() and (a.owner_id is None or a.due is None):
        raise Refusal(
            "An action needs an owner and a due date.",
            safeguard="K3",
            next_step="Name who will do it and by when, or leave the action empty.",
            status=400,
            details={"field": "owner_id" if a.owner_id is None else "due_date"},
        )
    if not a.action.strip() and (a.owner_id is not None or a.due is not None):
        raise Invalid("owner and due date belong to an action: describe the action too", "action")


def question_status(answered: bool, action: str, action_done: bool = False) -> str:
    """K3: "not answered", "answered", or "action planned" when the answer commits to an action."""
    if not answered:
        return "not answered"
    return "action planned" if action.strip() and not action_done else "answered"


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def label(self) -> str:
        return f"{self.answered} of {self.total} answered"


def progress(answered_flags: Iterable[bool]) -> Progress:
    """K3: how many key questions have an answer."""
    flags = list(answered_flags)
    return Progress(sum(1 for f in flags if f), len(flags))


# ---------------------------------------------------------------------------------- K4 and K5 data
def lesson_code(kind: str, *, issue: int | None, number: int | None, force: str = "") -> str:
    """K4: the code a lesson is known by ("B31.2" bulletin 31 case 2, "I41.2" issue 41 case 2,
    "REC-ESSEX" a force's recommendation record); "" when the document does not say enough."""
    if kind == "bulletin" and issue is not None and number is not None:
        return f"B{issue}.{number}"
    if kind == "case_report" and issue is not None and number is not None:
        return f"I{issue}.{number}"
    if kind == "recommendation_record" and force.strip():
        word = re.sub(r"[^A-Za-z0-9]", "", force.split()[0]).upper()
        return f"REC-{word}" if word else ""
    return ""


def theme_key(label: str) -> str:
    """K5: themes compare without case or spacing differences ("Neighbourhood Policing" is
    "neighbourhood policing")."""
    return " ".join(label.split()).casefold()


def distinct_themes(labels: Sequence[str]) -> list[str]:
    """K5: each theme once, in first-seen order, trimmed; empty labels dropped."""
    seen: set[str] = set()
    out: list[str] = []
    for label in labels:
        clean = " ".join(label.split())
        if clean and theme_key(clean) not in seen:
            seen.add(theme_key(clean))
            out.append(clean[:120])
    return out


@dataclass(frozen=True)
class ThemeYear:
    theme: str
    year: int
    cases: int


def recurring(rows: Iterable[ThemeYear], min_years: int = 2) -> list[str]:
    """K5: themes that recur: seen in at least `min_years` different years, most years first."""
    years: dict[str, set[int]] = {}
    totals: dict[str, int] = {}
    for r in rows:
        years.setdefault(r.theme, set()).add(r.year)
        totals[r.theme] = totals.get(r.theme, 0) + r.cases
    ranked = sorted(years, key=lambda t: (-len(years[t]), -totals[t], t))
    return [t for t in ranked if len(years[t]) >= min_years]


def csv_cell(value: object) -> str:
    """CSV export: a cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
