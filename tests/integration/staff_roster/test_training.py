"""A1 training gates through the real database: training recorded with its expiry from policy; a call handler
whose emergency call handling has lapsed takes a 999 call and raises a log: the log is raised (never refused),
they are warned, their supervisor is told, and the reason they went ahead is recorded once; the compliance
report lists who lapses when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import training
from watchkeeper.assurance.models import TrainingLapse, TrainingRecord
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def _lapsed(p: Personas, who: str = "handler") -> TrainingRecord:
    return training.record_training(p.actor("supervisor"), user_id=getattr(p, who).pk,
                                    course="emergency_call_handling", completed_on=date(2024, 1, 10))


@pytest.mark.safeguard("A1")
def test_training_is_recorded_with_its_expiry_from_policy_and_kept(people: Personas) -> None:
    r = training.record_training(people.actor("learning"), user_id=people.handler.pk,
                                 course="safeguarding_refresher", completed_on=date(2026, 3, 1))
    assert r.expires_on == date(2028, 2, 29)
    assert AuditRecord.objects.filter(action="training.recorded", object_id=str(r.pk)).count() == 1
    with pytest.raises(Refusal) as unknown:
        training.record_training(people.actor("learning"), user_id=people.handler.pk, course="juggling",
                                 completed_on=date(2026, 3, 1))
    assert unknown.value.status == 400
    with pytest.raises(Refusal) as forbidden:
        training.record_training(people.actor("handler"), user_id=people.handler.pk,
                                 course="safeguarding_refresher", completed_on=date(2026, 3, 1))
    assert forbidden.value.status == 403
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRecord.objects.filter(pk=r.pk).update(expires_on=date(2030, 1, 1))


@pytest.mark.safeguard("A1")
def test_a_999_call_taken_with_lapsed_training_warns_tells_the_supervisor_and_records_the_reason(
        people: Personas) -> None:
    """B28.1: the call is taken and the log raised; the lapse is seen, not a refusal."""
    _lapsed(people)
    log = raise_log(people.actor("handler"), channel="999")
    lapses = {lapse.action: lapse for lapse in TrainingLapse.objects.filter(user=people.handler)}
    assert set(lapses) == {"log.raise", "emergency_call"}
    lapse = lapses["emergency_call"]
    assert lapse.log_id == log.pk and lapse.supervisor_id == people.controller.pk  # Control A's supervisor
    assert lapse.courses[0]["course"] == "emergency_call_handling" and lapse.courses[0]["state"] == "lapsed"
    mine = Notification.objects.filter(recipient=people.handler, kind="training_warning")
    theirs = Notification.objects.filter(recipient=people.controller, kind="training_lapse")
    assert mine.count() == 2 and theirs.count() == 2 and mine.first().safeguard == "A1"  # type: ignore[union-attr]
    assert "Emergency call handling (lapsed 2025-01-09)" in theirs.first().text  # type: ignore[union-attr]
    # A further 999 contact on the same log does not warn again.
    from watchkeeper.incidents import actions as logs
    from watchkeeper.incidents.actions.common import ContactIn

    logs.record_contact(people.actor("handler"), log.reference,
                        ContactIn("999", "Caller rings back: still there", caller_name="Alex Caller",
                                  caller_phone="07700 900001"))
    assert TrainingLapse.objects.filter(user=people.handler).count() == 2
    # Only the person warned records why; once.
    with pytest.raises(Refusal) as other:
        training.record_override(people.actor("handler2"), lapse.pk, reason="Not mine")
    assert other.value.status == 403
    training.record_override(people.actor("handler"), lapse.pk, reason="Only handler on; the caller was in danger")
    with pytest.raises(Refusal) as twice:
        training.record_override(people.actor("handler"), lapse.pk, reason="Again")
    assert twice.value.status == 409
    assert AuditRecord.objects.get(action="training.override").reason.startswith("Only handler on")


@pytest.mark.safeguard("A1")
def test_current_training_and_no_record_by_default_are_not_gated(people: Personas) -> None:
    training.record_training(people.actor("supervisor"), user_id=people.handler.pk,
                             course="emergency_call_handling", completed_on=date.today() - timedelta(days=10))
    raise_log(people.actor("handler"), channel="999")
    raise_log(people.actor("handler2"), channel="999")  # no record at all: the compliance report lists it
    assert not TrainingLapse.objects.exists()


@pytest.mark.safeguard("A1")
def test_a_safeguarding_log_gates_the_refresher(people: Personas) -> None:
    training.record_training(people.actor("supervisor"), user_id=people.handler.pk,
                             course="safeguarding_refresher", completed_on=date(2020, 1, 1))
    raise_log(people.actor("handler"), channel="101", category="child_protection")
    assert list(TrainingLapse.objects.values_list("action", flat=True)) == ["safeguarding"]


@pytest.mark.safeguard("A1")
def test_the_compliance_report_lists_who_lapses_when(people: Personas) -> None:
    _lapsed(people)
    rows = training.compliance(people.actor("qa"))
    first = rows[0]
    assert (first["username"], first["course"], first["state"]) == ("handler", "emergency_call_handling", "lapsed")
    assert training.summary(rows)["none"] > 0
    assert all(r["state"] == "lapsed" for r in training.compliance(people.actor("qa"), state="lapsed"))
    with pytest.raises(Refusal):
        training.compliance(people.actor("handler"))


@pytest.mark.safeguard("A1")
def test_the_training_page_and_the_log_panel(people: Personas) -> None:
    _lapsed(people)
    log = raise_log(people.actor("handler"), channel="999")
    c = Client()
    c.force_login(people.handler)
    page = c.get(f"/logs/{log.reference}/")
    assert page.status_code == 200 and b"You acted on this log without current training" in page.content
    lapse = TrainingLapse.objects.get(action="emergency_call")
    done = c.post(f"/assurance/training/lapses/{lapse.pk}/do/override/",
                  {"reason": "Nobody else on the desk", "back": f"/logs/{log.reference}/"})
    assert done.status_code == 302
    s = Client()
    s.force_login(people.supervisor)
    page = s.get("/assurance/training/")
    assert page.status_code == 200 and b"Training compliance" in page.content
    r = s.post("/assurance/training/do/training/", {"user_id": people.handler.pk,
                                                    "course": "emergency_call_handling",
                                                    "completed_on": date.today().isoformat()})
    assert r.status_code == 302
    h = Client()
    h.force_login(people.handler2)
    assert h.post("/assurance/training/do/training/", {"user_id": people.handler.pk}).status_code in (400, 403)
