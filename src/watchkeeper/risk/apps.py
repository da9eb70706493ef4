from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "watchkeeper.risk"
    label = "risk"
    verbose_name = "Risk assessment (R1-R7)"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.risk.actions.missing import fire_missing_reviews
        from watchkeeper.risk.hooks import register

        register()
        sweep("missing-person reviews overdue (P9)", fire_missing_reviews)
