"""Issue 10: what the context panel knows travels with the log. Mentioned numbers indexed and checked (C5),
parties from the panel and proposals (C1, C2), a second call about the same thing (L8). Real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Q

from tests.integration.people.support import call, open_prompts, person, review_day
from watchkeeper.core import clock
from watchkeeper.incidents import actions as logs
from watchkeeper.people import actions
from watchkeeper.people.models import Check, LogParty, Prompt

pytestmark = pytest.mark.django_db


def lookup(people, **q):
    return actions.context(people.actor("handler"), **q)


# ------------------------------------------------------------------------------------------------ C5
@pytest.mark.safeguard("C5")
def test_a_number_in_an_entry_is_on_the_log_checked_and_found_by_a_later_lookup(people):
    log = call(people, phone="07700 900501", account="Someone keeps ringing me.")
    logs.add_entry(people.actor("handler"), log.reference,
                   "Caller says the calls come from 07700 900456 and sometimes +1 202 555 0143.")
    mentioned = LogParty.objects.filter(log=log, role="mentioned").select_related("phone")
    assert sorted(p.phone.e164 for p in mentioned) == ["+12025550143", "+447700900456"]
    checks = Check.objects.filter(log=log, phone__e164="+447700900456")
    assert [(c.kind, c.mandatory, c.state) for c in checks] == [("previous_incidents_phone", False, "outstanding")]
    # Written again: no second party, no second check.
    logs.add_entry(people.actor("handler"), log.reference, "He rang again from 07700900456.")
    assert LogParty.objects.filter(log=log, phone__e164="+447700900456").count() == 1
    assert Check.objects.filter(log=log, phone__e164="+447700900456").count() == 1
    # A later lookup of that number, written another way, finds this log.
    ctx = lookup(people, phone="+44 7700 900456")
    assert [h["log"] for h in ctx.history] == [log.reference]
    assert ctx.history[0]["role"] == "mentioned"


@pytest.mark.safeguard("C5")
def test_numbers_in_the_callers_account_are_mentioned_but_the_callers_own_is_not(people):
    log = call(people, phone="07700 900502", account="My number is 07700 900502; his is 0117 496 0123. "
                                                     "Ref 20261207-0001, at 14:30 on 07/12/2026, he owes me £1,250.")
    mentioned = [p.phone.e164 for p in LogParty.objects.filter(log=log, role="mentioned").select_related("phone")]
    assert mentioned == ["+441174960123"]
    own = LogParty.objects.filter(log=log, phone__e164="+447700900502")
    assert list(own.values_list("role", flat=True)) == ["caller"]


@pytest.mark.safeguard("C5")
def test_the_number_of_mentioned_numbers_per_text_is_bounded_by_policy(people):
    from watchkeeper.core.config import set_policy

    set_policy(people.actor("admin"), "mentioned_numbers_max", 2, "Test bound")
    log = call(people, account="Numbers: 07700 900601, 07700 900602, 07700 900603.")
    assert LogParty.objects.filter(log=log, role="mentioned").count() == 2


@pytest.mark.safeguard("C5")
@pytest.mark.safeguard("M3")
def test_a_mentioned_number_of_a_restricted_person_says_what_is_held_and_possible_breach(people):
    inv = people.actor("investigator")
    victim = person(people, "Vera", "Vale", date(1990, 1, 1), phone="07700 900701")
    ex = person(people, "Rex", "Vale", date(1985, 1, 1), phone="07700 900702")
    actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=ex.pk)
    today = clock.local(clock.now()).date()
    actions.create_order(inv, kind="non_molestation", restricted_id=ex.pk, conditions="No contact with Vera",
                         starts_on=today - timedelta(days=3), protected_person_ids=[victim.pk])
    log = call(people, phone="07700 900701", caller="Vera Vale", category="domestic_incident",
               account="I keep getting texts.")
    actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=victim.pk)
    assert not open_prompts(log, "M3")
    logs.add_entry(people.actor("handler"), log.reference, "The texts come from 07700 900702.")
    known = open_prompts(log, "C5", "mentioned_known")
    assert len(known) == 1 and "Rex Vale" in known[0].text and "Violence" in known[0].text
    assert "non-molestation order" in known[0].text
    breach = open_prompts(log, "M3", "possible_breach")
    assert len(breach) == 1


@pytest.mark.safeguard("C5")
def test_a_number_of_someone_with_nothing_held_is_indexed_without_a_prompt(people):
    person(people, "Nina", "Null", phone="07700 900801")
    log = call(people, account="Call my sister on 07700 900801.")
    assert LogParty.objects.filter(log=log, role="mentioned", phone__e164="+447700900801").exists()
    assert not Prompt.objects.filter(log=log, kind="mentioned_known").exists()


# ------------------------------------------------------------------------------------- C1 parties
def moore_family(people):
    """A victim who uses a phone and lives at an address; her ex-partner (violent, a certificate holder)
    lives elsewhere; a lodger at her address with a weapons marker; a friend with no markers."""
    inv = people.actor("investigator")
    rachel = person(people, "Rachel", "Moore", date(1990, 5, 5), home="14 Orchard Way, Kingsbridge KB1 1AA",
                    phone="07700 900123")
    gary = person(people, "Gary", "Moore", date(1985, 3, 3), home="8 Quarry Lane, Kingsbridge KB2 2BB")
    actions.relate(inv, rachel.pk, gary.pk, "ex_partner")
    actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=gary.pk)
    actions.add_certificate(inv, holder_id=gary.pk, address="8 Quarry Lane, Kingsbridge KB2 2BB", number="SGC 1",
                            expires_on=clock.local(clock.now()).date() + timedelta(days=300))
    friend = person(people, "Fran", "Friend")
    actions.relate(inv, rachel.pk, friend.pk, "associate")
    lodger = person(people, "Len", "Lodger", home="14 Orchard Way, Kingsbridge KB1 1AA")
    actions.add_marker(inv, kind="weapons", source="Local intelligence", review_at=review_day(), person_id=lodger.pk)
    return rachel, gary, friend, lodger


def raise_with(people, parties=None, **kw):
    from watchkeeper.incidents.actions import ContactIn

    return logs.raise_log(people.actor("handler"),
                          contact=ContactIn("999", kw.pop("account", "He is outside shouting."),
                                            caller_name=kw.pop("caller", "Rachel Moore"),
                                            caller_phone=kw.pop("phone", "07700 900123"), caller_age=35),
                          category=kw.pop("category", "domestic_incident"), summary="Ex-partner outside",
                          location=kw.pop("location", "14 Orchard Way, Kingsbridge KB1 1AA"), parties=parties, **kw)


@pytest.mark.safeguard("C1")
def test_the_context_proposes_the_caller_and_the_linked_people_with_officer_safety_markers(people):
    from watchkeeper.people.hooks import proposals_from

    rachel, gary, friend, lodger = moore_family(people)
    ctx = lookup(people, phone="07700 900123")
    found = {(p.person_id, p.role, p.markers) for p in proposals_from(ctx.people, ctx.linked)}
    assert (rachel.pk, "caller", ()) in found
    assert (gary.pk, "involved", ("firearms_certificate", "violence")) in found or \
        (gary.pk, "involved", ("violence", "firearms_certificate")) in found
    assert all(pid != friend.pk for pid, _, _ in found)  # linked, but nothing that endangers officers
    # The address alone: two people live there, so neither is presumed the caller; the lodger's weapons
    # marker still proposes him as involved.
    ctx = lookup(people, address="14 Orchard Way, Kingsbridge KB1 1AA")
    found = {(p.person_id, p.role) for p in proposals_from(ctx.people, ctx.linked)}
    assert (lodger.pk, "involved") in found and all(role != "caller" for _, role in found)


@pytest.mark.safeguard("C1")
@pytest.mark.safeguard("M4")
def test_parties_chosen_on_new_contact_are_attached_as_the_log_is_raised(people):
    rachel, gary, _, lodger = moore_family(people)
    log = raise_with(people, [{"person_id": rachel.pk, "role": "caller"}, {"person_id": gary.pk, "role": "suspect"}])
    roles = set(LogParty.objects.filter(log=log, person__isnull=False).values_list("person_id", "role"))
    assert roles == {(rachel.pk, "caller"), (gary.pk, "suspect")}
    # Both were taken up; only the household member nobody chose is still proposed.
    left = Prompt.objects.filter(log=log, kind="party_proposal")
    assert [p.details["person"] for p in left] == [lodger.pk]
    # after_parties ran: the certificate holder on a domestic log needs a firearms referral (M4).
    assert Check.objects.filter(log=log, kind="firearms_licensing", person=gary).exists()


@pytest.mark.safeguard("C1")
def test_an_unresolved_proposal_stays_as_a_prompt_accepted_by_attaching_in_a_chosen_role(people):
    rachel, gary, _, lodger = moore_family(people)
    log = raise_with(people)  # nobody chosen: allowed
    proposals = {p.details["person"]: p for p in open_prompts(log, "C1", "party_proposal")}
    assert set(proposals) == {rachel.pk, gary.pk, lodger.pk}
    assert proposals[rachel.pk].details["proposed_role"] == "caller" and proposals[rachel.pk].blocking
    assert "Violence" in proposals[gary.pk].text
    # The handler attaches the ex-partner, choosing the role: the proposal is answered.
    actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=gary.pk)
    assert Prompt.objects.get(pk=proposals[gary.pk].pk).state == "accepted"
    assert LogParty.objects.filter(log=log, person=gary, role="suspect").exists()
    # Accepting the caller proposal directly attaches her as the caller.
    actions.decide_prompt(people.actor("handler"), proposals[rachel.pk].pk, accept=True)
    assert LogParty.objects.filter(log=log, person=rachel, role="caller").exists()
    # The lodger is dismissed with a reason; nothing is attached.
    actions.decide_prompt(people.actor("handler"), proposals[lodger.pk].pk, accept=False,
                          reason="Moved out last month, says the caller")
    assert not LogParty.objects.filter(log=log, person=lodger).exists()
    assert not open_prompts(log, "C1")


@pytest.mark.safeguard("C1")
def test_bad_parties_are_refused_and_nothing_is_written(people):
    from watchkeeper.core.errors import Invalid, NotFound
    from watchkeeper.incidents.models import Log

    rachel, *_ = moore_family(people)
    before = Log.objects.count()
    with pytest.raises(Invalid) as e:
        raise_with(people, [{"person_id": rachel.pk, "role": "boss"}])
    assert e.value.status == 400 and "boss" in e.value.message
    with pytest.raises(Invalid):
        raise_with(people, [{"person_id": "x", "role": "caller"}])
    with pytest.raises(NotFound):
        raise_with(people, [{"person_id": 999999, "role": "caller"}])
    assert Log.objects.count() == before


@pytest.mark.safeguard("C1")
def test_the_same_person_twice_in_the_same_role_is_refused(people):
    from watchkeeper.core.errors import Refusal

    rachel, *_ = moore_family(people)
    log = raise_with(people, [{"person_id": rachel.pk, "role": "caller"}])
    with pytest.raises(Refusal) as e:
        actions.link_party(people.actor("handler"), log.reference, role="caller", person_id=rachel.pk)
    assert e.value.status == 409
    actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=rachel.pk)


# ------------------------------------------------------------------------------------ L8 second call
@pytest.mark.safeguard("L8")
def test_a_second_call_from_the_same_phone_needs_a_reason_and_is_linked(people):
    from watchkeeper.core.errors import Refusal
    from watchkeeper.incidents.models import Link, Log

    first = call(people, phone="07700 900901", account="Noise next door.", category="other")
    before = Log.objects.count()
    with pytest.raises(Refusal) as e:
        call(people, phone="07700 900901", account="Still noisy.", second_call_reason="")
    assert e.value.safeguard == "L8" and e.value.status == 409 and first.reference in e.value.message
    assert [m["reference"] for m in e.value.details["matches"]] == [first.reference]
    assert Log.objects.count() == before
    second = call(people, phone="07700 900901", account="A different thing: my car was hit.",
                  second_call_reason="A separate matter: damage to her car")
    link = Link.objects.get(Q(from_log=second, to_log=first) | Q(from_log=first, to_log=second))
    assert link.kind == "related" and "damage to her car" in link.reason


@pytest.mark.safeguard("L8")
def test_a_second_call_matches_by_place_and_by_named_person_within_the_window_only(people):
    import time_machine

    from watchkeeper.core.errors import Refusal

    rachel, *_ = moore_family(people)
    first = call(people, location="14 Orchard Way, Kingsbridge KB1 1AA", account="Shouting heard.")
    with pytest.raises(Refusal) as e:  # the same place, written another way
        call(people, location="14 Orchard Way Kingsbridge KB1 1AA", account="Again.", second_call_reason="")
    assert e.value.details["matches"][0]["reference"] == first.reference
    named = raise_with(people, [{"person_id": rachel.pk, "role": "victim"}], phone="", location="",
                       second_call_reason="")  # not yet: nothing open names her
    with pytest.raises(Refusal):  # a caller giving her full name, as held
        call(people, caller="Rachel Moore", account="It is me again.", second_call_reason="")
    # Outside the window (policy), or once the log is closed, it is a new matter.
    with time_machine.travel(clock.now() + timedelta(hours=13), tick=False):
        call(people, location="14 Orchard Way, Kingsbridge KB1 1AA", caller="Rachel Moore", second_call_reason="")
    assert named.reference


@pytest.mark.safeguard("L8")
def test_the_same_phone_on_a_closed_or_other_log_is_not_a_second_call(people):
    from tests.integration.people.support import close, settle_checks, settle_prompts

    first = call(people, phone="07700 900902", account="Lost dog.", category="other")
    settle_prompts(people, first)
    settle_checks(people, first)
    close(people, first)
    call(people, phone="07700 900902", account="Found the dog, thanks.", second_call_reason="")
    call(people, phone="07700 900903", account="Someone else.", second_call_reason="")


# ----------------------------------------------------------------------------------------- the pages
def test_new_contact_panel_offers_parties_and_the_open_log_then_raises_with_them(people):
    from django.test import Client

    from watchkeeper.incidents.models import Link, Log

    rachel, gary, *_ = moore_family(people)
    web = Client()
    web.force_login(people.handler)
    panel = web.get("/context/", {"slot": "new", "contact.caller_phone": "07700 900123"}).content.decode()
    assert f'name="parties.{rachel.pk}.role"' in panel
    assert f'name="parties.{rachel.pk}.person_id" value="{rachel.pk}"' in panel
    assert "Proposed: caller" in panel and "Proposed: involved" in panel
    assert 'id="l8-slot"' in panel and "second-match" not in panel
    form = {"contact.channel": "999", "contact.account": "He is outside.", "contact.caller_name": "Rachel Moore",
            "contact.caller_phone": "07700 900123", "contact.caller_age": "35", "category": "domestic_incident",
            "summary": "Ex-partner outside", "location": "14 Orchard Way, Kingsbridge KB1 1AA", "do": "raise"}
    # Ticked in the panel: each person's id and the role beside them (a person not ticked sends a role only).
    picks = {f"parties.{rachel.pk}.person_id": str(rachel.pk), f"parties.{rachel.pk}.role": "caller",
             f"parties.{gary.pk}.person_id": str(gary.pk), f"parties.{gary.pk}.role": "suspect",
             f"parties.{people.handler.pk + 10_000}.role": "witness"}
    r = web.post("/new/", {**form, **picks})
    assert r.status_code == 302, r.content.decode()[:2000]
    first = Log.objects.order_by("-id").first()
    assert set(LogParty.objects.filter(log=first, person__isnull=False).values_list("role", flat=True)) == {
        "caller", "suspect"}
    # The same phone again: the panel offers the open log first; raising anyway needs a reason.
    panel = web.get("/context/", {"slot": "new", "contact.caller_phone": "07700 900123"}).content.decode()
    assert "second-match" in panel and f'value="attach:{first.reference}"' in panel
    r = web.post("/new/", form)
    page = r.content.decode()
    assert r.status_code == 409 and "L8" in page and first.reference in page and 'id="second_call_reason"' in page
    r = web.post("/new/", {**form, "do": f"attach:{first.reference}"})
    assert r.status_code == 302 and r["Location"].endswith(f"/logs/{first.reference}/")
    assert first.contacts.count() == 2
    r = web.post("/new/", {**form, "second_call_reason": "Another incident at the same house"})
    assert r.status_code == 302
    second = Log.objects.order_by("-id").first()
    assert Link.objects.filter(from_log=second, to_log=first).exists()


@pytest.mark.safeguard("C1")
def test_a_role_the_panel_chose_is_not_taken_for_the_handlers_when_the_panel_refreshes(people):
    """The name typed first shows her as "mentioned"; when the phone then resolves to her she is proposed as
    the caller. The role the refresh sends back is the handler's only if they changed it."""
    import re

    from django.test import Client

    rachel, *_ = moore_family(people)
    web = Client()
    web.force_login(people.handler)

    def role_of(panel: str) -> str:
        select = re.search(rf'<select id="pr-{rachel.pk}".*?</select>', panel, re.S)
        assert select, panel[:3000]
        return re.search(r'<option value="(\w+)" selected', select.group(0)).group(1)

    by_name = web.get("/context/", {"slot": "new", "contact.caller_name": "Rachel Moore"}).content.decode()
    assert role_of(by_name) == "mentioned"
    sent_back = {f"parties.{rachel.pk}.role": "mentioned", f"parties.{rachel.pk}.default": "mentioned"}
    by_phone = web.get("/context/", {"slot": "new", "contact.caller_name": "Rachel Moore",
                                     "contact.caller_phone": "07700 900123",
                                     **sent_back}).content.decode()
    assert role_of(by_phone) == "caller"
    chosen = {f"parties.{rachel.pk}.role": "victim", f"parties.{rachel.pk}.default": "mentioned"}
    kept = web.get("/context/", {"slot": "new", "contact.caller_name": "Rachel Moore",
                                 "contact.caller_phone": "07700 900123",
                                 **chosen}).content.decode()
    assert role_of(kept) == "victim"


