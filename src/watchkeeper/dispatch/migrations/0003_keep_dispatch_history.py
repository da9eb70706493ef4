"""D1-D4 in the database itself: every state transition is a row or a time-stamped column and nothing is
deleted: units, their status changes, assignments, response clocks and their changes, alerts and diverts.
Status changes and clock changes are never edited; what an assignment, alert or divert recorded when it was
made is never changed."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse

KEPT = ["unit", "unitstatuschange", "assignment", "responseclock", "clockchange", "alert", "divert"]


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_grading_clock")]

    operations = [
        refuse(
            *[(f"dispatch_{name}", "DELETE", "D1-D4: dispatch history is never deleted") for name in KEPT],
            ("dispatch_unitstatuschange", "UPDATE", "D4: a unit status change is never edited"),
            ("dispatch_clockchange", "UPDATE", "D1: a response clock change is never edited"),
        ),
        freeze(
            ("dispatch_assignment", ("log_id", "unit_id", "assigned_at", "assigned_by_id"),
             "D4: who was assigned to which log, and when, is never changed"),
            ("dispatch_alert", ("log_id", "kind", "text", "created_at"),
             "D1: what an alert said is never changed; acknowledge it"),
            ("dispatch_divert", ("unit_id", "from_log_id", "to_log_id", "at", "by_id", "reason"),
             "D2: what a divert recorded is never changed; decide it"),
        ),
    ]
