"""A dispatch desk for the integration tests: drives the real actions (no shortcuts into the tables)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.support.factories import fresh, raise_log, thrive
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.actor import Actor
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch.models import Assignment, ResponseClock, Unit
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Log
from watchkeeper.staff.actions import issue_token

# A fixed start, so times in assertions are exact (time_machine moves the clock; nothing waits).
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Desk:
    people: Personas

    def actor(self, name: str) -> Actor:
        return self.people.actor(name)

    # ---------------------------------------------------------------- logs
    def log(self, *, category: str = "other", allegation: str = "", location: str = "1 High Street", **kw: Any) -> Log:
        kw.setdefault("account", "Caller says a man is shouting in the street.")
        return raise_log(self.actor("handler"), category=category, allegation=allegation, location=location, **kw)

    def grade(self, log: Log, grade: str = "emergency", who: str = "handler") -> Log:
        logs.grade_log(self.actor(who), log.reference, grade=grade, thrive=thrive(),
                       expected_version=fresh(log).version)
        return fresh(log)

    def downgrade(self, log: Log, grade: str, reason: str = "Caller rang back: all is well") -> Log:
        """L5: request, the authoriser (controller) opens the log, authorises."""
        req = logs.request_downgrade(self.actor("dispatcher"), log.reference, grade=grade, thrive=thrive(),
                                     reason=reason, authoriser_id=self.people.controller.pk,
                                     expected_version=fresh(log).version)
        logs.view_log(self.actor("controller"), log.reference, purpose="downgrade")
        logs.decide_downgrade(self.actor("controller"), req.pk, approve=True)
        return fresh(log)

    def contact(self, log: Log, account: str, allegation: str = "", caller: str = "Second Caller") -> None:
        logs.record_contact(self.actor("handler"), log.reference,
                            ContactIn("999", account, caller_name=caller, caller_phone="07700 900777",
                                      allegation=allegation))

    def close(self, log: Log, who: str = "dispatcher", code: str = "attended_resolved") -> Log:
        return logs.close_log(self.actor(who), log.reference, code=code,
                              acknowledged_through=fresh(log).last_seq)

    def reopen(self, log: Log, who: str = "dispatcher") -> Log:
        return logs.reopen_log(self.actor(who), log.reference, reason="The caller rang again")

    # ---------------------------------------------------------------- units
    def unit(self, callsign: str, *, crew: tuple[str, ...] = ("officer",), area_type: str = "urban") -> Unit:
        return dispatch.create_unit(self.actor("dispatcher"), callsign=callsign, area="Northtown",
                                    area_type=area_type, skills=["advanced driver"],
                                    crew_ids=[getattr(self.people, c).pk for c in crew])

    def assign(self, log: Log, callsign: str, appointment_at: datetime | None = None) -> Assignment:
        return dispatch.assign_unit(self.actor("dispatcher"), log.reference, callsign, appointment_at=appointment_at)

    def move(self, a: Assignment, state: str, who: str = "dispatcher") -> Assignment:
        return dispatch.update_assignment(self.actor(who), a.pk, state=state)

    @staticmethod
    def unit_status(callsign: str) -> str:
        return Unit.objects.get(callsign=callsign).status

    @staticmethod
    def state(a: Assignment) -> str:
        return Assignment.objects.get(pk=a.pk).state

    @staticmethod
    def clock(log: Log) -> ResponseClock:
        return ResponseClock.objects.get(log=log)

    # ---------------------------------------------------------------- api
    def client(self, who: str) -> Client:
        _, secret = issue_token(Actor(None), getattr(self.people, who).pk, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def desk(people: Personas) -> Desk:
    return Desk(people)


@pytest.fixture
def at() -> Iterator[time_machine.Traveller]:
    """The clock stands at T0 until the test moves it (traveller.shift / move_to)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@contextmanager
def one_audit(action: str) -> Iterator[None]:
    """Exactly one audit record is written by the action inside, and it is `action` (views of a log that an
    action makes on the way are not part of it)."""
    before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    yield
    added = list(AuditRecord.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert added == [action]
