"""The duty roster and its staffing alerts are kept forever: a shift is cancelled with its reason, never
deleted, and who was rostered on which desk when is never changed (a correction is a new row)."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("assurance", "0001_initial")]

    operations = [
        refuse(
            ("assurance_shift", "DELETE", "Roster: shifts are never deleted; cancel one with its reason"),
            ("assurance_staffingalert", "DELETE", "Roster: staffing alerts are never deleted"),
        ),
        freeze(
            ("assurance_shift", ("user_id", "desk_role", "desk", "starts_at", "ends_at", "absence", "reason",
                                 "created_at", "created_by_id", "source"),
             "Roster: who was rostered on which desk when is never changed; cancel and roster anew"),
            ("assurance_staffingalert", ("desk_role", "required", "on_duty", "short_from", "missing", "text",
                                         "raised_at"),
             "Roster: what a staffing alert said is never changed"),
        ),
    ]
