"""P3: a victim's points of contact and the contacts logged with them are kept forever: a change of point of
contact is a new row, and a contact is never changed or deleted."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_point_of_contact")]

    operations = [
        refuse(
            ("cases_pointofcontact", "DELETE", "P3: a victim's points of contact are never deleted"),
            ("cases_pointofcontact", "UPDATE", "P3: a point of contact is changed by a new row, never edited"),
            ("cases_victimcontact", "DELETE", "P3: contacts with a victim are never deleted"),
            ("cases_victimcontact", "UPDATE", "P3: contacts with a victim are never changed"),
        ),
    ]
