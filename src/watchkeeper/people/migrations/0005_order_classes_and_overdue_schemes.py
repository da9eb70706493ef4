"""M3: orders protect classes of people and restrict activities. M2: a scheme past its end date without a
decision stays in force as "review overdue" and escalates; schemes that ended unreviewed under the earlier
behaviour (expiry fired, never removed) are put back on the sweeper's list so that someone decides them."""

from django.db import migrations, models

from watchkeeper.core.protect import refuse


def overdue_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    SpecialScheme = apps.get_model("people", "SpecialScheme")
    for s in SpecialScheme.objects.filter(removed_at__isnull=True, expiry_due_at__isnull=True).only("pk", "ends_at"):
        SpecialScheme.objects.filter(pk=s.pk).update(expiry_due_at=s.ends_at)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0004_name_and_address_candidate_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="activities",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="order",
            name="protected_classes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="specialscheme",
            name="overdue_escalations",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(overdue_again, migrations.RunPython.noop),
        # SQLite adds these columns by rebuilding the tables, which drops their triggers: installed again.
        refuse(
            ("people_specialscheme", "DELETE", "M2: special schemes are removed with a reason, never deleted"),
            ("people_order", "DELETE", "M3: orders are never deleted"),
        ),
    ]