def test_the_log_panel_attaches_a_person_and_the_proposal_prompt_offers_a_role(people):
    from django.test import Client

    rachel, gary, *_ = moore_family(people)
    log = raise_with(people, [{"person_id": rachel.pk, "role": "caller"}])
    web = Client()
    web.force_login(people.handler)
    panel = web.get(f"/logs/{log.reference}/people/part/context/").content.decode()
    assert "On this log: Caller" in panel and f'name="person_id" value="{gary.pk}"' in panel
    prompts = web.get(f"/logs/{log.reference}/people/part/prompts/").content.decode()
    assert "proposal-attach" in prompts and f"Attach {gary.name}" in prompts
    r = web.post(f"/logs/{log.reference}/people/do/party/", {"person_id": gary.pk, "role": "suspect"},
                 HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Trigger"] == "refresh-context"
    assert all(p.details["person"] != gary.pk for p in open_prompts(log, "C1"))


def test_the_api_raises_with_parties_and_refuses_a_second_call_without_a_reason(people):
    from tests.integration.test_api import token_client

    rachel, gary, *_ = moore_family(people)
    api = token_client(people.handler)
    body = {"contact": {"channel": "999", "account": "He is outside.", "caller_phone": "07700 900123",
                        "caller_age": 35},
            "category": "domestic_incident", "summary": "Ex-partner outside",
            "parties": [{"person_id": rachel.pk, "role": "caller"}]}
    r = api.post("/api/logs", body, content_type="application/json")
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    r = api.post("/api/logs", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["safeguard"]["id"] == "L8"
    assert [m["reference"] for m in r.json()["details"]["matches"]] == [ref]
    r = api.post("/api/logs", {**body, "parties": [{"person_id": rachel.pk, "role": "king"}],
                               "second_call_reason": "x"}, content_type="application/json")
    assert r.status_code == 400 and "king" in r.json()["message"]
    r = api.post("/api/logs", {**body, "second_call_reason": "A separate incident"}, content_type="application/json")
    assert r.status_code == 201
    r = api.post(f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": gary.pk},
                 content_type="application/json")
    assert r.status_code == 201, r.content


def test_the_api_shows_a_proposal_with_its_person_and_accepting_it_attaches_them(people):
    from tests.integration.test_api import token_client

    rachel, gary, *_ = moore_family(people)
    api = token_client(people.handler)
    body = {"contact": {"channel": "999", "account": "He is outside; his number is 07700 900999.",
                        "caller_phone": "07700 900123", "caller_age": 35},
            "category": "domestic_incident", "summary": "Ex-partner outside"}
    ref = api.post("/api/logs", body, content_type="application/json").json()["reference"]
    detail = api.get(f"/api/logs/{ref}").json()
    proposals = [p for p in detail["prompts"] if p["kind"] == "party_proposal"]
    by_person = {p["details"]["person"]: p for p in proposals}
    assert by_person[rachel.pk]["details"]["proposed_role"] == "caller"
    assert by_person[gary.pk]["details"]["proposed_role"] == "involved"
    assert "+447700900999" in [p["phone"] for p in detail["parties"] if p["role"] == "mentioned"]
    r = api.post(f"/api/prompts/{by_person[rachel.pk]['id']}/decision", {"accept": True},
                 content_type="application/json")
    assert r.status_code == 200, r.content
    r = api.post(f"/api/prompts/{by_person[gary.pk]['id']}/decision", {"accept": False},
                 content_type="application/json")
    assert r.status_code == 400  # dismissing needs a reason
    parties = api.get(f"/api/logs/{ref}").json()["parties"]
    assert {"id": rachel.pk, "name": rachel.name} in [p["person"] for p in parties if p["role"] == "caller"]


@pytest.mark.safeguard("C5")
def test_a_person_put_on_the_log_as_mentioned_says_what_is_held_on_them(people):
    rachel, gary, friend, _ = moore_family(people)
    log = call(people, phone="07700 900951", account="My neighbour mentioned two men.")
    actions.link_party(people.actor("handler"), log.reference, role="mentioned", person_id=gary.pk)
    actions.link_party(people.actor("handler"), log.reference, role="mentioned", person_id=friend.pk)
    known = open_prompts(log, "C5", "mentioned_known")
    assert [p.details["person"] for p in known] == [gary.pk]
    assert "Violence" in known[0].text and "firearms certificate SGC 1" in known[0].text
