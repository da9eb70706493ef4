"""C5: numbers written in free text; C1: who the context proposes for a log. Pure rules, no database."""

from __future__ import annotations

import pytest

from watchkeeper.people.rules import OFFICER_SAFETY_MARKERS, mentioned_numbers, proposed_parties


@pytest.mark.safeguard("C5")
@pytest.mark.parametrize(("text", "numbers"), [
    ("call 07700 900456 now", ["+447700900456"]),
    ("+44 7700 900456", ["+447700900456"]),
    ("0044 7700 900456", ["+447700900456"]),
    ("landline 0117 496 0123", ["+441174960123"]),
    ("(0117) 496 0123", ["+441174960123"]),
    ("his US number +1 202 555 0143", ["+12025550143"]),
    ("ring 020 7946 0018 or 0800 123 4567", ["+442079460018", "+448001234567"]),
    ("07700-900-456", ["+447700900456"]),
    ("07700900456,01174960123", ["+447700900456", "+441174960123"]),
    ("07700 900001, 07700 900002 and 07700 900003", ["+447700900001", "+447700900002", "+447700900003"]),
    ("the same 07700 900456 and again +447700900456", ["+447700900456"]),
])
def test_phone_numbers_in_uk_and_international_formats_are_found_once_each(text, numbers):
    assert mentioned_numbers(text, 10) == numbers


@pytest.mark.safeguard("C5")
@pytest.mark.parametrize("text", [
    "Log 20261207-0001 refers",
    "on 07/12/2026 at 14:30",
    "2026-12-07",
    "12/03/2024 12:30",
    "he owes £1,250.00 or 12500",
    "paid £07700 900456",
    "CAD 1234567890",
    "call 999 or 101",
    "flat 12, 14 High Street, KB1 2AA",
    "",
])
def test_dates_times_references_money_and_bare_digits_are_not_numbers(text):
    assert mentioned_numbers(text, 10) == []


@pytest.mark.safeguard("C5")
def test_at_most_the_limit_is_taken_in_order_of_appearance():
    text = "07700 900001, 07700 900002, 07700 900003"
    assert mentioned_numbers(text, 2) == ["+447700900001", "+447700900002"]
    assert mentioned_numbers(text, 0) == []


@pytest.mark.safeguard("C1")
def test_the_phones_user_is_proposed_as_caller_and_linked_people_with_officer_safety_markers_as_involved():
    people = [{"id": 1, "name": "Rachel Moore", "why": "uses this phone"},
              {"id": 2, "name": "Amy Moore", "why": "lives at this address", "marker_kinds": ["child_protection"]},
              {"id": 3, "name": "Len Lodger", "why": "lives at this address", "marker_kinds": ["weapons"]}]
    linked = [{"id": 4, "name": "Gary Moore", "relationship": "Ex-partner",
               "markers": [{"kind": "violence"}, {"kind": "firearms_certificate"}, {"kind": "violence"}]},
              {"id": 5, "name": "Fran Friend", "relationship": "Associate", "markers": [{"kind": "vulnerability"}]},
              {"id": 1, "name": "Rachel Moore", "relationship": "Family", "markers": [{"kind": "violence"}]}]
    got = proposed_parties(people, linked)
    assert [(p.person_id, p.role) for p in got] == [(1, "caller"), (4, "involved"), (3, "involved")]
    assert got[1].markers == ("violence", "firearms_certificate") and got[1].why == "ex-partner"
    assert got[2].why == "household member"


@pytest.mark.safeguard("C1")
def test_with_no_phone_user_only_a_sole_resident_is_presumed_the_caller():
    one = [{"id": 7, "name": "Sole Resident", "why": "lives at this address"}]
    assert [(p.person_id, p.role) for p in proposed_parties(one, [])] == [(7, "caller")]
    two = [*one, {"id": 8, "name": "Other Resident", "why": "lives at this address"}]
    assert proposed_parties(two, []) == []
    by_name = [{"id": 9, "name": "Named", "why": "name"}]
    assert proposed_parties(by_name, []) == []


@pytest.mark.safeguard("C1")
def test_officer_safety_markers_are_the_ones_that_endanger_attending_officers():
    assert {"firearms", "firearms_certificate", "weapons", "violence"} <= OFFICER_SAFETY_MARKERS
    assert "vulnerability" not in OFFICER_SAFETY_MARKERS and "child_protection" not in OFFICER_SAFETY_MARKERS


@pytest.mark.safeguard("C1")
def test_a_person_found_by_name_who_also_uses_the_phone_is_still_the_proposed_caller():
    people = [{"id": 1, "name": "Rachel Moore", "why": "name", "also": ["uses this phone"]},
              {"id": 2, "name": "Rae Moor", "why": "name"}]
    got = proposed_parties(people, [])
    assert [(p.person_id, p.role, p.why) for p in got] == [(1, "caller", "uses this phone")]
