"""M3: a person's sex, so that an order can protect a class by it ("any female partner"); blank is not
recorded. People in the nominal index are never deleted (C1: everything known about them hangs on them)."""

from django.db import migrations, models

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_order_classes_and_overdue_schemes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sex",
            field=models.CharField(blank=True, choices=[("female", "Female"), ("male", "Male")], default="",
                                   max_length=10),
        ),
        # SQLite adds this column by rebuilding the table, which drops its triggers: installed (again) here.
        refuse(
            ("people_person", "DELETE", "C1: people in the nominal index are never deleted"),
        ),
    ]
