"""K3 "Could it happen here?": answers to key questions with evidence, actions, owners and due dates,
kept with their history, and progress per document and per theme."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.learning.conftest import BULLETIN_31, ISSUE_41
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.learning import actions, queries
from watchkeeper.learning.models import Answer, Case, KeyQuestion

pytestmark = pytest.mark.django_db


def first_question(code: str) -> KeyQuestion:
    return KeyQuestion.objects.filter(case__code=code).order_by("audience", "position").first()  # type: ignore[return-value]


@pytest.mark.safeguard("K3")
def test_an_answer_with_evidence_action_owner_and_due_date(library, lead, people) -> None:
    q = first_question("B31.2")
    before = AuditRecord.objects.count()
    a = actions.answer_question(
        lead,
        q.pk,
        answer="Yes: two people can close the same log.",
        evidence="Audit of 50 closed logs, March",
        action="Add an unseen-entries check",
        owner_id=people.controller.pk,
        due_date=date(2030, 1, 31),
    )
    assert (a.owner_id, a.due_date, a.recorded_by_id) == (
        people.controller.pk,
        date(2030, 1, 31),
        people.learning.pk,
    )
    records = list(AuditRecord.objects.order_by("seq")[before:])
    assert [r.action for r in records] == ["learning.question_answered"]
    assert records[0].after["case"] == "B31.2" and records[0].after["owner"] == "controller"
    view = next(v for v in queries.questions_of(Case.objects.get(code="B31.2")) if v.question.pk == q.pk)
    assert (view.status, view.current.pk, view.history) == ("action planned", a.pk, 0)  # type: ignore[union-attr]


@pytest.mark.safeguard("K3")
def test_answering_again_keeps_the_earlier_answer(library, lead) -> None:
    q = first_question("B31.1")
    first = actions.answer_question(lead, q.pk, answer="Not sure yet")
    second = actions.answer_question(lead, q.pk, answer="No: conditional requests are structured items")
    assert list(Answer.objects.filter(question=q).order_by("id").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    view = next(v for v in queries.questions_of(q.case) if v.question.pk == q.pk)
    assert (view.current.answer, view.history, view.status) == (  # type: ignore[union-attr]
        "No: conditional requests are structured items",
        1,
        "answered",
    )
    assert AuditRecord.objects.latest("seq").before == {"answer": first.pk}


@pytest.mark.safeguard("K3")
def test_an_action_without_owner_or_date_is_refused_and_nothing_is_written(library, lead, people) -> None:
    q = first_question("B31.2")
    with pytest.raises(Refusal, match="owner and a due date") as refused:
        actions.answer_question(lead, q.pk, answer="Yes", action="Brief staff", owner_id=people.supervisor.pk)
    assert refused.value.safeguard == "K3"
    with pytest.raises(Invalid):
        actions.answer_question(lead, q.pk, answer="")
    with pytest.raises(Invalid):
        actions.answer_question(
            lead, q.pk, answer="Yes", action="Brief", owner_id=99_999_999, due_date=date(2030, 1, 1)
        )
    with pytest.raises(NotFound):
        actions.answer_question(lead, 99_999_999, answer="Yes")
    assert Answer.objects.count() == 0


@pytest.mark.safeguard("K3")
def test_only_learning_leads_and_administrators_answer_for_the_force(library, people) -> None:
    q = first_question("B31.2")
    with pytest.raises(Forbidden):
        actions.answer_question(people.actor("handler"), q.pk, answer="Yes")
    assert actions.answer_question(people.actor("admin"), q.pk, answer="Yes").pk


@pytest.mark.safeguard("K3")
def test_progress_per_document_and_per_theme(library, lead) -> None:
    for q in KeyQuestion.objects.filter(case__code__in=["B31.1", "B31.2"]):
        actions.answer_question(lead, q.pk, answer="Answered at the learning board")
    i41 = KeyQuestion.objects.filter(case__code="I41.2").order_by("audience", "position")
    actions.answer_question(
        lead,
        i41[0].pk,
        answer="Yes",
        action="Review special schemes",
        owner_id=lead.user.pk,
        due_date=date(2030, 3, 1),
    )  # type: ignore[union-attr]
    docs = {r.label: r for r in queries.progress_by_document()}
    b31 = docs["Bulletin 31: General"]
    assert (b31.progress.answered, b31.progress.total, b31.progress.percent, b31.actions) == (10, 33, 30, 0)
    i41_row = docs["Issue 41: Failure to identify risks to protect a victim of domestic abuse"]
    assert (i41_row.progress.answered, i41_row.progress.total, i41_row.actions) == (1, 6, 1)
    assert docs["Bulletin 28: Protecting vulnerable people"].progress.answered == 0
    themes = {r.label: r for r in queries.progress_by_theme()}
    # Call handling: B28.3-5 (5 + 6 + 4), B31.1-2 (4 + 6), I41.2 (6) = 31 questions; 10 + 1 answered
    assert (themes["Call handling"].progress.answered, themes["Call handling"].progress.total) == (11, 31)
    assert themes["Professional standards"].progress.answered == 0
    assert queries.document_progress(library[BULLETIN_31]).label == "10 of 33 answered"
    assert queries.document_progress(library[ISSUE_41]).label == "1 of 6 answered"


@pytest.mark.safeguard("K3")
def test_answers_are_never_edited_in_the_database(library, lead) -> None:
    from django.db import DatabaseError, connection, transaction

    a = actions.answer_question(lead, first_question("B31.3").pk, answer="Yes")
    with pytest.raises(DatabaseError, match="K3"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE learning_answer SET answer = 'changed' WHERE id = %s", [a.pk])
    assert Answer.objects.get(pk=a.pk).answer == "Yes"
