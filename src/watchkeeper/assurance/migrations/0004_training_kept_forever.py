"""A1: training records and training warnings are kept forever. A record is never changed (a renewal is a
new record); what a warning found is never changed, only the person's reason is added to it."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("assurance", "0003_traininglapse_trainingrecord")]

    operations = [
        refuse(
            ("assurance_trainingrecord", "DELETE", "A1: training records are never deleted"),
            ("assurance_trainingrecord", "UPDATE", "A1: training records are never changed; record a renewal"),
            ("assurance_traininglapse", "DELETE", "A1: training warnings are never deleted"),
        ),
        freeze(
            ("assurance_traininglapse", ("user_id", "action", "courses", "log_id", "at", "supervisor_id"),
             "A1: what a training warning found is never changed"),
        ),
    ]
