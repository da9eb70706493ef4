"""A2: anomaly runs, flags and the watch list are kept forever. A run's high-water mark is never changed;
who a flag names, whose record and when it was raised are never changed (its case and outcome are added);
a watch-list entry is ended, never deleted."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("assurance", "0005_anomalyrun_watchedperson_anomalyflag")]

    operations = [
        refuse(
            ("assurance_anomalyrun", "DELETE", "A2: anomaly runs are never deleted"),
            ("assurance_anomalyrun", "UPDATE", "A2: an anomaly run's high-water mark is never changed"),
            ("assurance_anomalyflag", "DELETE", "A2: anomaly flags are never deleted"),
            ("assurance_watchedperson", "DELETE", "A2: watch-list entries are ended, never deleted"),
        ),
        freeze(
            ("assurance_anomalyflag", ("rule", "user_id", "person_id", "raised_at"),
             "A2: who and whose record a flag names, and when it was raised, are never changed"),
            ("assurance_watchedperson", ("person_id", "kind", "reason", "added_at", "added_by_id"),
             "A2: a watch-list entry is never changed; end it and add another"),
        ),
    ]
