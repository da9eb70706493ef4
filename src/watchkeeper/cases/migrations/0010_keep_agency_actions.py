"""P6: multi-agency referrals and actions are kept forever: a referral never changes, and what an action is,
who owns it and when it is due are frozen (only its completion and the overdue alert are added)."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_agency_actions")]

    operations = [
        refuse(
            ("cases_agencyreferral", "DELETE", "P6: multi-agency referrals are never deleted"),
            ("cases_agencyreferral", "UPDATE", "P6: multi-agency referrals are never changed"),
            ("cases_agencyaction", "DELETE", "P6: multi-agency actions are never deleted"),
        ),
        freeze(
            ("cases_agencyaction", ("case_id", "referral_id", "description", "owner_id", "agency", "due_at",
                                    "created_at", "by_id"),
             "P6: what a multi-agency action is, its owner and due date are never changed"),
        ),
    ]
