"""The live boards: after any sequence of events, a board that applied the "dispatch" events after its
snapshot's sequence number equals a fresh load.

Each seed drives a different sequence of real actions (raise, grade, downgrade, area, contacts, header
changes, assign, en route / at scene / cleared / cancelled, divert, decide, no units, acknowledge, close,
reopen, cancel, duty, and time passing with sweeps). Refused actions are part of the sequence: a refusal
must leave no event behind that a fresh load would not show. Anything other than a refusal fails the test.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from tests.support.factories import fresh
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Alert, Assignment, Divert, Unit
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Log
from watchkeeper.realtime.models import Event

pytestmark = pytest.mark.django_db

CALLSIGNS = ("AB11", "AB12", "AB13", "CD21")
STATES = ("en_route", "at_scene", "cleared", "cancelled")


def rows(board: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in board.items() if k != "seq"}


def replay(board: dict[str, Any]) -> dict[str, Any]:
    """A stale board brought up to date by the events after its sequence number, as a reconnecting
    browser is."""
    for event in Event.objects.filter(topic="dispatch", seq__gt=board["seq"]).order_by("seq"):
        assert event.kind == "row"
        boards.apply(board, event.payload)
    return board


class Driver:
    def __init__(self, desk: Any, at: Any, rnd: random.Random) -> None:
        self.desk, self.at, self.rnd = desk, at, rnd
        self.done: list[str] = []

    def pick(self, items: list[Any]) -> Any:
        return self.rnd.choice(items) if items else None

    def open_log(self) -> Log | None:
        return self.pick(list(Log.objects.filter(status="open").order_by("pk")))

    def active(self) -> Assignment | None:
        return self.pick(list(Assignment.objects.filter(state__in=Assignment.ACTIVE).order_by("pk")))

    # ------------------------------------------------------------------ the actions
    def raise_(self) -> None:
        n = Log.objects.count() + 1
        self.desk.log(summary=f"Incident {n}", location=f"{n} Market Street", caller=f"Caller {n}",
                      phone=f"07700 9{n:05d}")

    def grade(self) -> None:
        log = self.open_log()
        if log:
            self.desk.grade(log, self.pick(["emergency", "priority", "scheduled"]))

    def downgrade(self) -> None:
        log = self.pick(list(Log.objects.filter(status="open", grade__in=["emergency", "priority"])))
        if log:
            self.desk.downgrade(log, self.pick(["scheduled", "resolution"]))

    def area(self) -> None:
        log = self.open_log()
        if log:
            dispatch.set_area(self.desk.actor("dispatcher"), log.reference, area_type=self.pick(["urban", "rural"]),
                              reason="Checked the map")

    def contact(self) -> None:
        log = self.open_log()
        if log:
            logs.record_contact(self.desk.actor("handler"), log.reference,
                                ContactIn("101", "Another caller about the same thing.", caller_name="Other"))

    def header(self) -> None:
        log = self.open_log()
        if log:
            logs.update_log(self.desk.actor("dispatcher"), log.reference, expected_version=fresh(log).version,
                            location=f"{self.rnd.randint(1, 99)} New Road", summary=f"Updated {self.rnd.randint(1, 9)}")

    def assign(self) -> None:
        log = self.open_log()
        if log:
            when = clock.now() + timedelta(hours=2) if self.rnd.random() < 0.2 else None
            self.desk.assign(log, self.pick(list(CALLSIGNS)), appointment_at=when)

    def move(self) -> None:
        a = self.active()
        if a:
            self.desk.move(a, self.pick(list(STATES)))

    def divert(self) -> None:
        a = self.active()
        to = self.open_log()
        if a and to:
            dispatch.divert_unit(self.desk.actor("dispatcher"), a.unit.callsign, from_reference=a.log.reference,
                                 to_reference=to.reference, reason="Higher risk elsewhere")

    def decide(self) -> None:
        d = self.pick(list(Divert.objects.filter(state__in=["awaiting", "escalated"]).order_by("pk")))
        if d:
            approve = self.rnd.random() < 0.5
            dispatch.decide_divert(self.desk.actor("controller"), d.pk, approve=approve,
                                   note="" if approve else "The first log needs it")

    def no_units(self) -> None:
        log = self.open_log()
        if log:
            dispatch.declare_no_units(self.desk.actor("dispatcher"), log.reference)

    def acknowledge(self) -> None:
        alert = self.pick(list(Alert.objects.filter(acknowledged_at__isnull=True).order_by("pk")))
        if alert:
            dispatch.acknowledge_alert(self.desk.actor("inspector"), alert.pk, note="Seen")

    def close(self) -> None:
        log = self.open_log()
        if log:
            self.desk.close(log)

    def reopen(self) -> None:
        log = self.pick(list(Log.objects.filter(status="closed").order_by("pk")))
        if log:
            self.desk.reopen(log)

    def cancel(self) -> None:
        log = self.open_log()
        if log and self.rnd.random() < 0.5:
            logs.cancel_log(self.desk.actor("dispatcher"), log.reference, code="raised_in_error",
                            reason="Wrong address", acknowledged_through=fresh(log).last_seq)

    def duty(self) -> None:
        unit = self.pick(list(Unit.objects.order_by("pk")))
        dispatch.set_duty(self.desk.actor("dispatcher"), unit.callsign, on_duty=not unit.on_duty)

    def time(self) -> None:
        self.at.shift(timedelta(minutes=self.rnd.choice([1, 3, 5, 8, 20])))
        sweep_once(clock.now())

    WEIGHTS = {"raise_": 3, "grade": 4, "downgrade": 1, "area": 1, "contact": 1, "header": 1, "assign": 5,
               "move": 6, "divert": 3, "decide": 3, "no_units": 2, "acknowledge": 3, "close": 2, "reopen": 1,
               "cancel": 1, "duty": 1, "time": 5}

    def step(self) -> None:
        name = self.rnd.choices(list(self.WEIGHTS), weights=list(self.WEIGHTS.values()))[0]
        before = Event.objects.filter(topic="dispatch").count()
        try:
            getattr(self, name)()
            changed = Event.objects.filter(topic="dispatch").count() > before
            self.done.append(name if changed else f"{name} (no board change)")
        except Refusal as refused:
            self.done.append(f"{name} refused ({refused.safeguard or refused.status})")


@pytest.mark.safeguard("D1", "D2", "D4")
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_board_replayed_from_any_point_equals_a_fresh_load(desk, at, seed):
    rnd = random.Random(seed)
    for callsign in CALLSIGNS:
        desk.unit(callsign)
    drive = Driver(desk, at, rnd)
    for _ in range(3):
        drive.raise_()
    start = boards.snapshot()
    middle = None
    for i in range(40):
        drive.step()
        if i == 19:
            middle = boards.snapshot()
    assert middle is not None
    fresh_board = boards.snapshot()
    assert rows(replay(start)) == rows(fresh_board), drive.done
    assert rows(replay(middle)) == rows(fresh_board), drive.done
    # The sequence did real work on the board (not forty refusals or no-ops).
    assert sum(1 for d in drive.done if "(" not in d) >= 10, drive.done
    assert fresh_board["units"] and Event.objects.filter(topic="dispatch", seq__gt=start["seq"]).count() >= 20
