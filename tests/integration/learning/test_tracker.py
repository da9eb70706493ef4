"""K2: the recommendations tracker against the real database: responses, tracker fields, actions with
owners and due dates, evidence, red/amber/green, CSV export, settings, and due/overdue alerts fired once by
the sweeper (time moved with time-machine)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from tests.integration.learning.conftest import ESSEX, FIXTURES, at, ingest_path, shared
from watchkeeper.audit.models import AuditRecord
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.errors import Conflict, Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.learning import actions, queries
from watchkeeper.learning.models import Recommendation, RecommendationAction

pytestmark = pytest.mark.django_db


def audit_actions(since: int) -> list[str]:
    return list(AuditRecord.objects.filter(seq__gt=since).order_by("seq").values_list("action", flat=True))


def last_seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def alerts(**kw: object) -> list[str]:
    return list(
        Notification.objects.filter(safeguard="K2", **kw).order_by("pk").values_list("text", flat=True)
    )


# ----------------------------------------------------------------------------------- statuses
@pytest.mark.safeguard("K2")
def test_a_record_awaiting_response_is_open_amber_then_red_when_overdue(westshire) -> None:
    rec = westshire[0]
    assert (rec.acceptance, rec.implementation, rec.response_due) == (
        "pending",
        "not_started",
        date(2024, 3, 6),
    )
    with time_machine.travel(at("2024-02-01"), tick=False):
        row = queries.tracker_row(rec.pk)
        assert row is not None
        assert (row.response_status, row.rag.colour, row.rag.reason) == (
            "open",
            "amber",
            "Awaiting response, due 06 Mar 2024",
        )
    with time_machine.travel(at("2024-03-01"), tick=False):
        assert queries.tracker_row(rec.pk).rag.reason == "Response due in 5 day(s)"  # type: ignore[union-attr]
    with time_machine.travel(at("2024-03-07"), tick=False):
        row = queries.tracker_row(rec.pk)
        assert (row.response_status, row.rag.colour) == ("overdue", "red")  # type: ignore[union-attr]
        assert [r.rec.pk for r in queries.tracker(status="overdue")] == [w.pk for w in westshire]


@pytest.mark.safeguard("K2")
def test_recording_the_response_ends_open_status_and_alerts(westshire, lead) -> None:
    rec = westshire[0]
    since = last_seq()
    with time_machine.travel(at("2024-02-20"), tick=False):
        done = actions.record_response(
            lead,
            rec.pk,
            acceptance="accepted",
            response="Accepted: call-backs within ten minutes from April.",
        )
        assert (done.acceptance, done.responded_on, done.alert_at, done.version) == (
            "accepted",
            date(2024, 2, 20),
            None,
            2,
        )
        assert queries.tracker_row(rec.pk).rag.reason == "Accepted but no action planned"  # type: ignore[union-attr]
    assert audit_actions(since) == ["learning.response_recorded"]
    with time_machine.travel(at("2024-03-08"), tick=False):
        sweep_once(clock.now())
    assert [t for t in alerts() if rec.reference + " " in t] == []
    assert len([t for t in alerts(kind="learning_overdue") if westshire[1].reference in t]) == 1


@pytest.mark.safeguard("K2")
def test_not_accepting_closes_implementation_and_refuses_actions(westshire, lead, people) -> None:
    rec = actions.record_response(
        lead,
        westshire[1].pk,
        acceptance="not_accepted",
        response="Not accepted: audits are already quarterly.",
        responded_on=date(2024, 2, 1),
    )
    assert rec.implementation == "not_accepted"
    with pytest.raises(Refusal, match="not accepted") as refused:
        actions.add_action(
            lead,
            rec.pk,
            description="Monthly audit",
            owner_id=people.supervisor.pk,
            due_date=date(2030, 1, 1),
        )
    assert refused.value.safeguard == "K2" and refused.value.status == 409
    assert RecommendationAction.objects.count() == 0


@pytest.mark.safeguard("K2")
def test_response_input_is_checked(westshire, lead) -> None:
    with pytest.raises(Invalid):
        actions.record_response(lead, westshire[0].pk, acceptance="maybe", response="x")
    with pytest.raises(Invalid):
        actions.record_response(lead, westshire[0].pk, acceptance="accepted", response="   ")
    with pytest.raises(Invalid, match="future"):
        actions.record_response(
            lead,
            westshire[0].pk,
            acceptance="accepted",
            response="Yes",
            responded_on=clock.local(clock.now()).date() + timedelta(days=2),
        )
    with pytest.raises(NotFound):
        actions.record_response(lead, 99_999_999, acceptance="accepted", response="Yes")
    assert Recommendation.objects.get(pk=westshire[0].pk).response == ""


@pytest.mark.safeguard("K2")
def test_only_learning_leads_change_the_tracker(westshire, people) -> None:
    with pytest.raises(Forbidden, match="learning.manage"):
        actions.record_response(
            people.actor("handler"), westshire[0].pk, acceptance="accepted", response="Yes"
        )
    with pytest.raises(Forbidden):
        actions.update_recommendation(
            people.actor("supervisor"), westshire[0].pk, expected_version=1, addressed_to="Someone"
        )


# ------------------------------------------------------------------------------- tracker fields
@pytest.mark.safeguard("K2")
def test_tracker_fields_change_only_against_the_version_read(westshire, lead, people) -> None:
    rec = westshire[0]
    since = last_seq()
    changed = actions.update_recommendation(
        lead,
        rec.pk,
        expected_version=1,
        owner_id=people.supervisor.pk,
        addressed_to="Westshire Police control room",
        linked_bodies=["Westshire Police", "Ambulance service"],
        response_due=date(2024, 4, 1),
        reason="Extension agreed",
    )
    assert (changed.version, changed.owner_id, changed.response_due, changed.response_due_is_default) == (
        2,
        people.supervisor.pk,
        date(2024, 4, 1),
        False,
    )
    assert audit_actions(since) == ["learning.recommendation_updated"]
    record = AuditRecord.objects.latest("seq")
    assert record.before["response_due"] == "2024-03-06" and record.after["response_due"] == "2024-04-01"
    assert record.reason == "Extension agreed"
    with pytest.raises(Conflict) as stale:
        actions.update_recommendation(lead, rec.pk, expected_version=1, addressed_to="Overwritten")
    assert stale.value.status == 409 and stale.value.details["version"] == 2
    assert Recommendation.objects.get(pk=rec.pk).addressed_to == "Westshire Police control room"


@pytest.mark.safeguard("K2")
def test_implemented_needs_actions_done_and_evidence(westshire, lead, people) -> None:
    rec = actions.record_response(lead, westshire[0].pk, acceptance="accepted", response="Accepted.")
    action = actions.add_action(
        lead,
        rec.pk,
        description="Change the call-back rule",
        owner_id=people.controller.pk,
        due_date=date(2030, 6, 1),
    )
    rec.refresh_from_db()
    assert (rec.implementation, rec.version) == ("in_progress", 3)
    with pytest.raises(Refusal, match="still open"):
        actions.update_recommendation(
            lead, rec.pk, expected_version=rec.version, implementation="implemented"
        )
    actions.complete_action(people.actor("controller"), action.pk, result="Rule live from 1 April")
    rec.refresh_from_db()
    with pytest.raises(Refusal, match="needs evidence"):
        actions.update_recommendation(
            lead, rec.pk, expected_version=rec.version, implementation="implemented"
        )
    evidence = actions.add_evidence(
        lead, rec.pk, description="Control room procedure v4", link="SOP/CR/12", action_id=action.pk
    )
    assert evidence.action_id == action.pk
    rec.refresh_from_db()
    done = actions.update_recommendation(
        lead, rec.pk, expected_version=rec.version, implementation="implemented"
    )
    assert done.implementation == "implemented"
    row = queries.tracker_row(rec.pk)
    assert (row.rag.colour, row.rag.reason, row.evidence, row.done_actions) == ("green", "Implemented", 1, 1)


@pytest.mark.safeguard("K2")
def test_an_action_is_completed_by_its_owner_or_a_learning_lead_only(westshire, lead, people) -> None:
    rec = actions.record_response(lead, westshire[0].pk, acceptance="partly", response="In part.")
    action = actions.add_action(
        lead,
        rec.pk,
        description="Brief the call handlers",
        owner_id=people.controller.pk,
        due_date=date(2030, 6, 1),
    )
    assert Notification.objects.filter(recipient=people.controller, kind="learning_action").count() == 1
    with pytest.raises(Forbidden):
        actions.complete_action(people.actor("handler"), action.pk, result="Done")
    actions.complete_action(people.actor("controller"), action.pk, result="Briefed at parade")
    with pytest.raises(Refusal, match="already done"):
        actions.complete_action(lead, action.pk, result="Again")
    with pytest.raises(Invalid, match="No active member of staff"):
        actions.add_action(lead, rec.pk, description="Nobody", owner_id=99_999_999, due_date=date(2030, 1, 1))
    with pytest.raises(Invalid, match="is not an action of"):
        actions.add_evidence(lead, westshire[1].pk, description="Wrong action", action_id=action.pk)


@pytest.mark.safeguard("K2")
def test_a_setting_changes_the_statutory_default_for_later_documents(lead) -> None:
    since = last_seq()
    actions.set_setting(lead, "response_days", 28, "Force policy: four weeks")
    assert audit_actions(since) == ["learning.setting_changed"]
    doc = ingest_path(lead, FIXTURES / "recommendation-record-northshire-three.md")
    assert {r.response_due for r in doc.recommendations.all()} == {date(2023, 3, 14) + timedelta(days=28)}
    with pytest.raises(Invalid):
        actions.set_setting(lead, "response_days", 0, "none")


# ------------------------------------------------------------------------------------- alerts
@pytest.mark.safeguard("K2")
def test_due_soon_then_overdue_alerts_fire_once_each_to_the_learning_lead(westshire, people) -> None:
    refs = [r.reference for r in westshire]
    with time_machine.travel(at("2024-02-20"), tick=False):
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0
    with time_machine.travel(at("2024-02-21"), tick=False):  # 14 days before 6 March
        since = last_seq()
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 2
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0  # claimed once
        assert audit_actions(since) == ["learning.response_due_alert"] * 2
    due = Notification.objects.filter(kind="learning_due", safeguard="K2")
    assert sorted(due.values_list("recipient__username", flat=True)) == ["learning", "learning"]
    assert all(any(ref in n.text for ref in refs) and "is due on 06 Mar 2024" in n.text for n in due)
    with time_machine.travel(at("2024-03-07"), tick=False):
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 2
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0
    overdue = Notification.objects.filter(kind="learning_overdue")
    assert overdue.count() == 2 and all("is overdue" in n.text for n in overdue)
    with time_machine.travel(at("2024-09-01"), tick=False):
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0


@pytest.mark.safeguard("K2")
def test_an_owned_recommendation_alerts_its_owner_and_a_response_stops_alerts(
    westshire, lead, people
) -> None:
    first, second = westshire
    actions.update_recommendation(lead, first.pk, expected_version=1, owner_id=people.inspector.pk)
    actions.record_response(
        lead, second.pk, acceptance="accepted", response="Accepted.", responded_on=date(2024, 1, 20)
    )
    with time_machine.travel(at("2024-03-10"), tick=False):  # both past due; only the first awaits a response
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 1
    notes = Notification.objects.filter(safeguard="K2", kind="learning_overdue")
    assert [(n.recipient.username, first.reference in n.text) for n in notes] == [("inspector", True)]


@pytest.mark.safeguard("K2")
def test_actions_alert_their_owner_when_due_soon_and_copy_the_owner_when_overdue(
    westshire, lead, people
) -> None:
    rec = actions.record_response(lead, westshire[0].pk, acceptance="accepted", response="Accepted.")
    actions.record_response(lead, westshire[1].pk, acceptance="accepted", response="Accepted.")
    actions.update_recommendation(lead, rec.pk, expected_version=rec.version, owner_id=people.inspector.pk)
    with time_machine.travel(at("2024-03-01"), tick=False):
        action = actions.add_action(
            lead,
            rec.pk,
            description="Rewrite the abandoned call procedure",
            owner_id=people.controller.pk,
            due_date=date(2024, 4, 30),
        )
    assert action.alert_stage == 0
    with time_machine.travel(at("2024-04-23"), tick=False):  # 7 days before
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 1
    assert list(
        Notification.objects.filter(kind="learning_due").values_list("recipient__username", flat=True)
    ) == ["controller"]
    with time_machine.travel(at("2024-05-01"), tick=False):
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 1
        row = queries.tracker_row(rec.pk)
        assert (row.rag.colour, row.overdue_actions) == ("red", 1)  # type: ignore[union-attr]
    assert sorted(
        Notification.objects.filter(kind="learning_overdue").values_list("recipient__username", flat=True)
    ) == ["controller", "inspector"]


@pytest.mark.safeguard("K2")
def test_completed_actions_do_not_alert(westshire, lead, people) -> None:
    rec = actions.record_response(lead, westshire[0].pk, acceptance="accepted", response="Accepted.")
    actions.record_response(lead, westshire[1].pk, acceptance="accepted", response="Accepted.")
    with time_machine.travel(at("2024-03-01"), tick=False):
        action = actions.add_action(
            lead, rec.pk, description="Brief", owner_id=people.controller.pk, due_date=date(2024, 3, 20)
        )
        actions.complete_action(lead, action.pk, result="Briefed")
    with time_machine.travel(at("2024-04-01"), tick=False):
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0


@pytest.mark.safeguard("K2")
def test_a_late_first_sweep_sends_the_overdue_alert_not_due_soon(westshire) -> None:
    with time_machine.travel(at("2024-03-20"), tick=False):  # nothing swept since January
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 2
        assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0
    assert Notification.objects.filter(kind="learning_due").count() == 0
    assert Notification.objects.filter(kind="learning_overdue").count() == 2


@pytest.mark.safeguard("K2")
def test_old_documents_already_responded_never_alert(lead) -> None:
    ingest_path(lead, shared(ESSEX))
    assert sweep_once(clock.now())["learning due and overdue alerts (K2)"] == 0
    assert Recommendation.objects.filter(alert_at__isnull=False).count() == 0


# ------------------------------------------------------------------------------------ CSV export
@pytest.mark.safeguard("K2")
def test_csv_export_has_a_row_per_recommendation_and_never_a_formula(westshire, lead, people) -> None:
    ingest_path(lead, shared(ESSEX))
    actions.update_recommendation(lead, westshire[0].pk, expected_version=1, addressed_to='=HYPERLINK("x")')
    browser = Client()
    browser.force_login(people.qa)
    response = browser.get("/learning/tracker.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    by_ref = {r["reference"]: r for r in rows}
    essex = by_ref["2019/127918/R1"]
    assert (essex["response_due"], essex["acceptance"], essex["response_status"], essex["linked_bodies"]) == (
        "2020-11-24",
        "Accepted",
        "responded",
        "Essex Police",
    )
    assert by_ref["2023/000111/R1"]["addressed_to"] == '\'=HYPERLINK("x")'
    assert (
        by_ref["2023/000111/R2"]["linked_bodies"]
        == "Westshire Police; Westshire Community Safety Partnership"
    )
    filtered = list(
        csv.DictReader(io.StringIO(browser.get("/learning/tracker.csv?force=Essex+Police").content.decode()))
    )
    assert sorted(r["reference"] for r in filtered) == ["2019/127918/R1", "2019/127918/R2"]
