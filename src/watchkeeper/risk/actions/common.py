"""What the risk actions share: the instrument of an assessment, the answers in force, what a log records."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import NotFound
from watchkeeper.incidents.models import Entry, Log
from watchkeeper.realtime.publish import publish
from watchkeeper.risk import rules
from watchkeeper.risk.instrument import Instrument as Definition
from watchkeeper.risk.instrument import parse
from watchkeeper.risk.models import Answer, Assessment, Instrument

# What of a log is read for the words that make a section mandatory (R2): its contacts and narrative,
# newest last, bounded so a long log costs the same as a short one.
MAX_FACT_TEXT = 200_000


@lru_cache(maxsize=64)
def _definition(pk: int, digest: str) -> Definition:
    row = Instrument.objects.get(pk=pk)
    return parse(row.definition)


def definition(instrument: Instrument) -> Definition:
    """The validated instrument of a stored version (parsed once per process: versions never change)."""
    return _definition(instrument.pk, instrument.digest)


def answers_in_force(assessment_id: int) -> dict[str, rules.AnswerData]:
    """The newest answer to each question (answers are appended; the newest is in force)."""
    out: dict[str, rules.AnswerData] = {}
    for a in Answer.objects.filter(assessment_id=assessment_id).order_by("id").only(
            "question", "value", "refused", "source"):
        out[a.question] = rules.AnswerData(a.value, a.refused, a.source)
    return out


def log_facts(log: Log | None) -> rules.LogFacts:
    """R2: what a log records that can make a screen mandatory: its flags, category and words."""
    if log is None:
        return rules.LogFacts()
    parts = [log.summary]
    parts += list(log.contacts.order_by("id").values_list("account", flat=True)[:200])
    parts += list(Entry.objects.filter(log=log).order_by("seq").values_list("text", flat=True)[:2000])
    text = "\n".join(p for p in parts if p)[:MAX_FACT_TEXT]
    return rules.LogFacts(flags=frozenset(log.flags or []), category=log.category, text=text)


def get_assessment(assessment_id: int, *, lock: bool = False) -> Assessment:
    qs = Assessment.objects.select_related("instrument", "person", "log")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=assessment_id).first()
    if found is None:
        raise NotFound(f"No risk assessment has id {assessment_id}.")
    return found


def announce(assessment: Assessment, kind: str, extra: dict[str, Any] | None = None) -> None:
    """Live events: on the log's topic (its page shows its assessments) and, for a review, the assessor's team
    (its supervisor's queue)."""
    payload = {"assessment": assessment.pk, "state": assessment.state, **(extra or {})}
    if assessment.log_id is not None:
        publish(f"log:{assessment.log_id}", kind, payload, log_id=assessment.log_id)
    team_id = assessment.started_by.team_id if assessment.started_by_id else None
    if kind == "risk_review" and team_id:
        publish(f"team:{team_id}", kind, payload)


def may_review(actor: Actor) -> bool:
    return actor.may("risk.review")
