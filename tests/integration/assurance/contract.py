"""The contracts of the assurance endpoints added beside the roster's (`tests/integration/staff_roster/
contract.py`): the A2 run, the A4 reports on schemes, overdue work and victim updates, and the A5 desk queues,
for the API table (`tests/integration/test_api.py`) and the authorisation matrix
(`tests/integration/authz/test_matrix.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.personas import Personas
from watchkeeper.assurance.models import AnomalyRun


def state() -> dict[str, Any]:
    """What these calls could write: a run of the rules (the roster's state() holds the flags)."""
    return {"assurance_runs": list(AnomalyRun.objects.order_by("pk").values_list("pk", "to_seq"))}


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    """The rows of the API table: `endpoint` is its Endpoint class, `call` its Call."""

    def nothing(p: Personas) -> Any:
        return call()

    return [
        endpoint("POST", "/api/assurance/anomalies/run", "anomaly.review", "standards", "qa", 200, "anomalies.run",
                 nothing),
        endpoint("GET", "/api/assurance/reports/schemes-ending", "reports.view", "controller", "handler", 200, None,
                 nothing),
        endpoint("GET", "/api/assurance/reports/overdue", "reports.view", "supervisor", "handler", 200, None,
                 nothing),
        endpoint("GET", "/api/assurance/reports/victim-updates", "reports.view", "inspector", "officer", 200, None,
                 nothing),
        endpoint("GET", "/api/assurance/workload/desks", "reports.view", "supervisor", "handler", 200, None,
                 nothing),
    ]


def matrix(row: Callable[..., Any]) -> list[Any]:
    """The rows of the authorisation matrix: `row` is its Row class. A run of the rules is nobody's own."""
    return [
        # A2: professional standards only
        row("POST", "/api/assurance/anomalies/run", "standards", None,
            form=lambda p, c: ("/assurance/standards/do/run/", {})),
    ]
