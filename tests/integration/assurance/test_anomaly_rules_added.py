"""A2 access audit through the real database, for the rules beyond repeated views: a high volume of contact
between one member of staff and a vulnerable person, views outside the viewer's area, searches naming a person
on the watch list, and cases (P1) as involvement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import anomalies
from watchkeeper.assurance.models import AnomalyFlag, AnomalyRun
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions as cases
from watchkeeper.core import clock
from watchkeeper.core.models import PolicySetting
from watchkeeper.dispatch.actions import create_unit
from watchkeeper.people import actions as people_actions
from watchkeeper.people.models import Person
from watchkeeper.search.actions import search
from watchkeeper.search.schemas import SearchIn

pytestmark = pytest.mark.django_db


def _vulnerable(p: Personas, given: str = "Vera", family: str = "Vulnerable", home: str = "") -> Person:
    person = people_actions.create_person(p.actor("investigator"), given_names=given, family_name=family)
    people_actions.add_marker(p.actor("investigator"), kind="vulnerability", source="Adult social care",
                              review_at=date.today() + timedelta(days=90), person_id=person.pk)
    if home:
        people_actions.add_residence(p.actor("investigator"), person.pk, home)
    return person


def _look(p: Personas, who: str, person: Person, n: int) -> None:
    for _ in range(n):
        people_actions.view_person(p.actor(who), person.pk, purpose="Checking")


def _flags(rule: str) -> set[tuple[int, int]]:
    return set(AnomalyFlag.objects.filter(rule=rule).values_list("user_id", "person_id"))


def _case_with_victim(p: Personas, person: Person, officer: str = "officer") -> int:
    case = cases.open_case(p.actor("supervisor"), kind="crime", title="Assault allegation",
                           officer_id=getattr(p, officer).pk)
    cases.add_party(p.actor(officer), case.pk, person_id=person.pk, role="victim")
    return case.pk


@pytest.mark.safeguard("A2")
@pytest.mark.safeguard("P1")
def test_a_case_the_viewer_works_on_justifies_their_views_and_nobody_elses(people: Personas) -> None:
    """P1 cases as involvement: the officer in charge and the supervisor of a case the person is on are never
    flagged for viewing her record; someone with no log, task or case on her is."""
    vera = _vulnerable(people)
    _case_with_victim(people, vera)
    _look(people, "officer", vera, 4)
    _look(people, "supervisor", vera, 4)
    _look(people, "investigator", vera, 3)
    anomalies.run()
    assert _flags("repeat_views") == {(people.investigator.pk, vera.pk)}


@pytest.mark.safeguard("A2")
def test_a_high_volume_of_contact_is_flagged_even_with_a_case_only_beyond_what_a_case_needs(
        people: Personas) -> None:
    """B31.4: contact logged on the case and views of her record count together within the window; with no
    case the lower threshold (6), with one the higher (10)."""
    vera = _vulnerable(people)
    case_id = _case_with_victim(people, vera)
    for day in range(8):
        cases.log_contact(people.actor("officer"), case_id, person_id=vera.pk, channel="phone",
                          summary="Checked how she is managing", at=clock.now() - timedelta(days=14 - day))
    _look(people, "officer", vera, 1)
    anomalies.run()
    assert _flags("high_contact") == set()  # nine: a case justifies that much
    _look(people, "officer", vera, 1)
    anomalies.run()
    assert _flags("high_contact") == {(people.officer.pk, vera.pk)}  # ten, across two runs
    flag = AnomalyFlag.objects.get(rule="high_contact")
    assert "10 contacts" in flag.detail and "even with a log or case" in flag.detail
    assert _flags("repeat_views") == set()  # her case justifies the views themselves
    # Someone with no case on her: six is a high volume (and the repeated views are flagged too).
    _look(people, "investigator", vera, 5)
    anomalies.run()
    assert (people.investigator.pk, vera.pk) not in _flags("high_contact")
    _look(people, "investigator", vera, 1)
    anomalies.run()
    assert (people.investigator.pk, vera.pk) in _flags("high_contact")
    assert "with no log, task or case" in AnomalyFlag.objects.get(rule="high_contact",
                                                                  user=people.investigator).detail


@pytest.mark.safeguard("A2")
def test_contact_outside_the_window_does_not_count(people: Personas) -> None:
    vera = _vulnerable(people)
    case_id = _case_with_victim(people, vera)
    for day in range(9):
        cases.log_contact(people.actor("officer"), case_id, person_id=vera.pk, channel="phone",
                          summary="Called", at=clock.now() - timedelta(days=60 + day))
    anomalies.run()
    _look(people, "officer", vera, 1)
    anomalies.run()
    assert _flags("high_contact") == set()


@pytest.mark.safeguard("A2")
def test_views_outside_the_viewers_area_are_flagged_by_the_area_of_the_units_they_crew(people: Personas) -> None:
    """A member of staff's area is that of the units they crew; a person's, their current address's postcode
    (policy outside_area.areas). Control-room staff (no unit) cover the whole force and are never flagged."""
    create_unit(people.actor("controller"), callsign="RM31", area="Moorland", area_type="rural",
                crew_ids=[people.officer.pk])
    create_unit(people.actor("controller"), callsign="KB11", area="Kingsbridge town", crew_ids=[people.supervisor.pk])
    town = _vulnerable(people, home="22 Quarry Lane, Kingsbridge KB3 7QL")
    nowhere = _vulnerable(people, given="Nora", family="Nowhere", home="1 High Street, Elsewhere ZZ9 9ZZ")
    for who in ("officer", "supervisor", "handler"):
        _look(people, who, town, 1)
        _look(people, who, nowhere, 1)
    anomalies.run()
    assert _flags("outside_area") == {(people.officer.pk, town.pk)}
    assert "living in Kingsbridge town by someone working in Moorland" in AnomalyFlag.objects.get(
        rule="outside_area").detail


@pytest.mark.safeguard("A2")
def test_searches_naming_a_watched_person_are_flagged_unless_involved(people: Personas) -> None:
    colin = people_actions.create_person(people.actor("investigator"), given_names="Colin James",
                                         family_name="League")
    anomalies.watch(people.actor("standards"), person_id=colin.pk, kind="colleague", reason="Works in the room")
    search(people.actor("handler"), SearchIn(q="colin league"))
    search(people.actor("dispatcher"), SearchIn(person="League"))  # a family name alone names nobody
    people_actions.context(people.actor("controller"), name="LEAGUE, James", purpose="Checking a caller")
    # The officer has a log with Colin on it: their search is justified.
    log = raise_log(people.actor("officer"))
    people_actions.link_party(people.actor("officer"), log.reference, role="witness", person_id=colin.pk)
    search(people.actor("officer"), SearchIn(q="Colin League"))
    run = anomalies.run()
    assert run is not None and run.scanned >= 4
    assert _flags("watch_list_searches") == {(people.handler.pk, colin.pk), (people.controller.pk, colin.pk)}


@pytest.mark.safeguard("A2")
def test_a_stored_policy_from_before_the_new_rules_runs_them_with_their_defaults(people: Personas) -> None:
    from watchkeeper.core.policy import DEFAULTS

    old = {k: v for k, v in DEFAULTS["anomaly_rules"].items()
           if k not in ("high_contact", "outside_area", "watch_list_searches")}
    PolicySetting.objects.create(key="anomaly_rules", value=old, changed_at=clock.now(), changed_by=people.admin,
                                 reason="Stored before the rules were added")
    vera = _vulnerable(people)
    _look(people, "investigator", vera, 6)
    anomalies.run()
    assert (people.investigator.pk, vera.pk) in _flags("high_contact")


@pytest.mark.safeguard("A2")
def test_professional_standards_run_the_rules_from_the_page_and_the_api_and_nobody_else(people: Personas) -> None:
    vera = _vulnerable(people)
    _look(people, "investigator", vera, 3)
    qa = Client()
    qa.force_login(people.qa)
    assert qa.post("/assurance/standards/do/run/").status_code == 403
    assert not AnomalyRun.objects.exists()
    ps = Client()
    ps.force_login(people.standards)
    assert ps.post("/assurance/standards/do/run/").status_code == 302
    run = AnomalyRun.objects.get()
    assert run.flagged == 1
    assert AuditRecord.objects.filter(action="anomalies.run", actor=people.standards).count() == 1
    page = ps.get("/assurance/standards/").content.decode()
    assert "Run the rules now" in page and "repeat_views" in page
