"""P1, P2: cases, the people and logs on them, handovers and the timeline are kept forever. A case is closed, never
deleted; what it recorded when opened is frozen; a handover's who, to whom, why and summary never change (only
its acknowledgement is added); people, logs and timeline lines and supervisory reviews (P2) are new rows, never changed."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        refuse(
            ("cases_case", "DELETE", "P1: cases are never deleted; close them"),
            ("cases_caselog", "DELETE", "P1: a log on a case is never removed"),
            ("cases_caselog", "UPDATE", "P1: a log on a case is never changed"),
            ("cases_caseparty", "DELETE", "P1: a person on a case is never removed"),
            ("cases_caseparty", "UPDATE", "P1: a person on a case is never changed"),
            ("cases_handover", "DELETE", "P1: handovers are never deleted"),
            ("cases_caseevent", "DELETE", "P1: the case timeline is never deleted"),
            ("cases_caseevent", "UPDATE", "P1: the case timeline is never changed"),
            ("cases_casereview", "DELETE", "P2: supervisory reviews are never deleted"),
            ("cases_casereview", "UPDATE", "P2: supervisory reviews are never changed"),
        ),
        freeze(
            ("cases_case", ("reference", "kind", "opened_at", "opened_by_id", "origin_id"),
             "P1: a case's reference, kind and who opened it when are never changed"),
            ("cases_handover", ("case_id", "kind", "from_user_id", "to_user_id", "reason", "summary", "at", "by_id"),
             "P1: who handed a case to whom, why and the summary are never changed"),
        ),
    ]
