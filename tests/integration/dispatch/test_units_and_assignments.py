"""Units, assignments and full circulation to crews (D4, L12), including the three unit-status regressions:
a change on one assignment bleeding into another, an appointment marking a unit en route, and a reopened
log closing itself again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from tests.integration.dispatch.conftest import T0, one_audit
from tests.support.factories import fresh
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch.models import Alert, Assignment, Unit, UnitStatusChange
from watchkeeper.incidents.models import Log, Notification

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ units
@pytest.mark.safeguard("D4")
def test_a_unit_has_callsign_crew_skills_area_and_status(desk, at):
    with one_audit("unit.created"):
        unit = dispatch.create_unit(desk.actor("dispatcher"), callsign=" ab-12 ", area="Northtown",
                                    area_type="rural", skills=["firearms", "dog"], crew_ids=[desk.people.officer.pk])
    unit = Unit.objects.get(pk=unit.pk)
    assert (unit.callsign, unit.area, unit.area_type, unit.skills) == ("AB-12", "Northtown", "rural",
                                                                     ["firearms", "dog"])
    assert list(unit.crew.all()) == [desk.people.officer]
    assert (unit.status, unit.status_at, unit.on_duty) == ("available", T0, True)


@pytest.mark.safeguard("D4")
def test_unit_creation_refusals_write_nothing(desk, at):
    desk.unit("AB12")
    with pytest.raises(Refusal) as refused:
        desk.unit("ab12")
    assert (refused.value.safeguard, refused.value.status) == ("D4", 409)
    for kw in ({"callsign": "A/B"}, {"callsign": ""}, {"callsign": "C1", "area_type": "suburban"},
               {"callsign": "C1", "crew_ids": [999_999]}, {"callsign": "C1", "skills": [""]}):
        with pytest.raises(Invalid):
            dispatch.create_unit(desk.actor("dispatcher"), **{"area": "Northtown", **kw})
    with pytest.raises(Forbidden):
        dispatch.create_unit(desk.actor("handler"), callsign="C1", area="Northtown")
    # The unknown crew member refused the whole unit: nothing was written.
    assert list(Unit.objects.values_list("callsign", flat=True)) == ["AB12"]


@pytest.mark.safeguard("D4")
def test_duty_and_every_status_change_time_stamped(desk, at):
    desk.unit("AB12")
    at.shift(timedelta(minutes=1))
    with one_audit("unit.duty"):
        dispatch.set_duty(desk.actor("dispatcher"), "ab12", on_duty=False)
    assert desk.unit_status("AB12") == "off_duty"
    log = desk.log()
    with pytest.raises(Refusal, match="off duty") as refused:
        desk.assign(log, "AB12")
    assert refused.value.safeguard == "D4"
    at.shift(timedelta(minutes=1))
    dispatch.set_duty(desk.actor("dispatcher"), "AB12", on_duty=True)
    a = desk.assign(log, "AB12")
    with pytest.raises(Refusal, match="active assignments"):
        dispatch.set_duty(desk.actor("dispatcher"), "AB12", on_duty=False)
    at.shift(timedelta(minutes=1))
    desk.move(a, "en_route")
    changes = list(UnitStatusChange.objects.filter(unit__callsign="AB12").order_by("pk")
                   .values_list("from_status", "to_status", "at"))
    assert changes == [("available", "off_duty", T0 + timedelta(minutes=1)),
                       ("off_duty", "available", T0 + timedelta(minutes=2)),
                       ("available", "assigned", T0 + timedelta(minutes=2)),
                       ("assigned", "en_route", T0 + timedelta(minutes=3))]
    assert Unit.objects.get(callsign="AB12").status_at == T0 + timedelta(minutes=3)


# ---------------------------------------------------------------------------------------------- L12
@pytest.mark.safeguard("L12", "D4")
def test_assigning_a_unit_gives_its_crew_the_full_circulation(desk, at):
    first = ("He says his ex-partner has been outside the house since eight, banging on the windows and "
             "shouting that he will get in; she has a court order against him.")
    log = desk.log(category="domestic_incident", account=first, allegation="Breach of a non-molestation order",
                   location="12 Acacia Avenue")
    desk.contact(log, "A neighbour says the man has now gone round the back with a crowbar.",
                 allegation="Attempted burglary with a crowbar", caller="Neighbour Next-Door")
    log = desk.grade(log, "priority")
    desk.unit("AB12", crew=("officer", "supervisor"))
    with one_audit("unit.assigned"):
        a = desk.assign(log, "AB12")
    summary = Assignment.objects.get(pk=a.pk).summary
    assert [x["allegation"] for x in summary["allegations"]] == ["Breach of a non-molestation order",
                                                                 "Attempted burglary with a crowbar"]
    assert summary["location"] == "12 Acacia Avenue"
    assert summary["flags"] == ["Domestic abuse"]
    for member in (desk.people.officer, desk.people.supervisor):
        note = Notification.objects.get(recipient=member, kind="unit_assigned")
        assert note.safeguard == "L12" and note.log_id == log.pk
        for part in ("Breach of a non-molestation order", "Attempted burglary with a crowbar", first,
                     "crowbar", "12 Acacia Avenue", "Domestic abuse", "Neighbour Next-Door", "Priority",
                     "threat low"):
            assert part in note.text
    # The crew's terminal reads the same picture, current at the time it asks.
    desk.contact(log, "Third caller: he is inside now.", allegation="Aggravated burglary", caller="Third")
    body = desk.client("officer").get("/api/units/ab12/assignments").json()
    assert [b["assignment"] for b in body] == [a.pk]
    assert [x["allegation"] for x in body[0]["summary"]["allegations"]] == [
        "Breach of a non-molestation order", "Attempted burglary with a crowbar", "Aggravated burglary"]
    assert body[0]["summary"]["location"] == "12 Acacia Avenue"
    assert body[0]["summary"]["risks"] == fresh(log).thrive and body[0]["summary"]["grade"] == "Priority"
    assert desk.client("officer").get("/api/units/NOPE/assignments").status_code == 404


# ------------------------------------------------------------------------------------------- updates
@pytest.mark.safeguard("D1", "D4")
def test_update_assignment_and_at_scene_stops_the_clock(desk, at):
    log = desk.grade(desk.log(), "emergency")
    desk.unit("AB12")
    a = desk.assign(log, "AB12")
    at.shift(timedelta(minutes=4))
    with one_audit("assignment.updated"):
        moved = desk.move(a, "en_route")
    assert moved.unit.status == "en_route"  # the caller sees the unit as it now is
    at.shift(timedelta(minutes=6))
    with one_audit("assignment.updated"):
        desk.move(a, "at_scene")
    a = Assignment.objects.get(pk=a.pk)
    assert (a.state, a.en_route_at, a.at_scene_at) == ("at_scene", T0 + timedelta(minutes=4),
                                                      T0 + timedelta(minutes=10))
    c = desk.clock(log)
    assert (c.attended_at, c.next_alert_at) == (T0 + timedelta(minutes=10), None)
    # The target passes with the unit already there: nothing fires.
    at.shift(timedelta(minutes=30))
    sweep_once(clock.now())
    assert not Alert.objects.filter(log=log).exists()
    assert desk.clock(log).breached_at is None
    with pytest.raises(Refusal) as refused:
        desk.move(a, "en_route")
    assert (refused.value.safeguard, refused.value.status) == ("D4", 409)
    desk.move(a, "cleared", who="officer")
    assert (desk.state(a), desk.unit_status("AB12")) == ("cleared", "available")
    with pytest.raises(Invalid):
        dispatch.update_assignment(desk.actor("dispatcher"), a.pk, state="diverted")
    with pytest.raises(Forbidden):
        dispatch.update_assignment(desk.actor("handler"), a.pk, state="cleared")


@pytest.mark.safeguard("D4")
def test_regression_a_status_change_on_one_assignment_never_bleeds_into_another(desk, at):
    one, two = desk.grade(desk.log(), "emergency"), desk.grade(desk.log(), "priority")
    desk.unit("AB12")
    a1, a2 = desk.assign(one, "AB12"), desk.assign(two, "AB12")
    assert desk.unit_status("AB12") == "assigned"
    desk.move(a1, "en_route")
    assert (desk.state(a1), desk.state(a2), desk.unit_status("AB12")) == ("en_route", "assigned", "en_route")
    desk.move(a1, "at_scene")
    assert (desk.state(a1), desk.state(a2), desk.unit_status("AB12")) == ("at_scene", "assigned", "at_scene")
    # The second log's clock is untouched by the first one's attendance.
    assert desk.clock(two).attended_at is None and desk.clock(one).attended_at is not None
    desk.move(a2, "en_route")
    assert (desk.state(a1), desk.state(a2), desk.unit_status("AB12")) == ("at_scene", "en_route", "at_scene")
    desk.move(a1, "cleared")
    assert (desk.state(a1), desk.state(a2), desk.unit_status("AB12")) == ("cleared", "en_route", "en_route")
    desk.move(a2, "cleared")
    assert desk.unit_status("AB12") == "available"
    a2_row = Assignment.objects.get(pk=a2.pk)
    assert a2_row.at_scene_at is None and a2_row.ended_at is not None


@pytest.mark.safeguard("D4")
def test_regression_b_a_scheduled_appointment_commits_the_unit_and_never_marks_it_en_route(desk, at):
    log = desk.grade(desk.log(), "scheduled")
    desk.unit("AB12")
    when = T0 + timedelta(hours=3)
    a = desk.assign(log, "AB12", appointment_at=when)
    row = Assignment.objects.get(pk=a.pk)
    assert (row.state, row.appointment_at, row.en_route_at) == ("assigned", when, None)
    assert desk.unit_status("AB12") == "committed"
    assert "appointment" in fresh(log).entries.order_by("-seq").first().text
    # Another, immediate job outranks the appointment and never rewrites it.
    urgent = desk.grade(desk.log(), "emergency")
    b = desk.assign(urgent, "AB12")
    assert desk.unit_status("AB12") == "assigned"
    desk.move(b, "cleared")
    assert (desk.state(a), desk.unit_status("AB12")) == ("assigned", "committed")
    # Only when the crew sets off for the appointment is the unit en route.
    at.move_to(when - timedelta(minutes=20))
    desk.move(a, "en_route")
    assert desk.unit_status("AB12") == "en_route"


@pytest.mark.safeguard("D4", "D3")
def test_regression_c_a_reopened_log_is_never_silently_closed_again(desk, at):
    log = desk.grade(desk.log(), "emergency")
    desk.unit("AB12")
    desk.unit("AB13")
    a = desk.assign(log, "AB12")
    desk.move(a, "at_scene")
    desk.move(a, "cleared")
    desk.close(log)
    assert fresh(log).status == "closed"
    at.shift(timedelta(minutes=20))
    desk.reopen(log)
    assert fresh(log).status == "open"
    # Work on the reopened log and on others, time passing, alerts and sweeps: it stays open.
    b = desk.assign(log, "AB12")
    other = desk.grade(desk.log(), "emergency")
    c = desk.assign(other, "AB13")
    desk.move(b, "en_route")
    desk.move(b, "cleared")
    desk.move(c, "cancelled")
    for minutes in (10, 20, 60, 120):
        at.shift(timedelta(minutes=minutes))
        sweep_once(clock.now())
    for alert in Alert.objects.filter(acknowledged_at__isnull=True).order_by("pk"):
        dispatch.acknowledge_alert(desk.actor("inspector"), alert.pk, note="Seen")
    dispatch.declare_no_units(desk.actor("dispatcher"), log.reference)
    sweep_once(clock.now() + timedelta(hours=1))
    assert fresh(log).status == "open"
    assert fresh(log).closed_at is None
    assert Log.objects.get(pk=log.pk).entries.filter(kind="close").count() == 1
    # It is on the board again, and closes only when someone closes it.
    from watchkeeper.dispatch import boards

    assert log.reference in boards.snapshot()["logs"]
    desk.close(log)
    assert fresh(log).status == "closed"


@pytest.mark.safeguard("D4")
def test_assign_refusals_write_nothing(desk, at):
    log = desk.log()
    desk.unit("AB12")
    desk.assign(log, "AB12")
    version = fresh(log).version
    with pytest.raises(Refusal, match="already assigned") as refused:
        desk.assign(log, "AB12")
    assert refused.value.safeguard == "D4"
    with pytest.raises(Refusal) as missing:
        desk.assign(log, "NOPE")
    assert missing.value.status == 404
    with pytest.raises(Forbidden):
        dispatch.assign_unit(desk.actor("officer"), log.reference, "AB12")
    assert fresh(log).version == version
    assert Assignment.objects.filter(log=log).count() == 1


@pytest.mark.safeguard("D4")
def test_assigning_to_a_closed_log_is_refused(desk, at):
    log = desk.log()
    desk.close(log)
    desk.unit("AB12")
    with pytest.raises(Refusal, match="closed") as refused:
        desk.assign(log, "AB12")
    assert (refused.value.safeguard, refused.value.status) == ("D4", 409)
    assert not Assignment.objects.exists()
    assert desk.unit_status("AB12") == "available"


def test_a_failed_action_rolls_back_the_unit_status(desk, at):
    """No partial writes: an error after the status changed leaves nothing behind."""
    log = desk.log()
    desk.unit("AB12")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        desk.assign(log, "AB12")
        raise Boom
    assert desk.unit_status("AB12") == "available"
    assert not UnitStatusChange.objects.exists()
