"""A5: overload reports are kept forever and never changed."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("assurance", "0007_overloadreport")]

    operations = [
        refuse(
            ("assurance_overloadreport", "DELETE", "A5: overload reports are never deleted"),
            ("assurance_overloadreport", "UPDATE", "A5: overload reports are never changed"),
        ),
    ]
