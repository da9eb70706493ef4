"""Gazetteer places and unit positions are kept: a reload adds rows (the newest is used), a position is a new
row, so where a unit said it was at any time can always be answered."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [
        refuse(
            ("geo_gazetteerentry", "DELETE", "Gazetteer places are never deleted; load a newer place"),
            ("geo_gazetteerentry", "UPDATE", "Gazetteer places are never changed; load a newer place"),
            ("geo_unitposition", "DELETE", "Unit positions are never deleted"),
            ("geo_unitposition", "UPDATE", "Unit positions are never changed; a new position is a new row"),
        ),
    ]
