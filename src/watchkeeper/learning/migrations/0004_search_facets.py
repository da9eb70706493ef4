"""K5: the search index in its current shape. Filters (theme, year, kind, force) become facet tokens in the
index, so a filtered search is one intersection inside it; on PostgreSQL the index table keeps only the
vectors (the text stays on the case), and the title trigram index moves to the case table. The index is
rebuilt from the cases already held."""

from django.db import migrations

from watchkeeper.learning.search import rebuild


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_refuse_deletes")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]
