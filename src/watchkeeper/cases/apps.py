from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "watchkeeper.cases"
    label = "cases"
    verbose_name = "Cases and public protection (P1, P2, P3, P4, P5, P6, P8, P10)"

    def ready(self) -> None:
        from watchkeeper.cases import rules
        from watchkeeper.cases.actions import (
            fire_bail_reviews,
            fire_case_reviews,
            fire_overdue_actions,
            fire_overdue_disclosures,
            fire_stale_cases,
            fire_unconfirmed_updates,
            fire_untold_bail_changes,
            guard_move,
            log_close_blockers,
        )
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.core.config import add_policy_validator
        from watchkeeper.incidents import hooks as incident_hooks
        from watchkeeper.staff.hooks import register_move_guard
        from watchkeeper.web.context import NavLink, add_nav_link

        def review_schedule(value: dict[str, dict[str, int]]) -> None:
            rules.check_schedule(value)  # P2: every kind and risk level has a review interval

        register_move_guard(guard_move)  # P1: cases handed over before their officer moves
        add_policy_validator("case_review_days", review_schedule)
        sweep("case reviews overdue (P2)", fire_case_reviews)
        sweep("stale cases (P2)", fire_stale_cases)
        sweep("unconfirmed victim updates (P4)", fire_unconfirmed_updates)
        sweep("overdue multi-agency actions (P6)", fire_overdue_actions)
        sweep("overdue disclosure decisions (P5)", fire_overdue_disclosures)
        sweep("overdue bail condition reviews (P8)", fire_bail_reviews)
        sweep("victims not told of a bail change (P8)", fire_untold_bail_changes)
        if log_close_blockers not in incident_hooks.CLOSE_BLOCKERS:
            incident_hooks.CLOSE_BLOCKERS.append(log_close_blockers)  # P6: open multi-agency actions
        add_nav_link(NavLink("cases:mine", "Cases", "My cases, team cases and handovers (P1, P2)", "case.view", 60))
