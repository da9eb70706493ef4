from typing import Any

from django.apps import AppConfig


def training_gates() -> tuple[str, ...]:
    return ("emergency_call", "log.raise", "safeguarding")


class AssuranceConfig(AppConfig):
    name = "watchkeeper.assurance"
    label = "assurance"
    verbose_name = "Duty roster and assurance"

    def ready(self) -> None:
        from watchkeeper.assurance import roster
        from watchkeeper.assurance.rules import DESK_ROLES
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.core.config import add_policy_validator
        from watchkeeper.core.errors import Invalid

        def known_desks(value: list[dict[str, object]]) -> None:
            unknown = sorted({str(b["desk_role"]) for b in value if b["desk_role"] not in DESK_ROLES})
            if unknown:
                raise Invalid(f"minimum_staffing names desk roles that do not exist: {', '.join(unknown)} "
                              f"(known: {', '.join(DESK_ROLES)})", "value")

        def known_gates(value: dict[str, Any]) -> None:
            unknown = sorted({str(g["action"]) for g in value["gates"]} - set(training_gates()))
            if unknown:
                raise Invalid(f"training gates name actions that have no gate: {', '.join(unknown)} "
                              f"(known: {', '.join(training_gates())})", "value")

        add_policy_validator("minimum_staffing", known_desks)
        add_policy_validator("training", known_gates)
        # A1: the training gates run inside incidents' own actions (they warn and record; they never refuse)
        from watchkeeper.assurance import training
        from watchkeeper.incidents import hooks

        for family, fn in ((hooks.RAISE_PARTIES, training.on_raise), (hooks.AFTER_CONTACT, training.on_contact),
                           (hooks.AFTER_CLASSIFICATION, training.on_classification)):
            if fn not in family:
                family.append(fn)
        hooks.add_panel(hooks.Panel("main", "assurance/_training_panel.html", order=15))
        sweep("rostered absences begin and end (L8, L9)", roster.fire_absences)
        sweep("staffing below minimum: the duty inspector told", roster.fire_staffing)
        from watchkeeper.assurance.anomalies import fire_nightly

        sweep("access-audit anomaly rules, nightly (A2)", fire_nightly)
