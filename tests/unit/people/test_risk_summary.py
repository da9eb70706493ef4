"""The officer-safety summary's rule (people.summary.compose): plain facts in, badges out (L12, M1, M3, M4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from watchkeeper.people.summary import (
    CertificateFact,
    Facts,
    MarkerFact,
    OrderFact,
    SchemeFact,
    Subject,
    compose,
    relation_words,
    scheme_in_force,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = Subject("person", 1, "Jane Moore", "caller")
EX = Subject("person", 2, "Gary Moore", "ex-partner of caller Jane Moore")
HOME = Subject("address", 10, "3 Mill Lane", "location")
PHONE = Subject("phone", 20, "+447700900411", "caller")


def cert(holder: int = 2, address: int = 10, number: str = "1234") -> CertificateFact:
    return CertificateFact(1, holder, "Gary Moore", address, "3 Mill Lane", number, date(2027, 1, 31))


@pytest.mark.safeguard("L12", "M1")
def test_nothing_held_on_anyone_is_none_recorded_with_what_was_looked_at():
    out = compose(Facts(subjects=[CALLER, HOME, PHONE]))
    assert out == {"badges": [], "none_recorded": True, "checked": {"people": 1, "addresses": 1, "phones": 1}}
    assert compose(Facts())["checked"] == {"people": 0, "addresses": 0, "phones": 0}


@pytest.mark.safeguard("L12", "M4")
def test_a_linked_persons_certificate_says_who_how_and_where():
    out = compose(Facts(subjects=[CALLER, EX], certificates=[cert()]))
    [b] = out["badges"]
    assert b["text"] == ("Firearms — Gary Moore (ex-partner of caller Jane Moore) holds certificate 1234 at "
                         "3 Mill Lane (until 31/01/2027)")
    assert (b["kind"], b["group"], b["shape"], b["subject"], b["where"]) == (
        "firearms_certificate", "risk", "▲", "Gary Moore", "3 Mill Lane")
    assert out["none_recorded"] is False


@pytest.mark.safeguard("M4", "M1")
def test_a_certificates_own_markers_on_the_holder_and_the_address_are_one_badge():
    markers = [MarkerFact("firearms_certificate", "Firearms certificate holder", ("person", 2)),
               MarkerFact("firearms_certificate", "Firearms certificate holder", ("address", 10))]
    out = compose(Facts(subjects=[EX, HOME], certificates=[cert()], markers=markers))
    assert [b["kind"] for b in out["badges"]] == ["firearms_certificate"]


@pytest.mark.safeguard("M1")
def test_markers_on_people_places_and_phones_risk_first_then_care():
    markers = [MarkerFact("vulnerability", "Vulnerability", ("person", 1)),
               MarkerFact("weapons", "Weapons", ("address", 10), note="Knives kept in the shed"),
               MarkerFact("violence", "Violence", ("phone", 20)),
               MarkerFact("violence", "Violence", ("person", 99))]  # not anyone looked at: ignored
    out = compose(Facts(subjects=[CALLER, HOME, PHONE], markers=markers))
    assert [b["text"] for b in out["badges"]] == [
        "Weapons — 3 Mill Lane (location): Knives kept in the shed",
        "Violence — +447700900411 (caller)",
        "Vulnerability — Jane Moore (caller)",
    ]
    assert [b["group"] for b in out["badges"]] == ["risk", "risk", "care"]


@pytest.mark.safeguard("M3")
def test_an_order_from_the_restricted_side_and_from_the_protected_side():
    order = OrderFact(5, "Non-molestation order", 2, "Gary Moore", ((1, "Jane Moore"),), ((10, "3 Mill Lane"),),
                      date(2026, 12, 31), "Not to contact Jane Moore")
    restricted = compose(Facts(subjects=[EX], orders=[order]))["badges"][0]
    assert restricted["text"] == (
        "Order — Gary Moore (ex-partner of caller Jane Moore) is restricted by a non-molestation order until "
        "31/12/2026, protecting Jane Moore, 3 Mill Lane: Not to contact Jane Moore")
    protected = compose(Facts(subjects=[CALLER], orders=[order]))["badges"][0]
    assert protected["text"].startswith("Order — Jane Moore (caller) protected by a non-molestation order until "
                                        "31/12/2026 restricting Gary Moore")
    assert protected["subject"] == "Gary Moore" and protected["group"] == "order"
    # The same order reached from both sides is one badge.
    assert len(compose(Facts(subjects=[CALLER, EX], orders=[order, order]))["badges"]) == 1


@pytest.mark.safeguard("M2", "D5")
def test_a_scheme_in_force_and_one_whose_review_is_overdue():
    def scheme(overdue: bool) -> SchemeFact:
        return SchemeFact(7, 1, "Jane Moore", 10, "3 Mill Lane", None, "", "emergency", NOW, overdue)

    live = compose(Facts(subjects=[HOME], schemes=[scheme(False)]), lambda c: c.title())["badges"][0]
    assert live["text"] == "Special scheme — 3 Mill Lane (victim Jane Moore); calls graded no lower than Emergency"
    overdue = compose(Facts(subjects=[HOME], schemes=[scheme(True)]))["badges"][0]
    assert overdue["label"] == "Special scheme (review overdue)" and "REVIEW OVERDUE (still in force)" in overdue[
        "text"]


@pytest.mark.safeguard("M2")
@pytest.mark.parametrize(("removed", "starts", "ends", "expected"), [
    (None, -1, 1, (True, False)),
    (None, -10, -1, (True, True)),   # past its end, nobody decided: still in force
    (None, 1, 10, (False, False)),   # not started
    (-1, -10, 10, (False, False)),   # removed
])
def test_scheme_in_force(removed, starts, ends, expected):
    day = timedelta(days=1)
    assert scheme_in_force(NOW + removed * day if removed else None, NOW + starts * day, NOW + ends * day,
                           NOW) == expected


def test_relation_words():
    assert relation_words("ex_partner") == "ex-partner"
    assert relation_words("parent", linked_is_parent=True) == "parent"
    assert relation_words("parent", linked_is_parent=False) == "child"
    assert relation_words("associate") == "associate"


@pytest.mark.safeguard("M3")
def test_an_orders_restricted_activities_are_in_its_sentence():
    order = OrderFact(6, "Sexual harm prevention order", 2, "Gary Moore", (), (), None, "",
                      ("no unsupervised internet use",))
    [b] = compose(Facts(subjects=[EX], orders=[order]))["badges"]
    assert b["text"] == ("Order — Gary Moore (ex-partner of caller Jane Moore) is restricted by a sexual harm "
                         "prevention order (restricted: no unsupervised internet use)")
