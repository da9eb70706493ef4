"""One officer-safety summary per log (L12, C1, M1, M3, M4): computed from the log's parties, the people
linked to them, its addresses and phones; the same badges in the log's JSON and header, the dispatch board
rows (snapshot and live events), the crew's unit page and API, and the circulation a unit is given. "None
recorded" only when nothing is held on any of them; read for a whole board in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integration.dispatch.conftest import T0
from tests.support.factories import fresh
from watchkeeper.core import clock
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Assignment
from watchkeeper.incidents import hooks
from watchkeeper.incidents.models import Notification
from watchkeeper.people import actions as people
from watchkeeper.people import summary as risk
from watchkeeper.people.models import SpecialScheme
from watchkeeper.realtime.models import Event

pytestmark = pytest.mark.django_db

JANE_PHONE = "07700 900411"
HOME = "3 Mill Lane, Kingsbridge KB1 1AA"
GUNS = "3 Mill Lane, Kingsbridge KB1 1AA"


def review_day() -> date:
    return clock.local(clock.now()).date() + timedelta(days=90)


@pytest.fixture
def moores(desk, at):
    """Jane Moore (who will ring) and Gary Moore, her ex-partner: he holds firearms certificate 1234 for guns
    kept at 3 Mill Lane, and a non-molestation order restricts him and protects her."""
    inv = desk.actor("investigator")
    jane = people.create_person(inv, given_names="Jane", family_name="Moore")
    people.add_phone_use(inv, jane.pk, JANE_PHONE)
    gary = people.create_person(inv, given_names="Gary", family_name="Moore")
    people.relate(inv, jane.pk, gary.pk, "ex_partner")
    people.add_residence(inv, gary.pk, GUNS)
    people.add_certificate(inv, holder_id=gary.pk, address=GUNS, number="1234",
                           expires_on=date(2027, 1, 31))
    people.create_order(inv, kind="non_molestation", restricted_id=gary.pk, protected_person_ids=[jane.pk],
                        conditions="Not to contact Jane Moore", starts_on=date(2026, 1, 1),
                        ends_on=date(2026, 12, 31))
    return jane, gary


def domestic(desk, jane):
    log = desk.log(category="domestic_incident", phone=JANE_PHONE, caller="Jane Moore", location="22 Oak Road",
                   account="My ex is outside shouting; he has guns at his house.")
    people.link_party(desk.actor("handler"), log.reference, role="caller", person_id=jane.pk)
    return fresh(log)


def kinds(rs) -> list[str]:
    return [b["kind"] for b in rs["badges"]]


@pytest.mark.safeguard("L12", "C1", "M3", "M4")
def test_a_domestic_log_carries_the_linked_ex_partners_certificate_and_order_everywhere(desk, at, moores):
    jane, gary = moores
    log = domestic(desk, jane)
    rs = risk.summary(log)
    assert rs["none_recorded"] is False
    assert kinds(rs)[:2] == ["firearms_certificate", "order"]
    cert = rs["badges"][0]
    assert cert["text"] == ("Firearms — Gary Moore (ex-partner of caller Jane Moore) holds certificate 1234 at "
                            "3 Mill Lane, Kingsbridge KB1 1AA (until 31/01/2027)")
    assert (cert["group"], cert["subject"], cert["label"]) == ("risk", "Gary Moore", "Firearms certificate")
    order = rs["badges"][1]
    assert "Gary Moore (ex-partner of caller Jane Moore) is restricted by a non-molestation order" in order["text"]
    assert "protecting Jane Moore" in order["text"]
    # The certificate's own markers (on him and on the address) are the same fact: one badge, not three.
    assert kinds(rs).count("firearms_certificate") == 1

    # The log's JSON and its page header.
    api = desk.client("handler").get(f"/api/logs/{log.reference}").json()
    assert api["risk_summary"] == rs
    desk.client("handler")
    page = _page(desk, "handler", f"/logs/{log.reference}/")
    assert "Officer safety" in page and "Firearms certificate: Gary Moore" in page and "risk-badge" in page

    # Graded: the dispatch board row (snapshot and its JSON) carries the same summary.
    log = desk.grade(log, "emergency")
    assert boards.snapshot()["logs"][log.reference]["risk_summary"] == rs
    board = desk.client("dispatcher").get("/api/boards/dispatch").json()
    assert board["logs"][log.reference]["risk_summary"] == rs
    assert "Firearms certificate: Gary Moore" in _page(desk, "dispatcher", "/dispatch/")

    # A unit is sent: the circulation it is given, the crew's notification, its page and API.
    desk.unit("AB12", crew=("officer",))
    a = desk.assign(log, "AB12")
    circ = Assignment.objects.get(pk=a.pk).summary
    assert circ["risk_summary"] == rs
    assert [m["text"] for m in circ["markers"]] == [b["text"] for b in rs["badges"]]
    note = Notification.objects.get(recipient=desk.people.officer, kind="unit_assigned")
    assert cert["text"] in note.text and "Markers: none" not in note.text
    unit = _page(desk, "officer", "/dispatch/units/AB12/")
    assert "Firearms certificate: Gary Moore" in unit and cert["text"] in unit
    assert "None recorded" not in unit.split("Officer safety", 1)[1].split("Risks (THRIVE)")[0]
    body = desk.client("officer").get("/api/units/AB12/assignments").json()
    assert body[0]["summary"]["risk_summary"] == rs
    # So does the L12 circulation of the log itself.
    assert desk.client("handler").get(f"/api/logs/{log.reference}/circulation").json()["risk_summary"] == rs


def _page(desk, who: str, path: str) -> str:
    from django.test import Client

    c = Client()
    c.force_login(getattr(desk.people, who))
    r = c.get(path)
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


@pytest.mark.safeguard("L12", "M1")
def test_none_recorded_only_when_nothing_is_held_on_anyone(desk, at):
    inv = desk.actor("investigator")
    sam = people.create_person(inv, given_names="Sam", family_name="Clean")
    log = desk.log(phone="07700 900222", location="5 Quiet Close")
    people.link_party(desk.actor("handler"), log.reference, role="caller", person_id=sam.pk)
    rs = risk.summary(log)
    assert rs["none_recorded"] is True and rs["badges"] == []
    assert rs["checked"]["people"] == 1 and rs["checked"]["phones"] == 1
    log = desk.grade(log, "priority")
    desk.unit("AB12", crew=("officer",))
    desk.assign(log, "AB12")
    unit = _page(desk, "officer", "/dispatch/units/AB12/")
    assert '<span class="risk-none">None recorded</span>' in unit
    note = Notification.objects.get(recipient=desk.people.officer, kind="unit_assigned")
    assert "Markers: none recorded" in note.text

    # A marker on a linked person (his partner) is enough to lift "none recorded".
    partner = people.create_person(inv, given_names="Pat", family_name="Clean")
    people.relate(inv, partner.pk, sam.pk, "partner")
    people.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=partner.pk,
                      note="Assaulted police 2024")
    rs = risk.summary(log)
    assert rs["none_recorded"] is False
    assert rs["badges"][0]["text"] == "Violence — Pat Clean (partner of caller Sam Clean): Assaulted police 2024"
    unit = _page(desk, "officer", "/dispatch/units/AB12/")
    assert "Violence: Pat Clean" in unit


@pytest.mark.safeguard("L12", "M1", "M2", "M4")
def test_what_is_no_longer_in_force_is_not_shown_and_an_overdue_scheme_still_is(desk, at):
    inv = desk.actor("investigator")
    ann = people.create_person(inv, given_names="Ann", family_name="Holder")
    people.add_residence(inv, ann.pk, "8 Elm Row, Kingsbridge")
    people.add_certificate(inv, holder_id=ann.pk, address="8 Elm Row, Kingsbridge", number="77",
                           expires_on=date(2026, 3, 10))
    m = people.add_marker(inv, kind="weapons", source="Intel", review_at=review_day(), address="8 Elm Row, Kingsbridge")
    people.end_marker(inv, m.pk, reason="Reviewed: no longer applies")
    scheme = people.create_scheme(inv, victim_id=ann.pk, reason="Stalking victim", victim_told_how="In person",
                                  address="8 Elm Row, Kingsbridge", ends_at=T0 + timedelta(days=20))
    log = desk.log(location="8 Elm Row, Kingsbridge", phone="07700 900333")
    rs = risk.summary(log)
    # Ann lives at the log's address: her certificate (and the scheme on the address) count; the ended
    # weapons marker does not.
    assert "weapons" not in kinds(rs)
    assert kinds(rs) == ["firearms_certificate", "special_scheme"]  # the certificate's markers are the same fact
    assert rs["badges"][0]["text"].startswith("Firearms — Ann Holder (lives at 8 Elm Row, Kingsbridge) holds "
                                              "certificate 77")
    # Past the certificate's expiry and the scheme's end date without a decision: the certificate is not
    # held any more (its markers stay until someone reviews them); the scheme is still in force, its review
    # overdue.
    at.move_to(T0 + timedelta(days=21))
    rs = risk.summary(log)
    assert not any("holds certificate" in b["text"] for b in rs["badges"])
    assert [b["label"] for b in rs["badges"] if b["kind"] == "firearms_certificate"] == [
        "Firearms certificate holder", "Firearms certificate holder"]
    [sch] = [b for b in rs["badges"] if b["kind"] == "special_scheme"]
    assert sch["label"] == "Special scheme (review overdue)" and "REVIEW OVERDUE" in sch["text"]
    # Removed after a recorded attempt to contact the victim: gone.
    people.record_victim_contact(inv, scheme.pk, channel="phone", outcome="Spoke to Ann", reached=True)
    people.remove_scheme(inv, scheme.pk, reason="Ann has moved away")
    assert SpecialScheme.objects.get(pk=scheme.pk).removed_at is not None
    assert "special_scheme" not in kinds(risk.summary(log))


@pytest.mark.safeguard("L12")
def test_a_board_reads_every_rows_summary_in_a_bounded_number_of_queries(desk, at, moores):
    jane, _ = moores
    refs = [domestic(desk, jane).pk for _ in range(2)]
    with CaptureQueriesContext(connection) as two:
        few = hooks.risk_summaries(refs)
    refs += [domestic(desk, jane).pk for _ in range(5)]
    with CaptureQueriesContext(connection) as seven:
        many = hooks.risk_summaries(refs)
    assert len(seven.captured_queries) == len(two.captured_queries)
    assert all(kinds(many[pk])[:2] == ["firearms_certificate", "order"] for pk in refs)
    assert few[refs[0]] == many[refs[0]]


@pytest.mark.safeguard("L12")
def test_linking_a_party_republishes_the_board_row_with_the_new_summary(desk, at, moores):
    jane, _ = moores
    log = desk.grade(desk.log(phone="07700 900999", location="40 Far Street"), "emergency")
    board = boards.snapshot()
    assert board["logs"][log.reference]["risk_summary"]["none_recorded"] is True
    people.link_party(desk.actor("handler"), log.reference, role="victim", person_id=jane.pk)
    for e in Event.objects.filter(topic="dispatch", seq__gt=board["seq"]).order_by("seq"):
        boards.apply(board, e.payload)
    assert board["logs"][log.reference] == boards.snapshot()["logs"][log.reference]
    assert kinds(board["logs"][log.reference]["risk_summary"])[:2] == ["firearms_certificate", "order"]


# --------------------------------------------------------------------------------------------------------
# What is held on someone changes while their log is open: the board row and the log page show it at once.
def _events_after(seq: int, topic: str) -> list[Event]:
    return list(Event.objects.filter(topic=topic, seq__gt=seq).order_by("seq"))


def _row_events(seq: int) -> dict[str, list[dict]]:
    """The dispatch board's log-row events after `seq`, by log reference."""
    found: dict[str, list[dict]] = {}
    for e in _events_after(seq, "dispatch"):
        if e.kind == "row" and e.payload["table"] == "logs":
            found.setdefault(e.payload["key"], []).append(e.payload)
    return found


