"""L1, L2, L5, L6, L11 in the database itself: what a log gathered is never deleted (gradings, links, downgrade
and service requests, tasks, assignments, review queues), and the facts recorded when a row was written
(a caller's words and details, who raised a log and when, what a request asked) are never changed. Columns
that actions change (a log's status, a task's state) stay writable; `verify-audit` checks them against the
audit trail."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse

KEPT = {
    "grading": "C4: grading decisions are never deleted",
    "link": "L7: links between logs are never deleted",
    "downgraderequest": "L5: downgrade requests are never deleted",
    "servicerequest": "L6: requests to and from other services are never deleted",
    "task": "L11: tasks are never deleted; complete or cancel them",
    "logassignment": "L4: who was assigned to a log is never deleted",
    "intakequeue": "L9: review queues are never deleted",
}


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_refuse_deletes")]

    operations = [
        refuse(
            *[(f"incidents_{name}", "DELETE", message) for name, message in KEPT.items()],
            ("incidents_grading", "UPDATE", "C4: a grading decision is never edited; grade again"),
            ("incidents_link", "UPDATE", "L7: a link is never edited"),
        ),
        freeze(
            ("incidents_contact",
             ("channel", "received_at", "recorded_at", "recorded_by_id", "caller_name", "caller_phone",
              "caller_dob", "caller_age", "caller_age_reason", "party", "account", "allegation"),
             "L8: a contact's recorded words and caller details are never changed; add an entry"),
            ("incidents_log", ("reference", "created_at", "created_by_id", "source"),
             "L1: who raised a log, when and how are never changed"),
            ("incidents_downgraderequest",
             ("log_id", "requested_at", "requested_by_id", "from_grade", "to_grade", "reason", "thrive",
              "authoriser_id"),
             "L5: a downgrade request is never changed once made; only its decision is recorded"),
            ("incidents_servicerequest",
             ("log_id", "direction", "service", "requester", "ask", "condition", "created_at", "created_by_id"),
             "L6: what a service request asked is never changed; only its state is updated"),
            ("incidents_task", ("log_id", "description", "created_at", "created_by_id"),
             "L11: what a task promised is never changed; complete or cancel it"),
        ),
    ]
