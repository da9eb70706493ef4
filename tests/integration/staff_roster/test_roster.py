"""The duty roster through the real database (A4 staffing against minimum): rostering and cancelling, the
CSV import (all or nothing, problems by row), a rostered absence marking the person absent through staff's
absence path (L8, L9), and the sweeper telling the duty inspector when a desk falls below its minimum."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client

from tests.integration.staff_roster.support import MINIMUMS, hour, local_text
from tests.support.personas import Personas
from watchkeeper.assurance import roster
from watchkeeper.assurance.models import Shift, StaffingAlert
from watchkeeper.audit.models import AuditRecord
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.config import set_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def _minimums(p: Personas) -> None:
    set_policy(p.actor("admin"), "minimum_staffing", MINIMUMS, "Tonight's minimums")


@pytest.mark.safeguard("A4")
def test_a_shift_is_rostered_audited_and_a_clash_refused(people: Personas) -> None:
    s = roster.add_shift(people.actor("supervisor"), user_id=people.handler.pk, desk_role="call_handler",
                         desk="Desk 4", starts_at=hour(-1), ends_at=hour(7))
    assert AuditRecord.objects.filter(action="roster.shift_added", object_id=str(s.pk)).count() == 1
    with pytest.raises(Refusal) as clash:
        roster.add_shift(people.actor("supervisor"), user_id=people.handler.pk, desk_role="dispatcher",
                         starts_at=hour(6), ends_at=hour(10))
    assert clash.value.status == 409 and "already rostered" in clash.value.message
    with pytest.raises(Refusal) as forbidden:
        roster.add_shift(people.actor("handler"), user_id=people.handler2.pk, desk_role="call_handler",
                         starts_at=hour(1), ends_at=hour(2))
    assert forbidden.value.status == 403
    with pytest.raises(Refusal) as long:
        roster.add_shift(people.actor("supervisor"), user_id=people.handler2.pk, desk_role="call_handler",
                         starts_at=hour(1), ends_at=hour(30))
    assert long.value.status == 400 and "24 hours" in long.value.message
    assert Shift.objects.count() == 1


@pytest.mark.safeguard("A4")
def test_cancelling_keeps_the_row_and_rostered_facts_cannot_be_changed_or_deleted(people: Personas) -> None:
    s = roster.add_shift(people.actor("inspector"), user_id=people.handler.pk, desk_role="call_handler",
                         starts_at=hour(1), ends_at=hour(9))
    roster.cancel_shift(people.actor("inspector"), s.pk, reason="Swapped with Handler2")
    s.refresh_from_db()
    assert s.cancelled_at is not None and s.cancel_reason == "Swapped with Handler2"
    with pytest.raises(Refusal):
        roster.cancel_shift(people.actor("inspector"), s.pk, reason="Again")
    for change in (lambda: Shift.objects.filter(pk=s.pk).update(ends_at=hour(3)),
                   lambda: Shift.objects.filter(pk=s.pk).delete()):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()


def _csv(rows: list[str]) -> str:
    return "\n".join(["username,desk_role,desk,starts_at,ends_at,absence,reason", *rows]) + "\n"


@pytest.mark.safeguard("A4")
def test_an_import_with_any_bad_row_imports_nothing_and_names_every_row(people: Personas) -> None:
    a, b = local_text(hour(1)), local_text(hour(9))
    text = _csv([
        f"handler,call_handler,Desk 1,{a},{b},no,",
        f"nobody,call_handler,Desk 2,{a},{b},no,",
        f"dispatcher,tea_maker,,{a},{b},,",
        f"controller,controller,,{b},{a},,",
        f"handler,dispatcher,,{a},{b},,",
        f"officer,,,{a},{b},yes,",
        "qa,call_handler,,tomorrow,later,,",
    ])
    with pytest.raises(Refusal) as refused:
        roster.import_roster(people.actor("supervisor"), text=text)
    assert refused.value.status == 400
    rows = {r["row"]: r["problem"] for r in refused.value.details["rows"]}
    assert sorted(rows) == [3, 4, 5, 6, 7, 8]
    assert "nobody" in rows[3] and "desk role" in rows[4] and "after the start" in rows[5]
    assert "overlaps row 2" in rows[6] and "reason" in rows[7] and "date and time" in rows[8]
    assert "row 3:" in refused.value.message and Shift.objects.count() == 0
    assert not AuditRecord.objects.filter(action="roster.imported").exists()


@pytest.mark.safeguard("A4")
def test_a_good_import_writes_every_row_with_one_audit_record(people: Personas) -> None:
    a, b, c = local_text(hour(-1)), local_text(hour(7)), local_text(hour(15))
    shifts = roster.import_roster(people.actor("admin"), text=_csv([
        f"handler,call_handler,Desk 1,{a},{b},no,",
        f"handler,call_handler,Desk 1,{b},{c},no,",
        f"controller,support_operator,Intel,{a},{b},,",
        f"absent,,,{a},{c},yes,Annual leave",
    ]))
    assert len(shifts) == 4 and Shift.objects.filter(source="import").count() == 4
    record = AuditRecord.objects.get(action="roster.imported")
    assert record.after["rows"] == 4 and record.after["people"] == 3
    # A clash with what is already rostered is named too.
    with pytest.raises(Refusal) as again:
        roster.import_roster(people.actor("admin"), text=_csv([f"handler,dispatcher,,{a},{b},,"]))
    assert "row 2: handler is already rostered" in again.value.message


@pytest.mark.safeguard("A4")
def test_an_import_is_bounded(people: Personas) -> None:
    a, b = local_text(hour(1)), local_text(hour(2))
    too_many = _csv([f"handler,call_handler,,{a},{b},," for _ in range(roster.MAX_IMPORT_ROWS + 1)])
    with pytest.raises(Refusal) as refused:
        roster.import_roster(people.actor("admin"), text=too_many)
    assert refused.value.status == 400 and "at most" in refused.value.message
    with pytest.raises(Refusal) as header:
        roster.import_roster(people.actor("admin"), text="who,when\nhandler,now\n")
    assert "header" in header.value.message


@pytest.mark.safeguard("L8", "L9")
def test_a_rostered_absence_marks_the_person_absent_while_it_lasts(people: Personas) -> None:
    absence = roster.add_shift(people.actor("supervisor"), user_id=people.investigator.pk, starts_at=hour(1),
                               ends_at=hour(5), absence=True, reason="Training course")
    sweep_once()
    people.investigator.refresh_from_db()
    assert not people.investigator.absent
    with time_machine.travel(hour(2), tick=False):
        sweep_once()
        people.investigator.refresh_from_db()
        assert people.investigator.absent and people.investigator.absence_reason == "Rostered: Training course"
        assert AuditRecord.objects.filter(action="staff.absence", object_id="investigator").count() == 1
        sweep_once()  # fires once
        assert AuditRecord.objects.filter(action="staff.absence", object_id="investigator").count() == 1
    with time_machine.travel(hour(6), tick=False):
        sweep_once()
        people.investigator.refresh_from_db()
        assert not people.investigator.absent
    absence.refresh_from_db()
    assert absence.absence_start_due is None and absence.absence_end_due is None


@pytest.mark.safeguard("L8")
def test_a_manual_absence_is_not_ended_by_the_roster(people: Personas) -> None:
    from watchkeeper.staff.actions import set_absence

    roster.add_shift(people.actor("supervisor"), user_id=people.officer.pk, starts_at=hour(1), ends_at=hour(2),
                     absence=True, reason="Dentist")
    with time_machine.travel(hour(1.5), tick=False):
        sweep_once()
        set_absence(people.actor("supervisor"), people.officer.pk, absent=True, reason="Sick")
    with time_machine.travel(hour(3), tick=False):
        sweep_once()
    people.officer.refresh_from_db()
    assert people.officer.absent and people.officer.absence_reason == "Sick"


@pytest.mark.safeguard("A4")
def test_falling_below_minimum_tells_the_duty_inspector_once_naming_the_gap(people: Personas) -> None:
    """I41.2: the support operator's shift ends and nobody replaces them: the duty inspector is told who is
    missing and from when; when cover arrives the alert is resolved."""
    _minimums(people)
    end = hour(1)
    roster.add_shift(people.actor("supervisor"), user_id=people.controller.pk, desk_role="support_operator",
                     starts_at=hour(-3), ends_at=end)
    roster.add_shift(people.actor("supervisor"), user_id=people.inspector.pk, desk_role="duty_inspector",
                     starts_at=hour(-3), ends_at=hour(8))
    assert sweep_once()["staffing below minimum: the duty inspector told"] == 0
    with time_machine.travel(end + timedelta(minutes=5), tick=False):
        assert sweep_once()["staffing below minimum: the duty inspector told"] == 1
        sweep_once()
        notes = list(Notification.objects.filter(kind="staffing_below_minimum"))
        assert [n.recipient_id for n in notes] == [people.inspector.pk] and notes[0].safeguard == "A4"
        assert "Support / intelligence operator 0 on duty of 1 needed" in notes[0].text
        assert "Controller Test no longer on" in notes[0].text
        alert = StaffingAlert.objects.get(resolved_at__isnull=True)
        assert alert.short_from == end and alert.missing == ["Controller Test"]
        data = roster.staffing_now()
        assert [r["desk_role"] for r in data["short"]] == ["support_operator"]
        roster.add_shift(people.actor("inspector"), user_id=people.handler2.pk, desk_role="support_operator",
                         starts_at=clock.now(), ends_at=hour(8))
        sweep_once()
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert AuditRecord.objects.filter(action="roster.staffing_restored").count() == 1


@pytest.mark.safeguard("A4")
def test_nothing_is_alerted_when_no_roster_is_kept(people: Personas) -> None:
    _minimums(people)
    sweep_once()
    assert not StaffingAlert.objects.exists()
    assert not roster.staffing_now()["in_use"]


@pytest.mark.safeguard("A4")
def test_the_minimum_staffing_policy_is_checked(people: Personas) -> None:
    for bad in ([{"desk_role": "tea_maker", "start": "00:00", "end": "24:00", "minimum": 1}],
                [{"desk_role": "call_handler", "start": "25:00", "end": "24:00", "minimum": 1}],
                [{"desk_role": "call_handler", "start": "00:00", "end": "24:00", "minimum": -1}]):
        with pytest.raises(Refusal) as refused:
            set_policy(people.actor("admin"), "minimum_staffing", bad, "Trying")
        assert refused.value.status == 400


def _client(p: Personas, who: str) -> Client:
    c = Client()
    c.force_login(getattr(p, who))
    return c


@pytest.mark.safeguard("A4")
def test_the_roster_page_adds_imports_and_shows_problems_by_row(people: Personas) -> None:
    c = _client(people, "supervisor")
    page = c.get("/assurance/roster/")
    assert page.status_code == 200 and b"Staffing now against minimum" in page.content
    r = c.post("/assurance/roster/do/shift/", {"user_id": people.handler.pk, "desk_role": "call_handler",
                                               "starts_at": local_text(hour(1)).replace(" ", "T"),
                                               "ends_at": local_text(hour(8)).replace(" ", "T")})
    assert r.status_code == 302 and Shift.objects.count() == 1
    bad = c.post("/assurance/roster/do/import/", {"text": _csv(["ghost,call_handler,,2026-12-07 07:00,"
                                                                "2026-12-07 19:00,,"])})
    assert bad.status_code == 400 and b"Row 2: no active member of staff" in bad.content
    assert Shift.objects.count() == 1
    s = Shift.objects.get()
    done = c.post(f"/assurance/roster/shifts/{s.pk}/do/cancel/", {"reason": "Wrong day"})
    assert done.status_code == 302
    assert _client(people, "handler").post("/assurance/roster/do/import/", {"text": "x"}).status_code == 403
    assert _client(people, "learning").get("/assurance/roster/").status_code == 403


@pytest.mark.safeguard("A4")
def test_the_command_board_shows_staffing_against_minimum(people: Personas) -> None:
    _minimums(people)
    roster.add_shift(people.actor("supervisor"), user_id=people.inspector.pk, desk_role="duty_inspector",
                     starts_at=hour(-1), ends_at=hour(8))
    page = _client(people, "controller").get("/dispatch/command/")
    assert page.status_code == 200
    assert b"Staffing against minimum" in page.content and b"Below minimum: 1 short" in page.content
