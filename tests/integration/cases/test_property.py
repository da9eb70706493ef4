"""P1 as a property: whatever sequence of staff moves, handovers and acknowledgements is tried (each either done
or refused), no open case is ever left without an officer in charge who can hold it, a supervisor who can
supervise it, and an officer still in the team the case sits with."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.integration.cases.support import SUMMARY
from tests.support.personas import Personas
from watchkeeper.cases import actions
from watchkeeper.cases.models import Case, Handover
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Refusal
from watchkeeper.core.roles import allowed
from watchkeeper.staff.actions import move_staff
from watchkeeper.staff.models import User

pytestmark = pytest.mark.django_db

STAFF = ("officer", "investigator", "supervisor", "inspector", "handler")
ROLES = ("response_officer", "investigator", "supervisor", "duty_inspector", "call_handler")
TEAMS = ("Response 1", "Control A", "Investigation")

move = st.tuples(st.just("move"), st.sampled_from(STAFF), st.sampled_from(TEAMS), st.sampled_from(ROLES))
handover = st.tuples(st.just("handover"), st.integers(0, 2), st.sampled_from(STAFF),
                     st.sampled_from(("officer", "supervisor")))
ack = st.tuples(st.just("ack"), st.integers(0, 5), st.just(""), st.just(""))
close = st.tuples(st.just("close"), st.integers(0, 2), st.just(""), st.just(""))
steps = st.lists(st.one_of(move, handover, ack, close), min_size=1, max_size=12)


def _invariant() -> None:
    for c in Case.objects.filter(state="open").select_related("officer", "supervisor"):
        queued = c.queued and c.officer_id == c.supervisor_id
        assert c.officer.is_active and (allowed(c.officer.role, "case.hold")
                                        or (queued and allowed(c.officer.role, "case.supervise"))), c.reference
        assert allowed(c.supervisor.role, "case.supervise"), c.reference
        assert c.officer.team_id == c.team_id, c.reference


def _chief() -> Actor:
    """A duty inspector no move touches, who may work any case (case.supervise)."""
    return Actor(user=User.objects.get(username="chief"))


def _apply(p: Personas, step: tuple[Any, ...], cases: list[int]) -> None:
    kind, a, b, c = step
    admin = p.actor("admin")
    if kind == "move":
        user = User.objects.get(username=a)
        move_staff(admin, user.pk, team=b, role=c, reason="Posting")
    elif kind == "handover":
        to = User.objects.get(username=b)
        actions.hand_over(_chief(), cases[a], to_user_id=to.pk, reason="Moving", summary=SUMMARY, kind=c)
    elif kind == "ack":
        h = Handover.objects.order_by("pk")[a:a + 1].first()
        if h is not None:
            actions.acknowledge(Actor(user=h.to_user), h.case_id, h.pk)
    else:
        actions.close_case(_chief(), cases[a], note="Finished")


@pytest.mark.safeguard("P1")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_no_sequence_of_moves_and_handovers_leaves_a_case_without_an_officer_in_charge(
        people: Personas, sequence: list[tuple[Any, ...]]) -> None:
    sid = transaction.savepoint()
    try:
        User.objects.create(username="chief", role="duty_inspector", first_name="Chief")
        cases = [actions.open_case(people.actor("supervisor"), kind="crime", title=f"Case {n}",
                                   officer_id=getattr(people, who).pk).pk
                 for n, who in enumerate(("officer", "investigator", "officer"))]
        _invariant()
        done = 0
        for step in sequence:
            try:
                _apply(people, step, cases)
                done += 1
            except Refusal:
                pass  # refused: nothing changed, and the invariant still holds
            _invariant()
        event(f"steps done: {min(done, 3)}+")
    finally:
        transaction.savepoint_rollback(sid)
