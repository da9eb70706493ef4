"""Kept-forever tables refuse DELETE, and recorded facts refuse UPDATE, in the database itself: direct SQL,
as someone bypassing the application would, on SQLite and PostgreSQL. Columns actions change stay writable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import DatabaseError

from tests.integration.evidence.support import make_records, sql
from watchkeeper.incidents.models import Contact, Log
from watchkeeper.people.models import Marker

pytestmark = pytest.mark.django_db

DELETED = [  # (what make_records holds, its table, the safeguard the refusal names)
    ("log", "incidents_log", "L1"),
    ("task", "incidents_task", "L11"),
    ("request", "incidents_servicerequest", "L6"),
    ("downgrade", "incidents_downgraderequest", "L5"),
    ("marker", "people_marker", "M1"),
    ("scheme", "people_specialscheme", "M2"),
    ("order", "people_order", "M3"),
    ("certificate", "people_firearmscertificate", "M4"),
]


@pytest.mark.safeguard("L1")
@pytest.mark.parametrize("held, table, safeguard", DELETED)
def test_kept_forever_rows_refuse_delete(people, held, table, safeguard):
    records = make_records(people)
    pk = getattr(records, held).pk
    with pytest.raises(DatabaseError, match=safeguard):
        sql(f"DELETE FROM {table} WHERE id = %s", [pk])
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {table} WHERE id = %s", [pk])
        assert cur.fetchone()[0] == 1


FROZEN = [  # (held or "contact", table, column, new value, safeguard named)
    ("contact", "incidents_contact", "account", "I never said that", "L8"),
    ("contact", "incidents_contact", "caller_name", "Someone Else", "L8"),
    ("contact", "incidents_contact", "caller_phone", "07700 999999", "L8"),
    ("log", "incidents_log", "created_at", "2001-01-01 00:00:00", "L1"),
    ("task", "incidents_task", "description", "Nothing promised", "L11"),
    ("request", "incidents_servicerequest", "ask", "Nothing asked", "L6"),
    ("downgrade", "incidents_downgraderequest", "reason", "a better reason", "L5"),
    ("marker", "people_marker", "note", "rewritten", "M1"),
    ("marker", "people_marker", "kind", "vulnerability", "M1"),
    ("scheme", "people_specialscheme", "grade_floor", "scheduled", "M2"),
    ("scheme", "people_specialscheme", "reason", "rewritten", "M2"),
    ("order", "people_order", "conditions", "None", "M3"),
    ("order", "people_order", "ends_on", "2001-01-01", "M3"),
    ("certificate", "people_firearmscertificate", "number", "SGC 999", "M4"),
]


@pytest.mark.safeguard("L2")
@pytest.mark.parametrize("held, table, column, value, safeguard", FROZEN)
def test_recorded_facts_refuse_update(people, held, table, column, value, safeguard):
    records = make_records(people)
    pk = (Contact.objects.filter(log=records.log).values_list("pk", flat=True).first() if held == "contact"
          else getattr(records, held).pk)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        was = cur.fetchone()[0]
    with pytest.raises(DatabaseError, match=safeguard):
        sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        assert cur.fetchone()[0] == was


def test_columns_actions_change_stay_writable_and_a_save_of_other_fields_passes(people):
    """The freeze refuses a change of a recorded fact, not an UPDATE that names it unchanged (a full save)."""
    records = make_records(people)
    log = Log.objects.get(pk=records.log.pk)
    log.summary = "changed by an action"
    log.save()  # names every column, the frozen ones unchanged
    marker = Marker.objects.get(pk=records.marker.pk)
    marker.end_reason = "no longer relevant"
    marker.save()
    contact = Contact.objects.filter(log=records.log).first()
    assert contact is not None
    contact.save()
    assert Log.objects.get(pk=log.pk).summary == "changed by an action"


KEPT_TABLES = {
    "DELETE": ["audit_auditrecord", "core_policysetting", "incidents_log", "incidents_contact", "incidents_entry",
               "incidents_grading",
               "incidents_link", "incidents_downgraderequest", "incidents_servicerequest", "incidents_task",
               "incidents_logassignment", "incidents_intakequeue", "people_person", "people_marker",
               "people_specialscheme", "people_victimcontact", "people_order", "people_firearmscertificate",
               "people_prompt", "people_check", "people_logparty", "people_address", "people_phone",
               "people_vehicle", "people_alias", "people_relationship", "people_residence", "people_phoneuse",
               "dispatch_unit", "dispatch_unitstatuschange", "dispatch_assignment", "dispatch_responseclock",
               "dispatch_clockchange", "dispatch_alert", "dispatch_divert", "learning_document",
               "learning_case", "learning_answer", "learning_evidence", "learning_recommendation",
               "learning_replayresult"],
    "UPDATE": ["audit_auditrecord", "core_policysetting", "incidents_entry", "incidents_grading", "incidents_link",
               "people_firearmscertificate", "people_victimcontact", "dispatch_unitstatuschange",
               "dispatch_clockchange", "learning_document", "learning_answer", "learning_evidence"],
    "FREEZE": ["incidents_contact", "incidents_log", "incidents_downgraderequest", "incidents_servicerequest",
               "incidents_task", "people_marker", "people_specialscheme", "people_order", "dispatch_assignment",
               "dispatch_alert", "dispatch_divert"],
}


def _triggers() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cur.execute("SELECT trigger_name FROM information_schema.triggers")
        return {row[0] for row in cur.fetchall()}


@pytest.mark.safeguard("A3")
def test_every_kept_forever_table_has_its_triggers_after_all_migrations(db):
    """A migration that makes SQLite rebuild a table drops its triggers: the last one must reinstall them."""
    installed = _triggers()
    missing = [f"{kind} {table}" for kind, tables in KEPT_TABLES.items() for table in tables
               if (f"wk_freeze_{table}" if kind == "FREEZE" else f"wk_refuse_{kind.lower()}_{table}")
               not in installed]
    assert not missing, missing
