"""What the case integration tests share: a case held by the response officer, supervised by the supervisor."""

from __future__ import annotations

from tests.support.personas import Personas
from watchkeeper.cases import actions
from watchkeeper.cases.models import Case
from watchkeeper.people import actions as people
from watchkeeper.people.models import Person

SUMMARY = "Suspect identified from CCTV; statement from the victim taken; house-to-house outstanding."


def case_for(p: Personas, officer: str = "officer", title: str = "Burglary at 4 Elm Road",
             reference: str = "") -> Case:
    """A crime case opened by the supervisor with `officer` in charge (supervised by the team supervisor)."""
    return actions.open_case(p.actor("supervisor"), kind="crime", title=title, reference=reference,
                             officer_id=getattr(p, officer).pk)


def person(p: Personas, family: str = "Victim") -> Person:
    return people.create_person(p.actor("officer"), given_names="Vera", family_name=family)
