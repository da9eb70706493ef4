"""`verify-audit` checks the current state of audited rows against their latest audit record (A3): a row
changed behind the trail's back (direct SQL; a trigger dropped first where the column is frozen) is named by
table, id, field, recorded and found. Rows changed only through actions match."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.integration.evidence.support import make_records, sql
from tests.support.factories import fresh, raise_log
from watchkeeper.audit.state import check_state
from watchkeeper.core import clock
from watchkeeper.incidents import actions as logs
from watchkeeper.people import actions

pytestmark = pytest.mark.django_db


def _drop_trigger(name: str, table: str) -> None:
    """What someone with the database's owner rights would do first (rolled back with the test)."""
    sql(f"DROP TRIGGER {name}" if connection.vendor == "sqlite" else f"DROP TRIGGER {name} ON {table}")


@pytest.mark.safeguard("A3")
def test_rows_changed_only_by_actions_match_their_audit_records(people):
    records = make_records(people)
    h, inv = people.actor("handler"), people.actor("investigator")
    logs.update_log(h, records.log.reference, summary="Neighbour found safe",
                    expected_version=fresh(records.log).version)
    actions.end_marker(inv, records.marker.pk, reason="Out of date")
    actions.record_victim_contact(inv, records.scheme.pk, channel="phone", outcome="Spoke to Vera", reached=True)
    actions.extend_scheme(inv, records.scheme.pk, until=clock.now() + timedelta(days=80), reason="Still at risk")
    logs.update_service_request(h, records.request.pk, state="actioned", note="Ambulance on the way")
    other = raise_log(h, summary="Second matter")
    logs.close_log(h, other.reference, code="advice_given")
    logs.reopen_log(h, other.reference, reason="More information")
    logs.cancel_log(h, other.reference, code="raised_in_error", reason="Test entry")
    actions.remove_scheme(inv, records.scheme.pk, reason="Victim moved away")
    kinds, found = check_state()
    assert kinds >= 5 and found == []


def _fields(found):
    return {(m.table, m.field) for m in found}


@pytest.mark.safeguard("A3")
@pytest.mark.parametrize("column, value", [("summary", "Nothing to see"), ("status", "closed"),
                                           ("closing_code", "no_offence")])
def test_a_log_changed_by_direct_sql_is_reported(people, column, value):
    records = make_records(people)
    sql(f"UPDATE incidents_log SET {column} = %s WHERE id = %s", [value, records.log.pk])
    found = check_state()[1]
    assert _fields(found) == {("incidents_log", column)}
    (m,) = found
    assert m.id == records.log.reference and m.found == value
    with pytest.raises(CommandError, match="does not hold"):
        call_command("verify_audit")


@pytest.mark.safeguard("A3")
def test_a_marker_ended_behind_the_trails_back_is_reported(people):
    records = make_records(people)
    sql("UPDATE people_marker SET ended_at = %s, end_reason = %s WHERE id = %s",
        [clock.now(), "quietly dropped", records.marker.pk])
    assert _fields(check_state()[1]) == {("people_marker", "ended_at"), ("people_marker", "end_reason")}


@pytest.mark.safeguard("A3")
def test_a_scheme_shortened_or_removed_behind_the_trails_back_is_reported(people):
    records = make_records(people)
    sql("UPDATE people_specialscheme SET ends_at = %s WHERE id = %s", [clock.now(), records.scheme.pk])
    found = check_state()[1]
    assert _fields(found) == {("people_specialscheme", "ends_at")}
    assert str(found[0].id) == str(records.scheme.pk)
    sql("UPDATE people_specialscheme SET removed_at = %s WHERE id = %s", [clock.now(), records.scheme.pk])
    assert ("people_specialscheme", "removed_at") in _fields(check_state()[1])


@pytest.mark.safeguard("A3")
def test_an_order_changed_with_its_trigger_dropped_is_reported(people):
    records = make_records(people)
    _drop_trigger("wk_freeze_people_order", "people_order")
    sql("UPDATE people_order SET conditions = %s, ends_on = %s WHERE id = %s",
        ["None", clock.local(clock.now()).date(), records.order.pk])
    found = check_state()[1]
    assert _fields(found) == {("people_order", "conditions"), ("people_order", "ends_on")}
    assert {m.recorded for m in found} == {"No contact", None}


@pytest.mark.safeguard("A3")
def test_a_service_request_marked_actioned_behind_the_trails_back_is_reported(people):
    records = make_records(people)
    sql("UPDATE incidents_servicerequest SET state = 'actioned' WHERE id = %s", [records.request.pk])
    assert _fields(check_state()[1]) == {("incidents_servicerequest", "state")}
