"""C1: matching a name or an address reads its candidates from an index alone.

A common name has hundreds of candidates by sound key, and a busy street hundreds of places; each was a
row read from anywhere in its table. The person index on (sound key, date of birth) now also carries the
names and id, and new indexes on street and on postcode carry each place's key and id, so the candidates
are a few index pages. Only indexes change, so SQLite does not rebuild the tables."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_logparty_covering_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='person',
            name='people_pers_sound_k_1645fb_idx',
        ),
        migrations.AddIndex(
            model_name='address',
            index=models.Index(fields=['street_key', 'key', 'id'], name='address_street_keys',
                               opclasses=['varchar_pattern_ops', 'varchar_ops', 'int8_ops']),
        ),
        migrations.AddIndex(
            model_name='address',
            index=models.Index(fields=['postcode', 'key', 'id'], name='address_postcode_keys'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['sound_key', 'dob', 'given_names', 'family_name', 'id'],
                               name='person_sound_names'),
        ),
    ]
