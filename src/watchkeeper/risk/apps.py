from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "watchkeeper.risk"
    label = "risk"
    verbose_name = "Risk assessment (R1-R7)"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.core.config import add_policy_validator
        from watchkeeper.core.errors import Invalid
        from watchkeeper.risk import rules
        from watchkeeper.risk.actions.followups import fire_followups
        from watchkeeper.risk.actions.missing import fire_missing_reviews
        from watchkeeper.risk.hooks import register

        def cadence_levels(value: list[dict[str, object]]) -> None:
            rules.check_cadence(rules.cadence(value))  # P9: every level once

        def close_flags(value: list[dict[str, str]], values: dict[str, object]) -> None:
            flags = {str(f["code"]) for f in values["flags"]}  # type: ignore[attr-defined, index]
            unknown = sorted({row["flag"] for row in value if row["flag"] not in flags})
            if unknown:
                raise Invalid(f"risk_close_instruments names flags that do not exist: {', '.join(unknown)}", "value")

        register()
        add_policy_validator("missing_review_cadence", cadence_levels)
        add_policy_validator("risk_close_instruments", close_flags)
        sweep("missing-person reviews overdue (P9)", fire_missing_reviews)
        sweep("risk follow-ups due and overdue (P9, P11)", fire_followups)