def _applied(board: dict) -> dict:
    for e in _events_after(board["seq"], "dispatch"):
        boards.apply(board, e.payload)
    return board


def _marker(inv, **on):
    return people.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), note="Assaulted police",
                             **on)


def _order(inv, ex, caller):
    return people.create_order(inv, kind="bail_conditions", restricted_id=ex.pk, protected_person_ids=[caller.pk],
                               conditions="Not to enter Kingsbridge", starts_on=date(2026, 3, 1))


def _certificate(inv, ex, caller):
    return people.add_certificate(inv, holder_id=ex.pk, address="9 Shot Lane, Kingsbridge", number="5678",
                                  expires_on=date(2027, 6, 30))


CHANGES = {
    # what an investigator does to the caller's linked ex-partner -> the badge the row gains (and its words)
    "marker": (lambda inv, ex, caller: _marker(inv, person_id=ex.pk), "violence",
               "Violence — Lee Stone (ex-partner of caller Kim Stone): Assaulted police"),
    "order": (_order, "order", "Lee Stone (ex-partner of caller Kim Stone) is restricted by a bail conditions"),
    "certificate": (_certificate, "firearms_certificate",
                    "Firearms — Lee Stone (ex-partner of caller Kim Stone) holds certificate 5678 at 9 Shot Lane"),
}


