"""The call-taking console: one screen from the first word of a call to a graded log.

A call raised and graded from New contact is one change to the force's record: the log and its first
grading are written together or not at all. Each step is still its own action (its permission, rules and
audit record); they run inside one outer unit of work, so a grading refused (say C4: below the policy
grade without a rationale, or D5: below a special scheme's floor) leaves no ungraded log behind."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents.models import Log
from watchkeeper.incidents.operations import OPERATIONS, RAISE
from watchkeeper.incidents.schemas import GradeIn
from watchkeeper.web.forms import parse_form

SUMMARY_MAX = 200


def summary_from(account: str) -> str:
    """A header summary for a call whose handler left it blank: the first sentence (or line) of what the
    caller said, shortened to fit."""
    first = re.split(r"(?<=[.!?])\s|\n", account.strip(), maxsplit=1)[0].strip()
    if len(first) > SUMMARY_MAX:
        first = first[: SUMMARY_MAX - 1].rstrip() + "…"
    return first


def wants_grading(form: Mapping[str, Any]) -> bool:
    """The handler chose a grade on the call-taking screen (left blank, the log is raised ungraded)."""
    return bool(str(form.get("grade", "") or "").strip())


def raise_and_grade(actor: Actor, form: Mapping[str, Any]) -> Log:
    """Raise the log the form describes and, when a grade was chosen, grade it with the THRIVE given —
    both or neither. The grading's input is validated before anything is written."""
    if not wants_grading(form):
        log: Log = RAISE.from_form(actor, form)
        return log
    body = parse_form(GradeIn, form, expected_version=0)
    with unit_of_work():
        log = RAISE.from_form(actor, form)
        graded = body.model_copy(update={"expected_version": log.version})
        OPERATIONS["grade"].run(actor, graded, reference=log.reference)
    log.refresh_from_db()
    return log
