"""P9, R7, P11: weather records and follow-ups are kept forever. A weather record is never changed (a new
one is a new row); a follow-up is closed with its outcome, never deleted, and what it asked of whom, when and
by whom is never changed."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_followups_weather")]

    operations = [
        refuse(
            ("risk_missingweather", "DELETE", "P9: weather records are never deleted"),
            ("risk_missingweather", "UPDATE", "P9: weather records are never changed; a new one is a new row"),
            ("risk_followup", "DELETE", "P9, P11: follow-ups are never deleted; they are closed with an outcome"),
        ),
        freeze(
            ("risk_followup", ("kind", "missing_id", "person_id", "log_id", "party", "ask", "created_at",
                               "created_by_id"),
             "P9, P11: what a follow-up asked of whom, when and by whom is never changed"),
        ),
    ]