@pytest.mark.safeguard("L12", "M1", "M3", "M4")
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_the_linked_ex_partner_republishes_the_open_logs_board_row(desk, at, change):
    inv = desk.actor("investigator")
    kim = people.create_person(inv, given_names="Kim", family_name="Stone")
    lee = people.create_person(inv, given_names="Lee", family_name="Stone")
    people.relate(inv, kim.pk, lee.pk, "ex_partner")
    log = desk.log(category="domestic_incident", phone="07700 900432", caller="Kim Stone", location="4 Ash Way",
                   account="My ex keeps turning up at the door.")
    people.link_party(desk.actor("handler"), log.reference, role="caller", person_id=kim.pk)
    log = desk.grade(fresh(log), "emergency")
    board = boards.snapshot()
    assert board["logs"][log.reference]["risk_summary"]["none_recorded"] is True
    do, kind, words = CHANGES[change]
    do(inv, lee, kim)
    # One row event for the log, carrying the new badge: the board that applies it equals a fresh snapshot.
    [event] = _row_events(board["seq"])[log.reference]
    row = _applied(board)["logs"][log.reference]
    assert row == event["row"] == boards.snapshot()["logs"][log.reference]
    assert row["risk_summary"]["none_recorded"] is False
    [badge] = row["risk_summary"]["badges"]
    assert badge["kind"] == kind and words in badge["text"], badge
    # The log page (its header is the live part refreshed on "log_changed") hears of it too.
    [told] = [e for e in _events_after(board["seq"], f"log:{log.pk}") if e.kind == "log.changed"]
    assert told.payload == {"reference": log.reference, "risk_summary": "changed"}
    assert told.log_version is None  # not a new version of the log: nobody's form on it goes stale (L4)


