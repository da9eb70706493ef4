"""R1, R3, R5, R6, P9: instruments, assessments, answers, reviews and risk decisions are kept forever. Answers,
reviews, decisions and loaded instrument versions are never changed (a new answer or version is a new row);
what an assessment recorded when it was started is frozen."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [
        refuse(
            ("risk_instrument", "DELETE", "R1: a loaded instrument version is never deleted"),
            ("risk_instrument", "UPDATE", "R1: a loaded instrument version is never changed; load a new version"),
            ("risk_assessment", "DELETE", "R1: risk assessments are never deleted"),
            ("risk_answer", "DELETE", "R1: answers are never deleted"),
            ("risk_answer", "UPDATE", "R1: answers are never changed; a new answer is a new row"),
            ("risk_review", "DELETE", "R3: reviews are never deleted"),
            ("risk_review", "UPDATE", "R3: reviews are never changed"),
            ("risk_decision", "DELETE", "R6: risk decisions are never deleted"),
            ("risk_decision", "UPDATE", "R6: risk decisions are never changed"),
            ("risk_missingperson", "DELETE", "P9: missing-person records are never deleted"),
            ("risk_missingreview", "DELETE", "P9: reviews are never deleted"),
            ("risk_missingreview", "UPDATE", "P9: reviews are never changed"),
            ("risk_missingplace", "DELETE", "P9: places searched are never deleted"),
            ("risk_missingplace", "UPDATE", "P9: places searched are never changed; a new search is a new row"),
        ),
        freeze(
            ("risk_assessment", ("instrument_id", "person_id", "subject_role", "log_id", "previous_id",
                                 "started_at", "started_by_id"),
             "R1: who was assessed, with which instrument version, when and by whom is never changed"),
            ("risk_missingperson", ("person_id", "log_id", "reported_at", "created_at", "created_by_id"),
             "P9: who was reported missing, when and by whom is never changed"),
        ),
    ]
