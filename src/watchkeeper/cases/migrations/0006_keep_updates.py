"""P4: victim updates and preferred channels are kept forever: what was sent, how, when and by whom is
frozen (only the delivery outcome and the escalation are added), and a change of preferred channels is a
new row."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_victim_updates")]

    operations = [
        refuse(
            ("cases_channelpreference", "DELETE", "P4: a victim's preferred channels are never deleted"),
            ("cases_channelpreference", "UPDATE", "P4: preferred channels change by a new row, never edited"),
            ("cases_victimupdate", "DELETE", "P4: victim updates are never deleted"),
        ),
        freeze(
            ("cases_victimupdate", ("case_id", "person_id", "kind", "channel", "text", "sent_at", "by_id"),
             "P4: what a victim was told, how, when and by whom is never changed"),
        ),
    ]
