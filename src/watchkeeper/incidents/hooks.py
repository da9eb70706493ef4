"""Extension points of incident logs.

Other capabilities (people and context, dispatch, cases) act when something happens to a log without
incidents importing them: each registers functions here from its AppConfig.ready(). Hooks run inside the
action's unit of work, so what they write commits or rolls back with the action.

- after_contact(actor, log, contact, policy): a contact was attached to a log (raise or further contact).
- after_message(actor, contact, policy): a message for an officer was recorded without a log (L8).
- after_entries(actor, log, entries, policy): narrative entries were added.
- after_classification(actor, log, policy): category or flags changed.
- after_parties(actor, log, policy): the people, addresses or phones on a log changed.
- after_grading(actor, log, policy, previous_grade, reason): the grade in force changed.
- after_close(actor, log, policy) / after_reopen(actor, log, policy): the log closed or reopened.
- grade_floor(log, policy) -> str | None: a grade the log may not go below (D5).
- close_blockers(log, family_ids) -> list[Blocker]: open items that must be dealt with before closing.
- dismissed_concerns(log, family_ids, policy) -> list[dict]: safeguarding prompts dismissed on the log, which
  make closing it need a positive outcome or a supervisor's rationale (L10).
- log_details(log) -> dict: what else a log view shows (people on it, prompts, checks).
- merge_parties(log_ids) -> set[str]: who the callers on those logs are, as identities (L7: callers who are
  different people are different parties even when they ring from one phone).
- raise_parties(actor, log, contact, parties, policy): a log was raised; `parties` are the people the
  handler chose from the context panel ({"person_id", "role"}); the people the context proposes and nobody
  chose stay on the log as prompts (C1).
- open_matches(phone, location, caller_name, person_ids, policy) -> list[dict]: open logs from the last
  hours with this phone, place or named person (L8: a second call about the same thing is seen).
- risk_summary(log_ids) -> {log id: summary}: each log's officer-safety summary (badges, none_recorded), read
  together for many logs (L12, C1, M1, M3, M4).
- risk_changed(log_ids): what is held on people, addresses or phones that feed these open logs' officer-safety
  summaries changed (a marker added or ended, an order, a certificate, a special scheme, a relationship, a
  residence or a phone's user), without the logs themselves changing: whatever shows their summary (the
  board rows) shows it again at once (L12).

The log page's panels: `add_panel(Panel(slot, template, order))` puts a template on the log page without
the page naming it. Slot "main" is the log's own column (after its header), "side" the context column;
each template is rendered with the log page's context (`log`, `policy`, `request`, `user`, `d`, ...) and
builds its own URLs with `{% url %}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AFTER_CONTACT: list[Callable[..., None]] = []
AFTER_MESSAGE: list[Callable[..., None]] = []
AFTER_ENTRIES: list[Callable[..., None]] = []
AFTER_CLASSIFICATION: list[Callable[..., None]] = []
AFTER_PARTIES: list[Callable[..., None]] = []
AFTER_GRADING: list[Callable[..., None]] = []
AFTER_CLOSE: list[Callable[..., None]] = []
AFTER_REOPEN: list[Callable[..., None]] = []
GRADE_FLOORS: list[Callable[..., str | None]] = []
CLOSE_BLOCKERS: list[Callable[..., list[Blocker]]] = []
DISMISSED_CONCERNS: list[Callable[..., list[dict[str, Any]]]] = []
LOG_DETAILS: list[Callable[..., dict[str, Any]]] = []
MERGE_PARTIES: list[Callable[..., set[str]]] = []
RAISE_PARTIES: list[Callable[..., None]] = []
OPEN_MATCHES: list[Callable[..., list[dict[str, Any]]]] = []
RISK_SUMMARY: list[Callable[..., dict[int, dict[str, Any]]]] = []
RISK_CHANGED: list[Callable[[list[int]], None]] = []


@dataclass(frozen=True)
class Blocker:
    """Something open on a log, named by the safeguard that says it must be dealt with first."""

    safeguard: str
    message: str
    next_step: str
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Panel:
    """A part of the log page another capability renders (its prompts, its parties, its live lookup)."""

    slot: str  # "main" (the log's own column, after its header) or "side" (the context column)
    template: str  # rendered with the log page's context (it has `log`, `policy`, `request`, ...)
    order: int = 100  # lower first


PANEL_SLOTS = ("main", "side")
LOG_PANELS: list[Panel] = []


def add_panel(panel: Panel) -> None:
    """Register a panel for the log page (from an app's hooks register() / AppConfig.ready()). Registering
    the same panel twice (a second ready() in tests) keeps one."""
    if panel.slot not in PANEL_SLOTS:
        raise ValueError(f"Unknown log panel slot {panel.slot!r}; expected one of {PANEL_SLOTS}")
    if panel not in LOG_PANELS:
        LOG_PANELS.append(panel)


def panels() -> dict[str, list[Panel]]:
    """The registered panels by slot, each slot's panels in order (lower first, then registration order)."""
    grouped: dict[str, list[Panel]] = {slot: [] for slot in PANEL_SLOTS}
    for panel in sorted(LOG_PANELS, key=lambda p: p.order):
        grouped[panel.slot].append(panel)
    return grouped


def run(hooks: list[Callable[..., Any]], *args: Any) -> None:
    for hook in hooks:
        hook(*args)


def floors(log: Any, policy: Any) -> list[str]:
    return [f for hook in GRADE_FLOORS if (f := hook(log, policy)) is not None]


def blockers(log: Any, family: list[int]) -> list[Blocker]:
    found: list[Blocker] = []
    for hook in CLOSE_BLOCKERS:
        found.extend(hook(log, family))
    return found


def dismissed_concerns(log: Any, family: list[int], policy: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for hook in DISMISSED_CONCERNS:
        found.extend(hook(log, family, policy))
    return found


def details(log: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for hook in LOG_DETAILS:
        found.update(hook(log))
    return found


def merge_parties(log_ids: list[int]) -> set[str]:
    found: set[str] = set()
    for hook in MERGE_PARTIES:
        found |= hook(log_ids)
    return found


def risk_summaries(log_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each log's officer-safety summary; with nothing registered, nothing is known, so none is recorded."""
    found: dict[int, dict[str, Any]] = {pk: {"badges": [], "none_recorded": True, "checked": {}} for pk in log_ids}
    for hook in RISK_SUMMARY:
        found.update(hook(log_ids))
    return found


def risk_summary(log: Any) -> dict[str, Any]:
    return risk_summaries([log.pk])[log.pk]


def open_matches(phone: str, location: str, caller_name: str, person_ids: list[int],
                 policy: Any) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for hook in OPEN_MATCHES:
        for m in hook(phone, location, caller_name, person_ids, policy):
            found.setdefault(m["reference"], m)
    return list(found.values())
