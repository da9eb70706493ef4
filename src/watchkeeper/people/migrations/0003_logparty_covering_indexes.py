"""C1: the history count of a busy place, phone or person reads its index alone.

Each key's newest-first index also carries the log and contact, so counting the distinct logs on a key
never reads the rows; the single-column index each of those keys had as a foreign key is dropped, because
the wider index starts with the same column. Only the indexes change: the fields are altered in the
migration state alone, so SQLite never rebuilds the table (a rebuild would also drop its refuse-delete
trigger)."""

import django.db.models.deletion
from django.db import migrations, models

KEYS = (("person", "people.person", "people_logparty_person_id_b8dc83f0"),
        ("address", "people.address", "people_logparty_address_id_f89599ba"),
        ("phone", "people.phone", "people_logparty_phone_id_a910bc17"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_refuse_deletes"),
        ("people", "0002_keep_forever"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="logparty", name=name,
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name="log_parties", to=to))
                for name, to, _ in KEYS],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{index}"', reverse_sql=migrations.RunSQL.noop)
                for _, _, index in KEYS],
        ),
        *[migrations.RemoveIndex(model_name="logparty", name=old)
          for old in ("people_logp_person__fad6bc_idx", "people_logp_address_e4dccf_idx",
                      "people_logp_phone_i_4306b4_idx")],
        *[migrations.AddIndex(model_name="logparty",
                              index=models.Index(fields=[name, "-at", "-id", "log", "contact"], name=f"logparty_{name}_newest"))
          for name, _, _ in KEYS],
    ]
