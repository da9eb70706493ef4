"""A3 in the database itself: the audit trail is append-only."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        refuse(
            ("audit_auditrecord", "UPDATE", "A3: audit records are never changed"),
            ("audit_auditrecord", "DELETE", "A3: audit records are never deleted"),
        )
    ]
