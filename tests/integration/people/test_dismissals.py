"""A dismissal cannot contradict the record (C1, C2, M4), and a log on which a child, domestic-abuse,
weapons or exploitation prompt was dismissed needs a positive outcome or a supervisor's rationale to close
(L10). Through the real actions, the API and the pages, against the real database."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from tests.integration.people.support import call, open_prompts, person, settle_checks
from tests.support.factories import fresh
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.incidents import actions as logs
from watchkeeper.people import actions
from watchkeeper.people.models import Prompt
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db


def years_ago(n: int) -> date:
    today = clock.local(clock.now()).date()
    return today.replace(year=today.year - n) - timedelta(days=30)


def child_on_log(p, age: int = 16, role: str = "victim"):
    log = call(p, account="Neighbour reports shouting at number 4")
    kid = person(p, "Mia", "Cole", years_ago(age))
    actions.link_party(p.actor("handler"), log.reference, role=role, person_id=kid.pk)
    [prompt] = open_prompts(log, "C2", "child")
    return log, prompt


def dismiss(p, prompt: Prompt, reason: str, who: str = "handler") -> Prompt:
    return actions.decide_prompt(p.actor(who), prompt.pk, accept=False, reason=reason)


def refused(p, prompt: Prompt, reason: str) -> Refusal:
    audit = AuditRecord.objects.count()
    with pytest.raises(Refusal) as exc:
        dismiss(p, prompt, reason)
    assert Prompt.objects.get(pk=prompt.pk).state == "open"  # nothing written
    assert AuditRecord.objects.count() == audit
    assert exc.value.status == 400
    return exc.value


def settle_others(p, log, keep: Prompt | None = None) -> None:
    for other in open_prompts(log):
        if keep is None or other.pk != keep.pk:
            dismiss(p, other, "Considered; not applicable")
    settle_checks(p, log)


# ---------------------------------------------------------------------------------------------- C2
@pytest.mark.safeguard("C2")
@pytest.mark.parametrize("reason", ["caller is an adult", "Adult", "over 18", "no children involved",
                                    "she is 25 years old"])
def test_a_child_prompt_dismissed_as_adult_is_refused_naming_the_child(people, reason):
    _, prompt = child_on_log(people)
    r = refused(people, prompt, reason)
    assert r.safeguard == "C2" and "Mia Cole" in r.message and "16" in r.message
    assert r.details["record"] == [{"name": "Mia Cole", "role": "victim", "age": 16}]


@pytest.mark.safeguard("C2")
@pytest.mark.parametrize("reason", ["Parents present; school safeguarding lead informed", "not an adult, "
                                    "referred to children's services", "adult social care already involved"])
def test_a_child_prompt_dismissed_for_a_reason_the_record_allows_is_recorded(people, reason):
    _, prompt = child_on_log(people)
    assert dismiss(people, prompt, reason).state == "dismissed"


@pytest.mark.safeguard("C2")
def test_the_callers_recorded_age_contradicts_a_claim_that_the_caller_is_grown(people):
    log = call(people, age=15, caller="Jo Banks")
    [prompt] = open_prompts(log, "C2", "child")
    r = refused(people, prompt, "Caller says she is over 18")
    assert "Jo Banks (caller) is 15" in r.message
    assert dismiss(people, prompt, "Mother took the phone and is with her").state == "dismissed"


@pytest.mark.safeguard("C2")
def test_an_adult_claim_is_not_refused_when_everyone_held_is_grown(people):
    log = call(people, age=None)
    grown = person(people, "Dan", "Cole", years_ago(40))
    actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=grown.pk)
    [prompt] = open_prompts(log, "C2", "caller_age")
    assert dismiss(people, prompt, "Caller is an adult, would not give her age").state == "dismissed"


# ---------------------------------------------------------------------------------------------- M4
def holder_linked_to_victim(p, *, log_address: str = ""):
    log = call(p, age=None, location=log_address, account="Woman says her ex-husband keeps turning up")
    ann = person(p, "Ann", "Cole", years_ago(38))
    dan = person(p, "Dan", "Cole", years_ago(41))
    actions.relate(p.actor("handler"), ann.pk, dan.pk, "ex_partner")
    actions.add_certificate(p.actor("investigator"), holder_id=dan.pk, address="3 Quarry Lane, Kingsbridge KB6 2BB",
                            number="FAC-0042", expires_on=clock.local(clock.now()).date() + timedelta(days=300))
    actions.link_party(p.actor("handler"), log.reference, role="victim", person_id=ann.pk)
    return log


@pytest.mark.safeguard("M4")
@pytest.mark.parametrize("reason", ["no weapons", "No firearms mentioned", "caller says no guns in the house",
                                    "he is not armed"])
def test_denying_weapons_is_refused_when_a_linked_person_holds_a_certificate(people, reason):
    log = holder_linked_to_victim(people)
    prompt = open_prompts(log)[0]
    r = refused(people, prompt, reason)
    assert r.safeguard == "M4" and "Dan Cole" in r.message and "FAC-0042" in r.message
    assert "linked to Ann Cole" in r.message


@pytest.mark.safeguard("M4")
def test_a_certificate_at_the_logs_address_contradicts_no_weapons(people):
    log = call(people, age=None, location="3 Quarry Lane, Kingsbridge KB6 2BB")
    dan = person(people, "Dan", "Cole", years_ago(41))
    actions.add_certificate(people.actor("investigator"), holder_id=dan.pk, address="3 Quarry Lane, Kingsbridge "
                            "KB6 2BB", number="SGC-7", expires_on=clock.local(clock.now()).date() + timedelta(days=9))
    [prompt] = open_prompts(log, "C2", "caller_age")
    r = refused(people, prompt, "No weapons at the address")
    assert "SGC-7" in r.message and "kept at 3 Quarry Lane" in r.message
    assert dismiss(people, prompt, "Can't confirm no weapons; caller hung up").state == "dismissed"


@pytest.mark.safeguard("M4")
def test_no_weapons_stands_when_no_certificate_is_held(people):
    log = call(people, age=None)
    [prompt] = open_prompts(log, "C2", "caller_age")
    assert dismiss(people, prompt, "No weapons; caller would not give her age").state == "dismissed"


# ---------------------------------------------------------------------------------------------- C1
@pytest.mark.safeguard("C1")
def test_denying_history_is_refused_when_earlier_logs_are_held_for_the_phone(people):
    first = call(people, phone="07700 900511", account="Shouting next door")
    second = call(people, phone="07700 900512", account="Shouting next door")  # another phone: not history
    newest = call(people, phone="07700 900511", account="Shouting again")
    later = call(people, phone="07700 900511", age=None, account="Third call")
    [prompt] = open_prompts(later, "C2", "caller_age")
    r = refused(people, prompt, "First time caller, would not give age")
    assert r.safeguard == "C1" and "2 earlier logs" in r.message and newest.reference in r.message
    assert first.reference != second.reference
    assert dismiss(people, prompt, "It is not the first time; caller would not give age").state == "dismissed"


@pytest.mark.safeguard("C1")
def test_no_history_stands_on_a_first_contact(people):
    log = call(people, phone="07700 900599", age=None)
    [prompt] = open_prompts(log, "C2", "caller_age")
    assert dismiss(people, prompt, "No previous history; caller hung up").state == "dismissed"


@pytest.mark.safeguard("C2")
def test_the_api_refuses_a_contradicting_dismissal_with_400_naming_the_safeguard(people):
    _, prompt = child_on_log(people)
    _, secret = issue_token(Actor(None), people.handler.pk, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/prompts/{prompt.pk}/decision"
    r = client.post(url, data=json.dumps({"accept": False, "reason": "caller is an adult"}),
                    content_type="application/json")
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["safeguard"]["id"] == "C2" and "Mia Cole" in body["message"]
    r = client.post(url, data=json.dumps({"accept": False, "reason": "Seen by school nurse; parents told"}),
                    content_type="application/json")
    assert r.status_code == 200 and Prompt.objects.get(pk=prompt.pk).state == "dismissed"


@pytest.mark.safeguard("C2")
def test_the_page_shows_the_refusal_beside_the_prompt(people):
    log, prompt = child_on_log(people)
    client = Client()
    client.force_login(people.handler)
    r = client.post(f"/logs/{log.reference}/people/do/decide/",
                    {"prompt_id": prompt.pk, "accept": "false", "reason": "caller is an adult"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    page = r.content.decode()
    beside = page[page.index(f'id="prompt-{prompt.pk}"'):]
    assert f'id="dr-err-{prompt.pk}"' in beside and "Mia Cole (victim) is 16" in beside
    assert Prompt.objects.get(pk=prompt.pk).state == "open"


# ---------------------------------------------------------------------------------------------- L10
@pytest.mark.safeguard("L10")
def test_a_dismissed_child_prompt_needs_a_positive_outcome_or_a_supervisors_rationale(people):
    log, prompt = child_on_log(people)
    dismiss(people, prompt, "Mother is with her")
    settle_others(people, log)
    logs.view_log(people.actor("handler"), log.reference)
    with pytest.raises(Refusal) as exc:
        logs.close_log(people.actor("handler"), log.reference, code="advice_given")
    r = exc.value
    assert r.safeguard == "L10" and "dismissed" in r.message and "Mia Cole is under 18" in r.message
    assert [d["id"] for d in r.details["dismissed_prompts"]] == [prompt.pk]
    with pytest.raises(Refusal):  # a handler's rationale is not a supervisor's
        logs.close_log(people.actor("handler"), log.reference, code="advice_given",
                       authorisation_rationale="I am sure")
    logs.view_log(people.actor("supervisor"), log.reference)
    with pytest.raises(Refusal):
        logs.close_log(people.actor("supervisor"), log.reference, code="advice_given")
    closed = logs.close_log(people.actor("supervisor"), log.reference, code="advice_given",
                            authorisation_rationale="Spoke to the mother myself; school informed")
    assert closed.status == "closed" and closed.closing_authorised_by_id == people.supervisor.pk
    assert AuditRecord.objects.latest("seq").after["authorised"] is True


@pytest.mark.safeguard("L10")
def test_a_dismissed_safeguarding_prompt_closes_with_a_positive_outcome(people):
    log, prompt = child_on_log(people)
    dismiss(people, prompt, "Mother is with her")
    settle_others(people, log)
    logs.view_log(people.actor("handler"), log.reference)
    closed = logs.close_log(people.actor("handler"), log.reference, code="seen_safe")
    assert closed.status == "closed" and closed.closing_authorised_by_id is None


@pytest.mark.safeguard("L10")
def test_a_dismissed_domestic_abuse_cue_needs_the_same_at_close(people):
    log = call(people, account="Caller says her ex-husband threatened to kill her")
    cue = Prompt.objects.get(log=log, kind="cue_domestic_abuse", state="open")
    dismiss(people, cue, "Historic, dealt with by the investigating officer")
    settle_others(people, log)
    logs.view_log(people.actor("handler"), log.reference)
    with pytest.raises(Refusal) as exc:
        logs.close_log(people.actor("handler"), log.reference, code="no_further_action")
    assert exc.value.safeguard == "L10"


@pytest.mark.safeguard("L10")
def test_other_dismissed_prompts_do_not_need_a_supervisor(people):
    log = call(people, age=None)
    settle_others(people, log)  # the caller's age prompt, dismissed
    logs.view_log(people.actor("handler"), log.reference)
    assert logs.close_log(people.actor("handler"), log.reference, code="advice_given").status == "closed"


@pytest.mark.safeguard("L10")

@pytest.mark.safeguard("L10")
def test_closing_without_choosing_an_outcome_is_refused_naming_the_control(people):
    log = call(people)
    settle_others(people, log)
    logs.view_log(people.actor("handler"), log.reference)
    with pytest.raises(Invalid) as exc:
        logs.close_log(people.actor("handler"), log.reference, code="")
    assert exc.value.details == {"field": "code"} and "Choose an outcome" in exc.value.message
    assert fresh(log).status == "open"
    client = Client()
    client.force_login(people.handler)
    dialog = client.get(f"/logs/{log.reference}/close-dialog/?mode=close").content.decode()
    assert '<option value="" selected>' in dialog
    r = client.post(f"/logs/{log.reference}/do/close/", {"code": "", "note": ""})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="cl-code-error"' in page and 'aria-describedby="cl-code-error"' in page


@pytest.mark.safeguard("L10")
def test_the_close_dialog_lists_dismissed_safeguarding_prompts_and_asks_a_supervisor_for_a_rationale(people):
    log, prompt = child_on_log(people)
    dismiss(people, prompt, "Mother is with her")
    client = Client()
    client.force_login(people.supervisor)
    dialog = client.get(f"/logs/{log.reference}/close-dialog/?mode=close").content.decode()
    assert 'id="cl-dismissed"' in dialog and "Mother is with her" in dialog and 'id="cl-auth"' in dialog