@pytest.mark.safeguard("L12", "M1", "M2")
def test_ending_a_marker_and_a_scheme_on_the_log_republish_the_row_without_them(desk, at, moores):
    jane, gary = moores
    inv = desk.actor("investigator")
    log = desk.grade(domestic(desk, jane), "emergency")
    m = _marker(inv, phone=JANE_PHONE)  # on the caller's phone, which is on the log
    scheme = people.create_scheme(inv, victim_id=jane.pk, reason="Stalking", victim_told_how="By phone",
                                  phone=JANE_PHONE, ends_at=T0 + timedelta(days=30))
    row = boards.snapshot()["logs"][log.reference]
    assert {"violence", "special_scheme"} <= set(kinds(row["risk_summary"]))
    board = boards.snapshot()
    people.end_marker(inv, m.pk, reason="Reviewed: no longer applies")
    assert "violence" not in kinds(_applied(board)["logs"][log.reference]["risk_summary"])
    # Extended past its end date: the row says "review overdue" no longer.
    at.move_to(T0 + timedelta(days=31))
    assert kinds(boards.snapshot()["logs"][log.reference]["risk_summary"]).count("special_scheme") == 1
    board = boards.snapshot()
    people.extend_scheme(inv, scheme.pk, until=T0 + timedelta(days=60), reason="Reviewed with Jane")
    [sch] = [b for b in _applied(board)["logs"][log.reference]["risk_summary"]["badges"]
             if b["kind"] == "special_scheme"]
    assert sch["label"] == "Special scheme"
    people.record_victim_contact(inv, scheme.pk, channel="phone", outcome="Spoke to Jane", reached=True)
    board = boards.snapshot()
    people.remove_scheme(inv, scheme.pk, reason="Jane has moved away")
    row = _applied(board)["logs"][log.reference]
    assert "special_scheme" not in kinds(row["risk_summary"])
    assert row == boards.snapshot()["logs"][log.reference]


