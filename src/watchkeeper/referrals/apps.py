from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "watchkeeper.referrals"
    label = "referrals"
    verbose_name = "Referrals (P7, P11)"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.referrals.actions import fire_incoming_acks, fire_referral_targets
        from watchkeeper.web.context import NavLink, add_nav_link

        sweep("referrals past their target age (P7)", fire_referral_targets)
        sweep("referrals from other forces not acknowledged (P11)", fire_incoming_acks)
        add_nav_link(NavLink("referrals:queue", "Referrals", "Intelligence referrals by risk (P7) and force "
                                                             "referrals (P11)", "case.view", 65))
