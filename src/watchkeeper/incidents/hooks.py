"""Extension points of incident logs.

Other capabilities (people and context, dispatch, cases) act when something happens to a log without
incidents importing them: each registers functions here from its AppConfig.ready(). Hooks run inside the
action's unit of work, so what they write commits or rolls back with the action.

- after_contact(actor, log, contact, policy): a contact was attached to a log (raise or further contact).
- after_message(actor, contact, policy): a message for an officer was recorded without a log (L8).
- after_entries(actor, log, entries, policy): narrative entries were added.
- after_classification(actor, log, policy): category or flags changed.
- after_grading(actor, log, policy, previous_grade, reason): the grade in force changed.
- after_close(actor, log, policy) / after_reopen(actor, log, policy): the log closed or reopened.
- grade_floor(log, policy) -> str | None: a grade the log may not go below (D5).
- close_blockers(log, family_ids) -> list[Blocker]: open items that must be dealt with before closing.
- log_details(log) -> dict: what else a log view shows (people on it, prompts, checks).
- merge_parties(log_ids) -> set[str]: who the callers on those logs are, as identities (L7: callers who are
  different people are different parties even when they ring from one phone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AFTER_CONTACT: list[Callable[..., None]] = []
AFTER_MESSAGE: list[Callable[..., None]] = []
AFTER_ENTRIES: list[Callable[..., None]] = []
AFTER_CLASSIFICATION: list[Callable[..., None]] = []
AFTER_GRADING: list[Callable[..., None]] = []
AFTER_CLOSE: list[Callable[..., None]] = []
AFTER_REOPEN: list[Callable[..., None]] = []
GRADE_FLOORS: list[Callable[..., str | None]] = []
CLOSE_BLOCKERS: list[Callable[..., list[Blocker]]] = []
LOG_DETAILS: list[Callable[..., dict[str, Any]]] = []
MERGE_PARTIES: list[Callable[..., set[str]]] = []


@dataclass(frozen=True)
class Blocker:
    """Something open on a log, named by the safeguard that says it must be dealt with first."""

    safeguard: str
    message: str
    next_step: str
    items: list[dict[str, Any]] = field(default_factory=list)


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
