"""P7, P11: referrals are kept forever. A referral is worked, never deleted; what it recorded when it arrived
(where from, who about, what the intelligence says, when) is frozen; its history, the import batches and
who sent a referral from another force and what they asked never change."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [
        refuse(
            ("referrals_importbatch", "DELETE", "P7: imported lists are never deleted"),
            ("referrals_importbatch", "UPDATE", "P7: imported lists are never changed"),
            ("referrals_intelreferral", "DELETE", "P7: referrals are never deleted; record their outcome"),
            ("referrals_referralevent", "DELETE", "P7: a referral's history is never deleted"),
            ("referrals_referralevent", "UPDATE", "P7: a referral's history is never changed"),
            ("referrals_incomingreferral", "DELETE", "P11: referrals from other forces are never deleted"),
        ),
        freeze(
            ("referrals_intelreferral", ("reference", "batch_id", "source", "operation", "source_reference",
                                         "subject_name", "subject_dob", "subject_address", "summary", "received_at",
                                         "created_at", "created_by_id"),
             "P7: where a referral came from, who it is about, what it says and when are never changed"),
            ("referrals_incomingreferral", ("reference", "sending_force", "sender", "sender_contact",
                                            "their_reference", "received_via", "received_at", "person_id",
                                            "subject_role", "address_given", "ask", "created_at", "created_by_id"),
             "P11: who sent a referral, about whom, what it asks and the address it gives are never changed"),
        ),
    ]
