"""P10: declarations of a conflict of interest are kept forever: who declared what on which case is frozen,
and the assessment is added once."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_conflicts")]

    operations = [
        refuse(("cases_conflictdeclaration", "DELETE", "P10: declarations of a conflict are never deleted")),
        freeze(
            ("cases_conflictdeclaration", ("case_id", "person_id", "user_id", "nature", "declared_at"),
             "P10: who declared what conflict on which case is never changed"),
        ),
    ]
