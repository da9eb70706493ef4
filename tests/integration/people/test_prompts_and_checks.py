"""Prompts raised where the handler decides (C2, C3, C6, C7, C8, C9, M3) and checks that are tasks (C5, M4),
through the real incident actions and their hooks, against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from tests.integration.people.support import (
    EX_HOME,
    MS_A_HOME,
    MS_A_PHONE,
    call,
    close,
    open_prompts,
    person,
    review_day,
    settle_checks,
    settle_prompts,
)
from tests.support.factories import fresh, thrive
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Entry, Notification
from watchkeeper.people import actions
from watchkeeper.people.models import Check, LogParty, Prompt, Residence

pytestmark = pytest.mark.django_db


def kinds(log) -> list[str]:
    return sorted(Check.objects.filter(log=log).values_list("kind", flat=True))


def last_audit() -> AuditRecord:
    return AuditRecord.objects.latest("seq")


# ---------------------------------------------------------------------------------------------- C2
@pytest.mark.safeguard("C2")
def test_a_call_without_the_callers_age_or_a_reason_raises_a_prompt_that_does_not_block(people):
    log = call(people, age=None)
    [prompt] = open_prompts(log, "C2")
    assert (prompt.kind, prompt.blocking) == ("caller_age", False)
    settle_prompts(people, log)
    assert Prompt.objects.get(pk=prompt.pk).state == "dismissed"
    quiet = [call(people, age=None, caller_age_reason="Caller hung up"), call(people, age=40),
             call(people, age=None, caller_dob=date(1980, 1, 1)), call(people, age=None, channel="alarm")]
    assert [open_prompts(x, "C2") for x in quiet] == [[], [], [], []]


@pytest.mark.safeguard("C2")
def test_a_child_caller_raises_the_child_safeguarding_prompt_and_accepting_it_flags_the_log(people):
    log = call(people, age=15)
    [prompt] = open_prompts(log, "C2", "child")
    assert prompt.blocking and prompt.suggestion == "add_flag"
    actions.decide_prompt(people.actor("handler"), prompt.pk, accept=True)
    log = fresh(log)
    assert "child" in log.flags
    assert kinds(log) == ["local_intelligence", "national_systems"]  # C5: what a child flag requires
    assert log.proposed_grade == "priority"  # C4/C6: the grade is re-proposed


@pytest.mark.safeguard("C2")
def test_a_child_put_on_a_log_raises_the_prompt(people):
    log = call(people)
    today = clock.local(clock.now()).date()
    kid = person(people, "Sam", "Young", today.replace(year=today.year - 12))
    actions.link_party(people.actor("handler"), log.reference, role="subject", person_id=kid.pk)
    [prompt] = open_prompts(log, "C2", "child")
    assert "Sam Young is under 18" in prompt.text


# ---------------------------------------------------------------------------------------------- C3
@pytest.mark.safeguard("C3")
def test_a_domestic_abuse_cue_in_the_account_raises_a_reclassify_prompt(people):
    log = call(people, category="suspicious_circumstances", phone=MS_A_PHONE,
               account="Me and my ex-husband went through a domestic violence case last year. He is at the door.")
    [cue] = open_prompts(log, "C3")
    assert (cue.kind, cue.suggestion, cue.suggested_category, cue.blocking) == (
        "cue_domestic_abuse", "reclassify", "domestic_incident", True)
    assert "ex-husband" in cue.text and cue.entry_id == Entry.objects.get(log=log, seq=1).pk


@pytest.mark.safeguard("C3", "C5", "C6")
def test_accepting_the_cue_reclassifies_creates_the_checks_and_reproposes_the_grade(people):
    log = call(people, category="suspicious_circumstances", phone=MS_A_PHONE, location=MS_A_HOME,
               account="My ex-husband threatened to kill me.")
    assert fresh(log).proposed_grade is None
    [cue] = open_prompts(log, "C3")
    last = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True)[0]
    actions.decide_prompt(people.actor("handler"), cue.pk, accept=True)
    log = fresh(log)
    assert (log.category, log.flags, log.proposed_grade) == ("domestic_incident", ["domestic_abuse"], "priority")
    assert kinds(log) == ["local_intelligence", "national_systems", "orders", "previous_incidents_address",
                          "previous_incidents_phone"]
    phone_check = Check.objects.get(log=log, kind="previous_incidents_phone")
    assert (phone_check.subject, phone_check.phone.e164) == ("+447700900411", "+447700900411")
    [record] = AuditRecord.objects.filter(seq__gt=last)
    assert (record.action, record.after["applied"]["category"]) == ("prompt.accepted", "domestic_incident")
    assert Entry.objects.filter(log=log, text__startswith="C3 prompt accepted").exists()


@pytest.mark.safeguard("C3")
def test_a_cue_is_dismissed_only_with_a_reason_and_both_are_recorded(people):
    log = call(people, category="suspicious_circumstances", account="He has a shotgun in the house.")
    [cue] = open_prompts(log, "C3")
    assert cue.kind == "cue_weapons_firearms" and cue.suggestion == "raise_grade"
    with pytest.raises(Invalid) as exc:
        actions.decide_prompt(people.actor("handler"), cue.pk, accept=False, reason=" ")
    assert exc.value.details == {"field": "reason"}
    actions.decide_prompt(people.actor("handler"), cue.pk, accept=False, reason="Shotgun is a film prop")
    cue = Prompt.objects.get(pk=cue.pk)
    assert (cue.state, cue.reason, cue.decided_by_id) == ("dismissed", "Shotgun is a film prop", people.handler.pk)
    assert last_audit().reason == "Shotgun is a film prop"
    with pytest.raises(Refusal) as again:
        actions.decide_prompt(people.actor("handler"), cue.pk, accept=True)
    assert again.value.status == 409
    with pytest.raises(NotFound):
        actions.decide_prompt(people.actor("handler"), 999_999, accept=True)
    with pytest.raises(Forbidden):
        actions.decide_prompt(people.actor("qa"), cue.pk, accept=True)


@pytest.mark.safeguard("C3")
def test_every_new_entry_is_scanned_and_negated_cues_raise_nothing(people):
    log = call(people, account="Neighbour dispute about a fence. No weapons mentioned.")
    assert open_prompts(log, "C3") == []
    entry = logs.add_entry(people.actor("handler2"), log.reference, "Caller now says a 14 year old girl is with him.")
    [cue] = open_prompts(log, "C3")
    assert (cue.kind, cue.entry_id, cue.suggestion) == ("cue_children", entry.pk, "run_checks")
    actions.decide_prompt(people.actor("handler"), cue.pk, accept=True)
    log = fresh(log)
    assert log.category == "other" and "child" in log.flags  # run checks: the flag, not a new category
    assert kinds(log) == ["local_intelligence", "national_systems"]


@pytest.mark.safeguard("C3")
def test_a_dismissed_cue_is_raised_again_by_new_information(people):
    log = call(people, account="He has a knife.", category="public_order")
    [first] = open_prompts(log, "C3")
    actions.decide_prompt(people.actor("handler"), first.pk, accept=False, reason="Butter knife")
    logs.add_entry(people.actor("handler"), log.reference, "Second caller: he is waving a machete at people.")
    [second] = open_prompts(log, "C3")
    assert second.kind == first.kind and second.pk != first.pk


@pytest.mark.safeguard("C3")
def test_open_cue_prompts_block_closing(people):
    log = call(people, account="She has taken an overdose.", category="other")
    with pytest.raises(Refusal) as exc:
        close(people, log)
    assert exc.value.safeguard == "C3" and exc.value.details["open_items"][0]["safeguard"] == "C3"
    settle_prompts(people, log)
    assert close(people, log).status == "closed"


# ---------------------------------------------------------------------------------------------- C5
@pytest.mark.safeguard("C5")
def test_flagged_categories_create_their_required_checks_as_tasks(people):
    log = call(people, category="domestic_incident", phone=MS_A_PHONE, location=MS_A_HOME)
    checks = list(Check.objects.filter(log=log).order_by("id"))
    assert [c.kind for c in checks] == ["national_systems", "local_intelligence", "previous_incidents_address",
                                        "previous_incidents_phone", "orders"]
    assert all(c.mandatory and c.state == "outstanding" for c in checks)
    assert checks[2].address.text == MS_A_HOME and checks[3].phone.e164 == "+447700900411"
    assert kinds(call(people, category="theft")) == []


@pytest.mark.safeguard("C5")
def test_anyone_and_any_number_mentioned_can_be_checked(people):
    log = call(people, category="theft")
    mark = person(people, "Mark", "Archer")
    h = people.actor("handler")
    harasser = actions.add_check(h, log.reference, kind="previous_incidents_phone", subject="The number texting her",
                                 phone="07700 900666")
    on_him = actions.add_check(h, log.reference, kind="national_systems", subject="Mark Archer", person_id=mark.pk,
                               mandatory=False)
    assert (harasser.phone.e164, harasser.mandatory, on_him.person_id, on_him.mandatory) == (
        "+447700900666", True, mark.pk, False)
    assert Entry.objects.filter(log=log, text__contains="Check requested").count() == 2
    assert [r.action for r in AuditRecord.objects.order_by("-seq")[:2]] == ["check.added", "check.added"]
    before = (Check.objects.count(), AuditRecord.objects.count())
    for kw in ({"kind": "tea_leaves"}, {"phone": "12"}, {"address": "!!"}, {"subject": ""}):
        with pytest.raises(Invalid):
            actions.add_check(h, log.reference, **{"kind": "orders", "subject": "x", **kw})
    with pytest.raises(NotFound):
        actions.add_check(h, log.reference, kind="orders", subject="x", person_id=999_999)
    assert (Check.objects.count(), AuditRecord.objects.count()) == before


@pytest.mark.safeguard("C5")
def test_outstanding_mandatory_checks_block_closing_until_their_results_are_recorded(people):
    log = call(people, category="domestic_incident", phone=MS_A_PHONE, location=MS_A_HOME)
    optional = actions.add_check(people.actor("handler"), log.reference, kind="offender_registers", subject="Him",
                                 mandatory=False)
    with pytest.raises(Refusal) as exc:
        close(people, log, code="seen_safe")
    assert exc.value.safeguard == "C5" and len(exc.value.details["open_items"]) == 5
    for c in Check.objects.filter(log=log, mandatory=True).order_by("id")[:4]:
        actions.record_check(people.actor("dispatcher"), c.pk, result="Nothing recorded", system="PNC")
    last = Check.objects.get(log=log, kind="orders")
    actions.record_check(people.actor("dispatcher"), last.pk, result="Register unavailable", possible=False)
    assert Check.objects.get(pk=last.pk).state == "not_possible"
    with pytest.raises(Refusal) as again:
        actions.record_check(people.actor("dispatcher"), last.pk, result="Retried")
    assert again.value.status == 409
    settle_prompts(people, log)
    closed = close(people, log, code="seen_safe")
    assert closed.status == "closed" and Check.objects.get(pk=optional.pk).state == "outstanding"
    with pytest.raises(Refusal) as shut:
        actions.record_check(people.actor("dispatcher"), optional.pk, result="Late")
    assert shut.value.status == 409


@pytest.mark.safeguard("C5", "L7")
def test_checks_of_a_merged_log_are_answered_on_the_survivor(people):
    a = call(people, category="domestic_incident", phone="07700 900222", caller="Ann Lee", allegation="Threats")
    b = call(people, category="domestic_incident", phone="07700900222", caller="Ann Lee", allegation="threats")
    logs.merge_logs(people.actor("handler"), b.reference, a.reference, reason="Same caller, same threats")
    merged_check = Check.objects.filter(log=b).first()
    actions.record_check(people.actor("handler"), merged_check.pk, result="Nothing recorded")
    assert Entry.objects.filter(log=a, text__contains="Nothing recorded").exists()


# ---------------------------------------------------------------------------------------------- C6
@pytest.mark.safeguard("C6")
def test_concern_for_welfare_that_now_meets_missing_criteria_prompts_reclassification(people):
    log = call(people, category="concern_for_welfare", account="Caller is worried about the woman next door.")
    logs.grade_log(people.actor("handler"), log.reference, grade="scheduled", thrive=thrive(),
                   expected_version=fresh(log).version)
    logs.add_entry(people.actor("handler2"), log.reference,
                   "Her daughter says she has not come home and is missing since last night.")
    [prompt] = open_prompts(log, "C6")
    assert (prompt.kind, prompt.suggestion, prompt.suggested_category) == (
        "reclassify_missing", "reclassify", "missing_person")
    assert open_prompts(log, "C3", "cue_missing") == []  # one decision, not two
    told = set(Notification.objects.filter(log=log, safeguard="C6", kind="reclassify_prompt")
               .values_list("recipient__username", flat=True))
    assert told == {"handler", "controller"}  # the owner and the supervisor

    actions.decide_prompt(people.actor("handler"), prompt.pk, accept=True)
    log = fresh(log)
    assert (log.category, log.proposed_grade) == ("missing_person", "priority")
    assert "missing" in log.flags
    regrade = set(Notification.objects.filter(log=log, safeguard="C6", kind="regrade")
                  .values_list("recipient__username", flat=True))
    assert regrade == {"handler", "controller"}
    assert set(Notification.objects.filter(log=log, kind="reclassified").values_list("recipient__username",
                                                                                     flat=True)) == {"controller"}
    assert kinds(log) == ["local_intelligence", "national_systems", "previous_incidents_address"]


@pytest.mark.safeguard("C6")
def test_a_missing_cue_on_a_log_not_about_welfare_is_an_ordinary_cue(people):
    log = call(people, category="theft", account="My bike is missing and so is my neighbour's son, not seen since "
                                                  "yesterday.")
    assert open_prompts(log, "C6") == []
    assert [p.kind for p in open_prompts(log, "C3")] == ["cue_missing"]


# ---------------------------------------------------------------------------------------------- C7
@pytest.mark.safeguard("C7")
def test_a_referrer_address_that_differs_is_kept_flagged_and_used_for_deployment(people):
    amy = person(people, "Amy", "Archer", home=MS_A_HOME)
    log = call(people, category="concern_for_welfare", location=MS_A_HOME)
    version = fresh(log).version
    actions.link_party(people.actor("handler"), log.reference, role="subject", person_id=amy.pk,
                       address="2 Mill Lane, Kingsbridge KB5 3CC")
    [prompt] = open_prompts(log, "C7")
    assert "2 Mill Lane" in prompt.text and MS_A_HOME in prompt.text
    log = fresh(log)
    assert log.location == "2 Mill Lane, Kingsbridge KB5 3CC" and log.version > version
    held = Residence.objects.get(person=amy, current=True)
    assert held.address.text == MS_A_HOME  # both kept: the held address is not overwritten
    assert LogParty.objects.filter(log=log, person=amy, address__text__startswith="2 Mill Lane").exists()
    assert Entry.objects.filter(log=log, text__startswith="Location changed to the newest address").exists()


@pytest.mark.safeguard("C7")
def test_a_log_somewhere_else_keeps_its_location_but_the_difference_is_still_flagged(people):
    amy = person(people, "Amy", "Archer", home=MS_A_HOME)
    log = call(people, category="assault", location="Market Square, Kingsbridge")
    actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=amy.pk,
                       address="2 Mill Lane, Kingsbridge KB5 3CC")
    assert len(open_prompts(log, "C7")) == 1
    assert fresh(log).location == "Market Square, Kingsbridge"
    same = call(people, location=MS_A_HOME)
    actions.link_party(people.actor("handler"), same.reference, role="victim", person_id=amy.pk,
                       address="14 beech grove kingsbridge kb41aa")
    assert open_prompts(same, "C7") == []  # the same place written differently is no discrepancy


# ---------------------------------------------------------------------------------------------- C8
@pytest.mark.safeguard("C8")
def test_repeated_incidents_between_the_same_people_raise_a_pattern_prompt(people):
    claire, paul = person(people, "Claire", "Denton"), person(people, "Paul", "Denton")
    h = people.actor("handler")
    start = clock.now()
    refs = []
    for days in (60, 30, 0):
        with time_machine.travel(start - timedelta(days=days), tick=False):
            log = call(people, category="assault")
            actions.link_party(h, log.reference, role="victim", person_id=claire.pk)
            actions.link_party(h, log.reference, role="suspect", person_id=paul.pk)
            refs.append(log)
    assert [len(open_prompts(x, "C8")) for x in refs] == [0, 0, 1]
    [prompt] = open_prompts(refs[-1], "C8")
    assert prompt.details["count"] == 3 and "stalking" in prompt.text
    timeline = actions.timeline(claire)
    assert [t["log"] for t in timeline] == [x.reference for x in reversed(refs)]
    assert timeline[0]["with"] == [{"id": paul.pk, "name": "Paul Denton", "role": "suspect"}]


@pytest.mark.safeguard("C8")
def test_incidents_spread_beyond_the_window_raise_no_pattern(people):
    claire, paul = person(people, "Claire", "Denton"), person(people, "Paul", "Denton")
    start = clock.now()
    for days in (200, 100, 0):
        with time_machine.travel(start - timedelta(days=days), tick=False):
            log = call(people, category="assault")
            actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=claire.pk)
            actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=paul.pk)
    assert open_prompts(log, "C8") == []


# ---------------------------------------------------------------------------------------------- C9
@pytest.mark.safeguard("C9", "C5")
def test_an_abandoned_call_gets_location_and_caller_checks_and_a_header_prompt(people):
    log = call(people, category="abandoned_call", phone="07700 900333", age=None, account="Silent 999 call.",
               location="Unknown")
    assert kinds(log) == ["caller", "location"]
    caller_check = Check.objects.get(log=log, kind="caller")
    assert caller_check.phone.e164 == "+447700900333"
    assert [p.kind for p in open_prompts(log, "C9")] == ["abandoned_header"]
    with pytest.raises(Refusal) as exc:
        actions.decide_prompt(people.actor("handler"), open_prompts(log, "C9")[0].pk, accept=True)
    assert exc.value.safeguard == "C9"
    settle_checks(people, log)
    with pytest.raises(Refusal) as blocked:
        close(people, log)
    assert blocked.value.safeguard in {"C9", "C2"} and any(
        i["safeguard"] == "C9" for i in blocked.value.details["open_items"])


@pytest.mark.safeguard("C9")
def test_updating_the_header_answers_the_abandoned_call_prompt(people):
    log = call(people, category="abandoned_call", phone="07700 900333", account="Silent 999 call.")
    logs.update_log(people.actor("handler2"), log.reference, expected_version=fresh(log).version,
                    category="public_order", summary="Youths shouting; caller rang by mistake")
    prompt = Prompt.objects.get(log=log, kind="abandoned_header")
    assert (prompt.state, prompt.decided_by_id, prompt.reason) == (
        "accepted", people.handler2.pk, "Header updated: Public order / anti-social behaviour")


@pytest.mark.safeguard("C9")
def test_domestic_abuse_known_at_the_number_replaces_blind_callbacks_with_guidance(people):
    inv = people.actor("investigator")
    amy = person(people, "Amy", "Archer", home=MS_A_HOME, phone=MS_A_PHONE)
    actions.add_marker(inv, kind="domestic_abuse_victim", source="MARAC", review_at=review_day(), person_id=amy.pk)
    log = call(people, category="abandoned_call", phone=MS_A_PHONE, account="Silent call, line left open.")
    assert sorted(p.kind for p in open_prompts(log, "C9")) == ["abandoned_da_guidance", "abandoned_header"]
    assert "Do not ring back blindly" in Prompt.objects.get(log=log, kind="abandoned_da_guidance").text
    plain = call(people, category="abandoned_call", phone="07700 900444", account="Silent call.")
    assert [p.kind for p in open_prompts(plain, "C9")] == ["abandoned_header"]


@pytest.mark.safeguard("C9")
def test_an_earlier_domestic_incident_at_the_address_also_makes_callbacks_domestic_abuse_aware(people):
    earlier = call(people, category="domestic_incident", location=EX_HOME)
    assert earlier.category == "domestic_incident"
    log = call(people, category="abandoned_call", location=EX_HOME, account="Silent call; cell site only.")
    assert "abandoned_da_guidance" in [p.kind for p in open_prompts(log, "C9")]


# ---------------------------------------------------------------------------------------------- M3
@pytest.mark.safeguard("M3")
def test_a_restricted_person_with_a_protected_person_shows_possible_breach(people):
    inv = people.actor("investigator")
    kelly, lee = person(people, "Kelly", "Shaw"), person(people, "Lee", "Carter")
    actions.create_order(inv, kind="protection_order", restricted_id=lee.pk, conditions="No contact with Kelly Shaw",
                         starts_on=clock.local(clock.now()).date(), protected_person_ids=[kelly.pk])
    log = call(people, category="other")
    actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=kelly.pk)
    assert open_prompts(log, "M3") == []
    actions.link_party(people.actor("handler"), log.reference, role="subject", person_id=lee.pk)
    [breach] = open_prompts(log, "M3")
    assert breach.kind == "possible_breach" and breach.text.startswith("Possible breach")
    actions.decide_prompt(people.actor("handler"), breach.pk, accept=True)
    log = fresh(log)
    assert "breach" in log.flags and kinds(log) == ["national_systems", "orders"]


@pytest.mark.safeguard("M3")
def test_a_restricted_person_at_a_protected_place_shows_possible_breach_but_not_after_the_order_ends(people):
    inv = people.actor("investigator")
    lee = person(people, "Lee", "Carter")
    today = clock.local(clock.now()).date()
    actions.create_order(inv, kind="restraining", restricted_id=lee.pk, conditions="Not to enter Beech Grove",
                         starts_on=today - timedelta(days=10), ends_on=today, protected_addresses=[MS_A_HOME])
    log = call(people, location="14 beech grove, kingsbridge kb4 1aa")
    actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=lee.pk)
    assert len(open_prompts(log, "M3")) == 1
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        later = call(people, location=MS_A_HOME)
        actions.link_party(people.actor("handler"), later.reference, role="suspect", person_id=lee.pk)
        assert open_prompts(later, "M3") == []


# ---------------------------------------------------------------------------------------------- M4
def holder(people):
    paul = person(people, "Paul", "Denton", home=EX_HOME)
    actions.add_certificate(people.actor("investigator"), holder_id=paul.pk, address=EX_HOME, number="SGC 77",
                            expires_on=clock.local(clock.now()).date() + timedelta(days=365))
    return paul


@pytest.mark.safeguard("M4")
def test_a_domestic_abuse_log_involving_a_holder_creates_a_mandatory_referral_that_blocks_closing(people):
    paul = holder(people)
    log = call(people, category="domestic_incident")
    assert not Check.objects.filter(log=log, kind="firearms_licensing").exists()
    actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=paul.pk)
    [referral] = Check.objects.filter(log=log, kind="firearms_licensing")
    assert referral.mandatory and referral.person_id == paul.pk and "SGC 77" in referral.subject
    for c in Check.objects.filter(log=log).exclude(pk=referral.pk):
        actions.record_check(people.actor("handler"), c.pk, result="Nothing recorded")
    settle_prompts(people, log)
    with pytest.raises(Refusal) as exc:
        close(people, log, code="spoken_to_safe")
    assert exc.value.safeguard == "M4"
    actions.record_check(people.actor("officer"), referral.pk, result="Referred to firearms licensing")
    assert close(people, log, code="spoken_to_safe").status == "closed"


@pytest.mark.safeguard("M4")
def test_a_mental_health_cue_at_the_holders_address_creates_the_referral(people):
    holder(people)
    log = call(people, location=EX_HOME, account="He has schizophrenia and is hearing voices.")
    assert Check.objects.filter(log=log, kind="firearms_licensing").count() == 1
    later = call(people, location=EX_HOME, account="Noise complaint.")
    assert not Check.objects.filter(log=later, kind="firearms_licensing").exists()
    logs.add_entry(people.actor("handler"), later.reference, "He has bipolar disorder and stopped his medication.")
    [cue] = open_prompts(later, "C3")
    assert cue.kind == "cue_mental_health_learning_disability"
    assert Check.objects.filter(log=later, kind="firearms_licensing").count() == 1


@pytest.mark.safeguard("M4")
def test_a_log_with_no_domestic_abuse_or_mental_health_makes_no_referral(people):
    paul = holder(people)
    log = call(people, category="theft")
    actions.link_party(people.actor("handler"), log.reference, role="witness", person_id=paul.pk)
    assert not Check.objects.filter(log=log, kind="firearms_licensing").exists()
    mh = call(people, category="theft", account="The thief seemed to be hearing voices, possibly schizophrenia.")
    [cue] = open_prompts(mh, "C3")
    actions.decide_prompt(people.actor("handler"), cue.pk, accept=False, reason="Caller's guess; no evidence")
    actions.link_party(people.actor("handler"), mh.reference, role="witness", person_id=paul.pk)
    assert not Check.objects.filter(log=mh, kind="firearms_licensing").exists()


def test_logs_details_show_parties_prompts_and_checks(people):
    log = call(people, category="domestic_incident", phone=MS_A_PHONE, location=MS_A_HOME, age=None)
    from watchkeeper.incidents import hooks

    shown = hooks.details(log)
    assert [p["role"] for p in shown["parties"]] == ["caller", "location"]
    assert [p["safeguard"] for p in shown["prompts"]] == ["C2"]
    assert len(shown["checks"]) == 5


def test_a_message_contact_is_never_refused_for_a_bad_caller_number(people):
    msg = logs.send_message(people.actor("officer"), people.officer.pk,
                            ContactIn("email", "Call me", caller_phone="not a number"))
    assert msg.pk and not LogParty.objects.filter(contact=msg).exists()
