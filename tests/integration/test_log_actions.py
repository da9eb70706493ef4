"""Integration tests for incident-log actions, against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import DatabaseError

from tests.support.factories import fresh, raise_log, thrive
from watchkeeper.audit.models import AuditRecord
from watchkeeper.audit.verify import verify_chain
from watchkeeper.core import clock
from watchkeeper.core.errors import Conflict, Forbidden, Invalid, NotFound, Refusal
from watchkeeper.incidents import actions
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Contact, Entry, Log, Notification, Task

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ L1
@pytest.mark.safeguard("L1")
def test_references_are_date_and_daily_sequence_and_never_reused(people):
    a = raise_log(people.actor("handler"))
    b = raise_log(people.actor("handler"))
    day = clock.local(clock.now()).strftime("%Y%m%d")
    assert a.reference == f"{day}-0001"
    assert b.reference == f"{day}-0002"
    with pytest.raises(Refusal):
        with transaction.atomic():
            raise_log(people.actor("handler"), category="no-such-category")
    c = raise_log(people.actor("handler"))
    assert c.reference == f"{day}-0003"


@pytest.mark.safeguard("L1")
def test_database_refuses_delete_of_logs_entries_and_contacts(people):
    log = raise_log(people.actor("handler"))
    for model, column in ((Entry, "log_id"), (Contact, "log_id"), (Log, "id")):
        # Raw SQL, as someone bypassing the application would: the trigger still refuses.
        with pytest.raises(DatabaseError, match="L1"):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} = %s", [log.pk])
    assert Log.objects.filter(pk=log.pk).exists()
    assert Entry.objects.filter(log=log).count() == 1


@pytest.mark.safeguard("L2")
def test_database_refuses_editing_an_entry(people):
    log = raise_log(people.actor("handler"))
    with pytest.raises(DatabaseError, match="L2"):
        with transaction.atomic():
            Entry.objects.filter(log=log).update(text="rewritten")
    assert Entry.objects.get(log=log).text.startswith("[999 emergency call]")


@pytest.mark.safeguard("A3")
def test_database_refuses_update_and_delete_of_audit(people):
    raise_log(people.actor("handler"))
    with pytest.raises(DatabaseError, match="A3"):
        with transaction.atomic():
            AuditRecord.objects.update(reason="tampered")
    with pytest.raises(DatabaseError, match="A3"):
        with transaction.atomic():
            AuditRecord.objects.all().delete()
    count, brk = verify_chain()
    assert brk is None and count >= 1


@pytest.mark.safeguard("L1")
def test_cancelled_log_keeps_its_reference_and_merged_reference_resolves_to_survivor(people):
    h = people.actor("handler")
    log = raise_log(h)
    actions.cancel_log(h, log.reference, code="raised_in_error", reason="Wrong caller")
    assert actions.resolve(log.reference)[0].status == "cancelled"
    a = raise_log(h, caller="Ann Lee", phone="07700 900222", allegation="bike stolen")
    b = raise_log(people.actor("handler2"), caller="Ann Lee", phone="07700900222", allegation="Bike stolen")
    actions.merge_logs(h, b.reference, a.reference, reason="same caller, same theft")
    survivor, asked = actions.resolve(b.reference)
    assert survivor.pk == a.pk and asked == b.reference
    assert fresh(b).status == "merged"
    with pytest.raises(NotFound):
        actions.resolve("19990101-9999")


# ------------------------------------------------------------------------------------------------ L2
@pytest.mark.safeguard("L2")
def test_correction_is_a_new_entry_pointing_at_the_original(people):
    h = people.actor("handler")
    log = raise_log(h)
    e = actions.add_entry(h, log.reference, "Man is breathing")
    c = actions.add_entry(h, log.reference, "Correction: caller said NOT breathing", corrects_seq=e.seq)
    assert c.kind == "correction" and c.corrects_id == e.pk
    assert Entry.objects.get(pk=e.pk).text == "Man is breathing"
    with pytest.raises(Invalid):
        actions.add_entry(h, log.reference, "x", corrects_seq=99)


# ------------------------------------------------------------------------------------------------ L3
@pytest.mark.safeguard("L3")
def test_close_refused_while_closer_has_unseen_entries_then_allowed_after_acknowledging(people):
    h, d = people.actor("handler"), people.actor("dispatcher")
    log = raise_log(h)
    actions.view_log(d, log.reference)
    actions.add_entry(h, log.reference, "Second caller: the man is not breathing")
    with pytest.raises(Refusal) as exc:
        actions.close_log(d, log.reference, code="advice_given")
    assert exc.value.safeguard == "L3"
    unseen = exc.value.details["unseen"]
    assert [u["text"] for u in unseen] == ["Second caller: the man is not breathing"]
    assert fresh(log).status == "open"
    # acknowledging an older point is not enough
    with pytest.raises(Refusal):
        actions.close_log(d, log.reference, code="advice_given", acknowledged_through=unseen[0]["seq"] - 1)
    closed = actions.close_log(d, log.reference, code="advice_given",
                               acknowledged_through=exc.value.details["acknowledge_through"])
    assert closed.status == "closed"


@pytest.mark.safeguard("L3")
def test_close_instruction_is_void_once_anything_is_added(people):
    h, d = people.actor("handler"), people.actor("dispatcher")
    log = raise_log(h)
    actions.view_log(d, log.reference)
    actions.mark_ready_to_close(d, log.reference)
    assert fresh(log).ready_to_close_seq is not None
    actions.add_entry(h, log.reference, "New caller says he is unconscious")
    assert fresh(log).ready_to_close_seq is None
    assert Notification.objects.filter(recipient=people.dispatcher, safeguard="L3").exists()


# ------------------------------------------------------------------------------------------------ L4
@pytest.mark.safeguard("L4")
def test_owner_and_assignees_are_told_of_every_addition_but_not_the_author(people):
    h, h2 = people.actor("handler"), people.actor("handler2")
    log = raise_log(h)
    actions.assign_staff(people.actor("controller"), log.reference, people.officer.pk)
    before = Notification.objects.filter(kind="log_updated").count()
    actions.add_entry(h2, log.reference, "Update from the second handler")
    notes = Notification.objects.filter(kind="log_updated").order_by("id")[before:]
    assert {n.recipient_id for n in notes} == {people.handler.pk, people.officer.pk}
    assert all(n.safeguard == "L4" for n in notes)


@pytest.mark.safeguard("L4")
def test_stale_header_edit_is_refused_with_what_changed(people):
    h, h2 = people.actor("handler"), people.actor("handler2")
    log = raise_log(h)
    v = fresh(log).version
    actions.update_log(h2, log.reference, expected_version=v, summary="Changed by handler2")
    with pytest.raises(Conflict) as exc:
        actions.update_log(h, log.reference, expected_version=v, summary="Changed by handler")
    assert exc.value.status == 409
    assert exc.value.details["current_version"] > v
    assert any("Changed by handler2" in (c.get("text") or "") for c in exc.value.details["changes"])
    assert fresh(log).summary == "Changed by handler2"
    with pytest.raises(Invalid):
        actions.update_log(h, log.reference, expected_version=None, summary="x")


# ------------------------------------------------------------------------------------------- C4 / L5
@pytest.mark.safeguard("C4")
def test_policy_grade_proposed_and_lower_choice_needs_rationale_and_is_reported(people):
    h = people.actor("handler")
    log = raise_log(h, category="domestic_incident")
    with pytest.raises(Refusal) as exc:
        actions.grade_log(h, log.reference, grade="scheduled", thrive=thrive(vulnerability="high"),
                          expected_version=fresh(log).version)
    assert exc.value.safeguard == "C4" and exc.value.details["proposed_grade"] == "emergency"
    g = actions.grade_log(h, log.reference, grade="priority", thrive=thrive(vulnerability="high"),
                          rationale="Suspect arrested at scene by patrol", expected_version=fresh(log).version)
    assert g.below_policy and g.proposed_grade == "emergency"
    with pytest.raises(Invalid):
        actions.grade_log(h, log.reference, grade="emergency", thrive={"threat": {"level": "x"}},
                          expected_version=fresh(log).version)


@pytest.mark.safeguard("L5")
def test_downgrade_needs_reason_authoriser_of_right_role_who_opened_log_after_latest_entry(people):
    h, d, c = people.actor("handler"), people.actor("dispatcher"), people.actor("controller")
    log = raise_log(h, category="assist_other_agency")
    actions.grade_log(h, log.reference, grade="emergency", thrive=thrive(), expected_version=fresh(log).version)
    with pytest.raises(Refusal) as exc:
        actions.grade_log(d, log.reference, grade="scheduled", thrive=thrive(), expected_version=fresh(log).version)
    assert exc.value.safeguard == "L5"
    with pytest.raises(Refusal, match="authoriser"):
        actions.request_downgrade(d, log.reference, grade="scheduled", thrive=thrive(), reason="update awaited",
                                  authoriser_id=None, expected_version=fresh(log).version)
    with pytest.raises(Refusal, match="cannot authorise"):
        actions.request_downgrade(d, log.reference, grade="scheduled", thrive=thrive(), reason="update awaited",
                                  authoriser_id=people.handler2.pk, expected_version=fresh(log).version)
    req = actions.request_downgrade(d, log.reference, grade="scheduled", thrive=thrive(), reason="update awaited",
                                    authoriser_id=people.controller.pk, expected_version=fresh(log).version)
    with pytest.raises(Refusal) as exc:
        actions.decide_downgrade(c, req.pk, approve=True)
    assert exc.value.safeguard == "L5"
    actions.view_log(c, log.reference)
    actions.add_entry(h, log.reference, "Ambulance: we cannot get in, need police")
    with pytest.raises(Refusal):
        actions.decide_downgrade(c, req.pk, approve=True)
    actions.view_log(c, log.reference)
    with pytest.raises(Refusal):
        actions.decide_downgrade(d, req.pk, approve=True)
    decided = actions.decide_downgrade(c, req.pk, approve=True, note="read the log")
    assert decided.state == "authorised" and fresh(log).grade == "scheduled"


# ------------------------------------------------------------------------------------------ L6 / L11
@pytest.mark.safeguard("L6")
def test_open_service_request_blocks_close_until_actioned(people):
    h = people.actor("handler")
    log = raise_log(h)
    req = actions.add_service_request(h, log.reference, direction="inbound", service="ambulance",
                                      requester="Retired paramedic", ask="Send an ambulance")
    with pytest.raises(Refusal) as exc:
        actions.close_log(h, log.reference, code="advice_given")
    assert exc.value.safeguard == "L6"
    actions.update_service_request(h, req.pk, state="actioned", note="Ambulance requested, ref AMB123")
    assert actions.close_log(h, log.reference, code="advice_given").status == "closed"


@pytest.mark.safeguard("L11")
def test_commitment_task_blocks_close_and_alerts_owner_then_supervisor(people):
    h = people.actor("handler")
    log = raise_log(h)
    due = clock.now() + timedelta(minutes=60)
    task = actions.add_task(h, reference=log.reference, description="Check back in an hour",
                            owner_id=people.officer.pk, due_at=due)
    with pytest.raises(Refusal) as exc:
        actions.close_log(h, log.reference, code="advice_given")
    assert exc.value.safeguard == "L11"
    assert actions.fire_task_alerts(clock.now()) == 0
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        assert actions.fire_task_alerts(clock.now()) == 1
        assert actions.fire_task_alerts(clock.now()) == 0  # claimed once
    assert Notification.objects.filter(recipient=people.officer, kind="task_overdue").count() == 1
    with time_machine.travel(due + timedelta(minutes=31), tick=False):
        assert actions.fire_task_alerts(clock.now()) == 1
    assert Notification.objects.filter(recipient=people.supervisor, kind="task_escalated").count() == 1
    actions.complete_task(people.actor("officer"), task.pk, result="Checked: girl taken home")
    assert Task.objects.get(pk=task.pk).state == "done"
    assert actions.close_log(h, log.reference, code="advice_given",
                             acknowledged_through=fresh(log).last_seq).status == "closed"


# ----------------------------------------------------------------------------------------------- L7
@pytest.mark.safeguard("L7")
def test_counter_allegation_is_never_merged(people):
    h = people.actor("handler")
    a = raise_log(h, caller="Ben Cole", party="Ben", allegation="Assault by Dan")
    b = raise_log(h, caller="Dan Hart", party="Dan", allegation="Damage by Ben")
    with pytest.raises(Refusal) as exc:
        actions.merge_logs(h, b.reference, a.reference, reason="same dispute")
    assert exc.value.safeguard == "L7"
    actions.link_logs(h, b.reference, a.reference, kind="counter_allegation", reason="each accuses the other")
    with pytest.raises(Refusal, match="counter-allegation"):
        actions.merge_logs(h, b.reference, a.reference, reason="same dispute")
    with pytest.raises(Refusal, match="reason"):
        actions.merge_logs(h, b.reference, a.reference, reason="")


@pytest.mark.safeguard("L7", "L12")
def test_merge_keeps_every_account_visible_on_the_survivor(people):
    h = people.actor("handler")
    a = raise_log(h, caller="Ann Lee", phone="07700 900222", account="Bike gone from shed", allegation="Theft")
    b = raise_log(h, caller="Ann Lee", phone="07700 900222", account="Reporting online too", allegation="theft")
    actions.merge_logs(h, b.reference, a.reference, reason="duplicate")
    summary = actions.circulation(fresh(a))
    accounts = [x["account"] for x in summary["allegations"]]
    assert accounts == ["Bike gone from shed", "Reporting online too"]


# ----------------------------------------------------------------------------------------------- L8
@pytest.mark.safeguard("L8")
def test_message_to_absent_officer_goes_to_team_queue(people):
    h = people.actor("handler")
    c = actions.send_message(h, people.absent.pk, ContactIn("email", "He has messaged me again",
                                                            caller_name="Victim"))
    assert c.routed_to_team_id == people.response_team.pk
    assert Notification.objects.filter(team=people.response_team, safeguard="L8").exists()
    assert not Notification.objects.filter(recipient=people.absent).exists()
    present = actions.send_message(h, people.officer.pk, ContactIn("switchboard", "Call me back", caller_name="X"))
    assert present.routed_to_team_id is None
    assert Notification.objects.filter(recipient=people.officer, kind="message").exists()
    handled = actions.handle_message(people.actor("supervisor"), c.pk, "", "Called victim back")
    assert handled.handled_by_id == people.supervisor.pk


# ----------------------------------------------------------------------------------------------- L9
@pytest.mark.safeguard("L9")
def test_automatic_log_needs_an_owner_and_escalates_to_deputy(people):
    log = raise_log(people.actor("handler"), source="online", channel="online", category="missing_person")
    log = fresh(log)
    assert log.owner_id is None and log.awaiting_review
    assert log.review_assignee_id == people.handler2.pk
    with time_machine.travel(log.review_due_at + timedelta(seconds=1), tick=False):
        assert actions.fire_review_escalations(clock.now()) == 1
    assert fresh(log).review_assignee_id == people.controller.pk
    assert Notification.objects.filter(recipient=people.controller, safeguard="L9").exists()
    actions.take_review(people.actor("controller"), log.reference)
    log = fresh(log)
    assert log.owner_id == people.controller.pk and not log.awaiting_review


@pytest.mark.safeguard("L9")
def test_automatic_log_goes_straight_to_deputy_when_reviewer_absent(people):
    people.handler2.absent = True
    people.handler2.save()
    log = fresh(raise_log(people.actor("handler"), source="online", channel="online"))
    assert log.review_assignee_id == people.controller.pk


# ---------------------------------------------------------------------------------------------- L10
@pytest.mark.safeguard("L10")
def test_flagged_log_needs_positive_outcome_or_supervisor_rationale(people):
    h = people.actor("handler")
    log = raise_log(h, category="concern_for_welfare")
    with pytest.raises(Refusal) as exc:
        actions.close_log(h, log.reference, code="no_units_available")
    assert exc.value.safeguard == "L10"
    with pytest.raises(Refusal) as exc:
        actions.close_log(h, log.reference, code="advice_given")
    assert exc.value.safeguard == "L10"
    sup = people.actor("supervisor")
    actions.view_log(sup, log.reference)
    with pytest.raises(Refusal):
        actions.close_log(sup, log.reference, code="advice_given", authorisation_rationale="")
    closed = actions.close_log(sup, log.reference, code="advice_given",
                               authorisation_rationale="Confirmed safe with her sister by phone; GP visiting")
    assert closed.closing_authorised_by_id == people.supervisor.pk


@pytest.mark.safeguard("L10")
def test_flagged_log_closes_with_positive_outcome(people):
    h = people.actor("handler")
    log = raise_log(h, category="concern_for_welfare")
    assert actions.close_log(h, log.reference, code="seen_safe").status == "closed"


# ---------------------------------------------------------------------------------------------- L12
@pytest.mark.safeguard("L12")
def test_assignee_receives_full_circulation_not_first_line(people):
    h = people.actor("handler")
    log = raise_log(h, category="domestic_incident", account="Ex-partner at the door",
                    allegation="Threats to kill")
    actions.record_contact(h, log.reference, ContactIn("999", "Neighbour: heard screaming", caller_name="Neighbour",
                                                       allegation="Assault heard"))
    for i in range(3):
        actions.add_entry(h, log.reference, f"Update {i}")
    a = actions.assign_staff(people.actor("dispatcher"), log.reference, people.officer.pk)
    s = a.summary
    assert [x["allegation"] for x in s["allegations"]] == ["Threats to kill", "Assault heard"]
    assert s["flags"] == ["Domestic abuse"]
    assert [e["text"] for e in s["latest_entries"]][-3:] == ["Update 0", "Update 1", "Update 2"]
    note = Notification.objects.get(recipient=people.officer, kind="assigned")
    assert "Threats to kill" in note.text and "Assault heard" in note.text


# -------------------------------------------------------------------------------------- C6 (start)
@pytest.mark.safeguard("C6")
def test_new_information_reproposes_grade_and_tells_owner_and_supervisor(people):
    h = people.actor("handler")
    log = raise_log(h, category="concern_for_welfare")
    actions.grade_log(h, log.reference, grade="scheduled", thrive=thrive(), expected_version=fresh(log).version)
    actions.add_entry(people.actor("handler2"), log.reference, "Now reported missing from home", add_flags=["missing"])
    assert fresh(log).proposed_grade == "priority"
    notes = Notification.objects.filter(kind="regrade", safeguard="C6")
    assert {n.recipient_id for n in notes} == {people.handler.pk, people.controller.pk}


# --------------------------------------------------------------------------------- permissions, audit
def test_permissions_are_checked_in_actions(people):
    with pytest.raises(Forbidden):
        raise_log(people.actor("learning"))
    log = raise_log(people.actor("handler"))
    with pytest.raises(Forbidden):
        actions.grade_log(people.actor("officer"), log.reference, grade="emergency", thrive=thrive(),
                          expected_version=fresh(log).version)
    with pytest.raises(Forbidden):
        actions.view_log(people.actor("learning"), log.reference)


@pytest.mark.safeguard("A3")
def test_every_view_is_audited_with_purpose_and_chain_verifies(people):
    log = raise_log(people.actor("handler"))
    actions.view_log(people.actor("qa"), log.reference, purpose="closure review")
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "log.viewed" and rec.reason == "closure review" and rec.actor_id == people.qa.pk
    assert verify_chain()[1] is None


@pytest.mark.safeguard("A3")
def test_verify_names_first_broken_record_when_tampered(people):
    raise_log(people.actor("handler"))
    raise_log(people.actor("handler"))
    victim = AuditRecord.objects.order_by("seq")[1]
    table = AuditRecord._meta.db_table
    with connection.cursor() as cur:  # simulate tampering by someone with database access
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER wk_refuse_update_audit_auditrecord")
            cur.execute(f"UPDATE {table} SET reason = 'tampered' WHERE seq = %s", [victim.seq])
        else:
            cur.execute("SET session_replication_role = replica")  # a superuser bypassing triggers
            cur.execute(f"UPDATE {table} SET reason = 'tampered' WHERE seq = %s", [victim.seq])
            cur.execute("SET session_replication_role = DEFAULT")
    count, brk = verify_chain()
    assert brk is not None and brk.seq == victim.seq and "altered" in brk.problem


# ------------------------------------------------------------------------------- the log page's forms
def _page(user):
    from django.test import Client

    web = Client()
    web.force_login(user)
    return web


def _thrive_form(level: str = "low") -> dict[str, str]:
    form = {f"thrive.{el}.level": level for el in ("threat", "harm", "risk", "vulnerability")}
    form.update({f"thrive.{el}.note": "" for el in ("threat", "harm", "risk", "investigation", "vulnerability",
                                                     "engagement")})
    return form


@pytest.mark.safeguard("L5")
def test_the_log_pages_forms_post_the_apis_fields_and_reach_the_same_actions(people):
    """One input path: grade, header, downgrade and its decision, tasks, posted as the page names them
    (the API schema's fields), change the log as the API does; a value the schema refuses is shown beside
    the form with a 4xx."""
    h, c = people.actor("handler"), people.actor("controller")
    log = raise_log(h, category="assist_other_agency")
    ref = log.reference
    handler, dispatcher, controller = _page(people.handler), _page(people.dispatcher), _page(people.controller)
    r = handler.post(f"/logs/{ref}/do/grade/", {"grade": "emergency", "rationale": "", **_thrive_form("high"),
                                                "expected_version": fresh(log).version})
    assert r.status_code == 302 and r["Location"].endswith(f"/logs/{ref}/#grade")
    assert fresh(log).grade == "emergency" and fresh(log).thrive["threat"]["level"] == "high"
    # A level the schema does not know: refused beside the grade form, the typed values kept.
    r = handler.post(f"/logs/{ref}/do/grade/", {"grade": "emergency", **_thrive_form("extreme"),
                                                "expected_version": fresh(log).version})
    assert r.status_code == 400 and "thrive.threat.level" in r.content.decode()
    # Markers: the hidden empty `flags` says the list was sent, so none ticked clears them (with a reason).
    actions.update_log(h, ref, expected_version=fresh(log).version, flags=["weapons"])
    r = handler.post(f"/logs/{ref}/do/update/", {"expected_version": fresh(log).version, "flags": "",
                                                 "category": fresh(log).category, "summary": fresh(log).summary,
                                                 "location": "", "reason": "No weapon seen"})
    assert r.status_code == 302 and fresh(log).flags == []
    # Downgrade, then the authoriser's decision buttons (approve=true / false).
    r = dispatcher.post(f"/logs/{ref}/do/downgrade/", {"grade": "scheduled", **_thrive_form(),
                                                       "reason": "update awaited",
                                                       "authoriser_id": people.controller.pk,
                                                       "expected_version": fresh(log).version})
    assert r.status_code == 302, r.content.decode()[:500]
    req = log.downgrade_requests.get()
    actions.view_log(c, ref)
    r = controller.post(f"/logs/{ref}/do/decide/", {"request_id": req.pk, "approve": "true", "note": "read"})
    assert r.status_code == 302 and fresh(log).grade == "scheduled"
    # A task on this log, then done; an unknown action is refused.
    r = handler.post(f"/logs/{ref}/do/task/", {"description": "Call back", "owner_id": people.handler.pk,
                                               "due_at": "2031-01-01T10:00"})
    assert r.status_code == 302
    task = Task.objects.get(log=log)
    r = handler.post(f"/logs/{ref}/do/task_done/", {"task_id": task.pk, "result": "Called back"})
    assert r.status_code == 302 and Task.objects.get(pk=task.pk).state == "done"
    r = handler.post(f"/logs/{ref}/do/delete/", {})
    assert r.status_code == 400
