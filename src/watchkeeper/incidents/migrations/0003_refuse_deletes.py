"""L1 and L2 in the database itself: logs, entries and contacts are never deleted; entries never change."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_initial")]

    operations = [
        refuse(
            ("incidents_log", "DELETE", "L1: incident logs are never deleted; cancel with a reason instead"),
            ("incidents_contact", "DELETE", "L1: contacts are never deleted"),
            ("incidents_entry", "DELETE", "L1: log entries are never deleted"),
            ("incidents_entry", "UPDATE", "L2: log entries are never edited; add a correction entry"),
        )
    ]
