"""P2 through the real database: a case's first review is scheduled by its kind and risk (policy); a review
records the evidence of progress it saw (or that there was none) and schedules the next; an overdue review
alerts the supervisor and the officer in charge, then escalates to the supervisor's team, once each (the
sweeper); a case with no activity for the policy's days is flagged stale once per quiet spell."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.integration.cases.support import case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import Case, CaseEvent
from watchkeeper.clocks import sweeper
from watchkeeper.core import clock
from watchkeeper.core.actor import SYSTEM
from watchkeeper.core.config import set_policy
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


@pytest.mark.safeguard("P2")
def test_the_review_schedule_comes_from_policy_by_kind_and_risk(people: Personas) -> None:
    c = case_for(people)
    assert c.review_due_at is not None and round(_days(c.review_due_at - c.opened_at)) == 28
    high = actions.open_case(people.actor("officer"), kind="safeguarding", title="Child at risk", risk="high")
    assert round(_days(high.review_due_at - high.opened_at)) == 3
    schedule = {"crime": {"standard": 10, "medium": 5, "high": 2},
                "safeguarding": {"standard": 7, "medium": 4, "high": 1},
                "public_protection": {"standard": 30, "medium": 14, "high": 7}}
    set_policy(SYSTEM, "case_review_days", schedule, "Tighter reviews after an inspection")
    later = case_for(people)
    assert round(_days(later.review_due_at - later.opened_at)) == 10
    with pytest.raises(Invalid):  # a schedule missing a kind is refused: a case could not be scheduled
        set_policy(SYSTEM, "case_review_days", {"crime": schedule["crime"]}, "Only crime")
    with pytest.raises(Invalid):
        actions.open_case(people.actor("officer"), kind="crime", title="x", risk="extreme")


@pytest.mark.safeguard("P2")
def test_a_review_records_the_evidence_it_saw_not_just_reviewed(people: Personas) -> None:
    log = raise_log(people.actor("handler"), category="burglary")
    c = case_for(people, reference=log.reference)
    actions.add_party(people.actor("officer"), c.pk, person_id=person(people).pk, role="victim")
    entry = logs.add_entry(people.actor("officer"), log.reference, "Statement taken from the victim")
    with pytest.raises(Refusal) as bare:
        actions.review_case(people.actor("supervisor"), c.pk, note="Reviewed")
    assert bare.value.safeguard == "P2"
    with pytest.raises(Forbidden):
        actions.review_case(people.actor("officer"), c.pk, note="Fine", no_progress=True)
    other = case_for(people, title="Another")
    stranger = CaseEvent.objects.filter(case=other).first()
    assert stranger is not None
    with pytest.raises(Invalid):  # evidence must belong to the case
        actions.review_case(people.actor("supervisor"), c.pk, note="On track", evidence=[f"event:{stranger.pk}"])
    with pytest.raises(Invalid):
        actions.review_case(people.actor("supervisor"), c.pk, note="On track", evidence=["rumour:1"])
    options = {(o["kind"], o["id"]) for o in actions.evidence_options(c)}
    assert ("entry", entry.pk) in options
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        r = actions.review_case(people.actor("supervisor"), c.pk, note="Statement taken: on track",
                                evidence=[f"entry:{entry.pk}"], risk="medium")
        c.refresh_from_db()
        assert r.evidence[0]["text"].endswith("Statement taken from the victim")
        assert (c.risk, r.risk_before) == ("medium", "standard")
        assert round(_days(c.review_due_at - r.at)) == 14  # crime at medium risk
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        none = actions.review_case(people.actor("inspector"), c.pk, no_progress=True,
                                   note="Nothing since the statement: house-to-house by Friday")
    assert none.no_progress and none.evidence == []
    view = queries.case(c)
    assert [rv["no_progress"] for rv in view["reviews"]] == [True, False]
    assert AuditRecord.objects.filter(action="case.reviewed").count() == 2


@pytest.mark.safeguard("P2")
def test_an_overdue_review_alerts_then_escalates_once_each(people: Personas) -> None:
    c = case_for(people)
    assert c.review_due_at is not None
    handlers = dict(sweeper.handlers())
    assert handlers["case reviews overdue (P2)"] is actions.fire_case_reviews
    assert handlers["stale cases (P2)"] is actions.fire_stale_cases
    assert actions.fire_case_reviews(clock.now()) == 0
    due = c.review_due_at + timedelta(minutes=1)
    assert actions.fire_case_reviews(due) == 1
    assert actions.fire_case_reviews(due) == 0  # once
    told = Notification.objects.filter(kind="case_review_overdue", safeguard="P2")
    assert {n.recipient_id for n in told} == {people.officer.pk, people.supervisor.pk}
    assert queries.row(Case.objects.get(pk=c.pk)) is not None
    later = due + timedelta(days=3)
    assert actions.fire_case_reviews(later) == 1
    assert Notification.objects.filter(kind="case_review_escalated", team=people.response_team).count() == 1
    assert actions.fire_case_reviews(later + timedelta(days=30)) == 0
    with time_machine.travel(later, tick=False):
        assert queries.row(Case.objects.get(pk=c.pk))["review_overdue"]
        actions.review_case(people.actor("supervisor"), c.pk, note="Late, but done: suspect interviewed",
                            no_progress=True)
    c.refresh_from_db()
    assert c.review_stage == 0 and c.review_due_at > later


@pytest.mark.safeguard("P2")
def test_a_quiet_case_is_flagged_stale_once_per_quiet_spell(people: Personas) -> None:
    c = case_for(people)
    quiet = clock.now() + timedelta(days=15)
    assert actions.fire_stale_cases(clock.now()) == 0
    assert actions.fire_stale_cases(quiet) == 1
    assert actions.fire_stale_cases(quiet + timedelta(days=1)) == 0
    assert Notification.objects.filter(kind="case_stale", recipient=people.officer).count() == 1
    with time_machine.travel(quiet + timedelta(hours=1), tick=False):
        assert queries.row(Case.objects.get(pk=c.pk))["stale"]
        actions.link_log(people.actor("officer"), c.pk, reference=raise_log(people.actor("handler")).reference)
        assert not queries.row(Case.objects.get(pk=c.pk))["stale"]
    assert actions.fire_stale_cases(quiet + timedelta(days=16)) == 1  # a new quiet spell
