"""The search index: its table, the full-text index (FTS5 on SQLite, a weighted tsvector under GIN on
PostgreSQL) and the triggers that keep it as logs, entries, contacts and parties are written (search/sql.py).
The logs already held are indexed here."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    from watchkeeper.search import sql

    sql.install(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("incidents", "0004_keep_recorded_facts"),
        ("people", "0007_keep_recorded_facts"),
        ("dispatch", "0003_keep_dispatch_history"),
    ]

    operations = [
        migrations.CreateModel(
            name="LogText",
            fields=[
                ("log", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                             primary_key=True, related_name="+", serialize=False,
                                             to="incidents.log")),
                ("ref", models.TextField(default="")),
                ("said", models.TextField(default="")),
                ("people", models.TextField(default="")),
                ("places", models.TextField(default="")),
                ("phones", models.TextField(default="")),
            ],
            options={"db_table": "search_logtext", "managed": False},
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
