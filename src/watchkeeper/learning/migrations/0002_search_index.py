"""K5: the full-text index over lesson cases, per database: an FTS5 virtual table on SQLite; a generated
tsvector with a GIN index on PostgreSQL (and a trigram index on titles where pg_trgm can be installed)."""

from django.db import migrations

from watchkeeper.learning.search import install


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop, elidable=False)]
