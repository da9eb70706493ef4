"""The call-taking console's one step: a log raised and graded from New contact together, or not at all."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import console
from watchkeeper.incidents.models import Grading, Log

pytestmark = pytest.mark.django_db

LEVELS = ("threat", "harm", "risk", "vulnerability")


def _form(grade: str = "", level: str = "high", rationale: str = "", **extra: str) -> QueryDict:
    form = QueryDict(mutable=True)
    form.update({"contact.channel": "999", "contact.account": "He is kicking the door in. The children are upstairs.",
                 "contact.caller_name": "Priya Shah", "category": "domestic_incident",
                 "summary": "Ex-partner kicking the door in", "grade": grade, "rationale": rationale, **extra})
    for el in LEVELS:
        form[f"thrive.{el}.level"] = level
    return form


def test_the_summary_is_the_first_sentence_of_what_was_said() -> None:
    assert console.summary_from("He is kicking the door in. The children are upstairs.") == \
        "He is kicking the door in."
    assert console.summary_from("  no full stop\nsecond line") == "no full stop"
    long = console.summary_from("x" * 500)
    assert len(long) == console.SUMMARY_MAX and long.endswith("…")


@pytest.mark.safeguard("C4")
def test_raised_and_graded_in_one_step(people) -> None:
    log = console.raise_and_grade(people.actor("handler"), _form(grade="emergency"))
    assert log.grade == "emergency"
    assert Grading.objects.filter(log=log, grade="emergency").count() == 1


def test_without_a_grade_the_log_is_raised_ungraded(people) -> None:
    log = console.raise_and_grade(people.actor("handler"), _form(grade="", level=""))
    assert log.grade in (None, "")
    assert not Grading.objects.filter(log=log).exists()


@pytest.mark.safeguard("C4")
def test_a_refused_grading_leaves_no_log_and_no_audit_record(people) -> None:
    logs, records = Log.objects.count(), AuditRecord.objects.count()
    with pytest.raises(Refusal) as refused:  # below the policy grade without a rationale
        console.raise_and_grade(people.actor("handler"), _form(grade="scheduled"))
    assert refused.value.safeguard == "C4"
    assert (Log.objects.count(), AuditRecord.objects.count()) == (logs, records)
    with pytest.raises(Invalid):  # THRIVE incomplete: refused before anything is written
        console.raise_and_grade(people.actor("handler"), _form(grade="emergency", level=""))
    assert (Log.objects.count(), AuditRecord.objects.count()) == (logs, records)
    log = console.raise_and_grade(people.actor("handler"),
                                  _form(grade="scheduled", rationale="Caller now safe at a neighbour's"))
    assert Grading.objects.get(log=log).below_policy
