"""Promises in the narrative become tasks (L11), and accepting a risk cue always does something visible (C3):
through the real incident actions, their hooks and the API, against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tests.integration.people.support import (
    EX_HOME,
    call,
    close,
    open_prompts,
    person,
    settle_checks,
    settle_prompts,
)
from tests.support.factories import fresh
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import set_policy
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Entry, Task
from watchkeeper.people import actions
from watchkeeper.people.models import Check, Prompt
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db

# A weekday afternoon in winter (local time = UTC), so stated times are easy to read.
AFTERNOON = datetime(2026, 1, 14, 14, 0, tzinfo=clock.LONDON)


def promise_prompts(log):
    return open_prompts(log, "L11", "promise")


# ---------------------------------------------------------------------------------------------- L11
@pytest.mark.safeguard("L11")
def test_a_promise_in_an_entry_raises_a_blocking_prompt_with_its_stated_due_time(people):
    with time_machine.travel(AFTERNOON, tick=False):
        log = call(people, category="theft")
        logs.add_entry(people.actor("handler"), log.reference, "Will ring you in 10 minutes with the crime number.")
        [prompt] = promise_prompts(log)
    assert (prompt.suggestion, prompt.blocking) == ("create_task", True)
    assert "Will ring" in prompt.text and "14/01 14:10" in prompt.text
    assert prompt.details["due_stated"] is True and prompt.details["due_phrase"] == "in 10 minutes"
    assert prompt.entry_id == Entry.objects.get(log=log, seq=2).pk


@pytest.mark.safeguard("L11")
def test_accepting_the_promise_creates_a_task_owned_by_the_entrys_writer_due_as_stated(people):
    with time_machine.travel(AFTERNOON, tick=False):
        log = call(people, category="theft")
        logs.add_entry(people.actor("handler"), log.reference, "I'll make enquiries about the number and call "
                                                                 "her back tomorrow morning.")
        [prompt] = promise_prompts(log)
        last = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True)[0]
        actions.decide_prompt(people.actor("supervisor"), prompt.pk, accept=True)
    [task] = Task.objects.filter(log=log)
    assert task.owner_id == people.handler.pk  # the writer of the entry, not whoever accepted
    assert clock.local(task.due_at) == datetime(2026, 1, 15, 9, 0, tzinfo=clock.LONDON)
    assert task.state == "open" and "I'll make enquiries about the number" in task.description
    assert Prompt.objects.get(pk=prompt.pk).details["task"] == task.pk
    assert Entry.objects.filter(log=log, kind="task", text__contains="Task for").exists()
    [record] = AuditRecord.objects.filter(seq__gt=last)  # one audit record for the decision and its task
    assert (record.action, record.after["kind"]) == ("prompt.accepted", "promise")


@pytest.mark.safeguard("L11")
def test_a_promise_with_no_stated_time_is_due_after_the_policy_default(people):
    set_policy(Actor(None), "promise_due_minutes", 45, reason="Local standard")
    with time_machine.travel(AFTERNOON, tick=False):
        log = call(people, category="theft")
        logs.add_entry(people.actor("handler"), log.reference, "We will update you.")
        [prompt] = promise_prompts(log)
        assert "14:45 (no time stated" in prompt.text
        actions.decide_prompt(people.actor("handler"), prompt.pk, accept=True)
    [task] = Task.objects.filter(log=log)
    assert task.due_at == AFTERNOON + timedelta(minutes=45)
    with pytest.raises(Invalid):
        set_policy(Actor(None), "promise_due_minutes", 0, reason="Never")


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize("text", [
    "He will call back.",
    "They said they'd ring but never did.",
    "Caller asked if we will ring her back.",
    "Caller will ring back with the registration number.",
    "Advised caller to call back if the male returns.",
])
def test_what_is_not_our_promise_raises_nothing(people, text):
    log = call(people, category="theft")
    logs.add_entry(people.actor("handler"), log.reference, text)
    assert promise_prompts(log) == []


@pytest.mark.safeguard("L11")
def test_the_callers_own_account_is_never_a_promise(people):
    log = call(people, category="theft", account="Will you call me back? I will ring again later.")
    assert promise_prompts(log) == []


@pytest.mark.safeguard("L11")
def test_dismissing_a_promise_needs_a_reason_and_the_api_says_so_with_400(people):
    log = call(people, category="theft")
    logs.add_entry(people.actor("handler"), log.reference, "I will call back.")
    [prompt] = promise_prompts(log)
    _, secret = issue_token(Actor(None), people.handler.pk, "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/prompts/{prompt.pk}/decision"
    r = api.post(url, data=json.dumps({"accept": False, "reason": ""}), content_type="application/json")
    assert r.status_code == 400 and "reason" in r.content.decode()
    assert Prompt.objects.get(pk=prompt.pk).state == "open" and not Task.objects.filter(log=log).exists()
    r = api.post(url, data=json.dumps({"accept": False, "reason": "Rang her back straight away"}),
                 content_type="application/json")
    assert r.status_code == 200 and Prompt.objects.get(pk=prompt.pk).state == "dismissed"
    assert not Task.objects.filter(log=log).exists()


@pytest.mark.safeguard("L11")
def test_accepting_over_the_api_creates_the_task(people):
    log = call(people, category="theft")
    logs.add_entry(people.actor("handler"), log.reference, "Someone will be in touch within the hour.")
    [prompt] = promise_prompts(log)
    _, secret = issue_token(Actor(None), people.handler.pk, "t")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/prompts/{prompt.pk}/decision", data=json.dumps({"accept": True, "reason": ""}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    [task] = Task.objects.filter(log=log)
    assert task.owner_id == people.handler.pk
    assert abs((task.due_at - Entry.objects.get(log=log, seq=2).at) - timedelta(hours=1)) < timedelta(seconds=5)


@pytest.mark.safeguard("L11")
def test_an_open_promise_prompt_blocks_closing(people):
    log = call(people, category="theft")
    logs.add_entry(people.actor("handler"), log.reference, "I'll get an officer to pop round later.")
    others = [p for p in open_prompts(log) if p.kind != "promise"]
    for p in others:
        actions.decide_prompt(people.actor("handler"), p.pk, accept=False, reason="Considered; not applicable")
    settle_checks(people, log)
    with pytest.raises(Refusal) as exc:
        close(people, log)
    assert exc.value.safeguard == "L11" or "prompt" in exc.value.message
    settle_prompts(people, log)
    assert close(people, log).status == "closed"


@pytest.mark.safeguard("L11")
def test_the_page_offers_to_create_the_task(people):
    log = call(people, category="theft")
    logs.add_entry(people.actor("handler"), log.reference, "I will call back.")
    [prompt] = promise_prompts(log)
    page = Client()
    page.force_login(people.handler)
    r = page.post(f"/logs/{log.reference}/people/do/decide/", {"prompt_id": prompt.pk, "accept": "true"},
                  HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content[:500]
    assert Task.objects.filter(log=log, owner=people.handler).count() == 1


# ---------------------------------------------------------------------------------------------- C3 accepts
def cue(log, family):
    [found] = open_prompts(log, "C3", f"cue_{family}")
    return found


@pytest.mark.safeguard("C3", "C5", "M4")
def test_accepting_a_weapons_cue_where_a_certificate_is_held_flags_refers_and_proposes_emergency(people):
    paul = person(people, "Paul", "Denton", home=EX_HOME)
    actions.add_certificate(people.actor("investigator"), holder_id=paul.pk, address=EX_HOME, number="FAC 991",
                            expires_on=clock.local(clock.now()).date() + timedelta(days=365))
    log = call(people, category="suspicious_circumstances", location=EX_HOME,
               account="Shouting next door, she told me he said he'd shoot her.")
    weapons = cue(log, "weapons_firearms")
    assert not Check.objects.filter(log=log, kind="firearms_licensing").exists()
    actions.decide_prompt(people.actor("handler"), weapons.pk, accept=True)
    log = fresh(log)
    assert {"weapons", "firearms_access"} <= set(log.flags)
    assert log.proposed_grade == "emergency"
    kinds = set(Check.objects.filter(log=log).values_list("kind", flat=True))
    assert {"firearms_licensing", "national_systems", "local_intelligence", "previous_incidents_address"} <= kinds
    referral = Check.objects.get(log=log, kind="firearms_licensing")
    assert referral.mandatory and "FAC 991" in referral.subject


@pytest.mark.safeguard("C3", "C5")
def test_accepting_a_weapons_cue_with_no_firearms_held_flags_and_proposes_priority(people):
    log = call(people, category="public_order", account="Male outside the shop waving a machete.")
    actions.decide_prompt(people.actor("handler"), cue(log, "weapons_firearms").pk, accept=True)
    log = fresh(log)
    assert log.flags == ["weapons"] and log.proposed_grade == "priority"
    assert not Check.objects.filter(log=log, kind="firearms_licensing").exists()
    assert Check.objects.filter(log=log, kind="national_systems").exists()


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("account", "family", "flag"), [
    ("My ex-husband keeps turning up at the house.", "domestic_abuse", "domestic_abuse"),
    ("He has a knife.", "weapons_firearms", "weapons"),
    ("She has taken an overdose.", "suicide_self_harm", "concern_for_welfare"),
    ("Her son has not come home and is missing.", "missing", "missing"),
    ("My daughter is fifteen.", "children", "child"),
    ("He has dementia and is confused.", "mental_health_learning_disability", "vulnerable_adult"),
    ("A man I have never met is blackmailing me.", "exploitation_blackmail", "vulnerable_adult"),
    ("He is on bail with conditions not to contact her.", "breach_of_bail_or_order", "breach"),
])
def test_accepting_any_cue_family_adds_its_flag(people, account, family, flag):
    log = call(people, category="other", account=account)
    actions.decide_prompt(people.actor("handler"), cue(log, family).pk, accept=True)
    assert flag in fresh(log).flags


@pytest.mark.safeguard("C3")
def test_the_cue_flags_are_policy_and_checked(people):
    with pytest.raises(Invalid):
        set_policy(Actor(None), "cue_flags", {"weapons_firearms": "no_such_flag"}, reason="typo")
    with pytest.raises(Invalid):
        set_policy(Actor(None), "cue_flags", {"not_a_family": "weapons"}, reason="typo")
    set_policy(Actor(None), "cue_flags", {"weapons_firearms": "breach"}, reason="local choice")
    log = call(people, category="other", account="He has a knife.")
    actions.decide_prompt(people.actor("handler"), cue(log, "weapons_firearms").pk, accept=True)
    assert fresh(log).flags == ["breach"]