@pytest.mark.safeguard("L12", "C1")
def test_a_new_link_to_a_marked_person_republishes_the_rows_of_the_logs_it_links(desk, at):
    """A relationship, a residence at the log's address or a phone on the log makes a marked person feed the
    log's summary: the row shows them at once."""
    inv = desk.actor("investigator")
    sam = people.create_person(inv, given_names="Sam", family_name="Clean")
    log = desk.grade(desk.log(phone="07700 900222", location="5 Quiet Close, Kingsbridge"), "priority")
    people.link_party(desk.actor("handler"), log.reference, role="caller", person_id=sam.pk)
    marked = {}
    for name in ("Partner", "Lodger", "Texter"):
        marked[name] = people.create_person(inv, given_names=name, family_name="Hard")
        _marker(inv, person_id=marked[name].pk)
    assert boards.snapshot()["logs"][log.reference]["risk_summary"]["none_recorded"] is True

    for name, link, how in [
        ("Partner", lambda p: people.relate(inv, p.pk, sam.pk, "partner"), "partner of caller Sam Clean"),
        ("Lodger", lambda p: people.add_residence(inv, p.pk, "5 Quiet Close, Kingsbridge"),
         "lives at 5 Quiet Close"),
        ("Texter", lambda p: people.add_phone_use(inv, p.pk, "07700 900222"), "uses +447700900222"),
    ]:
        board = boards.snapshot()
        link(marked[name])
        row = _applied(board)["logs"][log.reference]
        assert any(f"{name} Hard ({how}" in b["text"] for b in row["risk_summary"]["badges"]), name
        assert row == boards.snapshot()["logs"][log.reference]

    # The lodger moves out: the log no longer shows them.
    board = boards.snapshot()
    people.add_residence(inv, marked["Lodger"].pk, "1 Far Away Road, Northtown")
    row = _applied(board)["logs"][log.reference]
    assert not any("Lodger Hard" in b["text"] for b in row["risk_summary"]["badges"])


@pytest.mark.safeguard("L12")
def test_closed_logs_and_logs_not_fed_are_not_republished(desk, at, moores):
    jane, gary = moores
    closed = desk.grade(desk.log(phone="07700 900555", location="7 Old Street"), "scheduled")
    people.link_party(desk.actor("handler"), closed.reference, role="victim", person_id=jane.pk)
    closed = desk.close(closed)
    assert closed.status == "closed"
    other = desk.grade(desk.log(phone="07700 900666", location="8 Other Street"), "emergency")  # nobody linked
    log = desk.grade(domestic(desk, jane), "emergency")
    seq = boards.snapshot()["seq"]
    _marker(desk.actor("investigator"), person_id=gary.pk)
    assert set(_row_events(seq)) == {log.reference}
    assert not _events_after(seq, f"log:{closed.pk}") and not _events_after(seq, f"log:{other.pk}")
    # A vehicle marker feeds no summary: nothing is published.
    seq = boards.snapshot()["seq"]
    _marker(desk.actor("investigator"), vehicle="AB12CDE")
    assert _row_events(seq) == {} and not _events_after(seq, f"log:{log.pk}")


