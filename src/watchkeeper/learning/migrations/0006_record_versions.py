"""K1: versions of a document's parsed record (the parser's reading, better readings, corrections by
hand), kept forever beside the original."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0005_replay_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("parser", "Read by the parser"),
                            ("reparse", "Read again, better"),
                            ("hand", "Corrected by hand"),
                        ],
                        max_length=8,
                    ),
                ),
                ("record", models.JSONField()),
                ("provenance", models.JSONField(default=dict)),
                ("changes", models.JSONField(default=list)),
                ("reason", models.TextField(blank=True)),
                ("made_at", models.DateTimeField()),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="learning.document"
                    ),
                ),
                (
                    "made_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "read_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="learning.document",
                    ),
                ),
            ],
            options={
                "ordering": ["document_id", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("document", "number"), name="learning_record_version_once")
                ],
            },
        ),
        refuse(
            ("learning_recordversion", "DELETE", "K1: record versions are kept; nothing is deleted"),
            ("learning_recordversion", "UPDATE", "K1: a record version is never edited; add a new version"),
        ),
    ]
