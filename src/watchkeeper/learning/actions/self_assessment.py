"""K3: the force's answer to a key question ("Could it happen here?")."""

from __future__ import annotations

from datetime import date

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import NotFound
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules
from watchkeeper.learning.actions.common import (
    MAX_TEXT,
    _day,
    _id,
    _staff,
)
from watchkeeper.learning.models import (
    Answer,
    KeyQuestion,
)


def answer_question(
    actor: Actor,
    question_id: int,
    *,
    answer: str,
    evidence: str = "",
    action: str = "",
    owner_id: int | None = None,
    due_date: date | None = None,
) -> Answer:
    """K3 "Could it happen here?": the force's answer to a key question, with its evidence and the action
    it will take (owner and due date). Answering again keeps the earlier answer on record."""
    actor.require("learning.manage")
    answer = v.text(answer, "answer", max_length=MAX_TEXT, required=False)
    evidence = v.text(evidence, "evidence", max_length=MAX_TEXT, required=False)
    action = v.text(action, "action", max_length=4000, required=False)
    due = _day(due_date, "due_date", required=False)
    rules.check_answer(rules.AnswerIn(answer, evidence, action, owner_id, due))
    owner = _staff(owner_id, "owner_id") if owner_id is not None else None
    with unit_of_work():
        question = (
            KeyQuestion.objects.select_for_update()
            .filter(pk=_id(question_id, "key question"))
            .select_related("case")
            .first()
        )
        if question is None:
            raise NotFound(f"No key question {question_id}.")
        previous = question.answers.order_by("-id").first()
        row = Answer.objects.create(
            question=question,
            answer=answer,
            evidence=evidence,
            action=action,
            owner=owner,
            due_date=due,
            recorded_at=clock.now(),
            recorded_by=actor.user,
        )
        audit.record(
            actor,
            "learning.question_answered",
            "learning_question",
            question.pk,
            before={"answer": previous.pk} if previous else None,
            after={
                "case": question.case.code or question.case_id,
                "answer": answer,
                "evidence": evidence,
                "action": action,
                "owner": owner.username if owner else None,
                "due_date": due,
            },
        )
    return row