@pytest.mark.safeguard("L12")
def test_an_open_log_that_a_fed_log_was_merged_into_is_republished(desk, at, moores):
    jane, gary = moores
    first = domestic(desk, jane)
    # Jane rang again about the same thing; her second log is the one kept (she is not on it herself).
    survivor = desk.grade(desk.log(phone=JANE_PHONE, caller="Jane Moore", location="22 Oak Road"), "emergency")
    from watchkeeper.incidents import actions as logs

    logs.merge_logs(desk.actor("handler"), first.reference, survivor.reference, reason="The same incident")
    board = boards.snapshot()
    _marker(desk.actor("investigator"), person_id=gary.pk)
    assert set(_row_events(board["seq"])) == {survivor.reference}
    assert "violence" in kinds(_applied(board)["logs"][survivor.reference]["risk_summary"])


@pytest.mark.safeguard("L12")
def test_the_number_of_logs_republished_is_bounded_by_policy(desk, at, moores):
    """A person on many open logs: at most `risk_republish_max_logs` (the newest) are republished, in a number
    of queries that does not grow with the number of logs; the rest are right when next read."""
    from watchkeeper.core.config import set_policy

    jane, gary = moores
    inv = desk.actor("investigator")
    set_policy(desk.actor("admin"), "risk_republish_max_logs", 3, reason="Test a small cap")
    logs_ = [desk.grade(domestic(desk, jane), "priority") for _ in range(4)]
    seq = boards.snapshot()["seq"]
    with CaptureQueriesContext(connection) as four:
        _marker(inv, person_id=gary.pk)
    newest = [log.reference for log in logs_[-3:]]
    assert sorted(_row_events(seq)) == sorted(newest)
    assert len([e for e in Event.objects.filter(seq__gt=seq, kind="log.changed")]) == 3
    # The one left out shows the marker when read (reload).
    assert "violence" in kinds(boards.snapshot()["logs"][logs_[0].reference]["risk_summary"])

    logs_ += [desk.grade(domestic(desk, jane), "priority") for _ in range(4)]
    seq = boards.snapshot()["seq"]
    with CaptureQueriesContext(connection) as eight:
        _marker(inv, person_id=gary.pk)
    assert sorted(_row_events(seq)) == sorted(log.reference for log in logs_[-3:])
    assert len(eight.captured_queries) == len(four.captured_queries)


@pytest.mark.safeguard("L12", "M1")
def test_a_marker_added_through_the_api_reaches_the_board_row(desk, at, moores):
    jane, gary = moores
    log = desk.grade(domestic(desk, jane), "emergency")
    board = boards.snapshot()
    r = desk.client("investigator").post("/api/markers", {
        "kind": "weapons", "source": "Intelligence report 42", "review_at": review_day().isoformat(),
        "person_id": gary.pk, "note": "Carries a knife"}, content_type="application/json")
    assert r.status_code == 201, r.content
    row = _applied(board)["logs"][log.reference]
    assert any(b["kind"] == "weapons" and "Gary Moore" in b["text"] for b in row["risk_summary"]["badges"])
    # The crew's unit page and the log's header read the same summary.
    assert row["risk_summary"] == risk.summary(log)


@pytest.mark.safeguard("L12", "M2")
def test_a_scheme_passing_its_end_date_undecided_republishes_the_row_as_review_overdue(desk, at, moores):
    jane, _ = moores
    inv = desk.actor("investigator")
    log = desk.grade(domestic(desk, jane), "emergency")
    people.create_scheme(inv, victim_id=jane.pk, reason="Stalking", victim_told_how="By phone", phone=JANE_PHONE,
                         ends_at=T0 + timedelta(days=30))
    board = boards.snapshot()
    at.move_to(T0 + timedelta(days=30, minutes=1))
    assert people.fire_scheme_deadlines(clock.now()) >= 1  # its review task, and the end date passing
    row = _applied(board)["logs"][log.reference]
    [sch] = [b for b in row["risk_summary"]["badges"] if b["kind"] == "special_scheme"]
    assert sch["label"] == "Special scheme (review overdue)"
    assert row == boards.snapshot()["logs"][log.reference]
    # The daily escalations that follow change nothing on the row, so they announce nothing.
    seq = boards.snapshot()["seq"]
    at.move_to(T0 + timedelta(days=31, minutes=2))
    assert people.fire_scheme_deadlines(clock.now()) == 1
    assert Notification.objects.filter(kind="scheme_overdue").count() >= 2
    assert log.reference not in _row_events(seq)
