"""Force policy versions are kept forever: a change or a rollback is a new row, never an edit or a deletion."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("core", "0003_policysetting_rolled_back_from")]

    operations = [
        refuse(
            ("core_policysetting", "DELETE", "policy versions are never deleted; roll back with a new version"),
            ("core_policysetting", "UPDATE", "policy versions are never edited; save a new version"),
        )
    ]
