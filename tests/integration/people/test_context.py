"""C1: everything known about a phone, an address or a name, at call time, newest first, with no look-back
horizon; every look audited with its purpose (A2). Against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection

from tests.integration.people.support import (
    EX_HOME,
    MS_A_E164,
    MS_A_HOME,
    MS_A_PHONE,
    call,
    person,
    review_day,
    settle_prompts,
)
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Log
from watchkeeper.people import actions
from watchkeeper.people.models import Address, LogParty

pytestmark = pytest.mark.django_db


def lookup(people, who: str = "handler", **q):
    return actions.context(people.actor(who), **q)


def ms_a_history(people):
    """Ms A (issue 41, case 2): her ex-husband holds a shotgun certificate kept at her address, is marked
    violent and restrained by an order; she has an expired scheme on her phone and an active one on her
    address; she has called before on three channels and emailed an officer."""
    inv = people.actor("investigator")
    amy = person(people, "Amy", "Archer", date(1986, 4, 12), home=MS_A_HOME, phone=MS_A_PHONE)
    mark = person(people, "Mark", "Archer", date(1982, 9, 30), home=EX_HOME)
    actions.relate(inv, amy.pk, mark.pk, "ex_partner")
    actions.add_marker(inv, kind="domestic_abuse_victim", source="MARAC", review_at=review_day(), person_id=amy.pk)
    actions.add_marker(inv, kind="vulnerability", source="Call history", review_at=review_day(), address=MS_A_HOME)
    actions.add_marker(inv, kind="child_protection", source="Social care", review_at=review_day(), phone=MS_A_PHONE)
    actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=mark.pk)
    actions.add_certificate(inv, holder_id=mark.pk, address=MS_A_HOME, number="SGC 1234",
                            expires_on=clock.local(clock.now()).date() + timedelta(days=300))
    today = clock.local(clock.now()).date()
    actions.create_order(inv, kind="non_molestation", restricted_id=mark.pk, conditions="Not to contact her",
                         starts_on=today - timedelta(days=30), protected_person_ids=[amy.pk])
    start = clock.now()
    with time_machine.travel(start - timedelta(days=200), tick=False):
        expired = actions.create_scheme(inv, victim_id=amy.pk, reason="Threats to kill", victim_told_how="phone",
                                        phone=MS_A_PHONE, ends_at=clock.now() + timedelta(days=90))
        old = call(people, phone=MS_A_PHONE, account="My ex-husband threatened me.", caller="Amy Archer",
                   location=MS_A_HOME)
        settle_prompts(people, old)
        # L10: its domestic-abuse cue was dismissed, so closing without a positive outcome is a supervisor's.
        logs.view_log(people.actor("supervisor"), old.reference)
        logs.close_log(people.actor("supervisor"), old.reference, code="advice_given",
                       authorisation_rationale="Historic matter; the officer in charge has it")
    active = actions.create_scheme(inv, victim_id=amy.pk, reason="Renewed", victim_told_how="in person",
                                   address=MS_A_HOME)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        switchboard = call(people, phone=MS_A_PHONE, channel="switchboard", caller="Amy Archer",
                           account="Asked for the officer she dealt with before.")
    with time_machine.travel(start - timedelta(days=2), tick=False):
        counter = call(people, channel="front_counter", caller="Amy Archer", location=MS_A_HOME,
                       account="Came in to ask about her court order.")
    with time_machine.travel(start - timedelta(days=1), tick=False):
        email = logs.send_message(people.actor("officer"), people.absent.pk, ContactIn(
            "email", "Ms Archer says her order has expired and wants it renewed.", caller_name="Amy Archer",
            caller_phone=MS_A_PHONE))
    return {"amy": amy, "mark": mark, "old": old, "switchboard": switchboard, "counter": counter, "email": email,
            "expired": expired, "active": active}


@pytest.mark.safeguard("C1", "M1", "M2", "M3", "M4", "D5")
def test_her_number_alone_shows_everything_known_newest_first(people):
    known = ms_a_history(people)
    ctx = lookup(people, phone="07700900411")
    assert ctx.phones == [{"id": ctx.phones[0]["id"], "e164": MS_A_E164}]
    assert [p["id"] for p in ctx.people] == [known["amy"].pk]
    assert ctx.people[0]["why"] == "uses this phone"
    assert [a["text"] for a in ctx.addresses] == [MS_A_HOME]  # her current address, from the person
    # Logs and their outcomes, on every channel, newest first.
    refs = [h["log"] for h in ctx.history if h["log"]]
    assert refs == [known["counter"].reference, known["switchboard"].reference, known["old"].reference]
    by_log = {h["log"]: h for h in ctx.history}
    assert by_log[known["switchboard"].reference]["channel"] == "Switchboard transfer"
    assert by_log[known["counter"].reference]["channel"] == "Front counter visit"
    assert by_log[known["old"].reference]["outcome"] == "advice_given"
    assert [h["at"] for h in ctx.history] == sorted((h["at"] for h in ctx.history), reverse=True)
    # Markers on the person, the address and the phone.
    kinds = {(m["kind"], m["on"]) for m in ctx.markers if m["active"]}
    assert {("domestic_abuse_victim", "Amy Archer"), ("vulnerability", MS_A_HOME),
            ("child_protection", MS_A_E164), ("firearms_certificate", MS_A_HOME)} <= kinds
    # The order protecting her; the schemes: the active one, and the one past its end that nobody decided,
    # which is still in force as review overdue (M2, issue 10).
    assert [(o["restricted"], o["conditions"]) for o in ctx.orders] == [("Mark Archer", "Not to contact her")]
    states = {s["id"]: s["state"] for s in ctx.schemes}
    assert states == {known["expired"].pk: "review_overdue", known["active"].pk: "active"}
    assert ctx.grade_floor == "emergency"
    # Her ex-partner and HIS markers; the certificate holder at her address.
    [ex] = ctx.linked
    assert (ex["id"], ex["relationship"]) == (known["mark"].pk, "Ex-partner")
    assert {m["kind"] for m in ex["markers"]} == {"violence", "firearms_certificate"}
    assert [(f["holder"], f["address"]) for f in ctx.firearms] == [("Mark Archer", MS_A_HOME)]


@pytest.mark.safeguard("C1", "L8")
def test_an_email_to_an_officer_with_no_log_is_found_from_the_number(people):
    """A message has a contact but no log: its sender's phone must still be found (I41.2: an email sat
    unread for months). This needs incidents.send_message to run the people hook for messages."""
    known = ms_a_history(people)
    assert LogParty.objects.filter(contact=known["email"], log__isnull=True, phone__e164=MS_A_E164).exists()
    ctx = lookup(people, phone=MS_A_PHONE)
    messages = [h for h in ctx.history if h["log"] is None]
    assert [(h["channel"], h["status"], h["addressed_to"], h["handled"]) for h in messages] == [
        ("Email", "message", people.absent.display, False)]
    assert ctx.history[0]["channel"] == "Email"  # the newest contact of all


@pytest.mark.safeguard("C1", "L8")
def test_a_message_attached_to_a_log_later_is_one_line_of_history(people):
    msg = logs.send_message(people.actor("officer"), people.officer.pk, ContactIn(
        "email", "Please call me about my neighbour.", caller_name="Pat", caller_phone="07700 900555"))
    log = call(people, phone="07700 900777")
    logs.handle_message(people.actor("officer"), msg.pk, log.reference, note="Same matter")
    parties = LogParty.objects.filter(contact=msg)
    assert [(p.log_id, p.phone.e164) for p in parties] == [(log.pk, "+447700900555")]
    ctx = lookup(people, phone="07700 900555")
    assert [h["log"] for h in ctx.history] == [log.reference]


@pytest.mark.safeguard("C1", "A2")
def test_every_context_look_is_audited_with_its_purpose_and_who_was_shown(people):
    known = ms_a_history(people)
    before, last = AuditRecord.objects.count(), AuditRecord.objects.order_by("-seq").values_list("seq", flat=True)[0]
    lookup(people, "qa", phone=MS_A_PHONE, purpose="Assurance review of log 20260301-0004")
    [record] = AuditRecord.objects.filter(seq__gt=last)
    assert (record.action, record.actor_id, record.reason) == (
        "context.viewed", people.qa.pk, "Assurance review of log 20260301-0004")
    assert record.after["phone"] == MS_A_PHONE and record.after["people"] == [known["amy"].pk]
    empty = lookup(people, phone="  ")
    assert empty.history == [] and AuditRecord.objects.count() == before + 1  # nothing looked at, nothing shown
    with pytest.raises(Invalid):
        lookup(people, phone=MS_A_PHONE, purpose="")
    with pytest.raises(Forbidden):
        lookup(people, "learning", phone=MS_A_PHONE)
    assert AuditRecord.objects.count() == before + 1


@pytest.mark.safeguard("C1")
def test_an_address_shows_its_residents_their_links_and_the_firearms_kept_there(people):
    known = ms_a_history(people)
    ctx = lookup(people, address="14 beech grove kingsbridge")  # no postcode, lower case
    assert [a["text"] for a in ctx.addresses] == [MS_A_HOME]
    assert [(p["id"], p["why"]) for p in ctx.people] == [(known["amy"].pk, "lives at this address")]
    assert [f["holder"] for f in ctx.firearms] == ["Mark Archer"]
    assert [link["name"] for link in ctx.linked] == ["Mark Archer"]
    assert known["counter"].reference in [h["log"] for h in ctx.history]
    assert ctx.grade_floor == "emergency"  # the active scheme is on this address


@pytest.mark.safeguard("C1")
def test_fuzzy_names_find_spelling_variants_and_a_matching_date_of_birth_ranks_first(people):
    a = person(people, "John", "Smith", date(1970, 1, 1))
    b = person(people, "John", "Smith", date(1990, 6, 15))
    person(people, "Mary", "Jones")
    ctx = lookup(people, name="Jon Smyth")
    assert {p["id"] for p in ctx.people} == {a.pk, b.pk}
    ranked = lookup(people, name="Jon Smyth", dob=date(1990, 6, 15))
    assert ranked.people[0]["id"] == b.pk
    assert lookup(people, name="Smyth").people != []  # a family name alone
    assert lookup(people, name="Zebedee Quimby").people == []


@pytest.mark.safeguard("C1")
def test_an_alias_finds_the_person(people):
    p = actions.create_person(people.actor("handler"), given_names="Robert", family_name="Brown",
                              aliases=["Bobby Braun"])
    assert [x["id"] for x in lookup(people, name="Bobby Brown").people] == [p.pk]


@pytest.mark.safeguard("C1")
def test_one_flat_written_two_ways_and_with_or_without_its_postcode_shares_its_history(people):
    first = call(people, location="Flat 2, 10 High St")
    second = call(people, location="Flat 2, 10 High St, AB1 2CD")
    call(people, location="Flat 3, 10 High St")
    assert Address.objects.count() == 2  # the postcode is added to the place already held, not a new one
    for typed in ("10 High Street flat 2", "Flat 2 10 High Street AB1 2CD", "flat 2, 10 high st."):
        ctx = lookup(people, address=typed)
        assert {h["log"] for h in ctx.history} == {first.reference, second.reference}, typed
    town = lookup(people, address="Flat 2, 10 High Street, Kingsbridge")
    assert {h["log"] for h in town.history} == {first.reference, second.reference}


@pytest.mark.safeguard("C1")
def test_places_held_twice_before_they_were_matched_are_both_found(people):
    """Records made before places were matched on entry (or loaded in bulk) may hold one place twice; the
    lookup finds both rather than stopping at the first exact match."""
    from watchkeeper.people import rules

    for text in ("Flat 2, 10 High St", "Flat 2, 10 High St, AB1 2CD"):
        k = rules.address_key(text)
        Address.objects.create(text=text, key=k.key, street_key=k.street_key, postcode=k.postcode,
                               created_at=clock.now())
    found = lookup(people, address="10 High Street flat 2")
    assert sorted(a["text"] for a in found.addresses) == ["Flat 2, 10 High St", "Flat 2, 10 High St, AB1 2CD"]


@pytest.mark.safeguard("C1")
def test_a_street_among_many_alike_is_found_with_or_without_its_town(people):
    """A busy force holds hundreds of streets starting with the same letters (Highfield, Highgate, High...),
    newer than the one wanted. The street typed without its town, or with a town it is held without, is
    still found: candidates are read by the street itself, not the newest few sharing its first letters."""
    from watchkeeper.people import rules
    from watchkeeper.people.context import FUZZY_CANDIDATES

    def hold(text: str) -> Address:
        k = rules.address_key(text)
        return Address.objects.create(text=text, key=k.key, street_key=k.street_key, postcode=k.postcode,
                                      created_at=clock.now())

    with_town = hold("14 High Street, Kingsbridge KB1 4AA")
    bare = hold("22 High Street")
    Address.objects.bulk_create(
        Address(text=f"{n} Highfield Road, Town {n % 7}", key=f"|{n}|highfield road town {n % 7}|",
                street_key=f"highfield road town {n % 7}", postcode="", created_at=clock.now())
        for n in range(1, FUZZY_CANDIDATES * 2))
    assert [a["text"] for a in lookup(people, address="14 High St").addresses] == [with_town.text]
    assert [a["text"] for a in lookup(people, address="22 high street, Kingsbridge").addresses] == [bare.text]
    assert lookup(people, address="14 Highfeild Road, Town 0").addresses  # a slip, found by its first letters
    assert lookup(people, address="99 High Street").addresses == []  # the street, but no such building


@pytest.mark.safeguard("C1")
def test_repeat_caller_address_and_victim_flags_count_within_their_windows(people):
    amy = person(people, "Amy", "Archer", home=MS_A_HOME, phone=MS_A_PHONE)
    start = clock.now()
    with time_machine.travel(start - timedelta(days=40), tick=False):
        call(people, phone=MS_A_PHONE, location=MS_A_HOME)  # outside the 28-day windows
    for days in (20, 10, 1):
        with time_machine.travel(start - timedelta(days=days), tick=False):
            log = call(people, phone=MS_A_PHONE, location=MS_A_HOME)
            actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=amy.pk)
    flags = {f["code"]: f["count"] for f in lookup(people, phone=MS_A_PHONE).flags}
    assert flags == {"repeat_caller": 3, "repeat_address": 3, "repeat_victim": 3}
    quiet = person(people, "Quiet", "Neighbour", phone="07700 900888")
    assert quiet and lookup(people, phone="07700 900888").flags == []


@pytest.mark.safeguard("C1")
def test_with_two_thousand_earlier_logs_the_newest_are_shown_and_the_rest_counted(
        people, django_assert_max_num_queries):
    """The heavy-history case: the panel reads the newest N by index and counts the rest; how much it reads
    does not grow with the history."""
    place = actions.address_for(MS_A_HOME)
    start = clock.now() - timedelta(days=3000)
    rows = [Log(reference=f"19990101-{i:05d}", created_at=start + timedelta(days=i, hours=1), category="other",
                summary=f"Earlier call {i}", location=MS_A_HOME, status="closed", closing_code="advice_given")
            for i in range(2000)]
    Log.objects.bulk_create(rows, batch_size=500)
    saved = {lg.reference: lg for lg in Log.objects.filter(reference__startswith="19990101-")}
    LogParty.objects.bulk_create([LogParty(log=saved[lg.reference], role="location", address=place, at=lg.created_at)
                                  for lg in rows], batch_size=500)
    limit = 10
    with django_assert_max_num_queries(30):
        ctx = lookup(people, address=MS_A_HOME)
    assert ctx.history_total == 2000
    assert [h["log"] for h in ctx.history] == [f"19990101-{i:05d}" for i in range(1999, 1999 - limit, -1)]
    assert all(h["outcome"] == "advice_given" for h in ctx.history)


@pytest.mark.safeguard("C1")
def test_a_log_holding_the_place_many_times_is_one_line_and_older_logs_still_fill_the_list(people):
    """The newest parties read first can all be one log (a busy incident naming the place once per person
    on it); the list still shows one line for it and then the older logs, newest first, and counts them."""
    place = actions.address_for(MS_A_HOME)
    start = clock.now() - timedelta(days=400)
    rows = [Log(reference=f"19990202-{i:05d}", created_at=start + timedelta(days=i), category="other",
                summary=f"Earlier call {i}", location=MS_A_HOME, status="closed", closing_code="advice_given")
            for i in range(15)]
    Log.objects.bulk_create(rows)
    saved = {lg.reference: lg for lg in Log.objects.filter(reference__startswith="19990202-")}
    parties = [LogParty(log=saved[lg.reference], role="location", address=place, at=lg.created_at) for lg in rows]
    busy = saved["19990202-00014"]
    parties += [LogParty(log=busy, role="witness", address=place, at=busy.created_at + timedelta(minutes=m))
                for m in range(1, 60)]
    LogParty.objects.bulk_create(parties)
    ctx = lookup(people, address=MS_A_HOME)
    assert [h["log"] for h in ctx.history] == [f"19990202-{i:05d}" for i in range(14, 4, -1)]
    assert ctx.history_total == 15


@pytest.mark.safeguard("C1")
def test_on_postgresql_each_read_is_one_prepared_statement_planned_once_however_many_match(people):
    """Planning cost PostgreSQL more than running the panel's reads, so each read is one statement whatever
    the number of phones, places and people matched (ids go as one array), prepared and kept with its
    generic plan: a lookup matching one person and one matching two run the same statements."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements and plan caching are PostgreSQL's; SQLite plans in process")
    ms_a_history(people)

    def prepared() -> list[tuple[str, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                           " WHERE statement LIKE %s", ["%people_%"])
            return cursor.fetchall()

    # Raising a log reads the context too (the people it proposes, C1): count only these two lookups' runs.
    before = {statement: generic for statement, generic, _ in prepared()}
    one = lookup(people, phone="07700900411")
    two = lookup(people, name="Archer")
    assert (len(one.people), len(two.people)) == (1, 2)
    after = prepared()
    assert after and all(custom == 0 for _, _, custom in after), after
    # The panel's eight lists and the places of the people matched ran in both lookups, as one statement each.
    assert sum(generic - before.get(statement, 0) == 2 for statement, generic, _ in after) >= 9, after


def test_a_lookup_of_nothing_known_is_empty_but_well_formed(people):
    ctx = lookup(people, phone="07700 900000", address="1 Nowhere Road", name="Nobody Atall")
    assert ctx.as_dict() == {"phones": [], "addresses": [], "people": [], "history": [], "history_total": 0,
                             "markers": [], "schemes": [], "orders": [], "linked": [], "firearms": [], "flags": [],
                             "grade_floor": None}
    with pytest.raises(Invalid):
        lookup(people, address="x" * 301)
