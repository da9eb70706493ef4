"""M1, M2, M3: markers, schemes, orders, prompts, checks and victim contacts are ended, never deleted."""

from django.db import migrations

from watchkeeper.core.protect import refuse


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        refuse(
            ("people_marker", "DELETE", "M1: markers are ended with a reason, never deleted"),
            ("people_specialscheme", "DELETE", "M2: special schemes are removed with a reason, never deleted"),
            ("people_victimcontact", "DELETE", "M2: contacts with victims are never deleted"),
            ("people_order", "DELETE", "M3: orders are never deleted"),
            ("people_prompt", "DELETE", "prompts and their answers are never deleted"),
            ("people_check", "DELETE", "C5: checks and their results are never deleted"),
            ("people_logparty", "DELETE", "L1: who was on a log is never deleted"),
        )
    ]
