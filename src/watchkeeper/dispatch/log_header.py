"""What the log page's header shows of dispatch (D1, D4): the response clock, the units on the log and their
state, and the breaches and alerts nobody has acknowledged yet. Registered as a `log_details` hook, so the
incident log page shows it without knowing dispatch (read only; the page's own view is what is audited)."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.config import current_policy
from watchkeeper.dispatch import rules
from watchkeeper.dispatch.models import Alert, Assignment, ResponseClock


def log_details(log: Any) -> dict[str, Any]:
    """{"response": {...}} for the log header: bounded reads of one log's clock, active units and alerts."""
    policy = current_policy()
    clk = ResponseClock.objects.filter(log_id=log.pk).first()
    states = dict(Assignment.STATES)
    units = [
        {"callsign": a.unit.callsign, "state": a.state, "state_label": states.get(a.state, a.state),
         "unit_status": a.unit.get_status_display(),
         "appointment_at": a.appointment_at.isoformat() if a.appointment_at else ""}
        for a in Assignment.objects.filter(log_id=log.pk, state__in=Assignment.ACTIVE)
        .select_related("unit").order_by("assigned_at")[:20]
    ]
    alerts = list(Alert.objects.filter(log_id=log.pk, acknowledged_at__isnull=True)
                  .order_by("-created_at").values("kind", "level", "text")[:20])
    clock: dict[str, Any] | None = None
    if clk is not None:
        clock = {
            "kind": clk.kind,
            "started_at": clk.started_at.isoformat(),
            "target_at": clk.target_at.isoformat() if clk.target_at else "",
            "attended_at": clk.attended_at.isoformat() if clk.attended_at else "",
            "breached_at": clk.breached_at.isoformat() if clk.breached_at else "",
            "grading_breached": bool(clk.grading_breached_at),
        }
    return {"response": {
        "clock": clock,
        "fractions": ",".join(str(f) for f in rules.alert_fractions(policy)),
        "units": units,
        "alerts": alerts,
        "breaches": sum(1 for a in alerts if a["kind"] in ("breach", "grading")),
    }}


def register() -> None:
    from watchkeeper.incidents import hooks

    hooks.LOG_DETAILS.append(log_details)
